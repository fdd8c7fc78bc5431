/*
 * zhibu 适老化阅读辅助 (GB/T 37668): text size, high contrast, line spacing.
 * Classic script, ES2019 at most, no network. The settings are classes on <html>
 * (zb-size-1..3, zb-contrast, zb-spacing), kept in localStorage under "zhibu-a11y";
 * a tiny inline script in <head> applies them before the first paint.
 */
(function () {
  "use strict";

  var KEY = "zhibu-a11y";
  var SIZES = ["100%", "112.5%", "125%", "150%"];
  var MAX = SIZES.length - 1;
  var root = document.documentElement;
  var bar = document.querySelector(".a11y-bar");
  if (!bar) {
    return;
  }

  function load() {
    var s = null;
    try {
      s = JSON.parse(window.localStorage.getItem(KEY) || "null");
    } catch (e) {
      s = null; // file:// or storage disabled: defaults, nothing remembered
    }
    s = s && typeof s === "object" ? s : {};
    var size = parseInt(s.size, 10);
    return {
      size: size >= 0 && size <= MAX ? size : 0,
      contrast: s.contrast === true,
      spacing: s.spacing === true
    };
  }

  function save(state) {
    try {
      if (!state.size && !state.contrast && !state.spacing) {
        window.localStorage.removeItem(KEY);
      } else {
        window.localStorage.setItem(KEY, JSON.stringify(state));
      }
    } catch (e) {
      /* not remembered; the setting still applies to this page */
    }
  }

  var state = load();
  var status = bar.querySelector(".a11y-status");
  var buttons = {};
  Array.prototype.forEach.call(bar.querySelectorAll("button[data-a11y]"), function (b) {
    buttons[b.getAttribute("data-a11y")] = b;
  });

  function apply() {
    for (var i = 1; i <= MAX; i++) {
      root.classList.toggle("zb-size-" + i, state.size === i);
    }
    root.classList.toggle("zb-contrast", state.contrast);
    root.classList.toggle("zb-spacing", state.spacing);
    if (buttons.contrast) {
      buttons.contrast.setAttribute("aria-pressed", String(state.contrast));
    }
    if (buttons.spacing) {
      buttons.spacing.setAttribute("aria-pressed", String(state.spacing));
    }
    // At the ends the button stays focusable (aria-disabled) so keyboard focus is not lost.
    if (buttons.larger) {
      buttons.larger.setAttribute("aria-disabled", String(state.size >= MAX));
    }
    if (buttons.smaller) {
      buttons.smaller.setAttribute("aria-disabled", String(state.size <= 0));
    }
  }

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function act(what) {
    switch (what) {
      case "larger":
        if (state.size >= MAX) {
          say("字号已是最大：" + SIZES[state.size]);
          return;
        }
        state.size += 1;
        say("字号 " + SIZES[state.size]);
        break;
      case "smaller":
        if (state.size <= 0) {
          say("字号已是标准大小");
          return;
        }
        state.size -= 1;
        say("字号 " + SIZES[state.size]);
        break;
      case "contrast":
        state.contrast = !state.contrast;
        say(state.contrast ? "已开启高对比度" : "已关闭高对比度");
        break;
      case "spacing":
        state.spacing = !state.spacing;
        say(state.spacing ? "已加大行距" : "已恢复标准行距");
        break;
      case "reset":
        state = { size: 0, contrast: false, spacing: false };
        say("已恢复默认显示");
        break;
      default:
        return;
    }
    apply();
    save(state);
  }

  bar.addEventListener("click", function (event) {
    var b = event.target.closest ? event.target.closest("button[data-a11y]") : null;
    if (b && bar.contains(b)) {
      act(b.getAttribute("data-a11y"));
    }
  });

  // Another tab changed the settings: follow them.
  window.addEventListener("storage", function (event) {
    if (event.key === KEY || event.key === null) {
      state = load();
      apply();
    }
  });

  apply();
})();

/*
 * Wide tables and code blocks scroll sideways inside the text. Chromium 90 does not let the
 * keyboard reach such a scroller, so one that overflows gets tabindex="0" (and loses it again
 * when it fits, e.g. after A− or a wider window).
 */
(function () {
  "use strict";

  var boxes = document.querySelectorAll(".prose table, .prose pre, .print-body table, .print-body pre");
  if (!boxes.length) {
    return;
  }

  function mark() {
    Array.prototype.forEach.call(boxes, function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("data-zb-scroll", "");
      } else if (!scrolls && box.hasAttribute("data-zb-scroll")) {
        box.removeAttribute("tabindex");
        box.removeAttribute("data-zb-scroll");
      }
    });
  }

  var timer = 0;
  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(mark, 150);
  }

  mark();
  window.addEventListener("resize", later);
  // Text size and spacing change the widths too.
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest(".a11y-bar")) {
      later();
    }
  });
})();

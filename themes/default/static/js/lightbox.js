/*
 * zhibu lightbox for 书画作品 and 风采展示 grids.
 * Markup: a container [data-lightbox="label"] holding links a[data-lightbox-item] to image files,
 * each with an <img alt> and usually a <figcaption> (.work-caption, .work-author) beside it.
 * Without this script every work is just a link to its image.
 * Classic script, ES2019 at most, no network. Full-screen overlay: role="dialog" aria-modal="true",
 * Esc closes, ←/→ move, Tab stays inside, focus returns to the opening thumbnail.
 */
(function () {
  "use strict";

  var groups = document.querySelectorAll("[data-lightbox]");
  if (!groups.length) {
    return;
  }

  var box = null;
  var img, title, author, counter, prevBtn, nextBtn, closeBtn;
  var items = [];
  var index = 0;
  var opener = null;
  var hiddenSiblings = [];

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) {
      e.className = className;
    }
    if (text) {
      e.textContent = text;
    }
    return e;
  }

  function button(kind, text) {
    var b = el("button", "lightbox-btn lightbox-" + kind, text);
    b.type = "button";
    b.setAttribute("data-lb", kind);
    return b;
  }

  function build() {
    box = el("div", "lightbox");
    box.setAttribute("role", "dialog");
    box.setAttribute("aria-modal", "true");
    box.hidden = true;

    var panel = el("div", "lightbox-panel");
    var figure = el("figure", "lightbox-figure");
    var stage = el("div", "lightbox-stage");
    img = el("img", "lightbox-img");
    img.alt = "";
    stage.appendChild(img);
    var cap = el("figcaption", "lightbox-caption");
    cap.setAttribute("aria-live", "polite");
    title = el("span", "lightbox-title");
    author = el("span", "lightbox-author");
    counter = el("span", "lightbox-counter");
    cap.appendChild(title);
    cap.appendChild(author);
    cap.appendChild(counter);
    figure.appendChild(stage);
    figure.appendChild(cap);

    var controls = el("div", "lightbox-controls");
    prevBtn = button("prev", "上一幅");
    nextBtn = button("next", "下一幅");
    closeBtn = button("close", "关闭");
    controls.appendChild(prevBtn);
    controls.appendChild(nextBtn);
    controls.appendChild(closeBtn);

    panel.appendChild(figure);
    panel.appendChild(controls);
    box.appendChild(panel);
    document.body.appendChild(box);

    box.addEventListener("click", function (event) {
      var b = event.target.closest ? event.target.closest("button[data-lb]") : null;
      if (b) {
        var kind = b.getAttribute("data-lb");
        if (kind === "prev") {
          show(index - 1);
        } else if (kind === "next") {
          show(index + 1);
        } else {
          close();
        }
      } else if (event.target === box || event.target === panel || event.target === stage) {
        close(); // a click on the dark backdrop
      }
    });
    box.addEventListener("keydown", onKey);
  }

  function textOf(root, selector) {
    var n = root ? root.querySelector(selector) : null;
    return n ? n.textContent.trim() : "";
  }

  function show(i) {
    var n = items.length;
    index = ((i % n) + n) % n;
    var link = items[index];
    var thumb = link.querySelector("img");
    var fig = link.closest ? link.closest("figure") : null;
    var cap = textOf(fig, ".work-caption");
    var alt = thumb ? thumb.getAttribute("alt") : "";
    img.src = link.getAttribute("href");
    img.alt = cap || alt || "";
    title.textContent = cap || alt || "";
    author.textContent = textOf(fig, ".work-author");
    author.hidden = !author.textContent;
    counter.textContent = n > 1 ? "第 " + (index + 1) + " 幅，共 " + n + " 幅" : "";
  }

  function focusables() {
    return [prevBtn, nextBtn, closeBtn].filter(function (b) {
      return !b.hidden;
    });
  }

  function onKey(event) {
    var key = event.key;
    if (key === "Escape" || key === "Esc") {
      event.preventDefault();
      close();
    } else if ((key === "ArrowLeft" || key === "Left") && items.length > 1) {
      event.preventDefault();
      show(index - 1);
    } else if ((key === "ArrowRight" || key === "Right") && items.length > 1) {
      event.preventDefault();
      show(index + 1);
    } else if (key === "Tab") {
      var f = focusables();
      var first = f[0];
      var last = f[f.length - 1];
      var at = f.indexOf(document.activeElement);
      if (event.shiftKey && (at <= 0)) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && (at === -1 || at === f.length - 1)) {
        event.preventDefault();
        first.focus();
      }
    }
  }

  // Focus that escapes the dialog (e.g. a click elsewhere) is brought back.
  function onFocusIn(event) {
    if (box && !box.hidden && !box.contains(event.target)) {
      closeBtn.focus();
    }
  }

  function open(group, link) {
    if (!box) {
      build();
    }
    items = Array.prototype.slice.call(group.querySelectorAll("a[data-lightbox-item]"));
    opener = link;
    var label = group.getAttribute("data-lightbox") || "图片";
    box.setAttribute("aria-label", label + "浏览");
    prevBtn.hidden = items.length < 2;
    nextBtn.hidden = items.length < 2;
    show(items.indexOf(link));

    // Hide the page from assistive technology while the dialog is open.
    hiddenSiblings = [];
    Array.prototype.forEach.call(document.body.children, function (child) {
      if (child !== box && child.getAttribute("aria-hidden") !== "true") {
        child.setAttribute("aria-hidden", "true");
        hiddenSiblings.push(child);
      }
    });
    document.documentElement.classList.add("zb-lightbox-open");
    box.hidden = false;
    document.addEventListener("focusin", onFocusIn);
    closeBtn.focus();
  }

  function close() {
    if (!box || box.hidden) {
      return;
    }
    box.hidden = true;
    img.removeAttribute("src");
    document.removeEventListener("focusin", onFocusIn);
    hiddenSiblings.forEach(function (child) {
      child.removeAttribute("aria-hidden");
    });
    hiddenSiblings = [];
    document.documentElement.classList.remove("zb-lightbox-open");
    if (opener) {
      opener.focus();
    }
  }

  Array.prototype.forEach.call(groups, function (group) {
    group.classList.add("has-lightbox");
    Array.prototype.forEach.call(group.querySelectorAll("a[data-lightbox-item]"), function (link) {
      link.setAttribute("aria-haspopup", "dialog");
      link.addEventListener("click", function (event) {
        if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) {
          return; // open in a new tab or window as usual
        }
        event.preventDefault();
        open(group, link);
      });
    });
  });
})();

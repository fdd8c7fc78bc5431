/*
 * zhibu serve: live reload and the build-error overlay. Added to pages by the preview server
 * only, never written into the built site. Listens to /__zhibu/events:
 *   status  <generation>          a build succeeded: reload if it is newer than this page
 *   failure {generation, message} a build failed: show the messages over the last good page
 */
(function () {
  "use strict";
  if (!window.EventSource) {
    return;
  }
  // The build generation this page was served from (set by the server on the script tag).
  var me = document.currentScript;
  var shown = me ? parseInt(me.getAttribute("data-generation"), 10) : NaN;
  if (isNaN(shown)) {
    shown = null;
  }
  var overlay = null;

  function hideOverlay() {
    if (overlay && overlay.parentNode) {
      overlay.parentNode.removeChild(overlay);
    }
    overlay = null;
  }

  function showOverlay(message) {
    hideOverlay();
    overlay = document.createElement("div");
    overlay.id = "zhibu-error-overlay";
    overlay.setAttribute("role", "alertdialog");
    overlay.setAttribute("aria-label", "构建失败");
    overlay.style.cssText =
      "position:fixed;z-index:2147483647;inset:0;overflow:auto;background:rgba(20,0,0,.88);" +
      "color:#fff;font:15px/1.6 'Noto Sans CJK SC','Microsoft YaHei',sans-serif;padding:32px;";
    var box = document.createElement("div");
    box.style.cssText = "max-width:960px;margin:0 auto;";
    var title = document.createElement("h2");
    title.textContent = "构建失败：页面暂未更新";
    title.style.cssText = "margin:0 0 8px;font-size:22px;color:#ffd66b;";
    var hint = document.createElement("p");
    hint.textContent = "下面是出错的文件和位置。改正并保存后，本提示会自动消失，页面自动刷新。";
    hint.style.cssText = "margin:0 0 16px;";
    var pre = document.createElement("pre");
    pre.textContent = message;
    pre.style.cssText =
      "white-space:pre-wrap;word-break:break-all;background:#000;color:#fff;padding:16px;" +
      "border-left:4px solid #ffd66b;font:14px/1.7 Consolas,'Noto Sans Mono CJK SC',monospace;";
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "暂时关闭";
    close.style.cssText = "margin-top:12px;padding:6px 16px;font:inherit;cursor:pointer;";
    close.addEventListener("click", hideOverlay);
    box.appendChild(title);
    box.appendChild(hint);
    box.appendChild(pre);
    box.appendChild(close);
    overlay.appendChild(box);
    document.body.appendChild(overlay);
  }

  var source = new EventSource("/__zhibu/events");
  source.addEventListener("status", function (e) {
    var generation = parseInt(e.data, 10);
    if (shown !== null && generation !== shown) {
      window.location.reload();
      return;
    }
    shown = generation;
    hideOverlay();
  });
  source.addEventListener("failure", function (e) {
    var data = {};
    try {
      data = JSON.parse(e.data);
    } catch (err) {
      data = { message: e.data };
    }
    if (shown === null) {
      shown = data.generation;
    }
    showOverlay(String(data.message || ""));
  });
})();

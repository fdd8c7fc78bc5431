/*
 * zhibu 党建品牌 filter. The filter bar is made of plain links to pre-rendered pages
 * (stars/<n>/, unit/<unit>/), which work without scripts. With this script a click filters the
 * cards in place (data-stars, data-unit), moves aria-current and updates the live count —
 * but only when this page holds every card the link would show (its data-count); otherwise
 * (e.g. on a filter page that lists fewer brands) the link is followed as usual.
 * Classic script, ES2019 at most, no network.
 */
(function () {
  "use strict";

  var nav = document.querySelector("[data-brand-filter]");
  var grid = document.getElementById("zb-brand-grid");
  if (!nav || !grid) {
    return;
  }
  var cards = Array.prototype.slice.call(grid.querySelectorAll(".brand-card"));
  var links = Array.prototype.slice.call(nav.querySelectorAll("a[data-filter]"));
  var count = document.getElementById("zb-brand-count");
  var heading = document.getElementById("zb-brand-filter-title");
  var empty = document.getElementById("zb-brand-empty");

  function matches(card, link) {
    var kind = link.getAttribute("data-filter");
    var value = link.getAttribute("data-value");
    if (kind === "stars") {
      return card.getAttribute("data-stars") === value;
    }
    if (kind === "unit") {
      return card.getAttribute("data-unit") === value;
    }
    return kind === "all";
  }

  function matching(link) {
    return cards.filter(function (card) {
      return matches(card, link);
    }).length;
  }

  function canFilterHere(link) {
    var expected = parseInt(link.getAttribute("data-count"), 10);
    return !isNaN(expected) && matching(link) === expected;
  }

  function keyOf(link) {
    var kind = link.getAttribute("data-filter");
    return kind === "all" ? "" : kind + "-" + link.getAttribute("data-value");
  }

  function apply(link) {
    var shown = 0;
    cards.forEach(function (card) {
      var ok = matches(card, link);
      card.hidden = !ok;
      if (ok) {
        shown += 1;
      }
    });
    links.forEach(function (l) {
      if (l === link) {
        l.setAttribute("aria-current", "page");
      } else {
        l.removeAttribute("aria-current");
      }
    });
    if (heading) {
      heading.textContent = link.getAttribute("data-title") || "";
    }
    if (empty) {
      empty.hidden = shown > 0;
    }
    if (count) {
      count.textContent = "共 " + shown + " 个品牌";
    }
  }

  nav.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-filter]") : null;
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) {
      return;
    }
    if (!canFilterHere(link)) {
      return; // go to the pre-rendered page
    }
    event.preventDefault();
    apply(link);
    // Remember the choice in the address (#stars-4) so reloading keeps it; may throw on file://.
    try {
      var key = keyOf(link);
      window.history.replaceState(null, "", key ? "#" + encodeURIComponent(key) : window.location.pathname + window.location.search);
    } catch (e) {
      /* the filter still applies */
    }
  });

  // Reloaded with #stars-4 or #unit-…: show that filter again.
  var hash = "";
  try {
    hash = decodeURIComponent(window.location.hash.slice(1));
  } catch (e) {
    hash = "";
  }
  if (hash) {
    for (var i = 0; i < links.length; i++) {
      if (keyOf(links[i]) === hash && canFilterHere(links[i])) {
        apply(links[i]);
        break;
      }
    }
  }
})();

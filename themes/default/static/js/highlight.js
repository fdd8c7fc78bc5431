/* zhibu: search helpers shared by every page.
 * - window.zhibu.normalize / terms: the query normalisation the index uses (see docs/search.md):
 *   each character with its combining marks → NFKC → lowercase per character → optional
 *   traditional→simplified fold.
 * - window.zhibu.load: loads a file of the site as a classic <script> (works from file://).
 * - On a page opened from a search hit (?hl=…), marks the terms in the text and scrolls to the
 *   first one.
 * Plain ES2017 for Chromium 90: no modules, no fetch, no workers. */
(function () {
  'use strict';
  var zb = window.zhibu = window.zhibu || {};
  var me = document.currentScript;
  var src = me && me.src ? me.src : '';
  zb.root = src.replace(/js\/highlight\.js(\?.*)?$/, '');

  var SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;
  var CLUSTER = /\P{M}\p{M}*|\p{M}+/gu;
  var fold = null;

  function normCluster(c) {
    var n = c.normalize('NFKC');
    var out = '';
    for (var ch of n) {
      var l = ch.toLowerCase();
      if (fold) {
        for (var x of l) { out += fold[x] || x; }
      } else {
        out += l;
      }
    }
    return out;
  }

  /** The normalised form of `s`. */
  zb.normalize = function (s) {
    // Every character starts or continues a cluster, so this replaces the whole string.
    return String(s).replace(CLUSTER, function (c) { return normCluster(c); });
  };

  /** Normalised `s` with, per UTF-16 unit of the result, where its cluster starts and ends in `s`. */
  zb.normalizeMapped = function (s) {
    var text = '', starts = [], ends = [];
    CLUSTER.lastIndex = 0;
    var m;
    while ((m = CLUSTER.exec(s)) !== null) {
      var n = normCluster(m[0]);
      for (var j = 0; j < n.length; j++) { starts.push(m.index); ends.push(m.index + m[0].length); }
      text += n;
    }
    return { text: text, starts: starts, ends: ends };
  };

  /** Query terms: normalised, split at whitespace, repeats dropped. */
  zb.terms = function (q) {
    var out = [];
    zb.normalize(q || '').split(SPACE).forEach(function (t) {
      if (t && out.indexOf(t) < 0) out.push(t);
    });
    return out;
  };

  var loading = {};
  /** Loads `rel` (relative to the site root) as a script; resolves when it has run. */
  zb.load = function (rel) {
    if (!loading[rel]) {
      loading[rel] = new Promise(function (resolve, reject) {
        var s = document.createElement('script');
        s.src = zb.root + rel;
        s.async = true;
        s.onload = function () { resolve(); };
        s.onerror = function () { delete loading[rel]; reject(new Error('无法加载 ' + rel)); };
        document.head.appendChild(s);
      });
    }
    return loading[rel];
  };

  window.zhibu_meta = function (m) {
    zb.meta = m;
    if (m.fold) {
      fold = {};
      var f = Array.from(m.fold);
      for (var i = 0; i + 1 < f.length; i += 2) fold[f[i]] = f[i + 1];
    }
  };
  /** Resolves once search/meta.js (shard count, fold table) is loaded. */
  zb.ready = function () { return zb.load('search/meta.js'); };

  /** Wraps every occurrence of `terms` in the text under `root` in <mark class="zb-hl">. */
  zb.highlight = function (root, terms) {
    var nodes = [];
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
      acceptNode: function (n) {
        var p = n.parentNode && n.parentNode.nodeName;
        return p === 'SCRIPT' || p === 'STYLE' || p === 'NOSCRIPT' ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
      }
    });
    var text = '', owner = [], offs = [], ends = [];
    for (var n = walker.nextNode(); n; n = walker.nextNode()) {
      var mp = zb.normalizeMapped(n.data);
      for (var i = 0; i < mp.text.length; i++) { owner.push(nodes.length); offs.push(mp.starts[i]); ends.push(mp.ends[i]); }
      text += mp.text;
      nodes.push(n);
    }
    var cuts = nodes.map(function () { return []; });
    var found = 0;
    terms.forEach(function (t) {
      var at = text.indexOf(t);
      while (at >= 0 && found < 500) {
        found++;
        var last = at + t.length - 1;
        for (var k = owner[at]; k <= owner[last]; k++) {
          var s = k === owner[at] ? offs[at] : 0;
          var e = k === owner[last] ? ends[last] : nodes[k].data.length;
          if (e > s) cuts[k].push([s, e]);
        }
        at = text.indexOf(t, at + t.length);
      }
    });
    var first = null;
    nodes.forEach(function (node, k) {
      var list = cuts[k].sort(function (a, b) { return b[0] - a[0]; });
      var stop = Infinity;
      list.forEach(function (c) {
        var e = Math.min(c[1], stop);
        if (e <= c[0]) return;
        node.splitText(e);
        var mid = node.splitText(c[0]);
        var mark = document.createElement('mark');
        mark.className = 'zb-hl';
        mid.parentNode.replaceChild(mark, mid);
        mark.appendChild(mid);
        stop = c[0];
        first = mark;
      });
    });
    var marks = root.querySelectorAll('mark.zb-hl');
    return { count: marks.length, first: marks[0] || first };
  };

  function fromHit() {
    var hl = null;
    try { hl = new URLSearchParams(window.location.search).get('hl'); } catch (e) { return; }
    if (!hl) return;
    zb.ready().catch(function () { /* no index: highlight unfolded */ }).then(function () {
      var main = document.getElementById('main');
      if (!main) return;
      var style = document.createElement('style');
      style.textContent = 'mark.zb-hl{background:#fff3c4;color:#222;border-bottom:2px solid #b3121a}' +
        'html.zb-contrast mark.zb-hl{background-color:#ff0!important;color:#000!important}';
      document.head.appendChild(style);
      var r = zb.highlight(main, zb.terms(hl));
      if (r.first) {
        r.first.scrollIntoView({ block: 'center' });
        r.first.setAttribute('tabindex', '-1');
        r.first.focus({ preventScroll: true });
      }
    });
  }
  if (!/search\/index\.html$/.test(window.location.pathname)) fromHit();
})();

/* zhibu full-text search client (see docs/search.md). Needs js/highlight.js (loaded on every
 * page) for normalisation and script loading. Plain ES2017 for Chromium 90.
 *
 * window.zhibu.search(query, {filters: {kind, year, stars}, sort: "relevance"|"date",
 * offset, limit}) → Promise of {total, hits: [{url, title, section, date, excerpt}]};
 * `excerpt` is HTML: escaped text with the terms in <mark>. */
(function () {
  'use strict';
  var zb = window.zhibu;
  var shards = {}, docs = {}, facets = null;

  window.zhibu_shard = function (name, s) { shards[name] = { s: s, map: null }; };
  window.zhibu_doc = function (id, part, d) { docs[id + '-' + part] = d; };
  window.zhibu_facets = function (f) { facets = f; };

  // ---- postings: base-91 varints, see src/search/code.rs ----
  function varint(r) {
    var n = 0, scale = 1;
    for (;;) {
      var c = r.s.charCodeAt(r.i++);
      var d = c <= 0x5b ? c - 0x23 : c - 0x24;
      if (d >= 64) { n += (d - 64) * scale; scale *= 27; } else { return n + d * scale; }
    }
  }
  function hash(term) {
    var h = 0x811c9dc5;
    for (var ch of term) h = Math.imul(h ^ ch.codePointAt(0), 0x01000193);
    h ^= h >>> 16;
    h = Math.imul(h, 0x045d9f3b);
    h ^= h >>> 16;
    return h >>> 0;
  }
  /** The file holding `term`'s page list ("s/…") or, for a pair, its positions ("p/…"). */
  function shardName(term, positions) {
    return positions ? 'p/' + (hash(term) % zb.meta.pshards).toString(36) : 's/' + (hash(term) % zb.meta.shards).toString(36);
  }
  function shardMap(sh) {
    if (sh.map) return sh.map;
    var map = new Map(), s = sh.s, i = 0;
    while (i < s.length) {
      var n = s[i] === 'a' ? 1 : 2, j = i + 1;
      for (var k = 0; k < n; k++) j += s.codePointAt(j) > 0xffff ? 2 : 1;
      var term = s.slice(i + 1, j);
      var r = { s: s, i: j };
      var len = varint(r);
      map.set(term, [r.i, r.i + len]);
      i = r.i + len;
    }
    sh.map = map;
    return map;
  }
  function posting(term, positions) {
    var sh = shards[shardName(term, positions)];
    var at = sh && shardMap(sh).get(term);
    return at ? { s: sh.s, i: at[0], end: at[1] } : null;
  }
  function cover(term) {
    var cs = Array.from(term), out = [];
    if (cs.length === 1) return [[0, term]];
    for (var o = 0; o + 1 < cs.length; o += 2) out.push([o, cs[o] + cs[o + 1]]);
    if (cs.length % 2 === 1) out.push([cs.length - 2, cs[cs.length - 2] + cs[cs.length - 1]]);
    return out;
  }
  /** A pair's page list; with `rp` (its positions record) the positions of every page too. */
  function decodePairs(r, rp) {
    var out = new Map(), page = -1;
    while (r.i < r.end) {
      page += varint(r) + 1;
      var h = varint(r), n = h >> 1, nt = 0, nh = 0;
      if (h & 1) { nt = varint(r); nh = varint(r); }
      var part = varint(r), pos = null;
      if (rp) {
        pos = new Array(n);
        for (var k = 0, last = -1; k < n; k++) { last += varint(rp) + 1; pos[k] = last; }
      }
      out.set(page, { n: n, nt: nt, nh: nh, part: part, pos: pos });
    }
    return out;
  }
  function has(sorted, v) {
    var lo = 0, hi = sorted.length - 1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (sorted[mid] === v) return true;
      if (sorted[mid] < v) lo = mid + 1; else hi = mid - 1;
    }
    return false;
  }
  /** Pages whose text contains `term`: Map page → {t, h, n, part}. */
  function termMatches(term) {
    var out = new Map();
    var cov = cover(term);
    if (Array.from(term).length === 1) {
      var r = posting(term);
      if (!r) return out;
      var page = -1;
      while (r.i < r.end) {
        page += varint(r) + 1;
        var h = varint(r);
        out.set(page, { t: (h >> 1) & 1, h: h & 1, n: Math.floor(h / 4), part: varint(r) });
      }
      return out;
    }
    if (cov.length === 1) {
      // One pair (a two-character term): its page list says everything.
      var one = posting(cov[0][1]);
      if (one) {
        decodePairs(one, null).forEach(function (e, pg) {
          out.set(pg, { t: e.nt > 0 ? 1 : 0, h: e.nh > 0 ? 1 : 0, n: e.n, part: e.part });
        });
      }
      return out;
    }
    var lists = [];
    for (var c = 0; c < cov.length; c++) {
      var p = posting(cov[c][1]);
      if (!p) return out;
      lists.push([cov[c][0], decodePairs(p, posting(cov[c][1], true))]);
    }
    var P = zb.meta.part;
    lists[0][1].forEach(function (e0, pg) {
      var idx = [];
      for (var i = 0; i < e0.pos.length; i++) idx.push(i);
      for (var l = 1; l < lists.length && idx.length; l++) {
        var e = lists[l][1].get(pg), o = lists[l][0];
        if (!e) { idx = []; break; }
        idx = idx.filter(function (i) { return has(e.pos, e0.pos[i] + o); });
      }
      if (!idx.length) return;
      out.set(pg, {
        t: idx[0] < e0.nt ? 1 : 0,
        h: idx.some(function (i) { return i >= e0.nt && i < e0.nt + e0.nh; }) ? 1 : 0,
        n: idx.length,
        part: Math.floor(e0.pos[idx[0]] / P)
      });
    });
    return out;
  }

  function ranges(str) {
    var set = new Set(), r = { s: str, i: 0 }, next = 0;
    while (r.i < str.length) {
      var start = next + varint(r), len = varint(r) + 1;
      for (var k = 0; k < len; k++) set.add(start + k);
      next = start + len;
    }
    return set;
  }

  function escapeHtml(s) {
    return s.replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  /** `text` (a window of it around the first match) as HTML with every term in <mark>. */
  function marked(text, terms, window) {
    var mp = zb.normalizeMapped(text);
    var spans = [];
    terms.forEach(function (t) {
      var at = mp.text.indexOf(t);
      while (at >= 0) {
        spans.push([mp.starts[at], mp.ends[at + t.length - 1]]);
        at = mp.text.indexOf(t, at + t.length);
      }
    });
    spans.sort(function (a, b) { return a[0] - b[0]; });
    var from = 0, to = text.length;
    if (window) {
      var first = spans.length ? spans[0][0] : 0;
      from = Math.max(0, first - 36);
      to = Math.min(text.length, from + window);
      if (to - from < window) from = Math.max(0, to - window);
      if (from > 0 && /[\uDC00-\uDFFF]/.test(text[from])) from++;
    }
    var html = from > 0 ? '…' : '', at2 = from;
    spans.forEach(function (s) {
      var a = Math.max(s[0], at2), b = Math.min(s[1], to);
      if (b <= a) return;
      html += escapeHtml(text.slice(at2, a)) + '<mark>' + escapeHtml(text.slice(a, b)) + '</mark>';
      at2 = b;
    });
    html += escapeHtml(text.slice(at2, to)) + (to < text.length ? '…' : '');
    return html;
  }

  function loadDoc(page, part) {
    return zb.load('search/d/' + page + '-' + part + '.js').then(function () { return docs[page + '-' + part]; });
  }
  /** The hit for match `m` on `page`: its text part, with the next one if the match runs over. */
  function hit(page, m, terms) {
    return loadDoc(page, m.part).then(function (d) {
      // The title is shown above the excerpt: leave it out of the first part.
      var text = (m.part === 0 ? d[4].slice(d[4].indexOf('\n') + 1) : d[4]).replace(/\n/g, ' ');
      if (m.part + 1 >= d[5] || zb.normalize(d[4]).indexOf(terms[0]) >= 0) return [d, text];
      return loadDoc(page, m.part + 1).then(function (d2) { return [d, text + d2[4].replace(/\n/g, ' ')]; },
        function () { return [d, text]; });
    }).then(function (x) {
      var d = x[0];
      return {
        url: zb.root + d[0],
        title: d[1],
        section: d[2],
        date: d[3],
        excerpt: marked(x[1], terms, 110),
        titleHtml: marked(d[1], terms, 0),
        terms: terms
      };
    });
  }

  zb.search = function (query, options) {
    options = options || {};
    var f = options.filters || {};
    var offset = Math.max(0, options.offset | 0);
    var limit = options.limit == null ? 10 : Math.max(0, options.limit | 0);
    return zb.ready().then(function () {
      var terms = zb.terms(query);
      if (!terms.length) return { total: 0, hits: [] };
      var need = [];
      var add = function (n) { if (need.indexOf(n) < 0) need.push(n); };
      terms.forEach(function (t) {
        var cov = cover(t);
        cov.forEach(function (c) {
          add(shardName(c[1]));
          if (cov.length > 1) add(shardName(c[1], true));
        });
      });
      var loads = need.map(function (n) { return zb.load('search/' + n + '.js'); });
      if (f.kind || f.stars) loads.push(zb.load('search/facets.js'));
      return Promise.all(loads).then(function () {
        var result = null;
        for (var i = 0; i < terms.length; i++) {
          var m = termMatches(terms[i]);
          if (result === null) {
            result = m;
          } else {
            var next = new Map();
            result.forEach(function (a, pg) {
              var b = m.get(pg);
              if (b) next.set(pg, { t: a.t + b.t, h: a.h + b.h, n: a.n + b.n, part: a.part });
            });
            result = next;
          }
          if (!result.size) break;
        }
        var keep = [];
        if (f.kind) keep.push(ranges(facets['kind:' + f.kind] || ''));
        if (f.stars) keep.push(ranges(facets['stars:' + f.stars] || ''));
        var year = null;
        if (f.year) {
          year = [0, 0];
          zb.meta.years.forEach(function (y) { if (String(y[0]) === String(f.year)) year = [y[1], y[2]]; });
        }
        var list = [];
        result.forEach(function (m, pg) {
          if (year && (pg < year[0] || pg >= year[1])) return;
          for (var k = 0; k < keep.length; k++) if (!keep[k].has(pg)) return;
          m.page = pg;
          list.push(m);
        });
        if (options.sort === 'date') {
          list.sort(function (a, b) { return a.page - b.page; });
        } else {
          list.sort(function (a, b) { return (b.t - a.t) || (b.h - a.h) || (b.n - a.n) || (a.page - b.page); });
        }
        var shown = list.slice(offset, offset + limit);
        return Promise.all(shown.map(function (m) { return hit(m.page, m, terms); })).then(function (hits) {
          return { total: list.length, hits: hits };
        });
      });
    });
  };

  // ---- the search page ----
  var PER_PAGE = 10;
  function byId(id) { return document.getElementById(id); }
  function dateZh(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || '');
    return m ? (+m[1]) + '年' + (+m[2]) + '月' + (+m[3]) + '日' : '';
  }
  function params() {
    var p;
    try { p = new URLSearchParams(window.location.search); } catch (e) { p = new URLSearchParams(''); }
    return {
      q: p.get('q') || '', kind: p.get('kind') || '', year: p.get('year') || '',
      stars: p.get('stars') || '', sort: p.get('sort') === 'date' ? 'date' : 'relevance',
      page: Math.max(1, parseInt(p.get('page'), 10) || 1)
    };
  }
  function setField(id, v) { var e = byId(id); if (e) e.value = v; }
  function current() {
    var v = function (id) { var e = byId(id); return e ? e.value : ''; };
    return { q: v('search-q'), kind: v('search-kind'), year: v('search-year'), stars: v('search-stars'), sort: v('search-sort') || 'relevance' };
  }
  function syncUrl(s, page) {
    var p = new URLSearchParams();
    p.set('q', s.q);
    ['kind', 'year', 'stars'].forEach(function (k) { if (s[k]) p.set(k, s[k]); });
    if (s.sort === 'date') p.set('sort', 'date');
    if (page > 1) p.set('page', page);
    try { window.history.replaceState(null, '', '?' + p.toString()); } catch (e) { /* file:// may refuse */ }
  }

  function pagerButton(label, page, cur, aria) {
    var b = document.createElement('button');
    b.type = 'button';
    b.className = 'search-page' + (page === cur ? ' is-current' : '');
    b.textContent = label;
    if (aria) b.setAttribute('aria-label', aria);
    if (page === cur) b.setAttribute('aria-current', 'page');
    b.setAttribute('data-page', page);
    return b;
  }
  function renderPager(total, page) {
    var nav = byId('search-pager');
    nav.innerHTML = '';
    var pages = Math.ceil(total / PER_PAGE);
    if (pages <= 1) { nav.hidden = true; return; }
    nav.hidden = false;
    if (page > 1) nav.appendChild(pagerButton('上一页', page - 1, 0));
    var nums = [1, pages];
    for (var n = Math.max(1, page - 2); n <= Math.min(pages, page + 2); n++) nums.push(n);
    nums = nums.filter(function (x, i) { return nums.indexOf(x) === i; }).sort(function (a, b) { return a - b; });
    var prev = 0;
    nums.forEach(function (n) {
      if (n > prev + 1) { var gap = document.createElement('span'); gap.className = 'search-gap'; gap.textContent = '…'; nav.appendChild(gap); }
      nav.appendChild(pagerButton(String(n), n, page, '第 ' + n + ' 页'));
      prev = n;
    });
    if (page < pages) nav.appendChild(pagerButton('下一页', page + 1, 0));
  }

  var run = 0;
  function show(s, page, focus) {
    var count = byId('search-count'), list = byId('search-results');
    var mine = ++run;
    syncUrl(s, page);
    var site = byId('zb-site-q');
    if (site) site.value = s.q;
    if (!zb.terms(s.q).length) {
      count.textContent = '请输入要查找的词语。';
      list.innerHTML = '';
      renderPager(0, 1);
      return Promise.resolve();
    }
    count.textContent = '正在搜索…';
    return zb.search(s.q, {
      filters: { kind: s.kind, year: s.year, stars: s.stars }, sort: s.sort,
      offset: (page - 1) * PER_PAGE, limit: PER_PAGE
    }).then(function (r) {
      if (mine !== run) return;
      var shownQ = s.q.trim();
      if (!r.total) {
        count.textContent = '没有找到包含“' + shownQ + '”的页面。请检查用字，或减少词语、放宽筛选条件。';
      } else {
        var from = (page - 1) * PER_PAGE + 1, to = from + r.hits.length - 1;
        count.textContent = '找到 ' + r.total + ' 个页面包含“' + shownQ + '”' +
          (r.total > PER_PAGE ? '，当前显示第 ' + from + '–' + to + ' 个' : '') + '。';
      }
      list.innerHTML = r.hits.map(function (h) {
        var href = h.url + '?hl=' + encodeURIComponent(h.terms.join(' '));
        return '<li class="search-item"><a class="search-hit" href="' + escapeHtml(href) + '">' +
          '<span class="search-hit-title">' + h.titleHtml + '</span></a>' +
          '<p class="search-hit-meta"><span class="search-hit-place">' + escapeHtml(h.section) + '</span>' +
          (h.date ? '<time datetime="' + escapeHtml(h.date) + '">' + dateZh(h.date) + '</time>' : '') + '</p>' +
          '<p class="search-hit-excerpt">' + h.excerpt + '</p></li>';
      }).join('');
      list.setAttribute('start', String((page - 1) * PER_PAGE + 1));
      renderPager(r.total, page);
      if (focus) { count.setAttribute('tabindex', '-1'); count.focus(); }
    }, function (e) {
      if (mine !== run) return;
      count.textContent = '搜索索引加载失败（' + e.message + '）。请确认网站文件完整。';
    });
  }

  function initPage() {
    var form = byId('search-form');
    if (!form || !byId('search-results')) return;
    var p = params();
    setField('search-q', p.q); setField('search-kind', p.kind); setField('search-year', p.year);
    setField('search-stars', p.stars); setField('search-sort', p.sort);
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      show(current(), 1, false);
    });
    ['search-kind', 'search-year', 'search-stars', 'search-sort'].forEach(function (id) {
      var el = byId(id);
      if (el) el.addEventListener('change', function () { show(current(), 1, false); });
    });
    byId('search-pager').addEventListener('click', function (e) {
      var b = e.target.closest('button[data-page]');
      if (b) show(current(), parseInt(b.getAttribute('data-page'), 10), true);
    });
    zb.searchPage = show(current(), p.page, false);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', initPage); else initPage();
})();

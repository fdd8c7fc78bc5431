// Full-text search in real Chromium: the built sample site over http under a subpath and from
// file://, checked against a naive substring scan of the site's own searchable text; and the
// search page's UI (escaped, highlighted excerpts, filters, sort, paging, keyboard, axe) on the
// fixture site tests/fixtures/search.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { pathToFileURL } = require('node:url');
const { REPO, buildSite, serve, launch, openTracked, screenshot } = require('./lib');

const AXE = require.resolve('axe-core/axe.min.js');
const FIXTURE = path.join(REPO, 'tests', 'fixtures', 'search');

let site, fixture, server, rootServer, fixServer, browser;
test.before(async () => {
  site = buildSite();
  fixture = buildSite(FIXTURE);
  server = await serve(site, '/intranet/dangjian/');
  rootServer = await serve(site, '/');
  fixServer = await serve(fixture, '/sub/');
  browser = await launch();
});
test.after(async () => {
  if (browser) await browser.close();
  for (const s of [server, rootServer, fixServer]) if (s) await s.close();
});

/**
 * The searchable text of every page of a built site, as the build wrote it for excerpts
 * (search/d/<page>-<part>.js, the parts in order): url → plain text, not normalised.
 */
function siteTexts(dir) {
  const parts = {};
  const ctx = vm.createContext({ zhibu_doc: (id, k, d) => { (parts[id] = parts[id] || [])[k] = d; } });
  const ddir = path.join(dir, 'search', 'd');
  for (const f of fs.readdirSync(ddir)) vm.runInContext(fs.readFileSync(path.join(ddir, f), 'utf8'), ctx);
  const out = new Map();
  for (const id of Object.keys(parts)) out.set(parts[id][0][0], parts[id].map((d) => d[4]).join(''));
  return out;
}

// Normalisation written again here, from the contract in docs/search.md, with node's own ICU.
const SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;
function normalize(s) {
  return (s.match(/\P{M}\p{M}*|\p{M}+/gu) || []).map((c) => Array.from(c.normalize('NFKC')).map((x) => x.toLowerCase()).join('')).join('');
}
function naive(texts, query) {
  const terms = normalize(query).split(SPACE).filter(Boolean);
  if (!terms.length) return [];
  const normal = [...texts].map(([url, t]) => [url, normalize(t)]);
  return normal.filter(([, t]) => terms.every((q) => t.includes(q))).map(([url]) => url).sort();
}

/** A seeded random generator, so a failure can be reproduced. */
function rng(seed) {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0; return s / 4294967296; };
}

/** 200 queries: substrings of the pages' text (1–8 characters), pairs of them, absent strings. */
function queries(texts, seed) {
  const rand = rng(seed);
  const pages = [...texts.values()].map((t) => Array.from(t));
  const pick = () => {
    for (;;) {
      const t = pages[Math.floor(rand() * pages.length)];
      const len = 1 + Math.floor(rand() * rand() * 8);
      const at = Math.floor(rand() * Math.max(1, t.length - len));
      const q = t.slice(at, at + len).join('');
      if (q.trim()) return q;
    }
  };
  const out = [];
  while (out.length < 150) out.push(pick());
  while (out.length < 180) out.push(pick() + ' ' + pick());
  const alphabet = Array.from('党建品牌清廉学习理论的一二十大A股20gdp，。《》');
  while (out.length < 200) {
    let q = '';
    for (let i = 0, n = 2 + Math.floor(rand() * 4); i < n; i++) q += alphabet[Math.floor(rand() * alphabet.length)];
    out.push(q);
  }
  return out;
}

/** Runs every query through window.zhibu.search on the open page; url (site-relative) lists. */
async function searchAll(page, qs) {
  return page.evaluate(async (qs) => {
    const out = [];
    for (const q of qs) {
      const r = await window.zhibu.search(q, { limit: 100000 });
      out.push({ total: r.total, urls: r.hits.map((h) => h.url.slice(window.zhibu.root.length)).sort() });
    }
    return out;
  }, qs);
}

function checkExact(texts, qs, got, where) {
  const wrong = [];
  qs.forEach((q, i) => {
    const want = naive(texts, q);
    if (JSON.stringify(want) !== JSON.stringify(got[i].urls) || got[i].total !== want.length) {
      wrong.push(`${JSON.stringify(q)}: want ${want.length} ${JSON.stringify(want)} got ${got[i].total} ${JSON.stringify(got[i].urls)}`);
    }
  });
  assert.deepEqual(wrong, [], `${where}: ${wrong.length} of ${qs.length} queries differ from a naive scan`);
}

test('the searchable text is what the reader sees on each page', async () => {
  // The build lays a page's text out as lines: title, the body's headings, description, the
  // fields its kind shows from the front matter (a brand's slogan, an exemplar's name…), body.
  const texts = siteTexts(site);
  assert.ok(texts.size >= 20, `only ${texts.size} pages indexed`);
  const strip = (s) => s.replace(/\s+/g, '');
  const page = await browser.newPage();
  const withFields = [];
  for (const [url, text] of texts) {
    await page.goto(server.url + url, { waitUntil: 'domcontentloaded' });
    const seen = await page.evaluate(() => {
      const body = document.querySelector('.article-body');
      const title = document.querySelector('h1');
      let heads = [];
      let rest = '';
      if (body) {
        const copy = body.cloneNode(true);
        heads = [...copy.querySelectorAll('h1,h2,h3,h4,h5,h6')].map((h) => h.textContent);
        copy.querySelectorAll('h1,h2,h3,h4,h5,h6').forEach((h) => h.remove());
        document.body.appendChild(copy);
        rest = copy.innerText;
        copy.remove();
      }
      return { title: title.textContent, heads, rest, visible: document.querySelector('main').innerText };
    });
    const all = strip(text);
    const start = strip(seen.title) + strip(seen.heads.join(''));
    assert.ok(all.startsWith(start), `${url}: title and headings\n${all}\n${start}`);
    // The kind's fields are the lines between the description and the body; every one of them
    // must be text the page shows.
    const lines = text.split('\n');
    const first = 1 + seen.heads.filter((h) => h.trim()).length + 1;
    let k = first;
    while (k <= lines.length && strip(lines.slice(k).join('')) !== strip(seen.rest)) k++;
    assert.ok(k <= lines.length, `${url}: body text\n${all}\n${strip(seen.rest)}`);
    const fields = lines.slice(first, k);
    const visible = strip(seen.visible);
    for (const f of fields) assert.ok(visible.includes(strip(f)), `${url}: field ${JSON.stringify(f)} is not on the page`);
    if (fields.length) withFields.push(url);
  }
  // Not vacuous: brands and the exemplar carry fields.
  assert.ok(withFields.filter((u) => u.startsWith('pinpai/')).length >= 3, withFields.join(' '));
  assert.ok(withFields.includes('qinglian/qinglian-bangyang/index.html'), withFields.join(' '));
  await page.close();
});

test('200 random substrings over http under a subpath find exactly what a naive scan finds', async () => {
  const texts = siteTexts(site);
  const qs = queries(texts, 20261124);
  const { page, problems } = await openTracked(browser, server.url + 'search/index.html');
  const got = await searchAll(page, qs);
  checkExact(texts, qs, got, 'http subpath');
  assert.deepEqual(problems, []);
  await page.close();
});

test('the same from file:// and over http at the root', async () => {
  const texts = siteTexts(site);
  const qs = queries(texts, 7).slice(0, 60);
  for (const [where, base] of [['file', pathToFileURL(site + path.sep).href], ['http root', rootServer.url]]) {
    const { page, problems } = await openTracked(browser, base + 'search/index.html');
    checkExact(texts, qs, await searchAll(page, qs), where);
    assert.deepEqual(problems, [], where);
    await page.close();
  }
});

test('?q= runs the query; hits link to their pages, which highlight the term', async () => {
  for (const base of [server.url, pathToFileURL(site + path.sep).href]) {
    const { page, problems } = await openTracked(browser, base + 'search/index.html?q=' + encodeURIComponent('党建'));
    await page.waitForSelector('#search-results a.search-hit');
    const count = await page.textContent('#search-count');
    const want = naive(siteTexts(site), '党建').length;
    assert.match(count, new RegExp(`找到 ${want} 个页面`), count);
    assert.equal(await page.inputValue('#zb-site-q'), '党建');
    const first = await page.$eval('a.search-hit', (a) => a.href);
    await page.click('a.search-hit');
    await page.waitForSelector('mark.zb-hl');
    assert.equal(page.url(), first);
    const marked = await page.$$eval('mark.zb-hl', (m) => m.map((x) => x.textContent).join('|'));
    assert.ok(marked.includes('党建'), marked);
    assert.deepEqual(problems, []);
    await page.close();
  }
});

test('excerpts are escaped and highlighted; the search page is accessible', async () => {
  const { page, problems } = await openTracked(browser, fixServer.url + 'search/index.html?q=' + encodeURIComponent('<script>alert'));
  await page.waitForSelector('a.search-hit');
  const hit = await page.$eval('#search-results', (r) => ({
    html: r.innerHTML,
    text: r.textContent,
    scripts: r.querySelectorAll('script, b, img').length,
    marks: [...r.querySelectorAll('mark')].map((m) => m.textContent),
  }));
  assert.equal(hit.scripts, 0, hit.html);
  assert.ok(hit.text.includes('<script>alert("x")</script>'), hit.text);
  assert.ok(hit.text.includes('代码<示例>与转义'), hit.text);
  assert.deepEqual(hit.marks, ['<script>alert']);
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`);
  assert.deepEqual(bad, []);
  assert.deepEqual(problems, []);
  await page.close();
});

test('filters, sort, paging and the keyboard', async () => {
  const { page, problems } = await openTracked(browser, fixServer.url + 'search/index.html');
  // Type in the box and press Enter: no mouse.
  await page.focus('#search-q');
  await page.keyboard.type('清廉');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /找到 14 个页面/.test(document.getElementById('search-count').textContent));
  let titles = await page.$$eval('a.search-hit', (a) => a.map((x) => x.textContent));
  assert.equal(titles.length, 10);
  // Relevance: all but the brand page have the term in their title; among those the page
  // saying it most comes first, then newer before older.
  assert.equal(titles[0], '第3次清廉学习会');
  assert.deepEqual(titles.slice(1, 4), ['第11次清廉学习会', '第10次清廉学习会', '清廉文化原文']);
  assert.equal(await page.$$eval('#search-results mark', (m) => m.length > 0), true);
  // Paging: the pager's buttons are reachable and move focus back to the count.
  await page.click('#search-pager button[data-page="2"]');
  await page.waitForFunction(() => document.querySelectorAll('a.search-hit').length === 4);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'search-count');
  const last = await page.$$eval('a.search-hit', (a) => a[a.length - 1].textContent);
  assert.equal(last, '红色引擎品牌', 'no title match: last');
  // Filters.
  await page.selectOption('#search-kind', 'brand');
  await page.waitForFunction(() => /找到 1 个页面/.test(document.getElementById('search-count').textContent));
  await page.selectOption('#search-kind', '');
  await page.selectOption('#search-year', '2025');
  await page.waitForFunction(() => /找到 6 个页面/.test(document.getElementById('search-count').textContent));
  await page.selectOption('#search-year', '');
  await page.selectOption('#search-stars', '5');
  await page.waitForFunction(() => /找到 1 个页面/.test(document.getElementById('search-count').textContent));
  await page.selectOption('#search-stars', '');
  await page.selectOption('#search-sort', 'date');
  await page.waitForFunction(() => /找到 14 个页面/.test(document.getElementById('search-count').textContent)
    && document.querySelector('a.search-hit').textContent === '第11次清廉学习会');
  titles = await page.$$eval('a.search-hit', (a) => a.map((x) => x.textContent));
  assert.deepEqual(titles.slice(0, 3), ['第11次清廉学习会', '第10次清廉学习会', '清廉文化原文']);
  // The contract, called directly.
  const r = await page.evaluate(() => window.zhibu.search('清廉 学习会', { filters: { year: 2026 }, sort: 'date', offset: 1, limit: 2 }));
  assert.equal(r.total, 6);
  assert.deepEqual(r.hits.map((h) => h.title), ['第10次清廉学习会', '第9次清廉学习会']);
  assert.deepEqual(Object.keys(r.hits[0]).filter((k) => ['url', 'title', 'section', 'date', 'excerpt'].includes(k)).sort(), ['date', 'excerpt', 'section', 'title', 'url']);
  assert.equal(r.hits[0].section, '工作动态');
  // Traditional characters fold (search_fold_traditional = true in the fixture).
  const fold = await page.evaluate(() => window.zhibu.search('中国共产党党建', {}));
  assert.equal(fold.total, 1);
  const pack = await page.evaluate(() => window.zhibu.search('以案为鉴', {}));
  assert.equal(pack.hits[0].section, '2026年第1期');
  await screenshot(page, 'desktop-search');
  assert.deepEqual(problems, []);
  await page.close();
});

test('search page at phone width', async () => {
  const { page, problems } = await openTracked(browser, fixServer.url + 'search/index.html?q=' + encodeURIComponent('清廉'), { width: 360, height: 740 });
  await page.waitForSelector('a.search-hit');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${overflow}px wider than the phone`);
  await screenshot(page, 'phone-search');
  assert.deepEqual(problems, []);
  await page.close();
});

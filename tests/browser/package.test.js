// `zhibu package` as a reader receives it: the sample site packaged, unzipped by another tool
// into a folder whose path has Chinese and spaces, opened from file:// in real Chromium, and
// searched from the home page's search box; every hit opens a page that marks the term.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { REPO, zhibuBin, launch, openTracked } = require('./lib');

let tmp, site, browser;
test.before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'zhibu-package-'));
  const zip = path.join(tmp, '党建 网站.zip');
  const env = { ...process.env, ZHIBU_LOG: 'warn' };
  execFileSync(zhibuBin(), ['package', '--root', REPO, '--out', zip], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const verified = execFileSync(zhibuBin(), ['package', '--verify', zip], { env, encoding: 'utf8' });
  assert.match(verified, /校验通过/);
  // Python's unzip honours the zip's UTF-8 name flag, as Windows and Kylin tools do.
  const dest = path.join(tmp, '收到的 文件');
  execFileSync('python3', ['-m', 'zipfile', '-e', zip, dest]);
  const tops = fs.readdirSync(dest);
  assert.deepEqual(tops, ['市数据局机关党建'], 'everything in one top folder');
  site = path.join(dest, tops[0]);
  assert.ok(fs.existsSync(path.join(site, '使用说明.txt')));
  browser = await launch();
});
test.after(async () => {
  if (browser) await browser.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('the unzipped site opens from disk and its search finds pages that open', async () => {
  const home = pathToFileURL(path.join(site, 'index.html')).href;
  const { page, problems } = await openTracked(browser, home);
  assert.match(await page.title(), /市数据局机关党建/);
  assert.ok(await page.$('a[href="xuexi/2026-11/index.html"]'), 'home links the current pack');

  // Search as a reader does: type in the header box and press Enter.
  await page.fill('#zb-site-q', '清廉');
  await Promise.all([page.waitForNavigation(), page.press('#zb-site-q', 'Enter')]);
  assert.ok(page.url().startsWith(pathToFileURL(path.join(site, 'search', 'index.html')).href), page.url());
  await page.waitForSelector('#search-results a.search-hit');
  const count = await page.textContent('#search-count');
  const n = Number((count.match(/找到 (\d+) 个页面/) || [])[1]);
  assert.ok(n >= 3, count);
  const hits = await page.$$eval('a.search-hit', (as) => as.map((a) => a.href));
  assert.ok(hits.length >= 3);
  for (const href of hits) {
    assert.ok(href.startsWith('file://'), href);
    assert.ok(fs.existsSync(decodeURIComponent(new URL(href).pathname)), `hit ${href} is a file of the package`);
  }
  assert.deepEqual(problems, []);

  // Open the first hits: each loads without errors and highlights the term.
  for (const href of hits.slice(0, 4)) {
    await page.goto(href, { waitUntil: 'load' });
    await page.waitForSelector('mark.zb-hl');
    const marked = await page.$$eval('mark.zb-hl', (m) => m.map((x) => x.textContent).join('|'));
    assert.ok(marked.includes('清廉'), `${href}: ${marked}`);
    assert.ok(await page.$('main h1'), href);
  }
  assert.deepEqual(problems, []);
  await page.close();
});

test('a Chinese word found only in a pack article leads to it', async () => {
  const url = pathToFileURL(path.join(site, 'search', 'index.html')).href + '?q=' + encodeURIComponent('摆渡人');
  const { page, problems } = await openTracked(browser, url);
  await page.waitForSelector('#search-results a.search-hit');
  const hits = await page.$$eval('a.search-hit', (as) => as.map((a) => a.getAttribute('href')));
  assert.ok(hits.some((h) => h.includes('xuexi/2026-11/a02-jiedu/index.html')), hits.join(' '));
  await Promise.all([page.waitForNavigation(), page.click('a.search-hit[href*="a02-jiedu"]')]);
  assert.match(await page.textContent('main h1'), /让数据“下沉”/);
  assert.deepEqual(problems, []);
  await page.close();
});

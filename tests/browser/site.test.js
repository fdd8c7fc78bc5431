// The built sample site, as a reader sees it in Chromium: over http under a subpath and
// opened from a folder (file://). Every asset must load, nothing may leave the machine.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { buildSite, serve, launch, openTracked, screenshot } = require('./lib');

// One page of every kind: screenshots of each are saved at desktop and phone widths.
const PAGES = [
  ['home', 'index.html'],
  ['packs', 'xuexi/index.html'],
  ['pack', 'xuexi/2026-11/index.html'],
  ['article', 'xuexi/2026-11/a02-jiedu/index.html'],
  ['pack-attachments', 'xuexi/2026-11/a01-yuanwen/index.html'],
  ['pack-questions', 'xuexi/2026-11/a05-sikaoti/index.html'],
  ['pack-print', 'xuexi/2026-11/print/index.html'],
  ['column', 'qinglian/index.html'],
  ['column-gallery', 'qinglian/shufa-zuopin/index.html'],
  ['column-video', 'qinglian/weishipin-qingfeng/index.html'],
  ['column-exemplar', 'qinglian/qinglian-bangyang/index.html'],
  ['brands', 'pinpai/index.html'],
  ['brands-five-stars', 'pinpai/stars/5/index.html'],
  ['brand', 'pinpai/shulian-xianfeng/index.html'],
  ['news', 'dongtai/index.html'],
  ['tags', 'tags/index.html'],
  ['about', 'about/index.html'],
];

let site, server, browser;
test.before(async () => {
  site = buildSite();
  server = await serve(site, '/intranet/dangjian/');
  browser = await launch();
});
test.after(async () => {
  if (browser) await browser.close();
  if (server) await server.close();
});

/** The theme's stylesheet really applied: the header band is red, the body text dark. */
async function assertStyled(page, where) {
  const header = await page.$eval('header.site-header', (e) => getComputedStyle(e).backgroundColor);
  assert.match(header, /^rgb\((1[5-9]\d|2\d\d), \d{1,2}, \d{1,2}\)$/, `${where}: header not red (${header})`);
  const h1 = await page.$eval('h1, .site-title', (e) => e.textContent.trim());
  assert.ok(/[\u4e00-\u9fff]/.test(h1), `${where}: no Chinese heading`);
}

for (const [origin, base] of [['http', () => server.url], ['file', () => pathToFileURL(site + path.sep).href]]) {
  test(`every sample page loads completely over ${origin}`, async () => {
    for (const [name, rel] of PAGES) {
      const { page, problems } = await openTracked(browser, base() + rel);
      await assertStyled(page, `${origin} ${rel}`);
      const broken = await page.$$eval('img', (imgs) => imgs.filter((i) => !i.complete || i.naturalWidth === 0).map((i) => i.src));
      assert.deepEqual(broken, [], `${origin} ${rel}: images not loaded`);
      assert.deepEqual(problems, [], `${origin} ${rel}`);
      if (origin === 'http') await screenshot(page, `desktop-${name}`);
      await page.close();
    }
  });

  test(`navigation by clicking works over ${origin}`, async () => {
    const { page, problems } = await openTracked(browser, base() + 'index.html');
    await page.click('nav[aria-label="主导航"] >> text=清廉文化');
    await page.waitForLoadState('load');
    assert.ok(page.url().endsWith('qinglian/index.html'), page.url());
    await assertStyled(page, 'after click');
    await page.click('main a[href*="shufa-zuopin"]');
    await page.waitForLoadState('load');
    const img = await page.$eval('main img', (i) => i.naturalWidth);
    assert.ok(img > 0, 'bundle image shown');
    assert.deepEqual(problems, []);
    await page.close();
  });
}

test('phone width: no horizontal scrolling and a readable layout', async () => {
  for (const [name, rel] of PAGES) {
    const { page, problems } = await openTracked(browser, server.url + rel, { width: 360, height: 740 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${rel}: page is ${overflow}px wider than a 360px phone`);
    assert.deepEqual(problems, []);
    await screenshot(page, `phone-${name}`);
    await page.close();
  }
});

test('a Chinese article line holds about 35-40 characters on desktop', async () => {
  const { page } = await openTracked(browser, server.url + 'xuexi/2026-11/a02-jiedu/index.html');
  const perLine = await page.$eval('.article-body p', (p) => {
    const size = parseFloat(getComputedStyle(p).fontSize);
    return p.clientWidth / size;
  });
  assert.ok(perLine >= 30 && perLine <= 42, `about ${perLine.toFixed(1)} characters per line`);
  await page.close();
});

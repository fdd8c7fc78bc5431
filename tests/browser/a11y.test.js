// Accessibility of the built sample site in real Chromium: axe-core must report no serious or
// critical violation on any kind of page, in the normal and the high-contrast look.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { buildSite, serve, launch, openTracked } = require('./lib');

const AXE = require.resolve('axe-core/axe.min.js');
const PAGES = [
  'index.html',
  'xuexi/index.html',
  'xuexi/2026-11/index.html',
  'xuexi/2026-11/a02-jiedu/index.html',
  'xuexi/2026-11/a01-yuanwen/index.html',
  'xuexi/2026-11/a05-sikaoti/index.html',
  'xuexi/2026-11/print/index.html',
  'qinglian/index.html',
  'qinglian/shufa-zuopin/index.html',
  'qinglian/weishipin-qingfeng/index.html',
  'qinglian/qinglian-bangyang/index.html',
  'pinpai/index.html',
  'pinpai/shulian-xianfeng/index.html',
  'pinpai/stars/4/index.html',
  'dongtai/index.html',
  'dongtai/zhiyuan-fuwu-zhulao/index.html',
  'tags/index.html',
];

let site, server, browser;
test.before(async () => {
  site = buildSite();
  server = await serve(site, '/dj/');
  browser = await launch();
});
test.after(async () => {
  if (browser) await browser.close();
  if (server) await server.close();
});

/** Serious and critical axe violations on the open page, as readable lines. */
async function violations(page) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

test('no serious or critical axe violations on any kind of page', async () => {
  for (const rel of PAGES) {
    const { page, problems } = await openTracked(browser, server.url + rel);
    assert.deepEqual(problems, [], rel);
    assert.deepEqual(await violations(page), [], rel);
    await page.close();
  }
});

test('high contrast mode keeps contrast too', async () => {
  for (const rel of ['index.html', 'xuexi/2026-11/a02-jiedu/index.html', 'pinpai/index.html']) {
    const { page } = await openTracked(browser, server.url + rel);
    await page.click('[data-a11y="contrast"]');
    assert.deepEqual(await violations(page), [], `${rel} in high contrast`);
    await page.close();
  }
});

test('landmarks, skip link and language are present', async () => {
  const { page } = await openTracked(browser, server.url + 'xuexi/2026-11/a02-jiedu/index.html');
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
  for (const sel of ['header', 'nav', 'main#main', 'footer', 'a[href="#main"]']) {
    assert.ok(await page.$(sel), `missing ${sel}`);
  }
  const lh = await page.$eval('.article-body p', (p) => parseFloat(getComputedStyle(p).lineHeight) / parseFloat(getComputedStyle(p).fontSize));
  assert.ok(lh >= 1.5, `body line height ${lh}`);
  await page.close();
});

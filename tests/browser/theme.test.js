// The default theme's interactive parts, in real Chromium, on the built sample site:
// the reading-aids toolbar (over http and from file://, by keyboard, remembered), the works
// lightbox, the brand filter with and without scripts, the print views, and the 待审稿 banner.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { buildSite, serve, launch, openTracked, screenshot } = require('./lib');

let site, drafts, server, browser;
test.before(async () => {
  site = buildSite();
  drafts = buildSite(undefined, ['--drafts']);
  server = await serve(site, '/intranet/dangjian/');
  browser = await launch();
});
test.after(async () => {
  if (browser) await browser.close();
  if (server) await server.close();
});

const ARTICLE = 'xuexi/2026-11/a02-jiedu/index.html';

/** Root font size in px, the classes on <html>, and an article paragraph's line height ratio. */
async function look(page) {
  return page.evaluate(() => {
    const p = document.querySelector('.article-body p');
    const cs = p && getComputedStyle(p);
    return {
      rootPx: parseFloat(getComputedStyle(document.documentElement).fontSize),
      classes: document.documentElement.className,
      lineRatio: cs ? parseFloat(cs.lineHeight) / parseFloat(cs.fontSize) : 0,
      bodyBg: getComputedStyle(document.body).backgroundColor,
    };
  });
}

/** Presses a toolbar button with the keyboard: Tab focus, then Enter. */
async function pressButton(page, action) {
  await page.focus(`[data-a11y="${action}"]`);
  await page.keyboard.press('Enter');
}

for (const [origin, base] of [['http', () => server.url], ['file', () => pathToFileURL(site + path.sep).href]]) {
  test(`reading aids work by keyboard and are remembered, over ${origin}`, async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    await page.goto(base() + ARTICLE);
    const before = await look(page);
    assert.equal(before.rootPx, 16);

    await pressButton(page, 'larger');
    await pressButton(page, 'larger');
    await pressButton(page, 'spacing');
    await pressButton(page, 'contrast');
    const after = await look(page);
    assert.ok(after.rootPx > before.rootPx + 2, `text larger: ${before.rootPx} → ${after.rootPx}`);
    assert.ok(after.lineRatio > before.lineRatio, `line spacing: ${before.lineRatio} → ${after.lineRatio}`);
    assert.notEqual(after.bodyBg, before.bodyBg, 'high contrast changes the page colours');
    assert.equal(await page.getAttribute('[data-a11y="contrast"]', 'aria-pressed'), 'true');
    assert.match(await page.textContent('.a11y-status'), /\S/, 'the change is announced');

    // Another page of the site, opened fresh: the settings were remembered.
    await page.goto(base() + 'pinpai/index.html');
    const elsewhere = await look(page);
    assert.equal(elsewhere.rootPx, after.rootPx);
    assert.match(elsewhere.classes, /zb-contrast/);
    assert.match(elsewhere.classes, /zb-spacing/);
    if (origin === 'http') await screenshot(page, 'desktop-brands-high-contrast');

    await pressButton(page, 'reset');
    const reset = await look(page);
    assert.equal(reset.rootPx, 16);
    assert.doesNotMatch(reset.classes, /zb-contrast|zb-spacing|zb-size/);
    await page.reload();
    assert.equal((await look(page)).rootPx, 16, 'reset is remembered too');
    await context.close();
  });
}

test('larger text keeps a phone page free of horizontal scrolling', async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  await page.goto(server.url + 'pinpai/shulian-xianfeng/index.html');
  for (let i = 0; i < 3; i++) await pressButton(page, 'larger');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the phone at the largest text size`);
  await context.close();
});

test('works lightbox: opens by keyboard, arrows move, Esc closes and gives focus back', async () => {
  const { page, problems } = await openTracked(browser, server.url + 'qinglian/shufa-zuopin/index.html');
  const first = 'a[data-lightbox-item] >> nth=0';
  await page.focus(first);
  await page.keyboard.press('Enter');
  const dialog = page.locator('.lightbox[role="dialog"]');
  await dialog.waitFor({ state: 'visible' });
  const src1 = await page.getAttribute('.lightbox-img', 'src');
  const hrefs = await page.$$eval('a[data-lightbox-item]', (as) => as.map((a) => a.href));
  assert.equal(new URL(src1, page.url()).href, hrefs[0]);
  assert.equal(await page.evaluate(() => document.activeElement.closest('.lightbox') !== null), true, 'focus moved into the dialog');
  await screenshot(page, 'desktop-lightbox');

  await page.keyboard.press('ArrowRight');
  assert.equal(new URL(await page.getAttribute('.lightbox-img', 'src'), page.url()).href, hrefs[1]);
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  assert.equal(new URL(await page.getAttribute('.lightbox-img', 'src'), page.url()).href, hrefs[hrefs.length - 1], 'wraps around');

  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  assert.equal(await page.evaluate(() => document.activeElement === document.querySelector('a[data-lightbox-item]')), true, 'focus back on the work');
  assert.deepEqual(problems, []);
  await page.close();
});

/** Star counts of the brand cards a reader can see. */
function visibleStars(page) {
  return page.$$eval('.brand-card', (cards) => cards.filter((c) => c.offsetParent !== null).map((c) => c.dataset.stars));
}

test('brand filter: instant with scripts, pre-rendered pages without', async () => {
  const { page } = await openTracked(browser, server.url + 'pinpai/index.html');
  assert.equal((await visibleStars(page)).length, 3);
  const url = page.url();
  await page.click('a[data-filter="stars"][data-value="5"]');
  assert.deepEqual(await visibleStars(page), ['5']);
  assert.equal(page.url().split('#')[0], url, 'filtered in place, no page load');
  assert.match(await page.textContent('#zb-brand-count'), /共 1 个品牌/);
  await page.click('a[data-filter="all"]');
  assert.equal((await visibleStars(page)).length, 3);
  await page.close();

  const context = await browser.newContext({ javaScriptEnabled: false });
  const plain = await context.newPage();
  await plain.goto(server.url + 'pinpai/index.html');
  await Promise.all([plain.waitForNavigation(), plain.click('a[data-filter="stars"][data-value="5"]')]);
  assert.ok(plain.url().endsWith('pinpai/stars/5/index.html'), plain.url());
  assert.deepEqual(await visibleStars(plain), ['5']);
  await Promise.all([plain.waitForNavigation(), plain.click('a[data-filter="unit"] >> text=市数据局机关')]);
  assert.deepEqual((await visibleStars(plain)).sort(), ['4', '5']);
  await context.close();
});

test('pack print view: A4 after GB/T 9704, one article per sheet', async () => {
  const { page, problems } = await openTracked(browser, server.url + 'xuexi/2026-11/print/index.html');
  assert.deepEqual(problems, []);
  const articles = await page.$$eval('article.print-article', (a) => a.length);
  assert.equal(articles, 5);
  await page.emulateMedia({ media: 'print' });
  const rules = await page.evaluate(() => {
    const out = { pageRules: [], fonts: {} };
    for (const sheet of document.styleSheets) {
      for (const r of sheet.cssRules) {
        if (r.type === CSSRule.PAGE_RULE) out.pageRules.push(r.style.cssText);
        if (r.type === CSSRule.MEDIA_RULE) {
          for (const inner of r.cssRules) if (inner.type === CSSRule.PAGE_RULE) out.pageRules.push(inner.style.cssText);
        }
      }
    }
    const body = document.querySelector('.print-article .print-body > p');
    const title = document.querySelector('.print-article .print-title');
    const second = document.querySelectorAll('article.print-article')[1];
    out.fonts = { body: getComputedStyle(body).fontFamily, title: getComputedStyle(title).fontFamily };
    out.breakBefore = getComputedStyle(second).breakBefore;
    out.fontFaces = [...document.styleSheets].flatMap((s) => [...s.cssRules]).filter((r) => r.type === CSSRule.FONT_FACE_RULE).length;
    return out;
  });
  // The last @page rule wins the cascade: the print view's own, not the site-wide one.
  const last = rules.pageRules[rules.pageRules.length - 1];
  assert.match(last, /size: A4/i);
  assert.match(last, /margin: 37mm 26mm 35mm 28mm/, rules.pageRules.join(' | '));
  assert.match(rules.fonts.body, /FangSong/);
  assert.match(rules.fonts.title, /XiaoBiaoSong|小标宋/);
  assert.equal(rules.breakBefore, 'page');
  assert.equal(rules.fontFaces, 0, 'no embedded fonts');
  const pdf = await page.pdf({ preferCSSPageSize: true });
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
  assert.ok(pages >= articles + 1, `${pages} printed pages for a cover and ${articles} articles`);
  fs.mkdirSync(path.join(__dirname, 'out'), { recursive: true });
  fs.writeFileSync(path.join(__dirname, 'out', 'pack-2026-11.pdf'), pdf);
  await page.close();
});

test('every page prints without the site chrome', async () => {
  for (const rel of [ARTICLE, 'pinpai/shulian-xianfeng/index.html', 'qinglian/index.html']) {
    const { page } = await openTracked(browser, server.url + rel);
    await page.emulateMedia({ media: 'print' });
    const shown = await page.evaluate(() => ['.site-header', '.site-footer', '.a11y-bar', '.site-search']
      .filter((s) => { const e = document.querySelector(s); return e && e.offsetParent !== null; }));
    assert.deepEqual(shown, [], `${rel} prints ${shown.join(', ')}`);
    assert.ok(await page.$eval('main', (m) => m.innerText.trim().length > 100), `${rel} prints its content`);
    await page.close();
  }
});

test('a page awaiting final review shows the 待审稿 banner only in a drafts build', async () => {
  const rel = 'dongtai/siji-dangjian-tuijinhui/index.html';
  assert.ok(!fs.existsSync(path.join(site, rel)), 'left out of the normal build');
  const { page, problems } = await openTracked(browser, pathToFileURL(path.join(drafts, rel)).href);
  const banner = page.locator('.review-banner');
  assert.ok(await banner.isVisible());
  assert.match(await banner.innerText(), /待审稿[\s\S]*终审 待签发/);
  assert.deepEqual(problems, []);
  await screenshot(page, 'desktop-pending-review');
  await page.close();
});

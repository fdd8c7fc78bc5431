// `zhibu serve` as an editor sees it in Chromium: a save reloads the page, a mistake shows the
// Chinese error overlay over the last good page, and fixing it makes the overlay go.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const { zhibuBin, launch, screenshot } = require('./lib');

const BIN = zhibuBin();

function write(root, rel, text) {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), text);
}

/** Starts `zhibu serve` on a free port; resolves to { url, stop }. */
function startServer(root) {
  const child = spawn(BIN, ['serve', '--port', '0', '--root', root], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stderr });
    const timer = setTimeout(() => reject(new Error('zhibu serve did not start')), 30000);
    lines.on('line', (line) => {
      const m = line.match(/预览地址：(http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], stop: () => child.kill() });
      }
    });
    child.on('exit', (code) => reject(new Error(`zhibu serve exited with ${code}`)));
  });
}

test('a save reloads the page; an error shows an overlay until it is fixed', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'zhibu-serve-'));
  write(root, 'zhibu.toml', 'title = "预览"\n');
  write(root, 'content/news/_index.md', '+++\ntitle = "工作动态"\nkind = "news"\n+++\n');
  const article = (body) => `+++\ntitle = "通知"\ndate = 2026-11-01\n+++\n${body}\n`;
  write(root, 'content/news/a.md', article('第一版正文。'));
  const server = await startServer(root);
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    // A generous deadline: the suite shares two cores with Rust builds in CI.
    await page.goto(server.url + 'news/a/', { waitUntil: 'domcontentloaded', timeout: 90000 });
    assert.match(await page.textContent('main'), /第一版正文/);

    write(root, 'content/news/a.md', article('第二版正文。'));
    await page.waitForFunction(() => document.querySelector('main').textContent.includes('第二版正文'), null, { timeout: 20000 });

    write(root, 'content/news/a.md', '+++\ntitle = "通知"\ndate = 2026-13-01\n+++\n坏的。\n');
    const overlay = page.locator('#zhibu-error-overlay');
    await overlay.waitFor({ state: 'visible', timeout: 20000 });
    const text = await overlay.innerText();
    assert.match(text, /构建失败/);
    assert.match(text, /content\/news\/a\.md:3:\d+: 错误/);
    assert.match(await page.textContent('main'), /第二版正文/, 'the last good page stays');
    await screenshot(page, 'desktop-serve-error-overlay');

    write(root, 'content/news/a.md', article('第三版正文。'));
    await page.waitForFunction(() => document.querySelector('main').textContent.includes('第三版正文'), null, { timeout: 20000 });
    assert.equal(await overlay.count(), 0, 'overlay gone once fixed');
  } finally {
    await browser.close();
    server.stop();
    fs.rmSync(root, { recursive: true, force: true, maxRetries: 5 });
  }
});

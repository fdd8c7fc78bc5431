// Shared helpers for the browser tests: build a site with the real binary, serve it on
// loopback under a subpath, and drive Debian's Chromium through playwright-core.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');

const REPO = path.resolve(__dirname, '..', '..');
const OUT = path.join(__dirname, 'out');

/** The zhibu binary test.sh built (ZHIBU_BIN), else the debug build. */
function zhibuBin() {
  return process.env.ZHIBU_BIN || path.join(REPO, 'target', 'debug', 'zhibu');
}

/** Temporary directories of this test file, removed when its process exits. */
const TEMPORARY = [];
process.on('exit', () => {
  for (const dir of TEMPORARY) fs.rmSync(dir, { recursive: true, force: true });
});

/** Builds the site at `root` into a fresh temporary directory and returns its path. */
function buildSite(root = REPO, extra = []) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'zhibu-browser-'));
  TEMPORARY.push(out);
  const dest = path.join(out, 'public');
  execFileSync(zhibuBin(), ['build', '--root', root, '--output', dest, ...extra], {
    env: { ...process.env, ZHIBU_LOG: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return dest;
}

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.jpg': 'image/jpeg', '.xml': 'application/xml',
  '.txt': 'text/plain; charset=utf-8',
};

/** Serves `dir` at http://127.0.0.1:PORT`prefix` (e.g. "/sub/site/"). Resolves to { url, close }. */
function serve(dir, prefix = '/') {
  const server = http.createServer((req, res) => {
    const url = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (!url.startsWith(prefix)) { res.writeHead(404); res.end(); return; }
    let file = path.join(dir, url.slice(prefix.length));
    if (!file.startsWith(dir)) { res.writeHead(403); res.end(); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    fs.readFile(file, (err, body) => {
      if (err) { res.writeHead(404); res.end('not found'); return; }
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' });
      res.end(body);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({ url: `http://127.0.0.1:${port}${prefix}`, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

/** Launches Debian's Chromium headless, with no network chatter of its own. */
function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
  });
}

/**
 * Opens `url` in a new page and records every request that failed or returned an error,
 * and every request that left the site (an intranet page must make none).
 */
async function openTracked(browser, url, viewport = { width: 1366, height: 900 }) {
  const page = await browser.newPage({ viewport });
  const problems = [];
  page.on('requestfailed', (r) => problems.push(`failed: ${r.url()} ${r.failure() && r.failure().errorText}`));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  page.on('pageerror', (e) => problems.push(`script error: ${e.message}`));
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith('file:') && !u.startsWith('http://127.0.0.1') && !u.startsWith('data:')) {
      problems.push(`external request: ${u}`);
    }
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, problems };
}

/** Saves a full-page screenshot under tests/browser/out/screenshots. */
async function screenshot(page, name) {
  const dir = path.join(OUT, 'screenshots');
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

module.exports = { REPO, zhibuBin, buildSite, serve, launch, openTracked, screenshot };

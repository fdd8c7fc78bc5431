// Members read the site in Chromium 90 (UOS, Kylin, 360, Qi-An-Xin). Only a current Chromium can
// be installed here, so this test keeps the theme within what Chromium 90 understands: every
// script must parse as ES2020 classic script, and neither scripts nor styles may use a feature
// that Chromium shipped later (each entry names the version that brought it).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const acorn = require('acorn');
const { REPO, buildSite } = require('./lib');

const THEME = path.join(REPO, 'themes', 'default');

/** Files below `dir` ending in `ext`. */
function filesIn(dir, ext) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return filesIn(p, ext);
    return p.endsWith(ext) ? [p] : [];
  });
}

/** Text without /* … *\/ comments, so that notes about a feature do not count as using it. */
function withoutBlockComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, ' ');
}

const NEWER_JS = [
  [/\.at\(\s*-?\d/, 'Array/String.prototype.at (Chromium 92)'],
  [/\bstructuredClone\s*\(/, 'structuredClone (98)'],
  [/\bObject\.hasOwn\s*\(/, 'Object.hasOwn (93)'],
  [/\.findLast(Index)?\s*\(/, 'findLast (97)'],
  [/\.toSorted\s*\(|\.toReversed\s*\(|\.toSpliced\s*\(|\.with\s*\(\s*\d/, 'change-array-by-copy (110)'],
  [/\bAbortSignal\.timeout\b/, 'AbortSignal.timeout (103)'],
  [/\bimport\s*\(/, 'dynamic import: no modules on file://'],
  [/\bnew\s+Worker\b|\bimportScripts\b/, 'Worker: not allowed from file://'],
  [/\bfetch\s*\(/, 'fetch: fails from file://'],
  [/\bWebAssembly\b/, 'WebAssembly'],
];

const NEWER_CSS = [
  [/:has\(/, ':has() (105)'],
  [/@container\b|container-type\s*:/, 'container queries (105)'],
  [/@layer\b/, 'cascade layers (99)'],
  [/color-mix\(|\b(oklch|oklab|lch|lab|hwb)\(/, 'new colour functions (101–111)'],
  [/accent-color\s*:/, 'accent-color (93)'],
  [/text-wrap\s*:/, 'text-wrap (114)'],
  [/\d(dvh|svh|lvh|dvw|svw|lvw)\b/, 'dynamic viewport units (108)'],
  [/\d(lh|rlh)\b/, 'lh units (109)'],
  [/scrollbar-gutter\s*:/, 'scrollbar-gutter (94)'],
  [/subgrid/, 'subgrid (117)'],
  [/@media[^{]*\((min-|max-)?(width|height)\s*[<>]=?/, 'media query ranges (104)'],
  [/(^|[;{\s])(translate|rotate|scale)\s*:/, 'individual transform properties (104)'],
  [/@starting-style|@scope\b|@property\b.*syntax:\s*"<[a-z-]+>\+/, 'newer at-rules'],
  [/&\s*[.:#\[>+~\w]/, 'CSS nesting (112)'],
];

test('theme scripts parse as ES2020 classic scripts and use no newer APIs', () => {
  const scripts = filesIn(path.join(THEME, 'static'), '.js');
  assert.ok(scripts.length >= 3, 'theme scripts found');
  for (const file of scripts) {
    const text = fs.readFileSync(file, 'utf8');
    const rel = path.relative(REPO, file);
    assert.doesNotThrow(() => acorn.parse(text, { ecmaVersion: 2020, sourceType: 'script' }), `${rel} is not ES2020`);
    const code = withoutBlockComments(text).replace(/^\s*\/\/.*$/gm, '');
    for (const [re, what] of NEWER_JS) {
      assert.doesNotMatch(code, re, `${rel} uses ${what}`);
    }
  }
});

test('inline scripts of built pages parse as ES2020', () => {
  const site = buildSite();
  const pages = ['index.html', 'xuexi/2026-11/print/index.html', 'pinpai/index.html'];
  for (const rel of pages) {
    const html = fs.readFileSync(path.join(site, rel), 'utf8');
    const inline = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
    assert.ok(rel !== 'index.html' || inline.length > 0, 'the head script is inline');
    for (const code of inline) {
      assert.doesNotThrow(() => acorn.parse(code, { ecmaVersion: 2020, sourceType: 'script' }), `${rel}: inline script is not ES2020`);
    }
  }
});

test('theme styles use nothing newer than Chromium 90', () => {
  const sheets = filesIn(path.join(THEME, 'static'), '.css');
  assert.ok(sheets.length >= 2, 'theme stylesheets found');
  for (const file of sheets) {
    const css = withoutBlockComments(fs.readFileSync(file, 'utf8'));
    const rel = path.relative(REPO, file);
    for (const [re, what] of NEWER_CSS) {
      assert.doesNotMatch(css, re, `${rel} uses ${what}`);
    }
    assert.doesNotMatch(css, /@import\s+url\(\s*["']?https?:|url\(\s*["']?https?:/, `${rel} loads something from outside`);
    assert.doesNotMatch(css, /@font-face/, `${rel} embeds a font`);
  }
});

test('the checks above catch what they claim to', () => {
  const js = 'var a = [1]; a.at(-1); x ??= 1;';
  assert.throws(() => acorn.parse(js, { ecmaVersion: 2020, sourceType: 'script' }));
  assert.match('.a:has(.b) {}', NEWER_CSS[0][0]);
  assert.match('.card { & .title { color: red } }', NEWER_CSS[13][0]);
  assert.match('@media (width >= 40rem) {}', NEWER_CSS[10][0]);
  assert.doesNotMatch('@media (min-width: 40rem) {}', NEWER_CSS[10][0]);
  assert.match('x = list.at(-1);', NEWER_JS[0][0]);
});

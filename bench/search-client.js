#!/usr/bin/env node
// Runs the real search client (js/highlight.js + js/search.js) of a built site under node, with
// a fake document whose <script> loader reads files from disk and counts their bytes: what one
// cold search costs a browser (scripts, styles, shards, data for the first 10 hits; not HTML).
//
//   node bench/search-client.js SITE_DIR QUERY...        → one JSON line per query
// Each line: {query, total, bytes, files, ms}. `bytes` counts js/highlight.js, js/search.js,
// css/search.css and every search/ file the query loaded.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

function client(site) {
  const loaded = [];
  const root = 'file://' + path.resolve(site) + '/';
  const head = {
    appendChild(el) {
      const rel = el.src.slice(root.length);
      setImmediate(() => {
        let code;
        try { code = fs.readFileSync(path.join(site, rel), 'utf8'); } catch (e) { el.onerror(e); return; }
        loaded.push([rel, Buffer.byteLength(code)]);
        vm.runInContext(code, ctx, { filename: rel });
        el.onload();
      });
    },
  };
  const document = {
    readyState: 'complete',
    currentScript: null,
    head,
    createElement: () => ({}),
    getElementById: () => null,
    querySelector: () => null,
    addEventListener() {},
  };
  const ctx = vm.createContext({
    document, console, setTimeout, setImmediate, URLSearchParams, Promise, Map, Set,
    location: { search: '', pathname: '/search/index.html' },
  });
  ctx.window = ctx;
  ctx.window.history = { replaceState() {} };
  for (const rel of ['js/highlight.js', 'js/search.js']) {
    const code = fs.readFileSync(path.join(site, rel), 'utf8');
    document.currentScript = { src: root + rel };
    vm.runInContext(code, ctx, { filename: rel });
    loaded.push([rel, Buffer.byteLength(code)]);
  }
  loaded.push(['css/search.css', fs.statSync(path.join(site, 'css/search.css')).size]);
  return { ctx, loaded };
}

/** Runs `query` on a fresh client; resolves to {query, total, bytes, files, ms, hits}. */
async function coldSearch(site, query, options) {
  const { ctx, loaded } = client(site);
  const t0 = process.hrtime.bigint();
  const r = await ctx.zhibu.search(query, options || {});
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return {
    query, total: r.total, bytes: loaded.reduce((a, f) => a + f[1], 0), files: loaded.length, ms: Math.round(ms),
    hits: r.hits,
  };
}

module.exports = { client, coldSearch };

if (require.main === module) {
  const [site, ...queries] = process.argv.slice(2);
  (async () => {
    for (const q of queries) {
      const r = await coldSearch(site, q);
      delete r.hits;
      console.log(JSON.stringify(r));
    }
  })().catch((e) => { console.error(e); process.exit(1); });
}

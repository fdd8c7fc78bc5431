#!/usr/bin/env bash
# Runs every zhibu test on a fresh machine: the Rust tests (unit, integration, snapshots), then
# the browser tests in real headless Chromium. Installs what the browser tests need when it is
# missing: Debian's chromium and a CJK font (apt), playwright-core, axe-core and acorn (npm).
set -euo pipefail
cd "$(dirname "$0")"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

echo "== Rust tests"
cargo build --quiet
cargo test

echo "== Browser test dependencies"
need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
# Without a CJK font, Chinese renders as boxes and layout checks measure the wrong glyphs.
fc-list :lang=zh 2>/dev/null | grep -q . || need_apt+=(fonts-noto-cjk)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing ${need_apt[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
# Every npm dependency of the browser tests (playwright-core, axe-core, acorn) must resolve.
if ! (cd tests/browser && node -e 'for (const d of Object.keys(require("./package.json").dependencies)) require.resolve(d + "/package.json")' 2>/dev/null); then
  (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
fi

echo "== Browser tests (headless Chromium)"
(cd tests/browser && ZHIBU_BIN="$PWD/../../target/debug/zhibu" node --test)

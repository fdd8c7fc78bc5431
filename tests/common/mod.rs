//! Helpers shared by the integration tests: run the real binary on fixture sites.
#![allow(dead_code, unreachable_pub)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture site under tests/fixtures.
pub fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures").join(name)
}

/// Result of one `zhibu` run.
pub struct Run {
    /// Exit status was success.
    pub ok: bool,
    /// The exit code (`None` when killed by a signal).
    pub code: Option<i32>,
    /// Everything printed to stdout.
    pub stdout: String,
    /// Everything printed to stderr.
    pub stderr: String,
}

/// Runs `zhibu` with `args`.
pub fn zhibu(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_zhibu"))
        .args(args)
        .env("ZHIBU_LOG", "warn")
        .output()
        .expect("run zhibu");
    Run {
        ok: out.status.success(),
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `zhibu` with `args`: exit status, stdout and stderr.
pub fn run(args: &[&str]) -> (bool, String, String) {
    let r = zhibu(args);
    (r.ok, r.stdout, r.stderr)
}

/// Builds `root` into `out` with extra arguments; panics with the messages if it fails.
pub fn build(root: &Path, out: &Path, extra: &[&str]) -> Run {
    let run = build_with(root, out, extra);
    assert!(
        run.ok,
        "build of {} failed:\n{}",
        root.display(),
        run.stderr
    );
    run
}

/// Every file below `dir` (relative path → bytes).
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

/// Text of an output file.
pub fn read(out: &Path, rel: &str) -> String {
    std::fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Values of `href="…"` and `src="…"` attributes in an HTML text.
pub fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            // Only real attributes: preceded by whitespace.
            let ok = i > 0 && rest.as_bytes()[i - 1].is_ascii_whitespace();
            rest = &rest[i + attr.len()..];
            let end = rest.find('"').unwrap_or(rest.len());
            if ok {
                out.push(rest[..end].replace("&amp;", "&"));
            }
        }
    }
    out
}

/// A throwaway site made of `(path, text)` files; returns its directory.
pub fn site(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (rel, text) in files {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// Builds a site that must fail; returns what it printed.
pub fn build_fails(root: &Path) -> String {
    let run = zhibu(&["build", "--root", root.to_str().unwrap()]);
    assert!(!run.ok, "build should fail:\n{}", run.stderr);
    run.stderr
}

/// Copies the tree at `from` to `to`, leaving out top-level entries named in `skip`.
pub fn copy_tree(from: &Path, to: &Path, skip: &[&str]) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        if skip.iter().any(|s| rel.starts_with(s)) {
            continue;
        }
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// Runs `zhibu build` of `root` into `out`, whether it succeeds or not.
pub fn build_into(root: &Path, out: &Path) -> Run {
    build_with(root, out, &[])
}

/// `zhibu build --root ROOT --output OUT EXTRA…`, whatever its outcome.
pub fn build_with(root: &Path, out: &Path, extra: &[&str]) -> Run {
    let mut args = vec![
        "build",
        "--root",
        root.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    zhibu(&args)
}

/// Asserts that two output trees (see [`tree`]) hold the same files with the same bytes;
/// otherwise names the stale, missing and different files after `what`.
pub fn assert_same_tree(
    now: &BTreeMap<String, Vec<u8>>,
    expected: &BTreeMap<String, Vec<u8>>,
    what: &str,
) {
    let stale: Vec<&String> = now.keys().filter(|k| !expected.contains_key(*k)).collect();
    let missing: Vec<&String> = expected.keys().filter(|k| !now.contains_key(*k)).collect();
    let differ: Vec<&String> = expected
        .iter()
        .filter(|(k, v)| now.get(*k).is_some_and(|n| n != *v))
        .map(|(k, _)| k)
        .collect();
    assert!(
        stale.is_empty() && missing.is_empty() && differ.is_empty(),
        "{what}: stale {stale:?}, missing {missing:?}, different {differ:?}"
    );
}

//! `zhibu init`: a new site from the skeleton embedded in the binary.
//!
//! An editor with only the `zhibu` program gets a site that builds at once: the configuration,
//! one example of each content kind (every text marked 【示例】 so none is published unnoticed)
//! and the default theme by name only — it is built into the binary, so nothing of it is copied.
//! The example pack is dated this month, so `zhibu new pack` goes on with the next one.

use include_dir::{include_dir, Dir};
use std::path::{Path, PathBuf};

static SKELETON: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/skeleton");

/// Why `zhibu init` wrote nothing (or stopped part way).
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// The directory already holds files and `--force` was not given.
    #[error("目录 {0} 不是空的；如果确实要在这里建站，请加 --force（已有的文件不会被覆盖或删除）")]
    NotEmpty(PathBuf),
    /// Reading the directory or writing a file failed.
    #[error("{context}：{error}")]
    Io {
        /// What was being done.
        context: String,
        /// The I/O error (shown in the message, so not chained as a source too).
        error: std::io::Error,
    },
}

/// What `zhibu init` did, for the message that follows.
#[derive(Debug, Default)]
pub struct InitReport {
    /// Files written, relative to the site directory, `/`-separated.
    pub written: Vec<String>,
    /// Skeleton files that already existed and were left as they were (`--force` only).
    pub kept: Vec<String>,
}

/// Writes the skeleton into `dir` (created when missing).
///
/// A directory with anything in it but hidden entries (such as `.git`) is refused unless
/// `force`; with `force` the skeleton's files are added and any file already there is kept
/// unchanged — `init` never overwrites or deletes an editor's file.
pub fn init(dir: &Path, force: bool) -> Result<InitReport, InitError> {
    if !force && has_visible_entries(dir)? {
        return Err(InitError::NotEmpty(dir.to_path_buf()));
    }
    let now = crate::clock::beijing_now();
    let fill = |text: &str| {
        text.replace("@YEAR@", &now.year.to_string())
            .replace("@MONTH@", &now.month.to_string())
            .replace("@MM@", &format!("{:02}", now.month))
            .replace("@DATE@", &now.date())
    };
    let mut report = InitReport::default();
    for file in skeleton_files(&SKELETON) {
        let rel = fill(&file.path().to_string_lossy().replace('\\', "/"));
        let text = fill(&String::from_utf8_lossy(file.contents()));
        if crate::output::write_new(&dir.join(&rel), text.as_bytes()).map_err(|e| {
            InitError::Io {
                context: format!("无法写入 {}", dir.join(&rel).display()),
                error: e,
            }
        })? {
            report.written.push(rel);
        } else {
            report.kept.push(rel);
        }
    }
    Ok(report)
}

/// Whether `dir` exists and holds any entry not starting with `.`.
fn has_visible_entries(dir: &Path) -> Result<bool, InitError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => {
            return Err(InitError::Io {
                context: format!("无法读取目录 {}", dir.display()),
                error: e,
            })
        }
    };
    Ok(entries
        .filter_map(Result::ok)
        .any(|e| !e.file_name().to_string_lossy().starts_with('.')))
}

fn skeleton_files(dir: &'static Dir<'static>) -> Vec<&'static include_dir::File<'static>> {
    let mut out: Vec<_> = dir.files().collect();
    for d in dir.dirs() {
        out.extend(skeleton_files(d));
    }
    out.sort_by_key(|f| f.path());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skeleton_has_one_of_each_kind() {
        let kinds: Vec<String> = skeleton_files(&SKELETON)
            .iter()
            .filter_map(|f| f.contents_utf8())
            .filter_map(|t| t.lines().find(|l| l.starts_with("kind = ")))
            .map(str::to_string)
            .collect();
        for kind in ["packs", "pack", "column", "brands", "news"] {
            let line = format!("kind = \"{kind}\"");
            assert_eq!(kinds.iter().filter(|k| **k == line).count(), 1, "{kind}");
        }
    }
}

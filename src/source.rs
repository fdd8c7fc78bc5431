//! Walking `content/` and reading files as text.
//!
//! This is the only place that touches the content tree on disk: later stages work on the
//! `SourceFile` list, which is sorted so that every build sees files in the same order.

use crate::diagnostic::Diagnostic;
use std::path::{Path, PathBuf};

/// What a file in `content/` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// `_index.md`: the section of its directory.
    Section,
    /// Any other `.md`; `index.md` makes its directory a page bundle.
    Page,
    /// Anything else: copied beside the page or section that owns its directory.
    Asset,
}

/// One file found under `content/`.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path on disk.
    pub path: PathBuf,
    /// Path relative to `content/`, with `/` separators: the name internal links use.
    pub rel: String,
    /// Section, page or asset.
    pub kind: SourceKind,
}

/// Every file under `content/`, sorted, with problems (unreadable entries, loops) reported.
///
/// Hidden files and editors' temporary files are skipped: publishing `~$报告.docx` or a `.swp`
/// would leak half-saved work.
pub fn walk(content: &Path, shown_root: &Path) -> (Vec<SourceFile>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    let walker = walkdir::WalkDir::new(content)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_ignored(e.file_name().to_string_lossy().as_ref()));
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e.path().unwrap_or(content).to_path_buf();
                let why = if e.loop_ancestor().is_some() {
                    "符号链接形成循环，已跳过".to_string()
                } else {
                    format!(
                        "无法读取：{}",
                        e.io_error().map_or(e.to_string(), |io| io.to_string())
                    )
                };
                problems.push(Diagnostic::file_error(shown(shown_root, &path), why));
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path().to_path_buf();
        let rel = rel_path(content, &path);
        let name = entry.file_name().to_string_lossy();
        let kind = if name == "_index.md" {
            SourceKind::Section
        } else if name.ends_with(".md") {
            SourceKind::Page
        } else {
            SourceKind::Asset
        };
        files.push(SourceFile { path, rel, kind });
    }
    (files, problems)
}

/// Names never published: hidden files and editors' temporary or lock files.
pub fn is_ignored(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with("~$")
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || (name.starts_with('#') && name.ends_with('#'))
}

/// `path` relative to `base`, with `/` separators on every platform.
pub fn rel_path(base: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(base).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn shown(root: &Path, path: &Path) -> PathBuf {
    crate::diagnostic::display_path(root, path)
}

/// Reads a text file: UTF-8 with or without BOM, line endings normalised to `\n`.
///
/// Normalising CRLF here means every later stage (front matter split, Markdown, line numbers)
/// sees one convention, and files saved by Windows editors behave like any other.
pub fn read_text(path: &Path, shown: &Path) -> Result<String, Diagnostic> {
    let bytes = std::fs::read(path)
        .map_err(|e| Diagnostic::file_error(shown, format!("无法读取文件：{e}")))?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let pos = crate::diagnostic::Position::of_offset(
            &String::from_utf8_lossy(&bytes[..e.valid_up_to()]),
            e.valid_up_to(),
        );
        Diagnostic::error(
            shown,
            pos,
            "文件不是 UTF-8 编码（可能是 GBK），请用 UTF-8 重新保存",
        )
    })?;
    Ok(if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text.to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_files_are_ignored() {
        for name in [
            ".DS_Store",
            "~$报告.docx",
            "a.md~",
            ".a.md.swp",
            "#a.md#",
            "x.tmp",
        ] {
            assert!(is_ignored(name), "{name}");
        }
        assert!(!is_ignored("报告.md"));
    }

    #[test]
    fn bom_and_crlf_are_normalised() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.md");
        std::fs::write(&p, b"\xEF\xBB\xBF+++\r\ntitle = \"x\"\r\n+++\r\n").unwrap();
        assert_eq!(
            read_text(&p, Path::new("a.md")).unwrap(),
            "+++\ntitle = \"x\"\n+++\n"
        );
    }

    #[test]
    fn gbk_is_reported_with_its_place() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.md");
        std::fs::write(&p, b"ok\n\xD6\xD0\xCE\xC4").unwrap();
        let d = read_text(&p, Path::new("a.md")).unwrap_err();
        assert_eq!((d.line, d.col), (2, 1));
    }
}

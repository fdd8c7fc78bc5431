//! How `zhibu check` shows its findings: for people, each with its line and the span marked;
//! as JSON for CI and editors.

use crate::diagnostic::{Diagnostic, Severity};
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Display width of a character in a terminal: CJK and full-width forms take two columns.
fn width(c: char) -> usize {
    let u = c as u32;
    let wide = (0x1100..=0x115F).contains(&u)
        || (0x2E80..=0xA4CF).contains(&u)
        || (0xAC00..=0xD7A3).contains(&u)
        || (0xF900..=0xFAFF).contains(&u)
        || (0xFE30..=0xFE4F).contains(&u)
        || (0xFF00..=0xFF60).contains(&u)
        || (0xFFE0..=0xFFE6).contains(&u)
        || (0x20000..=0x3FFFD).contains(&u);
    if wide {
        2
    } else {
        1
    }
}

/// The lines of the files findings point into, each file read once and decoded the way the
/// build reads it (BOM, CRLF, GBK, UTF-16).
struct Sources<'r> {
    root: &'r Path,
    files: std::cell::RefCell<HashMap<PathBuf, Option<Vec<String>>>>,
}

impl<'r> Sources<'r> {
    fn new(root: &'r Path) -> Self {
        Sources {
            root,
            files: Default::default(),
        }
    }

    /// Line `line` (1-based) of `file` (relative to the root), if it can be read.
    fn line(&self, file: &Path, line: usize) -> Option<String> {
        if line == 0 {
            return None;
        }
        let mut files = self.files.borrow_mut();
        let lines = files.entry(file.to_path_buf()).or_insert_with(|| {
            let text = crate::source::read_text(&self.root.join(file), file).ok()?;
            Some(text.text.lines().map(str::to_string).collect())
        });
        lines.as_ref()?.get(line - 1).cloned()
    }
}

/// One finding for people:
/// ```text
/// content/a.md:5:3: 错误[placeholder]: 文中留有占位符“××”
///     5 | 本期由××同志主讲
///       |       ^^^^
/// ```
pub fn human_one(d: &Diagnostic, root: &Path) -> String {
    human_with(d, &Sources::new(root))
}

fn human_with(d: &Diagnostic, sources: &Sources<'_>) -> String {
    let mut out = if d.rule.is_empty() {
        d.to_string()
    } else {
        let label = match d.severity {
            Severity::Error => "错误",
            Severity::Warning => "警告",
        };
        let mut head = d.file.display().to_string();
        if d.line > 0 {
            head += &format!(":{}", d.line);
            if d.col > 0 {
                head += &format!(":{}", d.col);
            }
        }
        format!("{head}: {label}[{}]: {}", d.rule, d.message)
    };
    if let Some(line) = sources.line(&d.file, d.line) {
        let number = d.line.to_string();
        let pad = " ".repeat(number.len());
        out += &format!("\n  {number} | {line}");
        if d.col > 0 {
            let lead: usize = line.chars().take(d.col - 1).map(width).sum();
            let span: usize = line
                .chars()
                .skip(d.col - 1)
                .take(d.len.max(1))
                .map(width)
                .sum();
            out += &format!(
                "\n  {pad} | {}{}",
                " ".repeat(lead),
                "^".repeat(span.max(1))
            );
        }
    }
    out
}

/// Every finding for people, then a summary line.
pub fn human(diags: &[Diagnostic], root: &Path) -> String {
    let sources = Sources::new(root);
    let mut out = String::new();
    for d in diags {
        out += &human_with(d, &sources);
        out.push('\n');
    }
    let (errors, warnings) = counts(diags);
    out += &format!("检查完成：{errors} 个错误，{warnings} 个警告\n");
    out
}

fn counts(diags: &[Diagnostic]) -> (usize, usize) {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    (errors, diags.len() - errors)
}

/// A finding as JSON data.
#[derive(Serialize)]
struct JsonFinding<'a> {
    file: String,
    line: usize,
    column: usize,
    length: usize,
    severity: Severity,
    rule: &'a str,
    message: &'a str,
    source: Option<String>,
}

/// The findings as JSON: `{ "errors": n, "warnings": n, "findings": [...] }`.
pub fn json(diags: &[Diagnostic], root: &Path) -> String {
    let sources = Sources::new(root);
    let (errors, warnings) = counts(diags);
    let findings: Vec<JsonFinding> = diags
        .iter()
        .map(|d| JsonFinding {
            file: d.file.to_string_lossy().replace('\\', "/"),
            line: d.line,
            column: d.col,
            length: d.len,
            severity: d.severity,
            rule: &d.rule,
            message: &d.message,
            source: sources.line(&d.file, d.line),
        })
        .collect();
    let value = serde_json::json!({ "errors": errors, "warnings": warnings, "findings": findings });
    serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Position;

    #[test]
    fn marks_the_span_under_chinese_text() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.md"), "第一行\n本期由××同志主讲\n").unwrap();
        let d = Diagnostic::error("a.md", Position { line: 2, col: 4 }, "占位符")
            .with_rule("placeholder")
            .with_len(2);
        assert_eq!(
            human_one(&d, dir.path()),
            "a.md:2:4: 错误[placeholder]: 占位符\n  2 | 本期由××同志主讲\n    |       ^^"
        );
    }
}

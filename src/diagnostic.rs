//! Located problems found while reading a site.
//!
//! Every stage collects `Diagnostic`s instead of stopping at the first one, so an editor sees all
//! the mistakes in their content after one build, each with file, line and column.

use std::fmt;
use std::path::{Path, PathBuf};

/// How bad a finding is. Errors stop the build; warnings are reported and the build goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Reported, but the site is still published.
    Warning,
    /// The site is not published.
    Error,
}

/// One problem at one place in one file. Messages are in Chinese: editors read them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    /// The file, relative to the site root where possible.
    pub file: PathBuf,
    /// 1-based line; 0 when the problem concerns the whole file.
    pub line: usize,
    /// 1-based column in characters; 0 when unknown.
    pub col: usize,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong and, where we can tell, how to fix it.
    pub message: String,
    /// The publishing check that found it (`placeholder`, `id-number`, …; see `zhibu check`),
    /// empty for problems every build reports. Severities can be changed per rule in
    /// `zhibu.toml`.
    pub rule: String,
    /// How many characters from `col` the problem spans (0 when unknown), so the report can
    /// mark them under the line.
    pub len: usize,
}

impl Diagnostic {
    /// An error at a known place.
    pub fn error(file: impl Into<PathBuf>, pos: Position, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.into(),
            line: pos.line,
            col: pos.col,
            severity: Severity::Error,
            message: message.into(),
            rule: String::new(),
            len: 0,
        }
    }

    /// The same finding, attributed to publishing check `rule`.
    pub fn with_rule(mut self, rule: &str) -> Self {
        self.rule = rule.to_string();
        self
    }

    /// The same finding, spanning `len` characters from its column.
    pub fn with_len(mut self, len: usize) -> Self {
        self.len = len;
        self
    }

    /// A warning at a known place.
    pub fn warning(file: impl Into<PathBuf>, pos: Position, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(file, pos, message)
        }
    }

    /// An error about a whole file (no line known).
    pub fn file_error(file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic::error(file, Position::default(), message)
    }

    /// Whether this finding stops the build.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "错误",
            Severity::Warning => "警告",
        };
        write!(f, "{}", self.file.display())?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if self.col > 0 {
                write!(f, ":{}", self.col)?;
            }
        }
        write!(f, ": {label}: {}", self.message)
    }
}

/// A 1-based line and column (in characters) inside a text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters so that Chinese text lines up with editors.
    pub col: usize,
}

impl Position {
    /// The line and column of byte `offset` in `text`.
    ///
    /// Offsets past the end or inside a character are clamped, so a bad span from a parser
    /// can never panic here.
    pub fn of_offset(text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before[line_start..].chars().count() + 1;
        Position { line, col }
    }

    /// This position moved down by `lines` lines (for text that starts later in its file).
    pub fn shifted(self, lines: usize) -> Position {
        Position {
            line: self.line + lines,
            col: self.col,
        }
    }
}

/// A list of findings, with the helpers every stage needs.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// Adds one finding.
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    /// Adds all findings of another list.
    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(other);
    }

    /// Whether any finding stops the build.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    /// Sorted by file and place so that reports are stable from run to run.
    pub fn sorted(mut self) -> Vec<Diagnostic> {
        self.0.sort_by(|a, b| {
            (&a.file, a.line, a.col, &a.message).cmp(&(&b.file, b.line, b.col, &b.message))
        });
        self.0.dedup();
        self.0
    }
}

/// `path` relative to `root` when it lies below it, for shorter messages.
pub fn display_path(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_counts_characters_not_bytes() {
        let text = "第一行\n中文abc";
        let offset = text.find('a').unwrap();
        assert_eq!(
            Position::of_offset(text, offset),
            Position { line: 2, col: 3 }
        );
    }

    #[test]
    fn position_clamps_bad_offsets() {
        assert_eq!(Position::of_offset("中", 1), Position { line: 1, col: 1 });
        assert_eq!(Position::of_offset("ab", 99), Position { line: 1, col: 3 });
    }
}

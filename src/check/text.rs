//! Text rules over one content file: placeholders, personal data, wording and spacing.
//!
//! The rules read the Markdown source, so every finding points at its exact place in the file
//! (1-based line, column and length in characters). Before the rules run, one pass over the file
//! blanks out what readers do not see as text, keeping every byte offset:
//!
//! - front matter keys, delimiters, comments and non-string values (the string values — `title`,
//!   `description`, … — are text readers see, so they are checked);
//! - fenced code blocks (```` ``` ```` or `~~~`, also inside block quotes and lists; an
//!   unterminated fence runs to the end of the file, as in CommonMark) and inline code spans;
//! - link and image destinations `](…)`, link reference definitions `[a]: url`, HTML tags and
//!   autolinks `<…>`, and bare URLs (`http://`, `https://`, `ftp://`, `www.`).
//!
//! Indented (four-space) code blocks are not recognised: in these sites indentation is far more
//! often a list continuation than code. HTML comments are checked: they are published in the
//! page source.
//!
//! Entry points: [`TextUnit::new`] makes the masking pass, once for both of: [`check_text`],
//! every rule except `spacing` (what `zhibu build` needs on every page: one regex pass for
//! placeholders, one pass over digits, and the precompiled wording rules); [`check_spacing`],
//! only `spacing`, which uses the `autocorrect` crate and is much slower (`zhibu check` runs
//! both).

use crate::check::personal;
use crate::check::wording::Rules;
use crate::diagnostic::{Diagnostic, Position, Severity};
use regex::Regex;
use std::collections::HashSet;
use std::ops::Range;
use std::sync::LazyLock;

/// Rule id: leftover placeholders (××, XX, ＸＸ, 【待补】, TODO, `**区`).
pub const PLACEHOLDER: &str = "placeholder";
/// Rule id: the example text `zhibu init` writes, left in a page (`【示例】`).
pub const EXAMPLE_TEXT: &str = "example-text";
/// Rule id: spacing and punctuation between Chinese and Latin text (autocorrect).
pub const SPACING: &str = "spacing";

/// One content file's text to check: the whole file as read (UTF-8, `\n` line ends, BOM
/// removed), its name for messages, and its blanked copy, made once for all rules.
pub struct TextUnit<'a> {
    /// The file, as it should appear in messages (relative to the site root).
    file: &'a std::path::Path,
    /// The whole file as read, front matter included.
    text: &'a str,
    /// `text` with what readers do not see blanked.
    prose: Prose,
}

impl<'a> TextUnit<'a> {
    /// The file `text`, named `file` in messages; blanks it (one pass) for the rules.
    pub fn new(file: &'a std::path::Path, text: &'a str) -> Self {
        TextUnit {
            file,
            text,
            prose: Prose::new(text),
        }
    }
}

/// Runs every text rule except `spacing` over `unit`: `placeholder`, `id-number`, `mobile`,
/// `bank-card` and `wording`. Findings carry `rule`, position (1-based line, column in chars)
/// and `len` in chars, with each rule's default severity, sorted by position.
///
/// Linear in the size of the file (one regex pass for placeholders, one pass over digits, the
/// precompiled wording rules, over the unit's masked text), so `zhibu build` can run it on every
/// page.
/// `spacing` is separate, in [`check_spacing`], because it is much slower and only warns.
pub fn check_text(unit: &TextUnit<'_>, rules: &Rules) -> Vec<Diagnostic> {
    let prose = &unit.prose;
    let mut found = placeholders(unit.text, &prose.masked);
    found.extend(personal::scan(&prose.masked));
    found.extend(rules.find(&prose.masked));
    found.extend(example_text(&prose.masked));
    if found.is_empty() {
        // Most pages: no line table needed.
        return Vec::new();
    }
    let index = LineIndex::new(unit.text);
    let mut out: Vec<Diagnostic> = found
        .into_iter()
        .map(|f| {
            // A wording pattern may match blanks that stood for part of a character: widen to
            // whole ones (a no-op for the other rules, which match whole characters).
            let (start, end) = whole_chars(unit.text, f.start, f.end);
            let pos = index.position(unit.text, start);
            Diagnostic {
                severity: f.severity,
                ..Diagnostic::error(unit.file, pos, f.message)
            }
            .with_rule(f.rule)
            .with_len(unit.text[start..end].chars().count())
        })
        .collect();
    sort(&mut out);
    out
}

/// One finding of a text rule, before it is located: which rule, the byte range in the file
/// (the same in the blanked copy), the rule's default severity and the Chinese message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    /// Rule id (`placeholder`, `id-number`, `wording`, …).
    pub(crate) rule: &'static str,
    /// Start byte.
    pub(crate) start: usize,
    /// End byte (exclusive).
    pub(crate) end: usize,
    /// The rule's own severity, before the site's `[check] severity`.
    pub(crate) severity: Severity,
    /// Chinese message.
    pub(crate) message: String,
}

/// `start..end` widened to the characters of `text` it touches.
fn whole_chars(text: &str, mut start: usize, mut end: usize) -> (usize, usize) {
    end = end.min(text.len());
    start = start.min(end);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    while !text.is_char_boundary(end) {
        end += 1;
    }
    (start, end)
}

fn sort(out: &mut [Diagnostic]) {
    out.sort_by(|a, b| (a.line, a.col, &a.rule).cmp(&(b.line, b.col, &b.rule)));
}

/// Byte offsets of line starts, to turn offsets into positions without rescanning the file.
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// The line starts of `text`.
    pub(crate) fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { starts }
    }

    /// Line and column (in characters) of byte `offset` in `text`.
    pub(crate) fn position(&self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        Position {
            line,
            col: text[start..offset].chars().count() + 1,
        }
    }

    /// The text of 1-based line `line`, without its `\n`.
    fn line<'t>(&self, text: &'t str, line: usize) -> Option<&'t str> {
        let start = *self.starts.get(line.checked_sub(1)?)?;
        let end = self
            .starts
            .get(line)
            .map_or(text.len(), |&next| next.saturating_sub(1));
        text.get(start..end.max(start))
    }
}

/// The file with everything that is not reader-visible text blanked to ASCII spaces (newlines
/// kept), so byte offsets in `masked` are byte offsets in the file.
pub(crate) struct Prose {
    /// The blanked copy.
    pub(crate) masked: String,
    /// Front matter and fenced code blocks (whole lines), which `spacing` skips entirely.
    blocks: Vec<Range<usize>>,
}

/// Marks the bytes in `r` to be blanked: each but a newline becomes a space (see [`blanked`]).
fn blank(cut: &mut Vec<Range<usize>>, r: Range<usize>) {
    cut.push(r);
}

/// `text` with the ranges in `cut` blanked. The copy is put together from slices of `text`
/// rather than by overwriting bytes, so it needs no second UTF-8 validation (a tenth of the
/// checks' time). The ranges start and end at ASCII bytes or line ends; one that would split
/// a character is widened to the whole character.
fn blanked(text: &str, mut cut: Vec<Range<usize>>) -> String {
    cut.sort_unstable_by_key(|r| r.start);
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for r in cut {
        let (start, end) = whole_chars(text, r.start.max(last), r.end);
        if start >= end {
            continue;
        }
        out.push_str(&text[last..start]);
        out.extend(
            text.as_bytes()[start..end]
                .iter()
                .map(|&b| if b == b'\n' { '\n' } else { ' ' }),
        );
        last = end;
    }
    out.push_str(&text[last..]);
    out
}

/// A run of backticks that may open or close an inline code span.
struct Ticks {
    start: usize,
    len: usize,
}

impl Prose {
    /// One pass over `text`.
    pub(crate) fn new(text: &str) -> Prose {
        let mut cut = Vec::new();
        let mut blocks = Vec::new();
        let body_start = front_matter(text, &mut cut, &mut blocks);

        let mut fence: Option<(u8, usize, usize)> = None; // (char, length, start offset)
        let mut ticks: Vec<Ticks> = Vec::new();
        let mut pos = body_start;
        for line in text[body_start..].split_inclusive('\n') {
            let start = pos;
            pos += line.len();
            let content = line.trim_end_matches('\n');
            let inner = content.trim_start_matches([' ', '\t', '>']);
            if let Some((ch, n, fstart)) = fence {
                let run = inner.bytes().take_while(|&b| b == ch).count();
                if run >= n && inner[run..].trim().is_empty() {
                    fence = None;
                    blank(&mut cut, fstart..pos);
                    blocks.push(fstart..pos);
                }
                continue;
            }
            let ch = inner.bytes().next().unwrap_or(0);
            if ch == b'`' || ch == b'~' {
                let run = inner.bytes().take_while(|&b| b == ch).count();
                if run >= 3 && !(ch == b'`' && inner[run..].contains('`')) {
                    pair_ticks(&mut cut, &mut ticks);
                    fence = Some((ch, run, start));
                    continue;
                }
            }
            if content.trim().is_empty() {
                pair_ticks(&mut cut, &mut ticks);
                continue;
            }
            inline_masks(content, start, &mut cut, &mut ticks);
        }
        if let Some((_, _, fstart)) = fence {
            blank(&mut cut, fstart..text.len());
            blocks.push(fstart..text.len());
        }
        pair_ticks(&mut cut, &mut ticks);
        Prose {
            masked: blanked(text, cut),
            blocks,
        }
    }
}

/// Blanks the front matter except its string values; returns where the body starts.
fn front_matter(text: &str, cut: &mut Vec<Range<usize>>, blocks: &mut Vec<Range<usize>>) -> usize {
    use crate::frontmatter::Format;
    let Ok(split) = crate::frontmatter::split(text, std::path::Path::new("")) else {
        return 0;
    };
    let Some((format, front)) = split.front else {
        return 0;
    };
    let front_start = front.as_ptr() as usize - text.as_ptr() as usize;
    let body_start = text.len() - split.body.len();
    blocks.push(0..body_start);
    blank(cut, 0..front_start);
    blank(cut, front_start + front.len()..body_start);
    match format {
        Format::Toml => toml_strings(front, front_start, cut),
        Format::Yaml => yaml_values(front, front_start, cut),
    }
    body_start
}

/// TOML front matter: keeps the inside of string literals, blanks everything else.
fn toml_strings(front: &str, base: usize, cut: &mut Vec<Range<usize>>) {
    let b = front.as_bytes();
    let mut i = 0;
    let mut keep_from: Option<usize> = None; // inside a string: where its text starts
    let mut quote: &[u8] = b"";
    let mut last = 0; // start of the not-yet-handled stretch outside strings
    while i < b.len() {
        match keep_from {
            Some(_) => {
                if quote.len() == 1 && quote[0] == b'"' && b[i] == b'\\' {
                    i += 2;
                    continue;
                }
                if b[i..].starts_with(quote) {
                    keep_from = None;
                    last = i;
                    i += quote.len();
                    continue;
                }
                if quote.len() == 1 && b[i] == b'\n' {
                    // Unterminated single-line string: stop keeping at the line end.
                    keep_from = None;
                    last = i;
                }
                i += 1;
            }
            None => {
                let q: &'static [u8] = if b[i..].starts_with(b"\"\"\"") {
                    b"\"\"\""
                } else if b[i..].starts_with(b"'''") {
                    b"'''"
                } else if b[i] == b'"' {
                    b"\""
                } else if b[i] == b'\'' {
                    b"'"
                } else if b[i] == b'#' {
                    let end = front[i..].find('\n').map_or(b.len(), |n| i + n);
                    i = end;
                    continue;
                } else {
                    i += 1;
                    continue;
                };
                blank(cut, base + last..base + i + q.len());
                i += q.len();
                keep_from = Some(i);
                quote = q;
            }
        }
    }
    if keep_from.is_none() {
        blank(cut, base + last.min(b.len())..base + b.len());
    }
}

/// YAML front matter: blanks comments and `key:` prefixes; values are kept.
fn yaml_values(front: &str, base: usize, cut: &mut Vec<Range<usize>>) {
    let mut pos = 0;
    for line in front.split_inclusive('\n') {
        let start = pos;
        pos += line.len();
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') {
            blank(cut, base + start..base + pos);
            continue;
        }
        let lead = line.len() - trimmed.len();
        let item = trimmed.trim_start_matches(['-', ' ']);
        let item_at = lead + (trimmed.len() - item.len());
        // `key:` followed by a space or the line end.
        let key_end = item.find(": ").or_else(|| {
            item.trim_end()
                .ends_with(':')
                .then(|| item.trim_end().len() - 1)
        });
        if let Some(k) = key_end {
            let key = &item[..k];
            if !key.is_empty() && !key.contains(['"', '\'', '#']) {
                blank(cut, base + start..base + start + item_at + k + 1);
            }
        }
    }
}

/// Blanks link destinations, reference definitions, HTML tags and URLs in one line, and
/// collects its backtick runs for [`pair_ticks`].
fn inline_masks(line: &str, base: usize, cut: &mut Vec<Range<usize>>, ticks: &mut Vec<Ticks>) {
    let b = line.as_bytes();
    // Link reference definition `[label]: url "title"` (not a footnote `[^1]: text`).
    let t = line.trim_start_matches(' ');
    if line.len() - t.len() <= 3 && t.starts_with('[') && !t.starts_with("[^") {
        if let Some(close) = t.find("]:") {
            let from = line.len() - t.len() + close + 2;
            blank(cut, base + from..base + line.len());
        }
    }
    let mut i = 0;
    while i < b.len() {
        // Most bytes (all of Chinese text) start nothing: skip them with one table look-up.
        if !STARTS[b[i] as usize] {
            i += 1;
            continue;
        }
        match b[i] {
            b'\\' => {
                i += if b.get(i + 1).is_some_and(|c| c.is_ascii_punctuation()) {
                    2
                } else {
                    1
                };
            }
            b'`' => {
                let n = b[i..].iter().take_while(|&&c| c == b'`').count();
                ticks.push(Ticks {
                    start: base + i,
                    len: n,
                });
                i += n;
            }
            b']' if b.get(i + 1) == Some(&b'(') => {
                let mut depth = 0usize;
                let mut end = None;
                for (k, &c) in b.iter().enumerate().skip(i + 1) {
                    match c {
                        b'(' => depth += 1,
                        b')' => {
                            depth -= 1;
                            if depth == 0 {
                                end = Some(k + 1);
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                match end {
                    Some(e) => {
                        blank(cut, base + i + 1..base + e);
                        i = e;
                    }
                    None => i += 1,
                }
            }
            b'<' if b[i + 1..].starts_with(b"!--") => i += 4,
            b'<' if b
                .get(i + 1)
                .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, b'/' | b'!' | b'?')) =>
            {
                match line[i..].find('>') {
                    Some(k) => {
                        blank(cut, base + i..base + i + k + 1);
                        i += k + 1;
                    }
                    None => i += 1,
                }
            }
            _ if (i == 0 || !b[i - 1].is_ascii_alphanumeric()) && url_start(&b[i..]) => {
                let n = b[i..]
                    .iter()
                    .take_while(|&&c| {
                        c.is_ascii()
                            && !c.is_ascii_whitespace()
                            && !matches!(c, b'<' | b'>' | b'"' | b'\'' | b'`' | b')' | b']')
                    })
                    .count();
                blank(cut, base + i..base + i + n);
                i += n;
            }
            _ => i += 1,
        }
    }
}

/// Bytes that may start something [`inline_masks`] blanks or records.
static STARTS: [bool; 256] = {
    let mut t = [false; 256];
    let interesting = b"\\`]<hHfFwW";
    let mut k = 0;
    while k < interesting.len() {
        t[interesting[k] as usize] = true;
        k += 1;
    }
    t
};

/// Whether a bare URL starts here.
fn url_start(b: &[u8]) -> bool {
    ["http://", "https://", "ftp://", "www."]
        .iter()
        .any(|p| b.len() > p.len() && b[..p.len()].eq_ignore_ascii_case(p.as_bytes()))
}

/// Pairs the backtick runs of one paragraph into code spans (an opener closes at the next run of
/// the same length) and blanks them; unpaired runs stay literal. Linear in the number of runs.
fn pair_ticks(cut: &mut Vec<Range<usize>>, ticks: &mut Vec<Ticks>) {
    let n = ticks.len();
    let mut next_same = vec![usize::MAX; n];
    let mut last_of_len = std::collections::HashMap::new();
    for i in (0..n).rev() {
        if let Some(&j) = last_of_len.get(&ticks[i].len) {
            next_same[i] = j;
        }
        last_of_len.insert(ticks[i].len, i);
    }
    let mut i = 0;
    while i < n {
        let j = next_same[i];
        if j == usize::MAX {
            i += 1;
        } else {
            blank(cut, ticks[i].start..ticks[j].start + ticks[j].len);
            i = j + 1;
        }
    }
    ticks.clear();
}

/// Han characters (CJK unified ideographs and extensions, compatibility ideographs, 〇).
pub(crate) fn is_han(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{20000}'..='\u{3134F}'
        | '\u{F900}'..='\u{FAFF}'
        | '〇')
}

/// Candidates for placeholders; each is confirmed by [`placeholders`].
static PLACEHOLDER_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"×{2,}|Ｘ{2,}|X{2,}|TODO|【待[^】\n]{0,8}】|(?:\\\*|\*)+")
        .expect("placeholder pattern compiles")
});

/// The `example-text` rule: `【示例】`, the mark on every text of a new site's examples
/// (`zhibu init`), still in a page. A warning: the examples build, but should not be published.
fn example_text(masked: &str) -> Vec<Found> {
    const MARK: &str = "【示例】";
    masked
        .match_indices(MARK)
        .map(|(start, _)| Found {
            rule: EXAMPLE_TEXT,
            start,
            end: start + MARK.len(),
            severity: Severity::Warning,
            message: "这是新建站点时生成的示例文字（【示例】）：请换成本单位的内容，或删除这一篇"
                .into(),
        })
        .collect()
}

/// The `placeholder` rule over the blanked text.
///
/// - `××`, `ＸＸ` (two or more);
/// - `XX`, `XXX`… (Latin capitals, two or more) standing alone: not touching another ASCII
///   letter or digit, so `XXL` or `XX2` are not placeholders; lower-case `xx` is not checked;
/// - `TODO` as a word (`TODOS` is not);
/// - `【待…】`: 【待补】, 【待定】, 【待补充】, 【待核实】… (up to 8 characters after 待);
/// - asterisks used as a mask: two or more `*` touching a Han character (`**区`, `张**`), or a
///   single `*` between two Han characters (`王*明`), where the asterisks are literal text after
///   Markdown parsing. `**加粗**` is emphasis and does not fire; `\*\*区` is a literal mask and
///   does; `*注：` (a note marker) does not.
fn placeholders(text: &str, masked: &str) -> Vec<Found> {
    let mut out = Vec::new();
    let mut literal = LiteralStars::default();
    for m in PLACEHOLDER_RE.find_iter(masked) {
        let s = m.as_str();
        let before = masked[..m.start()].chars().next_back();
        let after = masked[m.end()..].chars().next();
        let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        let message = if s.starts_with('X') || s == "TODO" {
            if word(before) || word(after) {
                continue;
            }
            let advice = if s == "TODO" {
                "请完成待办事项并删除这个标记"
            } else {
                "请换成实际内容"
            };
            format!("发现占位符“{s}”：{advice}")
        } else if s.starts_with('*') || s.starts_with('\\') {
            let stars = s.matches('*').count();
            let han_before = before.is_some_and(is_han);
            let han_after = after.is_some_and(is_han);
            let candidate = if stars >= 2 {
                han_before || han_after
            } else {
                han_before && han_after
            };
            if !candidate || !literal.any_literal(text, m.range()) {
                continue;
            }
            let mut snippet = String::new();
            snippet.extend(before.filter(|&c| is_han(c)));
            snippet.push_str(s);
            snippet.extend(after.filter(|&c| is_han(c)));
            format!(
                "发现用星号遮盖的占位内容“{snippet}”：请换成实际内容（要加粗请把文字放在成对的 ** 中间）"
            )
        } else {
            format!("发现占位符“{s}”：请补上实际内容后再发布")
        };
        out.push(Found {
            rule: PLACEHOLDER,
            start: m.start(),
            end: m.end(),
            severity: Severity::Error,
            message,
        });
    }
    out
}

/// Which asterisks of a paragraph stay literal text after Markdown parsing; one paragraph is
/// parsed at a time, only when it has a candidate, and kept for the next candidate.
#[derive(Default)]
struct LiteralStars {
    paragraph: Range<usize>,
    literal: HashSet<usize>,
}

impl LiteralStars {
    /// Whether any `*` in `range` of `text` is literal text (not emphasis).
    fn any_literal(&mut self, text: &str, range: Range<usize>) -> bool {
        if !(self.paragraph.start <= range.start && range.end <= self.paragraph.end)
            || self.paragraph.is_empty()
        {
            self.parse(text, range.start);
        }
        range
            .clone()
            .any(|i| text.as_bytes()[i] == b'*' && self.literal.contains(&i))
    }

    /// Parses the paragraph (text between blank lines) around byte `at`.
    fn parse(&mut self, text: &str, at: usize) {
        use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
        let blank_line = |l: &str| l.trim().is_empty();
        // Paragraph start: after the last blank line before `at`.
        let mut start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        while start > 0 {
            let prev = text[..start - 1].rfind('\n').map_or(0, |i| i + 1);
            if blank_line(&text[prev..start - 1]) {
                break;
            }
            start = prev;
        }
        let mut end = text[at..].find('\n').map_or(text.len(), |i| at + i);
        while end < text.len() {
            let next = text[end + 1..]
                .find('\n')
                .map_or(text.len(), |i| end + 1 + i);
            if blank_line(&text[end + 1..next]) {
                break;
            }
            end = next;
        }
        // Leading indentation removed from each line, so that a list continuation is not read
        // as an indented code block; `map` turns chunk offsets back into file offsets.
        let mut chunk = String::with_capacity(end - start);
        let mut map: Vec<(usize, usize)> = Vec::new();
        let mut pos = start;
        for line in text[start..end].split_inclusive('\n') {
            let trimmed = line.trim_start_matches([' ', '\t']);
            let skip = line.len() - trimmed.len();
            map.push((chunk.len(), pos + skip));
            chunk.push_str(trimmed);
            pos += line.len();
        }
        self.literal.clear();
        let options = Options::ENABLE_TABLES
            | Options::ENABLE_FOOTNOTES
            | Options::ENABLE_STRIKETHROUGH
            | Options::ENABLE_TASKLISTS;
        let mut in_code = false;
        for (event, r) in Parser::new_ext(&chunk, options).into_offset_iter() {
            match event {
                Event::Start(Tag::CodeBlock(_)) => in_code = true,
                Event::End(TagEnd::CodeBlock) => in_code = false,
                Event::Text(_) if !in_code => {
                    for (k, &c) in chunk.as_bytes()[r.clone()].iter().enumerate() {
                        if c == b'*' {
                            let off = r.start + k;
                            let line = map.partition_point(|&(c0, _)| c0 <= off) - 1;
                            let (c0, f0) = map[line];
                            self.literal.insert(f0 + (off - c0));
                        }
                    }
                }
                _ => {}
            }
        }
        self.paragraph = start..end.max(start + 1).min(text.len().max(start + 1));
    }
}

/// The `spacing` rule: spacing and punctuation between Chinese and Latin text, from the
/// `autocorrect` crate's Markdown linter (which skips inline code, link destinations and
/// HTML tags itself; front matter and fenced code blocks are removed before it runs).
///
/// One warning per line that would change, at the first character that differs, spanning to
/// the last, with the whole corrected line as the suggestion. One departure from autocorrect:
/// a space it would add between a number and a Han character (`2026年11月5日`, `100个`) is not
/// asked for, because official Chinese writing puts none there; Latin words still get their
/// spaces (`使用Rust语言` → `使用 Rust 语言`, `5G网络` → `5G 网络`). Editors can switch
/// autocorrect off for a passage with `<!-- autocorrect-disable -->` …
/// `<!-- autocorrect-enable -->`.
pub fn check_spacing(unit: &TextUnit<'_>) -> Vec<Diagnostic> {
    static INIT: std::sync::Once = std::sync::Once::new();
    INIT.call_once(|| {
        // Code blocks are not prose; the default configuration would lint them.
        let _ = autocorrect::config::load("context:\n  codeblock: 0\n");
    });
    let (text, prose) = (unit.text, &unit.prose);
    // Removed blocks keep their newlines, so line numbers stay those of the file.
    let mut input = String::with_capacity(text.len());
    let mut last = 0;
    for r in &prose.blocks {
        if r.start < last {
            continue;
        }
        input.push_str(&text[last..r.start]);
        input.extend(
            text[r.clone()]
                .bytes()
                .filter(|&b| b == b'\n')
                .map(|_| '\n'),
        );
        last = r.end;
    }
    input.push_str(&text[last..]);
    if !input.chars().any(is_han) {
        return Vec::new();
    }
    let lint = autocorrect::lint_for(&input, "markdown");
    let index = LineIndex::new(text);
    let mut by_line: std::collections::BTreeMap<usize, Vec<(usize, String, String)>> =
        Default::default();
    for l in lint.lines {
        by_line
            .entry(l.line)
            .or_default()
            .push((l.col, l.old, l.new));
    }
    let mut out = Vec::new();
    for (line_no, parts) in by_line {
        let (Some(line), Some(masked)) = (
            index.line(text, line_no),
            index.line(&prose.masked, line_no),
        ) else {
            continue;
        };
        if let Some(d) = spacing_line(unit.file, line_no, line, masked, &parts) {
            out.push(d);
        }
    }
    out
}

/// One line's autocorrect changes as a finding, or `None` when nothing is left to report.
fn spacing_line(
    file: &std::path::Path,
    line_no: usize,
    line: &str,
    masked: &str,
    parts: &[(usize, String, String)],
) -> Option<Diagnostic> {
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    for (col, old, new) in parts {
        if old.is_empty() {
            continue;
        }
        let from = line
            .char_indices()
            .nth(col.saturating_sub(1))
            .map_or(line.len(), |(i, _)| i);
        let at = line[from..]
            .find(old.as_str())
            .map(|i| from + i)
            .or_else(|| line.find(old.as_str()))?;
        // Characters of `old` inside a URL, tag or code span (blanked in `masked`) stay as
        // they are.
        let protected: Vec<bool> = old
            .char_indices()
            .map(|(k, c)| c != ' ' && masked.as_bytes().get(at + k) == Some(&b' '))
            .collect();
        let new = refine(old, new, &protected);
        if new != *old {
            edits.push((at, at + old.len(), new));
        }
    }
    edits.sort_by_key(|e| e.0);
    let mut fixed = String::with_capacity(line.len() + 16);
    let mut last = 0;
    for (s, e, new) in &edits {
        if *s < last {
            continue;
        }
        fixed.push_str(&line[last..*s]);
        fixed.push_str(new);
        last = *e;
    }
    fixed.push_str(&line[last..]);
    if fixed == line {
        return None;
    }
    let a: Vec<char> = line.chars().collect();
    let b: Vec<char> = fixed.chars().collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let len = (a.len() - prefix - suffix).max(1);
    Some(
        Diagnostic::warning(
            file,
            Position {
                line: line_no,
                col: prefix + 1,
            },
            format!(
                "中文与英文、数字之间的空格或标点不规范，建议改为：{}",
                fixed.trim()
            ),
        )
        .with_rule(SPACING)
        .with_len(len),
    )
}

/// autocorrect's `new` without the spaces it adds between a number and a Han character, and
/// without changes to `protected` characters of `old` (URLs, tags, code).
fn refine(old: &str, new: &str, protected: &[bool]) -> String {
    let guarded = |i: usize| protected.get(i).copied().unwrap_or(false);
    let o: Vec<char> = old.chars().collect();
    let n: Vec<char> = new.chars().collect();
    let mut out: Vec<char> = Vec::with_capacity(n.len());
    let (mut i, mut j) = (0, 0);
    while j < n.len() {
        if i < o.len() && o[i] == n[j] {
            out.push(n[j]);
            i += 1;
            j += 1;
        } else if n[j] == ' ' {
            // An inserted space: dropped when it separates a number from a Han character.
            let prev = out.last().copied();
            let next = n.get(j + 1).copied();
            let number_before =
                prev.is_some_and(|c| c.is_ascii_digit() || c == '%') && ends_with_number(&out);
            let number_after =
                next.is_some_and(|c| c.is_ascii_digit()) && starts_with_number(&n[j + 1..]);
            let drop = (number_before && next.is_some_and(is_han))
                || (number_after && prev.is_some_and(is_han))
                || (i > 0 && guarded(i - 1) && guarded(i));
            if !drop {
                out.push(' ');
            }
            j += 1;
        } else if i < o.len() && o[i] == ' ' {
            if guarded(i) {
                out.push(' ');
            }
            i += 1;
        } else {
            out.push(if guarded(i) { o[i] } else { n[j] });
            i += 1;
            j += 1;
        }
    }
    out.into_iter().collect()
}

/// Whether the ASCII word at the end of `s` is a number (`2026`, `3.5`, `50%`), not `G20`.
fn ends_with_number(s: &[char]) -> bool {
    s.iter()
        .rev()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '%'))
        .all(|c| !c.is_ascii_alphabetic())
}

/// Whether the ASCII word at the start of `s` is a number (`5`, `3.5`), not `5G`.
fn starts_with_number(s: &[char]) -> bool {
    s.iter()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '%'))
        .all(|c| !c.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Severity;
    use std::path::Path;

    fn run(text: &str) -> Vec<Diagnostic> {
        check_text(&TextUnit::new(Path::new("a.md"), text), &Rules::empty())
    }

    /// `(rule, line, col, len)` of every finding.
    fn spots(text: &str) -> Vec<(String, usize, usize, usize)> {
        run(text)
            .into_iter()
            .map(|d| (d.rule, d.line, d.col, d.len))
            .collect()
    }

    fn one(text: &str) -> Diagnostic {
        let mut all = run(text);
        assert_eq!(all.len(), 1, "{all:#?}");
        all.remove(0)
    }

    #[test]
    fn placeholder_marks_fire() {
        let d = run("+++\ntitle = \"通知\"\n+++\n\n请XX同志于ＸＸ日到××区报到。\n").remove(0);
        assert_eq!(d.rule, PLACEHOLDER);
        assert_eq!(d.severity, Severity::Error);
        assert_eq!((d.line, d.col, d.len), (5, 2, 2));
        assert!(d.message.starts_with("发现占位符“XX”"), "{}", d.message);
        assert_eq!(
            spots("请XX同志于ＸＸ日到××区报到。"),
            [
                (PLACEHOLDER.into(), 1, 2, 2),
                (PLACEHOLDER.into(), 1, 7, 2),
                (PLACEHOLDER.into(), 1, 11, 2)
            ]
        );
        let d = run("第二段\n\n内容【待补】，时间【待定】。TODO 核对").remove(0);
        assert_eq!((d.line, d.col, d.len), (3, 3, 4));
        assert!(d.message.starts_with("发现占位符“【待补】”"));
        assert_eq!(spots("内容【待补】，时间【待定】。TODO 核对").len(), 3);
        let d = &run("TODO 核对")[0];
        assert!(d.message.starts_with("发现占位符“TODO”：请完成待办事项"));
    }

    #[test]
    fn placeholder_words_that_are_not_masks() {
        assert!(run("尺码XXL，型号XX2，TODOS 列表，X光检查，3×4 的格子。").is_empty());
        assert!(run("xx同志").is_empty());
    }

    #[test]
    fn asterisk_masks_fire() {
        let d = one("地址：**区**街道\\*\\*号");
        // `**区**` is emphasis around 区 in Markdown, so only the escaped mask is literal.
        assert_eq!((d.line, d.col, d.len), (1, 11, 4));
        assert!(
            d.message
                .starts_with("发现用星号遮盖的占位内容“道\\*\\*号”"),
            "{}",
            d.message
        );
        let d = one("请联系**区的张同志");
        assert_eq!(d.rule, PLACEHOLDER);
        assert_eq!((d.col, d.len), (4, 2));
        assert_eq!(spots("王*明同志").len(), 1);
        assert_eq!(spots("- 列表里的**名\n  第二行").len(), 1);
    }

    #[test]
    fn emphasis_and_notes_are_not_masks() {
        assert!(run("这是**加粗**的文字，*强调*也可以。").is_empty());
        assert!(run("**一是**坚持学习。\n\n**二是**狠抓落实。").is_empty());
        assert!(run("*注：以上为初稿。\n* 列表项").is_empty());
        assert!(run("    **一是**缩进的续行").is_empty());
    }

    #[test]
    fn code_and_urls_are_skipped() {
        let text = "```\nXX TODO 13800138000\n```\n\n~~~~\n**区\n~~~~\n\n用 `XX` 和 ``a ` TODO``。\n\
                    见 https://example.com/TODO/13800138000 和 [链接](https://a.cn/XX?p=13800138000)。\n\
                    <a href=\"/XX/TODO\">链接</a> <https://example.com/XX>\n\n[ref]: https://a.cn/TODO\n";
        assert!(run(text).is_empty(), "{:#?}", run(text));
        // Unterminated fence: the rest of the file is code.
        assert!(run("正文\n\n```\nTODO\n").is_empty());
        // An unpaired backtick is literal, so the text after it is checked.
        assert_eq!(
            spots("单个 ` 反引号 TODO"),
            [(PLACEHOLDER.into(), 1, 10, 4)]
        );
        // An escaped backtick does not open a code span.
        assert_eq!(spots("\\`XX\\`").len(), 1);
    }

    #[test]
    fn front_matter_values_are_text_keys_are_not() {
        let d = one("+++\ntitle = \"XX同志事迹\"\nTODO = 1\n# TODO 注释\n+++\n正文");
        assert_eq!((d.line, d.col, d.len), (2, 10, 2));
        let d = one("---\ntitle: 关于【待定】的通知\nXX: 1\n---\n正文");
        assert_eq!((d.line, d.col, d.len), (2, 10, 4));
        assert!(run(
            "+++\ntitle = \"\"\"\n多行\"\"\"\ndate = 2026-11-05\nweight = 13800138000\n+++\n"
        )
        .is_empty());
    }

    #[test]
    fn personal_data_is_located() {
        let d = one("+++\ntitle = \"x\"\n+++\n联系人：张三，电话13800138000。");
        assert_eq!(d.rule, "mobile");
        assert_eq!(d.severity, Severity::Error);
        assert_eq!((d.line, d.col, d.len), (4, 10, 11));
        assert!(d.message.starts_with("发现手机号码“138****8000”"));
        let d = one("身份证：11010519491231002X");
        assert_eq!((d.rule.as_str(), d.col, d.len), ("id-number", 5, 18));
        assert!(d.message.starts_with("发现身份证号码"));
        let d = one("卡号 4111 1111 1111 1111");
        assert_eq!((d.rule.as_str(), d.col, d.len), ("bank-card", 4, 19));
        assert!(d.message.starts_with("发现银行卡号“4111********1111”"));
    }

    #[test]
    fn personal_data_that_is_not() {
        // Wrong checksum; a phone number inside a longer digit run; a failed Luhn check.
        assert!(run("110105194912310021 编号913800138000123 卡号4111111111111112").is_empty());
        assert!(run("`13800138000` 和 https://a.cn/13800138000").is_empty());
    }

    #[test]
    fn wording_rules_apply_with_allow_list() {
        let rules = Rules::from_sources(&[(
            Path::new("rules/a.toml"),
            "allow = [\"其它人员名单\"]\n[[pair]]\nwrong = \"其它\"\nright = \"其他\"\nnote = \"指别的\"\n\
             [[regex]]\npattern = \"的的\"\nmessage = \"“的的”重复\"\nseverity = \"error\"\n",
        )])
        .unwrap();
        let unit = TextUnit::new(
            Path::new("a.md"),
            "其它工作\n\n见其它人员名单，`其它`，我的的书",
        );
        let found = check_text(&unit, &rules);
        assert_eq!(found.len(), 2, "{found:#?}");
        assert_eq!((found[0].line, found[0].col, found[0].len), (1, 1, 2));
        assert_eq!(found[0].rule, "wording");
        assert_eq!(found[0].severity, Severity::Warning);
        assert_eq!(found[0].message, "“其它”应写作“其他”：指别的");
        assert_eq!((found[1].line, found[1].col, found[1].len), (3, 15, 2));
        assert_eq!(found[1].severity, Severity::Error);
        assert_eq!(found[1].message, "“的的”重复");
    }

    #[test]
    fn findings_are_sorted_by_position() {
        let found = run("TODO 13800138000\nXX");
        let at: Vec<(usize, usize)> = found.iter().map(|d| (d.line, d.col)).collect();
        assert_eq!(at, [(1, 1), (1, 6), (2, 1)]);
    }

    fn spacing(text: &str) -> Vec<Diagnostic> {
        check_spacing(&TextUnit::new(Path::new("a.md"), text))
    }

    #[test]
    fn spacing_fires_on_latin_words() {
        let found = spacing("+++\ntitle = \"使用Rust\"\n+++\n\n学习使用Rust语言。\n");
        assert_eq!(found.len(), 1, "{found:#?}");
        let d = &found[0];
        assert_eq!(d.rule, SPACING);
        assert_eq!(d.severity, Severity::Warning);
        assert_eq!((d.line, d.col, d.len), (5, 5, 4));
        assert_eq!(
            d.message,
            "中文与英文、数字之间的空格或标点不规范，建议改为：学习使用 Rust 语言。"
        );
        let found = spacing("- 列表Item一\n\n[链接Link](https://a.cn/x) 说明");
        let at: Vec<(usize, usize)> = found.iter().map(|d| (d.line, d.col)).collect();
        assert_eq!(at, [(1, 5), (3, 4)], "{found:#?}");
    }

    #[test]
    fn spacing_leaves_numbers_code_and_urls_alone() {
        let text = "2026年11月5日，共100人参加。\n\n```\n中文Code\n```\n\n用`code代码`，见<https://a.cn/中文a>。\n\n~~~\n代码Code\n~~~\n";
        assert!(spacing(text).is_empty(), "{:#?}", spacing(text));
        assert!(spacing("+++\ntitle = \"中文Title\"\n+++\n正文").is_empty());
        // A Latin word with digits still gets its space.
        assert_eq!(spacing("建设5G网络").len(), 1);
    }

    #[test]
    fn refine_drops_number_spaces_and_protected_changes() {
        assert_eq!(
            refine("共100人使用GPU", "共 100 人使用 GPU", &[]),
            "共100人使用 GPU"
        );
        assert_eq!(refine("G20峰会", "G20 峰会", &[]), "G20 峰会");
        assert_eq!(refine("资料.", "资料。", &[]), "资料。");
        let protected = [false, true, true, true, false];
        assert_eq!(refine("见a中b.", "见 a 中 b。", &protected), "见 a中b。");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

        #[test]
        fn never_panics(s in "(\\PC|[*`~\\\\\\[\\]()<>!+\\-\n ]|```|\\+\\+\\+\n|---\n|XX|13800138000|【待|\u{feff})*") {
            let rules = Rules::from_sources(&[(Path::new("r.toml"), "allow=[\"的\"]\n[[pair]]\nwrong=\"的\"\nright=\"地\"\n[[regex]]\npattern=\".\"\nmessage=\"m\"\n")]).unwrap();
            let unit = TextUnit::new(Path::new("a.md"), &s);
            for d in check_text(&unit, &rules) {
                proptest::prop_assert!(d.line >= 1 && d.col >= 1);
            }
            let _ = check_spacing(&unit);
            proptest::prop_assert_eq!(unit.prose.masked.len(), s.len());
        }
    }
}

//! The imported document between reading and writing, and how it becomes Markdown.
//!
//! Both readers (.docx and .txt) produce [`Block`]s of [`Inline`]s; everything about Markdown
//! lives here: official-document numbering turned into headings, and escaping so that text
//! which happens to look like Markdown (`**区`, `3~5人`, `1. ` at a line start) stays text.

use regex::Regex;
use std::sync::OnceLock;

/// A block of the document body.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Block {
    /// A paragraph; numbering such as `一、` at its start may make it a heading.
    Para(Vec<Inline>),
    /// A heading by the document's own styles; 1 is the top level of the body (`##`).
    Heading(u8, Vec<Inline>),
    /// A list item; `depth` 0 is the outermost list.
    Item {
        /// The number of a numbered item (`3.`, so a list Word continues after a paragraph
        /// keeps counting); `None` for a bullet (`-`).
        number: Option<u32>,
        /// Nesting depth.
        depth: usize,
        /// The item's text.
        content: Vec<Inline>,
    },
    /// A table: rows of cells; the first row becomes the header.
    Table(Vec<Vec<Vec<Inline>>>),
}

/// Text and pictures inside a block.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Inline {
    /// Text in one style.
    Text(String, Style),
    /// A line break inside the paragraph.
    Break,
    /// A picture: file name in the page bundle, and alternative text.
    Image(String, String),
    /// A link around some inlines.
    Link(String, Vec<Inline>),
}

/// Character formatting that survives the import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Style {
    /// Bold (`**…**`).
    pub(crate) bold: bool,
    /// Italic (`*…*`).
    pub(crate) italic: bool,
}

impl Inline {
    /// Plain text in no particular style.
    pub(crate) fn plain(text: impl Into<String>) -> Inline {
        Inline::Text(text.into(), Style::default())
    }
}

/// The text of some inlines, without formatting; breaks become nothing, as in a heading.
pub(crate) fn plain_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    for i in inlines {
        match i {
            Inline::Text(t, _) => out.push_str(t),
            Inline::Link(_, inner) => out.push_str(&plain_text(inner)),
            Inline::Break | Inline::Image(..) => {}
        }
    }
    out
}

// ---- Official-document numbering ----

/// The heading level (1 for `一、` … 4 for `（1）`) of a paragraph's leading numbering, with the
/// byte length of the number, when the text starts with one and has text after it.
pub(crate) fn numbering(text: &str) -> Option<(u8, usize)> {
    static PATTERNS: OnceLock<[Regex; 4]> = OnceLock::new();
    let patterns = PATTERNS.get_or_init(|| {
        [
            r"^[一二三四五六七八九十百零〇]+、",
            r"^[（(][一二三四五六七八九十百零〇]+[）)]",
            r"^[0-9０-９]{1,3}[.．、]",
            r"^[（(][0-9０-９]{1,3}[）)]",
        ]
        .map(|p| Regex::new(p).unwrap_or_else(|e| unreachable!("{e}")))
    });
    let (level, m) = patterns
        .iter()
        .zip(1u8..)
        .find_map(|(re, level)| re.find(text).map(|m| (level, m)))?;
    let rest = &text[m.end()..];
    // `1.5亿元` is a number, not numbering.
    let decimal = level == 3 && rest.starts_with(|c: char| c.is_ascii_digit());
    (!rest.trim().is_empty() && !decimal).then_some((level, m.end()))
}

/// The longest heading line, in characters. Longer numbered lines are body paragraphs.
const HEADING_MAX_CHARS: usize = 40;

/// What a numbered paragraph is.
#[derive(Debug, PartialEq, Eq)]
enum Numbered {
    /// A heading line of this level.
    Heading(u8),
    /// A run-in heading: the lead sentence (this many bytes) is a heading, the rest body text
    /// of the same paragraph — `（一）加强组织领导。各支部要……`.
    RunIn(usize),
    /// A numbered body paragraph.
    Body,
}

/// Decides what a paragraph starting with numbering is. A heading line is short and has no
/// sentence end except possibly at its end; a paragraph whose first sentence is short is a
/// run-in heading, kept as one paragraph with the lead sentence in bold, as official documents
/// print it (turning it into a heading would split a paragraph the author wrote as one).
fn classify(text: &str, level: u8) -> Numbered {
    let is_end = |c: char| matches!(c, '。' | '！' | '？' | '；');
    let chars = text.chars().count();
    let inner_end = text
        .char_indices()
        .find(|&(i, c)| is_end(c) && i + c.len_utf8() < text.len());
    match inner_end {
        None if chars <= HEADING_MAX_CHARS => Numbered::Heading(level),
        Some((i, c)) if text[..i].chars().count() < HEADING_MAX_CHARS && c != '；' => {
            Numbered::RunIn(i + c.len_utf8())
        }
        _ => Numbered::Body,
    }
}

/// Notes whether a paragraph starts an attachment list (`附件：1.…`), whose further lines
/// (`2.…`) are list entries, not `####` headings.
fn starts_attachments(text: &str) -> bool {
    text.strip_prefix("附件")
        .is_some_and(|r| r.trim_start().starts_with(['：', ':']))
}

// ---- Rendering ----

/// Where inline Markdown goes: what a line break becomes and what needs escaping.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Body,
    Cell,
    Heading,
}

/// The Markdown body for these blocks.
pub(crate) fn to_markdown(blocks: &[Block]) -> String {
    let mut out = String::new();
    // The previous block, when it was a list item: numbered, and depth.
    let mut prev_item: Option<(bool, usize)> = None;
    let mut in_attachments = false;
    for block in blocks {
        let (text, item): (String, Option<(bool, usize)>) = match block {
            Block::Para(inlines) => {
                let plain = plain_text(inlines);
                let text = plain.trim();
                let attachment_line = in_attachments && numbering(text).is_some_and(|n| n.0 == 3);
                in_attachments = starts_attachments(text) || attachment_line;
                let md = if attachment_line {
                    render(inlines, Ctx::Body)
                } else {
                    para(inlines, &plain)
                };
                (md, None)
            }
            Block::Heading(level, inlines) => (heading(*level, inlines), None),
            Block::Item {
                number,
                depth,
                content,
            } => (
                item(*number, *depth, content),
                Some((number.is_some(), *depth)),
            ),
            Block::Table(rows) => (table(rows), None),
        };
        if text.trim().is_empty() {
            continue;
        }
        if !out.is_empty() {
            // Items of one list stay together (a blank line would make it a “loose” list);
            // a top-level list of the other kind starts apart.
            let same_list = match (prev_item, item) {
                (Some((was, d1)), Some((is, d2))) => was == is || d1 > 0 || d2 > 0,
                _ => false,
            };
            out.push_str(if same_list { "\n" } else { "\n\n" });
        }
        out.push_str(&text);
        prev_item = item;
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// A paragraph; `plain` is its text, untrimmed.
fn para(inlines: &[Inline], plain: &str) -> String {
    let text = plain.trim_start();
    let indent = plain.len() - text.len();
    let text = text.trim_end();
    let Some((level, _)) = numbering(text) else {
        return render(inlines, Ctx::Body);
    };
    match classify(text, level) {
        Numbered::Heading(level) => heading(level, inlines),
        Numbered::RunIn(lead) => {
            // The sentence end stays outside the bold: `**…。**各` would not close.
            let end = text[..lead].chars().last().unwrap_or('。');
            let core = escape(&text[..lead - end.len_utf8()], true);
            let rest = skip_chars(inlines, plain[..indent + lead].chars().count());
            let rest_md = render(&rest, Ctx::Body);
            // `render` trims; the space after the lead is mid-line, and a reader sees it.
            let after = &plain[indent + lead..];
            let gap = &after[..after.len() - after.trim_start().len()];
            if flanks(None, &core, Some(end)) {
                format!("**{core}**{end}{gap}{rest_md}")
            } else {
                format!("<strong>{core}</strong>{end}{gap}{rest_md}")
            }
        }
        Numbered::Body => render(inlines, Ctx::Body),
    }
}

fn heading(level: u8, inlines: &[Inline]) -> String {
    let text = plain_text(inlines);
    let text = text.trim();
    if text.is_empty() {
        return String::new();
    }
    let hashes = "#".repeat(usize::from(level.clamp(1, 5)) + 1);
    format!("{hashes} {}", escape_in(text, true, Ctx::Heading))
}

fn item(number: Option<u32>, depth: usize, content: &[Inline]) -> String {
    let indent = "    ".repeat(depth.min(5));
    // CommonMark list numbers have at most nine digits.
    let marker = number.map_or("-".to_string(), |n| format!("{}.", n.min(999_999_999)));
    format!("{indent}{marker} {}", render(content, Ctx::Body))
}

fn table(rows: &[Vec<Vec<Inline>>]) -> String {
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    if width == 0 {
        return String::new();
    }
    let line = |cells: Vec<String>| format!("| {} |", cells.join(" | "));
    let mut lines = Vec::with_capacity(rows.len() + 1);
    for (i, row) in rows.iter().enumerate() {
        let cells = (0..width)
            .map(|c| row.get(c).map_or(String::new(), |x| render(x, Ctx::Cell)))
            .collect();
        lines.push(line(cells));
        if i == 0 {
            lines.push(line(vec!["---".to_string(); width]));
        }
    }
    lines.join("\n")
}

/// The inlines after the first `n` characters of their text (used to split off a run-in
/// heading).
fn skip_chars(inlines: &[Inline], mut n: usize) -> Vec<Inline> {
    let mut out = Vec::new();
    for i in inlines {
        if n == 0 {
            out.push(i.clone());
            continue;
        }
        match i {
            Inline::Text(t, style) => {
                let len = t.chars().count();
                if len > n {
                    out.push(Inline::Text(t.chars().skip(n).collect(), *style));
                    n = 0;
                } else {
                    n -= len;
                }
            }
            Inline::Link(_, inner) => n = n.saturating_sub(plain_text(inner).chars().count()),
            Inline::Break | Inline::Image(..) => out.push(i.clone()),
        }
    }
    out
}

/// Inline Markdown for `inlines`: runs in the same style merged, emphasis written as `**`
/// where CommonMark will read it as such and as `<strong>` where it would not (`是**“重点”**`
/// does not open emphasis), text escaped.
fn render(inlines: &[Inline], ctx: Ctx) -> String {
    let merged = merge(inlines);
    let mut out = String::new();
    let mut line_start = true;
    for (i, inline) in merged.iter().enumerate() {
        match inline {
            Inline::Text(text, style) => {
                let next_styled =
                    matches!(merged.get(i + 1), Some(Inline::Text(_, s)) if *s != Style::default());
                let next = merged.get(i + 1).and_then(first_char);
                emphasis(&mut out, text, *style, line_start, next_styled, next, ctx);
            }
            Inline::Break => {
                out.push_str(match ctx {
                    Ctx::Body => "\\\n",
                    Ctx::Cell => "<br>",
                    Ctx::Heading => " ",
                });
                line_start = ctx == Ctx::Body;
                continue;
            }
            Inline::Image(src, alt) => {
                out.push_str(&format!("![{}]({src})", escape_in(alt, false, ctx)));
            }
            Inline::Link(url, inner) => {
                let text = render(inner, ctx);
                if text.trim().is_empty() {
                    continue;
                }
                out.push_str(&format!("[{text}](<{}>)", url.replace(['<', '>', ' '], "")));
            }
        }
        line_start = false;
    }
    out.trim().to_string()
}

/// Adjacent text in the same style joined: Word splits runs for spelling marks and revision
/// ids, and `**重**` `**点**` would read badly.
/// Breaks at either end are dropped: a paragraph cannot end in a hard break.
fn merge(inlines: &[Inline]) -> Vec<Inline> {
    let mut out: Vec<Inline> = Vec::with_capacity(inlines.len());
    for i in inlines {
        match (out.last_mut(), i) {
            (Some(Inline::Text(prev, ps)), Inline::Text(t, s)) if ps == s => prev.push_str(t),
            (_, Inline::Text(t, _)) if t.is_empty() => {}
            (None, Inline::Break) => {}
            _ => out.push(i.clone()),
        }
    }
    while out.last() == Some(&Inline::Break) {
        out.pop();
    }
    out
}

fn first_char(inline: &Inline) -> Option<char> {
    match inline {
        Inline::Text(t, _) => t.chars().next(),
        Inline::Link(..) => Some('['),
        Inline::Image(..) => Some('!'),
        Inline::Break => Some('\n'),
    }
}

/// Writes one run of text with its emphasis; spaces stay outside the markers.
fn emphasis(
    out: &mut String,
    text: &str,
    style: Style,
    line_start: bool,
    next_styled: bool,
    next: Option<char>,
    ctx: Ctx,
) {
    let inner = text.trim();
    if style == Style::default() || inner.is_empty() {
        out.push_str(&escape_in(text, line_start, ctx));
        return;
    }
    let lead = &text[..text.len() - text.trim_start().len()];
    let trail = &text[text.trim_end().len()..];
    out.push_str(lead);
    let md = escape_in(inner, false, ctx);
    let prev = out.chars().last();
    let after = if trail.is_empty() { next } else { Some(' ') };
    let markdown_ok = !next_styled && flanks(prev, &md, after);
    let (open, close) = match (style.bold, style.italic, markdown_ok) {
        (true, true, true) => ("***", "***"),
        (true, false, true) => ("**", "**"),
        (false, _, true) => ("*", "*"),
        (true, true, false) => ("<strong><em>", "</em></strong>"),
        (true, false, false) => ("<strong>", "</strong>"),
        (false, _, false) => ("<em>", "</em>"),
    };
    out.push_str(open);
    out.push_str(&md);
    out.push_str(close);
    out.push_str(trail);
}

/// Whether `*` markers around `inner`, between `prev` and `next`, open and close emphasis by
/// CommonMark's flanking rules. Anything not a letter, digit or space counts as punctuation,
/// which only ever makes us fall back to HTML tags, never write markers that do not work.
fn flanks(prev: Option<char>, inner: &str, next: Option<char>) -> bool {
    let punct = |c: char| !c.is_alphanumeric() && !c.is_whitespace();
    let space_or_punct = |c: Option<char>| c.is_none_or(|c| c.is_whitespace() || punct(c));
    let (Some(first), Some(last)) = (inner.chars().next(), inner.chars().last()) else {
        return false;
    };
    // A marker next to a space inside never opens or closes (`**1、 **` stays literal).
    if first.is_whitespace() || last.is_whitespace() {
        return false;
    }
    let opens = !punct(first) || space_or_punct(prev);
    let closes = !punct(last) || space_or_punct(next);
    opens && closes
}

/// Escapes text for the body of a paragraph; `line_start` when it begins a line, where `#`,
/// `-`, `+`, `=`, `>` and `1. ` would start a block.
pub(crate) fn escape(text: &str, line_start: bool) -> String {
    escape_in(text, line_start, Ctx::Body)
}

fn escape_in(text: &str, line_start: bool, ctx: Ctx) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let text = if line_start { text.trim_start() } else { text };
    let list_number_end = line_start.then(|| ordered_marker_end(text)).flatten();
    for (i, c) in text.char_indices() {
        let special = match c {
            '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '~' | '|' => true,
            '&' => entity_like(&text[i..]),
            '#' | '-' | '+' | '=' | '>' => line_start && i == 0,
            '{' | '}' => ctx == Ctx::Heading,
            '.' | ')' => list_number_end == Some(i),
            _ => false,
        };
        if special {
            out.push('\\');
        }
        // A stray line end inside a run would end a table row or start a new block.
        out.push(if c == '\n' || c == '\r' { ' ' } else { c });
    }
    out
}

/// Where the `.` or `)` of a list marker (`12. `) is, if the line starts with one.
fn ordered_marker_end(text: &str) -> Option<usize> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let after = text[digits..].chars().nth(1);
    ((1..=9).contains(&digits)
        && text[digits..].starts_with(['.', ')'])
        && after.is_none_or(|c| c == ' ' || c == '\t'))
    .then_some(digits)
}

/// `&amp;`, `&#123;`: text that Markdown would read as a character reference.
fn entity_like(s: &str) -> bool {
    let body = &s[1..];
    let len = body
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'#')
        .count();
    len > 0 && body[len..].starts_with(';')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bold(t: &str) -> Inline {
        Inline::Text(
            t.into(),
            Style {
                bold: true,
                italic: false,
            },
        )
    }

    fn md(blocks: &[Block]) -> String {
        to_markdown(blocks)
    }

    fn p(text: &str) -> Block {
        Block::Para(vec![Inline::plain(text)])
    }

    #[test]
    fn numbering_levels() {
        assert_eq!(numbering("一、总体要求"), Some((1, "一、".len())));
        assert_eq!(numbering("（二）工作任务"), Some((2, "（二）".len())));
        assert_eq!(numbering("(三)工作任务").map(|n| n.0), Some(2));
        assert_eq!(numbering("1.加强学习").map(|n| n.0), Some(3));
        assert_eq!(numbering("12、加强学习").map(|n| n.0), Some(3));
        assert_eq!(numbering("（1）学习内容").map(|n| n.0), Some(4));
        assert_eq!(numbering("1.5亿元资金"), None);
        assert_eq!(numbering("一、"), None);
        assert_eq!(numbering("一是加强学习"), None);
        assert_eq!(numbering("（此件公开发布）"), None);
    }

    #[test]
    fn numbered_lines_become_headings() {
        let doc = md(&[
            p("一、总体要求"),
            p("（一）指导思想"),
            p("1.学习内容"),
            p("（1）原文学习"),
        ]);
        assert_eq!(
            doc,
            "## 一、总体要求\n\n### （一）指导思想\n\n#### 1.学习内容\n\n##### （1）原文学习\n"
        );
    }

    #[test]
    fn run_in_headings_keep_their_paragraph() {
        let doc = md(&[p("（一）加强组织领导。各支部要高度重视，认真组织。")]);
        assert_eq!(
            doc,
            "**（一）加强组织领导**。各支部要高度重视，认真组织。\n"
        );
        let indented = Block::Para(vec![
            Inline::plain("　　（二）"),
            Inline::plain("强化督促检查。"),
            bold("各支部"),
            Inline::plain("要……"),
        ]);
        assert_eq!(md(&[indented]), "**（二）强化督促检查**。**各支部**要……\n");
        let long = format!("一、{}。", "很长".repeat(30));
        assert_eq!(md(&[p(&long)]), format!("{long}\n"));
    }

    #[test]
    fn attachment_lists_are_not_headings() {
        let doc = md(&[p("附件：1.实施方案"), p("2.名单"), p("一、总体要求")]);
        assert_eq!(doc, "附件：1.实施方案\n\n2.名单\n\n## 一、总体要求\n");
    }

    #[test]
    fn markdown_characters_stay_text() {
        assert_eq!(escape("**区和张*", false), "\\*\\*区和张\\*");
        assert_eq!(
            escape("3~5人 a_b [x] <b> a|b", false),
            "3\\~5人 a\\_b \\[x\\] \\<b> a\\|b"
        );
        assert_eq!(escape("# 不是标题", true), "\\# 不是标题");
        assert_eq!(escape("- 不是列表", true), "\\- 不是列表");
        assert_eq!(escape("2026. 年", true), "2026\\. 年");
        assert_eq!(escape("2026.11.10", true), "2026.11.10");
        assert_eq!(escape("a & b &amp;", false), "a & b \\&amp;");
    }

    #[test]
    fn emphasis_uses_markers_where_they_work() {
        let doc = md(&[Block::Para(vec![
            Inline::plain("这是"),
            bold("重"),
            bold("点"),
            Inline::plain("，以及"),
            bold("“引号”"),
            Inline::plain("内容"),
        ])]);
        assert_eq!(doc, "这是**重点**，以及<strong>“引号”</strong>内容\n");
        // A run-in lead ending in a space cannot close `**` (found by `text_survives`).
        let doc = md(&[Block::Para(vec![Inline::plain("1、 。a")])]);
        assert_eq!(doc, "<strong>1、 </strong>。a\n");
        assert_eq!(visible_text(&doc), "1、 。a");
        // …and the space after the lead stays (found by `text_survives`).
        let doc = md(&[Block::Para(vec![Inline::plain("（1）。 a")])]);
        assert_eq!(visible_text(&doc), "（1）。 a");
    }

    #[test]
    fn tables_and_lists() {
        let cell = |t: &str| vec![Inline::plain(t)];
        let doc = md(&[
            Block::Table(vec![
                vec![cell("姓名"), cell("职务")],
                vec![
                    cell("张*"),
                    vec![Inline::plain("a"), Inline::Break, Inline::plain("b|c")],
                ],
            ]),
            Block::Item {
                number: None,
                depth: 0,
                content: cell("甲"),
            },
            Block::Item {
                number: Some(3),
                depth: 1,
                content: cell("乙"),
            },
        ]);
        assert_eq!(
            doc,
            "| 姓名 | 职务 |\n| --- | --- |\n| 张\\* | a<br>b\\|c |\n\n- 甲\n    3. 乙\n"
        );
    }

    /// The text a reader sees in `markdown`, as the site parses it.
    fn visible_text(markdown: &str) -> String {
        use pulldown_cmark::{Event, Parser};
        Parser::new_ext(markdown, crate::markdown::options())
            .filter_map(|e| match e {
                Event::Text(t) | Event::Code(t) => Some(t.to_string()),
                _ => None,
            })
            .collect()
    }

    const ALPHABET: &[char] = &[
        'a', '1', '2', '中', '一', '、', '（', '）', '(', ')', '.', '。', ' ', '　', '*', '_', '`',
        '[', ']', '<', '>', '~', '|', '&', '#', ';', '-', '+', '=', '!', '\\', '{', '}', ':', '^',
        '"', '“', '$', '%', '@', '/',
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 512, ..Default::default() })]

        /// Whatever the text, a reader sees exactly it: as a paragraph (possibly made a
        /// heading by its numbering), in bold, and in a table cell.
        #[test]
        fn text_survives(chars in proptest::collection::vec(proptest::sample::select(ALPHABET), 1..30)) {
            let text: String = chars.into_iter().collect();
            let expected = text.trim();
            proptest::prop_assume!(!expected.is_empty());
            let para = to_markdown(&[Block::Para(vec![Inline::plain(text.clone())])]);
            proptest::prop_assert_eq!(visible_text(&para), expected, "{}", para);
            let strong = to_markdown(&[Block::Para(vec![Inline::plain("甲"), bold(&text), Inline::plain("乙")])]);
            proptest::prop_assert_eq!(visible_text(&strong), format!("甲{text}乙"), "{}", strong);
            let table = to_markdown(&[Block::Table(vec![vec![vec![Inline::plain("表头")]], vec![vec![Inline::plain(text.clone())]]])]);
            proptest::prop_assert_eq!(visible_text(&table), format!("表头{expected}"), "{}", table);
        }
    }
}

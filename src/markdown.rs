//! Markdown to HTML: pulldown-cmark with Chinese-aware heading ids, soft breaks and links.
//!
//! Output HTML is specific to the page it is rendered for, because links are made relative to
//! that page's place in the site (so the output works from any subpath and from file://).

use crate::diagnostic::{Diagnostic, Position};
use crate::site::{LinkTarget, Site};
use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::Serialize;
use std::collections::HashSet;
use std::path::Path;
use std::sync::OnceLock;

/// The rendered body of a page or section.
#[derive(Debug, Default, Clone)]
pub struct Body {
    /// Body HTML.
    pub html: String,
    /// Headings as a nested table of contents.
    pub toc: Vec<TocEntry>,
    /// Summary HTML: everything before `<!-- more -->`, or the first characters of the text.
    /// Its links start with [`ROOT_MARK`]; see [`rebase_summary`].
    pub summary: String,
    /// Characters of readable text (whitespace excluded).
    pub char_count: usize,
    /// The whole body with root-marked links, when asked for (see [`rebase_summary`]).
    pub portable: Option<String>,
    /// Every heading id, to check `#anchor` links into this page.
    pub heading_ids: HashSet<String>,
    /// `@/file.md#anchor` links found, to check once every page is rendered.
    pub anchor_links: Vec<AnchorLink>,
}

impl Body {
    /// Minutes to read, at about 400 Chinese characters a minute, at least 1.
    pub fn reading_time(&self) -> usize {
        self.char_count.div_ceil(400).max(1)
    }
}

/// One entry of a table of contents.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TocEntry {
    /// 1 to 6.
    pub level: u8,
    /// Heading id (the anchor).
    pub id: String,
    /// Heading text.
    pub title: String,
    /// Deeper headings under this one.
    pub children: Vec<TocEntry>,
}

/// An internal link with an anchor, checked after all bodies exist.
#[derive(Debug, Clone)]
pub struct AnchorLink {
    /// Where it points.
    pub target: LinkTarget,
    /// The part after `#`.
    pub anchor: String,
    /// Where it is written.
    pub pos: Position,
}

/// What rendering needs to know about the page at hand.
pub struct RenderTarget<'a> {
    /// The file, for messages.
    pub file: &'a Path,
    /// Lines before the body in the file.
    pub body_line: usize,
    /// Way from this page's directory back to the site root (`../../`).
    pub root: String,
    /// The page's own URL directory, root-relative (`xuexi/2026-11/a01/`).
    pub page_dir: &'a str,
    /// The directory of the Markdown file, relative to `content/`, where relative references
    /// to files start.
    pub content_dir: &'a str,
    /// Also produce [`Body::portable`] (for pages shown again elsewhere, like a print view).
    pub portable: bool,
}

impl<'a> RenderTarget<'a> {
    /// The target for a page or section whose URL directory is `page_dir`.
    pub fn new(file: &'a Path, body_line: usize, page_dir: &'a str, content_dir: &'a str) -> Self {
        RenderTarget {
            file,
            body_line,
            root: crate::render::root_prefix(page_dir),
            page_dir,
            content_dir,
            portable: false,
        }
    }
}

/// The Markdown extensions zhibu enables (tables, footnotes, strikethrough, task lists,
/// heading attributes); `zhibu check` parses with the same.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Renders `markdown`; broken internal links come back as diagnostics.
pub fn render(markdown: &str, site: &Site, target: &RenderTarget<'_>) -> (Body, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut body = Body::default();
    let mut events: Vec<Event<'_>> = Vec::new();
    let mut more_at = None;
    let mut summary_links: Vec<(usize, String)> = Vec::new();
    let mut text = Text::new(site.config.summary_chars.saturating_add(1));
    let mut headings: Vec<(u8, String, String)> = Vec::new();
    let mut open_heading: Option<(usize, String)> = None;
    let mut in_code: Option<String> = None;
    let mut code = String::new();

    for (event, range) in Parser::new_ext(markdown, options()).into_offset_iter() {
        let locate = || Position::of_offset(markdown, range.start).shifted(target.body_line);
        match event {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                open_heading = Some((events.len(), id.map(|i| i.to_string()).unwrap_or_default()));
                events.push(Event::Start(Tag::Heading {
                    level,
                    id: None,
                    classes,
                    attrs,
                }));
            }
            Event::End(TagEnd::Heading(level)) => {
                if let Some((start, explicit)) = open_heading.take() {
                    let title = plain_text(&events[start + 1..]);
                    let mut id = if explicit.is_empty() {
                        crate::slug::heading_id(&title)
                    } else {
                        explicit
                    };
                    id = unique_id(id, &body.heading_ids);
                    body.heading_ids.insert(id.clone());
                    if let Event::Start(Tag::Heading { id: slot, .. }) = &mut events[start] {
                        *slot = Some(CowStr::from(id.clone()));
                    }
                    headings.push((level_number(level), id, title));
                }
                events.push(Event::End(TagEnd::Heading(level)));
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                in_code = Some(match kind {
                    CodeBlockKind::Fenced(lang) => {
                        lang.split([' ', ',', '{']).next().unwrap_or("").to_string()
                    }
                    CodeBlockKind::Indented => String::new(),
                });
                code.clear();
            }
            Event::End(TagEnd::CodeBlock) => {
                let lang = in_code.take().unwrap_or_default();
                events.push(Event::Html(CowStr::from(highlight(&code, &lang))));
            }
            Event::Text(t) if in_code.is_some() => code.push_str(&t),
            Event::Start(mut tag @ (Tag::Link { .. } | Tag::Image { .. })) => {
                if let Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. } = &mut tag {
                    let kind = classify_link(dest_url, site, target, locate, &mut body, &mut diags);
                    let (on_page, in_summary) = link_forms(dest_url, kind, target);
                    if let Some(d) = in_summary {
                        summary_links.push((events.len(), d));
                    }
                    *dest_url = on_page;
                }
                events.push(Event::Start(tag));
            }
            Event::Html(h) | Event::InlineHtml(h) if is_more_marker(&h) => {
                more_at.get_or_insert(events.len());
                events.push(Event::Html(h));
            }
            Event::SoftBreak => {
                text.push_break();
                events.push(Event::SoftBreak);
            }
            // pulldown-cmark writes a bare disabled checkbox, which screen readers announce as
            // an unlabelled form field; say what it means.
            Event::TaskListMarker(done) => {
                events.push(Event::InlineHtml(CowStr::from(task_marker(done))))
            }
            other => {
                match &other {
                    Event::Text(t) | Event::Code(t) => text.push(t),
                    // Block ends and hard breaks separate words in the text.
                    Event::End(_) | Event::HardBreak => text.push_break(),
                    _ => {}
                }
                events.push(other);
            }
        }
    }
    drop_cjk_soft_breaks(&mut events);
    body.char_count = text.chars;
    body.summary = match more_at {
        Some(i) => portable_html(&events[..i], &summary_links),
        None => text_summary(&text.start, site.config.summary_chars),
    };
    if target.portable {
        body.portable = Some(portable_html(&events, &summary_links));
    }
    body.html = to_html(&events);
    body.toc = nest(headings);
    (body, diags)
}

/// The page's readable text: counted whole, but kept only as far as a summary can need it.
struct Text {
    /// The start of the text, with `\n` where blocks end or lines break.
    start: String,
    /// Characters of the whole text, whitespace excluded (see [`Body::char_count`]).
    chars: usize,
    /// How many characters a summary takes at most; once `start` has that many, more text
    /// cannot change the summary, and copying every page's whole text would be wasted work.
    want: usize,
}

impl Text {
    fn new(want: usize) -> Self {
        Text {
            start: String::new(),
            chars: 0,
            want,
        }
    }

    /// Adds a piece of text.
    fn push(&mut self, s: &str) {
        if self.chars < self.want {
            self.start.push_str(s);
        }
        self.chars += count_non_whitespace(s);
    }

    /// Adds a word gap (a block end or a line break).
    fn push_break(&mut self) {
        if self.chars < self.want {
            self.start.push('\n');
        }
    }
}

/// `s.chars().filter(|c| !c.is_whitespace()).count()`, with the search index's whitespace
/// test, which skips the Unicode table for Han characters and full-width punctuation (nearly
/// all of the text): 40% fewer instructions.
fn count_non_whitespace(s: &str) -> usize {
    s.chars()
        .filter(|&c| !crate::search::text::is_space(c))
        .count()
}

/// A task list checkbox with an accessible name.
fn task_marker(done: bool) -> &'static str {
    if done {
        r#"<input class="task-marker" type="checkbox" disabled checked aria-label="已完成"> "#
    } else {
        r#"<input class="task-marker" type="checkbox" disabled aria-label="未完成"> "#
    }
}

/// Events as HTML with their links in root-marked form, to be shown on other pages.
fn portable_html(events: &[Event<'_>], links: &[(usize, String)]) -> String {
    let mut events = events.to_vec();
    for (i, dest) in links {
        if let Some(Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. })) =
            events.get_mut(*i)
        {
            *dest_url = CowStr::from(dest.clone());
        }
    }
    to_html(&events)
}

fn to_html(events: &[Event<'_>]) -> String {
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events.iter().cloned());
    html
}

fn is_more_marker(html: &str) -> bool {
    html.trim() == "<!-- more -->"
}

/// Where a link in the Markdown points, once `@/` and `/` forms are understood.
enum Dest {
    /// Inside the site: a root-relative path (with `index.html` and any `#anchor`).
    Site(String),
    /// Relative to the page's own directory, as the author wrote it (`photo.jpg`).
    PageRelative,
    /// `#anchor` on the same page.
    Fragment,
    /// Anything else (`https://…`, `mailto:`), or a broken link already reported.
    Verbatim,
}

/// Marks the site root in summary HTML. Summaries appear on list pages at other depths than
/// their page, so their links are written from the root and each list page (or the feed)
/// replaces the mark with its own way back to the root. See [`rebase_summary`].
pub const ROOT_MARK: &str = "zhibu-root:";

/// Summary HTML with its links made relative to a list page whose way to the root is `root`.
pub fn rebase_summary(summary: &str, root: &str) -> String {
    summary.replace(ROOT_MARK, root)
}

/// Understands `@/file.md#anchor` and root-absolute `/x` links; reports broken internal ones.
fn classify_link(
    dest: &str,
    site: &Site,
    target: &RenderTarget<'_>,
    locate: impl Fn() -> Position,
    body: &mut Body,
    diags: &mut Vec<Diagnostic>,
) -> Dest {
    if let Some(internal) = dest.strip_prefix("@/") {
        let (file, anchor) = internal.split_once('#').unwrap_or((internal, ""));
        let Some(&found) = site.links.get(file) else {
            // A target that failed to parse has its own error already; a second one would confuse.
            if !site.unreadable.contains(file) {
                diags.push(Diagnostic::error(
                    target.file,
                    locate(),
                    format!("内部链接 `@/{internal}` 指向的文件 content/{file} 不存在（或是未发布的草稿）"),
                ));
            }
            return Dest::Verbatim;
        };
        let url = match found {
            LinkTarget::Page(p) => &site.pages[p].path,
            LinkTarget::Section(s) => &site.sections[s].path,
        };
        if anchor.is_empty() {
            return Dest::Site(format!("{url}index.html"));
        }
        body.anchor_links.push(AnchorLink {
            target: found,
            anchor: anchor.to_string(),
            pos: locate(),
        });
        return Dest::Site(format!("{url}index.html#{anchor}"));
    }
    if let Some(rest) = dest.strip_prefix('/').filter(|r| !r.starts_with('/')) {
        let (path, frag) = rest
            .split_once('#')
            .map_or((rest, None), |(p, f)| (p, Some(f)));
        let mut out = path.to_string();
        if path.is_empty() || path.ends_with('/') {
            out.push_str("index.html");
        }
        if let Some(f) = frag {
            out.push('#');
            out.push_str(f);
        }
        return Dest::Site(out);
    }
    if dest.starts_with('#') {
        return Dest::Fragment;
    }
    let has_scheme = dest.split_once(':').is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    if has_scheme || dest.starts_with("//") || dest.is_empty() {
        return Dest::Verbatim;
    }
    // A file beside the Markdown (an image next to `a01.md`) is copied beside its section or
    // bundle, which is not always beside the page's HTML: link to where it really is.
    match site.find_asset(target.content_dir, dest) {
        Some(asset) => {
            let frag = dest.find(['#', '?']).map_or("", |i| &dest[i..]);
            Dest::Site(format!("{}{frag}", asset.dest))
        }
        None => Dest::PageRelative,
    }
}

/// The link as written on the page itself, and as written in the page's summary.
fn link_forms<'e>(
    dest: &CowStr<'e>,
    kind: Dest,
    target: &RenderTarget<'_>,
) -> (CowStr<'e>, Option<String>) {
    match kind {
        Dest::Site(path) => (
            CowStr::from(format!("{}{path}", target.root)),
            Some(format!("{ROOT_MARK}{path}")),
        ),
        Dest::PageRelative => (
            dest.clone(),
            Some(format!("{ROOT_MARK}{}{dest}", target.page_dir)),
        ),
        Dest::Fragment => (
            dest.clone(),
            Some(format!("{ROOT_MARK}{}index.html{dest}", target.page_dir)),
        ),
        Dest::Verbatim => (dest.clone(), None),
    }
}

/// A heading id not used before on this page (`id`, `id-1`, `id-2` …).
fn unique_id(id: String, taken: &HashSet<String>) -> String {
    if !taken.contains(&id) {
        return id;
    }
    (1..)
        .map(|n| format!("{id}-{n}"))
        .find(|c| !taken.contains(c))
        .expect("unbounded")
}

fn level_number(level: HeadingLevel) -> u8 {
    level as u8
}

/// Text of inline events (a heading's content).
fn plain_text(events: &[Event<'_>]) -> String {
    let mut s = String::new();
    for e in events {
        if let Event::Text(t) | Event::Code(t) = e {
            s.push_str(t);
        }
    }
    s.trim().to_string()
}

/// A soft line break between two Chinese characters is a line wrap in the source, not a space:
/// browsers would otherwise show a gap in the middle of a Chinese sentence.
fn drop_cjk_soft_breaks(events: &mut Vec<Event<'_>>) {
    let mut keep = vec![true; events.len()];
    for i in 0..events.len() {
        if !matches!(events[i], Event::SoftBreak) {
            continue;
        }
        let before = events[..i].iter().rev().find_map(|e| edge_char(e, true));
        let after = events[i + 1..].iter().find_map(|e| edge_char(e, false));
        if let (Some(Some(a)), Some(Some(b))) = (before, after) {
            if is_cjk(a) && is_cjk(b) {
                keep[i] = false;
            }
        }
    }
    let mut it = keep.into_iter();
    events.retain(|_| it.next().unwrap_or(true));
}

/// The last (or first) character of a text event; `Some(None)` stops the search at anything
/// that is not an inline tag, so breaks are only joined inside one paragraph.
fn edge_char(e: &Event<'_>, last: bool) -> Option<Option<char>> {
    match e {
        Event::Text(t) | Event::Code(t) => Some(if last {
            t.chars().last()
        } else {
            t.chars().next()
        }),
        Event::Start(Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::Link { .. })
        | Event::End(TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Link) => {
            None
        }
        _ => Some(None),
    }
}

/// Han characters, kana, Hangul and CJK/full-width punctuation.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2FDF | 0x3000..=0x303F | 0x3040..=0x30FF | 0x3100..=0x312F
        | 0x31A0..=0x31FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF
        | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF | 0x20000..=0x3134F)
}

/// Whitespace runs become one space, or nothing between two Chinese characters (line wraps and
/// block ends in Chinese text are not word gaps).
pub fn collapse_whitespace(text: &str) -> String {
    collapse_whitespace_upto(text, usize::MAX)
}

/// [`collapse_whitespace`], stopping after `max` characters: a summary needs only the start
/// of a page's text.
fn collapse_whitespace_upto(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max.saturating_mul(3)));
    let mut count = 0;
    let mut pending_space = false;
    let mut last: Option<char> = None;
    for c in text.chars() {
        if count >= max {
            break;
        }
        if c.is_whitespace() {
            pending_space = last.is_some();
            continue;
        }
        if pending_space && !(last.is_some_and(is_cjk) && is_cjk(c)) {
            out.push(' ');
            count += 1;
            if count >= max {
                break;
            }
        }
        pending_space = false;
        out.push(c);
        count += 1;
        last = Some(c);
    }
    out
}

/// The first `limit` characters of the text, escaped, with `…` when cut.
fn text_summary(text: &str, limit: usize) -> String {
    let mut flat = collapse_whitespace_upto(text, limit.saturating_add(1));
    if flat.chars().count() > limit {
        flat.pop();
        flat.push('…');
    }
    escape_html(&flat)
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let Ok(()) = escape_runs::<std::convert::Infallible>(s, |run| {
        out.push_str(run);
        Ok(())
    });
    out
}

/// [`escape_html`] writing into `out`: the templates' escaper (Tera's own does not escape
/// `'`, and pages and templates must agree).
pub fn escape_html_to(s: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    escape_runs(s, |run| out.write_all(run.as_bytes()))
}

/// Hands `s` to `emit` escaped, as runs that need no escaping and entities. Tera escapes every
/// `{{ }}` of the templates this way, so runs of text that need no escaping (nearly all of it)
/// are passed whole rather than character by character.
fn escape_runs<E>(s: &str, mut emit: impl FnMut(&str) -> Result<(), E>) -> Result<(), E> {
    let mut copied = 0;
    for (i, b) in s.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        // `i` is at an ASCII byte, so both ends of the run are character boundaries.
        emit(&s[copied..i])?;
        emit(entity)?;
        copied = i + 1;
    }
    emit(&s[copied..])
}

/// Turns a flat list of headings into a tree: each heading holds the deeper ones after it.
fn nest(headings: Vec<(u8, String, String)>) -> Vec<TocEntry> {
    let mut root: Vec<TocEntry> = Vec::new();
    for (level, id, title) in headings {
        let entry = TocEntry {
            level,
            id,
            title,
            children: Vec::new(),
        };
        let mut list = &mut root;
        while list.last().is_some_and(|l| l.level < level) {
            list = &mut list.last_mut().expect("checked").children;
        }
        list.push(entry);
    }
    root
}

/// The syntax definitions, loaded once and only when a page has code.
fn syntaxes() -> &'static syntect::parsing::SyntaxSet {
    static SET: OnceLock<syntect::parsing::SyntaxSet> = OnceLock::new();
    SET.get_or_init(syntect::parsing::SyntaxSet::load_defaults_newlines)
}

/// The CSS class style of highlighted code; the stylesheet uses the same.
pub const CLASS_STYLE: syntect::html::ClassStyle =
    syntect::html::ClassStyle::SpacedPrefixed { prefix: "z-" };

/// A code block as HTML with CSS classes (no inline colours, so themes and print can restyle it).
fn highlight(code: &str, lang: &str) -> String {
    let lang_attr = escape_html(lang);
    let plain = || {
        format!(
            "<pre class=\"code\" data-lang=\"{lang_attr}\"><code>{}</code></pre>\n",
            escape_html(code)
        )
    };
    if lang.is_empty() {
        return plain();
    }
    let set = syntaxes();
    let Some(syntax) = set.find_syntax_by_token(lang) else {
        return plain();
    };
    let mut gen =
        syntect::html::ClassedHTMLGenerator::new_with_class_style(syntax, set, CLASS_STYLE);
    for line in syntect::util::LinesWithEndings::from(code) {
        if gen
            .parse_html_for_line_which_includes_newline(line)
            .is_err()
        {
            return plain();
        }
    }
    format!(
        "<pre class=\"code\" data-lang=\"{lang_attr}\"><code>{}</code></pre>\n",
        gen.finalize()
    )
}

/// The stylesheet for highlighted code in the named syntect theme; `None` if there is no such theme.
pub fn highlight_css(theme: &str) -> Option<String> {
    let themes = syntect::highlighting::ThemeSet::load_defaults();
    let t = themes.themes.get(theme)?;
    syntect::html::css_for_theme_with_class_style(t, CLASS_STYLE).ok()
}

/// Names of the built-in highlight themes, for error messages.
pub fn highlight_themes() -> Vec<String> {
    syntect::highlighting::ThemeSet::load_defaults()
        .themes
        .into_keys()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_between_chinese_disappears() {
        assert_eq!(
            collapse_whitespace("参见\n原文\n， 以及 English\nwords"),
            "参见原文，以及 English words"
        );
    }

    /// The definition [`count_non_whitespace`] must agree with.
    fn slow_count(s: &str) -> usize {
        s.chars().filter(|c| !c.is_whitespace()).count()
    }

    #[test]
    fn non_whitespace_count_matches_chars_for_every_char() {
        let mut all = String::new();
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            let one = c.to_string();
            assert_eq!(count_non_whitespace(&one), slow_count(&one), "{c:?}");
            all.push(c);
            all.push(' ');
        }
        assert_eq!(count_non_whitespace(&all), slow_count(&all));
        let mixed = "参见\u{3000}原文，\u{a0}以及\u{2028}English\twords\u{85}\u{205f}。";
        assert_eq!(count_non_whitespace(mixed), slow_count(mixed));
        assert!(!('\u{3001}'..=char::MAX).any(char::is_whitespace));
    }

    proptest::proptest! {
        #[test]
        fn non_whitespace_count_matches_chars(s in "\\PC*|[ \\s\u{3000}中文。a\u{2000}-\u{206f}]*") {
            proptest::prop_assert_eq!(count_non_whitespace(&s), slow_count(&s));
        }

        #[test]
        fn escape_matches_char_by_char(s in "[&<>\"'a中 ]*|\\PC*") {
            let mut slow = String::new();
            for c in s.chars() {
                match c {
                    '&' => slow.push_str("&amp;"),
                    '<' => slow.push_str("&lt;"),
                    '>' => slow.push_str("&gt;"),
                    '"' => slow.push_str("&quot;"),
                    '\'' => slow.push_str("&#39;"),
                    c => slow.push(c),
                }
            }
            proptest::prop_assert_eq!(escape_html(&s), slow);
        }
    }

    #[test]
    fn summary_text_is_kept_only_as_far_as_needed() {
        let mut text = Text::new(3);
        text.push("一 二");
        text.push_break();
        text.push("三四");
        text.push("五");
        text.push_break();
        assert_eq!(text.start, "一 二\n三四");
        assert_eq!(text.chars, 5);
    }

    #[test]
    fn cjk_detection() {
        assert!(is_cjk('中') && is_cjk('，') && is_cjk('Ａ'));
        assert!(!is_cjk('a') && !is_cjk('1'));
    }

    #[test]
    fn toc_nests_by_level() {
        let toc = nest(vec![
            (2, "a".into(), "A".into()),
            (3, "b".into(), "B".into()),
            (2, "c".into(), "C".into()),
        ]);
        assert_eq!(toc.len(), 2);
        assert_eq!(toc[0].children[0].id, "b");
    }
}

//! Checks on what pages will contain: links and images in Markdown, external resources in
//! content and templates, empty sections, duplicate titles in a pack.
//!
//! An intranet page that loads anything from an outside server shows a broken image or hangs
//! on a script: every `http(s)://` used as a source is an error. A plain link to an outside
//! page is only a warning — members may not reach it, but the page still works.

use crate::diagnostic::{Diagnostic, Position};
use crate::kinds::Kind;
use crate::site::Site;
use crate::theme::{StaticSource, Theme};
use pulldown_cmark::{Event, Parser, Tag};
use std::path::Path;

/// Rule ids of these checks, as written in `[check] severity`.
pub const EXTERNAL_RESOURCE: &str = "external-resource";
/// A link to an outside page.
pub const EXTERNAL_LINK: &str = "external-link";
/// An image, video or file that is not there.
pub const MISSING_FILE: &str = "missing-file";
/// An image without alternative text.
pub const IMAGE_ALT: &str = "image-alt";
/// A section or pack with nothing in it.
pub const EMPTY_SECTION: &str = "empty-section";
/// Two articles of one pack with the same title.
pub const DUPLICATE_TITLE: &str = "duplicate-title";

/// Whether a URL leaves the site: `http://`, `https://` or protocol-relative `//`.
fn is_external(url: &str) -> bool {
    let u = url.trim().to_ascii_lowercase();
    u.starts_with("http://") || u.starts_with("https://") || u.starts_with("//")
}

/// Whether a relative link names a file (rather than a page or a directory): it has an
/// extension that is not a page's.
fn names_file(url: &str) -> bool {
    let path = url.split(['#', '?']).next().unwrap_or("");
    let last = path.rsplit('/').next().unwrap_or("");
    match last.rsplit_once('.') {
        Some((stem, ext)) => {
            !stem.is_empty()
                && !ext.is_empty()
                && !["md", "html", "htm"].contains(&ext.to_ascii_lowercase().as_str())
        }
        None => false,
    }
}

/// Checks the Markdown body of a page or section: external images and sources, outside links,
/// missing files, images without alt text. `body_line` is how many lines precede the body in
/// its file; `dir` is the file's directory relative to `content/`.
pub fn check_markdown(
    site: &Site,
    file: &Path,
    body: &str,
    body_line: usize,
    dir: &str,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // Without a link, an image or a tag there is nothing to find: most articles are plain text,
    // and parsing them all a second time is a visible part of a large build.
    if !body.contains("](") && !body.contains('<') && !body.contains("]:") {
        return out;
    }
    // One table of line starts: scanning from the top for each finding was quadratic.
    let lines = crate::check::text::LineIndex::new(body);
    let at = |offset: usize| lines.position(body, offset).shifted(body_line);
    let mut image: Option<(usize, String)> = None;
    let mut alt = String::new();
    let options = crate::markdown::options();
    for (event, range) in Parser::new_ext(body, options).into_offset_iter() {
        match event {
            Event::Start(Tag::Image { dest_url, .. }) => {
                image = Some((range.start, dest_url.to_string()));
                alt.clear();
            }
            Event::End(pulldown_cmark::TagEnd::Image) => {
                if let Some((start, dest)) = image.take() {
                    let pos = at(start);
                    let len = body[start..range.end].chars().count();
                    check_source(site, file, dir, &dest, pos, len, "图片", &mut out);
                    if alt.trim().is_empty() {
                        out.push(
                            Diagnostic::warning(
                                file,
                                pos,
                                "图片没有替代文字：请在 ![ ] 的方括号里写上图片内容，供读屏软件朗读、图片打不开时显示",
                            )
                            .with_rule(IMAGE_ALT)
                            .with_len(len),
                        );
                    }
                }
            }
            Event::Text(t) | Event::Code(t) if image.is_some() => alt.push_str(&t),
            Event::Start(Tag::Link { dest_url, .. }) => {
                let pos = at(range.start);
                let len = body[range.clone()].chars().count();
                if is_external(&dest_url) {
                    out.push(
                        Diagnostic::warning(
                            file,
                            pos,
                            format!(
                                "链接到外部网站 {dest_url}：内网读者可能打不开，请确认确有必要"
                            ),
                        )
                        .with_rule(EXTERNAL_LINK)
                        .with_len(len),
                    );
                } else if names_file(&dest_url) && !dest_url.starts_with("@/") {
                    check_source(site, file, dir, &dest_url, pos, len, "链接的文件", &mut out);
                }
            }
            Event::Html(h) | Event::InlineHtml(h) => {
                for d in check_html(&h, file, at(range.start)) {
                    out.push(d);
                }
            }
            _ => {}
        }
    }
    out
}

/// An image or file used on a page: not from outside, and present.
#[allow(clippy::too_many_arguments)]
fn check_source(
    site: &Site,
    file: &Path,
    dir: &str,
    dest: &str,
    pos: Position,
    len: usize,
    what: &str,
    out: &mut Vec<Diagnostic>,
) {
    if is_external(dest) {
        out.push(
            Diagnostic::error(
                file,
                pos,
                format!("{what}来自外部网站 {dest}：内网页面必须自带所用的全部资源，请把文件下载后放在文章旁边再引用"),
            )
            .with_rule(EXTERNAL_RESOURCE)
            .with_len(len),
        );
        return;
    }
    if dest.contains(':') || dest.starts_with('#') || dest.is_empty() {
        return; // data:, mailto:, fragments
    }
    if dest.starts_with('/') {
        // Site-absolute: may be a static file of the site or its theme; not judged here.
        return;
    }
    if site.find_asset(dir, dest).is_none() {
        out.push(
            Diagnostic::error(
                file,
                pos,
                format!("{what} `{dest}` 不存在（路径相对于 content/{dir}）"),
            )
            .with_rule(MISSING_FILE)
            .with_len(len),
        );
    }
}

/// External sources and images without alt in a piece of raw HTML (in Markdown or a
/// template) that starts at `pos`.
pub fn check_html(html: &str, file: &Path, pos: Position) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let lower = html.to_ascii_lowercase();
    let lines = crate::check::text::LineIndex::new(html);
    let at = |offset: usize| {
        let p = lines.position(html, offset);
        if p.line == 1 {
            Position {
                line: pos.line,
                col: pos.col + p.col - 1,
            }
        } else {
            Position {
                line: pos.line + p.line - 1,
                col: p.col,
            }
        }
    };
    let mut i = 0;
    while let Some(found) = lower[i..].find('<') {
        let start = i + found;
        let end = lower[start..]
            .find('>')
            .map_or(lower.len(), |e| start + e + 1);
        let tag = &lower[start..end];
        let name: String = tag[1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        for attr in ["src", "poster", "data", "href", "srcset"] {
            let Some(value) = attr_value(tag, attr) else {
                continue;
            };
            let is_source = attr != "href" || name == "link";
            if !is_external(value) {
                continue;
            }
            let original = &html[start..end];
            let shown: String = original.chars().take(80).collect();
            let d = if is_source {
                Diagnostic::error(
                    file,
                    at(start),
                    format!(
                        "<{name}> 从外部网站加载资源（{shown}）：内网页面必须自带所用的全部资源"
                    ),
                )
                .with_rule(EXTERNAL_RESOURCE)
            } else {
                Diagnostic::warning(
                    file,
                    at(start),
                    format!("链接到外部网站（{shown}）：内网读者可能打不开，请确认确有必要"),
                )
                .with_rule(EXTERNAL_LINK)
            };
            out.push(d.with_len(original.chars().count()));
        }
        if name == "img" && attr_value(tag, "alt").is_none_or(|a| a.trim().is_empty()) {
            out.push(
                Diagnostic::warning(file, at(start), "<img> 没有替代文字（alt）")
                    .with_rule(IMAGE_ALT)
                    .with_len(html[start..end].chars().count()),
            );
        }
        i = end.max(start + 1);
    }
    external_urls(&lower, at, file, &mut out);
    out
}

/// Style `url(…)`s in `lower` (lower-cased HTML or CSS) that load from outside; `at` turns a
/// byte offset into a position in the file.
fn external_urls(
    lower: &str,
    at: impl Fn(usize) -> Position,
    file: &Path,
    out: &mut Vec<Diagnostic>,
) {
    let mut j = 0;
    while let Some(found) = lower[j..].find("url(") {
        let start = j + found;
        let value = lower[start + 4..]
            .trim_start()
            .trim_start_matches(['"', '\'']);
        if is_external(value) {
            out.push(
                Diagnostic::error(
                    file,
                    at(start),
                    "样式 url(…) 从外部网站加载资源：内网页面必须自带所用的全部资源",
                )
                .with_rule(EXTERNAL_RESOURCE)
                .with_len(4),
            );
        }
        j = start + 4;
    }
}

/// The value of attribute `name` in a lower-cased tag, if present.
fn attr_value<'t>(tag: &'t str, name: &str) -> Option<&'t str> {
    let mut rest = tag;
    while let Some(i) = rest.find(name) {
        let before = rest[..i].chars().last();
        let after = rest[i + name.len()..].trim_start();
        rest = &rest[i + name.len()..];
        if !before.is_some_and(|c| c.is_whitespace()) {
            continue;
        }
        let Some(v) = after.strip_prefix('=') else {
            continue;
        };
        let v = v.trim_start();
        return Some(match v.chars().next() {
            Some(q @ ('"' | '\'')) => v[1..].split(q).next().unwrap_or(""),
            _ => v
                .split(|c: char| c.is_whitespace() || c == '>')
                .next()
                .unwrap_or(""),
        });
    }
    None
}

/// External sources in the theme's and the site's templates and stylesheets; files are named
/// relative to the site `root`, like every other finding.
pub fn check_theme(theme: &Theme, root: &Path) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (source, shown) in theme.templates.values() {
        out.extend(check_html(
            source,
            Path::new(shown),
            Position { line: 1, col: 1 },
        ));
    }
    for (rel, src) in &theme.statics {
        if !rel.ends_with(".css") {
            continue;
        }
        let (text, shown) = match src {
            StaticSource::Embedded(bytes) => (
                String::from_utf8_lossy(bytes).into_owned(),
                format!("themes/default/static/{rel}"),
            ),
            StaticSource::Disk(path) => (
                std::fs::read_to_string(path).unwrap_or_default(),
                crate::diagnostic::display_path(root, path)
                    .display()
                    .to_string(),
            ),
        };
        // Lower-casing ASCII keeps every byte offset, so positions in `lower` are the file's.
        let lower = text.to_ascii_lowercase();
        let lines = crate::check::text::LineIndex::new(&lower);
        let at = |offset: usize| lines.position(&lower, offset);
        external_urls(&lower, at, Path::new(&shown), &mut out);
        for (n, l) in lower.lines().enumerate() {
            if let Some(c) = l.find("@import") {
                if is_external(
                    l[c + 7..]
                        .trim_start()
                        .trim_start_matches("url(")
                        .trim_start_matches(['"', '\'']),
                ) {
                    out.push(
                        Diagnostic::error(
                            &shown,
                            Position {
                                line: n + 1,
                                col: l[..c].chars().count() + 1,
                            },
                            "@import 从外部网站加载样式：内网页面必须自带所用的全部资源",
                        )
                        .with_rule(EXTERNAL_RESOURCE)
                        .with_len(7),
                    );
                }
            }
        }
    }
    out
}

/// Sections and packs with nothing in them, and packs with two articles of the same title.
pub fn check_model(site: &Site) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (id, s) in site.sections.iter().enumerate() {
        if id == 0 {
            continue;
        }
        if s.pages.is_empty() && s.subsections.is_empty() {
            let what = if s.kind == Some(Kind::Pack) {
                "这一期学习汇编还没有文章"
            } else {
                "栏目是空的：没有页面，也没有下级栏目"
            };
            out.push(
                Diagnostic::warning(&s.file, Position { line: 1, col: 1 }, what)
                    .with_rule(EMPTY_SECTION),
            );
        }
        if s.kind == Some(Kind::Pack) {
            let mut seen: std::collections::HashMap<&str, usize> = Default::default();
            for &p in &s.pages {
                let title = site.pages[p].fm.title.trim();
                if let Some(&first) = seen.get(title) {
                    let page = &site.pages[p];
                    out.push(
                        Diagnostic::warning(
                            &page.file,
                            page.front.position_of("title"),
                            format!(
                                "本期汇编中已有同名文章《{title}》（{}）",
                                site.pages[first].file.display()
                            ),
                        )
                        .with_rule(DUPLICATE_TITLE),
                    );
                } else {
                    seen.insert(title, p);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn external_sources_in_html() {
        let f = Path::new("a.md");
        let found = check_html(
            "<p><img src=\"https://cdn.example.com/x.png\" alt=\"x\"> <a href=\"http://gov.cn\">政府网</a></p>",
            f,
            Position { line: 3, col: 1 },
        );
        let rules: Vec<&str> = found.iter().map(|d| d.rule.as_str()).collect();
        assert_eq!(rules, [EXTERNAL_RESOURCE, EXTERNAL_LINK]);
        assert_eq!((found[0].line, found[0].col), (3, 4));
        let css = check_html(
            "<div style=\"background: url('//x.cn/a.png')\">",
            f,
            Position { line: 1, col: 1 },
        );
        assert_eq!(css.len(), 1);
        assert_eq!(css[0].rule, EXTERNAL_RESOURCE);
    }

    #[test]
    fn local_sources_and_alt_are_fine() {
        let f = Path::new("a.md");
        assert!(check_html(
            "<img src=\"a.png\" alt=\"图\"> <a href=\"../b/\">b</a>",
            f,
            Position { line: 1, col: 1 }
        )
        .is_empty());
        let no_alt = check_html("<img src=\"a.png\">", f, Position { line: 1, col: 1 });
        assert_eq!(no_alt[0].rule, IMAGE_ALT);
    }

    #[test]
    fn file_like_links() {
        assert!(names_file("原文.pdf"));
        assert!(names_file("../a/b.docx#x"));
        assert!(!names_file("../a02-jiedu/"));
        assert!(!names_file("a.md"));
        assert!(!names_file(".hidden"));
    }
}

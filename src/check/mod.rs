//! `zhibu check`: the publishing checks propaganda offices need, beyond what a build validates.
//!
//! Text rules (placeholders, personal data, wording, spacing) read the Markdown source, so every
//! finding points at its place in the file. Page rules read the rendered model: links, images,
//! external resources, empty sections, duplicate titles. Every finding names its rule, so a site
//! can change a rule's severity in `zhibu.toml` (`[check] severity = { spacing = "off" }`).

pub mod page;
pub mod personal;
pub mod report;
pub mod text;
pub mod wording;

use crate::config::{CheckConfig, Level};
use crate::diagnostic::{Diagnostic, Severity};
use crate::site::Site;
use rayon::prelude::*;
use std::path::Path;

/// Which checks to run: every one for `zhibu check`; for `build` only those that can stop a
/// build (the spacing linter only ever warns, and is the slowest).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// `zhibu check`: everything.
    All,
    /// `zhibu build`: what can be an error.
    Errors,
}

/// The publishing checks over the model: text rules and Markdown checks on every page and
/// section, theme sources, empty sections, duplicate titles. Findings are not yet adjusted to
/// the site's severities (see [`apply_levels`]).
pub fn findings(
    site: &Site,
    rules: &wording::Rules,
    theme: &crate::theme::Theme,
    root: &Path,
    scope: Scope,
) -> Vec<Diagnostic> {
    let pages = site
        .pages
        .par_iter()
        .flat_map_iter(|p| one_file(site, rules, &ContentFile::page(p), scope));
    let sections = site
        .sections
        .par_iter()
        .flat_map_iter(|s| one_file(site, rules, &ContentFile::section(s), scope));
    // The theme's templates are checked on one thread while the others check the content.
    let (mut out, theme_found): (Vec<Diagnostic>, _) = rayon::join(
        || pages.chain(sections).collect(),
        || page::check_theme(theme, root),
    );
    out.extend(theme_found);
    out.extend(page::check_model(site));
    out
}

/// The checks of page `p` alone (a watch rebuild after an edit to its body).
pub fn page_findings(
    site: &Site,
    rules: &wording::Rules,
    p: crate::site::PageId,
    scope: Scope,
) -> Vec<Diagnostic> {
    one_file(site, rules, &ContentFile::page(&site.pages[p]), scope)
}

/// What the checks read of one content file, page or section.
struct ContentFile<'a> {
    file: &'a Path,
    front: &'a crate::site::FrontSource,
    body: &'a str,
    /// Lines before the body in the file.
    body_line: usize,
    /// The file's directory relative to `content/`.
    dir: &'a str,
}

impl<'a> ContentFile<'a> {
    fn page(p: &'a crate::site::Page) -> Self {
        ContentFile {
            file: &p.file,
            front: &p.front,
            body: &p.body,
            body_line: p.body_line,
            dir: p.content_dir(),
        }
    }

    fn section(s: &'a crate::site::Section) -> Self {
        ContentFile {
            file: &s.file,
            front: &s.front,
            body: &s.body,
            body_line: s.body_line,
            dir: &s.dir,
        }
    }
}

/// Every check of one content file. Its text is laid out again line for line (front matter
/// from line 2, the body from its own line) so that positions are those of the file, and the
/// text rules see front matter as front matter (only its string values are text).
fn one_file(
    site: &Site,
    rules: &wording::Rules,
    f: &ContentFile<'_>,
    scope: Scope,
) -> Vec<Diagnostic> {
    let (file, front, body, body_line) = (f.file, f.front.text.as_str(), f.body, f.body_line);
    if body_line == 0 && front.is_empty() && body.is_empty() {
        return Vec::new();
    }
    // A file without front matter is its body, from line 1 (`body_line` is 0).
    let mut text = String::with_capacity(front.len() + body.len() + 9);
    if let Some(format) = f.front.format {
        let delimiter = match format {
            crate::frontmatter::Format::Toml => "+++\n",
            crate::frontmatter::Format::Yaml => "---\n",
        };
        text.push_str(delimiter);
        text.push_str(front);
        if !front.is_empty() && !front.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(delimiter);
    }
    text.push_str(body);
    let unit = text::TextUnit::new(file, &text);
    let mut out = text::check_text(&unit, rules);
    if scope == Scope::All {
        out.extend(text::check_spacing(&unit));
    }
    out.extend(page::check_markdown(site, file, body, body_line, f.dir));
    out
}

/// Applies the site's severities: a rule set to `off` is dropped, `error` or `warning`
/// replaces the rule's own. With `errors_only` (a build), warnings are dropped too.
pub fn apply_levels(
    findings: Vec<Diagnostic>,
    config: &CheckConfig,
    errors_only: bool,
) -> Vec<Diagnostic> {
    findings
        .into_iter()
        .filter_map(|mut d| {
            if !d.rule.is_empty() {
                let default = match d.severity {
                    Severity::Error => Level::Error,
                    Severity::Warning => Level::Warning,
                };
                d.severity = match config.level(&d.rule, default) {
                    Level::Off => return None,
                    Level::Error => Severity::Error,
                    Level::Warning => Severity::Warning,
                };
            }
            (!errors_only || d.is_error()).then_some(d)
        })
        .collect()
}

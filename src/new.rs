//! `zhibu new`: the files of a new study pack, article or brand, with the front matter their
//! section's kind asks for.
//!
//! Editors copy last month's folder by hand otherwise, and carry over its 期号, dates and
//! review names by mistake. Every file made here is a draft (`draft = true`) holding only
//! instructions, so nothing is published before an editor has written it and removed that line.
//! An existing file is never overwritten.

use crate::config::SlugStyle;
use crate::diagnostic::Diagnostic;
use crate::kinds::Kind;
use crate::site::{Section, Site};
use crate::slug::slugify;
use std::path::{Path, PathBuf};

/// Why `zhibu new` made nothing.
#[derive(Debug, thiserror::Error)]
pub enum NewError {
    /// `zhibu.toml` could not be read.
    #[error("无法读取站点配置：\n{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Config(Vec<Diagnostic>),
    /// No section, or more than one, fits; the message says which and what to do.
    #[error("{0}")]
    Section(String),
    /// The file or folder to create is already there.
    #[error("{} 已经存在，没有改动它；请换一个名称，或先移走已有的文件", .0.display())]
    Exists(PathBuf),
    /// `--category` is not one of `pack_categories`.
    #[error("分类“{given}”不在 zhibu.toml 的 pack_categories 中，可选：{}", .known.join("、"))]
    Category {
        /// As given.
        given: String,
        /// The configured categories.
        known: Vec<String>,
    },
    /// The title gives no usable file name.
    #[error("无法从“{0}”生成文件名，请用 --slug 指定（如 --slug di-yi-pian）")]
    EmptySlug(String),
    /// Writing failed.
    #[error("无法写入 {}：{error}", .path.display())]
    Io {
        /// The file being written.
        path: PathBuf,
        /// The I/O error (shown in the message, so not chained as a source too).
        error: std::io::Error,
    },
}

/// What `zhibu new pack` was asked for.
#[derive(Debug, Clone, Default)]
pub struct PackOptions {
    /// Folder of the packs section (`xuexi`) when the site has several.
    pub section: Option<String>,
    /// Year of the new pack; the month after the latest pack's when absent.
    pub year: Option<u16>,
    /// Month of the new pack, 1–12.
    pub month: Option<u8>,
}

/// Creates the next pack: `<packs>/YYYY-MM/_index.md` and one article stub per configured
/// category. Returns the files made, relative to `root`.
pub fn pack(root: &Path, opts: &PackOptions) -> Result<Vec<PathBuf>, NewError> {
    let site = model(root)?;
    let archive = find_by_kind(&site, Kind::Packs, opts.section.as_deref())?;
    let (year, month) = pack_month(&site, opts);
    let issue = site
        .sections
        .iter()
        .filter_map(|s| s.data.pack.as_ref())
        .filter(|p| p.year == year)
        .map(|p| p.issue)
        .max()
        .unwrap_or(0)
        + 1;
    let dir = join_dir(&archive.dir, &format!("{year}-{month:02}"));
    let folder = root.join("content").join(&dir);
    if folder.exists() {
        return Err(NewError::Exists(folder));
    }
    let mut files = vec![(format!("{dir}/_index.md"), pack_index(year, month, issue))];
    for (i, category) in site.config.pack_categories.iter().enumerate() {
        let n = i + 1;
        let slug = slugify(category, site.config.slug_style);
        let name = if slug.is_empty() {
            format!("a{n:02}.md")
        } else {
            format!("a{n:02}-{slug}.md")
        };
        let date = format!("{year}-{month:02}-01");
        let text = pack_article(
            &format!("本期{category}（请改为正式标题）"),
            &date,
            n,
            category,
        );
        files.push((format!("{dir}/{name}"), text));
    }
    write_all(root, files)
}

/// Creates a page titled `title` in the section at `section` (a folder under `content/`), with
/// the fields its kind needs: a pack article gets `category` (`--category`, else the first
/// configured one) and the next weight, a column article `form = "text"`, a brand its required
/// fields. Returns the file made, relative to `root`.
pub fn article(
    root: &Path,
    section: &str,
    title: &str,
    category: Option<&str>,
    slug: Option<&str>,
) -> Result<Vec<PathBuf>, NewError> {
    let site = model(root)?;
    let wanted = section
        .trim()
        .replace('\\', "/")
        .trim_matches('/')
        .trim_start_matches("content/")
        .to_string();
    let Some(s) = site.sections.iter().find(|s| s.dir == wanted) else {
        let known: Vec<&str> = site
            .sections
            .iter()
            .map(|s| s.dir.as_str())
            .filter(|d| !d.is_empty())
            .collect();
        return Err(NewError::Section(format!(
            "content/ 下没有栏目 `{wanted}`（栏目是含 _index.md 的目录），现有栏目：{}",
            known.join("、")
        )));
    };
    if category.is_some() && s.kind != Some(Kind::Pack) {
        return Err(NewError::Section(format!(
            "--category 只用于学习汇编中的文章，`{wanted}` 不是一期学习汇编"
        )));
    }
    let slug = file_slug(title, slug, site.config.slug_style)?;
    let date = crate::clock::today();
    // (file name without `.md`, whether it is a folder with index.md, text)
    let (stem, bundle, text) = match s.kind {
        Some(Kind::Packs) => return Err(in_archive(&wanted)),
        Some(Kind::Pack) => {
            let category = pick_category(&site, category)?;
            let weight = next_weight(&site, s);
            let text = pack_article(title, &date, weight as usize, &category);
            (format!("a{weight:02}-{slug}"), false, text)
        }
        Some(Kind::Brands) => (slug, true, brand_page(title, &date)),
        Some(Kind::Column) => (slug, false, column_article(title, &date)),
        Some(Kind::News) | None => (slug, false, plain_page(title, &date)),
    };
    refuse_same_url(root, &s.dir, &stem)?;
    let name = if bundle {
        format!("{stem}/index.md")
    } else {
        format!("{stem}.md")
    };
    write_all(root, vec![(join_dir(&s.dir, &name), text)])
}

fn in_archive(dir: &str) -> NewError {
    NewError::Section(format!(
        "`{dir}` 是学习汇编总栏目，文章应写在某一期的目录中（如 {}）；新建一期请用 zhibu new pack",
        join_dir(dir, "2026-12")
    ))
}

/// Creates a brand page `<brands>/<slug>/index.md` (a folder, so its logo and photos can sit
/// beside it) with the required fields stubbed. Returns the file made, relative to `root`.
pub fn brand(
    root: &Path,
    name: &str,
    section: Option<&str>,
    slug: Option<&str>,
) -> Result<Vec<PathBuf>, NewError> {
    let site = model(root)?;
    let brands = find_by_kind(&site, Kind::Brands, section)?;
    let slug = file_slug(name, slug, site.config.slug_style)?;
    refuse_same_url(root, &brands.dir, &slug)?;
    let file = join_dir(&brands.dir, &format!("{slug}/index.md"));
    write_all(root, vec![(file, brand_page(name, &crate::clock::today()))])
}

fn model(root: &Path) -> Result<Site, NewError> {
    crate::pipeline::read_model(root).map_err(NewError::Config)
}

/// The one section of `kind` (packs or brands), or the one at `wanted`.
fn find_by_kind<'s>(
    site: &'s Site,
    kind: Kind,
    wanted: Option<&str>,
) -> Result<&'s Section, NewError> {
    let (label, name, command) = match kind {
        Kind::Packs => ("学习汇编总栏目", "packs", "zhibu new pack"),
        _ => ("党建品牌栏目", "brands", "zhibu new brand"),
    };
    let label = format!("{label}（kind = \"{name}\"）");
    let found: Vec<&Section> = site
        .sections
        .iter()
        .filter(|s| s.kind == Some(kind))
        .collect();
    let dirs = || found.iter().map(|s| s.dir.as_str()).collect::<Vec<_>>();
    match (wanted, found.as_slice()) {
        (Some(w), _) => {
            let w = w.trim().replace('\\', "/");
            let w = w.trim_matches('/');
            found.iter().copied().find(|s| s.dir == w).ok_or_else(|| {
                NewError::Section(format!(
                    "`{w}` 不是{label}；这样的栏目有：{}",
                    dirs().join("、")
                ))
            })
        }
        (None, [one]) => Ok(one),
        (None, []) => Err(NewError::Section(format!(
            "站点中没有{label}：请先建一个栏目，在它的 _index.md 中写 kind = \"{name}\""
        ))),
        (None, _) => Err(NewError::Section(format!(
            "站点中有多个{label}：{}，请用 {command} --section 目录 指定一个",
            dirs().join("、")
        ))),
    }
}

/// The month asked for, else the month after the latest pack, else this month.
fn pack_month(site: &Site, opts: &PackOptions) -> (u16, u8) {
    let latest = site
        .sections
        .iter()
        .filter_map(|s| s.data.pack.as_ref())
        .map(|p| (p.year, p.month))
        .max();
    let default = match latest {
        Some((y, 12)) => (y.saturating_add(1), 1),
        Some((y, m)) => (y, m + 1),
        None => {
            let now = crate::clock::beijing_now();
            (now.year.clamp(1, 9999) as u16, now.month as u8)
        }
    };
    (
        opts.year.unwrap_or(default.0),
        opts.month.unwrap_or(default.1),
    )
}

fn pick_category(site: &Site, given: Option<&str>) -> Result<String, NewError> {
    let known = &site.config.pack_categories;
    match given {
        None => Ok(known.first().cloned().unwrap_or_default()),
        Some(g) if known.iter().any(|k| k == g.trim()) => Ok(g.trim().to_string()),
        Some(g) => Err(NewError::Category {
            given: g.to_string(),
            known: known.clone(),
        }),
    }
}

/// One more than the largest weight in the section, so the new article comes last.
fn next_weight(site: &Site, s: &Section) -> i64 {
    let max = s
        .pages
        .iter()
        .filter_map(|&p| site.pages[p].fm.weight)
        .max()
        .unwrap_or(0);
    max.max(0) + 1
}

fn file_slug(title: &str, given: Option<&str>, style: SlugStyle) -> Result<String, NewError> {
    let slug = slugify(given.unwrap_or(title), style);
    if slug.is_empty() || slug.starts_with('.') {
        return Err(NewError::EmptySlug(given.unwrap_or(title).to_string()));
    }
    Ok(slug)
}

/// `x.md` and `x/index.md` would publish at the same address: refuse when either exists.
fn refuse_same_url(root: &Path, dir: &str, slug: &str) -> Result<(), NewError> {
    let base = root.join("content").join(dir);
    for candidate in [base.join(format!("{slug}.md")), base.join(slug)] {
        if candidate.exists() {
            return Err(NewError::Exists(candidate));
        }
    }
    Ok(())
}

/// Writes every `(path under content/, text)`; stops at the first that exists.
fn write_all(root: &Path, files: Vec<(String, String)>) -> Result<Vec<PathBuf>, NewError> {
    let mut made = Vec::new();
    for (rel, text) in files {
        let path = root.join("content").join(&rel);
        match crate::output::write_new(&path, text.as_bytes()) {
            Ok(true) => made.push(Path::new("content").join(rel)),
            Ok(false) => return Err(NewError::Exists(path)),
            Err(error) => return Err(NewError::Io { path, error }),
        }
    }
    Ok(made)
}

fn join_dir(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

const BODY: &str = "（请在此处撰写正文。写好后删去 front matter 中的 draft = true 才会发布。）\n";

fn pack_index(year: u16, month: u8, issue: u32) -> String {
    format!(
        "+++\n\
         title = \"理论学习汇编 {year}年第{issue}期\"\n\
         kind = \"pack\"\n\
         description = \"本期主题：（请填写）\"\n\
         sort_by = \"weight\"\n\
         # 整期为草稿：全部文章写好、审定后删去下面一行才会发布\n\
         draft = true\n\
         \n\
         [extra]\n\
         year = {year}\n\
         month = {month}\n\
         issue = {issue}\n\
         theme = \"（请填写本期主题）\"\n\
         note = \"（请填写编者按）\"\n\
         +++\n\
         \n\
         （请在此处写本期导语：本期共几篇，建议怎样组织学习。）\n"
    )
}

fn pack_article(title: &str, date: &str, weight: usize, category: &str) -> String {
    let extra = format!(
        "\n[extra]\ncategory = {}\n",
        crate::frontmatter::toml_string(category)
    );
    draft_page(title, date, &format!("weight = {weight}\n"), &extra)
}

fn column_article(title: &str, date: &str) -> String {
    let extra = "\n[extra]\n# 图文 text、书画作品 gallery、微视频 video、清廉榜样 exemplar\nform = \"text\"\n";
    draft_page(title, date, "", extra)
}

fn plain_page(title: &str, date: &str) -> String {
    draft_page(title, date, "", "")
}

/// A draft page stub: title, a description to fill in, date, `fields` (whole lines) before
/// `draft = true`, then `extra` (an `[extra]` table, or nothing) and the stub body.
fn draft_page(title: &str, date: &str, fields: &str, extra: &str) -> String {
    format!(
        "+++\n\
         title = {}\n\
         description = \"（请填写简介）\"\n\
         date = {date}\n\
         {fields}\
         draft = true\n\
         {extra}\
         +++\n\
         \n\
         {BODY}",
        crate::frontmatter::toml_string(title)
    )
}

fn brand_page(name: &str, date: &str) -> String {
    format!(
        "+++\n\
         title = {name}\n\
         description = \"（请填写一句话介绍）\"\n\
         date = {date}\n\
         draft = true\n\
         \n\
         [extra]\n\
         name = {name}\n\
         unit = \"（请填写单位名称）\"\n\
         # 星级 3–5\n\
         stars = 3\n\
         +++\n\
         \n\
         {BODY}",
        name = crate::frontmatter::toml_string(name)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_escaped_for_toml() {
        let text = plain_page("他说\"好\"\\再见", "2026-11-01");
        let fm: toml::Value = toml::from_str(text.split("+++").nth(1).unwrap()).unwrap();
        assert_eq!(fm["title"].as_str(), Some("他说\"好\"\\再见"));
    }
}

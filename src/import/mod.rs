//! `zhibu import`: Word (.docx) and plain-text (.txt) articles into Markdown pages.
//!
//! Propaganda staff write in Word and pass material around on discs; retyping an article into
//! Markdown loses time and introduces mistakes. The readers ([`docx`], [`txt`]) turn a file into
//! blocks of text, [`markdown`] writes them (official-document numbering `一、` `（一）` `1.`
//! `（1）` becomes headings, text that looks like Markdown is escaped), and this module places
//! the page in the site with front matter that builds: title, date, and the category a study
//! pack requires. What could not be converted is reported, never silently dropped.

mod docx;
mod markdown;
mod txt;
mod xml;

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::kinds::Kind;
use std::fmt;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

/// What to import and where.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Site root (with `zhibu.toml` and `content/`).
    pub root: PathBuf,
    /// The .docx or .txt file.
    pub file: PathBuf,
    /// Section directory under `content/` (`xuexi/2026-11`); empty for `content/` itself.
    pub section: String,
    /// URL segment and file name to use instead of one made from the file name.
    pub slug: Option<String>,
    /// Overwrite an existing page of the same name.
    pub force: bool,
}

/// What an import wrote and what it could not convert.
#[derive(Debug)]
pub struct ImportReport {
    /// The Markdown file written.
    pub page: PathBuf,
    /// Pictures extracted beside it.
    pub images: usize,
    /// Parts of the document that were not (fully) converted, in document order.
    pub notes: Vec<Note>,
    /// Front matter the editor should look at (a study-pack category that was guessed).
    pub hints: Vec<String>,
}

/// One part of the document that was not (fully) converted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// Where: `第 12 段（“一、提高认识…”）`; empty for the whole file.
    pub at: String,
    /// What was not converted, and what to do about it.
    pub what: String,
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.at.is_empty() {
            f.write_str(&self.what)
        } else {
            write!(f, "{}：{}", self.at, self.what)
        }
    }
}

/// Why nothing was imported. Nothing is written when any of these happens.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Not a .docx or .txt.
    #[error("{}：不支持的文件类型，只能导入 .docx（Word）和 .txt（纯文本）；旧版 .doc 和 .wps 请先另存为 .docx", .0.display())]
    Unsupported(PathBuf),
    /// The file could not be read.
    #[error("{}：无法读取：{source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A .docx that is not a readable Word document.
    #[error("{}：{detail}", path.display())]
    Docx {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        detail: String,
    },
    /// A text file that cannot be decoded.
    #[error("{0}")]
    Text(Diagnostic),
    /// The document has no text at all.
    #[error("{}：文件中没有文字，没有可导入的内容", .0.display())]
    Empty(PathBuf),
    /// The site's configuration cannot be read.
    #[error("站点配置有误：{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("；"))]
    Config(Vec<Diagnostic>),
    /// `--section` is not a directory under `content/`.
    #[error("栏目 {}：{why}", path.display())]
    Section {
        /// The directory asked for.
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
    /// No usable slug could be made.
    #[error("{}：无法由文件名（或 --slug）生成网址：请用 --slug 指定一段英文或拼音，如 --slug xuexi-tongzhi（不能含 / 或 \\，不能是 index）", .0.display())]
    NoSlug(PathBuf),
    /// The page would take the URL of another page (`a.md` beside `a/index.md`).
    #[error("{}：已存在，与要写入的 {} 是同一个网址，未作改动；请先删除或改名它，或用 --slug 另取一个名字", existing.display(), wanted.display())]
    SameUrl {
        /// The page there.
        existing: PathBuf,
        /// The page that would be written.
        wanted: PathBuf,
    },
    /// The page exists and `--force` was not given.
    #[error("{}：已存在，未作改动；确认要覆盖时加 --force，或用 --slug 另取一个名字", .0.display())]
    Exists(PathBuf),
    /// Writing the page failed.
    #[error("{}：无法写入：{source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

impl ImportError {
    fn docx(path: &Path, detail: impl Into<String>) -> ImportError {
        ImportError::Docx {
            path: path.to_path_buf(),
            detail: detail.into(),
        }
    }
}

/// What a reader makes of a file.
pub(crate) struct Document {
    /// The title (document title or first line), not repeated in `blocks`; `None` when the
    /// document has none that looks like one.
    title: Option<String>,
    /// `YYYY-MM-DD` the document was created, when it says.
    created: Option<String>,
    blocks: Vec<markdown::Block>,
    images: Vec<Image>,
    notes: Vec<Note>,
}

/// A picture to write into the page bundle.
pub(crate) struct Image {
    /// File name in the bundle, a plain name without path.
    name: String,
    bytes: Vec<u8>,
}

/// Imports `opts.file` as a page of the site; see the module documentation.
pub fn import(opts: &ImportOptions) -> Result<ImportReport, ImportError> {
    let config = Config::load(&opts.root).map_err(ImportError::Config)?;
    let section = section_dir(&opts.root, &opts.section)?;
    let ext = opts
        .file
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase());
    let doc = match ext.as_deref() {
        Some("docx") => docx::read(&opts.file)?,
        Some("txt") => txt::read(&opts.file)?,
        _ => return Err(ImportError::Unsupported(opts.file.clone())),
    };
    if doc.title.is_none() && doc.blocks.is_empty() {
        return Err(ImportError::Empty(opts.file.clone()));
    }
    let slug = page_slug(opts, &config)?;
    let mut hints = Vec::new();
    let title = doc.title.clone().unwrap_or_else(|| {
        hints.push("文档开头没有像标题的一行，标题暂用文件名，请修改 title".to_string());
        file_stem(&opts.file)
    });
    let kind = section_kind(&opts.root.join("content"), &section);
    let (page, other) = if doc.images.is_empty() {
        (
            section.join(format!("{slug}.md")),
            section.join(&slug).join("index.md"),
        )
    } else {
        (
            section.join(&slug).join("index.md"),
            section.join(format!("{slug}.md")),
        )
    };
    if other.exists() {
        return Err(ImportError::SameUrl {
            existing: other,
            wanted: page,
        });
    }
    if page.exists() && !opts.force {
        return Err(ImportError::Exists(page));
    }
    let front = front_matter(&title, &doc, kind, &config, &mut hints);
    let text = format!("{front}\n{}", markdown::to_markdown(&doc.blocks));
    let dir = page.parent().unwrap_or(&section);
    std::fs::create_dir_all(dir).map_err(|e| ImportError::Write {
        path: dir.to_path_buf(),
        source: e,
    })?;
    let mut files: Vec<(PathBuf, &[u8])> = doc
        .images
        .iter()
        .map(|i| (dir.join(&i.name), i.bytes.as_slice()))
        .collect();
    files.push((page.clone(), text.as_bytes()));
    write_all(&files)?;
    Ok(ImportReport {
        page,
        images: doc.images.len(),
        notes: doc.notes,
        hints,
    })
}

/// `content/<section>`, which must be an existing directory inside `content/`.
fn section_dir(root: &Path, section: &str) -> Result<PathBuf, ImportError> {
    let content = root.join("content");
    let rel = section.trim_matches('/');
    let rel = rel.strip_prefix("content/").unwrap_or(rel);
    let rel = if rel == "content" { "" } else { rel };
    let path = Path::new(rel);
    let bad = |why: &str| ImportError::Section {
        path: content.join(rel),
        why: why.to_string(),
    };
    if !path.components().all(|c| matches!(c, Component::Normal(_))) {
        return Err(bad(
            "应写 content/ 下的目录，如 xuexi/2026-11，不能含 `..` 或以 / 开头",
        ));
    }
    let dir = content.join(path);
    if !dir.is_dir() {
        return Err(bad(
            "目录不存在：请先建立栏目（含 _index.md 的目录），或检查拼写",
        ));
    }
    if dir.join("index.md").exists() {
        return Err(bad(
            "是一个页面包（含 index.md），不是栏目：请导入到它所在的栏目",
        ));
    }
    Ok(dir)
}

/// The page's file name: `--slug`, or the imported file's name as the site would turn it into
/// a URL segment — so the file name and the URL agree.
fn page_slug(opts: &ImportOptions, config: &Config) -> Result<String, ImportError> {
    let stem = file_stem(&opts.file);
    let name = opts.slug.as_deref().unwrap_or(&stem);
    if crate::slug::explicit_slug_problem(name).is_some() {
        return Err(ImportError::NoSlug(opts.file.clone()));
    }
    let slug = crate::slug::slugify(name, config.slug_style);
    if slug.is_empty() || slug.starts_with('.') || slug == "_index" || slug == "index" {
        return Err(ImportError::NoSlug(opts.file.clone()));
    }
    Ok(slug)
}

fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Whether the first line of a document can be its title: a title is short and is not a
/// sentence. A document that starts straight with body text keeps it in the body.
fn title_like(text: &str) -> bool {
    let text = text.trim();
    !text.is_empty() && text.chars().count() <= 80 && !text.contains('。')
}

/// The kind of the section a page in `dir` belongs to: that of the nearest directory with an
/// `_index.md`, or `pack` under a `packs` archive — as the site model decides it.
fn section_kind(content: &Path, dir: &Path) -> Option<Kind> {
    let mut sections = dir
        .ancestors()
        .take_while(|d| d.starts_with(content))
        .filter(|d| d.join("_index.md").is_file());
    let own = sections.next()?;
    declared_kind(own).or_else(|| {
        let parent = sections.next()?;
        (declared_kind(parent) == Some(Kind::Packs)).then_some(Kind::Pack)
    })
}

/// `kind` in a section's `_index.md`; problems are left to the build to report.
fn declared_kind(dir: &Path) -> Option<Kind> {
    let file = dir.join("_index.md");
    let text = crate::source::read_text(&file, &file).ok()?;
    let split = crate::frontmatter::split(&text.text, &file).ok()?;
    let (format, front) = split.front?;
    crate::frontmatter::parse::<crate::frontmatter::SectionFrontMatter>(format, front, &file)
        .ok()?
        .kind
}

/// Front matter in the site's format (TOML), with what the section's kind requires.
fn front_matter(
    title: &str,
    doc: &Document,
    kind: Option<Kind>,
    config: &Config,
    hints: &mut Vec<String>,
) -> String {
    let date = closing_date(&doc.blocks)
        .or_else(|| doc.created.clone())
        .unwrap_or_else(crate::clock::today);
    let mut out = format!(
        "+++\ntitle = {}\ndate = {date}\n",
        crate::frontmatter::toml_string(title.trim())
    );
    if kind == Some(Kind::Pack) {
        if let Some(category) = pack_category(title, &config.pack_categories) {
            hints.push(format!(
                "学习汇编文章的分类设为“{category}”（{}），如不对请修改 [extra] category",
                if title.contains(category) {
                    "依据标题"
                } else {
                    "第一个分类"
                }
            ));
            out.push_str(&format!(
                "\n[extra]\ncategory = {}\n",
                crate::frontmatter::toml_string(category)
            ));
        }
    }
    if kind == Some(Kind::Brands) {
        // A brand page needs fields no document has; as a draft it builds until they are in.
        out.push_str("draft = true\n");
        hints.push("党建品牌页面需要在 [extra] 中填写 name、unit、stars 等字段：已存为草稿（draft = true），填好后删去这一行".into());
    }
    out.push_str("+++\n");
    out
}

/// The category named in the title, else the first one.
fn pack_category<'a>(title: &str, categories: &'a [String]) -> Option<&'a str> {
    categories
        .iter()
        .find(|c| title.contains(c.as_str()))
        .or(categories.first())
        .map(String::as_str)
}

/// The date under the signature (`2026年11月10日`) among the last lines: the document's own
/// date, better than when the file happened to be created.
fn closing_date(blocks: &[markdown::Block]) -> Option<String> {
    blocks.iter().rev().take(4).find_map(|b| {
        let markdown::Block::Para(inlines) = b else {
            return None;
        };
        let text: String = markdown::plain_text(inlines)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let (y, rest) = text.split_once('年')?;
        let (m, rest) = rest.split_once('月')?;
        let d = rest.strip_suffix('日')?;
        let (y, m, d): (u32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
        ((1900..=2999).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d))
            .then(|| format!("{y:04}-{m:02}-{d:02}"))
    })
}

/// Writes the pictures, then the page. When one fails, the new files written before it are
/// removed again: a bundle folder of pictures without its page would publish them as files of
/// the section.
fn write_all(files: &[(PathBuf, &[u8])]) -> Result<(), ImportError> {
    let mut created = Vec::new();
    for (path, bytes) in files {
        let new = !path.exists();
        if let Err(e) = write_file(path, bytes) {
            for p in &created {
                let _ = std::fs::remove_file(p);
            }
            return Err(e);
        }
        if new {
            created.push(path);
        }
    }
    Ok(())
}

/// Writes a file whole or not at all, through a temporary file beside it that builds never
/// publish (see [`crate::output::temp_file_in`]) and that is removed again when anything fails.
fn write_file(path: &Path, bytes: &[u8]) -> Result<(), ImportError> {
    let err = |e| ImportError::Write {
        path: path.to_path_buf(),
        source: e,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = crate::output::temp_file_in(dir, ".zhibu-import-").map_err(err)?;
    tmp.write_all(bytes).map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        let para = |t: &str| markdown::Block::Para(vec![markdown::Inline::plain(t)]);
        let blocks = [para("正文"), para("机关党委"), para("2026年11月5日")];
        assert_eq!(closing_date(&blocks).as_deref(), Some("2026-11-05"));
        assert_eq!(closing_date(&blocks[..2]), None);
    }

    #[test]
    fn categories() {
        let cats = ["原文", "解读"].map(String::from);
        assert_eq!(pack_category("深入解读数据条例", &cats), Some("解读"));
        assert_eq!(pack_category("条例全文", &cats), Some("原文"));
    }
}

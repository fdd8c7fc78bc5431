//! The site model: sections, pages and taxonomies as plain data with ids.
//!
//! Relations are indices (`PageId`, `SectionId`), never references or clones, so the model is
//! cheap to build, easy to rebuild after an edit, and templates receive only small views of it.

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Diagnostics, Position};
use crate::frontmatter::{
    self, FmDate, Format, PageFrontMatter, Review, SectionFrontMatter, SortBy,
};
use crate::kinds::{Kind, PageData, SectionData};
use crate::slug::{explicit_slug_problem, slugify};
use crate::source::{self, SourceFile, SourceKind};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

/// Index of a page in `Site::pages`.
pub type PageId = usize;
/// Index of a section in `Site::sections`.
pub type SectionId = usize;

/// A directory with an `_index.md` (or the implicit home section).
#[derive(Debug)]
pub struct Section {
    /// File as shown in messages (`content/xuexi/_index.md`).
    pub file: PathBuf,
    /// Directory relative to `content/` (`xuexi`, `""` for home).
    pub dir: String,
    /// Front matter.
    pub fm: SectionFrontMatter,
    /// Title (front matter, or the directory name).
    pub title: String,
    /// Markdown body.
    pub body: std::sync::Arc<str>,
    /// Lines before the body in the file.
    pub body_line: usize,
    /// URL directory relative to the site root (`xuexi/`, `""` for home).
    pub path: String,
    /// Enclosing section; `None` only for home.
    pub parent: Option<SectionId>,
    /// Child sections in display order.
    pub subsections: Vec<SectionId>,
    /// Pages in the section's order.
    pub pages: Vec<PageId>,
    /// The front matter as written, to locate problems found after parsing.
    pub front: FrontSource,
    /// Declared kind, or `pack` under a `packs` archive.
    pub kind: Option<Kind>,
    /// What the kind adds (pack data, column cover), once checked.
    pub data: SectionData,
}

/// A Markdown page.
#[derive(Debug)]
pub struct Page {
    /// File as shown in messages.
    pub file: PathBuf,
    /// Path relative to `content/` (`xuexi/2026-11/a01.md`).
    pub rel: String,
    /// Front matter.
    pub fm: PageFrontMatter,
    /// Markdown body.
    pub body: std::sync::Arc<str>,
    /// Lines before the body in the file.
    pub body_line: usize,
    /// The section holding the page.
    pub section: SectionId,
    /// URL directory relative to the site root (`xuexi/2026-11/a01/`).
    pub path: String,
    /// The front matter as written.
    pub front: FrontSource,
    /// Kind inherited from the section.
    pub kind: Option<Kind>,
    /// What the kind adds (article category, brand fields…), once checked.
    pub data: PageData,
    /// Last URL segment.
    pub slug: String,
    /// Other files of a page bundle, relative to the bundle directory.
    pub assets: Vec<String>,
    /// Neighbour before this page in the section's order.
    pub prev: Option<PageId>,
    /// Neighbour after this page in the section's order.
    pub next: Option<PageId>,
    /// Terms as (taxonomy index, term index).
    pub terms: Vec<(usize, usize)>,
}

/// A taxonomy (`tags`) with its terms.
#[derive(Debug)]
pub struct Taxonomy {
    /// Front matter key and URL segment.
    pub name: String,
    /// Display title.
    pub title: String,
    /// Pages per term page.
    pub paginate_by: usize,
    /// Terms sorted by name.
    pub terms: Vec<Term>,
}

/// One term of a taxonomy and its pages, newest first.
#[derive(Debug)]
pub struct Term {
    /// As written in front matter.
    pub name: String,
    /// URL segment.
    pub slug: String,
    /// Pages carrying the term.
    pub pages: Vec<PageId>,
}

impl Page {
    /// Directory of the Markdown file, relative to `content/`.
    pub fn content_dir(&self) -> &str {
        parent_dir(&self.rel)
    }
}

impl Taxonomy {
    /// URL directory of the taxonomy's list page.
    pub fn path(&self) -> String {
        format!("{}/", self.name)
    }

    /// URL directory of one term's page.
    pub fn term_path(&self, term: &Term) -> String {
        format!("{}/{}/", self.name, term.slug)
    }
}

/// A non-Markdown file copied into the output.
#[derive(Debug, Clone)]
pub struct Asset {
    /// File on disk.
    pub src: PathBuf,
    /// Path relative to `content/` (how front matter refers to it).
    pub rel: String,
    /// Output path relative to the output root.
    pub dest: String,
}

/// Where an internal link `@/…` can point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkTarget {
    /// A page.
    Page(PageId),
    /// A section.
    Section(SectionId),
}

/// The whole site, in memory.
#[derive(Debug)]
pub struct Site {
    /// Settings.
    pub config: Config,
    /// Sections; index 0 is home.
    pub sections: Vec<Section>,
    /// Pages.
    pub pages: Vec<Page>,
    /// Taxonomies in configuration order.
    pub taxonomies: Vec<Taxonomy>,
    /// Files copied beside pages and sections.
    pub assets: Vec<Asset>,
    /// Content-relative path → index in `assets`.
    asset_index: HashMap<String, usize>,
    /// Content-relative file name → target, for `@/` links.
    pub links: HashMap<String, LinkTarget>,
    /// Content-relative names of Markdown files that could not be read or parsed (already
    /// reported), so links to them are not reported a second time.
    pub unreadable: std::collections::HashSet<String>,
}

/// A content file read and split, before it becomes part of the model.
///
/// Cheap to clone (the body is shared), so a watch session can keep the documents of files
/// that did not change and assemble a new model from them.
#[derive(Debug, Clone)]
pub struct Document {
    /// Where it came from.
    pub source: SourceFile,
    /// As shown in messages.
    pub shown: PathBuf,
    /// Parsed front matter.
    pub front: DocFront,
    /// The front matter as written (to locate keys that are checked after parsing).
    pub front_source: FrontSource,
    /// Markdown body.
    pub body: std::sync::Arc<str>,
    /// Lines before the body.
    pub body_line: usize,
    /// Findings that did not stop reading the file (GBK or UTF-16 encoding), for the build to
    /// report.
    pub warnings: Vec<Diagnostic>,
}

/// Front matter of either kind.
#[derive(Debug, Clone)]
pub enum DocFront {
    /// `_index.md`.
    Section(SectionFrontMatter),
    /// Any other `.md`.
    Page(PageFrontMatter),
}

/// Reads and parses one Markdown file.
pub fn read_document(source: SourceFile, shown: PathBuf) -> Result<Document, Diagnostic> {
    let source::Text { text, warnings } = source::read_text(&source.path, &shown)?;
    let split = frontmatter::split(&text, &shown)?;
    let front_source = FrontSource {
        text: split.front.map(|(_, t)| t.to_string()).unwrap_or_default(),
        format: split.front.map(|(f, _)| f),
    };
    let front = match (source.kind, split.front) {
        (SourceKind::Section, None) => DocFront::Section(SectionFrontMatter::default()),
        (SourceKind::Section, Some((f, t))) => DocFront::Section(frontmatter::parse(f, t, &shown)?),
        (_, None) => {
            return Err(Diagnostic::error(
                &shown,
                Position { line: 1, col: 1 },
                "页面缺少 front matter：文件应以 +++ 开头，至少写 title = \"标题\"，再以 +++ 结束",
            ))
        }
        (_, Some((f, t))) => {
            let mut fm: PageFrontMatter = frontmatter::parse(f, t, &shown)?;
            if fm.title.trim().is_empty() {
                return Err(Diagnostic::error(
                    &shown,
                    key_position(t, "title"),
                    "标题 title 不能为空",
                ));
            }
            if let Some(e) = fm.extra.as_mut() {
                frontmatter::clean_extra(e);
            }
            DocFront::Page(fm)
        }
    };
    let (body, body_line) = (std::sync::Arc::from(split.body), split.body_line);
    Ok(Document {
        source,
        shown,
        front,
        front_source,
        body,
        body_line,
        warnings,
    })
}

/// A file's front matter text and language, kept for checks that run after the model exists.
#[derive(Debug, Clone, Default)]
pub struct FrontSource {
    /// The text between the delimiters.
    pub text: String,
    /// TOML or YAML; `None` when the file had no front matter.
    pub format: Option<Format>,
}

impl FrontSource {
    /// Where `key` is written (line 2 of the file when not found).
    pub fn position_of(&self, key: &str) -> Position {
        key_position(&self.text, key)
    }
}

/// The place of `key` in a front matter block (which starts on line 2 of its file).
fn key_position(front: &str, key: &str) -> Position {
    let mut offset = 0;
    for line in front.split_inclusive('\n') {
        let t = line.trim_start();
        if t.starts_with(key) && t[key.len()..].trim_start().starts_with(['=', ':']) {
            return Position::of_offset(front, offset + line.len() - t.len()).shifted(1);
        }
        offset += line.len();
    }
    Position { line: 2, col: 1 }
}

/// Directory part of a content-relative path (`a/b/c.md` → `a/b`, `c.md` → ``).
fn parent_dir(rel: &str) -> &str {
    rel.rfind('/').map_or("", |i| &rel[..i])
}

/// Last segment of a content-relative path.
fn file_name(rel: &str) -> &str {
    rel.rfind('/').map_or(rel, |i| &rel[i + 1..])
}

impl Site {
    /// Builds the model from parsed documents and asset files.
    ///
    /// Drafts (pages, and sections with everything under them) are left out unless `drafts`.
    pub fn assemble(
        config: Config,
        docs: Vec<Document>,
        assets: Vec<SourceFile>,
        drafts: bool,
        diags: &mut Diagnostics,
    ) -> Site {
        let mut site = Site {
            config,
            sections: Vec::new(),
            pages: Vec::new(),
            taxonomies: Vec::new(),
            assets: Vec::new(),
            asset_index: HashMap::new(),
            links: HashMap::new(),
            unreadable: Default::default(),
        };
        // Documents are large: grown by doubling, the lists would copy them over and over.
        let sections = docs
            .iter()
            .filter(|d| matches!(d.front, DocFront::Section(_)))
            .count();
        let mut section_docs = Vec::with_capacity(sections);
        let mut page_docs = Vec::with_capacity(docs.len() - sections);
        for d in docs {
            match d.front {
                DocFront::Section(_) => section_docs.push(d),
                _ => page_docs.push(d),
            }
        }
        site.pages.reserve_exact(page_docs.len());
        let hidden_dirs = site.add_sections(section_docs, drafts);
        let (bundles, terms) = site.add_pages(page_docs, drafts, &hidden_dirs, diags);
        site.add_assets(assets, &bundles, &hidden_dirs);
        site.asset_index = site
            .assets
            .iter()
            .enumerate()
            .map(|(i, a)| (a.rel.clone(), i))
            .collect();
        site.order();
        site.collect_taxonomies(terms);
        crate::kinds::attach(&mut site, diags);
        site.order_packs();
        site
    }

    /// Adds sections; returns the directories of draft sections left out.
    fn add_sections(&mut self, docs: Vec<Document>, drafts: bool) -> Vec<String> {
        let mut hidden = Vec::new();
        let mut by_dir: BTreeMap<String, Document> = BTreeMap::new();
        for d in docs {
            by_dir.insert(parent_dir(&d.source.rel).to_string(), d);
        }
        if !by_dir.contains_key("") {
            // A site without content/_index.md still has a home page.
            self.sections.push(Section {
                file: PathBuf::from("content/_index.md"),
                dir: String::new(),
                fm: SectionFrontMatter::default(),
                title: self.config.title.clone(),
                body: std::sync::Arc::from(""),
                body_line: 0,
                path: String::new(),
                parent: None,
                subsections: Vec::new(),
                pages: Vec::new(),
                front: FrontSource::default(),
                kind: None,
                data: SectionData::default(),
            });
        }
        let mut section_of: HashMap<String, SectionId> = self
            .sections
            .iter()
            .enumerate()
            .map(|(i, s)| (s.dir.clone(), i))
            .collect();
        // BTreeMap order puts parents before children, so parents always exist first.
        for (dir, d) in by_dir {
            let DocFront::Section(fm) = d.front else {
                continue;
            };
            if (fm.draft && !drafts) || hidden.iter().any(|h: &String| is_within(&dir, h)) {
                hidden.push(dir);
                continue;
            }
            let title = fm.title.clone().unwrap_or_else(|| {
                if dir.is_empty() {
                    self.config.title.clone()
                } else {
                    file_name(&dir).to_string()
                }
            });
            let id = self.sections.len();
            let parent = (!dir.is_empty()).then(|| nearest_section(&section_of, parent_dir(&dir)));
            // Sections under a packs archive are packs unless they say otherwise.
            let kind = fm.kind.or_else(|| {
                parent.and_then(|p| {
                    (self.sections[p].kind == Some(Kind::Packs)).then_some(Kind::Pack)
                })
            });
            section_of.insert(dir.clone(), id);
            self.links
                .insert(d.source.rel.clone(), LinkTarget::Section(id));
            self.sections.push(Section {
                file: d.shown,
                path: self.url_dir(&dir),
                dir,
                title,
                body: d.body,
                body_line: d.body_line,
                parent,
                subsections: Vec::new(),
                pages: Vec::new(),
                kind,
                fm,
                front: d.front_source,
                data: SectionData::default(),
            });
            if let Some(p) = parent {
                self.sections[p].subsections.push(id);
            }
        }
        hidden
    }

    /// Adds pages; returns bundle directories with their page ids (`None` for a left-out
    /// draft bundle, whose files must not be published either) and each page's declared terms.
    fn add_pages(
        &mut self,
        docs: Vec<Document>,
        drafts: bool,
        hidden_dirs: &[String],
        diags: &mut Diagnostics,
    ) -> (BTreeMap<String, Option<PageId>>, Vec<DeclaredTerms>) {
        let mut bundles = BTreeMap::new();
        let mut declared = Vec::new();
        // Pages share few directories: each one's section and URL are found once.
        let sections: HashMap<String, SectionId> = self
            .sections
            .iter()
            .enumerate()
            .map(|(i, s)| (s.dir.clone(), i))
            .collect();
        let mut homes: HashMap<String, (SectionId, String)> = HashMap::new();
        for d in docs {
            let DocFront::Page(fm) = d.front else {
                continue;
            };
            let rel = d.source.rel.clone();
            let is_bundle = file_name(&rel) == "index.md";
            let own_dir = parent_dir(&rel).to_string();
            if is_bundle && own_dir.is_empty() {
                diags.push(Diagnostic::error(
                    &d.shown,
                    Position { line: 1, col: 1 },
                    "content/index.md 不能作为页面：首页请写在 content/_index.md（注意下划线）",
                ));
                continue;
            }
            // A bundle's URL comes from its directory; a plain page's from its file name.
            let (home_dir, default_slug) = if is_bundle {
                (
                    parent_dir(&own_dir).to_string(),
                    file_name(&own_dir).to_string(),
                )
            } else {
                let stem = file_name(&rel).trim_end_matches(".md").to_string();
                (own_dir.clone(), stem)
            };
            let unapproved = fm.draft || fm.review.as_ref().is_some_and(Review::pending);
            let hidden =
                (unapproved && !drafts) || hidden_dirs.iter().any(|h| is_within(&home_dir, h));
            if hidden {
                if is_bundle {
                    bundles.insert(own_dir, None);
                }
                continue;
            }
            if let Some(problem) = fm.slug.as_deref().and_then(explicit_slug_problem) {
                diags.push(Diagnostic::error(
                    &d.shown,
                    d.front_source.position_of("slug"),
                    problem,
                ));
                continue;
            }
            let slug = slugify(
                fm.slug.as_deref().unwrap_or(&default_slug),
                self.config.slug_style,
            );
            if slug.is_empty() {
                let pos = if fm.slug.is_some() {
                    d.front_source.position_of("slug")
                } else {
                    Position::default()
                };
                diags.push(Diagnostic::error(
                    &d.shown,
                    pos,
                    "无法由此名称生成网址（slug 为空或只含标点），请在 front matter 中写 slug = \"英文或拼音\"",
                ));
                continue;
            }
            let id = self.pages.len();
            let (section, home_url) = homes
                .entry(home_dir.clone())
                .or_insert_with(|| {
                    (
                        nearest_section(&sections, &home_dir),
                        self.url_dir(&home_dir),
                    )
                })
                .clone();
            let path = format!("{home_url}{slug}/");
            let terms = self.page_taxonomies(&fm, &d.shown, &d.front_source.text, diags);
            self.links.insert(rel.clone(), LinkTarget::Page(id));
            if is_bundle {
                bundles.insert(own_dir, Some(id));
            }
            self.pages.push(Page {
                file: d.shown,
                rel,
                fm,
                body: d.body,
                body_line: d.body_line,
                kind: self.sections[section].kind,
                section,
                path,
                front: d.front_source,
                data: PageData::None,
                slug,
                assets: Vec::new(),
                prev: None,
                next: None,
                terms: Vec::new(),
            });
            declared.push((id, terms));
        }
        (bundles, declared)
    }

    /// Checks a page's taxonomy names; returns (taxonomy name, term) pairs.
    fn page_taxonomies(
        &self,
        fm: &PageFrontMatter,
        shown: &std::path::Path,
        front_text: &str,
        diags: &mut Diagnostics,
    ) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let shorthand = fm.tags.iter().flatten().map(|t| ("tags", t));
        let tables = fm
            .taxonomies
            .iter()
            .flat_map(|(name, terms)| terms.iter().map(move |t| (name.as_str(), t)));
        for (name, term) in shorthand.chain(tables) {
            if self.config.taxonomy(name).is_none() {
                let known: Vec<String> = self
                    .config
                    .taxonomies
                    .iter()
                    .map(|t| t.name().to_string())
                    .collect();
                diags.push(Diagnostic::error(
                    shown,
                    key_position(front_text, name),
                    format!(
                        "分类法 `{name}` 没有在 zhibu.toml 的 taxonomies 中定义（已定义：{}）",
                        known.join("、")
                    ),
                ));
                continue;
            }
            let term = term.trim();
            if !term.is_empty() && !out.iter().any(|(n, t)| n == name && t == term) {
                out.push((name.to_string(), term.to_string()));
            }
        }
        out
    }

    /// Copies assets beside the bundle or section that owns their directory.
    fn add_assets(
        &mut self,
        assets: Vec<SourceFile>,
        bundles: &BTreeMap<String, Option<PageId>>,
        hidden_dirs: &[String],
    ) {
        for a in assets {
            let mut dir = parent_dir(&a.rel);
            loop {
                if let Some(owner) = bundles.get(dir) {
                    if let Some(id) = owner {
                        let inner = a.rel[dir.len() + 1..].to_string();
                        let dest = format!("{}{}", self.pages[*id].path, inner);
                        self.pages[*id].assets.push(inner);
                        self.assets.push(Asset {
                            src: a.path,
                            rel: a.rel,
                            dest,
                        });
                    }
                    break;
                }
                if hidden_dirs.iter().any(|h| is_within(dir, h)) {
                    break;
                }
                if let Some(s) = self.sections.iter().position(|s| s.dir == dir) {
                    let inner = if dir.is_empty() {
                        a.rel.clone()
                    } else {
                        a.rel[dir.len() + 1..].to_string()
                    };
                    let dest = format!("{}{}", self.sections[s].path, inner);
                    self.assets.push(Asset {
                        src: a.path,
                        rel: a.rel,
                        dest,
                    });
                    break;
                }
                dir = parent_dir(dir);
            }
        }
    }

    /// URL directory of a content directory: each segment slugified.
    fn url_dir(&self, dir: &str) -> String {
        dir.split('/')
            .filter(|s| !s.is_empty())
            .map(|s| {
                let slug = slugify(s, self.config.slug_style);
                if slug.is_empty() {
                    "_".to_string()
                } else {
                    slug
                }
            })
            .map(|s| s + "/")
            .collect()
    }

    /// Sorts pages and subsections of every section and links neighbours.
    fn order(&mut self) {
        for (id, page) in self.pages.iter().enumerate() {
            let s = page.section;
            self.sections[s].pages.push(id);
        }
        for s in 0..self.sections.len() {
            let mut list = std::mem::take(&mut self.sections[s].pages);
            let pages = &self.pages;
            let default = if self.sections[s].kind == Some(Kind::Pack) {
                SortBy::Weight
            } else {
                SortBy::Date
            };
            match self.sections[s].fm.sort_by.unwrap_or(default) {
                SortBy::Date => list.sort_by(|&a, &b| {
                    let (a, b) = (&pages[a], &pages[b]);
                    date_key(&b.fm.date)
                        .cmp(&date_key(&a.fm.date))
                        .then_with(|| weight_key(a).cmp(&weight_key(b)))
                        .then_with(|| a.rel.cmp(&b.rel))
                }),
                SortBy::Weight => list.sort_by(|&a, &b| {
                    let (a, b) = (&pages[a], &pages[b]);
                    weight_key(a)
                        .cmp(&weight_key(b))
                        .then_with(|| date_key(&b.fm.date).cmp(&date_key(&a.fm.date)))
                        .then_with(|| a.rel.cmp(&b.rel))
                }),
                SortBy::Title => list.sort_by(|&a, &b| {
                    let (a, b) = (&pages[a], &pages[b]);
                    a.fm.title.cmp(&b.fm.title).then_with(|| a.rel.cmp(&b.rel))
                }),
            }
            for (i, &p) in list.iter().enumerate() {
                self.pages[p].prev = i.checked_sub(1).map(|j| list[j]);
                self.pages[p].next = list.get(i + 1).copied();
            }
            self.sections[s].pages = list;
        }
        for s in 0..self.sections.len() {
            let mut subs = std::mem::take(&mut self.sections[s].subsections);
            let by_date = self.sections[s].fm.sort_by.unwrap_or(SortBy::Date) == SortBy::Date;
            let keys: HashMap<SectionId, (i64, std::cmp::Reverse<u64>, String)> = subs
                .iter()
                .map(|&c| {
                    let sec = &self.sections[c];
                    let newest = if by_date { self.newest_date(c) } else { 0 };
                    (
                        c,
                        (
                            sec.fm.weight.unwrap_or(i64::MAX),
                            std::cmp::Reverse(newest),
                            sec.dir.clone(),
                        ),
                    )
                })
                .collect();
            subs.sort_by(|a, b| keys[a].cmp(&keys[b]));
            self.sections[s].subsections = subs;
        }
    }

    /// Packs in an archive, newest first by year and month (their pages' dates may lag).
    fn order_packs(&mut self) {
        for s in 0..self.sections.len() {
            if self.sections[s].kind != Some(Kind::Packs) {
                continue;
            }
            let mut subs = std::mem::take(&mut self.sections[s].subsections);
            let key = |c: &SectionId| {
                let p = self.sections[*c].data.pack.as_ref();
                std::cmp::Reverse(p.map(|p| (p.year, p.month)))
            };
            subs.sort_by_key(key);
            self.sections[s].subsections = subs;
        }
    }

    /// The newest page date in a section and below (for ordering month folders newest first).
    fn newest_date(&self, s: SectionId) -> u64 {
        let own = self.sections[s]
            .pages
            .iter()
            .filter_map(|&p| self.pages[p].fm.date.as_ref().map(FmDate::sort_key))
            .max()
            .unwrap_or(0);
        let below = self.sections[s]
            .subsections
            .iter()
            .map(|&c| self.newest_date(c))
            .max()
            .unwrap_or(0);
        own.max(below)
    }

    /// Resolves the terms pages declared into taxonomies with page lists.
    fn collect_taxonomies(&mut self, pending: Vec<DeclaredTerms>) {
        let mut maps: Vec<BTreeMap<String, (String, Vec<PageId>)>> =
            vec![BTreeMap::new(); self.config.taxonomies.len()];
        for (page, terms) in pending {
            for (name, term) in terms {
                let Some(t) = self.config.taxonomies.iter().position(|c| c.name() == name) else {
                    continue;
                };
                let mut slug = slugify(&term, self.config.slug_style);
                if slug.is_empty() {
                    slug = "_".into();
                }
                let entry = maps[t]
                    .entry(slug)
                    .or_insert_with(|| (term.clone(), Vec::new()));
                // A page naming a term twice is listed once: see the `dedup` below (a search
                // here would make a popular tag quadratic in its pages).
                entry.1.push(page);
            }
        }
        for (t, map) in maps.into_iter().enumerate() {
            let cfg = &self.config.taxonomies[t];
            let mut terms: Vec<Term> = map
                .into_iter()
                .map(|(slug, (name, pages))| Term { name, slug, pages })
                .collect();
            terms.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.slug.cmp(&b.slug)));
            for (ti, term) in terms.iter_mut().enumerate() {
                let pages = &self.pages;
                term.pages.sort_by(|&a, &b| {
                    date_key(&pages[b].fm.date)
                        .cmp(&date_key(&pages[a].fm.date))
                        .then_with(|| pages[a].rel.cmp(&pages[b].rel))
                });
                // Pages differ in `rel`, so the same page twice is now side by side.
                term.pages.dedup();
                for &p in &term.pages {
                    self.pages[p].terms.push((t, ti));
                }
            }
            self.taxonomies.push(Taxonomy {
                name: cfg.name().to_string(),
                title: cfg.title(),
                paginate_by: cfg.paginate_by(self.config.paginate_by),
                terms,
            });
        }
    }

    /// Chain of sections from home down to `s` (inclusive).
    pub fn ancestry(&self, s: SectionId) -> Vec<SectionId> {
        let mut chain = vec![s];
        let mut cur = s;
        while let Some(p) = self.sections[cur].parent {
            chain.push(p);
            cur = p;
        }
        chain.reverse();
        chain
    }

    /// The copied file that `reference` (as written in a file in content directory `dir`)
    /// names, if any. `..` may climb, but never above `content/`.
    pub fn find_asset(&self, dir: &str, reference: &str) -> Option<&Asset> {
        let reference = reference.split(['#', '?']).next().unwrap_or(reference);
        let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
        for seg in reference.split('/') {
            match seg {
                "" | "." => {}
                ".." => {
                    parts.pop()?;
                }
                s => parts.push(s),
            }
        }
        let rel = parts.join("/");
        let rel = percent_encoding::percent_decode_str(&rel).decode_utf8_lossy();
        self.asset_index.get(rel.as_ref()).map(|&i| &self.assets[i])
    }

    /// Pages per list page of section `s`; 0 for no pagination. A brand showcase is one grid
    /// of cards, filtered rather than paginated.
    pub fn section_per_page(&self, s: SectionId) -> usize {
        let sec = &self.sections[s];
        if sec.kind == Some(Kind::Brands) {
            return 0;
        }
        sec.fm.paginate_by.unwrap_or(self.config.paginate_by)
    }

    /// Every page's Markdown, by page id, leaving empty texts in the model: a plain build
    /// renders each page once and need not hold every text until the end.
    pub fn take_page_bodies(&mut self) -> Vec<std::sync::Arc<str>> {
        self.pages
            .iter_mut()
            .map(|p| std::mem::replace(&mut p.body, std::sync::Arc::from("")))
            .collect()
    }

    /// All pages, newest first (feeds and the home page's recent list).
    pub fn pages_by_date(&self) -> Vec<PageId> {
        let mut ids: Vec<PageId> = (0..self.pages.len()).collect();
        ids.sort_by(|&a, &b| {
            let (a, b) = (&self.pages[a], &self.pages[b]);
            date_key(&b.fm.date)
                .cmp(&date_key(&a.fm.date))
                .then_with(|| a.rel.cmp(&b.rel))
        });
        ids
    }
}

/// A page and the (taxonomy name, term) pairs its front matter declares.
type DeclaredTerms = (PageId, Vec<(String, String)>);

/// Whether content directory `dir` is `parent` or lies below it.
fn is_within(dir: &str, parent: &str) -> bool {
    parent.is_empty() || dir == parent || dir.starts_with(&format!("{parent}/"))
}

/// Dated pages before undated ones when sorting newest first.
fn date_key(d: &Option<FmDate>) -> u64 {
    d.as_ref().map_or(0, FmDate::sort_key)
}

fn weight_key(p: &Page) -> i64 {
    p.fm.weight.unwrap_or(i64::MAX)
}

/// The section of directory `dir` (by directory in `sections`), or of its nearest ancestor
/// with one; the home section when none has.
fn nearest_section(sections: &HashMap<String, SectionId>, mut dir: &str) -> SectionId {
    loop {
        if let Some(&i) = sections.get(dir) {
            return i;
        }
        if dir.is_empty() {
            return 0;
        }
        dir = parent_dir(dir);
    }
}

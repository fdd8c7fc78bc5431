//! Rendering: small context structs per output, Tera templates, feeds and the sitemap.
//!
//! Each output gets a context built for it alone — the page at hand, its neighbours' titles and
//! URLs, a list page's own summaries — never the whole site. Serializing the site into every
//! page's context is what makes large Zola builds slow.

use crate::diagnostic::{Diagnostic, Position};
use crate::kinds::{Kind, PageData};
use crate::markdown::{escape_html, rebase_summary, Body, TocEntry};
use crate::site::{PageId, SectionId, Site};
use serde::Serialize;
use std::collections::BTreeMap;

/// What list pages and feeds need from a rendered page, kept after its HTML is written.
#[derive(Debug, Default, Clone)]
pub struct PageDigest {
    /// Summary HTML.
    pub summary: String,
    /// Minutes to read.
    pub reading_time: usize,
    /// The whole body with root-marked links, kept only for pages shown again elsewhere (the
    /// articles of a study pack, for its print view).
    pub portable: Option<Portable>,
}

/// Where a page's portable body waits for the print view.
#[derive(Debug, Clone)]
pub enum Portable {
    /// In memory (a watch session, which renders print views again and again).
    Kept(String),
    /// Set aside in the build's [`crate::output::Spill`] (a plain build).
    Spilled(crate::output::SpillRef),
}

impl PageDigest {
    /// The same, copied from a body that is kept (a watch session's memo).
    pub fn of_ref(body: &Body) -> PageDigest {
        PageDigest {
            summary: body.summary.clone(),
            reading_time: body.reading_time(),
            portable: body.portable.clone().map(Portable::Kept),
        }
    }

    /// The parts of a body worth keeping once the page is written, its portable body set
    /// aside in `spill`.
    pub fn spilled(body: &Body, spill: &crate::output::Spill) -> std::io::Result<PageDigest> {
        Ok(PageDigest {
            summary: body.summary.clone(),
            reading_time: body.reading_time(),
            portable: match &body.portable {
                Some(text) => Some(Portable::Spilled(spill.put(text)?)),
                None => None,
            },
        })
    }
}

/// A title and a root-relative URL.
#[derive(Debug, Clone, Serialize)]
pub struct Link<'a> {
    /// Text to show.
    pub title: &'a str,
    /// Root-relative URL ending in `index.html` for directories.
    pub url: String,
}

/// Way from a file in URL directory `dir` back to the site root.
pub fn root_prefix(dir: &str) -> String {
    "../".repeat(dir.matches('/').count())
}

/// The root-relative link of a URL directory.
pub fn dir_url(dir: &str) -> String {
    format!("{dir}index.html")
}

/// Templates, the site and what every context shares.
pub struct Renderer<'a> {
    pub(crate) site: &'a Site,
    tera: &'a tera::Tera,
    common: tera::Context,
    /// Each `site.menu` entry's URL and the directory prefix under which it is current.
    menu: Vec<(String, String)>,
    pub(crate) digests: &'a [PageDigest],
    /// Each pack's summary as its articles are given it, made once per pack: every article
    /// of a pack carries the whole table of contents.
    packs: Vec<std::sync::OnceLock<Option<serde_json::Value>>>,
    /// Each taxonomy with all its terms, made once: every term's list pages show it.
    taxonomies: Vec<std::sync::OnceLock<tera::Value>>,
    /// Where a plain build set the pack articles' bodies aside.
    spill: Option<&'a crate::output::Spill>,
}

#[derive(Serialize)]
struct SiteCtx<'a> {
    title: &'a str,
    description: &'a str,
    language: &'a str,
    base_url: &'a str,
    menu: Vec<Link<'a>>,
    taxonomies: Vec<TaxonomyLink<'a>>,
    extra: &'a serde_json::Value,
}

#[derive(Serialize)]
struct TaxonomyLink<'a> {
    name: &'a str,
    title: &'a str,
    url: String,
}

#[derive(Serialize)]
struct PageCtx<'a> {
    title: &'a str,
    description: &'a str,
    date: Option<String>,
    updated: Option<String>,
    date_zh: String,
    url: String,
    permalink: String,
    slug: &'a str,
    content: &'a str,
    summary: String,
    toc: &'a [TocEntry],
    reading_time: usize,
    char_count: usize,
    taxonomies: BTreeMap<&'a str, Vec<TermRef<'a>>>,
    extra: &'a serde_json::Value,
    draft: bool,
    weight: Option<i64>,
    section: Link<'a>,
    ancestors: Vec<Link<'a>>,
    prev: Option<Link<'a>>,
    next: Option<Link<'a>>,
    assets: &'a [String],
    kind: Option<Kind>,
    review: Option<&'a crate::frontmatter::Review>,
    pending: bool,
    pack_article: Option<&'a crate::kinds::PackArticle>,
    pack: Option<&'a serde_json::Value>,
    column_article: Option<&'a crate::kinds::ColumnArticle>,
    brand: Option<&'a crate::kinds::Brand>,
}

/// A page as a list shows it.
#[derive(Serialize)]
pub(crate) struct PageSummary<'a> {
    title: &'a str,
    url: String,
    permalink: String,
    date: Option<String>,
    date_zh: String,
    description: &'a str,
    summary: String,
    reading_time: usize,
    section: Link<'a>,
    taxonomies: BTreeMap<&'a str, Vec<TermRef<'a>>>,
    thumbnail: Option<&'a str>,
    form: Option<crate::kinds::Form>,
}

#[derive(Serialize)]
struct SectionCtx<'a> {
    title: &'a str,
    description: &'a str,
    url: String,
    permalink: String,
    content: &'a str,
    toc: &'a [TocEntry],
    extra: &'a serde_json::Value,
    ancestors: Vec<Link<'a>>,
    subsections: Vec<SubsectionCtx<'a>>,
    pages: Vec<PageSummary<'a>>,
    page_count: usize,
    kind: Option<Kind>,
    pack: Option<crate::render_kinds::PackCtx<'a>>,
    archive: Option<Vec<crate::render_kinds::ArchiveYear<'a>>>,
    column: Option<&'a crate::kinds::ColumnInfo>,
    brands: Option<Vec<crate::render_kinds::BrandCard<'a>>>,
    units: Option<Vec<crate::render_kinds::FilterLink>>,
    star_levels: Option<Vec<crate::render_kinds::FilterLink>>,
    all_url: String,
}

#[derive(Serialize)]
struct SubsectionCtx<'a> {
    title: &'a str,
    url: String,
    description: &'a str,
    page_count: usize,
}

#[derive(Serialize)]
struct Paginator {
    current: usize,
    total_pages: usize,
    prev_url: Option<String>,
    next_url: Option<String>,
    pages: Vec<PagerLink>,
}

#[derive(Serialize)]
struct PagerLink {
    number: usize,
    url: String,
    current: bool,
    /// Numbers were skipped before this one (show `…`).
    gap_before: bool,
}

/// Page numbers worth linking from list page `current` of `total`: the first, the last and two
/// either side of the current one. Listing every number would make a 250-page tag list
/// quadratic to render.
fn pager_window(current: usize, total: usize) -> Vec<usize> {
    let mut n: Vec<usize> = vec![1, total];
    n.extend(current.saturating_sub(2).max(1)..=(current + 2).min(total));
    n.sort_unstable();
    n.dedup();
    n
}

// The taxonomy structs keep their fields in alphabetical order: they were JSON maps once,
// and a template looping over one sees the keys in the order it always did.

/// A term in `taxonomy.terms`.
#[derive(Serialize)]
struct TermLink<'a> {
    count: usize,
    name: &'a str,
    slug: &'a str,
    url: String,
}

/// `taxonomy`: a taxonomy and all its terms.
#[derive(Serialize)]
struct TaxonomyCtx<'a> {
    name: &'a str,
    terms: Vec<TermLink<'a>>,
    title: &'a str,
    url: String,
}

/// `term` on a term's list page, with this list page's summaries.
#[derive(Serialize)]
struct TermCtx<'a> {
    count: usize,
    name: &'a str,
    pages: Vec<PageSummary<'a>>,
    slug: &'a str,
    url: String,
}

/// A taxonomy term a page carries: `{name, url}`.
#[derive(Debug, Clone, Serialize)]
pub struct TermRef<'a> {
    /// The term as written.
    pub name: &'a str,
    /// Root-relative URL of the term's page.
    pub url: String,
}

static NULL: serde_json::Value = serde_json::Value::Null;

/// One list page of a paginated list: its number (1-based) and its URL directory.
pub fn pager_dir(list_dir: &str, number: usize) -> String {
    if number <= 1 {
        list_dir.to_string()
    } else {
        format!("{list_dir}page/{number}/")
    }
}

/// How many list pages `count` items make with `per_page` each (0 = all on one page).
pub fn pager_count(count: usize, per_page: usize) -> usize {
    if per_page == 0 {
        1
    } else {
        count.div_ceil(per_page).max(1)
    }
}

impl<'a> Renderer<'a> {
    /// Prepares the shared part of every context once.
    pub fn new(
        site: &'a Site,
        tera: &'a tera::Tera,
        digests: &'a [PageDigest],
        drafts: bool,
    ) -> Self {
        let c = &site.config;
        let menu: Vec<Link> = site.sections[0]
            .subsections
            .iter()
            .map(|&s| Link {
                title: &site.sections[s].title,
                url: dir_url(&site.sections[s].path),
            })
            .collect();
        let menu_dirs = menu
            .iter()
            .map(|l| (l.url.clone(), l.url.replace("index.html", "")))
            .collect();
        let taxonomies = site
            .taxonomies
            .iter()
            .map(|t| TaxonomyLink {
                name: &t.name,
                title: &t.title,
                url: dir_url(&t.path()),
            })
            .collect();
        let site_ctx = SiteCtx {
            title: &c.title,
            description: &c.description,
            language: &c.language,
            base_url: c.base_url.as_deref().unwrap_or(""),
            menu,
            taxonomies,
            extra: &c.extra,
        };
        let mut common = tera::Context::new();
        common.insert("site", &site_ctx);
        common.insert("drafts", &drafts);
        Renderer {
            site,
            tera,
            common,
            menu: menu_dirs,
            digests,
            packs: site.sections.iter().map(|_| Default::default()).collect(),
            taxonomies: site.taxonomies.iter().map(|_| Default::default()).collect(),
            spill: None,
        }
    }

    /// The same, reading spilled pack articles from `spill`.
    pub fn with_spill(mut self, spill: &'a crate::output::Spill) -> Renderer<'a> {
        self.spill = Some(spill);
        self
    }

    /// Page digest `d`'s portable body, read back if it was set aside.
    pub(crate) fn portable_text<'d>(
        &self,
        d: &'d PageDigest,
    ) -> std::io::Result<std::borrow::Cow<'d, str>> {
        Ok(match (&d.portable, self.spill) {
            (Some(Portable::Kept(text)), _) => text.into(),
            (Some(Portable::Spilled(r)), Some(spill)) => spill.get(*r)?.into(),
            _ => "".into(),
        })
    }

    /// Pack `s`'s summary (see [`Renderer::pack_ctx`]), made on first use.
    fn pack_value(&self, s: SectionId) -> Option<&serde_json::Value> {
        self.packs[s]
            .get_or_init(|| {
                self.pack_ctx(s)
                    .map(|c| serde_json::to_value(c).expect("pack context serialises"))
            })
            .as_ref()
    }

    /// A fingerprint of what every output's context shares (site settings, menu, drafts).
    pub(crate) fn common_fingerprint(&self) -> u64 {
        let mut fp = Fingerprint::default();
        fp.add_debug(&self.common);
        fp.finish()
    }

    fn context(&self, dir: &str) -> tera::Context {
        let mut ctx = self.common.clone();
        let current_url = dir_url(dir);
        ctx.insert("root", &root_prefix(dir));
        ctx.insert("current_menu_url", self.current_menu_url(&current_url));
        ctx.insert("current_url", &current_url);
        ctx
    }

    /// The URL of the `site.menu` entry that file `current_url` is in (the entry's own page or
    /// any page below it), `""` when none. Found here once per output: working it out in the
    /// template took a filter, a `set` and a test per entry in every output's menu.
    fn current_menu_url(&self, current_url: &str) -> &str {
        self.menu
            .iter()
            .find(|(_, dir)| !dir.is_empty() && current_url.starts_with(dir.as_str()))
            .map_or("", |(url, _)| url.as_str())
    }

    fn permalink(&self, dir: &str) -> String {
        match &self.site.config.base_url {
            Some(base) => format!("{base}/{}", encode_path(dir)),
            None => dir_url(dir),
        }
    }

    fn section_link(&self, s: SectionId) -> Link<'a> {
        let sec = &self.site.sections[s];
        Link {
            title: &sec.title,
            url: dir_url(&sec.path),
        }
    }

    fn page_link(&self, p: PageId) -> Link<'a> {
        let page = &self.site.pages[p];
        Link {
            title: &page.fm.title,
            url: dir_url(&page.path),
        }
    }

    fn page_terms(&self, p: PageId) -> BTreeMap<&'a str, Vec<TermRef<'a>>> {
        let mut out: BTreeMap<&str, Vec<TermRef>> = BTreeMap::new();
        for &(t, ti) in &self.site.pages[p].terms {
            let tax = &self.site.taxonomies[t];
            let term = &tax.terms[ti];
            out.entry(&tax.name).or_default().push(TermRef {
                name: &term.name,
                url: dir_url(&tax.term_path(term)),
            });
        }
        out
    }

    /// Renders one page with its freshly rendered body.
    pub fn page(&self, p: PageId, body: &Body) -> Result<Vec<u8>, Diagnostic> {
        let (ctx, template) = self.page_ctx(p, body, &body.html);
        let mut context = self.context(&self.site.pages[p].path);
        context.insert("page", &ctx);
        self.render(template, &context, &self.site.pages[p].file)
    }

    /// A fingerprint of everything page `p`'s HTML depends on except the body HTML itself
    /// (which the caller adds as a hash): if it is unchanged, so is the page.
    pub(crate) fn page_fingerprint(&self, p: PageId, body: &Body) -> (String, u64) {
        let (ctx, template) = self.page_ctx(p, body, "");
        let mut fp = Fingerprint::default();
        fp.add_json(&ctx);
        fp.add_json(&root_prefix(&self.site.pages[p].path));
        (template.to_string(), fp.finish())
    }

    /// The `page` object of page `p` and the template that shows it; `content` is the body
    /// HTML to show.
    fn page_ctx<'b>(&'b self, p: PageId, body: &'b Body, content: &'b str) -> (PageCtx<'b>, &'b str)
    where
        'a: 'b,
    {
        let site = self.site;
        let page = &site.pages[p];
        let ancestry = site.ancestry(page.section);
        let ctx = PageCtx {
            title: &page.fm.title,
            description: page.fm.description.as_deref().unwrap_or(""),
            date: page.fm.date.as_ref().map(|d| d.iso()),
            updated: page.fm.updated.as_ref().map(|d| d.iso()),
            date_zh: page.fm.date.as_ref().map(|d| d.zh()).unwrap_or_default(),
            url: dir_url(&page.path),
            permalink: self.permalink(&page.path),
            slug: &page.slug,
            content,
            summary: rebase_summary(&body.summary, &root_prefix(&page.path)),
            toc: &body.toc,
            reading_time: body.reading_time(),
            char_count: body.char_count,
            taxonomies: self.page_terms(p),
            extra: page.fm.extra.as_ref().unwrap_or(&NULL),
            draft: page.fm.draft,
            weight: page.fm.weight,
            section: self.section_link(page.section),
            ancestors: ancestry.iter().map(|&s| self.section_link(s)).collect(),
            prev: page.prev.map(|q| self.page_link(q)),
            next: page.next.map(|q| self.page_link(q)),
            assets: &page.assets,
            kind: page.kind,
            review: page.fm.review.as_ref(),
            pending: page.fm.draft || page.fm.review.as_ref().is_some_and(|r| r.pending()),
            pack_article: match &page.data {
                PageData::PackArticle(a) => Some(a),
                _ => None,
            },
            pack: match page.data {
                PageData::PackArticle(_) => self.pack_value(page.section),
                _ => None,
            },
            column_article: match &page.data {
                PageData::ColumnArticle(a) => Some(a),
                _ => None,
            },
            brand: match &page.data {
                PageData::Brand(b) => Some(b),
                _ => None,
            },
        };
        let kind_template = match page.kind {
            Some(Kind::Pack) => Some("pack_article.html"),
            Some(Kind::Column) => Some("column_article.html"),
            Some(Kind::Brands) => Some("brand.html"),
            _ => None,
        };
        let template = page
            .fm
            .template
            .as_deref()
            .or(site.sections[page.section].fm.page_template.as_deref())
            .or(kind_template.filter(|t| self.has_template(t)))
            .unwrap_or("page.html");
        (ctx, template)
    }

    /// Whether the theme or the site has template `name`.
    fn has_template(&self, name: &str) -> bool {
        self.tera.contains_template(name)
    }

    /// A page as listed on a list page whose way back to the root is `root`.
    pub(crate) fn summary(&self, p: PageId, root: &str) -> PageSummary<'a> {
        let page = &self.site.pages[p];
        let digest = &self.digests[p];
        let (thumbnail, form) = self.list_extras(p);
        PageSummary {
            thumbnail,
            form,
            title: &page.fm.title,
            url: dir_url(&page.path),
            permalink: self.permalink(&page.path),
            date: page.fm.date.as_ref().map(|d| d.iso()),
            date_zh: page.fm.date.as_ref().map(|d| d.zh()).unwrap_or_default(),
            description: page.fm.description.as_deref().unwrap_or(""),
            summary: rebase_summary(&digest.summary, root),
            reading_time: digest.reading_time,
            section: self.section_link(page.section),
            taxonomies: self.page_terms(p),
        }
    }

    fn paginator(&self, list_dir: &str, number: usize, total: usize) -> Option<Paginator> {
        (total > 1).then(|| Paginator {
            current: number,
            total_pages: total,
            prev_url: (number > 1).then(|| dir_url(&pager_dir(list_dir, number - 1))),
            next_url: (number < total).then(|| dir_url(&pager_dir(list_dir, number + 1))),
            pages: {
                let mut prev = 0;
                pager_window(number, total)
                    .into_iter()
                    .map(|n| {
                        let gap_before = n > prev + 1;
                        prev = n;
                        PagerLink {
                            number: n,
                            url: dir_url(&pager_dir(list_dir, n)),
                            current: n == number,
                            gap_before,
                        }
                    })
                    .collect()
            },
        })
    }

    /// Pages on list page `number` of `ids`.
    fn slice(ids: &[PageId], per_page: usize, number: usize) -> &[PageId] {
        if per_page == 0 {
            return ids;
        }
        let start = ((number - 1) * per_page).min(ids.len());
        &ids[start..(start + per_page).min(ids.len())]
    }

    /// Section `s`, list page `number` (1-based), given its rendered body. For a brand
    /// showcase, `filter` selects one of its pre-rendered filter pages.
    pub(crate) fn section(
        &self,
        s: SectionId,
        number: usize,
        body: &Body,
        filter: Option<&crate::render_kinds::BrandFilter>,
    ) -> Prepared {
        let site = self.site;
        let sec = &site.sections[s];
        let per_page = site.section_per_page(s);
        let total = pager_count(sec.pages.len(), per_page);
        let mut ancestry = site.ancestry(s);
        ancestry.pop();
        let dir = match filter {
            Some(f) => f.dir.clone(),
            None => pager_dir(&sec.path, number),
        };
        let list_root = root_prefix(&dir);
        let (star_levels, units) = match sec.kind {
            Some(Kind::Brands) => {
                let (s_links, u_links) = self.filter_links(s);
                (Some(s_links), Some(u_links))
            }
            _ => (None, None),
        };
        let ctx = SectionCtx {
            title: &sec.title,
            description: sec.fm.description.as_deref().unwrap_or(""),
            url: dir_url(&sec.path),
            permalink: self.permalink(&sec.path),
            content: &body.html,
            toc: &body.toc,
            extra: sec.fm.extra.as_ref().unwrap_or(&NULL),
            ancestors: ancestry.iter().map(|&a| self.section_link(a)).collect(),
            subsections: sec
                .subsections
                .iter()
                .map(|&c| {
                    let child = &site.sections[c];
                    SubsectionCtx {
                        title: &child.title,
                        url: dir_url(&child.path),
                        description: child.fm.description.as_deref().unwrap_or(""),
                        page_count: child.pages.len(),
                    }
                })
                .collect(),
            pages: Self::slice(&sec.pages, per_page, number)
                .iter()
                .map(|&p| self.summary(p, &list_root))
                .collect(),
            page_count: sec.pages.len(),
            kind: sec.kind,
            pack: self.pack_ctx(s),
            archive: (sec.kind == Some(Kind::Packs)).then(|| self.archive(s)),
            column: sec.data.column.as_ref(),
            brands: (sec.kind == Some(Kind::Brands))
                .then(|| self.brand_cards(crate::render_kinds::filtered_brands(site, s, filter))),
            units,
            star_levels,
            all_url: dir_url(&sec.path),
        };
        let mut context = self.context(&dir);
        context.insert("section", &ctx);
        context.insert("paginator", &self.paginator(&sec.path, number, total));
        context.insert("filter", &filter.map(|f| &f.filter));
        let kind_template = match sec.kind {
            Some(Kind::Packs) => Some("packs.html"),
            Some(Kind::Pack) => Some("pack.html"),
            Some(Kind::Column) => Some("column.html"),
            Some(Kind::Brands) => Some("brands.html"),
            _ => None,
        };
        let template = match (&sec.fm.template, s) {
            (Some(t), _) => t.as_str(),
            (None, 0) => {
                let recent: Vec<_> = site
                    .pages_by_date()
                    .into_iter()
                    .take(10)
                    .map(|p| self.summary(p, &list_root))
                    .collect();
                context.insert("recent", &recent);
                context.insert("home", &self.home_ctx(&list_root));
                "index.html"
            }
            (None, _) => kind_template
                .filter(|t| self.has_template(t))
                .unwrap_or("section.html"),
        };
        Prepared::new(template, context, &sec.file)
    }

    /// The print view of pack `s`: every article on one page.
    pub fn pack_print(&self, s: SectionId, body: &Body) -> Result<Prepared, Diagnostic> {
        let site = self.site;
        let sec = &site.sections[s];
        let dir = crate::render_kinds::print_dir(site, s);
        let mut context = self.context(&dir);
        let mut ancestry = site.ancestry(s);
        ancestry.pop();
        context.insert(
            "section",
            &serde_json::json!({
                "title": sec.title,
                "url": dir_url(&sec.path),
                "content": rebase_summary(body.portable.as_deref().unwrap_or(&body.html), &root_prefix(&dir)),
                "pack": self.pack_ctx(s),
                "ancestors": ancestry.iter().map(|&a| self.section_link(a)).collect::<Vec<_>>(),
            }),
        );
        let articles = self.print_articles(s).map_err(|e| {
            Diagnostic::file_error(&sec.file, format!("读取临时文件失败，打印版无法生成：{e}"))
        })?;
        context.insert("articles", &articles);
        Ok(Prepared::new("pack_print.html", context, &sec.file))
    }

    /// Taxonomy `t` with all its terms, made on first use.
    fn taxonomy_value(&self, t: usize) -> tera::Value {
        self.taxonomies[t]
            .get_or_init(|| {
                let tax = &self.site.taxonomies[t];
                let terms: Vec<TermLink> = tax
                    .terms
                    .iter()
                    .map(|t| TermLink {
                        count: t.pages.len(),
                        name: &t.name,
                        slug: &t.slug,
                        url: dir_url(&tax.term_path(t)),
                    })
                    .collect();
                tera::Value::from_serializable(&TaxonomyCtx {
                    name: &tax.name,
                    terms,
                    title: &tax.title,
                    url: dir_url(&tax.path()),
                })
            })
            .clone()
    }

    /// The list of all terms of taxonomy `t`.
    pub fn taxonomy_list(&self, t: usize) -> Prepared {
        let tax = &self.site.taxonomies[t];
        let mut context = self.context(&tax.path());
        context.insert_value("taxonomy", self.taxonomy_value(t));
        Prepared::new("taxonomy_list.html", context, "zhibu.toml")
    }

    /// List page `number` of term `ti` of taxonomy `t`.
    pub fn taxonomy_term(&self, t: usize, ti: usize, number: usize) -> Prepared {
        let tax = &self.site.taxonomies[t];
        let term = &tax.terms[ti];
        let list_dir = tax.term_path(term);
        let total = pager_count(term.pages.len(), tax.paginate_by);
        let dir = pager_dir(&list_dir, number);
        let pages: Vec<_> = Self::slice(&term.pages, tax.paginate_by, number)
            .iter()
            .map(|&p| self.summary(p, &root_prefix(&dir)))
            .collect();
        let mut context = self.context(&dir);
        context.insert_value("taxonomy", self.taxonomy_value(t));
        context.insert(
            "term",
            &TermCtx {
                count: term.pages.len(),
                name: &term.name,
                pages,
                slug: &term.slug,
                url: dir_url(&list_dir),
            },
        );
        context.insert("paginator", &self.paginator(&list_dir, number, total));
        Prepared::new("taxonomy_single.html", context, "zhibu.toml")
    }

    /// The search page, `search/index.html`; `filters` are the choices its form offers (see
    /// [`crate::search::filters`]).
    pub fn search_page(&self, filters: &serde_json::Value) -> Prepared {
        let mut context = self.context("search/");
        context.insert("search", filters);
        Prepared::new("search.html", context, "search/index.html")
    }

    /// Whether the theme has a search page template.
    pub fn has_search_page(&self) -> bool {
        self.has_template("search.html")
    }

    /// The not-found page, at the output root.
    pub fn not_found(&self) -> Prepared {
        Prepared::new("404.html", self.context(""), "404.html")
    }

    /// Renders a prepared list output.
    pub fn render_prepared(&self, p: &Prepared) -> Result<Vec<u8>, Diagnostic> {
        self.render(&p.template, &p.context, &p.file)
    }

    /// Renders into bytes: Tera's `render` would check the whole output is UTF-8 once more
    /// (it is, every piece comes from `&str`), a tenth of the rendering time.
    fn render(
        &self,
        template: &str,
        context: &tera::Context,
        file: &std::path::Path,
    ) -> Result<Vec<u8>, Diagnostic> {
        if !self.has_template(template) {
            return Err(Diagnostic::file_error(
                file,
                format!("模板 `{template}` 不存在（主题和站点的 templates/ 中都没有）"),
            ));
        }
        let mut out = Vec::with_capacity(32 * 1024);
        self.tera
            .render_to(template, context, &mut out)
            .map_err(|e| {
                let (name, at, message) = template_error(&e);
                let place = match name {
                    Some(name) if at.line > 0 => {
                        format!("{name} 第 {} 行第 {} 列：", at.line, at.col)
                    }
                    _ => String::new(),
                };
                Diagnostic::file_error(
                    file,
                    format!("渲染模板 `{template}` 出错：{place}{message}"),
                )
            })?;
        Ok(out)
    }
}

/// A list output ready to render: the template, its whole context, and the source file that
/// errors are reported against. Kept apart from rendering so that a watch session can compare
/// the context with the previous build's and skip outputs whose inputs did not change.
pub struct Prepared {
    /// Template name.
    pub template: String,
    /// Everything the template sees.
    pub context: tera::Context,
    /// Where problems are reported.
    pub file: std::path::PathBuf,
}

impl Prepared {
    fn new(template: &str, context: tera::Context, file: impl Into<std::path::PathBuf>) -> Self {
        Prepared {
            template: template.to_string(),
            context,
            file: file.into(),
        }
    }

    /// A fingerprint of everything the output depends on: the whole context and the template
    /// (by its fingerprint in `template_hashes`, which covers what it extends and includes).
    pub fn fingerprint(&self, template_hashes: &std::collections::HashMap<String, u64>) -> u64 {
        let mut fp = Fingerprint::default();
        fp.add(self.template.as_bytes());
        fp.add(
            &template_hashes
                .get(&self.template)
                .copied()
                .unwrap_or(0)
                .to_le_bytes(),
        );
        fp.add_debug(&self.context);
        fp.finish()
    }
}

/// A streaming xxh3 hash that serde can write JSON into, so contexts are fingerprinted without
/// building their text.
#[derive(Default)]
pub struct Fingerprint(xxhash_rust::xxh3::Xxh3);

impl Fingerprint {
    /// Adds raw bytes.
    pub fn add(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
        // A separator, so that ("ab", "c") and ("a", "bc") differ.
        self.0.update(&[0xff]);
    }

    /// Adds a value as JSON.
    pub fn add_json<T: Serialize + ?Sized>(&mut self, value: &T) {
        // Writing into a hasher cannot fail.
        let _ = serde_json::to_writer(&mut *self, value);
        self.0.update(&[0xfe]);
    }

    /// Adds a value by its `Debug` text: Tera's values and contexts cannot be walked from
    /// outside, and their `Debug` text is deterministic (maps keep their insertion order).
    pub fn add_debug<T: std::fmt::Debug + ?Sized>(&mut self, value: &T) {
        use std::io::Write;
        // Writing into a hasher cannot fail.
        let _ = write!(self, "{value:?}");
        self.0.update(&[0xfd]);
    }

    /// The hash.
    pub fn finish(&self) -> u64 {
        self.0.digest()
    }
}

impl std::io::Write for Fingerprint {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A Tera instance with zhibu's escaper and filters, before the templates are added (Tera
/// checks at that point that every filter a template uses exists).
pub fn new_tera() -> tera::Tera {
    let mut tera = tera::Tera::new();
    // Tera's own escaper leaves `'` as it is; pages and templates escape alike.
    tera.set_escape_fn(crate::markdown::escape_html_to);
    tera.register_filter("json_encode", json_encode);
    tera
}

/// `{{ value | json_encode }}`: the value as compact JSON with its keys sorted, for scripts
/// and data attributes (sorted as zhibu's templates always had them, whatever order the
/// fields are declared in).
fn json_encode(value: tera::Value, _: tera::Kwargs, _: &tera::State) -> tera::TeraResult<String> {
    serde_json::to_value(&value)
        .and_then(|v| serde_json::to_string(&v))
        .map_err(tera::Error::message)
}

/// Where a Tera error points and what it says: the template's name, the 1-based line and
/// column, and the message without Tera's source excerpt (zhibu prints its own location).
pub fn template_error(e: &tera::Error) -> (Option<&str>, Position, String) {
    match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => {
            let span = r.span();
            let at = Position {
                line: span.start_line,
                col: span.start_col + 1,
            };
            let name = Some(r.filename()).filter(|f| !f.is_empty());
            (name, at, r.message().to_string())
        }
        _ => (None, Position::default(), error_chain(e)),
    }
}

/// Tera may nest the useful part of an error in its sources; show them all.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        parts.push(s.to_string());
        cur = s.source();
    }
    parts.join("：")
}

/// Percent-encodes a URL path, keeping `/`.
pub fn encode_path(path: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'/')
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(path, SET).to_string()
}

/// An absolute URL with `base_url`, else a root-relative one.
fn feed_url(site: &Site, dir: &str) -> String {
    match &site.config.base_url {
        Some(base) => format!("{base}/{}", encode_path(dir)),
        None => encode_path(&dir_url(dir)),
    }
}

/// `atom.xml`: the newest pages with their summaries.
pub fn atom(site: &Site, digests: &[PageDigest]) -> String {
    let c = &site.config;
    let newest: Vec<PageId> = site
        .pages_by_date()
        .into_iter()
        .take(c.feed_limit)
        .collect();
    let updated = newest
        .iter()
        .filter_map(|&p| {
            site.pages[p]
                .fm
                .updated
                .as_ref()
                .or(site.pages[p].fm.date.as_ref())
        })
        .max_by_key(|d| d.sort_key())
        .map_or_else(|| "1970-01-01T00:00:00Z".to_string(), |d| d.rfc3339());
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    x += &format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n",
        escape_html(&c.language)
    );
    x += &format!("  <title>{}</title>\n", escape_html(&c.title));
    if !c.description.is_empty() {
        x += &format!("  <subtitle>{}</subtitle>\n", escape_html(&c.description));
    }
    let home = feed_url(site, "");
    if let Some(base) = &c.base_url {
        x += &format!(
            "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}/atom.xml\"/>\n",
            escape_html(base)
        );
    }
    x += &format!(
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        escape_html(&home)
    );
    x += &format!(
        "  <id>{}</id>\n  <updated>{updated}</updated>\n  <generator>zhibu</generator>\n",
        escape_html(&home)
    );
    for p in newest {
        let page = &site.pages[p];
        let url = escape_html(&feed_url(site, &page.path));
        x += "  <entry>\n";
        x += &format!("    <title>{}</title>\n", escape_html(&page.fm.title));
        x += &format!(
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{url}\"/>\n    <id>{url}</id>\n"
        );
        if let Some(d) = &page.fm.date {
            x += &format!("    <published>{}</published>\n", d.rfc3339());
        }
        let upd = page
            .fm
            .updated
            .as_ref()
            .or(page.fm.date.as_ref())
            .map_or_else(|| updated.clone(), |d| d.rfc3339());
        x += &format!("    <updated>{upd}</updated>\n");
        x += &format!(
            "    <summary type=\"html\">{}</summary>\n",
            escape_html(&rebase_summary(
                &digests[p].summary,
                &feed_url(site, "").replace("index.html", "")
            ))
        );
        x += "  </entry>\n";
    }
    x += "</feed>\n";
    x
}

/// `sitemap.xml`: every page and section list.
pub fn sitemap(site: &Site) -> String {
    let mut entries: Vec<(String, Option<String>)> = Vec::new();
    for s in &site.sections {
        entries.push((s.path.clone(), None));
    }
    for p in &site.pages {
        let date =
            p.fm.updated
                .as_ref()
                .or(p.fm.date.as_ref())
                .map(|d| d.iso().chars().take(10).collect());
        entries.push((p.path.clone(), date));
    }
    for t in &site.taxonomies {
        entries.push((t.path(), None));
        for term in &t.terms {
            entries.push((t.term_path(term), None));
        }
    }
    entries.sort();
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for (dir, date) in entries {
        x += &format!(
            "  <url>\n    <loc>{}</loc>\n",
            escape_html(&feed_url(site, &dir))
        );
        if let Some(d) = date {
            x += &format!("    <lastmod>{d}</lastmod>\n");
        }
        x += "  </url>\n";
    }
    x += "</urlset>\n";
    x
}

/// `robots.txt`: everything allowed; the sitemap named when its absolute address is known.
pub fn robots(site: &Site) -> String {
    let mut r = String::from("User-agent: *\nAllow: /\n");
    if let Some(base) = &site.config.base_url {
        r += &format!("Sitemap: {base}/sitemap.xml\n");
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        assert_eq!(root_prefix(""), "");
        assert_eq!(root_prefix("xuexi/2026-11/a01/"), "../../../");
        assert_eq!(pager_dir("xuexi/", 2), "xuexi/page/2/");
        assert_eq!(pager_count(0, 10), 1);
        assert_eq!(pager_count(21, 10), 3);
        assert_eq!(pager_window(1, 1), vec![1]);
        assert_eq!(pager_window(5, 250), vec![1, 3, 4, 5, 6, 7, 250]);
        assert_eq!(pager_window(249, 250), vec![1, 247, 248, 249, 250]);
        assert_eq!(encode_path("tags/理论/"), "tags/%E7%90%86%E8%AE%BA/");
    }
}

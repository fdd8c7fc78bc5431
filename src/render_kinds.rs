//! Template contexts that the content kinds add: a pack's 目录 and neighbours, the packs archive,
//! brand cards and filters, the pack print view, and the home page's blocks.
//!
//! Like the rest of rendering, each context is built for the output at hand from the model's
//! ids; nothing here clones page bodies except the print view, which shows them.

use crate::kinds::{Form, Kind, PageData};
use crate::markdown::rebase_summary;
use crate::render::{dir_url, root_prefix, Renderer};
use crate::site::{PageId, SectionId, Site};
use serde::Serialize;

/// A study pack as templates see it.
#[derive(Serialize)]
pub(crate) struct PackCtx<'a> {
    title: &'a str,
    url: String,
    year: u16,
    month: u8,
    issue: u32,
    cover_line: String,
    theme: Option<&'a str>,
    note: Option<&'a str>,
    cover: Option<&'a str>,
    print_url: String,
    toc: Vec<TocGroup<'a>>,
    prev: Option<PackLink<'a>>,
    next: Option<PackLink<'a>>,
}

#[derive(Serialize)]
struct TocGroup<'a> {
    category: &'a str,
    entries: Vec<TocItem<'a>>,
}

#[derive(Serialize)]
struct TocItem<'a> {
    number: usize,
    title: &'a str,
    url: String,
    author: Option<&'a str>,
}

#[derive(Serialize)]
struct PackLink<'a> {
    title: &'a str,
    url: String,
    cover_line: String,
}

/// One year of the packs archive.
#[derive(Serialize)]
pub(crate) struct ArchiveYear<'a> {
    year: u16,
    packs: Vec<ArchivePack<'a>>,
}

#[derive(Serialize)]
struct ArchivePack<'a> {
    title: &'a str,
    url: String,
    cover_line: String,
    theme: Option<&'a str>,
    article_count: usize,
}

/// A brand as a card in the showcase grid.
#[derive(Serialize)]
pub(crate) struct BrandCard<'a> {
    name: &'a str,
    unit: &'a str,
    branch: Option<&'a str>,
    slogan: Option<&'a str>,
    stars: u8,
    logo: Option<&'a str>,
    url: String,
}

/// A filter of the showcase: one star level or one unit.
#[derive(Serialize, Clone)]
pub(crate) struct FilterLink {
    stars: Option<u8>,
    name: Option<String>,
    url: String,
    count: usize,
}

/// The filter a pre-rendered showcase page applies.
#[derive(Serialize, Clone)]
pub(crate) struct Filter {
    kind: &'static str,
    value: String,
    title: String,
}

/// Which brands a filter page shows, and where it is written.
#[derive(Clone)]
pub(crate) struct BrandFilter {
    /// What the template is told.
    pub(crate) filter: Filter,
    /// URL directory of the filter page.
    pub(crate) dir: String,
    stars: Option<u8>,
    unit: Option<String>,
}

/// One article in a pack's print view.
#[derive(Serialize)]
struct PrintArticle<'a> {
    title: &'a str,
    category: Option<&'a str>,
    author: Option<&'a str>,
    source: Option<&'a str>,
    date_zh: String,
    content: String,
}

/// The home page's blocks.
#[derive(Serialize)]
pub(crate) struct HomeCtx<'a> {
    pack: Option<PackCtx<'a>>,
    column: Vec<crate::render::PageSummary<'a>>,
    brands: Vec<BrandCard<'a>>,
    news: Vec<crate::render::PageSummary<'a>>,
}

/// URL directory of a pack's print view.
pub(crate) fn print_dir(site: &Site, s: SectionId) -> String {
    format!("{}print/", site.sections[s].path)
}

impl<'a> Renderer<'a> {
    /// The pack section `s` with its 目录 grouped by category and its neighbours.
    pub(crate) fn pack_ctx(&self, s: SectionId) -> Option<PackCtx<'a>> {
        let site: &'a Site = self.site;
        let sec = &site.sections[s];
        let pack = sec.data.pack.as_ref()?;
        let mut toc: Vec<TocGroup> = Vec::new();
        let mut number = 0;
        let categories = site.config.pack_categories.iter();
        for category in categories {
            let entries: Vec<TocItem> = sec
                .pages
                .iter()
                .filter_map(|&p| match &site.pages[p].data {
                    PageData::PackArticle(a) if &a.category == category => Some((p, a)),
                    _ => None,
                })
                .map(|(p, a)| {
                    number += 1;
                    TocItem {
                        number,
                        title: &site.pages[p].fm.title,
                        url: dir_url(&site.pages[p].path),
                        author: a.author.as_deref(),
                    }
                })
                .collect();
            if !entries.is_empty() {
                toc.push(TocGroup { category, entries });
            }
        }
        let (prev, next) = self.pack_neighbours(s);
        Some(PackCtx {
            title: &sec.title,
            url: dir_url(&sec.path),
            year: pack.year,
            month: pack.month,
            issue: pack.issue,
            cover_line: pack.cover_line(),
            theme: pack.theme.as_deref(),
            note: pack.note.as_deref(),
            cover: pack.cover.as_deref(),
            print_url: dir_url(&print_dir(site, s)),
            toc,
            prev,
            next,
        })
    }

    /// The older and the newer pack among the packs beside `s`.
    fn pack_neighbours(&self, s: SectionId) -> (Option<PackLink<'a>>, Option<PackLink<'a>>) {
        let site: &'a Site = self.site;
        let Some(parent) = site.sections[s].parent else {
            return (None, None);
        };
        // The archive lists packs newest first.
        let packs: Vec<SectionId> = site.sections[parent]
            .subsections
            .iter()
            .copied()
            .filter(|&c| site.sections[c].data.pack.is_some())
            .collect();
        let Some(i) = packs.iter().position(|&c| c == s) else {
            return (None, None);
        };
        let link = |c: SectionId| {
            let sec = &site.sections[c];
            PackLink {
                title: &sec.title,
                url: dir_url(&sec.path),
                cover_line: sec
                    .data
                    .pack
                    .as_ref()
                    .map(|p| p.cover_line())
                    .unwrap_or_default(),
            }
        };
        (
            packs.get(i + 1).map(|&c| link(c)),
            i.checked_sub(1).map(|j| link(packs[j])),
        )
    }

    /// The packs under archive `s`, by year, newest first.
    pub(crate) fn archive(&self, s: SectionId) -> Vec<ArchiveYear<'a>> {
        let site: &'a Site = self.site;
        let mut years: Vec<ArchiveYear> = Vec::new();
        for &c in &site.sections[s].subsections {
            let sec = &site.sections[c];
            let Some(pack) = &sec.data.pack else { continue };
            let entry = ArchivePack {
                title: &sec.title,
                url: dir_url(&sec.path),
                cover_line: pack.cover_line(),
                theme: pack.theme.as_deref(),
                article_count: sec.pages.len(),
            };
            match years.last_mut() {
                Some(y) if y.year == pack.year => y.packs.push(entry),
                _ => years.push(ArchiveYear {
                    year: pack.year,
                    packs: vec![entry],
                }),
            }
        }
        years
    }

    /// Cards for brand pages among `ids`, in that order.
    pub(crate) fn brand_cards(&self, ids: impl IntoIterator<Item = PageId>) -> Vec<BrandCard<'a>> {
        let site: &'a Site = self.site;
        ids.into_iter()
            .filter_map(|p| match &site.pages[p].data {
                PageData::Brand(b) => Some(BrandCard {
                    name: &b.name,
                    unit: &b.unit,
                    branch: b.branch.as_deref(),
                    slogan: b.slogan.as_deref(),
                    stars: b.stars,
                    logo: b.logo.as_deref(),
                    url: dir_url(&site.pages[p].path),
                }),
                _ => None,
            })
            .collect()
    }
}

/// The showcase's filters: star levels present (most stars first) and units (by name).
pub(crate) fn brand_filters(site: &Site, s: SectionId) -> Vec<BrandFilter> {
    let sec = &site.sections[s];
    let brands: Vec<&crate::kinds::Brand> = sec
        .pages
        .iter()
        .filter_map(|&p| match &site.pages[p].data {
            PageData::Brand(b) => Some(b),
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    for stars in [5u8, 4, 3] {
        if brands.iter().any(|b| b.stars == stars) {
            out.push(BrandFilter {
                filter: Filter {
                    kind: "stars",
                    value: stars.to_string(),
                    title: format!("{}星级", star_word(stars)),
                },
                dir: format!("{}stars/{stars}/", sec.path),
                stars: Some(stars),
                unit: None,
            });
        }
    }
    let mut units: Vec<&str> = brands.iter().map(|b| b.unit.as_str()).collect();
    units.sort_unstable();
    units.dedup();
    for unit in units {
        let mut slug = crate::slug::slugify(unit, site.config.slug_style);
        if slug.is_empty() {
            slug = "_".into();
        }
        out.push(BrandFilter {
            filter: Filter {
                kind: "unit",
                value: unit.to_string(),
                title: unit.to_string(),
            },
            dir: format!("{}unit/{slug}/", sec.path),
            stars: None,
            unit: Some(unit.to_string()),
        });
    }
    out
}

/// Brand pages of section `s` that pass `filter` (all when `None`).
pub(crate) fn filtered_brands(
    site: &Site,
    s: SectionId,
    filter: Option<&BrandFilter>,
) -> Vec<PageId> {
    site.sections[s]
        .pages
        .iter()
        .copied()
        .filter(|&p| match (&site.pages[p].data, filter) {
            (PageData::Brand(_), None) => true,
            (PageData::Brand(b), Some(f)) => {
                f.stars.is_none_or(|n| b.stars == n)
                    && f.unit.as_deref().is_none_or(|u| b.unit == u)
            }
            _ => false,
        })
        .collect()
}

impl<'a> Renderer<'a> {
    /// Filter links for templates, with counts.
    pub(crate) fn filter_links(&self, s: SectionId) -> (Vec<FilterLink>, Vec<FilterLink>) {
        let (mut stars, mut units) = (Vec::new(), Vec::new());
        for f in brand_filters(self.site, s) {
            let count = filtered_brands(self.site, s, Some(&f)).len();
            let link = FilterLink {
                stars: f.stars,
                name: f.unit.clone(),
                url: dir_url(&f.dir),
                count,
            };
            if f.stars.is_some() {
                stars.push(link);
            } else {
                units.push(link);
            }
        }
        (stars, units)
    }

    /// The articles of pack `s` for its print view, links rebased to the print page.
    pub(crate) fn print_articles(&self, s: SectionId) -> std::io::Result<Vec<impl Serialize + 'a>> {
        let site: &'a Site = self.site;
        let root = root_prefix(&print_dir(site, s));
        site.sections[s]
            .pages
            .iter()
            .map(|&p| {
                let page = &site.pages[p];
                let article = match &page.data {
                    PageData::PackArticle(a) => Some(a),
                    _ => None,
                };
                Ok(PrintArticle {
                    title: &page.fm.title,
                    category: article.map(|a| a.category.as_str()),
                    author: article.and_then(|a| a.author.as_deref()),
                    source: article.and_then(|a| a.source.as_deref()),
                    date_zh: page.fm.date.as_ref().map(|d| d.zh()).unwrap_or_default(),
                    content: rebase_summary(&self.portable_text(&self.digests[p])?, &root),
                })
            })
            .collect()
    }

    /// The home page's blocks: newest pack, latest column articles, featured brands, news.
    pub(crate) fn home_ctx(&self, root: &str) -> HomeCtx<'a> {
        let site = self.site;
        let newest_pack = (0..site.sections.len())
            .filter_map(|s| {
                site.sections[s]
                    .data
                    .pack
                    .as_ref()
                    .map(|p| ((p.year, p.month), s))
            })
            .max()
            .map(|(_, s)| s);
        let by_date = site.pages_by_date();
        let of_kind = |kind: Kind, n: usize| -> Vec<crate::render::PageSummary<'a>> {
            by_date
                .iter()
                .copied()
                .filter(|&p| site.pages[p].kind == Some(kind))
                .take(n)
                .map(|p| self.summary(p, root))
                .collect()
        };
        let mut brands: Vec<PageId> = (0..site.pages.len())
            .filter(|&p| matches!(&site.pages[p].data, PageData::Brand(b) if b.featured))
            .collect();
        if brands.is_empty() {
            brands = (0..site.pages.len())
                .filter(|&p| matches!(site.pages[p].data, PageData::Brand(_)))
                .collect();
        }
        // Highest rated first, whether chosen by editors or by rating.
        brands.sort_by_key(|&p| match &site.pages[p].data {
            PageData::Brand(b) => (std::cmp::Reverse(b.stars), site.pages[p].rel.clone()),
            _ => (std::cmp::Reverse(0), String::new()),
        });
        brands.truncate(4);
        HomeCtx {
            pack: newest_pack.and_then(|s| self.pack_ctx(s)),
            column: of_kind(Kind::Column, 6),
            brands: self.brand_cards(brands),
            news: of_kind(Kind::News, 6),
        }
    }

    /// A column article's thumbnail and form, for list pages.
    pub(crate) fn list_extras(&self, p: PageId) -> (Option<&'a str>, Option<Form>) {
        match &self.site.pages[p].data {
            PageData::ColumnArticle(a) => (a.thumbnail.as_deref(), Some(a.form)),
            _ => (None, None),
        }
    }
}

/// 三, 四, 五 for star levels.
fn star_word(stars: u8) -> &'static str {
    match stars {
        3 => "三",
        4 => "四",
        5 => "五",
        _ => "",
    }
}

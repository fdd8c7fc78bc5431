//! `zhibu build`: the stages in order, config → content → model → markdown → render → output.
//!
//! Each stage collects diagnostics; the build stops before writing anything when there are
//! errors, so editors see every problem at once and the published site is never half-updated.

use crate::config::Config;
use crate::diagnostic::{display_path, Diagnostic, Diagnostics};
use crate::kinds::Kind;
use crate::markdown::{self, Body, RenderTarget};
use crate::output::{self, Staging, Written};
use crate::render::{self, dir_url, pager_count, pager_dir, PageDigest, Renderer};
use crate::render_kinds;
use crate::search;
use crate::site::{self, LinkTarget, SectionId, Site};
use crate::source::{self, SourceKind};
use crate::theme::{StaticSource, Theme};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What `zhibu build` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Site root (holds `zhibu.toml` and `content/`).
    pub root: PathBuf,
    /// Output directory; `<root>/public` when `None`.
    pub output: Option<PathBuf>,
    /// Overrides `base_url` from the configuration.
    pub base_url: Option<String>,
    /// Include drafts.
    pub drafts: bool,
}

/// What a successful build did.
#[derive(Debug)]
pub struct BuildReport {
    /// Pages rendered.
    pub pages: usize,
    /// Sections rendered.
    pub sections: usize,
    /// Files written.
    pub files: usize,
    /// Warnings found along the way.
    pub warnings: Vec<Diagnostic>,
    /// Wall time.
    pub elapsed: Duration,
    /// Where the site was written.
    pub output: PathBuf,
    /// Sizes of the search index.
    pub search: crate::search::IndexStats,
    /// Pages whose HTML was rendered by this build (all of them, unless a watch session could
    /// reuse earlier work).
    pub rendered: usize,
    /// Files written to the output (a rebuild in a watch session skips identical ones).
    pub changed_files: usize,
}

/// Why a build did not publish.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// Content, configuration or templates have problems; all are listed.
    #[error("构建失败：共 {} 个错误", .0.iter().filter(|d| d.is_error()).count())]
    Invalid(Vec<Diagnostic>),
    /// The output could not be written.
    #[error("写入输出目录失败（{context}）：{source}")]
    Output {
        /// What was being done.
        context: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The output directory is not safe to replace.
    #[error("{0}")]
    UnsafeOutput(String),
}

fn stop_if_errors(diags: &Diagnostics) -> Result<(), BuildError> {
    if diags.has_errors() {
        Err(BuildError::Invalid(diags.clone().sorted()))
    } else {
        Ok(())
    }
}

fn io_err(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> BuildError {
    let context = context.into();
    move |source| BuildError::Output { context, source }
}

/// Reads the site, validates it, and renders it into the output directory.
pub fn build(opts: &BuildOptions) -> Result<BuildReport, BuildError> {
    build_into(opts, None).map(|(report, _)| report)
}

/// A build that remembers what it wrote, so that the next one in a `watch` or `serve` session
/// replaces only the files that changed.
pub struct Session {
    opts: BuildOptions,
    /// What the last successful build wrote; `None` before the first.
    written: Option<Written>,
}

impl Session {
    /// A session that builds with `opts`.
    pub fn new(opts: BuildOptions) -> Session {
        Session {
            opts,
            written: None,
        }
    }

    /// Builds again after `changes` (`None` for the first build). The output ends up exactly
    /// as a clean build of the same sources would make it; files with unchanged bytes are
    /// left alone. After a failed build the output keeps the last good site.
    pub fn rebuild(
        &mut self,
        _changes: Option<&crate::watch::Changes>,
    ) -> Result<BuildReport, BuildError> {
        let previous = self.written.take();
        match build_into(&self.opts, previous.clone()) {
            Ok((report, written)) => {
                self.written = Some(written);
                Ok(report)
            }
            Err(e) => {
                self.written = previous;
                Err(e)
            }
        }
    }
}

/// Builds; with `previous` (what an earlier build of this session wrote) only changed files
/// are replaced. Returns the report and what the output now holds.
fn build_into(
    opts: &BuildOptions,
    previous: Option<Written>,
) -> Result<(BuildReport, Written), BuildError> {
    let started = Instant::now();
    let root = opts.root.as_path();
    let output = opts.output.clone().unwrap_or_else(|| root.join("public"));
    let mut diags = Diagnostics::default();

    let mut config = Config::load(root).map_err(BuildError::Invalid)?;
    if let Some(base) = &opts.base_url {
        config.base_url = Some(base.trim_end_matches('/').to_string()).filter(|b| !b.is_empty());
    }
    let (tera, theme) = load_templates(root, &config, &mut diags);
    let syntax_css = markdown::highlight_css(&config.highlight_theme);
    if syntax_css.is_none() {
        diags.push(Diagnostic::file_error(
            "zhibu.toml",
            format!(
                "代码高亮主题 `{}` 不存在，可选：{}",
                config.highlight_theme,
                markdown::highlight_themes().join("、")
            ),
        ));
    }
    let site = read_site(root, config, opts.drafts, &mut diags);
    if diags.has_errors() {
        // Still read every body, so broken links are reported together with the other errors.
        let sections = render_section_bodies(&site, &mut diags);
        let pages = check_page_bodies(&site, &mut diags);
        check_anchors(&site, &sections, &pages, &mut diags);
        return Err(BuildError::Invalid(diags.sorted()));
    }
    tracing::debug!(
        pages = site.pages.len(),
        "model built in {:?}",
        started.elapsed()
    );

    output::check_output_dir(root, &output).map_err(BuildError::UnsafeOutput)?;
    tracing::debug!("output checked at {:?}", started.elapsed());
    let staging = match previous {
        Some(previous) => Staging::update(&output, previous),
        None => Staging::new(&output),
    }
    .map_err(io_err(format!("创建临时目录 {}", output.display())))?;
    let plan = plan_outputs(&site, &theme);
    check_collisions(&plan, &mut diags);
    stop_if_errors(&diags)?;

    let section_bodies = render_section_bodies(&site, &mut diags);
    let search_pages = search::pages_for(&site);
    let (digests, page_bodies, search_docs) = render_pages(
        &site,
        &tera,
        &staging,
        opts.drafts,
        &search_pages,
        &mut diags,
    );
    tracing::debug!("pages written at {:?}", started.elapsed());
    check_anchors(&site, &section_bodies, &page_bodies, &mut diags);
    let lists = Renderer::new(&site, &tera, &digests, opts.drafts);
    let search_filters = search::filters(&search_pages);
    drop(search_pages);
    render_lists(
        &site,
        &lists,
        &section_bodies,
        &search_filters,
        &staging,
        &mut diags,
    );
    tracing::debug!("lists written at {:?}", started.elapsed());
    let index = search::index::build_index(search_docs, site.config.search_fold_traditional);
    tracing::debug!("search index built at {:?}", started.elapsed());
    let search_files = index.files.len() + index.stats.parts;
    write_search(&index, &staging, &mut diags);
    write_fixed(
        &site,
        &digests,
        syntax_css.as_deref().unwrap_or(""),
        &theme,
        &staging,
        &mut diags,
    );
    stop_if_errors(&diags)?;
    tracing::debug!("static files written at {:?}", started.elapsed());

    let changed_files = staging.changed_files();
    let written = staging
        .commit()
        .map_err(io_err(format!("替换 {}", output.display())))?;
    tracing::debug!("output swapped in at {:?}", started.elapsed());
    let report = BuildReport {
        pages: site.pages.len(),
        sections: site.sections.len(),
        files: plan.len() + search_files,
        warnings: diags.sorted(),
        elapsed: started.elapsed(),
        output,
        search: index.stats,
        rendered: site.pages.len(),
        changed_files,
    };
    Ok((report, written))
}

/// Theme layers and the Tera instance holding them.
fn load_templates(root: &Path, config: &Config, diags: &mut Diagnostics) -> (tera::Tera, Theme) {
    let theme = match Theme::load(root, &config.theme) {
        Ok(t) => t,
        Err(e) => {
            diags.extend(e);
            return (tera::Tera::default(), Theme::default());
        }
    };
    let mut tera = tera::Tera::default();
    // Tera's own escaper also escapes `/`, which turns every relative URL into `..&#x2F;`.
    tera.set_escape_fn(markdown::escape_html);
    let sources: Vec<(&str, &str)> = theme
        .templates
        .iter()
        .map(|(n, (t, _))| (n.as_str(), t.as_str()))
        .collect();
    if let Err(e) = tera.add_raw_templates(sources) {
        let shown = theme
            .templates
            .iter()
            .find(|(n, _)| e.to_string().contains(n.as_str()))
            .map_or("templates".to_string(), |(_, (_, f))| f.clone());
        let chain = render::error_chain(&e);
        diags.push(Diagnostic::error(
            shown,
            tera_position(&chain),
            format!("模板有误：{chain}"),
        ));
    }
    (tera, theme)
}

/// Tera's parse errors point at the problem as `--> 81:29`; take that as the position.
fn tera_position(message: &str) -> crate::diagnostic::Position {
    let at = message.split("--> ").nth(1).unwrap_or("");
    let mut numbers = at
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty());
    match (
        numbers.next().and_then(|l| l.parse().ok()),
        numbers.next().and_then(|c| c.parse().ok()),
    ) {
        (Some(line), Some(col)) => crate::diagnostic::Position { line, col },
        _ => crate::diagnostic::Position::default(),
    }
}

/// Walks `content/`, parses every Markdown file in parallel and assembles the model.
fn read_site(root: &Path, config: Config, drafts: bool, diags: &mut Diagnostics) -> Site {
    let content = root.join("content");
    if !content.is_dir() {
        diags.push(Diagnostic::file_error(
            "content",
            "找不到 content/ 目录：站点内容应放在站点根目录下的 content/ 中",
        ));
    }
    let (files, problems) = source::walk(&content, root);
    diags.extend(problems);
    let (markdown, assets): (Vec<_>, Vec<_>) =
        files.into_iter().partition(|f| f.kind != SourceKind::Asset);
    let parsed: Vec<_> = markdown
        .into_par_iter()
        .map(|f| {
            let shown = display_path(root, &f.path);
            let rel = f.rel.clone();
            (rel, site::read_document(f, shown))
        })
        .collect();
    let mut docs = Vec::with_capacity(parsed.len());
    let mut unreadable = std::collections::HashSet::new();
    for (rel, r) in parsed {
        match r {
            Ok(d) => docs.push(d),
            Err(d) => {
                diags.push(d);
                unreadable.insert(rel);
            }
        }
    }
    let mut site = Site::assemble(config, docs, assets, drafts, diags);
    site.unreadable = unreadable;
    site
}

/// One file the build will write, and what produces it (for collision messages).
struct Planned {
    rel: String,
    origin: String,
}

/// Every file the site will contain, before anything is rendered.
fn plan_outputs(site: &Site, theme: &Theme) -> Vec<Planned> {
    let mut plan = Vec::new();
    let mut add = |rel: String, origin: String| plan.push(Planned { rel, origin });
    for p in &site.pages {
        add(dir_url(&p.path), p.file.display().to_string());
    }
    for job in list_jobs(site) {
        add(job.rel(site), job.origin(site));
    }
    for fixed in [
        "atom.xml",
        "sitemap.xml",
        "robots.txt",
        "css/syntax.css",
        "search/meta.js",
        "search/facets.js",
    ] {
        add(fixed.to_string(), "zhibu".to_string());
    }
    for rel in theme.statics.keys() {
        add(rel.clone(), format!("static/{rel}"));
    }
    for a in &site.assets {
        add(a.dest.clone(), a.src.display().to_string());
    }
    plan
}

/// Two sources writing the same file is an error naming both: one would silently vanish.
fn check_collisions(plan: &[Planned], diags: &mut Diagnostics) {
    let mut seen: HashMap<&str, &str> = HashMap::with_capacity(plan.len());
    for p in plan {
        if let Some(first) = seen.insert(&p.rel, &p.origin) {
            if first != p.origin {
                diags.push(Diagnostic::file_error(
                    &p.origin,
                    format!("输出文件 {} 重复：{} 与 {} 生成了同一个网址，请修改其中一个的文件名或 slug", p.rel, first, p.origin),
                ));
            }
        }
    }
}

/// Runs `f` over `items` in parallel, keeping results in order and moving every item's
/// findings into `diags`.
fn par_map_diagnosed<T: Sync, R: Send>(
    items: &[T],
    diags: &mut Diagnostics,
    f: impl Fn(usize, &T) -> (R, Vec<Diagnostic>) + Sync + Send,
) -> Vec<R> {
    let results: Vec<(R, Vec<Diagnostic>)> =
        items.par_iter().enumerate().map(|(i, t)| f(i, t)).collect();
    results
        .into_iter()
        .map(|(r, found)| {
            diags.extend(found);
            r
        })
        .collect()
}

/// Bodies of sections (few, small; kept for list pages and anchor checks).
fn render_section_bodies(site: &Site, diags: &mut Diagnostics) -> Vec<Body> {
    par_map_diagnosed(&site.sections, diags, |_, s| {
        let mut target = RenderTarget::new(&s.file, s.body_line, &s.path, &s.dir);
        target.portable = s.kind == Some(Kind::Pack);
        markdown::render(&s.body, site, &target)
    })
}

/// What is kept of a page body after its HTML is written: enough for anchors.
struct PageRest {
    heading_ids: std::collections::HashSet<String>,
    anchor_links: Vec<(markdown::AnchorLink, PathBuf)>,
}

impl PageRest {
    fn of(body: Body, file: &Path) -> PageRest {
        PageRest {
            anchor_links: body
                .anchor_links
                .into_iter()
                .map(|a| (a, file.to_path_buf()))
                .collect(),
            heading_ids: body.heading_ids,
        }
    }
}

/// Renders every page's Markdown and template in parallel and writes it at once, so page HTML
/// never piles up in memory; only digests for list pages and the normalised searchable text
/// are kept (the page's text parts for search excerpts are written right away too).
fn render_pages(
    site: &Site,
    tera: &tera::Tera,
    staging: &Staging,
    drafts: bool,
    search_pages: &[search::SearchPage],
    diags: &mut Diagnostics,
) -> (Vec<PageDigest>, Vec<PageRest>, Vec<search::PageSearch>) {
    let renderer = Renderer::new(site, tera, &[], drafts);
    let fold = site.config.search_fold_traditional;
    let rendered = par_map_diagnosed(&site.pages, diags, |id, page| {
        let mut target =
            RenderTarget::new(&page.file, page.body_line, &page.path, page.content_dir());
        // Pack articles appear again, whole, in their pack's print view.
        target.portable = page.kind == Some(Kind::Pack);
        let (mut body, mut problems) = markdown::render(&page.body, site, &target);
        match renderer.page(id, &body) {
            Ok(html) => {
                let rel = dir_url(&page.path);
                if let Err(e) = staging.write(&rel, html.as_bytes()) {
                    problems.push(Diagnostic::file_error(
                        &page.file,
                        format!("写入 {rel} 失败：{e}"),
                    ));
                }
            }
            Err(d) => problems.push(d),
        }
        let (searchable, parts) = search::index::prepare_page(&search_pages[id], &body.html, fold);
        for (rel, js) in parts {
            if let Err(e) = staging.write(&rel, js.as_bytes()) {
                problems.push(Diagnostic::file_error(
                    &page.file,
                    format!("写入 {rel} 失败：{e}"),
                ));
            }
        }
        (
            (
                PageDigest::of(&mut body),
                PageRest::of(body, &page.file),
                searchable,
            ),
            problems,
        )
    });
    let mut out = (
        Vec::with_capacity(rendered.len()),
        Vec::with_capacity(rendered.len()),
        Vec::with_capacity(rendered.len()),
    );
    for (d, r, s) in rendered {
        out.0.push(d);
        out.1.push(r);
        out.2.push(s);
    }
    out
}

/// Shards, `meta.js` and `facets.js` of the search index, in parallel.
fn write_search(index: &search::SearchIndex, staging: &Staging, diags: &mut Diagnostics) {
    let problems: Vec<Diagnostic> = index
        .files
        .par_iter()
        .filter_map(|(rel, js)| {
            staging
                .write(rel, js.as_bytes())
                .err()
                .map(|e| Diagnostic::file_error(rel.as_str(), format!("写入失败：{e}")))
        })
        .collect();
    diags.extend(problems);
}

/// Renders page bodies without templates or writing, only to find their problems.
fn check_page_bodies(site: &Site, diags: &mut Diagnostics) -> Vec<PageRest> {
    par_map_diagnosed(&site.pages, diags, |_, page| {
        let target = RenderTarget::new(&page.file, page.body_line, &page.path, page.content_dir());
        let (body, problems) = markdown::render(&page.body, site, &target);
        (PageRest::of(body, &page.file), problems)
    })
}

/// Every `@/page.md#anchor` must name a heading that exists on the target.
fn check_anchors(site: &Site, sections: &[Body], pages: &[PageRest], diags: &mut Diagnostics) {
    let section_links = sections
        .iter()
        .zip(&site.sections)
        .flat_map(|(b, s)| b.anchor_links.iter().map(move |a| (a, &s.file)));
    let page_links = pages
        .iter()
        .flat_map(|r| r.anchor_links.iter().map(|(a, f)| (a, f)));
    for (link, file) in section_links.chain(page_links) {
        let (ids, target_file) = match link.target {
            LinkTarget::Page(p) => (&pages[p].heading_ids, &site.pages[p].file),
            LinkTarget::Section(s) => (&sections[s].heading_ids, &site.sections[s].file),
        };
        if !ids.contains(&link.anchor) {
            let mut known: Vec<&String> = ids.iter().collect();
            known.sort();
            let known: Vec<String> = known.iter().map(|k| format!("#{k}")).collect();
            diags.push(Diagnostic::error(
                file,
                link.pos,
                format!(
                    "锚点 #{} 在 {} 中不存在（现有标题锚点：{}）",
                    link.anchor,
                    target_file.display(),
                    if known.is_empty() {
                        "无".to_string()
                    } else {
                        known.join(" ")
                    }
                ),
            ));
        }
    }
}

/// One list output: a section page, a brand filter page, a pack's print view, a taxonomy
/// page, or the 404 page.
enum ListJob {
    Section(SectionId, usize),
    BrandFilter(SectionId, render_kinds::BrandFilter),
    PackPrint(SectionId),
    TaxonomyList(usize),
    Term(usize, usize, usize),
    NotFound,
    Search,
}

impl ListJob {
    /// The file it writes, relative to the output root.
    fn rel(&self, site: &Site) -> String {
        match self {
            ListJob::Section(s, n) => dir_url(&pager_dir(&site.sections[*s].path, *n)),
            ListJob::BrandFilter(_, f) => dir_url(&f.dir),
            ListJob::PackPrint(s) => dir_url(&render_kinds::print_dir(site, *s)),
            ListJob::TaxonomyList(t) => dir_url(&site.taxonomies[*t].path()),
            ListJob::Term(t, ti, n) => {
                let tax = &site.taxonomies[*t];
                dir_url(&pager_dir(&tax.term_path(&tax.terms[*ti]), *n))
            }
            ListJob::NotFound => "404.html".to_string(),
            ListJob::Search => "search/index.html".to_string(),
        }
    }

    /// What produces it, for collision messages.
    fn origin(&self, site: &Site) -> String {
        match self {
            ListJob::Section(s, _) | ListJob::BrandFilter(s, _) | ListJob::PackPrint(s) => {
                site.sections[*s].file.display().to_string()
            }
            ListJob::TaxonomyList(t) => format!("分类法 {}", site.taxonomies[*t].name),
            ListJob::Term(t, ti, _) => {
                let tax = &site.taxonomies[*t];
                format!("分类法 {} 的“{}”", tax.name, tax.terms[*ti].name)
            }
            ListJob::NotFound | ListJob::Search => "zhibu".to_string(),
        }
    }
}

/// Every list output of the site; the plan and the renderer both take them from here.
fn list_jobs(site: &Site) -> Vec<ListJob> {
    let mut jobs = vec![ListJob::NotFound, ListJob::Search];
    for (s, sec) in site.sections.iter().enumerate() {
        for n in 1..=pager_count(sec.pages.len(), site.section_per_page(s)) {
            jobs.push(ListJob::Section(s, n));
        }
        match sec.kind {
            Some(Kind::Brands) => jobs.extend(
                render_kinds::brand_filters(site, s)
                    .into_iter()
                    .map(|f| ListJob::BrandFilter(s, f)),
            ),
            Some(Kind::Pack) if sec.data.pack.is_some() => jobs.push(ListJob::PackPrint(s)),
            _ => {}
        }
    }
    for (t, tax) in site.taxonomies.iter().enumerate() {
        jobs.push(ListJob::TaxonomyList(t));
        for (ti, term) in tax.terms.iter().enumerate() {
            for n in 1..=pager_count(term.pages.len(), tax.paginate_by) {
                jobs.push(ListJob::Term(t, ti, n));
            }
        }
    }
    jobs
}

/// Section lists, filter pages, print views, taxonomy pages and 404, rendered in parallel.
fn render_lists(
    site: &Site,
    r: &Renderer<'_>,
    section_bodies: &[Body],
    search_filters: &serde_json::Value,
    staging: &Staging,
    diags: &mut Diagnostics,
) {
    let problems: Vec<Diagnostic> = list_jobs(site)
        .par_iter()
        .filter_map(|job| {
            if matches!(job, ListJob::Search) && !r.has_search_page() {
                return None;
            }
            let html = match job {
                ListJob::Section(s, n) => r.section(*s, *n, &section_bodies[*s], None),
                ListJob::BrandFilter(s, f) => r.section(*s, 1, &section_bodies[*s], Some(f)),
                ListJob::PackPrint(s) => r.pack_print(*s, &section_bodies[*s]),
                ListJob::TaxonomyList(t) => r.taxonomy_list(*t),
                ListJob::Term(t, ti, n) => r.taxonomy_term(*t, *ti, *n),
                ListJob::NotFound => r.not_found(),
                ListJob::Search => r.search_page(search_filters),
            };
            let rel = job.rel(site);
            match html {
                Ok(h) => staging
                    .write(&rel, h.as_bytes())
                    .err()
                    .map(|e| Diagnostic::file_error(rel.as_str(), format!("写入失败：{e}"))),
                Err(d) => Some(d),
            }
        })
        .collect();
    diags.extend(problems);
}

/// Feeds, sitemap, robots.txt, the highlight stylesheet, static files and page assets.
fn write_fixed(
    site: &Site,
    digests: &[PageDigest],
    syntax_css: &str,
    theme: &Theme,
    staging: &Staging,
    diags: &mut Diagnostics,
) {
    let generated = [
        ("atom.xml", render::atom(site, digests)),
        ("sitemap.xml", render::sitemap(site)),
        ("robots.txt", render::robots(site)),
        ("css/syntax.css", syntax_css.to_string()),
    ];
    let mut jobs: Vec<(String, Result<(), std::io::Error>)> = Vec::new();
    for (rel, text) in &generated {
        jobs.push((rel.to_string(), staging.write(rel, text.as_bytes())));
    }
    let statics: Vec<_> = theme.statics.iter().collect();
    let copied: Vec<(String, Result<(), std::io::Error>)> = statics
        .par_iter()
        .map(|(rel, src)| {
            let r = match src {
                StaticSource::Embedded(bytes) => staging.write(rel, bytes),
                StaticSource::Disk(path) => staging.copy(path, rel),
            };
            (rel.to_string(), r)
        })
        .chain(
            site.assets
                .par_iter()
                .map(|a| (a.dest.clone(), staging.copy(&a.src, &a.dest))),
        )
        .collect();
    jobs.extend(copied);
    for (rel, r) in jobs {
        if let Err(e) = r {
            diags.push(Diagnostic::file_error(rel, format!("写入失败：{e}")));
        }
    }
}

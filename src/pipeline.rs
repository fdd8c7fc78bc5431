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
use crate::site::{self, LinkTarget, PageId, SectionId, Site};
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

impl BuildOptions {
    /// Where the site is built: `output`, or `<root>/public`.
    pub fn output_dir(&self) -> PathBuf {
        self.output
            .clone()
            .unwrap_or_else(|| self.root.join("public"))
    }
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
    /// When a watch-session rebuild put the edited pages in place before updating the search
    /// index: how long that took.
    pub pages_published: Option<Duration>,
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
    build_into(opts, None, Mode::Build, None)
}

/// [`build`], counting the files it produces into `progress` as it goes.
pub fn build_with_progress(
    opts: &BuildOptions,
    progress: std::sync::Arc<output::Progress>,
) -> Result<BuildReport, BuildError> {
    build_into(opts, None, Mode::Build, Some(progress))
}

/// `zhibu check`: everything `build` validates and every publishing check, without writing
/// anything. Returns all findings, errors and warnings, sorted by file and place.
pub fn check(opts: &BuildOptions) -> Result<Vec<Diagnostic>, BuildError> {
    match build_into(opts, None, Mode::Check, None) {
        Ok(report) => Ok(report.warnings),
        Err(BuildError::Invalid(diags)) => Ok(diags),
        Err(e) => Err(e),
    }
}

/// The site model drafts included, as `zhibu new` needs it to find sections and existing packs.
/// Problems in the content are left to `build` and `check` (a new file should not wait for an
/// unrelated fix); only a configuration that cannot be read stops it.
pub fn read_model(root: &Path) -> Result<Site, Vec<Diagnostic>> {
    let config = Config::load(root)?;
    Ok(read_site(
        root,
        config,
        true,
        None,
        &mut Diagnostics::default(),
    ))
}

/// What a run of the pipeline is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Publish: write the site; publishing checks that find errors stop it.
    Build,
    /// Only report: run every check, write nothing.
    Check,
}

/// A build that remembers its work, so that the next one in a `watch` or `serve` session
/// re-reads only changed files and re-renders only outputs whose inputs changed.
pub struct Session {
    opts: BuildOptions,
    memo: Memo,
    on_pages: Option<Box<dyn FnMut() + Send>>,
    /// See [`Session::set_index_with_pages`].
    index_with_pages: usize,
}

impl Session {
    /// A session that builds with `opts`.
    pub fn new(opts: BuildOptions) -> Session {
        Session {
            opts,
            memo: Memo::default(),
            on_pages: None,
            index_with_pages: INDEX_WITH_PAGES,
        }
    }

    /// Calls `hook` whenever a rebuild has put edited pages in place and goes on to update
    /// the search index (see [`BuildReport::pages_published`]).
    pub fn on_pages_published(&mut self, hook: Box<dyn FnMut() + Send>) {
        self.on_pages = Some(hook);
    }

    /// Sets the most bytes of search index shards that an edit of page bodies may rewrite
    /// before the edited pages are published (4 MiB unless set): a larger update of the index
    /// is made after them, in a second step.
    pub fn set_index_with_pages(&mut self, bytes: usize) {
        self.index_with_pages = bytes;
    }

    /// Builds again after `changes` (`None` for the first build). The output ends up exactly
    /// as a clean build of the same sources would make it; files with unchanged bytes are
    /// left alone. After a failed build the output keeps the last good site.
    pub fn rebuild(
        &mut self,
        changes: Option<&crate::watch::Changes>,
    ) -> Result<BuildReport, BuildError> {
        if let Some(c) = changes {
            let templates = c
                .paths
                .iter()
                .any(|p| p.starts_with("templates") || p.starts_with("themes") || c.config());
            if templates {
                self.memo.templates = None;
            }
            self.memo.forced = c
                .paths
                .iter()
                .filter_map(|p| p.strip_prefix("content").ok())
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .collect();
        }
        let hook = self.on_pages.as_deref_mut();
        let fast = |c| fast_rebuild(&self.opts, &mut self.memo, c, hook, self.index_with_pages);
        let result = match changes.and_then(fast) {
            Some(r) => r,
            None => build_into(&self.opts, Some(&mut self.memo), Mode::Build, None),
        };
        self.memo.forced.clear();
        result
    }
}

/// A markdown file's size and modification time: a file whose stamp is unchanged (and that no
/// file event named) is not read again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
}

impl Stamp {
    fn of(path: &Path) -> Option<Stamp> {
        let m = std::fs::metadata(path).ok()?;
        Some(Stamp {
            len: m.len(),
            modified: m.modified().ok(),
        })
    }
}

/// Loaded templates with a fingerprint per template that covers what it extends, imports and
/// includes: editing `brand.html` re-renders brand pages only, editing `base.html` everything.
struct Templates {
    tera: tera::Tera,
    theme: Theme,
    hashes: HashMap<String, u64>,
    problems: Vec<Diagnostic>,
}

impl Templates {
    fn load(root: &Path, config: &Config) -> Templates {
        let mut problems = Diagnostics::default();
        let (tera, theme) = load_templates(root, config, &mut problems);
        Templates {
            hashes: template_hashes(&theme),
            tera,
            theme,
            problems: problems.0,
        }
    }
}

/// What one page produced last time, and the fingerprint of everything it depended on.
struct PageMemo {
    /// Fingerprint of the Markdown and what its links resolve to.
    md_key: u64,
    /// The rendered body without its HTML (summary, table of contents, anchors…).
    body: Body,
    /// Hash of the body HTML.
    html_hash: u64,
    /// Warnings from rendering the Markdown, reported again on every build.
    md_problems: Vec<Diagnostic>,
    /// Fingerprint of everything the page's output files depend on.
    key: u64,
    /// Output files: the page and its search text parts.
    outputs: Vec<String>,
    /// Its searchable text, for the index.
    search: search::PageSearch,
    /// Fingerprint of what its search entry depends on.
    search_key: u64,
}

/// What a watch session keeps between builds. Page, list and search memos are replaced only
/// when a build succeeds, so they always describe what is on disk.
#[derive(Default)]
struct Memo {
    written: Option<Written>,
    config: Option<u64>,
    templates: Option<std::sync::Arc<Templates>>,
    docs: HashMap<String, (Stamp, Result<site::Document, Diagnostic>)>,
    /// Content-relative paths named by file events: read again whatever their stamp says.
    forced: std::collections::HashSet<String>,
    pages: HashMap<String, PageMemo>,
    lists: HashMap<String, u64>,
    search: Option<(u64, Vec<String>, search::IndexStats)>,
    /// The index, kept whole so that an edit updates it in place (see [`search::live`]), with
    /// the key of `search` it was built for.
    index: Option<(u64, search::live::LiveIndex)>,
    /// The last good build's model and what its lists were made from, for rebuilds after edits
    /// that touch only page bodies (see [`fast_rebuild`]).
    last: Option<LastBuild>,
}

/// The model of the last successful build and the per-page results lists are made from.
struct LastBuild {
    site: Site,
    section_bodies: Vec<Body>,
    digests: Vec<PageDigest>,
    rests: Vec<PageRest>,
    /// Findings of reading the model and templates (warnings only: the build succeeded).
    model_warnings: Vec<Diagnostic>,
    files: usize,
    /// The wording rules the build checked with (`rules/` did not change since, or this would
    /// not be a body-only rebuild).
    rules: crate::check::wording::Rules,
}

/// Builds; with a memo (a watch session) only changed files are read, only outputs whose
/// inputs changed are rendered, and only changed files are replaced; the memo then records what
/// the output holds.
fn build_into(
    opts: &BuildOptions,
    mut memo: Option<&mut Memo>,
    mode: Mode,
    progress: Option<std::sync::Arc<output::Progress>>,
) -> Result<BuildReport, BuildError> {
    let started = Instant::now();
    let root = opts.root.as_path();
    let output = opts.output_dir();
    let mut diags = Diagnostics::default();

    let mut config = Config::load(root).map_err(BuildError::Invalid)?;
    if let Some(base) = &opts.base_url {
        config.base_url = Some(base.trim_end_matches('/').to_string()).filter(|b| !b.is_empty());
    }
    if let Some(m) = memo.as_deref_mut() {
        // Any change of settings can change every output: start over (the output is still
        // updated file by file).
        let key = config_key(root, opts);
        if m.config != Some(key) {
            let written = m.written.take();
            *m = Memo {
                written,
                config: Some(key),
                ..Memo::default()
            };
        }
    }
    // A session keeps its templates until one of them, a theme or the settings change.
    // Parsing them is serial (~25 ms on the default theme) while reading the content leaves a
    // core partly idle, so the two overlap.
    let kept_templates = memo.as_deref().and_then(|m| m.templates.clone());
    let template_config = config.clone();
    if let Some(m) = memo.as_deref_mut() {
        m.last = None;
    }
    let mut read_diags = Diagnostics::default();
    let (templates, mut site) = std::thread::scope(|scope| {
        let loading = scope.spawn(move || {
            kept_templates
                .unwrap_or_else(|| std::sync::Arc::new(Templates::load(root, &template_config)))
        });
        let site = read_site(
            root,
            config,
            opts.drafts,
            memo.as_deref_mut().map(|m| (&mut m.docs, &m.forced)),
            &mut read_diags,
        );
        let templates = loading
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (templates, site)
    });
    if let Some(m) = memo.as_deref_mut() {
        m.templates = Some(templates.clone());
    }
    diags.extend(templates.problems.iter().cloned());
    let (tera, theme, template_hashes) = (&templates.tera, &templates.theme, &templates.hashes);
    let syntax_css = markdown::highlight_css(&site.config.highlight_theme);
    if syntax_css.is_none() {
        diags.push(Diagnostic::file_error(
            "zhibu.toml",
            format!(
                "代码高亮主题 `{}` 不存在，可选：{}",
                site.config.highlight_theme,
                markdown::highlight_themes().join("、")
            ),
        ));
    }
    diags.extend(read_diags.0);
    let rules = match crate::check::wording::Rules::load(root) {
        Ok(r) => r,
        Err(problems) => {
            diags.extend(problems);
            crate::check::wording::Rules::empty()
        }
    };
    publishing_checks(root, &site, &rules, theme, mode, &mut diags);
    let model_warnings = diags.0.clone();
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

    if mode == Mode::Build {
        output::check_output_dir(root, &output).map_err(BuildError::UnsafeOutput)?;
    }
    tracing::debug!("output checked at {:?}", started.elapsed());
    let mut staging = match (mode, memo.as_deref_mut()) {
        (Mode::Check, _) => Ok(Staging::discard(&output)),
        (_, Some(m)) => match m.written.clone() {
            Some(previous) => Staging::update(&output, previous),
            None => Staging::recording(&output),
        },
        (_, None) => Staging::new(&output),
    }
    .map_err(io_err(format!("创建临时目录 {}", output.display())))?;
    let plan = plan_outputs(&site, theme);
    if let Some(p) = progress {
        p.total
            .store(plan.len(), std::sync::atomic::Ordering::Relaxed);
        staging.report_to(p);
    }
    check_collisions(&plan, &mut diags);
    stop_if_errors(&diags)?;

    let section_bodies = render_section_bodies(&site, &mut diags);
    let search_pages = search::pages_for(&site);
    // Pack articles' bodies wait here for their print views (a plain build; a session keeps
    // them in memory).
    let spill = output::Spill::new().map_err(io_err("创建临时文件"))?;
    let pages = match memo.as_deref() {
        Some(m) => render_pages_session(
            &site,
            tera,
            &staging,
            opts.drafts,
            &search_pages,
            (&m.pages, template_hashes),
            &mut diags,
        ),
        None => {
            // A plain build needs each page's Markdown only to render it once: the texts
            // leave the model and go one by one.
            let texts = site.take_page_bodies();
            render_pages_indexed(
                &site,
                tera,
                &staging,
                opts.drafts,
                &search_pages,
                texts,
                &spill,
                &mut diags,
            )
        }
    };
    tracing::debug!("pages written at {:?}", started.elapsed());
    check_anchors(&site, &section_bodies, &pages.rests, &mut diags);
    let lists = Renderer::new(&site, tera, &pages.digests, opts.drafts).with_spill(&spill);
    let search_filters = search::filters(&search_pages);
    drop(search_pages);
    let list_memo = memo.as_deref().map(|m| (&m.lists, template_hashes));
    let list_keys = render_lists(
        &site,
        &lists,
        &section_bodies,
        &search_filters,
        &staging,
        list_memo,
        &mut diags,
    );
    tracing::debug!("lists written at {:?}", started.elapsed());
    let fold = site.config.search_fold_traditional;
    let previous_index = memo.as_deref().and_then(|m| m.search.as_ref());
    // The feeds and static files are written beside the index: the sitemap and feed are made
    // on one thread, and would otherwise hold up the end of a large build.
    let mut fixed_diags = Diagnostics::default();
    let write_index = |diags: &mut Diagnostics| -> Result<_, BuildError> {
        Ok(match previous_index {
            // A check writes nothing; the index has no problems of its own to find.
            _ if mode == Mode::Check => (search::IndexStats::default(), Vec::new(), None),
            Some((key, files, stats))
                if pages.search_key == Some(*key) && files.iter().all(|f| staging.keep(f)) =>
            {
                (*stats, files.clone(), None)
            }
            // A plain build: the postings made while pages rendered.
            _ => match pages.postings {
                Some(waiting) => {
                    // Read back on every core: a large site's runs take tens of milliseconds.
                    let postings = waiting
                        .into_par_iter()
                        .map(|run| run.load(&spill))
                        .collect::<std::io::Result<Vec<_>>>()
                        .map_err(io_err("读取临时文件"))?;
                    let (files, stats) = write_to_staging(&staging, diags, |sink| {
                        search::index::write_index(postings, &pages.search, fold, sink)
                    });
                    tracing::debug!("search index written at {:?}", started.elapsed());
                    (stats, files, None)
                }
                // A session: from every page memo's text, kept for the next edit.
                None => {
                    let docs = pages.memos.iter().flatten().map(|p| p.search.clone());
                    let index = search::live::LiveIndex::build(docs.collect(), fold);
                    tracing::debug!("search index built at {:?}", started.elapsed());
                    write_to_staging(&staging, diags, |sink| index.write_all(sink));
                    (index.stats(), index.paths(), Some(index))
                }
            },
        })
    };
    let (indexed, ()) = rayon::join(
        || write_index(&mut diags),
        || {
            write_fixed(
                &site,
                &pages.digests,
                syntax_css.as_deref().unwrap_or(""),
                theme,
                &staging,
                &mut fixed_diags,
            )
        },
    );
    let (search_stats, search_outputs, new_index) = indexed?;
    diags.extend(fixed_diags.0);
    let search_files = search_outputs.len() + search_stats.parts;
    stop_if_errors(&diags)?;
    tracing::debug!("static files written at {:?}", started.elapsed());

    let changed_files = staging.changed_files();
    let written = staging
        .commit()
        .map_err(io_err(format!("替换 {}", output.display())))?;
    tracing::debug!("output swapped in at {:?}", started.elapsed());
    if let Some(m) = memo.as_deref_mut() {
        m.written = Some(written);
        if let Some(new_pages) = pages.memos {
            m.pages = site
                .pages
                .iter()
                .map(|p| p.rel.clone())
                .zip(new_pages)
                .collect();
        }
        m.lists = list_keys;
        // Otherwise the index was kept as it was.
        if let (Some(index), Some(key)) = (new_index, pages.search_key) {
            m.index = Some((key, index));
        }
        m.search = pages.search_key.map(|k| (k, search_outputs, search_stats));
    }
    let report = BuildReport {
        pages: site.pages.len(),
        sections: site.sections.len(),
        files: plan.len() + search_files,
        warnings: diags.sorted(),
        elapsed: started.elapsed(),
        output,
        search: search_stats,
        rendered: pages.rendered,
        changed_files,
        pages_published: None,
    };
    if let Some(m) = memo {
        if m.search.is_some() {
            m.last = Some(LastBuild {
                site,
                section_bodies,
                digests: pages.digests,
                rests: pages.rests,
                model_warnings,
                files: plan.len(),
                rules,
            });
        }
    }
    Ok(report)
}

/// A rebuild after edits that changed only the bodies of existing pages — what editors do
/// most — done from the last build's model: re-read the edited files, render those pages and
/// the lists that show their summaries, keep every other file. The pages are put in place
/// first, with the search index when its update in place rewrites at most `index_with_pages`
/// bytes of shards; otherwise the index follows in a second step.
///
/// `None` when the edits are of any other sort (front matter, new or removed files, sections,
/// assets, templates, settings) or the last build failed: then the full pipeline runs.
fn fast_rebuild(
    opts: &BuildOptions,
    memo: &mut Memo,
    changes: &crate::watch::Changes,
    on_pages: Option<&mut (dyn FnMut() + Send + 'static)>,
    index_with_pages: usize,
) -> Option<Result<BuildReport, BuildError>> {
    let started = Instant::now();
    let root = opts.root.as_path();
    if changes.paths.is_empty()
        || memo.templates.is_none()
        || memo.config != Some(config_key(root, opts))
    {
        return None;
    }
    let last = memo.last.as_ref()?;
    // Every changed path must be an existing page whose front matter is as it was.
    let mut edits = Vec::new();
    for path in &changes.paths {
        let rel = path
            .strip_prefix("content")
            .ok()?
            .to_string_lossy()
            .replace('\\', "/");
        if !rel.ends_with(".md") || rel.ends_with("_index.md") {
            return None;
        }
        let (_, Ok(old)) = memo.docs.get(&rel)? else {
            return None;
        };
        let file = root.join("content").join(&rel);
        let stamp = Stamp::of(&file)?;
        let shown = display_path(root, &file);
        let new = site::read_document(old.source.clone(), shown).ok()?;
        if new.front_source.text != old.front_source.text
            || new.body_line != old.body_line
            || new.warnings != old.warnings
        {
            return None;
        }
        let id = last.site.pages.iter().position(|p| p.rel == rel);
        edits.push((rel, stamp, new, id));
    }
    let mut last = memo.last.take()?;
    let mut dirty = Vec::new();
    for (rel, stamp, doc, id) in edits {
        if let Some(id) = id {
            last.site.pages[id].body = doc.body.clone();
            dirty.push(id);
        }
        memo.docs.insert(rel, (stamp, Ok(doc)));
    }
    Some(fast_render(
        opts,
        memo,
        last,
        &dirty,
        started,
        on_pages,
        index_with_pages,
    ))
}

/// The rendering half of [`fast_rebuild`]: pages `dirty` have new bodies in `last.site`.
fn fast_render(
    opts: &BuildOptions,
    memo: &mut Memo,
    mut last: LastBuild,
    dirty: &[PageId],
    started: Instant,
    on_pages: Option<&mut (dyn FnMut() + Send + 'static)>,
    index_with_pages: usize,
) -> Result<BuildReport, BuildError> {
    let output = opts.output_dir();
    let templates = memo.templates.clone().expect("checked by the caller");
    let (tera, theme) = (&templates.tera, &templates.theme);
    let hashes = &templates.hashes;
    let site = &last.site;
    let mut diags = Diagnostics::default();
    diags.extend(last.model_warnings.iter().cloned());
    let previous = memo.written.clone().unwrap_or_default();
    let staging = Staging::update(&output, previous)
        .map_err(io_err(format!("创建临时目录 {}", output.display())))?;
    let search_pages = search::pages_for(site);
    let renderer = Renderer::new(site, tera, &[], opts.drafts);
    let fold = site.config.search_fold_traditional;
    let world = link_world(site) ^ renderer.common_fingerprint();
    let job = PageJob {
        renderer: &renderer,
        staging: &staging,
        search_pages: &search_pages,
        fold,
        template_hashes: hashes,
        world,
    };
    tracing::debug!("fast: prepared at {:?}", started.elapsed());

    // Every file is kept as it is, but for what the edited pages produced before (their text
    // may now need fewer search parts); those pages, the lists showing them and the fixed
    // files are then written again.
    let mut except = std::collections::HashSet::new();
    for (id, page) in site.pages.iter().enumerate() {
        let Some(m) = memo.pages.get(&page.rel) else {
            continue;
        };
        if dirty.contains(&id) {
            except.extend(m.outputs.iter().cloned());
        } else {
            diags.extend(m.md_problems.iter().cloned());
        }
    }
    staging.keep_all_except(&except);
    let mut new_memos = Vec::new();
    for &id in dirty {
        let page = &site.pages[id];
        let target = page_target(page);
        let (body, md_problems) = markdown::render(&page.body, site, &target);
        let mut problems = md_problems.clone();
        let html_hash = xxhash_rust::xxh3::xxh3_64(body.html.as_bytes());
        let md_key = markdown_key(page, &target, world);
        let keys = job.keys(id, &body, md_key, html_hash);
        last.digests[id] = PageDigest::of_ref(&body);
        last.rests[id] = PageRest::of_ref(&body, &page.file);
        let m = job.write(id, body, keys, md_problems, &mut problems);
        diags.extend(problems);
        new_memos.push((page.rel.clone(), m));
    }
    check_anchors(site, &last.section_bodies, &last.rests, &mut diags);
    // The publishing checks that can stop a build, on the edited pages.
    for &id in dirty {
        let found = crate::check::page_findings(site, &last.rules, id, crate::check::Scope::Errors);
        diags.extend(crate::check::apply_levels(found, &site.config.check, true));
    }
    tracing::debug!("fast: pages rendered at {:?}", started.elapsed());

    // The lists that show the edited pages' summaries or reading times; the rest are kept.
    let lists = Renderer::new(site, tera, &last.digests, opts.drafts);
    let search_filters = search::filters(&search_pages);
    let jobs = affected_lists(site, dirty);
    let mut list_keys = memo.lists.clone();
    let mut rendered_lists = std::collections::HashSet::new();
    // No previous fingerprints: these outputs show what changed, so they are always rendered.
    let render_all = HashMap::new();
    for job in &jobs {
        if !rendered_lists.insert(job.rel(site)) {
            continue;
        }
        let (key, problem) = render_list(
            &lists,
            job,
            &last.section_bodies,
            &search_filters,
            &staging,
            Some((&render_all, hashes)),
        );
        list_keys.extend(key);
        diags.extend(problem);
    }
    tracing::debug!("fast: lists rendered at {:?}", started.elapsed());
    let syntax_css = markdown::highlight_css(&site.config.highlight_theme);
    write_fixed(
        site,
        &last.digests,
        syntax_css.as_deref().unwrap_or(""),
        theme,
        &staging,
        &mut diags,
    );
    // The search index kept in memory takes the edits in place: with the pages when that is
    // quick, in the second step below when it is not (an edit near the start of a long page
    // moves every later position); when it cannot, the second step builds it again.
    let index_step = match plan_index_update(memo, &new_memos, fold) {
        Some((mut index, update)) if update.bytes() <= index_with_pages => {
            let applied = write_to_staging(&staging, &mut diags, |sink| index.apply(update, sink));
            match applied {
                Some(stats) => IndexStep::Updated(index, stats),
                None => IndexStep::Rebuild,
            }
        }
        Some((index, update)) => IndexStep::Planned(index, update),
        None => IndexStep::Rebuild,
    };
    if diags.has_errors() {
        // The model now holds the new bodies and cannot be used again: the next rebuild runs
        // the full pipeline (memo.last stays empty).
        return Err(BuildError::Invalid(diags.sorted()));
    }
    tracing::debug!(
        "fast: fixed files and search index written at {:?}",
        started.elapsed()
    );
    let mut changed_files = staging.changed_files();
    let written = staging
        .commit()
        .map_err(io_err(format!("替换 {}", output.display())))?;
    let published = started.elapsed();
    tracing::debug!("pages published at {:?}", published);
    if let Some(hook) = on_pages {
        hook();
    }
    memo.written = Some(written);
    for (rel, m) in new_memos {
        memo.pages.insert(rel, m);
    }
    memo.lists = list_keys;

    // Second step, unless the index was updated in place: the search index, from every
    // page's searchable text.
    let mut search_fp = render::Fingerprint::default();
    for m in site.pages.iter().filter_map(|p| memo.pages.get(&p.rel)) {
        search_fp.add(&m.search_key.to_le_bytes());
    }
    let search_key = search_fp.finish();
    let (stats, files, index) = match (index_step, memo.search.take()) {
        (IndexStep::Updated(index, stats), Some((_, files, _))) => (stats, files, Some(index)),
        (_, Some((key, files, stats))) if key == search_key => (stats, files, None),
        (step, previous) => {
            let written = memo.written.clone().unwrap_or_default();
            let staging = Staging::update(&output, written)
                .map_err(io_err(format!("创建临时目录 {}", output.display())))?;
            let old_files = previous.as_ref().map_or(&[][..], |(_, f, _)| f.as_slice());
            let applied = match step {
                IndexStep::Planned(index, update) => {
                    apply_apart(index, update, &staging, &mut diags)
                        .map(|(index, stats)| (stats, old_files.to_vec(), index))
                }
                _ => None,
            };
            let (stats, files, index) = applied.unwrap_or_else(|| {
                let (index, files) =
                    rebuild_index(site, &memo.pages, old_files, &staging, &mut diags);
                (index.stats(), files, index)
            });
            changed_files += staging.changed_files();
            let written = staging
                .commit()
                .map_err(io_err(format!("替换 {}", output.display())))?;
            memo.written = Some(written);
            (stats, files, Some(index))
        }
    };
    memo.index = index.map(|index| (search_key, index));
    let files_total = last.files + files.len() + stats.parts;
    memo.search = Some((search_key, files, stats));
    let report = BuildReport {
        pages: site.pages.len(),
        sections: site.sections.len(),
        files: files_total,
        warnings: diags.sorted(),
        elapsed: started.elapsed(),
        output,
        search: stats,
        rendered: dirty.len(),
        changed_files,
        pages_published: Some(published),
    };
    memo.last = Some(last);
    Ok(report)
}

/// The most bytes of shards an update of the search index may make again before the edited
/// pages are published (about 10 ms of work); a larger update waits until they are.
const INDEX_WITH_PAGES: usize = 4 << 20;

/// Where the search index stands after the first step of [`fast_render`].
enum IndexStep {
    /// Updated in place, with the pages; its figures.
    Updated(search::live::LiveIndex, search::IndexStats),
    /// To be updated in place in the second step.
    Planned(search::live::LiveIndex, search::live::Update),
    /// To be built again, unless nothing in it changed.
    Rebuild,
}

/// Plans the update of the search index kept in memory after the edits that made `new_memos`
/// (see [`search::live::LiveIndex::plan`]). `None` when the kept index is missing, is not the
/// one in the output, or cannot take the edits in place; the index is then dropped.
fn plan_index_update(
    memo: &mut Memo,
    new_memos: &[(String, PageMemo)],
    fold: bool,
) -> Option<(search::live::LiveIndex, search::live::Update)> {
    let (key, index) = memo.index.take()?;
    let in_output = memo.search.as_ref().map(|(key, _, _)| *key);
    if Some(key) != in_output || index.fold() != fold {
        return None;
    }
    // Each edited page's search entry as the index holds it and as it is now.
    let mut edits = Vec::new();
    for (rel, new) in new_memos {
        let old = memo.pages.get(rel)?;
        if old.search_key != new.search_key {
            edits.push((&old.search, &new.search));
        }
    }
    let update = index.plan(&edits)?;
    Some((index, update))
}

/// Makes `update` of `index` in a `staging` of its own: the shards it changes are written, and
/// every other file is kept. `None` when it cannot be made in place.
fn apply_apart(
    mut index: search::live::LiveIndex,
    update: search::live::Update,
    staging: &Staging,
    diags: &mut Diagnostics,
) -> Option<(search::live::LiveIndex, search::IndexStats)> {
    let written = std::sync::Mutex::new(std::collections::HashSet::new());
    let stats = write_to_staging(staging, diags, |sink| {
        index.apply(update, &|rel, js| {
            let mut written = written.lock().unwrap_or_else(|e| e.into_inner());
            written.insert(rel.to_string());
            sink(rel, js);
        })
    })?;
    staging.keep_all_except(&written.into_inner().unwrap_or_else(|e| e.into_inner()));
    Some((index, stats))
}

/// Builds the search index again from every page's text (`pages`) and writes it into
/// `staging`, where every other file is kept; `old_files`, the index in the output, go unless
/// the new index has them too. Returns the index and its files.
fn rebuild_index(
    site: &Site,
    pages: &HashMap<String, PageMemo>,
    old_files: &[String],
    staging: &Staging,
    diags: &mut Diagnostics,
) -> (search::live::LiveIndex, Vec<String>) {
    use std::collections::HashSet;
    let docs = site.pages.iter().filter_map(|p| pages.get(&p.rel));
    let fold = site.config.search_fold_traditional;
    let index = search::live::LiveIndex::build(docs.map(|m| m.search.clone()).collect(), fold);
    let files = index.paths();
    let new_files: HashSet<&String> = files.iter().collect();
    let gone: HashSet<String> = old_files
        .iter()
        .filter(|f| !new_files.contains(f))
        .cloned()
        .collect();
    staging.keep_all_except(&gone);
    write_to_staging(staging, diags, |sink| index.write_all(sink));
    (index, files)
}

/// The list outputs that show something of pages `dirty` that depends on their bodies (the
/// summary, the reading time, or the whole body in a pack's print view): their section's list
/// page, their taxonomy terms' list pages, the home page, and their pack's print view.
fn affected_lists(site: &Site, dirty: &[PageId]) -> Vec<ListJob> {
    let mut jobs = vec![ListJob::Section(0, 1)];
    for &p in dirty {
        let page = &site.pages[p];
        let s = page.section;
        let per_page = site.section_per_page(s);
        if let Some(i) = site.sections[s].pages.iter().position(|&q| q == p) {
            let n = i.checked_div(per_page).map_or(1, |n| n + 1);
            jobs.push(ListJob::Section(s, n));
        }
        if site.sections[s].kind == Some(Kind::Pack) && site.sections[s].data.pack.is_some() {
            jobs.push(ListJob::PackPrint(s));
        }
        for &(t, ti) in &page.terms {
            let tax = &site.taxonomies[t];
            if let Some(i) = tax.terms[ti].pages.iter().position(|&q| q == p) {
                let n = i.checked_div(tax.paginate_by).map_or(1, |n| n + 1);
                jobs.push(ListJob::Term(t, ti, n));
            }
        }
    }
    jobs
}

/// Runs the publishing checks of `zhibu check` (in a build, those that can be errors) and
/// applies the site's severities to every finding that names a rule.
fn publishing_checks(
    root: &Path,
    site: &Site,
    rules: &crate::check::wording::Rules,
    theme: &Theme,
    mode: Mode,
    diags: &mut Diagnostics,
) {
    let scope = match mode {
        Mode::Build => crate::check::Scope::Errors,
        Mode::Check => crate::check::Scope::All,
    };
    let found = crate::check::findings(site, rules, theme, root, scope);
    let found = crate::check::apply_levels(found, &site.config.check, mode == Mode::Build);
    let earlier = std::mem::take(&mut diags.0);
    diags.extend(crate::check::apply_levels(
        earlier,
        &site.config.check,
        false,
    ));
    diags.extend(found);
}

/// What settings a build depends on: `zhibu.toml` as written and the command-line options.
fn config_key(root: &Path, opts: &BuildOptions) -> u64 {
    let mut fp = render::Fingerprint::default();
    fp.add(&std::fs::read(root.join("zhibu.toml")).unwrap_or_default());
    fp.add(opts.base_url.as_deref().unwrap_or("").as_bytes());
    fp.add(&[opts.drafts as u8]);
    fp.finish()
}

/// A fingerprint per template covering the templates it extends and includes, and every
/// template that defines components (Tera's components are global: any template may call
/// any of them, so a change to one renders everything again).
fn template_hashes(theme: &Theme) -> HashMap<String, u64> {
    fn refs(source: &str) -> Vec<String> {
        let mut out = Vec::new();
        for tag in ["extends", "include"] {
            let mut rest = source;
            while let Some(i) = rest.find(tag) {
                rest = &rest[i + tag.len()..];
                let t = rest.trim_start();
                if let Some(q) = t.chars().next().filter(|c| *c == '"' || *c == '\'') {
                    if let Some(end) = t[1..].find(q) {
                        out.push(t[1..1 + end].to_string());
                    }
                }
            }
        }
        out
    }
    fn closure(
        name: &str,
        theme: &Theme,
        seen: &mut std::collections::BTreeSet<String>,
        fp: &mut render::Fingerprint,
    ) {
        if !seen.insert(name.to_string()) {
            return;
        }
        match theme.templates.get(name) {
            Some((source, _)) => {
                fp.add(name.as_bytes());
                fp.add(source.as_bytes());
                for r in refs(source) {
                    closure(&r, theme, seen, fp);
                }
            }
            None => fp.add(name.as_bytes()),
        }
    }
    let mut components = render::Fingerprint::default();
    for (name, (source, _)) in &theme.templates {
        if defines_components(source) {
            components.add(name.as_bytes());
            components.add(source.as_bytes());
        }
    }
    let components = components.finish().to_le_bytes();
    theme
        .templates
        .keys()
        .map(|name| {
            let mut fp = render::Fingerprint::default();
            fp.add(&components);
            closure(name, theme, &mut Default::default(), &mut fp);
            (name.clone(), fp.finish())
        })
        .collect()
}

/// Whether a template defines a component (`{% component name(...) %}`, `{%- component`).
fn defines_components(source: &str) -> bool {
    source.match_indices("component").any(|(i, _)| {
        let before = source[..i].trim_end();
        before.ends_with("{%") || before.ends_with("{%-")
    })
}

/// Theme layers and the Tera instance holding them.
fn load_templates(root: &Path, config: &Config, diags: &mut Diagnostics) -> (tera::Tera, Theme) {
    let theme = match Theme::load(root, &config.theme) {
        Ok(t) => t,
        Err(e) => {
            diags.extend(e);
            return (render::new_tera(), Theme::default());
        }
    };
    let mut tera = render::new_tera();
    let sources: Vec<(&str, &str)> = theme
        .templates
        .iter()
        .map(|(n, (t, _))| (n.as_str(), t.as_str()))
        .collect();
    if let Err(e) = tera.add_raw_templates(sources) {
        let (name, at, message) = render::template_error(&e);
        let template = name.and_then(|n| theme.templates.get(n));
        let shown = template.map_or("templates".to_string(), |(_, f)| f.clone());
        let hint = match template {
            Some((source, _)) if written_for_tera1(source) => TERA1_HINT,
            _ => "",
        };
        diags.push(Diagnostic::error(
            shown,
            at,
            format!("模板有误：{message}{hint}"),
        ));
    }
    (tera, theme)
}

/// Said after an error in a template written for Tera 1, which has macros where Tera 2 has
/// components: a theme made for an earlier zhibu.
const TERA1_HINT: &str = "（这个模板似乎按 Tera 1 的写法编写：zhibu 现在使用 Tera 2，宏 `{% macro %}` 和 \
     `{% import %}` 已改为组件 `{% component %}`，调用写作 `{{<名称 参数={值} />}}`；见 docs/templates.md）";

/// Whether `source` uses Tera 1's macros (`{% macro`, `{% import`, `self::name(`).
fn written_for_tera1(source: &str) -> bool {
    [
        "{% macro ",
        "{%- macro ",
        "{% import ",
        "{%- import ",
        "self::",
    ]
    .iter()
    .any(|m| source.contains(m))
}

/// Parsed documents of a watch session by content-relative path, and the paths file events
/// named since the last build.
type DocCache<'m> = (
    &'m mut HashMap<String, (Stamp, Result<site::Document, Diagnostic>)>,
    &'m std::collections::HashSet<String>,
);

/// Runs `read` on the threads that read the content: four per core. With the files in the
/// page cache, reading is parsing and the extra threads only take turns; with a cold cache
/// (after a reboot, or files the system has evicted) most of a thread's time is waiting for
/// the disk, and more reads in flight keep the disk busy. If the threads cannot be started,
/// the global pool reads.
fn with_reading_threads<T: Send>(read: impl FnOnce() -> T + Send) -> T {
    let threads = rayon::current_num_threads() * 4;
    match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(pool) => pool.install(read),
        Err(_) => read(),
    }
}

/// Walks `content/`, parses every Markdown file in parallel (in a watch session only those
/// that changed) and assembles the model.
fn read_site(
    root: &Path,
    config: Config,
    drafts: bool,
    cache: Option<DocCache<'_>>,
    diags: &mut Diagnostics,
) -> Site {
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
    let parse = |f: source::SourceFile| {
        let shown = display_path(root, &f.path);
        site::read_document(f, shown)
    };
    let parsed: Vec<(String, Result<site::Document, Diagnostic>)> =
        with_reading_threads(|| match cache {
            None => markdown
                .into_par_iter()
                .map(|f| (f.rel.clone(), parse(f)))
                .collect(),
            Some((docs, forced)) => {
                // The walk's order, kept so the model is assembled exactly as in a clean build.
                let order: Vec<String> = markdown.iter().map(|f| f.rel.clone()).collect();
                let fresh: Vec<(String, Stamp, Result<site::Document, Diagnostic>)> = markdown
                    .into_par_iter()
                    .filter_map(|f| {
                        let stamp = Stamp::of(&f.path)?;
                        let known = docs.get(&f.rel).is_some_and(|(s, _)| *s == stamp);
                        (!known || forced.contains(&f.rel))
                            .then(|| (f.rel.clone(), stamp, parse(f)))
                    })
                    .collect();
                for (rel, stamp, doc) in fresh {
                    docs.insert(rel, (stamp, doc));
                }
                let present: std::collections::HashSet<&String> = order.iter().collect();
                docs.retain(|rel, _| present.contains(rel));
                order
                    .iter()
                    .filter_map(|rel| docs.get(rel).map(|(_, d)| (rel.clone(), d.clone())))
                    .collect()
            }
        });
    let mut docs = Vec::with_capacity(parsed.len());
    let mut unreadable = std::collections::HashSet::new();
    for (rel, r) in parsed {
        match r {
            Ok(d) => {
                // A file read with a conversion (GBK, UTF-16) says so every build.
                diags.extend(d.warnings.iter().cloned());
                docs.push(d);
            }
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
#[derive(Clone)]
struct PageRest {
    heading_ids: std::collections::HashSet<String>,
    anchor_links: Vec<(markdown::AnchorLink, PathBuf)>,
}

impl PageRest {
    /// The same from a body that is kept (a watch session's memo).
    fn of_ref(body: &Body, file: &Path) -> PageRest {
        PageRest {
            anchor_links: body
                .anchor_links
                .iter()
                .map(|a| (a.clone(), file.to_path_buf()))
                .collect(),
            heading_ids: body.heading_ids.clone(),
        }
    }

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

/// What rendering the pages leaves for the rest of the build.
struct RenderedPages {
    /// Per page: what list pages and feeds show of it.
    digests: Vec<PageDigest>,
    /// Per page: what anchor checks need.
    rests: Vec<PageRest>,
    /// Per page: what search knows of it besides the postings, without its text (plain
    /// builds; a session keeps each page's text in `memos`).
    search: Vec<search::PageSearch>,
    /// Plain builds: the postings of every page, in runs of consecutive search numbers.
    postings: Option<Vec<WaitingRun>>,
    /// In a session: each page's new memo.
    memos: Option<Vec<PageMemo>>,
    /// In a session: fingerprint of every page's search entry together.
    search_key: Option<u64>,
    /// Pages whose HTML was rendered.
    rendered: usize,
}

/// Previous page memos by page file, and the template fingerprints (a watch session).
type PageMemos<'m> = (&'m HashMap<String, PageMemo>, &'m HashMap<String, u64>);

/// A watch session's pages, rendered in parallel and written at once: a page whose inputs are
/// all unchanged — its Markdown, what its links point to, everything its template is given,
/// the template itself — is not rendered at all, its files are kept as they are. Each page's
/// memo keeps its searchable text for the next index.
fn render_pages_session(
    site: &Site,
    tera: &tera::Tera,
    staging: &Staging,
    drafts: bool,
    search_pages: &[search::SearchPage],
    (previous, template_hashes): PageMemos<'_>,
    diags: &mut Diagnostics,
) -> RenderedPages {
    let renderer = Renderer::new(site, tera, &[], drafts);
    let job = PageJob {
        renderer: &renderer,
        staging,
        search_pages,
        fold: site.config.search_fold_traditional,
        template_hashes,
        world: link_world(site) ^ renderer.common_fingerprint(),
    };
    let results = par_map_diagnosed(&site.pages, diags, |id, page| {
        let target = page_target(page);
        let old = previous.get(&page.rel);
        let md_key = markdown_key(page, &target, job.world);
        let mut fresh = None;
        let (body, html_hash, md_problems) = match old.filter(|m| m.md_key == md_key) {
            Some(m) => (&m.body, m.html_hash, m.md_problems.clone()),
            None => {
                let (b, problems) = markdown::render(&page.body, site, &target);
                let hash = xxhash_rust::xxh3::xxh3_64(b.html.as_bytes());
                fresh = Some(b);
                (fresh.as_ref().expect("just set"), hash, problems)
            }
        };
        let keys = job.keys(id, body, md_key, html_hash);
        let mut problems = md_problems.clone();
        let kept = old.filter(|m| m.key == keys.key && m.outputs.iter().all(|o| staging.keep(o)));
        let memo = match kept {
            Some(m) => PageMemo {
                md_key,
                body: m.body.clone(),
                html_hash,
                md_problems,
                key: keys.key,
                outputs: m.outputs.clone(),
                search: m.search.clone(),
                search_key: keys.search_key,
            },
            None => {
                // The body HTML is needed now: render the Markdown if it was reused.
                let body = match fresh {
                    Some(b) => b,
                    None => markdown::render(&page.body, site, &target).0,
                };
                job.write(id, body, keys, md_problems, &mut problems)
            }
        };
        ((memo, kept.is_none()), problems)
    });
    let mut out = RenderedPages {
        digests: Vec::with_capacity(results.len()),
        rests: Vec::with_capacity(results.len()),
        search: Vec::new(),
        postings: None,
        memos: None,
        search_key: None,
        rendered: 0,
    };
    let mut search_fp = render::Fingerprint::default();
    let mut memos = Vec::with_capacity(results.len());
    for ((memo, rendered), page) in results.into_iter().zip(&site.pages) {
        out.digests.push(PageDigest::of_ref(&memo.body));
        out.rests.push(PageRest::of_ref(&memo.body, &page.file));
        out.rendered += rendered as usize;
        search_fp.add(&memo.search_key.to_le_bytes());
        memos.push(memo);
    }
    out.memos = Some(memos);
    out.search_key = Some(search_fp.finish());
    out
}

/// Where page `page` is rendered; pack articles appear again, whole, in their pack's print
/// view.
fn page_target(page: &site::Page) -> RenderTarget<'_> {
    let mut target = RenderTarget::new(&page.file, page.body_line, &page.path, page.content_dir());
    target.portable = page.kind == Some(Kind::Pack);
    target
}

/// A plain build's pages: rendered in search order (newest first), in parallel runs of
/// consecutive pages, each run indexing its pages as they are rendered — so no page's text
/// waits in memory for the search index.
#[allow(clippy::too_many_arguments)]
fn render_pages_indexed(
    site: &Site,
    tera: &tera::Tera,
    staging: &Staging,
    drafts: bool,
    search_pages: &[search::SearchPage],
    texts: Vec<std::sync::Arc<str>>,
    spill: &output::Spill,
    diags: &mut Diagnostics,
) -> RenderedPages {
    let renderer = &Renderer::new(site, tera, &[], drafts);
    let fold = site.config.search_fold_traditional;
    let mut order: Vec<PageId> = (0..site.pages.len()).collect();
    order.sort_by_key(|&p| search_pages[p].id);
    let run = search::index::run_length(order.len());
    // Each run owns its pages' texts, and drops each one once its page is written.
    let mut texts: Vec<Option<std::sync::Arc<str>>> = texts.into_iter().map(Some).collect();
    let runs: Vec<Vec<(PageId, std::sync::Arc<str>)>> = order
        .chunks(run)
        .map(|ids| {
            ids.iter()
                .map(|&id| (id, texts[id].take().unwrap_or_default()))
                .collect()
        })
        .collect();
    type Done = (PageDigest, PageRest, search::PageSearch, Vec<Diagnostic>);
    // One run per task: runs differ in cost (brand pages are heavier than news), and a core
    // left with a batch of them at the end would finish alone.
    let runs: Vec<(Vec<(PageId, Done)>, WaitingRun)> = runs
        .into_par_iter()
        .with_max_len(1)
        .map(|pages| {
            let mut postings = search::index::Postings::new();
            let done = pages
                .into_iter()
                .map(|(id, text)| {
                    let page = &site.pages[id];
                    let (body, mut problems) = markdown::render(&text, site, &page_target(page));
                    drop(text);
                    write_page(renderer, staging, id, &body, &mut problems);
                    let (searchable, _) =
                        write_search_parts(staging, &search_pages[id], &body, fold, &mut problems);
                    postings.add_page(&searchable);
                    let digest = PageDigest::spilled(&body, spill).unwrap_or_else(|e| {
                        problems.push(Diagnostic::file_error(
                            &page.file,
                            format!("写入临时文件失败：{e}"),
                        ));
                        PageDigest::default()
                    });
                    let rest = PageRest::of(body, &page.file);
                    (id, (digest, rest, searchable.without_text(), problems))
                })
                .collect();
            (done, WaitingRun::set_aside(postings.finish(), spill))
        })
        .collect();
    let mut slots: Vec<Option<Done>> = (0..site.pages.len()).map(|_| None).collect();
    let mut postings = Vec::with_capacity(runs.len());
    for (done, p) in runs {
        for (id, d) in done {
            slots[id] = Some(d);
        }
        postings.push(p);
    }
    let mut out = RenderedPages {
        digests: Vec::with_capacity(slots.len()),
        rests: Vec::with_capacity(slots.len()),
        search: Vec::with_capacity(slots.len()),
        postings: Some(postings),
        memos: None,
        search_key: None,
        rendered: slots.len(),
    };
    // Findings in page order, as every other stage reports them.
    for (digest, rest, searchable, problems) in slots.into_iter().flatten() {
        out.digests.push(digest);
        out.rests.push(rest);
        out.search.push(searchable);
        diags.extend(problems);
    }
    out
}

/// A run of postings waiting for the index to be written: in the build's spill file while
/// the remaining pages render (the runs of a large site are as large as its text, and the
/// texts of rendered pages are freed in an order that leaves their memory hard to reuse), in
/// memory only if the spill cannot take it.
enum WaitingRun {
    Spilled(output::SpillRef),
    Kept(search::index::PostingRun),
}

impl WaitingRun {
    fn set_aside(run: search::index::PostingRun, spill: &output::Spill) -> WaitingRun {
        match spill.put_bytes(&run.to_bytes()) {
            Ok(at) => WaitingRun::Spilled(at),
            Err(_) => WaitingRun::Kept(run.trimmed()),
        }
    }

    fn load(self, spill: &output::Spill) -> std::io::Result<search::index::PostingRun> {
        match self {
            WaitingRun::Kept(run) => Ok(run),
            WaitingRun::Spilled(at) => search::index::PostingRun::from_bytes(&spill.get_bytes(at)?)
                .ok_or_else(|| std::io::Error::other("索引临时数据不完整")),
        }
    }
}

/// The fingerprints a page memo records.
struct PageKeys {
    md_key: u64,
    html_hash: u64,
    key: u64,
    search_key: u64,
}

/// What a session's page rendering shares across pages: where pages are written and what
/// their fingerprints are made of.
struct PageJob<'w, 'r> {
    renderer: &'w Renderer<'r>,
    staging: &'w Staging,
    search_pages: &'w [search::SearchPage],
    fold: bool,
    template_hashes: &'w HashMap<String, u64>,
    /// What links resolve to and what every context shares (see [`link_world`]).
    world: u64,
}

impl PageJob<'_, '_> {
    /// The fingerprints of page `id` with `body` (whose Markdown has `md_key` and whose HTML
    /// hashes to `html_hash`).
    fn keys(&self, id: usize, body: &Body, md_key: u64, html_hash: u64) -> PageKeys {
        let (template, ctx_key) = self.renderer.page_fingerprint(id, body);
        let search_key = page_search_key(&self.search_pages[id], html_hash, self.fold);
        let key = page_key(
            ctx_key,
            html_hash,
            search_key,
            &template,
            self.template_hashes,
            self.world,
        );
        PageKeys {
            md_key,
            html_hash,
            key,
            search_key,
        }
    }

    /// Writes page `id` (its HTML and search text parts) from its freshly rendered `body`;
    /// returns its memo, the body kept without its HTML.
    fn write(
        &self,
        id: usize,
        mut body: Body,
        keys: PageKeys,
        md_problems: Vec<Diagnostic>,
        problems: &mut Vec<Diagnostic>,
    ) -> PageMemo {
        let mut outputs = vec![write_page(self.renderer, self.staging, id, &body, problems)];
        let (search, parts) = write_search_parts(
            self.staging,
            &self.search_pages[id],
            &body,
            self.fold,
            problems,
        );
        outputs.extend(parts);
        body.html = String::new();
        PageMemo {
            md_key: keys.md_key,
            body,
            html_hash: keys.html_hash,
            md_problems,
            key: keys.key,
            outputs,
            search,
            search_key: keys.search_key,
        }
    }
}

/// Fingerprint of what a page's search entry depends on.
fn page_search_key(page: &search::SearchPage, html_hash: u64, fold: bool) -> u64 {
    let mut fp = render::Fingerprint::default();
    fp.add(format!("{page:?}").as_bytes());
    fp.add(&html_hash.to_le_bytes());
    fp.add(&[fold as u8]);
    fp.finish()
}

/// Fingerprint of everything a page's output files depend on.
fn page_key(
    ctx_key: u64,
    html_hash: u64,
    search_key: u64,
    template: &str,
    template_hashes: &HashMap<String, u64>,
    world: u64,
) -> u64 {
    let mut fp = render::Fingerprint::default();
    fp.add(&ctx_key.to_le_bytes());
    fp.add(&html_hash.to_le_bytes());
    fp.add(&search_key.to_le_bytes());
    fp.add(template.as_bytes());
    let t = template_hashes.get(template).copied();
    fp.add(&t.unwrap_or(0).to_le_bytes());
    fp.add(&world.to_le_bytes());
    fp.finish()
}

/// Renders page `id` with its template and writes it; returns the file written.
fn write_page(
    renderer: &Renderer<'_>,
    staging: &Staging,
    id: usize,
    body: &Body,
    problems: &mut Vec<Diagnostic>,
) -> String {
    let page = &renderer.site.pages[id];
    let rel = dir_url(&page.path);
    match renderer.page(id, body) {
        Ok(html) => {
            if let Err(e) = staging.write(&rel, &html) {
                problems.push(Diagnostic::file_error(
                    &page.file,
                    format!("写入 {rel} 失败：{e}"),
                ));
            }
        }
        Err(d) => problems.push(d),
    }
    rel
}

/// Prepares a page for the index and writes its text parts; returns its searchable text and
/// the files written.
fn write_search_parts(
    staging: &Staging,
    page: &search::SearchPage,
    body: &Body,
    fold: bool,
    problems: &mut Vec<Diagnostic>,
) -> (search::PageSearch, Vec<String>) {
    let (searchable, parts) = search::index::prepare_page(page, &body.html, fold);
    let mut written = Vec::with_capacity(parts.len());
    for (rel, js) in parts {
        if let Err(e) = staging.write(&rel, js.as_bytes()) {
            problems.push(Diagnostic::file_error(
                rel.as_str(),
                format!("写入失败：{e}"),
            ));
        }
        written.push(rel);
    }
    (searchable, written)
}

/// Fingerprint of a page's Markdown and of where it is rendered.
fn markdown_key(page: &site::Page, target: &RenderTarget<'_>, world: u64) -> u64 {
    let mut fp = render::Fingerprint::default();
    fp.add(page.body.as_bytes());
    fp.add(page.path.as_bytes());
    fp.add(page.rel.as_bytes());
    fp.add(page.file.to_string_lossy().as_bytes());
    fp.add(&page.body_line.to_le_bytes());
    fp.add(&[target.portable as u8]);
    fp.add(&world.to_le_bytes());
    fp.finish()
}

/// What links in Markdown can resolve to: every page's and section's URL, every asset, the
/// unreadable files. When it changes (a page added, moved or deleted), every body is rendered
/// again; a plain edit leaves it as it was.
fn link_world(site: &Site) -> u64 {
    let mut fp = render::Fingerprint::default();
    let mut links: Vec<(&String, String)> = site
        .links
        .iter()
        .map(|(rel, t)| {
            let path = match *t {
                LinkTarget::Page(p) => &site.pages[p].path,
                LinkTarget::Section(s) => &site.sections[s].path,
            };
            (rel, path.clone())
        })
        .collect();
    links.sort();
    for (rel, path) in links {
        fp.add(rel.as_bytes());
        fp.add(path.as_bytes());
    }
    for a in &site.assets {
        fp.add(a.rel.as_bytes());
        fp.add(a.dest.as_bytes());
    }
    let mut unreadable: Vec<&String> = site.unreadable.iter().collect();
    unreadable.sort();
    for u in unreadable {
        fp.add(u.as_bytes());
    }
    fp.finish()
}

/// Runs `write` with a sink that writes files into `staging` from any thread; a file that
/// cannot be written becomes a finding.
fn write_to_staging<R>(
    staging: &Staging,
    diags: &mut Diagnostics,
    write: impl FnOnce(search::index::Sink<'_>) -> R,
) -> R {
    let problems = std::sync::Mutex::new(Vec::new());
    let done = write(&|rel: &str, content: &str| {
        if let Err(e) = staging.write(rel, content.as_bytes()) {
            let d = Diagnostic::file_error(rel, format!("写入失败：{e}"));
            problems.lock().unwrap_or_else(|e| e.into_inner()).push(d);
        }
    });
    diags.extend(problems.into_inner().unwrap_or_else(|e| e.into_inner()));
    done
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

/// The template and context of one list output.
fn prepare_list(
    r: &Renderer<'_>,
    job: &ListJob,
    section_bodies: &[Body],
    search_filters: &serde_json::Value,
) -> Result<render::Prepared, Diagnostic> {
    Ok(match job {
        ListJob::Section(s, n) => r.section(*s, *n, &section_bodies[*s], None),
        ListJob::BrandFilter(s, f) => r.section(*s, 1, &section_bodies[*s], Some(f)),
        ListJob::PackPrint(s) => r.pack_print(*s, &section_bodies[*s])?,
        ListJob::TaxonomyList(t) => r.taxonomy_list(*t),
        ListJob::Term(t, ti, n) => r.taxonomy_term(*t, *ti, *n),
        ListJob::NotFound => r.not_found(),
        ListJob::Search => r.search_page(search_filters),
    })
}

/// Previous list fingerprints by output file, and the template fingerprints (a watch session).
type ListMemos<'m> = (&'m HashMap<String, u64>, &'m HashMap<String, u64>);

/// A list output's fingerprint in a session (output file, key), and its problem if any.
type ListOutcome = (Option<(String, u64)>, Option<Diagnostic>);

/// Renders and writes one list output. In a watch session (`memo`) the same template given the
/// same context makes the same page, so an output whose fingerprint is unchanged is kept as it
/// is; the fingerprint is returned to be remembered.
fn render_list(
    r: &Renderer<'_>,
    job: &ListJob,
    section_bodies: &[Body],
    search_filters: &serde_json::Value,
    staging: &Staging,
    memo: Option<ListMemos<'_>>,
) -> ListOutcome {
    let rel = job.rel(r.site);
    let prepared = match prepare_list(r, job, section_bodies, search_filters) {
        Ok(p) => p,
        Err(d) => return (None, Some(d)),
    };
    let key = memo.map(|(_, hashes)| prepared.fingerprint(hashes));
    if let (Some((previous, _)), Some(k)) = (memo, key) {
        if previous.get(&rel) == Some(&k) && staging.keep(&rel) {
            return (Some((rel, k)), None);
        }
    }
    let problem = match r.render_prepared(&prepared) {
        Ok(h) => staging
            .write(&rel, &h)
            .err()
            .map(|e| Diagnostic::file_error(rel.as_str(), format!("写入失败：{e}"))),
        Err(d) => Some(d),
    };
    (key.map(|k| (rel, k)), problem)
}

/// Section lists, filter pages, print views, taxonomy pages and 404, rendered in parallel.
fn render_lists(
    site: &Site,
    r: &Renderer<'_>,
    section_bodies: &[Body],
    search_filters: &serde_json::Value,
    staging: &Staging,
    memo: Option<ListMemos<'_>>,
    diags: &mut Diagnostics,
) -> HashMap<String, u64> {
    let results: Vec<ListOutcome> = list_jobs(site)
        .par_iter()
        .filter_map(|job| {
            if matches!(job, ListJob::Search) && !r.has_search_page() {
                return None;
            }
            Some(render_list(
                r,
                job,
                section_bodies,
                search_filters,
                staging,
                memo,
            ))
        })
        .collect();
    let mut keys = HashMap::new();
    for (key, problem) in results {
        if let Some((rel, k)) = key {
            keys.insert(rel, k);
        }
        diags.extend(problem);
    }
    keys
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

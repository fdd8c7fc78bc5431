//! `zhibu watch`: build, then rebuild whenever a source changes.
//!
//! File events come from `notify` through a short debouncer. Editors save in many ways — vim
//! writes a probe file `4913` and a backup `x~`, WPS leaves `~$x.docx`, VS Code renames a temp
//! file over the original — so events for temporary files are dropped, and events that arrive
//! close together (a `git checkout` of 500 files) are merged into one rebuild. What a rebuild
//! reads is decided from the disk, not from the events: a missed or odd event can delay a
//! rebuild, never make it wrong.

use crate::pipeline::{BuildError, BuildOptions, BuildReport, Session};
use notify::RecursiveMode;
use notify_debouncer_full::{new_debouncer, DebounceEventResult, Debouncer, RecommendedCache};
use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// How long a file must be quiet before its events are delivered.
const DEBOUNCE: Duration = Duration::from_millis(40);
/// Batches arriving within this gap of each other belong to the same burst.
const BURST_GAP: Duration = Duration::from_millis(60);

/// The directories and files of a site that a rebuild depends on.
const WATCHED: [&str; 6] = [
    "content",
    "templates",
    "static",
    "themes",
    "rules",
    "zhibu.toml",
];

/// What one burst of file events touched, as paths relative to the site root.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Changes {
    /// Changed, added, removed or renamed paths (both names of a rename).
    pub paths: BTreeSet<PathBuf>,
}

impl Changes {
    /// Whether `zhibu.toml` changed: then everything is rebuilt.
    pub fn config(&self) -> bool {
        self.paths.iter().any(|p| p == Path::new("zhibu.toml"))
    }

    /// A short description for the one-line rebuild report: `content/a.md`, or
    /// `content/a.md 等 12 个文件`.
    pub fn describe(&self) -> String {
        let mut paths = self.paths.iter();
        match (paths.next(), self.paths.len()) {
            (None, _) => "（无）".to_string(),
            (Some(p), 1) => p.display().to_string(),
            (Some(p), n) => format!("{} 等 {n} 个文件", p.display()),
        }
    }
}

/// Whether a file name is an editor's or the system's temporary file, never content: what a
/// build never publishes, and the other scratch files editors and systems leave while saving.
pub fn is_temporary(name: &str) -> bool {
    crate::source::is_ignored(name)
        || name == "4913"
        || [
            ".swp",
            ".swo",
            ".swx",
            ".tmp",
            ".temp",
            ".part",
            ".crdownload",
            ".bak",
        ]
        .iter()
        .any(|ext| name.to_ascii_lowercase().ends_with(ext))
        || name.eq_ignore_ascii_case("Thumbs.db")
        || name.eq_ignore_ascii_case("desktop.ini")
}

/// The site-relative form of an event path, if a rebuild depends on it.
fn relevant(root: &Path, output: &Path, path: &Path) -> Option<PathBuf> {
    if path.starts_with(output) {
        return None;
    }
    let rel = path.strip_prefix(root).ok()?;
    let first = match rel.components().next()? {
        Component::Normal(n) => n.to_str()?,
        _ => return None,
    };
    if !WATCHED.contains(&first) {
        return None;
    }
    let hidden = rel.components().any(|c| match c {
        Component::Normal(n) => n.to_str().is_none_or(is_temporary),
        _ => true,
    });
    (!hidden).then(|| rel.to_path_buf())
}

/// Watches a site's sources and hands out bursts of changes.
pub struct SiteWatcher {
    root: PathBuf,
    output: PathBuf,
    events: Receiver<DebounceEventResult>,
    debouncer: Debouncer<notify::RecommendedWatcher, RecommendedCache>,
    watched: BTreeSet<PathBuf>,
}

impl SiteWatcher {
    /// Starts watching the sources of the site at `root`; `output` (which may lie inside the
    /// root) is never watched, so writing the site does not trigger another build.
    pub fn new(root: &Path, output: &Path) -> notify::Result<SiteWatcher> {
        let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        let output = canonical_or_joined(output);
        let (tx, events) = channel();
        let debouncer = new_debouncer(DEBOUNCE, None, tx)?;
        let mut w = SiteWatcher {
            root,
            output,
            events,
            debouncer,
            watched: BTreeSet::new(),
        };
        // The root itself, not recursively: zhibu.toml, and source directories created later.
        let root = w.root.clone();
        w.debouncer.watch(&root, RecursiveMode::NonRecursive)?;
        w.watch_source_dirs();
        Ok(w)
    }

    /// Watches every source directory that exists and is not watched yet.
    fn watch_source_dirs(&mut self) {
        for name in WATCHED.iter().filter(|n| !n.contains('.')) {
            let dir = self.root.join(name);
            if dir.is_dir() && !self.watched.contains(&dir) {
                match self.debouncer.watch(&dir, RecursiveMode::Recursive) {
                    Ok(()) => {
                        self.watched.insert(dir);
                    }
                    Err(e) => tracing::warn!("无法监视 {}：{e}", dir.display()),
                }
            }
        }
    }

    /// Blocks until sources change; returns the burst of changes. `None` when the watcher has
    /// stopped.
    pub fn next_changes(&mut self) -> Option<Changes> {
        let mut changes = Changes::default();
        loop {
            let batch = if changes.paths.is_empty() {
                self.events.recv().ok()?
            } else {
                match self.events.recv_timeout(BURST_GAP) {
                    Ok(b) => b,
                    Err(RecvTimeoutError::Timeout) => break,
                    Err(RecvTimeoutError::Disconnected) => break,
                }
            };
            match batch {
                Ok(events) => {
                    // Reading a file is an event too (inotify reports opens and closes); the
                    // build itself reads every source, so those must not count.
                    for event in events.iter().filter(|e| !e.kind.is_access()) {
                        for path in &event.paths {
                            if let Some(rel) = relevant(&self.root, &self.output, path) {
                                changes.paths.insert(rel);
                            }
                        }
                    }
                }
                Err(errors) => {
                    for e in errors {
                        tracing::warn!("监视文件出错：{e}");
                    }
                }
            }
        }
        // A source directory created since the start (templates/, static/…) is watched now.
        self.watch_source_dirs();
        Some(changes)
    }
}

/// `path` canonicalised if it exists, else its parent canonicalised and the name appended.
fn canonical_or_joined(path: &Path) -> PathBuf {
    if let Ok(p) = std::fs::canonicalize(path) {
        return p;
    }
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    match (abs.parent(), abs.file_name()) {
        (Some(parent), Some(name)) => canonical_or_joined(parent).join(name),
        _ => abs,
    }
}

/// Prints the outcome of one build: one line when it worked, every finding when it did not.
pub fn report(what: &str, result: &Result<BuildReport, BuildError>, took: Duration) {
    match result {
        Ok(r) => {
            for w in &r.warnings {
                eprintln!("{w}");
            }
            match r.pages_published {
                Some(pages) => eprintln!(
                    "{what}：重新渲染 {} 个页面，{} 毫秒后页面已更新；写入 {} 个文件，连同搜索索引共用时 {} 毫秒",
                    r.rendered,
                    pages.as_millis(),
                    r.changed_files,
                    took.as_millis()
                ),
                None => eprintln!(
                    "{what}：重新渲染 {} 个页面，写入 {} 个文件，用时 {} 毫秒",
                    r.rendered,
                    r.changed_files,
                    took.as_millis()
                ),
            }
        }
        Err(BuildError::Invalid(diags)) => {
            for d in diags {
                eprintln!("{d}");
            }
            let errors = diags.iter().filter(|d| d.is_error()).count();
            eprintln!("{what}：构建失败，共 {errors} 个错误；输出目录保持上一次成功构建的内容");
        }
        Err(e) => eprintln!("{what}：构建失败：{e}"),
    }
}

/// `zhibu watch`: builds, then rebuilds after every burst of changes until interrupted.
/// `after_build` sees every result (the server uses it for live reload); `pages_published`
/// is called when a rebuild has put edited pages in place before it finishes the search index,
/// so browsers can reload at once.
pub fn run(
    opts: BuildOptions,
    mut after_build: impl FnMut(&Result<BuildReport, BuildError>),
    pages_published: Option<Box<dyn FnMut() + Send>>,
) -> anyhow::Result<()> {
    let output = opts.output_dir();
    // Watch before the first build, so that a save during it is not missed.
    let mut watcher = SiteWatcher::new(&opts.root, &output)
        .map_err(|e| anyhow::anyhow!("无法监视 {}：{e}", opts.root.display()))?;
    let mut session = Session::new(opts.clone());
    if let Some(hook) = pages_published {
        session.on_pages_published(hook);
    }
    let started = Instant::now();
    let first = session.rebuild(None);
    report("构建完成", &first, started.elapsed());
    after_build(&first);
    eprintln!("正在监视 {} 的改动（按 Ctrl+C 退出）", opts.root.display());
    while let Some(changes) = watcher.next_changes() {
        if changes.paths.is_empty() {
            continue;
        }
        let started = Instant::now();
        let result = session.rebuild(Some(&changes));
        report(
            &format!("{} 有改动", changes.describe()),
            &result,
            started.elapsed(),
        );
        after_build(&result);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_files_are_recognised() {
        for name in [
            ".a.md.swp",
            "a.md~",
            "#a.md#",
            "~$通知.docx",
            "4913",
            ".DS_Store",
            "a.md.tmp",
            "Thumbs.db",
        ] {
            assert!(is_temporary(name), "{name}");
        }
        for name in ["a.md", "第11期.md", "logo.svg", "_index.md", "video.mp4"] {
            assert!(!is_temporary(name), "{name}");
        }
    }

    #[test]
    fn only_sources_outside_the_output_count() {
        let root = Path::new("/site");
        let out = Path::new("/site/public");
        let rel = |p: &str| relevant(root, out, Path::new(p));
        assert_eq!(
            rel("/site/content/a.md"),
            Some(PathBuf::from("content/a.md"))
        );
        assert_eq!(rel("/site/zhibu.toml"), Some(PathBuf::from("zhibu.toml")));
        assert_eq!(rel("/site/public/index.html"), None);
        assert_eq!(rel("/site/content/.a.md.swp"), None);
        assert_eq!(rel("/site/content/.git/x"), None);
        assert_eq!(rel("/site/README.md"), None);
        assert_eq!(rel("/elsewhere/content/a.md"), None);
    }

    #[test]
    fn changes_describe_themselves() {
        let mut c = Changes::default();
        c.paths.insert(PathBuf::from("content/a.md"));
        assert_eq!(c.describe(), "content/a.md");
        c.paths.insert(PathBuf::from("zhibu.toml"));
        assert!(c.config());
        assert_eq!(c.describe(), "content/a.md 等 2 个文件");
    }
}

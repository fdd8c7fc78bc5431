//! Writing the site: into a staging directory beside the output, then swapped in.
//!
//! Readers never see a half-written site: if anything fails before the swap, the staging
//! directory is removed and the previous output stays exactly as it was.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// What a build wrote: output path → fingerprint of its bytes (or, for a copied file, of the
/// source file's size and modification time, so a large video is not re-read on every save).
pub type Written = HashMap<String, u64>;

/// A directory the new site is written into before it replaces the output.
///
/// Two ways to finish: a fresh build swaps the whole directory in ([`Staging::new`]); a rebuild
/// in `watch`/`serve` ([`Staging::update`]) stages only files whose bytes changed since the
/// previous build, then moves them into the output one by one and removes files that are no
/// longer produced — untouched files keep their modification time.
#[derive(Debug)]
pub struct Staging {
    dir: PathBuf,
    target: PathBuf,
    done: bool,
    /// `Some` when updating in place: what the previous build wrote.
    previous: Option<Written>,
    written: Mutex<Written>,
    /// Files actually written (all of them in a fresh build).
    changed: std::sync::atomic::AtomicUsize,
    /// Nothing is written (`zhibu check`): files are only counted.
    discard: bool,
    /// Counts files produced, for a progress bar.
    progress: Option<std::sync::Arc<Progress>>,
    /// Whether to fingerprint what is written, for a later [`Staging::update`]. A one-off
    /// build skips it: hashing and recording 70,000 files would be work for nothing.
    record: bool,
}

/// How far a build is: files to produce and files produced so far (read by another thread to
/// draw a progress bar).
#[derive(Debug, Default)]
pub struct Progress {
    /// Files the build will produce, once known (0 before).
    pub total: std::sync::atomic::AtomicUsize,
    /// Files produced so far.
    pub done: std::sync::atomic::AtomicUsize,
}

impl Staging {
    /// Creates an empty staging directory next to `target` (same file system, so the swap is a
    /// rename). A leftover from a crashed build is removed first.
    pub fn new(target: &Path) -> io::Result<Staging> {
        Staging::create(target, None, false)
    }

    /// A fresh build, as [`Staging::new`], that records what it writes so that the next build
    /// of a watch session can update it.
    pub fn recording(target: &Path) -> io::Result<Staging> {
        Staging::create(target, None, true)
    }

    /// A staging directory for a rebuild that replaces only what changed since `previous`
    /// (what the last build of this session wrote into `target`).
    pub fn update(target: &Path, previous: Written) -> io::Result<Staging> {
        Staging::create(target, Some(previous), true)
    }

    /// A staging area that writes nothing, for `zhibu check`: everything is rendered (so every
    /// problem is found) and dropped.
    pub fn discard(target: &Path) -> Staging {
        Staging {
            dir: PathBuf::new(),
            target: target.to_path_buf(),
            done: true,
            previous: None,
            written: Mutex::new(Written::new()),
            changed: Default::default(),
            discard: true,
            progress: None,
            record: false,
        }
    }

    fn create(target: &Path, previous: Option<Written>, record: bool) -> io::Result<Staging> {
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = target
            .file_name()
            .map_or("public".into(), |n| n.to_string_lossy().into_owned());
        std::fs::create_dir_all(parent)?;
        let dir = parent.join(format!(".{name}.zhibu-staging"));
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        std::fs::create_dir_all(&dir)?;
        // An update needs an output to update; without one it is a fresh build.
        let previous = previous.filter(|_| target.join("index.html").is_file());
        Ok(Staging {
            dir,
            target: target.to_path_buf(),
            done: false,
            previous,
            written: Mutex::new(Written::new()),
            changed: Default::default(),
            discard: false,
            progress: None,
            record,
        })
    }

    /// Records `rel` as produced with its fingerprint (computed only when recording); whether
    /// it must be written (it changed, or this is a fresh build).
    fn changed(
        &self,
        rel: &str,
        fingerprint: impl FnOnce() -> io::Result<u64>,
    ) -> io::Result<bool> {
        if !self.record {
            self.changed
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            return Ok(true);
        }
        let fingerprint = fingerprint()?;
        let rel = normalise(rel);
        let fresh = match &self.previous {
            None => true,
            Some(prev) => prev.get(&rel) != Some(&fingerprint),
        };
        self.written
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(rel, fingerprint);
        if fresh {
            self.changed
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        Ok(fresh)
    }

    /// Keeps `rel` as the previous build wrote it (a rebuild that found its inputs unchanged).
    /// `false` when there is nothing to keep: the caller must write it.
    pub fn keep(&self, rel: &str) -> bool {
        let rel = normalise(rel);
        let Some(fingerprint) = self.previous.as_ref().and_then(|p| p.get(&rel)).copied() else {
            return false;
        };
        self.written
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(rel, fingerprint);
        true
    }

    /// Keeps every file of the previous build except `except` (files that may no longer be
    /// produced): one lock for all, for rebuilds that change a handful of files out of tens of
    /// thousands.
    pub fn keep_all_except(&self, except: &std::collections::HashSet<String>) {
        let Some(previous) = &self.previous else {
            return;
        };
        let mut written = self.written.lock().unwrap_or_else(|e| e.into_inner());
        written.extend(
            previous
                .iter()
                .filter(|(rel, _)| !except.contains(*rel))
                .map(|(rel, fp)| (rel.clone(), *fp)),
        );
    }

    /// Reports progress to `progress` from now on.
    pub fn report_to(&mut self, progress: std::sync::Arc<Progress>) {
        self.progress = Some(progress);
    }

    /// One more file produced.
    fn tick(&self) {
        if let Some(p) = &self.progress {
            p.done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// How many files this build has written so far (unchanged ones skipped in an update).
    pub fn changed_files(&self) -> usize {
        self.changed.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The directory being written.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes `bytes` at `rel` (a `/`-separated path below the output root).
    pub fn write(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
        let path = self.path_of(rel)?;
        // The planned files are counted; the search index's many small files are not known in
        // advance, so they do not move the bar.
        if !rel.starts_with("search/") {
            self.tick();
        }
        if self.discard || !self.changed(rel, || Ok(xxhash_rust::xxh3::xxh3_64(bytes)))? {
            return Ok(());
        }
        if rel.ends_with("/index.html") {
            // A page's own directory (pretty URLs): nearly always new, so making it first
            // spares the failed open that would find it missing.
            in_own_dir(&path, |p| std::fs::write(p, bytes))
        } else {
            in_new_dirs(&path, |p| std::fs::write(p, bytes))
        }
    }

    /// Copies the file `src` to `rel`.
    pub fn copy(&self, src: &Path, rel: &str) -> io::Result<()> {
        let path = self.path_of(rel)?;
        self.tick();
        if self.discard || !self.changed(rel, || file_fingerprint(src))? {
            return Ok(());
        }
        in_new_dirs(&path, |p| std::fs::copy(src, p).map(|_| ()))
    }

    /// `rel` below the staging directory; a path that would climb out is refused.
    fn path_of(&self, rel: &str) -> io::Result<PathBuf> {
        let mut path = self.dir.clone();
        for part in rel.split('/') {
            match part {
                "" | "." => {}
                ".." => {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidInput,
                        format!("输出路径越出输出目录：{rel}"),
                    ))
                }
                p => path.push(p),
            }
        }
        Ok(path)
    }

    /// Puts the new site in place and returns what it consists of (for the next update).
    ///
    /// A fresh build renames the old output aside, the new one in, then removes the old one: at
    /// no point is there a mixture of old and new files. An update moves each changed file in
    /// with a rename (a reader sees the old or the new file, never half of one), then removes
    /// files no build output claims any more.
    pub fn commit(mut self) -> io::Result<Written> {
        if self.discard {
            return Ok(Written::new());
        }
        let written = std::mem::take(self.written.get_mut().unwrap_or_else(|e| e.into_inner()));
        match self.previous.take() {
            Some(previous) => self.commit_update(&previous, &written)?,
            None => self.commit_fresh()?,
        }
        Ok(written)
    }

    fn commit_update(&mut self, previous: &Written, written: &Written) -> io::Result<()> {
        let mut staged = Vec::new();
        collect_files(&self.dir, "", &mut staged)?;
        for rel in staged {
            let to = self.target.join(&rel);
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::rename(self.dir.join(&rel), &to)?;
        }
        for rel in previous.keys().filter(|r| !written.contains_key(*r)) {
            let path = self.target.join(rel);
            match std::fs::remove_file(&path) {
                Ok(()) => remove_empty_parents(&path, &self.target),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        std::fs::remove_dir_all(&self.dir)?;
        self.done = true;
        Ok(())
    }

    fn commit_fresh(&mut self) -> io::Result<()> {
        let old = self.dir.with_file_name(format!(
            ".{}.zhibu-old",
            self.target
                .file_name()
                .map_or("public".into(), |n| n.to_string_lossy())
        ));
        if old.exists() {
            std::fs::remove_dir_all(&old)?;
        }
        let had_old = self.target.exists();
        if had_old {
            std::fs::rename(&self.target, &old)?;
        }
        if let Err(e) = std::fs::rename(&self.dir, &self.target) {
            if had_old {
                // Put the previous site back rather than leave no site at all.
                let _ = std::fs::rename(&old, &self.target);
            }
            return Err(e);
        }
        self.done = true;
        if had_old {
            remove_tree(&old)?;
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// `a//b/./c` → `a/b/c`: one spelling per output file.
fn normalise(rel: &str) -> String {
    rel.split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect::<Vec<_>>()
        .join("/")
}

/// Size and modification time of a source file, as a number.
fn file_fingerprint(src: &Path) -> io::Result<u64> {
    let meta = std::fs::metadata(src)?;
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as u64);
    Ok(xxhash_rust::xxh3::xxh3_64(
        &[meta.len().to_le_bytes(), mtime.to_le_bytes()].concat(),
    ))
}

/// Every file below `dir`, as `/`-separated paths relative to it.
fn collect_files(dir: &Path, prefix: &str, out: &mut Vec<String>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        if entry.file_type()?.is_dir() {
            collect_files(&entry.path(), &rel, out)?;
        } else {
            out.push(rel);
        }
    }
    Ok(())
}

/// Removes the directories above a deleted file that are now empty, up to `root`.
fn remove_empty_parents(file: &Path, root: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == root || !d.starts_with(root) || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

/// Removes a directory tree, its top-level entries in parallel: deleting the previous site's
/// thousands of files one by one is a visible part of a large build.
fn remove_tree(dir: &Path) -> io::Result<()> {
    use rayon::prelude::*;
    let entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.par_iter().try_for_each(|p| {
        if p.is_dir() && !p.is_symlink() {
            remove_tree(p)
        } else {
            std::fs::remove_file(p)
        }
    })?;
    std::fs::remove_dir(dir)
}

/// Refuses output directories whose replacement would destroy something that is not a site:
/// the site root itself, one of its ancestors, its sources, or a non-empty directory without an
/// `index.html` (a mistyped `--output ~/文档` must not wipe the documents).
pub fn check_output_dir(root: &Path, output: &Path) -> Result<(), String> {
    let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let out = absolute(output);
    if root.starts_with(&out) {
        return Err(format!(
            "输出目录 {} 是站点根目录或其上级，拒绝覆盖",
            output.display()
        ));
    }
    for src in ["content", "templates", "static", "themes"] {
        if out.starts_with(root.join(src)) {
            return Err(format!(
                "输出目录 {} 位于站点的 {src}/ 之中，拒绝覆盖",
                output.display()
            ));
        }
    }
    if out.is_file() {
        return Err(format!(
            "输出路径 {} 是一个文件，不是目录",
            output.display()
        ));
    }
    if out.is_dir() {
        let mut entries = std::fs::read_dir(&out)
            .map_err(|e| format!("无法读取输出目录 {}：{e}", output.display()))?;
        let empty = entries.next().is_none();
        if !empty && !out.join("index.html").exists() {
            return Err(format!(
                "输出目录 {} 已存在且不像 zhibu 生成的站点（没有 index.html）；为免误删，请换一个目录或先清空它",
                output.display()
            ));
        }
    }
    Ok(())
}

/// `path` made absolute and canonical as far as it exists.
fn absolute(path: &Path) -> PathBuf {
    if let Ok(p) = std::fs::canonicalize(path) {
        return p;
    }
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    match (abs.parent(), abs.file_name()) {
        (Some(parent), Some(name)) => absolute(parent).join(name),
        _ => abs,
    }
}

/// Large data set aside during a build and read back once: the bodies of study-pack
/// articles, which their pack's print view repeats after every page is written, and the
/// search postings, which the index needs after every page is indexed. They wait in an
/// unnamed temporary file (gone when the build ends, however it ends) instead of memory: two
/// thirds of a large site's pages can be pack articles, and postings are as large as the text.
pub struct Spill {
    file: Mutex<std::fs::File>,
}

/// Where [`Spill::put`] left a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpillRef {
    at: u64,
    len: usize,
}

impl Spill {
    /// An empty spill in the system's temporary directory.
    pub fn new() -> io::Result<Spill> {
        Ok(Spill {
            file: Mutex::new(tempfile::tempfile()?),
        })
    }

    /// Sets `text` aside.
    pub fn put(&self, text: &str) -> io::Result<SpillRef> {
        self.put_bytes(text.as_bytes())
    }

    /// Sets `bytes` aside.
    pub fn put_bytes(&self, bytes: &[u8]) -> io::Result<SpillRef> {
        use std::io::{Seek, Write};
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        let at = file.seek(io::SeekFrom::End(0))?;
        file.write_all(bytes)?;
        Ok(SpillRef {
            at,
            len: bytes.len(),
        })
    }

    /// The text at `r`.
    pub fn get(&self, r: SpillRef) -> io::Result<String> {
        String::from_utf8(self.get_bytes(r)?)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
    }

    /// The bytes at `r`.
    pub fn get_bytes(&self, r: SpillRef) -> io::Result<Vec<u8>> {
        use std::io::{Read, Seek};
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        file.seek(io::SeekFrom::Start(r.at))?;
        let mut bytes = vec![0; r.len];
        file.read_exact(&mut bytes)?;
        Ok(bytes)
    }
}

/// Writes `bytes` to `path` unless something is there already; `Ok(false)` when it was. The
/// bytes go to a temporary file first and are moved in place without replacing anything, so
/// a file is either complete or absent, and an existing one is never touched.
pub fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<bool> {
    if path.exists() {
        return Ok(false);
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = temp_file_in(dir, ".zhibu-new-")?;
    std::io::Write::write_all(&mut tmp, bytes)?;
    tmp.as_file().sync_all()?;
    match tmp.persist_noclobber(path) {
        Ok(_) => Ok(true),
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e.error),
    }
}

/// A temporary file in `dir` to be renamed into place, hidden and named so that builds and
/// watchers ignore it. On Unix it gets the usual permissions of a new file (0644 less the
/// umask), not the owner-only ones of temporary files, which would stick after the rename.
pub(crate) fn temp_file_in(dir: &Path, prefix: &str) -> std::io::Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    builder.tempfile_in(dir)
}

/// Runs `create` on `path`, creating its parent directories only when it fails for lack of
/// them: most outputs land in a directory already made, and asking first would cost two
/// system calls per file (a tenth of a large build's writing time).
fn in_new_dirs(path: &Path, create: impl Fn(&Path) -> io::Result<()>) -> io::Result<()> {
    match create(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            create(path)
        }
        done => done,
    }
}

/// Like [`in_new_dirs`] for a file whose directory is probably new: makes the directory
/// first (its parents only if they are missing too), then creates the file.
fn in_own_dir(path: &Path, create: impl Fn(&Path) -> io::Result<()>) -> io::Result<()> {
    if let Some(parent) = path.parent() {
        match std::fs::create_dir(parent) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => std::fs::create_dir_all(parent)?,
            Err(e) if e.kind() != io::ErrorKind::AlreadyExists => return Err(e),
            _ => {}
        }
    }
    create(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_dir_is_made_with_missing_parents_or_reused() {
        let dir = tempfile::tempdir().unwrap();
        let write = |rel: &str, text: &str| {
            in_own_dir(&dir.path().join(rel), |p| std::fs::write(p, text)).unwrap()
        };
        write("a/b/c/index.html", "1");
        write("a/b/index.html", "2");
        write("a/b/index.html", "3");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("a/b/c/index.html")).unwrap(),
            "1"
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("a/b/index.html")).unwrap(),
            "3"
        );
        std::fs::write(dir.path().join("f"), "").unwrap();
        assert!(in_own_dir(&dir.path().join("f/index.html"), |p| std::fs::write(p, "")).is_err());
    }

    #[test]
    fn write_new_never_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b.md");
        assert!(write_new(&path, b"one").unwrap());
        assert!(!write_new(&path, b"two").unwrap());
        assert_eq!(std::fs::read(&path).unwrap(), b"one");
        let names: Vec<_> = std::fs::read_dir(dir.path().join("a")).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file left behind");
    }

    #[test]
    fn spill_gives_back_each_text() {
        let spill = Spill::new().unwrap();
        let a = spill.put("第一篇：学习原文").unwrap();
        let empty = spill.put("").unwrap();
        let b = spill.put("<p>second</p>").unwrap();
        assert_eq!(spill.get(b).unwrap(), "<p>second</p>");
        assert_eq!(spill.get(a).unwrap(), "第一篇：学习原文");
        assert_eq!(spill.get(empty).unwrap(), "");
        // A reference past the end is a failure the build reports, not a panic.
        assert!(spill
            .get(SpillRef {
                at: 1 << 20,
                len: 4,
            })
            .is_err());
    }

    #[test]
    fn failed_build_leaves_output_alone() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("index.html"), "old").unwrap();
        {
            let s = Staging::new(&out).unwrap();
            s.write("index.html", b"new").unwrap();
            // dropped without commit
        }
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "old"
        );
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "staging removed"
        );
    }

    #[test]
    fn commit_swaps() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("stale.html"), "old").unwrap();
        let s = Staging::new(&out).unwrap();
        s.write("a/index.html", b"new").unwrap();
        s.commit().unwrap();
        assert!(!out.join("stale.html").exists());
        assert_eq!(
            std::fs::read_to_string(out.join("a/index.html")).unwrap(),
            "new"
        );
    }

    #[test]
    fn update_writes_only_what_changed_and_removes_what_went() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let s = Staging::recording(&out).unwrap();
        for (rel, text) in [
            ("index.html", "home"),
            ("a/index.html", "a"),
            ("b/index.html", "b"),
        ] {
            s.write(rel, text.as_bytes()).unwrap();
        }
        let first = s.commit().unwrap();
        assert_eq!(first.len(), 3);
        let a_time = std::fs::metadata(out.join("a/index.html"))
            .unwrap()
            .modified()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));

        let s = Staging::update(&out, first).unwrap();
        s.write("index.html", b"home 2").unwrap();
        s.write("a/index.html", b"a").unwrap();
        s.write("c/index.html", b"c").unwrap();
        let second = s.commit().unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "home 2"
        );
        assert_eq!(
            std::fs::read_to_string(out.join("c/index.html")).unwrap(),
            "c"
        );
        assert!(
            !out.join("b").exists(),
            "a page no longer built is removed with its directory"
        );
        let a_after = std::fs::metadata(out.join("a/index.html"))
            .unwrap()
            .modified()
            .unwrap();
        assert_eq!(a_time, a_after, "an unchanged file is not touched");
        assert_eq!(second.len(), 3);
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "staging removed"
        );
    }

    #[test]
    fn refuses_to_climb_out() {
        let dir = tempfile::tempdir().unwrap();
        let s = Staging::new(&dir.path().join("public")).unwrap();
        assert!(s.write("../evil.html", b"x").is_err());
    }

    #[test]
    fn refuses_dangerous_outputs() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        assert!(check_output_dir(root, root).is_err());
        assert!(check_output_dir(root, &root.join("content/x")).is_err());
        std::fs::create_dir_all(root.join("docs")).unwrap();
        std::fs::write(root.join("docs/thesis.doc"), "x").unwrap();
        assert!(check_output_dir(root, &root.join("docs")).is_err());
        assert!(check_output_dir(root, &root.join("public")).is_ok());
    }
}

//! Writing the site: into a staging directory beside the output, then swapped in.
//!
//! Readers never see a half-written site: if anything fails before the swap, the staging
//! directory is removed and the previous output stays exactly as it was.

use std::io;
use std::path::{Path, PathBuf};

/// A directory the new site is written into before it replaces the output.
#[derive(Debug)]
pub struct Staging {
    dir: PathBuf,
    target: PathBuf,
    done: bool,
}

impl Staging {
    /// Creates an empty staging directory next to `target` (same file system, so the swap is a
    /// rename). A leftover from a crashed build is removed first.
    pub fn new(target: &Path) -> io::Result<Staging> {
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
        Ok(Staging {
            dir,
            target: target.to_path_buf(),
            done: false,
        })
    }

    /// The directory being written.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes `bytes` at `rel` (a `/`-separated path below the output root).
    pub fn write(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
        let path = self.path_of(rel)?;
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p)?;
        }
        std::fs::write(path, bytes)
    }

    /// Copies the file `src` to `rel`.
    pub fn copy(&self, src: &Path, rel: &str) -> io::Result<()> {
        let path = self.path_of(rel)?;
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p)?;
        }
        std::fs::copy(src, path).map(|_| ())
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

    /// Replaces the output with the staging directory.
    ///
    /// The old output is renamed aside, the new one renamed in, then the old one removed: at no
    /// point is there a mixture of old and new files.
    pub fn commit(mut self) -> io::Result<()> {
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

#[cfg(test)]
mod tests {
    use super::*;

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

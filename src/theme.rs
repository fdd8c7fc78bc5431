//! Themes: templates and static files, layered.
//!
//! Layers, later wins file by file: the default theme embedded in the binary, then
//! `themes/<name>/` on disk, then the site's own `templates/` and `static/`. Embedding the default
//! theme means a site with nothing but content and `zhibu.toml` still builds, on a machine with
//! only the `zhibu` binary.

use crate::diagnostic::Diagnostic;
use include_dir::{include_dir, Dir};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

static DEFAULT_THEME: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// Where a static file's bytes come from.
#[derive(Debug, Clone)]
pub enum StaticSource {
    /// Embedded default theme.
    Embedded(&'static [u8]),
    /// A file on disk.
    Disk(PathBuf),
}

/// The templates and static files a site renders with.
#[derive(Debug, Default)]
pub struct Theme {
    /// Template name (`page.html`, `partials/x.html`) → (source text, file shown in errors).
    pub templates: BTreeMap<String, (String, String)>,
    /// Output path (`css/zhibu.css`) → bytes.
    pub statics: BTreeMap<String, StaticSource>,
}

impl Theme {
    /// Loads the layers for the site at `root` using theme `name`.
    pub fn load(root: &Path, name: &str) -> Result<Theme, Vec<Diagnostic>> {
        let mut theme = Theme::default();
        let mut errors = Vec::new();
        theme.add_embedded(&DEFAULT_THEME);
        let theme_dir = root.join("themes").join(name);
        if theme_dir.is_dir() {
            theme.add_disk(
                root,
                &theme_dir.join("templates"),
                &theme_dir.join("static"),
                &mut errors,
            );
        } else if name != "default" {
            errors.push(Diagnostic::file_error(
                "zhibu.toml",
                format!("找不到主题 `{name}`：目录 themes/{name} 不存在"),
            ));
        }
        theme.add_disk(
            root,
            &root.join("templates"),
            &root.join("static"),
            &mut errors,
        );
        if errors.is_empty() {
            Ok(theme)
        } else {
            Err(errors)
        }
    }

    fn add_embedded(&mut self, dir: &'static Dir<'static>) {
        for file in all_files(dir) {
            let path = file.path().to_string_lossy().replace('\\', "/");
            if let Some(name) = path.strip_prefix("templates/") {
                let text = String::from_utf8_lossy(file.contents()).into_owned();
                self.templates
                    .insert(name.to_string(), (text, format!("(内置主题)/{path}")));
            } else if let Some(name) = path.strip_prefix("static/") {
                self.statics
                    .insert(name.to_string(), StaticSource::Embedded(file.contents()));
            }
        }
    }

    fn add_disk(
        &mut self,
        root: &Path,
        templates: &Path,
        statics: &Path,
        errors: &mut Vec<Diagnostic>,
    ) {
        for (rel, path) in disk_files(templates) {
            let shown = crate::diagnostic::display_path(root, &path);
            match std::fs::read_to_string(&path) {
                Ok(text) => {
                    self.templates
                        .insert(rel, (text, shown.display().to_string()));
                }
                Err(e) => errors.push(Diagnostic::file_error(shown, format!("无法读取模板：{e}"))),
            }
        }
        for (rel, path) in disk_files(statics) {
            self.statics.insert(rel, StaticSource::Disk(path));
        }
    }
}

fn all_files(dir: &'static Dir<'static>) -> Vec<&'static include_dir::File<'static>> {
    let mut out: Vec<_> = dir.files().collect();
    for d in dir.dirs() {
        out.extend(all_files(d));
    }
    out
}

/// Files under `dir` as (relative path with `/`, full path), skipping hidden and temp files.
fn disk_files(dir: &Path) -> Vec<(String, PathBuf)> {
    if !dir.is_dir() {
        return Vec::new();
    }
    walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0 || !crate::source::is_ignored(&e.file_name().to_string_lossy())
        })
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                crate::source::rel_path(dir, e.path()),
                e.path().to_path_buf(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_theme_is_embedded() {
        let dir = tempfile::tempdir().unwrap();
        let theme = Theme::load(dir.path(), "default").unwrap();
        for t in [
            "base.html",
            "page.html",
            "section.html",
            "index.html",
            "404.html",
        ] {
            assert!(theme.templates.contains_key(t), "{t} missing");
        }
    }

    #[test]
    fn site_templates_override_theme() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("templates")).unwrap();
        std::fs::write(dir.path().join("templates/page.html"), "mine").unwrap();
        let theme = Theme::load(dir.path(), "default").unwrap();
        assert_eq!(theme.templates["page.html"].0, "mine");
    }

    #[test]
    fn missing_theme_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = Theme::load(dir.path(), "nope").unwrap_err();
        assert!(err[0].message.contains("找不到主题 `nope`"));
    }
}

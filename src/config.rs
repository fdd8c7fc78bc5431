//! `zhibu.toml`: the site's settings.
//!
//! Every key has a default except `title`, so a minimal site needs one line. An unknown key is an
//! error naming the key, its line and the closest valid key: a typo in a setting would otherwise be
//! silently ignored, and the editor would wonder why nothing changed.

use crate::diagnostic::{Diagnostic, Position};
use crate::parse_error;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The name of the configuration file at the site root.
pub const CONFIG_FILE: &str = "zhibu.toml";

/// The site's settings, as written in `zhibu.toml` with defaults filled in.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Site title, shown in every page header. Required.
    pub title: String,
    /// One-line description for the home page and feeds.
    pub description: String,
    /// `lang` of every page; `zh-CN` unless set.
    pub language: String,
    /// Absolute address of the published site (`https://intranet/dangjian`). Only feeds, the
    /// sitemap and `permalink`s use it: pages always link relatively.
    pub base_url: Option<String>,
    /// Theme folder under `themes/`; `default` is built in.
    pub theme: String,
    /// Taxonomies pages may use; `tags` unless set.
    pub taxonomies: Vec<TaxonomyConfig>,
    /// Pages per list page; 0 turns pagination off. A section may set its own.
    pub paginate_by: usize,
    /// syntect theme used for the code-highlighting stylesheet.
    pub highlight_theme: String,
    /// How file names and taxonomy terms become URL segments.
    pub slug_style: SlugStyle,
    /// Characters of text in an automatic summary (without `<!-- more -->`).
    pub summary_chars: usize,
    /// Number of newest pages in `atom.xml`.
    pub feed_limit: usize,
    /// Categories of study-pack articles, in the order of a pack's 目录.
    pub pack_categories: Vec<String>,
    /// Search treats traditional characters as their simplified forms (one-to-one mappings
    /// only, see `docs/search.md`); off unless set.
    pub search_fold_traditional: bool,
    /// Publishing checks (`zhibu check`, and the error-level ones in every build).
    pub check: CheckConfig,
    /// Free settings for templates (`config.extra` is `site.extra`).
    pub extra: serde_json::Value,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: String::new(),
            description: String::new(),
            language: "zh-CN".into(),
            base_url: None,
            theme: "default".into(),
            taxonomies: vec![TaxonomyConfig::Name("tags".into())],
            paginate_by: 10,
            highlight_theme: "InspiredGitHub".into(),
            slug_style: SlugStyle::Safe,
            summary_chars: 120,
            feed_limit: 20,
            pack_categories: ["原文", "解读", "辅导材料", "案例", "思考题"]
                .map(String::from)
                .to_vec(),
            search_fold_traditional: false,
            check: CheckConfig::default(),
            extra: serde_json::Value::Object(Default::default()),
        }
    }
}

/// `[check]` in `zhibu.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CheckConfig {
    /// Severity per rule, overriding its default: `{ spacing = "off", gbk = "error" }`.
    pub severity: std::collections::BTreeMap<String, Level>,
}

/// What a finding of a rule does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Stops `build` and makes `check` exit with 1.
    Error,
    /// Reported; the site is still published.
    Warning,
    /// Not reported.
    Off,
}

impl CheckConfig {
    /// The level of `rule`, or `default` when the site does not set it.
    pub fn level(&self, rule: &str, default: Level) -> Level {
        self.severity.get(rule).copied().unwrap_or(default)
    }
}

/// How names become URL segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SlugStyle {
    /// Keep Chinese and other letters, lowercase, punctuation and spaces become `-`.
    #[default]
    Safe,
    /// Transliterate to ASCII (Chinese becomes pinyin words): `党建品牌` → `dang-jian-pin-pai`.
    Pinyin,
    /// Keep names as written; only spaces and path separators are replaced.
    Off,
}

/// A taxonomy, written either as its name (`"tags"`) or as a table.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum TaxonomyConfig {
    /// Just the name; the display title is derived.
    Name(String),
    /// Name plus settings.
    Full(TaxonomySettings),
}

/// A taxonomy written as a table in `zhibu.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaxonomySettings {
    /// Key used in front matter (`[taxonomies] tags = [...]`) and in URLs.
    pub name: String,
    /// Display title (`标签`).
    pub title: Option<String>,
    /// Pages per term page; the site's `paginate_by` when absent.
    pub paginate_by: Option<usize>,
}

impl TaxonomyConfig {
    /// The front matter key and URL segment.
    pub fn name(&self) -> &str {
        match self {
            TaxonomyConfig::Name(n) => n,
            TaxonomyConfig::Full(s) => &s.name,
        }
    }

    /// The title readers see: set, or a Chinese name for the common ones.
    pub fn title(&self) -> String {
        if let TaxonomyConfig::Full(TaxonomySettings { title: Some(t), .. }) = self {
            return t.clone();
        }
        match self.name() {
            "tags" => "标签".into(),
            "categories" => "分类".into(),
            "authors" => "作者".into(),
            other => other.into(),
        }
    }

    /// Pages per term page.
    pub fn paginate_by(&self, site_default: usize) -> usize {
        match self {
            TaxonomyConfig::Full(TaxonomySettings {
                paginate_by: Some(n),
                ..
            }) => *n,
            _ => site_default,
        }
    }
}

impl Config {
    /// Reads `zhibu.toml` from `root`. All problems come back as located diagnostics.
    pub fn load(root: &Path) -> Result<Config, Vec<Diagnostic>> {
        let path = root.join(CONFIG_FILE);
        let shown = PathBuf::from(CONFIG_FILE);
        let text = match std::fs::read(&path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(t) => t,
                Err(_) => {
                    return Err(vec![Diagnostic::file_error(
                        shown,
                        "配置文件不是 UTF-8 编码，请另存为 UTF-8",
                    )])
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(vec![Diagnostic::file_error(
                    shown,
                    format!("找不到配置文件 {}，站点根目录应包含它", path.display()),
                )])
            }
            Err(e) => {
                return Err(vec![Diagnostic::file_error(
                    shown,
                    format!("无法读取配置文件：{e}"),
                )])
            }
        };
        Config::parse(&text, &shown)
    }

    /// Parses the text of a configuration file named `shown` in messages.
    pub fn parse(text: &str, shown: &Path) -> Result<Config, Vec<Diagnostic>> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut config: Config =
            toml::from_str(text).map_err(|e| vec![parse_error::from_toml(shown, text, 0, &e)])?;
        config.base_url = config
            .base_url
            .map(|u| u.trim().trim_end_matches('/').to_string())
            .filter(|u| !u.is_empty());
        let problems = config.validate(text, shown);
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(problems)
        }
    }

    /// Checks that need more than types: required values and duplicates.
    fn validate(&self, text: &str, shown: &Path) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        let at_key = |key: &str| {
            text.find(key)
                .map(|o| Position::of_offset(text, o))
                .unwrap_or(Position { line: 1, col: 1 })
        };
        if self.title.trim().is_empty() {
            out.push(Diagnostic::error(
                shown,
                at_key("title"),
                "缺少站点标题：请在 zhibu.toml 中写 title = \"站点名称\"",
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        for t in &self.taxonomies {
            let name = t.name();
            if name.is_empty() || name.contains(['/', '\\', '.']) {
                out.push(Diagnostic::error(
                    shown,
                    at_key(name),
                    format!("分类法名称 `{name}` 不能为空，也不能包含 / \\ ."),
                ));
            } else if !seen.insert(name) {
                out.push(Diagnostic::error(
                    shown,
                    at_key(name),
                    format!("分类法 `{name}` 重复定义"),
                ));
            }
        }
        if let Some(url) = &self.base_url {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                out.push(Diagnostic::error(
                    shown,
                    at_key("base_url"),
                    format!("base_url 应以 http:// 或 https:// 开头，现为 `{url}`"),
                ));
            }
        }
        out
    }

    /// The taxonomy named `name`, if configured.
    pub fn taxonomy(&self, name: &str) -> Option<&TaxonomyConfig> {
        self.taxonomies.iter().find(|t| t.name() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, Vec<Diagnostic>> {
        Config::parse(text, Path::new("zhibu.toml"))
    }

    #[test]
    fn one_line_is_enough() {
        let c = parse("title = \"基准\"").unwrap();
        assert_eq!(c.title, "基准");
        assert_eq!(c.taxonomies[0].name(), "tags");
        assert_eq!(c.language, "zh-CN");
    }

    #[test]
    fn unknown_key_names_line_and_closest_key() {
        let err = parse("title = \"x\"\n\npaginte_by = 5\n").unwrap_err();
        assert_eq!(
            err[0].to_string(),
            "zhibu.toml:3:1: 错误: 未知字段 `paginte_by`，是否想写 `paginate_by`？"
        );
    }

    #[test]
    fn missing_title_is_an_error() {
        let err = parse("description = \"x\"").unwrap_err();
        assert!(err[0].message.contains("缺少站点标题"));
    }

    #[test]
    fn taxonomies_as_names_or_tables() {
        let c = parse(
            "title = \"x\"\ntaxonomies = [\"tags\", { name = \"zhuanti\", title = \"专题\" }]",
        )
        .unwrap();
        assert_eq!(c.taxonomies[1].title(), "专题");
    }
}

//! Front matter: the TOML (`+++`) or YAML (`---`) block at the top of a content file.
//!
//! The fields are Zola's, so existing content moves over unchanged. Unknown or mistyped fields
//! are errors with file, line and column: a misspelt `draft` that is silently ignored would
//! publish a page that was meant to stay hidden.

use crate::diagnostic::{Diagnostic, Position};
use crate::parse_error;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// Front matter of a page (`*.md`, `dir/index.md`).
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct PageFrontMatter {
    /// Title. Required.
    pub title: String,
    /// Short description for lists, feeds and `<meta>`.
    #[serde(default)]
    pub description: Option<String>,
    /// Publication date (date or datetime).
    #[serde(default)]
    pub date: Option<FmDate>,
    /// Last change.
    #[serde(default)]
    pub updated: Option<FmDate>,
    /// Drafts are built only with `--drafts`.
    #[serde(default)]
    pub draft: bool,
    /// Order within the section when it sorts by weight.
    #[serde(default)]
    pub weight: Option<i64>,
    /// URL segment instead of the file name.
    #[serde(default)]
    pub slug: Option<String>,
    /// Template instead of the section's `page_template` or `page.html`.
    #[serde(default)]
    pub template: Option<String>,
    /// Terms per taxonomy: `[taxonomies] tags = ["…"]`.
    #[serde(default)]
    pub taxonomies: BTreeMap<String, Vec<String>>,
    /// Shorthand for `[taxonomies] tags = […]` (Hugo habit).
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    /// Who drafted and approved the page (三审三校).
    #[serde(default)]
    pub review: Option<Review>,
    /// Free data for templates.
    #[serde(default)]
    pub extra: Option<serde_json::Value>,
}

/// The review chain of a page (三审三校): drafter, first, second and final review.
#[derive(Debug, Clone, Deserialize, Default, serde::Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Review {
    /// 拟稿.
    #[serde(default)]
    pub drafter: Option<String>,
    /// 初审.
    #[serde(default)]
    pub first: Option<String>,
    /// 复审.
    #[serde(default)]
    pub second: Option<String>,
    /// 终审.
    #[serde(default)]
    pub r#final: Option<String>,
}

impl Review {
    /// Not yet approved: the final review is missing. Such a page is published only with
    /// `--drafts`, like a draft.
    pub fn pending(&self) -> bool {
        self.r#final.as_deref().is_none_or(|f| f.trim().is_empty())
    }
}

/// How a section orders its pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SortBy {
    /// Newest first (the default).
    #[default]
    Date,
    /// Lightest first.
    Weight,
    /// By title.
    Title,
}

/// Front matter of a section (`_index.md`).
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct SectionFrontMatter {
    /// Title; the directory name when absent.
    #[serde(default)]
    pub title: Option<String>,
    /// Short description.
    #[serde(default)]
    pub description: Option<String>,
    /// Page order; by date, except in study packs, which go by weight.
    #[serde(default)]
    pub sort_by: Option<SortBy>,
    /// Pages per list page; the site's `paginate_by` when absent, 0 for no pagination.
    #[serde(default)]
    pub paginate_by: Option<usize>,
    /// Order among sibling sections (menus); lighter first.
    #[serde(default)]
    pub weight: Option<i64>,
    /// Template for this section instead of `section.html`.
    #[serde(default)]
    pub template: Option<String>,
    /// Template for its pages instead of `page.html`.
    #[serde(default)]
    pub page_template: Option<String>,
    /// What the section holds: study packs, a column, brand showcases, news.
    #[serde(default)]
    pub kind: Option<crate::kinds::Kind>,
    /// Drafts are built only with `--drafts`.
    #[serde(default)]
    pub draft: bool,
    /// Free data for templates.
    #[serde(default)]
    pub extra: Option<serde_json::Value>,
}

/// A date as written: `2026-11-05`, `2026-11-05 09:30`, `2026-11-05T09:30:00+08:00`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FmDate(pub toml::value::Datetime);

impl<'de> Deserialize<'de> for FmDate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        /// TOML gives a native datetime; YAML gives text.
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Native(toml::value::Datetime),
            Text(String),
        }
        let dt = match Raw::deserialize(d)? {
            Raw::Native(dt) => dt,
            Raw::Text(s) => s.trim().replacen(' ', "T", 1).parse().map_err(|_| {
                serde::de::Error::custom(format!(
                    "日期 `{s}` 无法识别，应写成 2026-11-05 或 2026-11-05T09:30:00+08:00"
                ))
            })?,
        };
        if dt.date.is_none() {
            return Err(serde::de::Error::custom("日期缺少年月日，例如 2026-11-05"));
        }
        Ok(FmDate(dt))
    }
}

impl FmDate {
    /// ISO 8601 as written (`2026-11-05`, `2026-11-05T09:30:00+08:00`).
    pub fn iso(&self) -> String {
        self.0.to_string()
    }

    /// `2026年11月5日`, the way Chinese pages print dates.
    pub fn zh(&self) -> String {
        let d = self.0.date.expect("checked when parsed");
        format!("{}年{}月{}日", d.year, d.month, d.day)
    }

    /// A full RFC 3339 timestamp for feeds; dates without time are midnight Beijing time.
    pub fn rfc3339(&self) -> String {
        let d = self.0.date.expect("checked when parsed");
        let (h, m, s) = self
            .0
            .time
            .map_or((0, 0, 0), |t| (t.hour, t.minute, t.second));
        let offset = match self.0.offset {
            Some(o) => o.to_string(),
            None => "+08:00".to_string(),
        };
        format!(
            "{:04}-{:02}-{:02}T{h:02}:{m:02}:{s:02}{offset}",
            d.year, d.month, d.day
        )
    }

    /// The year.
    pub fn year(&self) -> u16 {
        self.0.date.map_or(0, |d| d.year)
    }

    /// A number that orders dates (local time as written; offsets are ignored).
    pub fn sort_key(&self) -> u64 {
        let d = self.0.date.expect("checked when parsed");
        let (h, m, s) = self
            .0
            .time
            .map_or((0, 0, 0), |t| (t.hour, t.minute, t.second));
        ((d.year as u64 * 100 + d.month as u64) * 100 + d.day as u64) * 1_000_000
            + (h as u64 * 10_000 + m as u64 * 100 + s as u64)
    }
}

/// A content file split into front matter and body.
#[derive(Debug)]
pub struct Split<'a> {
    /// The front matter text, without its delimiters; `None` when the file has none.
    pub front: Option<(Format, &'a str)>,
    /// The Markdown after the front matter.
    pub body: &'a str,
    /// How many lines come before `body` in the file (to locate Markdown problems).
    pub body_line: usize,
}

/// The language of a front matter block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Between `+++` lines.
    Toml,
    /// Between `---` lines.
    Yaml,
}

/// Splits `text` (already BOM-free with `\n` line ends) into front matter and body.
pub fn split<'a>(text: &'a str, file: &Path) -> Result<Split<'a>, Diagnostic> {
    let first_line = text.lines().next().unwrap_or("").trim_end();
    let (format, delim) = match first_line {
        "+++" => (Format::Toml, "+++"),
        "---" => (Format::Yaml, "---"),
        _ => {
            return Ok(Split {
                front: None,
                body: text,
                body_line: 0,
            })
        }
    };
    let after_open = text.find('\n').map_or(text.len(), |i| i + 1);
    let mut offset = after_open;
    for line in text[after_open..].split_inclusive('\n') {
        if line.trim_end() == delim {
            let front = &text[after_open..offset];
            let body_start = offset + line.len();
            return Ok(Split {
                front: Some((format, front)),
                body: &text[body_start..],
                body_line: text[..body_start].matches('\n').count(),
            });
        }
        offset += line.len();
    }
    Err(Diagnostic::error(
        file,
        Position { line: 1, col: 1 },
        format!("front matter 没有结束标记：请在字段之后单独一行写 {delim}"),
    ))
}

/// Parses a front matter block into `T`, errors located in the file (front starts on line 2).
pub fn parse<T: DeserializeOwned>(
    format: Format,
    front: &str,
    file: &Path,
) -> Result<T, Diagnostic> {
    match format {
        Format::Toml => {
            toml::from_str(front).map_err(|e| parse_error::from_toml(file, front, 1, &e))
        }
        Format::Yaml => {
            if front.trim().is_empty() {
                // An empty YAML document is `null`; treat it as an empty table, like TOML does.
                return serde_norway::from_str("{}")
                    .map_err(|e| parse_error::from_yaml(file, front, 1, &e));
            }
            serde_norway::from_str(front).map_err(|e| parse_error::from_yaml(file, front, 1, &e))
        }
    }
}

/// TOML dates inside `[extra]` arrive as `{"$__toml_private_datetime": "…"}`; templates want text.
pub fn clean_extra(value: &mut serde_json::Value) {
    const KEY: &str = "$__toml_private_datetime";
    match value {
        serde_json::Value::Object(map) => {
            if map.len() == 1 && map.contains_key(KEY) {
                *value = map.remove(KEY).unwrap_or_default();
            } else {
                map.values_mut().for_each(clean_extra);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(clean_extra),
        _ => {}
    }
}

/// `text` as a TOML string literal, everything escaped: for front matter zhibu writes
/// (`zhibu new`, `zhibu import`).
pub fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(text: &str) -> Result<PageFrontMatter, Diagnostic> {
        let file = Path::new("a.md");
        let s = split(text, file)?;
        let (format, front) = s.front.unwrap();
        parse(format, front, file)
    }

    #[test]
    fn toml_and_yaml_agree() {
        let t =
            page("+++\ntitle = \"学习\"\ndate = 2026-11-05\ntags = [\"a\"]\n+++\n正文").unwrap();
        let y = page("---\ntitle: 学习\ndate: 2026-11-05\ntags: [a]\n---\n正文").unwrap();
        assert_eq!(t.title, y.title);
        assert_eq!(t.date, y.date);
        assert_eq!(t.tags, y.tags);
    }

    #[test]
    fn unknown_field_is_located() {
        let e = page("+++\ntitle = \"x\"\ndraf = true\n+++\n").unwrap_err();
        assert_eq!((e.line, e.col), (3, 1));
        assert_eq!(e.message, "未知字段 `draf`，是否想写 `draft`？");
    }

    #[test]
    fn yaml_unknown_field_is_located() {
        let e = page("---\ntitle: x\nweigth: 3\n---\n").unwrap_err();
        assert_eq!((e.line, e.col), (3, 1));
        assert_eq!(e.message, "未知字段 `weigth`，是否想写 `weight`？");
    }

    #[test]
    fn mistyped_field_is_located() {
        let e = page("+++\ntitle = \"x\"\nweight = \"三\"\n+++\n").unwrap_err();
        assert_eq!((e.line, e.col), (3, 10));
        assert!(
            e.message.starts_with("字段 `weight` 的值类型不对"),
            "{}",
            e.message
        );
    }

    #[test]
    fn unclosed_front_matter() {
        let e = split("+++\ntitle = \"x\"\n", Path::new("a.md")).unwrap_err();
        assert!(e.message.contains("没有结束标记"));
    }

    #[test]
    fn body_line_counts_front_matter() {
        let s = split("+++\ntitle = \"x\"\n+++\n\n正文", Path::new("a.md")).unwrap();
        assert_eq!(s.body_line, 3);
        assert_eq!(s.body, "\n正文");
    }

    #[test]
    fn dates_format() {
        let p = page("+++\ntitle = \"x\"\ndate = 2026-11-05T09:30:00+08:00\n+++\n").unwrap();
        let d = p.date.unwrap();
        assert_eq!(d.zh(), "2026年11月5日");
        assert_eq!(d.rfc3339(), "2026-11-05T09:30:00+08:00");
        let y = page("---\ntitle: x\ndate: 2026-11-05 09:30:00\n---\n").unwrap();
        assert_eq!(y.date.unwrap().rfc3339(), "2026-11-05T09:30:00+08:00");
    }
}

//! Names to URL segments and heading ids.
//!
//! Chinese sites need Chinese slugs: an id of `#二坚持问题导向` is readable in a link, whereas
//! ASCII-only slugifiers turn every Chinese heading into an empty string.

use crate::config::SlugStyle;

/// A URL segment for `name` in the given style. May be empty when `name` has no usable
/// character; callers report that.
pub fn slugify(name: &str, style: SlugStyle) -> String {
    match style {
        SlugStyle::Safe => safe(name),
        SlugStyle::Pinyin => safe(&deunicode::deunicode(name)),
        SlugStyle::Off => {
            let kept: String = name
                .trim()
                .chars()
                .map(|c| {
                    if c.is_whitespace()
                        || matches!(c, '/' | '\\' | '?' | '#' | '%')
                        || c.is_control()
                    {
                        '-'
                    } else {
                        c
                    }
                })
                .collect();
            // Never a segment that walks out of its directory.
            if kept.chars().all(|c| c == '.') {
                String::new()
            } else {
                kept
            }
        }
    }
}

/// Why a `slug` written in front matter cannot be used, if it cannot: a slug is one URL
/// segment, so `a/b` or `../../etc` (which would place the page in another directory, or try to
/// leave the output directory) are refused rather than silently rewritten. A slug of dots only
/// slugifies to nothing and is reported as an empty slug.
pub fn explicit_slug_problem(slug: &str) -> Option<String> {
    slug.contains(['/', '\\']).then(|| {
        format!(
            "slug `{slug}` 不能含有 `/` 或 `\\`：slug 只是网址的最后一段，页面所在的目录由文件所在的目录决定"
        )
    })
}

/// Letters and digits of any script kept (lowercased); everything else becomes one `-`.
fn safe(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut dash = false;
    for c in name.chars() {
        if c.is_alphanumeric() || c == '_' {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.extend(c.to_lowercase());
        } else {
            dash = true;
        }
    }
    out
}

/// The `id` of a heading: its text as a safe slug, or `section` when nothing is left.
pub fn heading_id(text: &str) -> String {
    let id = safe(text);
    if id.is_empty() {
        "section".to_string()
    } else {
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_keeps_chinese() {
        assert_eq!(
            slugify("一、坚持 问题导向！", SlugStyle::Safe),
            "一-坚持-问题导向"
        );
        assert_eq!(slugify("2026-11", SlugStyle::Safe), "2026-11");
        assert_eq!(slugify("A01 Yuanwen.md", SlugStyle::Safe), "a01-yuanwen-md");
    }

    #[test]
    fn pinyin_is_ascii() {
        assert_eq!(slugify("党建品牌", SlugStyle::Pinyin), "dang-jian-pin-pai");
    }

    #[test]
    fn off_never_escapes() {
        assert_eq!(slugify("..", SlugStyle::Off), "");
        assert_eq!(slugify("../etc", SlugStyle::Off), "..-etc");
        assert_eq!(slugify("../x", SlugStyle::Safe), "x");
    }

    #[test]
    fn explicit_slugs_stay_in_their_directory() {
        for bad in ["../../etc", "a/b", "a\\b", " ../x "] {
            assert!(explicit_slug_problem(bad).is_some(), "{bad}");
        }
        for good in ["a-b", "学习", "a.b", "..", ""] {
            assert!(explicit_slug_problem(good).is_none(), "{good}");
        }
    }

    #[test]
    fn heading_ids() {
        assert_eq!(heading_id("（一）学习 Rust"), "一-学习-rust");
        assert_eq!(heading_id("——"), "section");
    }
}

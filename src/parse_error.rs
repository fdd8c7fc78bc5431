//! Turns TOML and YAML parser errors into located Chinese diagnostics.
//!
//! serde reports problems in English with a byte span (TOML) or a line and column (YAML). Editors
//! need to know, in Chinese, *which* key is wrong and what they probably meant, so the common
//! messages are recognised and explained; anything else keeps the parser's words after a Chinese
//! lead so that nothing is lost.

use crate::diagnostic::{Diagnostic, Position};
use std::path::Path;

/// A TOML error in `text` (which starts `line_offset` lines into `file`) as a diagnostic.
pub(crate) fn from_toml(
    file: &Path,
    text: &str,
    line_offset: usize,
    err: &toml::de::Error,
) -> Diagnostic {
    let span = err.span();
    let pos = span
        .as_ref()
        .map(|s| Position::of_offset(text, s.start))
        .unwrap_or(Position { line: 1, col: 1 });
    let key_hint = span.and_then(|s| key_on_line(text, s.start));
    let message = explain(err.message(), key_hint.as_deref(), "TOML");
    Diagnostic::error(file, pos.shifted(line_offset), message)
}

/// A YAML error (serde_norway) in text starting `line_offset` lines into `file`.
pub(crate) fn from_yaml(
    file: &Path,
    text: &str,
    line_offset: usize,
    err: &serde_norway::Error,
) -> Diagnostic {
    let (pos, mut key, index) = match err.location() {
        Some(loc) => {
            let pos = Position {
                line: loc.line(),
                col: loc.column(),
            };
            (pos, key_on_line(text, loc.index()), Some(loc.index()))
        }
        None => (Position { line: 1, col: 1 }, None, None),
    };
    // serde_norway appends " at line X column Y" to its messages; the position is shown apart.
    let raw = err.to_string();
    let mut raw = raw.split(" at line ").next().unwrap_or(&raw).to_string();
    // … and puts the path of the value in front: `title: invalid type: …`, `review.final: …`.
    if let Some((path, rest)) = raw.split_once(": ") {
        let known = ["invalid ", "unknown ", "missing field", "duplicate "];
        if !path.contains(' ') && known.iter().any(|k| rest.starts_with(k)) {
            key = path.rsplit('.').next().map(str::to_string);
            raw = rest.to_string();
        }
    }
    // Errors of our own deserializers (dates) are reported where the map starts; the value
    // they quote shows the line that holds it.
    let mut pos = pos;
    if ours(&raw) && (index == Some(0) || pos.line <= 1) {
        if let Some(value) = backticked(&raw).first().filter(|v| !v.is_empty()) {
            if let Some(at) = text.find(value.as_str()) {
                let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
                let indent = text[start..].len() - text[start..].trim_start().len();
                pos = Position::of_offset(text, start + indent);
                key = key_on_line(text, at);
            }
        }
    }
    let at_tab = index.is_some_and(|i| text.get(i..).is_some_and(|t| t.starts_with('\t')));
    let message = if at_tab {
        "YAML 不能用 Tab 缩进或分隔，请改用空格".to_string()
    } else {
        explain(&raw, key.as_deref(), "YAML")
    };
    Diagnostic::error(file, pos.shifted(line_offset), message)
}

/// Whether a message comes from one of our own deserializers (which write Chinese), rather
/// than from serde or the parser (which write English, maybe quoting Chinese values).
fn ours(message: &str) -> bool {
    message.trim_start().starts_with(|c: char| !c.is_ascii())
}

/// The Chinese explanation of one serde message.
fn explain(message: &str, key: Option<&str>, format: &str) -> String {
    let message = message.trim();
    if ours(message) {
        // Already explained in Chinese by one of our own deserializers.
        return message.to_string();
    }
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let names = backticked(rest);
        if let Some((unknown, expected)) = names.split_first() {
            return unknown_key(unknown, expected);
        }
    }
    if let Some(rest) = message.strip_prefix("missing field ") {
        if let Some(name) = backticked(rest).first() {
            return format!("缺少必填字段 `{name}`");
        }
    }
    if message.starts_with("invalid type") || message.starts_with("invalid value") {
        let detail = translate_types(message);
        return match key {
            Some(k) => format!("字段 `{k}` 的值类型不对（{detail}）"),
            None => format!("值的类型不对（{detail}）"),
        };
    }
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        let names = backticked(rest);
        if let Some((value, allowed)) = names.split_first() {
            let allowed: Vec<String> = allowed.iter().map(|a| format!("`{a}`")).collect();
            let what = key.map_or(String::new(), |k| format!("字段 `{k}` 的"));
            return format!("{what}取值 `{value}` 无效，可选：{}", allowed.join("、"));
        }
    }
    if message.contains("did not match any variant") {
        return match key {
            Some(k) => format!("字段 `{k}` 的值无法识别，请检查写法"),
            None => "值无法识别，请检查写法".to_string(),
        };
    }
    if message.starts_with("duplicate key") || message.starts_with("duplicate field") {
        let name = backticked(message).into_iter().next().unwrap_or_default();
        return format!("字段 `{name}` 重复出现");
    }
    format!("{format} 格式错误：{message}")
}

/// "unknown key, did you mean …" — the closest valid key by edit distance, if one is close.
pub(crate) fn unknown_key(unknown: &str, expected: &[String]) -> String {
    let best = expected
        .iter()
        .map(|e| (strsim::damerau_levenshtein(unknown, e), e))
        .min();
    match best {
        Some((d, e)) if d <= 2.max(unknown.chars().count() / 3) => {
            format!("未知字段 `{unknown}`，是否想写 `{e}`？")
        }
        _ if expected.is_empty() => format!("未知字段 `{unknown}`，此处不接受任何字段"),
        _ => {
            let list: Vec<String> = expected.iter().map(|e| format!("`{e}`")).collect();
            format!("未知字段 `{unknown}`，可用的字段有：{}", list.join("、"))
        }
    }
}

/// "invalid type: string \"x\", expected i64" with the type words in Chinese.
fn translate_types(message: &str) -> String {
    let body = message
        .trim_start_matches("invalid type: ")
        .trim_start_matches("invalid value: ");
    let (found, expected) = match body.split_once(", expected ") {
        Some((f, e)) => (f, e),
        None => (body, ""),
    };
    let words = [
        ("a sequence", "列表"),
        ("sequence", "列表"),
        ("a string", "字符串"),
        ("string", "字符串"),
        ("a boolean", "true/false"),
        ("boolean", "true/false"),
        ("integer", "整数"),
        ("i64", "整数"),
        ("u64", "非负整数"),
        ("usize", "非负整数"),
        ("u32", "非负整数"),
        ("u8", "非负整数"),
        ("floating point", "小数"),
        ("a map", "表"),
        ("map", "表"),
        ("datetime", "日期"),
    ];
    let tr = |s: &str| {
        let mut out = s.to_string();
        for (en, zh) in words {
            if out.starts_with(en) {
                out = format!("{zh}{}", &out[en.len()..]);
                break;
            }
        }
        out
    };
    if expected.is_empty() {
        tr(found)
    } else {
        format!("写的是{}，应为{}", tr(found), tr(expected))
    }
}

/// Words between backticks, in order.
fn backticked(s: &str) -> Vec<String> {
    s.split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, w)| w.to_string())
        .collect()
}

/// The key written at the start of the line holding `offset` (`key = value` or `key: value`).
fn key_on_line(text: &str, offset: usize) -> Option<String> {
    let offset = offset.min(text.len());
    let start = text.get(..offset)?.rfind('\n').map_or(0, |i| i + 1);
    let line = text[start..].lines().next()?;
    let key = line.split(['=', ':']).next()?.trim().trim_matches('"');
    let key = key.trim_start_matches("- ");
    (!key.is_empty() && line.contains(['=', ':'])).then(|| key.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_closest_key() {
        let expected = vec!["title".to_string(), "description".to_string()];
        assert_eq!(
            unknown_key("titel", &expected),
            "未知字段 `titel`，是否想写 `title`？"
        );
        assert!(unknown_key("zzzzzz", &expected).contains("可用的字段有"));
    }

    #[test]
    fn explains_types() {
        let m = explain(
            "invalid type: string \"a\", expected i64",
            Some("weight"),
            "TOML",
        );
        assert_eq!(
            m,
            "字段 `weight` 的值类型不对（写的是字符串 \"a\"，应为整数）"
        );
    }

    #[test]
    fn explains_unknown_variants() {
        let m = explain(
            "unknown variant `poem`, expected `text` or `video`",
            Some("form"),
            "TOML",
        );
        assert_eq!(m, "字段 `form` 的取值 `poem` 无效，可选：`text`、`video`");
    }

    #[test]
    fn unknown_serde_message_keeps_original_words() {
        assert_eq!(explain("oops", None, "TOML"), "TOML 格式错误：oops");
    }
}

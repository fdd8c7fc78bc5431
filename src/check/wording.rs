//! Wording rules editors maintain in `rules/*.toml`: wrong → right pairs, regular expressions,
//! and an allow-list.
//!
//! File format (every `rules/*.toml` under the site root is read, sorted by file name):
//!
//! ```toml
//! # 允许的写法：这些词中出现的错误写法不报告
//! allow = ["其它人员名单"]
//!
//! [[pair]]
//! wrong = "其它"          # 错误写法，按字面查找
//! right = "其他"          # 正确写法
//! note = "……"             # 可选：说明
//! severity = "warning"    # 可选：error 或 warning，默认 warning
//!
//! [[regex]]
//! pattern = "的的"        # 正则表达式（Rust regex 语法；^ 和 $ 匹配行首行尾）
//! message = "……"          # 报告的内容
//! severity = "error"      # 可选，默认 warning
//! ```
//!
//! All findings have rule id `wording`. A finding whose span lies inside an occurrence of an
//! `allow` phrase (from any file) is not reported. When two pairs match at the same place, the
//! longer `wrong` wins; when the same `wrong` appears twice, the first (by file name) wins.
//! Rules run on the text with code, URLs and front matter keys blanked (see
//! [`crate::check::text`]).

use crate::check::text::Found;
use crate::diagnostic::{display_path, Diagnostic, Position, Severity};
use regex::{Regex, RegexBuilder, RegexSet};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

/// Rule id of every wording finding.
pub const WORDING: &str = "wording";

/// Wording rules editors maintain in `rules/*.toml`, compiled once.
pub struct Rules {
    /// Pairs, in file order.
    pairs: Vec<PairRule>,
    /// `wrong` → index in `pairs`.
    pair_index: HashMap<String, usize>,
    /// All `wrong` strings as one alternation, longest first.
    pair_re: Option<Regex>,
    /// Regular-expression rules.
    regexes: Vec<RegexRule>,
    /// All regex rules at once, to skip those that cannot match a file.
    regex_set: Option<RegexSet>,
    /// Allowed phrases.
    allow: Vec<String>,
}

struct PairRule {
    wrong: String,
    right: String,
    note: Option<String>,
    severity: Severity,
}

struct RegexRule {
    re: Regex,
    message: String,
    severity: Severity,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    #[serde(default)]
    allow: Vec<String>,
    #[serde(default)]
    pair: Vec<PairEntry>,
    #[serde(default)]
    regex: Vec<RegexEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PairEntry {
    wrong: toml::Spanned<String>,
    right: String,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    severity: Option<SeverityName>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegexEntry {
    pattern: toml::Spanned<String>,
    message: String,
    #[serde(default)]
    severity: Option<SeverityName>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum SeverityName {
    Error,
    Warning,
}

impl SeverityName {
    fn get(s: Option<SeverityName>) -> Severity {
        match s {
            Some(SeverityName::Error) => Severity::Error,
            Some(SeverityName::Warning) | None => Severity::Warning,
        }
    }
}

impl Rules {
    /// Loads every `rules/*.toml` under the site root (sorted by name); a malformed file or a
    /// bad regex is a located Chinese error (file:line:col). No rules dir = empty rules.
    pub fn load(root: &Path) -> Result<Rules, Vec<Diagnostic>> {
        let dir = root.join("rules");
        if !dir.is_dir() {
            return Ok(Rules::empty());
        }
        let mut files: Vec<std::path::PathBuf> = match std::fs::read_dir(&dir) {
            Ok(entries) => entries
                .filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
                .collect(),
            Err(e) => {
                return Err(vec![Diagnostic::file_error(
                    display_path(root, &dir),
                    format!("无法读取规则目录：{e}"),
                )])
            }
        };
        files.sort();
        let mut errors = Vec::new();
        let mut sources = Vec::new();
        for path in &files {
            let shown = display_path(root, path);
            match std::fs::read(path) {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(text) => {
                        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
                        sources.push((shown, text.replace("\r\n", "\n")));
                    }
                    Err(_) => errors.push(Diagnostic::file_error(
                        shown,
                        "规则文件不是 UTF-8 编码：请用 UTF-8 保存",
                    )),
                },
                Err(e) => errors.push(Diagnostic::file_error(
                    shown,
                    format!("无法读取规则文件：{e}"),
                )),
            }
        }
        let refs: Vec<(&Path, &str)> = sources
            .iter()
            .map(|(p, t)| (p.as_path(), t.as_str()))
            .collect();
        match Rules::from_sources(&refs) {
            Ok(rules) if errors.is_empty() => Ok(rules),
            Ok(_) => Err(errors),
            Err(more) => {
                errors.extend(more);
                Err(errors)
            }
        }
    }

    /// No rules.
    pub fn empty() -> Rules {
        Rules {
            pairs: Vec::new(),
            pair_index: HashMap::new(),
            pair_re: None,
            regexes: Vec::new(),
            regex_set: None,
            allow: Vec::new(),
        }
    }

    /// Compiles rules from `(file name for messages, file text)` in order.
    pub(crate) fn from_sources(sources: &[(&Path, &str)]) -> Result<Rules, Vec<Diagnostic>> {
        let mut rules = Rules::empty();
        let mut errors = Vec::new();
        for &(file, text) in sources {
            let parsed: RulesFile = match toml::from_str(text) {
                Ok(p) => p,
                Err(e) => {
                    errors.push(crate::parse_error::from_toml(file, text, 0, &e));
                    continue;
                }
            };
            rules
                .allow
                .extend(parsed.allow.into_iter().filter(|a| !a.is_empty()));
            for p in parsed.pair {
                let at = Position::of_offset(text, p.wrong.span().start);
                let wrong = p.wrong.into_inner();
                if wrong.is_empty() {
                    errors.push(Diagnostic::error(
                        file,
                        at,
                        "`wrong` 不能为空：请写出要查找的错误写法",
                    ));
                    continue;
                }
                if wrong == p.right {
                    errors.push(Diagnostic::error(
                        file,
                        at,
                        format!("`wrong` 和 `right` 相同（“{wrong}”）：这条规则会一直报告，请改正"),
                    ));
                    continue;
                }
                if rules.pair_index.contains_key(&wrong) {
                    continue;
                }
                rules.pair_index.insert(wrong.clone(), rules.pairs.len());
                rules.pairs.push(PairRule {
                    wrong,
                    right: p.right,
                    note: p.note.filter(|n| !n.trim().is_empty()),
                    severity: SeverityName::get(p.severity),
                });
            }
            for r in parsed.regex {
                let at = Position::of_offset(text, r.pattern.span().start);
                let pattern = r.pattern.into_inner();
                match RegexBuilder::new(&pattern).multi_line(true).build() {
                    Ok(re) => rules.regexes.push(RegexRule {
                        re,
                        message: r.message,
                        severity: SeverityName::get(r.severity),
                    }),
                    Err(e) => errors.push(Diagnostic::error(
                        file,
                        at,
                        format!("正则表达式 `{pattern}` 写法有误：{}", regex_error(&e)),
                    )),
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        if !rules.pairs.is_empty() {
            let mut wrongs: Vec<&str> = rules.pairs.iter().map(|p| p.wrong.as_str()).collect();
            wrongs.sort_by_key(|w| std::cmp::Reverse(w.len()));
            let alternation: Vec<String> = wrongs.iter().map(|w| regex::escape(w)).collect();
            rules.pair_re = Some(Regex::new(&alternation.join("|")).map_err(|e| {
                vec![Diagnostic::file_error(
                    "rules",
                    format!("规则太多，无法编译：{}", regex_error(&e)),
                )]
            })?);
        }
        if !rules.regexes.is_empty() {
            let patterns: Vec<&str> = rules.regexes.iter().map(|r| r.re.as_str()).collect();
            // Only a prefilter: when the set is too big, every regex simply runs.
            rules.regex_set = regex::RegexSetBuilder::new(patterns)
                .multi_line(true)
                .build()
                .ok();
        }
        Ok(rules)
    }

    /// Whether there are no rules at all.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty() && self.regexes.is_empty()
    }

    /// Every finding in `text` (already blanked), in text order per kind.
    pub(crate) fn find(&self, text: &str) -> Vec<Found> {
        let mut out = Vec::new();
        if let Some(re) = &self.pair_re {
            for m in re.find_iter(text) {
                let Some(&i) = self.pair_index.get(m.as_str()) else {
                    continue;
                };
                if self.allowed(text, m.start(), m.end()) {
                    continue;
                }
                let p = &self.pairs[i];
                let mut message = format!("“{}”应写作“{}”", p.wrong, p.right);
                if let Some(note) = &p.note {
                    message.push('：');
                    message.push_str(note);
                }
                out.push(Found {
                    rule: WORDING,
                    start: m.start(),
                    end: m.end(),
                    severity: p.severity,
                    message,
                });
            }
        }
        let matching: Vec<usize> = match &self.regex_set {
            Some(set) => set.matches(text).into_iter().collect(),
            None => (0..self.regexes.len()).collect(),
        };
        for i in matching {
            let r = &self.regexes[i];
            for m in r.re.find_iter(text) {
                if m.is_empty() || self.allowed(text, m.start(), m.end()) {
                    continue;
                }
                out.push(Found {
                    rule: WORDING,
                    start: m.start(),
                    end: m.end(),
                    severity: r.severity,
                    message: r.message.clone(),
                });
            }
        }
        out
    }

    /// Whether `start..end` lies inside an occurrence of an allowed phrase.
    fn allowed(&self, text: &str, start: usize, end: usize) -> bool {
        self.allow.iter().any(|a| {
            if a.len() < end - start {
                return false;
            }
            let mut lo = end.saturating_sub(a.len());
            while !text.is_char_boundary(lo) {
                lo -= 1;
            }
            let mut hi = (start + a.len()).min(text.len());
            while !text.is_char_boundary(hi) {
                hi += 1;
            }
            text[lo..hi]
                .match_indices(a.as_str())
                .any(|(i, _)| lo + i <= start && end <= lo + i + a.len())
        })
    }
}

/// The useful last line of a regex error, in Chinese where we can.
fn regex_error(e: &regex::Error) -> String {
    let s = e.to_string();
    let last = s
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or(&s)
        .trim();
    let last = last.strip_prefix("error: ").unwrap_or(last);
    let zh = match last {
        "unclosed group" => "括号没有闭合",
        "unopened group" => "多了一个右括号",
        "unclosed character class" => "方括号没有闭合",
        "repetition operator missing expression" => "重复符号（* + ?）前面缺少内容",
        _ => return last.to_string(),
    };
    format!("{zh}（{last}）")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compile(text: &str) -> Result<Rules, Vec<Diagnostic>> {
        Rules::from_sources(&[(Path::new("rules/a.toml"), text)])
    }

    fn found(rules: &Rules, text: &str) -> Vec<(String, String)> {
        rules
            .find(text)
            .into_iter()
            .map(|f| (text[f.start..f.end].to_string(), f.message))
            .collect()
    }

    #[test]
    fn shipped_example_rules_compile_and_fire() {
        let text = include_str!("../../rules/常用规范.toml");
        let rules = compile(text).unwrap();
        assert!(rules.pairs.len() >= 15);
        let f = found(&rules, "我们要再接再励，既使困难也要按装好。");
        let words: Vec<&str> = f.iter().map(|(w, _)| w.as_str()).collect();
        assert_eq!(words, ["再接再励", "既使", "按装"]);
        assert_eq!(f[0].1, "“再接再励”应写作“再接再厉”：“厉”同“砺”，磨快");
        // Allowed phrases and correct writing do not fire.
        assert!(found(&rules, "既使用新方法，又的的确确再接再厉。").is_empty());
        let f = found(&rules, "我的的书写于二零二六年");
        assert_eq!(f.len(), 2, "{f:?}");
        assert!(f[0].1.starts_with("“的的”重复"));
        assert!(f[1].1.starts_with("汉字年份中的零应写作“〇”"));
    }

    #[test]
    fn longer_wrong_wins_and_severity_is_read() {
        let rules = compile(
            "[[pair]]\nwrong = \"截止\"\nright = \"截至\"\n\
             [[pair]]\nwrong = \"截止目前\"\nright = \"截至目前\"\nseverity = \"error\"\n",
        )
        .unwrap();
        let f = rules.find("截止目前");
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].start, f[0].end), (0, "截止目前".len()));
        assert_eq!(f[0].severity, Severity::Error);
    }

    #[test]
    fn allow_list_needs_the_whole_phrase_around_the_finding() {
        let rules =
            compile("allow = [\"其它人员\"]\n[[pair]]\nwrong = \"其它\"\nright = \"其他\"\n")
                .unwrap();
        assert!(found(&rules, "其它人员").is_empty());
        assert_eq!(found(&rules, "其它工作 其它人").len(), 2);
    }

    #[test]
    fn bad_files_are_located_errors() {
        let e = compile("[[regex]]\nmessage = \"m\"\npattern = \"(的\"\n")
            .err()
            .unwrap();
        assert_eq!((e[0].line, e[0].col), (3, 11));
        assert!(
            e[0].message
                .starts_with("正则表达式 `(的` 写法有误：括号没有闭合"),
            "{}",
            e[0].message
        );
        let e = compile("[[pair]]\nwrong = \"a\"\nrihgt = \"b\"\n")
            .err()
            .unwrap();
        assert_eq!(e[0].line, 3);
        assert!(
            e[0].message.contains("未知字段 `rihgt`"),
            "{}",
            e[0].message
        );
        let e = compile("[[pair]]\nwrong = \"a\"\nright = \"b\"\nseverity = \"fatal\"\n")
            .err()
            .unwrap();
        assert_eq!(e[0].line, 4);
        let e = compile("[[pair]]\nwrong = \"\"\nright = \"b\"\n")
            .err()
            .unwrap();
        assert_eq!((e[0].line, e[0].col), (2, 9));
        assert!(e[0].message.starts_with("`wrong` 不能为空"));
        let e = compile("allow = [\n").err().unwrap();
        assert_eq!(e[0].file, Path::new("rules/a.toml"));
        assert!(e[0].line >= 1);
    }

    #[test]
    fn load_reads_the_rules_dir_sorted() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Rules::load(dir.path()).unwrap().is_empty());
        let rules_dir = dir.path().join("rules");
        std::fs::create_dir(&rules_dir).unwrap();
        std::fs::write(
            rules_dir.join("b.toml"),
            "[[pair]]\nwrong = \"其它\"\nright = \"其余\"\n",
        )
        .unwrap();
        std::fs::write(
            rules_dir.join("a.toml"),
            "\u{feff}[[pair]]\r\nwrong = \"其它\"\r\nright = \"其他\"\r\n",
        )
        .unwrap();
        std::fs::write(rules_dir.join("notes.txt"), "not rules").unwrap();
        let rules = Rules::load(dir.path()).unwrap();
        assert_eq!(found(&rules, "其它")[0].1, "“其它”应写作“其他”");
        std::fs::write(
            rules_dir.join("c.toml"),
            "[[regex]]\npattern = \"[\"\nmessage = \"m\"\n",
        )
        .unwrap();
        let e = Rules::load(dir.path()).err().unwrap();
        assert_eq!(e[0].file, Path::new("rules/c.toml"));
        assert_eq!((e[0].line, e[0].col), (2, 11));
    }
}

//! Search, end to end: the real binary builds tests/fixtures/search and the sample site; the
//! index it writes is read back and queried with the same algorithm as the browser client.

mod common;

use common::{build, fixture, repo, tree};
use zhibu::search::query::{js_call_args, LoadedIndex};
use zhibu::search::text::{normalize, query_terms};

/// `search/` files of a built site.
fn search_files(out: &std::path::Path) -> Vec<(String, String)> {
    tree(out)
        .into_iter()
        .filter(|(p, _)| p.starts_with("search/"))
        .map(|(p, b)| (p, String::from_utf8(b).expect("utf-8")))
        .collect()
}

/// Every page's plain searchable text, joined from its excerpt parts: url → text.
fn page_texts(files: &[(String, String)]) -> Vec<(String, String)> {
    let mut parts: std::collections::BTreeMap<(u32, u32), (String, String)> = Default::default();
    for (path, js) in files {
        let Some(name) = path.strip_prefix("search/d/") else {
            continue;
        };
        let (page, part) = name.trim_end_matches(".js").split_once('-').unwrap();
        let v = js_call_args(js, "zhibu_doc").unwrap();
        parts.insert(
            (page.parse().unwrap(), part.parse().unwrap()),
            (
                v[2][0].as_str().unwrap().to_string(),
                v[2][4].as_str().unwrap().to_string(),
            ),
        );
    }
    let mut out: Vec<(u32, String, String)> = Vec::new();
    for ((page, _), (url, text)) in parts {
        match out.last_mut() {
            Some(last) if last.0 == page => last.2.push_str(&text),
            _ => out.push((page, url, text)),
        }
    }
    out.into_iter().map(|(_, u, t)| (u, t)).collect()
}

/// A built site's index, read back, and every page's text (url, text) by page number.
struct Built {
    idx: LoadedIndex,
    texts: Vec<(String, String)>,
}

impl Built {
    fn new(files: &[(String, String)]) -> Built {
        Built {
            idx: LoadedIndex::from_files(files.iter().map(|(p, c)| (p.as_str(), c.as_str()))),
            texts: page_texts(files),
        }
    }

    /// Reads the `search/` files of the site built in `out`.
    fn read(out: &std::path::Path) -> Built {
        Built::new(&search_files(out))
    }

    /// Pages (by URL) the index finds for `query`.
    fn found_urls(&self, query: &str) -> Vec<String> {
        let mut got: Vec<String> = self
            .idx
            .search(query)
            .iter()
            .map(|m| self.texts[m.page as usize].0.clone())
            .collect();
        got.sort_unstable();
        got
    }

    fn check_queries(&self, queries: &[&str], fold: bool) {
        for q in queries {
            let terms = query_terms(q, fold);
            let mut want: Vec<&str> = self
                .texts
                .iter()
                .filter(|(_, t)| {
                    let t = normalize(t, fold);
                    !terms.is_empty() && terms.iter().all(|q| t.contains(q.as_str()))
                })
                .map(|(u, _)| u.as_str())
                .collect();
            want.sort_unstable();
            assert_eq!(self.found_urls(q), want, "query {q:?}");
        }
    }
}

#[test]
fn fixture_site_index_is_exact_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let run = build(&fixture("search"), &out, &[]);
    let report = run
        .stderr
        .lines()
        .find(|l| l.starts_with("搜索索引："))
        .unwrap_or_else(|| panic!("no search line in {}", run.stderr));
    assert!(
        report.contains("16 个页面") && report.contains("个分片") && report.contains("最大分片"),
        "{report}"
    );
    for f in [
        "search/index.html",
        "search/meta.js",
        "search/facets.js",
        "search/s/0.js",
        "js/search.js",
        "js/highlight.js",
        "css/search.css",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let html = std::fs::read_to_string(out.join("search/index.html")).unwrap();
    for needle in [
        "id=\"search-results\"",
        "id=\"search-count\"",
        "<option value=\"brand\">党建品牌</option>",
        "<option value=\"2025\">2025年</option>",
        "<option value=\"5\">5 星</option>",
        "src=\"../js/search.js\"",
        "href=\"../css/search.css\"",
    ] {
        assert!(html.contains(needle), "search page lacks {needle}");
    }
    Built::read(&out).check_queries(
        &[
            "清廉",
            "清",
            "a股",
            "Ａ股",
            "20大",
            "gdp增长",
            "<script>",
            "黨建",
            "中国共产党",
            "清廉 学习会",
            "清廉 红色",
            "不存在的词",
            "第1次",
            "第12次清廉学习会",
            "坚持问题导向",
        ],
        true,
    );
}

#[test]
fn kind_fields_from_front_matter_are_searchable() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&fixture("search"), &out, &[]);
    let built = Built::read(&out);
    // Each of these is written only in the page's [extra], never in its body.
    let brand = "brands/hongse/index.html";
    let exemplar = "qinglian/bangyang/index.html";
    let pack = "xuexi/2026-11/a/index.html";
    let cases: &[(&str, &str)] = &[
        ("擎旗奋进动力澎湃", brand),
        ("奋进动力", brand),
        ("红色引擎", brand),
        ("机关第三党支部", brand),
        ("三驱联动工作法", brand),
        ("项目驱动", brand),
        ("八百余件", brand),
        ("周卫东", brand),
        ("钱明澈", exemplar),
        ("一级主任科员", exemplar),
        ("岳思远", pack),
        ("学习时报", pack),
    ];
    for (q, url) in cases {
        assert_eq!(built.found_urls(q), vec![url.to_string()], "query {q:?}");
    }
    // Fields are separate lines: no match across two of them, or into the body.
    assert!(built.found_urls("澎湃以党建").is_empty());
    assert!(built.found_urls("周卫东红色").is_empty());
    // And the index still equals a naive scan of the text the excerpts show.
    built.check_queries(
        &["擎旗", "钱明澈", "岳思远", "驱动", "清廉", "市一局"],
        true,
    );
}

#[test]
fn sample_site_index_is_exact_and_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    build(&repo(), &a, &[]);
    build(&repo(), &b, &[]);
    let files = search_files(&a);
    assert!(files == search_files(&b), "two builds differ");
    // Every substring of length 1–4 at a few places of every page.
    let built = Built::new(&files);
    let mut queries: Vec<String> = Vec::new();
    for (_, t) in &built.texts {
        let chars: Vec<char> = t.chars().filter(|c| !c.is_whitespace()).collect();
        for start in (0..chars.len()).step_by(97) {
            for len in 1..=4 {
                if start + len <= chars.len() {
                    queries.push(chars[start..start + len].iter().collect());
                }
            }
        }
    }
    let q: Vec<&str> = queries.iter().map(String::as_str).collect();
    built.check_queries(&q, false);
}

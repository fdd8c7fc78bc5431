//! A watch session updates its search index in place after edits of page bodies (see
//! `zhibu::search::live`): after every edit the output must be byte for byte what a clean
//! build of the same sources makes — shards, `meta.js`, `facets.js` and text parts alike.

mod common;

use common::{assert_same_tree, tree};
use std::path::PathBuf;
use zhibu::watch::Changes;
use zhibu::{BuildOptions, Session};

const WORDS: &[&str] = &[
    "学习",
    "贯彻",
    "党的",
    "二十大",
    "精神",
    "清廉",
    "文化",
    "建设",
    "家风",
    "家训",
    "基层",
    "治理",
    "服务",
    "群众",
    "品牌",
    "創新",
    "國家",
    "支部",
    "GDP",
    "data",
    "2026",
];

/// `n` sentences of words picked by a small deterministic generator seeded with `seed`.
fn sentences(seed: usize, n: usize) -> String {
    let mut state = seed as u64 * 2_654_435_761 + 1;
    let mut out = String::new();
    for s in 0..n {
        for _ in 0..6 {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            out.push_str(WORDS[(state >> 33) as usize % WORDS.len()]);
        }
        out.push_str(if s % 4 == 3 { "。\n\n" } else { "，" });
    }
    out
}

/// A site of `pages` news pages with generated bodies; `fold` sets
/// `search_fold_traditional`.
fn site(pages: usize, fold: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    let write = |rel: &str, text: &str| {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "zhibu.toml",
        &format!("title = \"索引测试\"\nsearch_fold_traditional = {fold}\n"),
    );
    write("content/_index.md", "+++\ntitle = \"首页\"\n+++\n");
    write(
        "content/news/_index.md",
        "+++\ntitle = \"工作动态\"\nkind = \"news\"\n+++\n",
    );
    for i in 0..pages {
        let text = format!(
            "+++\ntitle = \"第{i}篇动态\"\ndate = 2026-{:02}-{:02}\n+++\n## 小标题{i}\n\n{}",
            1 + i % 12,
            1 + i % 28,
            sentences(i, 8 + i % 13)
        );
        write(&format!("content/news/p{i}.md"), &text);
    }
    dir
}

/// What an edit does to a page's Markdown.
type Edit = fn(&str) -> String;

/// Rebuilds after `edits` of the pages named, then checks the output against a clean build.
fn edit_and_compare(
    session: &mut Session,
    opts: &BuildOptions,
    edits: &[(&str, Edit)],
    what: &str,
) {
    let root = &opts.root;
    let mut paths = Vec::new();
    for (page, edit) in edits {
        let rel = PathBuf::from(format!("content/news/{page}.md"));
        let text = std::fs::read_to_string(root.join(&rel)).unwrap();
        std::fs::write(root.join(&rel), edit(&text)).unwrap();
        paths.push(rel);
    }
    let changes = Changes {
        paths: paths.into_iter().collect(),
    };
    let report = session.rebuild(Some(&changes)).expect("the rebuild works");
    assert!(
        report.pages_published.is_some(),
        "{what}: a body edit takes the fast path"
    );
    let out = opts.output.clone().unwrap();
    let clean = out.with_file_name("clean");
    zhibu::build(&BuildOptions {
        output: Some(clean.clone()),
        ..opts.clone()
    })
    .expect("the clean build works");
    assert_same_tree(&tree(&out), &tree(&clean), what);
    std::fs::remove_dir_all(&clean).unwrap();
}

/// A paragraph with terms no other page has: a rare pair of characters and a Latin word.
const RARE: &str = "\n\n罕见的饕餮纹样与 zyxwvut 一词。\n";

fn add_rare(text: &str) -> String {
    format!("{text}{RARE}")
}

fn remove_rare(text: &str) -> String {
    text.replace(RARE, "")
}

/// Makes the body long enough for several text parts (of 1,200 characters).
fn lengthen(text: &str) -> String {
    format!("{text}\n\n{}", sentences(99, 120))
}

fn shorten(text: &str) -> String {
    text.replace(&format!("\n\n{}", sentences(99, 120)), "")
}

/// Changes the body near its start, so that every later position moves.
fn edit_start(text: &str) -> String {
    text.replacen("## 小标题", "## 新的小标题：清廉", 1)
}

/// Thousands of characters no other page has: enough new terms to change the number of
/// shards, so the index is built again rather than updated.
fn many_new_terms(text: &str) -> String {
    let rare: String = (0x4e00..0x4e00 + 3000).filter_map(char::from_u32).collect();
    format!("{text}\n\n{rare}\n")
}

fn edit_end(text: &str) -> String {
    format!("{text}\n\n追加的一段：國家品牌。\n")
}

#[test]
fn body_edits_update_the_index_as_a_clean_build_writes_it() {
    // With no bytes allowed before the pages are published, every update of the index is
    // made in the second step.
    for (fold, with_pages) in [
        (false, None),
        (true, None),
        (false, Some(0)),
        (true, Some(0)),
    ] {
        let dir = site(60, fold);
        let opts = BuildOptions {
            root: dir.path().join("site"),
            output: Some(dir.path().join("out")),
            base_url: None,
            drafts: false,
        };
        let mut session = Session::new(opts.clone());
        if let Some(bytes) = with_pages {
            session.set_index_with_pages(bytes);
        }
        session.rebuild(None).expect("the site builds");
        let steps: &[(&[(&str, Edit)], &str)] = &[
            (&[("p7", add_rare)], "a new rare term"),
            (&[("p7", edit_end)], "a paragraph appended"),
            (&[("p7", remove_rare)], "a term's only occurrence removed"),
            (&[("p12", lengthen)], "more text parts"),
            (&[("p12", edit_start)], "positions moved on a long page"),
            (&[("p12", shorten)], "fewer text parts"),
            (&[("p3", add_rare), ("p40", add_rare)], "two pages at once"),
            (
                &[("p3", remove_rare), ("p59", edit_start)],
                "two pages again",
            ),
            (&[("p40", remove_rare)], "the rare term gone again"),
            (&[("p20", many_new_terms)], "more shards"),
            (
                &[("p20", edit_end)],
                "an edit after the index was built again",
            ),
            (&[("p20", edit_start)], "another edit"),
        ];
        for (edits, what) in steps {
            let what = format!("{what} (fold {fold}, {with_pages:?} bytes with the pages)");
            edit_and_compare(&mut session, &opts, edits, &what);
        }
    }
}

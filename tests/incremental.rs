//! The invariant of `watch` and `serve`: after any sequence of edits, additions, deletions and
//! renames, the output of the incremental rebuilds is byte for byte the output of a clean build
//! of the same sources; a rebuild that fails leaves the last good output in place.

mod common;

use common::*;
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use zhibu::watch::Changes;
use zhibu::{BuildOptions, Session};

/// One thing an editor does to the site.
#[derive(Debug, Clone)]
enum Op {
    /// Appends a paragraph to the n-th page's body.
    EditBody(usize, String),
    /// Changes the n-th page's title (lists, neighbours and search see it).
    EditTitle(usize, String),
    /// Adds a page to the n-th section.
    AddPage(usize, String),
    /// Deletes the n-th page.
    DeletePage(usize),
    /// Renames the n-th page's file.
    RenamePage(usize, String),
    /// Saves the n-th page again without changing it.
    Touch(usize),
    /// Overrides the page template, or removes the override.
    ToggleTemplate,
    /// Changes the site title in zhibu.toml.
    EditConfig(String),
    /// Breaks the n-th page's front matter (the build must fail and keep the last good site).
    Break(usize),
    /// Adds a broken internal link to the n-th page's body (an error found after the model).
    BreakLink(usize),
    /// Repairs every broken page.
    Repair,
}

fn op() -> impl Strategy<Value = Op> {
    let word = "[甲乙丙丁学习清廉品牌]{1,4}";
    prop_oneof![
        4 => (0..50usize, word).prop_map(|(n, w)| Op::EditBody(n, w)),
        2 => (0..50usize, word).prop_map(|(n, w)| Op::EditTitle(n, w)),
        2 => (0..50usize, "[a-z]{3}").prop_map(|(n, w)| Op::AddPage(n, w)),
        1 => (0..50usize).prop_map(Op::DeletePage),
        1 => (0..50usize, "[a-z]{3}").prop_map(|(n, w)| Op::RenamePage(n, w)),
        1 => (0..50usize).prop_map(Op::Touch),
        1 => Just(Op::ToggleTemplate),
        1 => word.prop_map(Op::EditConfig),
        1 => (0..50usize).prop_map(Op::Break),
        1 => (0..50usize).prop_map(Op::BreakLink),
        1 => Just(Op::Repair),
    ]
}

/// A writable copy of the kinds fixture, rendered with the default theme.
fn working_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("kinds"), &dir.path().join("site"), &["templates"]);
    dir
}

/// Plain pages (not `_index.md`, not bundles, which own files) in a stable order.
fn pages(root: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(root.join("content"))
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "md")
                && p.file_name()
                    .is_some_and(|n| n != "_index.md" && n != "index.md")
        })
        .collect();
    out.sort();
    out
}

/// Section directories, in a stable order.
fn sections(root: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(root.join("content"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name() == "_index.md")
        .map(|e| e.path().parent().unwrap().to_path_buf())
        .collect();
    out.sort();
    out
}

/// Carries out `op` on the site; returns the paths it touched, relative to the root.
fn apply(root: &Path, op: &Op) -> Vec<PathBuf> {
    let rel = |p: &Path| p.strip_prefix(root).unwrap().to_path_buf();
    let pick = |n: usize| {
        let all = pages(root);
        (!all.is_empty()).then(|| all[n % all.len()].clone())
    };
    match op {
        Op::EditBody(n, w) => pick(*n).map_or(vec![], |p| {
            let mut text = std::fs::read_to_string(&p).unwrap();
            text.push_str(&format!("\n\n新增段落：{w}。\n"));
            std::fs::write(&p, text).unwrap();
            vec![rel(&p)]
        }),
        Op::EditTitle(n, w) => pick(*n).map_or(vec![], |p| {
            retitle(&p, w);
            vec![rel(&p)]
        }),
        Op::AddPage(n, w) => {
            let all = sections(root);
            let dir = &all[n % all.len()];
            // Pages in a pack need a category; elsewhere it would be an unknown field.
            let index = std::fs::read_to_string(dir.join("_index.md")).unwrap();
            let in_pack = index.contains("month") && index.contains("year");
            let in_brands = index.contains("kind = \"brands\"");
            let extra = if in_pack {
                "[extra]\ncategory = \"解读\"\n"
            } else if in_brands {
                "[extra]\nname = \"新品牌\"\nunit = \"新单位\"\nstars = 4\n"
            } else {
                ""
            };
            let p = dir.join(format!("new-{w}.md"));
            std::fs::write(
                &p,
                format!("+++\ntitle = \"新页{w}\"\ndate = 2026-10-20\n{extra}+++\n新页正文{w}。\n"),
            )
            .unwrap();
            vec![rel(&p)]
        }
        Op::DeletePage(n) => pick(*n).map_or(vec![], |p| {
            std::fs::remove_file(&p).unwrap();
            vec![rel(&p)]
        }),
        Op::RenamePage(n, w) => pick(*n).map_or(vec![], |p| {
            let to = p.with_file_name(format!("renamed-{w}.md"));
            if to.exists() {
                return vec![];
            }
            std::fs::rename(&p, &to).unwrap();
            vec![rel(&p), rel(&to)]
        }),
        Op::Touch(n) => pick(*n).map_or(vec![], |p| {
            let text = std::fs::read(&p).unwrap();
            std::fs::write(&p, text).unwrap();
            vec![rel(&p)]
        }),
        Op::ToggleTemplate => {
            let t = root.join("templates/page.html");
            if t.exists() {
                std::fs::remove_file(&t).unwrap();
            } else {
                std::fs::create_dir_all(t.parent().unwrap()).unwrap();
                std::fs::write(&t, "<!DOCTYPE html><title>{{ page.title }}</title><body>覆盖模板 {{ page.content | safe }}</body>").unwrap();
            }
            vec![rel(&t)]
        }
        Op::EditConfig(w) => {
            let c = root.join("zhibu.toml");
            retitle(&c, w);
            vec![rel(&c)]
        }
        Op::Break(n) => pick(*n).map_or(vec![], |p| {
            let text = std::fs::read_to_string(&p).unwrap();
            std::fs::write(&p, text.replacen("+++\n", "+++\nbroken_field = 1\n", 1)).unwrap();
            vec![rel(&p)]
        }),
        Op::BreakLink(n) => pick(*n).map_or(vec![], |p| {
            let mut text = std::fs::read_to_string(&p).unwrap();
            text.push_str(BROKEN_LINK);
            std::fs::write(&p, text).unwrap();
            vec![rel(&p)]
        }),
        Op::Repair => {
            let mut touched = vec![];
            for p in pages(root) {
                let text = std::fs::read_to_string(&p).unwrap();
                if text.contains("broken_field = 1\n") || text.contains(BROKEN_LINK) {
                    let fixed = text
                        .replace("broken_field = 1\n", "")
                        .replace(BROKEN_LINK, "");
                    std::fs::write(&p, fixed).unwrap();
                    touched.push(rel(&p));
                }
            }
            touched
        }
    }
}

/// A link to a page that does not exist.
const BROKEN_LINK: &str = "\n\n[坏链接](@/no/such/page.md)\n";

/// Runs `ops` through one session and checks the invariant after each.
fn check(ops: &[Op]) {
    let dir = working_site();
    let root = dir.path().join("site");
    let out = dir.path().join("out");
    let opts = BuildOptions {
        root: root.clone(),
        output: Some(out.clone()),
        base_url: None,
        drafts: false,
    };
    let mut session = Session::new(opts.clone());
    session.rebuild(None).expect("the fixture builds");
    let mut last_good = tree(&out);
    for (step, op) in ops.iter().enumerate() {
        let touched = apply(&root, op);
        let changes = Changes {
            paths: touched.into_iter().collect(),
        };
        let incremental = session.rebuild(Some(&changes));
        let clean_out = dir.path().join(format!("clean{step}"));
        let clean = zhibu::build(&BuildOptions {
            output: Some(clean_out.clone()),
            ..opts.clone()
        });
        match (incremental, clean) {
            (Ok(_), Ok(_)) => {
                let now = tree(&out);
                let expected = tree(&clean_out);
                assert_same_tree(&now, &expected, &format!("step {step} {op:?}"));
                last_good = now;
            }
            (Err(a), Err(b)) => {
                assert_eq!(a.to_string(), b.to_string(), "step {step} {op:?}");
                assert!(
                    tree(&out) == last_good,
                    "step {step} {op:?}: a failed rebuild changed the output"
                );
            }
            (a, b) => panic!(
                "step {step} {op:?}: incremental {:?} but clean {:?}",
                a.map(|_| ()),
                b.map(|_| ())
            ),
        }
        let _ = std::fs::remove_dir_all(&clean_out);
    }
}

#[test]
fn every_kind_of_edit_once() {
    check(&[
        Op::EditBody(0, "甲".into()),
        Op::EditTitle(1, "乙".into()),
        Op::AddPage(0, "abc".into()),
        Op::AddPage(3, "xyz".into()),
        Op::RenamePage(2, "qrs".into()),
        Op::DeletePage(4),
        Op::Touch(5),
        Op::ToggleTemplate,
        Op::EditBody(6, "丙".into()),
        Op::ToggleTemplate,
        Op::Break(7),
        Op::EditBody(8, "丁".into()),
        Op::Repair,
        Op::BreakLink(3),
        Op::EditBody(3, "甲".into()),
        Op::Repair,
        Op::EditBody(3, "乙".into()),
        Op::EditConfig("新站名".into()),
        Op::EditTitle(9, "清廉".into()),
    ]);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, max_shrink_iters: 20, ..ProptestConfig::default() })]

    #[test]
    fn random_edit_sequences_match_a_clean_build(ops in prop::collection::vec(op(), 1..7)) {
        check(&ops);
    }
}

#[test]
fn a_rebuild_renders_only_what_changed() {
    let dir = working_site();
    let root = dir.path().join("site");
    let opts = BuildOptions {
        root: root.clone(),
        output: Some(dir.path().join("out")),
        base_url: None,
        drafts: false,
    };
    let mut session = Session::new(opts);
    let first = session.rebuild(None).unwrap();
    assert_eq!(first.rendered, first.pages);

    let nothing = session.rebuild(Some(&Changes::default())).unwrap();
    assert_eq!(
        (nothing.rendered, nothing.changed_files),
        (0, 0),
        "a no-op rebuild"
    );

    let page = root.join("content/news/n1.md");
    let text = std::fs::read_to_string(&page).unwrap() + "\n新增的一段。\n";
    std::fs::write(&page, text).unwrap();
    let changes = Changes {
        paths: [PathBuf::from("content/news/n1.md")].into_iter().collect(),
    };
    let edit = session.rebuild(Some(&changes)).unwrap();
    assert_eq!(edit.rendered, 1, "only the edited page is rendered again");
    assert!(
        edit.pages_published.is_some(),
        "a body edit takes the fast path: pages first, then the search index"
    );
    assert!(edit.changed_files >= 1);

    let t = root.join("templates/brand.html");
    std::fs::create_dir_all(t.parent().unwrap()).unwrap();
    std::fs::write(&t, "<p>{{ page.title }}</p>").unwrap();
    let changes = Changes {
        paths: [PathBuf::from("templates/brand.html")]
            .into_iter()
            .collect(),
    };
    let template = session.rebuild(Some(&changes)).unwrap();
    let brands = std::fs::read_dir(root.join("content/brands"))
        .unwrap()
        .count()
        - 1;
    assert_eq!(
        template.rendered, brands,
        "a brand template change renders brand pages only"
    );

    // Components are global in Tera 2: a site's own copy of the file defining them is used
    // by every template, so every page is rendered again, and shows the change.
    let components_file = root.join("templates/components.html");
    let theme_components = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates/components.html"),
    )
    .unwrap();
    std::fs::write(
        &components_file,
        theme_components.replace("当前位置：", "您的位置："),
    )
    .unwrap();
    let changes = Changes {
        paths: [PathBuf::from("templates/components.html")]
            .into_iter()
            .collect(),
    };
    let components = session.rebuild(Some(&changes)).unwrap();
    assert_eq!(
        components.rendered, components.pages,
        "a change to the components renders every page"
    );
    let news = std::fs::read_to_string(dir.path().join("out/news/n1/index.html")).unwrap();
    assert!(news.contains("您的位置："), "{news}");
}

/// Sets the `title` line of a TOML (`title = "…"`) or YAML (`title: …`) file to `w`.
fn retitle(path: &Path, w: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    let changed: Vec<String> = text
        .lines()
        .map(|l| {
            if l.starts_with("title = ") {
                format!("title = \"{w}\"")
            } else if l.starts_with("title: ") {
                format!("title: {w}")
            } else {
                l.to_string()
            }
        })
        .collect();
    std::fs::write(path, changed.join("\n") + "\n").unwrap();
}

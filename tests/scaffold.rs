//! `zhibu init` and `zhibu new`, run as the binary; what they make is then built for real.

mod common;

use common::{build, copy_tree, read, repo, run, site};
use std::path::Path;
use std::process::Command;

/// `zhibu new --root ROOT args...`, which must succeed; returns its stdout.
fn new(root: &Path, args: &[&str]) -> String {
    let (ok, out, err) = run(&[&["new", "--root", root.to_str().unwrap()], args].concat());
    assert!(ok, "zhibu new {args:?} failed:\n{err}");
    out
}

/// `zhibu new` that must fail; returns its stderr.
fn new_fails(root: &Path, args: &[&str]) -> String {
    let (ok, out, err) = run(&[&["new", "--root", root.to_str().unwrap()], args].concat());
    assert!(!ok, "zhibu new {args:?} should fail:\n{out}");
    err
}

/// This month in Beijing time as `YYYY-MM`, from the system's `date`.
fn this_month() -> String {
    let out = Command::new("date")
        .args(["-u", "-d", "+8 hours", "+%Y-%m"])
        .output()
        .expect("date");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// A copy of the repository's sample site (packs 2025-12, 2026-10 and 2026-11 = 第11期).
fn sample_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&repo().join("content"), &dir.path().join("content"), &[]);
    std::fs::copy(repo().join("zhibu.toml"), dir.path().join("zhibu.toml")).unwrap();
    dir
}

fn md_files(dir: &Path) -> Vec<std::path::PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| e.path().to_path_buf())
        .collect()
}

#[test]
fn init_makes_a_site_that_builds_and_checks_clean() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("新 站点");
    let (ok, out, err) = run(&["init", dir.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(
        out.contains("接下来") && out.contains("zhibu serve --root"),
        "{out}"
    );

    let config = read(&dir, "zhibu.toml");
    assert!(config.contains("theme = \"default\""));
    assert!(!dir.join("themes").exists() && !dir.join("templates").exists());
    // Every example text says it is one.
    let pages = md_files(&dir.join("content"));
    assert!(pages.len() >= 10);
    for p in &pages {
        let text = std::fs::read_to_string(p).unwrap();
        assert!(text.contains("【示例】"), "{} is not marked", p.display());
        for token in ["@YEAR@", "@MONTH@", "@MM@", "@DATE@"] {
            assert!(!text.contains(token), "{} has {token}", p.display());
        }
    }
    let month = this_month();
    let pack = std::fs::read_to_string(dir.join(format!("content/xuexi/{month}/_index.md")))
        .expect("the example pack is this month's");
    let (y, m) = month.split_once('-').unwrap();
    assert!(pack.contains(&format!(
        "year = {y}\nmonth = {}\n",
        m.trim_start_matches('0')
    )));

    let out = tmp.path().join("public");
    let run_build = build(&dir, &out, &[]);
    assert!(!run_build.stderr.contains("警告"), "{}", run_build.stderr);
    for page in [
        "index.html".to_string(),
        format!("xuexi/{month}/index.html"),
        format!("xuexi/{month}/a05-sikaoti/index.html"),
        "qinglian/jiafeng-jiaxun/index.html".into(),
        "pinpai/shili-pinpai/index.html".into(),
        "dongtai/shili-dongtai/index.html".into(),
        "about/index.html".into(),
    ] {
        assert!(read(&out, &page).contains("【示例】"), "{page}");
    }
    // `check` passes, but points at every page still holding example text.
    let (ok, out, err) = run(&["check", "--root", dir.to_str().unwrap()]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("0 个错误"), "{out}");
    for p in &pages {
        let rel = p
            .strip_prefix(&dir)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        assert!(
            out.lines()
                .any(|l| l.starts_with(&format!("{rel}:")) && l.contains("[example-text]")),
            "{rel} not reported:\n{out}"
        );
    }
    assert!(
        !out.contains("[placeholder]") && !out.contains("错误["),
        "{out}"
    );
}

#[test]
fn init_refuses_a_non_empty_directory() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("笔记.txt"), "mine").unwrap();
    let (ok, _, err) = run(&["init", tmp.path().to_str().unwrap()]);
    assert!(
        !ok && err.contains("不是空的") && err.contains("--force"),
        "{err}"
    );
    assert!(!tmp.path().join("zhibu.toml").exists());

    // Hidden entries such as a fresh git repository do not count.
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join(".git")).unwrap();
    assert!(run(&["init", tmp.path().to_str().unwrap()]).0);
    assert!(tmp.path().join("zhibu.toml").is_file());
}

#[test]
fn init_force_adds_files_and_keeps_existing_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("zhibu.toml"), "title = \"我们的站\"\n").unwrap();
    std::fs::write(dir.join("笔记.txt"), "mine").unwrap();
    std::fs::create_dir_all(dir.join("content")).unwrap();
    std::fs::write(
        dir.join("content/about.md"),
        "+++\ntitle = \"关于\"\n+++\n我们写的。\n",
    )
    .unwrap();

    let (ok, out, err) = run(&["init", "--force", dir.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(err.contains("保留原文件：zhibu.toml"), "{err}");
    assert!(err.contains("保留原文件：content/about.md"), "{err}");
    assert!(out.contains("写入 15 个文件"), "{out}");
    assert_eq!(read(dir, "zhibu.toml"), "title = \"我们的站\"\n");
    assert_eq!(read(dir, "笔记.txt"), "mine");
    assert!(read(dir, "content/about.md").contains("我们写的"));
    assert!(dir.join("content/pinpai/shili-pinpai/index.md").is_file());
    build(dir, &dir.join("public"), &[]);
}

#[test]
fn new_pack_numbers_the_next_month_within_and_across_years() {
    let dir = sample_copy();
    let root = dir.path();
    let out = new(root, &["pack"]);
    assert!(out.contains("content/xuexi/2026-12/_index.md"), "{out}");
    let index = read(root, "content/xuexi/2026-12/_index.md");
    assert!(
        index.contains("title = \"理论学习汇编 2026年第12期\""),
        "{index}"
    );
    assert!(
        index.contains("year = 2026\nmonth = 12\nissue = 12\n"),
        "{index}"
    );
    assert!(index.contains("kind = \"pack\"") && index.contains("draft = true"));

    // One stub per configured category, in order, all drafts.
    let categories = ["原文", "解读", "辅导材料", "案例", "思考题"];
    for (i, c) in categories.iter().enumerate() {
        let file = root.join(format!("content/xuexi/2026-12/a{:02}-{c}.md", i + 1));
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.contains(&format!("category = \"{c}\"")), "{text}");
        assert!(text.contains(&format!("weight = {}\n", i + 1)) && text.contains("draft = true"));
    }

    // Not published by a normal build; built and shown with --drafts.
    let tmp = tempfile::tempdir().unwrap();
    let public = tmp.path().join("public");
    build(root, &public, &[]);
    assert!(!public.join("xuexi/2026-12").exists());
    build(root, &public, &["--drafts"]);
    let html = read(&public, "xuexi/2026-12/index.html");
    assert!(html.contains("2026年第12期"), "{html}");
    assert!(public.join("xuexi/2026-12/a05-思考题/index.html").is_file());
    assert!(read(&public, "xuexi/index.html").contains("2026年第12期"));

    // The month after December is January of the next year, 第1期.
    new(root, &["pack"]);
    let index = read(root, "content/xuexi/2027-01/_index.md");
    assert!(
        index.contains("year = 2027\nmonth = 1\nissue = 1\n"),
        "{index}"
    );
    build(root, &public, &["--drafts"]);
}

#[test]
fn new_pack_counts_unwritten_issue_numbers_and_takes_a_given_month() {
    let pack = |y: u32, m: u32| {
        format!("+++\ntitle = \"汇编\"\n\n[extra]\nyear = {y}\nmonth = {m}\n+++\n")
    };
    let dir = site(&[
        (
            "zhibu.toml",
            "title = \"t\"\npack_categories = [\"原文\", \"思考题\"]\n",
        ),
        (
            "content/xuexi/_index.md",
            "+++\ntitle = \"学习\"\nkind = \"packs\"\n+++\n",
        ),
        ("content/xuexi/2026-03/_index.md", &pack(2026, 3)),
        ("content/xuexi/2026-05/_index.md", &pack(2026, 5)),
    ]);
    let root = dir.path();
    new(root, &["pack"]);
    let index = read(root, "content/xuexi/2026-06/_index.md");
    assert!(index.contains("issue = 3\n"), "{index}");
    assert!(root.join("content/xuexi/2026-06/a02-思考题.md").is_file());
    assert!(!root.join("content/xuexi/2026-06/a03-思考题.md").exists());

    new(root, &["pack", "--year", "2025", "--month", "9"]);
    let index = read(root, "content/xuexi/2025-09/_index.md");
    assert!(
        index.contains("year = 2025\nmonth = 9\nissue = 1\n"),
        "{index}"
    );

    // An existing folder is never touched.
    let before = read(root, "content/xuexi/2026-05/_index.md");
    let err = new_fails(root, &["pack", "--year", "2026", "--month", "5"]);
    assert!(err.contains("已经存在"), "{err}");
    let after = read(root, "content/xuexi/2026-05/_index.md");
    assert_eq!(before, after);
    assert!(!root.join("content/xuexi/2026-05/a01-原文.md").exists());

    let err = new_fails(root, &["pack", "--month", "13"]);
    assert!(err.contains("13"), "{err}");
    let tmp = tempfile::tempdir().unwrap();
    build(root, &tmp.path().join("p"), &["--drafts"]);
}

#[test]
fn new_pack_without_packs_is_this_month_and_needs_a_packs_section() {
    let dir = site(&[
        ("zhibu.toml", "title = \"t\"\n"),
        (
            "content/xuexi/_index.md",
            "+++\ntitle = \"学习\"\nkind = \"packs\"\n+++\n",
        ),
    ]);
    new(dir.path(), &["pack"]);
    assert!(dir
        .path()
        .join(format!("content/xuexi/{}/_index.md", this_month()))
        .is_file());

    let none = site(&[
        ("zhibu.toml", "title = \"t\"\n"),
        ("content/a.md", "+++\ntitle = \"a\"\n+++\n"),
    ]);
    let err = new_fails(none.path(), &["pack"]);
    assert!(err.contains("kind = \"packs\""), "{err}");

    let packs = "+++\ntitle = \"学习\"\nkind = \"packs\"\n+++\n";
    let two = site(&[
        ("zhibu.toml", "title = \"t\"\n"),
        ("content/xuexi/_index.md", packs),
        ("content/dangke/_index.md", packs),
    ]);
    let err = new_fails(two.path(), &["pack"]);
    assert!(
        err.contains("--section") && err.contains("xuexi") && err.contains("dangke"),
        "{err}"
    );
    new(two.path(), &["pack", "--section", "dangke"]);
    assert!(two
        .path()
        .join(format!("content/dangke/{}/_index.md", this_month()))
        .is_file());
}

#[test]
fn new_article_fits_the_section_kind() {
    let dir = sample_copy();
    let root = dir.path();
    new(root, &["article", "qinglian", "廉洁 家风故事"]);
    let column = read(root, "content/qinglian/廉洁-家风故事.md");
    assert!(column.contains("title = \"廉洁 家风故事\"") && column.contains("form = \"text\""));

    new(
        root,
        &["article", "xuexi/2026-11", "延伸阅读", "--category", "案例"],
    );
    let text = read(root, "content/xuexi/2026-11/a06-延伸阅读.md");
    assert!(
        text.contains("category = \"案例\"") && text.contains("weight = 6\n"),
        "{text}"
    );
    new(root, &["article", "content/xuexi/2026-11/", "默认分类"]);
    let text = read(root, "content/xuexi/2026-11/a07-默认分类.md");
    assert!(text.contains("category = \"原文\""), "{text}");

    new(root, &["article", "dongtai", "他说“要\"实干\"”"]);
    let news = read(root, "content/dongtai/他说-要-实干.md");
    assert!(
        news.contains("draft = true") && !news.contains("[extra]"),
        "{news}"
    );

    let tmp = tempfile::tempdir().unwrap();
    let public = tmp.path().join("public");
    build(root, &public, &["--drafts"]);
    assert!(read(&public, "dongtai/他说-要-实干/index.html").contains("他说“要&quot;实干&quot;”"));
    assert!(public
        .join("xuexi/2026-11/a06-延伸阅读/index.html")
        .is_file());
    build(root, &public, &[]);
    assert!(!public.join("qinglian/廉洁-家风故事").exists());

    let err = new_fails(
        root,
        &["article", "xuexi/2026-11", "x", "--category", "体会"],
    );
    assert!(err.contains("体会") && err.contains("原文、解读"), "{err}");
    let err = new_fails(root, &["article", "xuexi", "x"]);
    assert!(err.contains("zhibu new pack"), "{err}");
    let err = new_fails(root, &["article", "meiyou", "x"]);
    assert!(
        err.contains("没有栏目 `meiyou`") && err.contains("qinglian"),
        "{err}"
    );
    let err = new_fails(root, &["article", "dongtai", "x", "--category", "原文"]);
    assert!(err.contains("--category"), "{err}");
    let err = new_fails(root, &["article", "dongtai", "——"]);
    assert!(err.contains("--slug"), "{err}");

    // Never over an existing page, nor beside one with the same address.
    let before = read(root, "content/dongtai/zhiyuan-fuwu-zhulao.md");
    let err = new_fails(
        root,
        &["article", "dongtai", "x", "--slug", "zhiyuan-fuwu-zhulao"],
    );
    assert!(err.contains("已经存在"), "{err}");
    assert_eq!(before, read(root, "content/dongtai/zhiyuan-fuwu-zhulao.md"));
    let err = new_fails(
        root,
        &["article", "qinglian", "x", "--slug", "shufa-zuopin"],
    );
    assert!(err.contains("已经存在"), "{err}");
}

#[test]
fn new_article_uses_the_site_slug_style() {
    let dir = site(&[
        ("zhibu.toml", "title = \"t\"\nslug_style = \"pinyin\"\n"),
        (
            "content/dongtai/_index.md",
            "+++\ntitle = \"动态\"\nkind = \"news\"\n+++\n",
        ),
    ]);
    new(dir.path(), &["article", "dongtai", "党建活动"]);
    assert!(dir
        .path()
        .join("content/dongtai/dang-jian-huo-dong.md")
        .is_file());
}

#[test]
fn new_brand_is_a_draft_with_required_fields() {
    let dir = sample_copy();
    let root = dir.path();
    let out = new(root, &["brand", "红色 引擎"]);
    assert!(out.contains("content/pinpai/红色-引擎/index.md"), "{out}");
    let text = read(root, "content/pinpai/红色-引擎/index.md");
    for want in [
        "name = \"红色 引擎\"",
        "unit = ",
        "stars = 3",
        "draft = true",
    ] {
        assert!(text.contains(want), "{want}: {text}");
    }
    let tmp = tempfile::tempdir().unwrap();
    let public = tmp.path().join("public");
    build(root, &public, &[]);
    assert!(!public.join("pinpai/红色-引擎").exists());
    build(root, &public, &["--drafts"]);
    assert!(read(&public, "pinpai/红色-引擎/index.html").contains("红色 引擎"));

    let err = new_fails(root, &["brand", "码上为民", "--slug", "mashang-weimin"]);
    assert!(err.contains("已经存在"), "{err}");
    let none = site(&[("zhibu.toml", "title = \"t\"\n")]);
    let err = new_fails(none.path(), &["brand", "x"]);
    assert!(err.contains("kind = \"brands\""), "{err}");
}

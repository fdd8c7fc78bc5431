//! Content kinds end to end: study packs, columns, brand showcases, review state.

mod common;

use common::*;

fn kinds() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    build(&fixture("kinds"), &out, &[]);
    (dir, out)
}

#[test]
fn schema_errors_are_located_and_in_chinese() {
    let err = build_fails(&fixture("kinds-errors"));
    let expected = [
        "content/brands/history.md:8:5: 错误: 党建品牌页面 [extra]：2024 年的星级应为 3 到 5，现为 6",
        "content/brands/noname.md:3:1: 错误: 党建品牌页面 [extra]：缺少必填字段 `name`",
        "content/brands/nounit.md:3:1: 错误: 党建品牌页面 [extra]：缺少必填字段 `unit`",
        "content/brands/stars.md:6:1: 错误: 党建品牌页面 [extra]：星级 stars 应为 3 到 5，现为 7",
        "content/brands/typo.md:6:1: 错误: 党建品牌页面 [extra]：未知字段 `stras`，是否想写 `stars`？",
        "content/brands/yaml.md:6:3: 错误: 党建品牌页面 [extra]：星级 stars 应为 3 到 5，现为 2",
        "content/lian/f.md:4:8: 错误: 专栏文章 [extra]：字段 `form` 的取值 `poem` 无效，可选：`text`、`gallery`、`video`、`exemplar`",
        "content/lian/g.md:4:1: 错误: 专栏文章 [extra]：书画作品（form = \"gallery\"）需要 works = [{ image = \"…\", caption = \"…\" }]",
        "content/lian/v.md:5:10: 错误: 文件 `clip.mp4` 不存在（路径相对于 content/lian/）",
        "content/xuexi/2026-10/_index.md:6:1: 错误: 学习汇编 [extra]：期号重复：2026年第10期 已由 content/xuexi/2026-09/_index.md 使用，同一年的期号不能相同",
        "content/xuexi/2026-11/_index.md:5:1: 错误: 学习汇编 [extra]：月份 month 应为 1 到 12，现为 13",
        "content/xuexi/2026-11/a.md:4:1: 错误: 学习汇编文章 [extra]：分类 category = \"心得体会\" 不在 zhibu.toml 的 pack_categories 中（可选：原文、解读、辅导材料、案例、思考题）",
        "content/xuexi/2026-11/b.md:1:1: 错误: 学习汇编文章缺少 [extra]：至少需要 category（分类）",
        "content/xuexi/2026-11/c.md:5:26: 错误: 文件 `原文.pdf` 不存在（路径相对于 content/xuexi/2026-11/）",
        "构建失败：共 14 个错误，输出目录未作改动",
    ];
    assert_eq!(
        err.lines().collect::<Vec<_>>(),
        expected,
        "stderr was:\n{err}"
    );
}

#[test]
fn valid_kinds_need_no_errors_and_pending_pages_stay_out() {
    let (_d, out) = kinds();
    assert!(
        !out.join("xuexi/2026-11/d").exists(),
        "a page without final review was published"
    );
    let dir = tempfile::tempdir().unwrap();
    let drafts = dir.path().join("d");
    build(&fixture("kinds"), &drafts, &["--drafts"]);
    let d = read(&drafts, "xuexi/2026-11/d/index.html");
    assert!(
        d.contains("pending=true") && d.contains(r#""drafter":"甲""#),
        "{d}"
    );
}

#[test]
fn snapshot_pack_and_archive() {
    let (_d, out) = kinds();
    insta::assert_snapshot!(read(&out, "xuexi/index.html"));
    insta::assert_snapshot!(read(&out, "xuexi/2026-11/index.html"));
    insta::assert_snapshot!(read(&out, "xuexi/2026-11/a/index.html"));
    insta::assert_snapshot!(read(&out, "xuexi/2026-11/b/index.html"));
}

#[test]
fn snapshot_pack_print_view_rebases_links() {
    let (_d, out) = kinds();
    insta::assert_snapshot!(read(&out, "xuexi/2026-11/print/index.html"));
}

#[test]
fn snapshot_column_and_forms() {
    let (_d, out) = kinds();
    insta::assert_snapshot!(read(&out, "lian/index.html"));
    insta::assert_snapshot!(read(&out, "lian/hua/index.html"));
    insta::assert_snapshot!(read(&out, "lian/shipin/index.html"));
    insta::assert_snapshot!(read(&out, "lian/bangyang/index.html"));
}

#[test]
fn snapshot_brands_with_filter_pages() {
    let (_d, out) = kinds();
    insta::assert_snapshot!(read(&out, "brands/index.html"));
    insta::assert_snapshot!(read(&out, "brands/stars/4/index.html"));
    insta::assert_snapshot!(read(&out, "brands/unit/市一局/index.html"));
    insta::assert_snapshot!(read(&out, "brands/a/index.html"));
    assert!(
        !out.join("brands/stars/3").exists(),
        "no page for an empty star level"
    );
}

#[test]
fn snapshot_home_blocks() {
    let (_d, out) = kinds();
    insta::assert_snapshot!(read(&out, "index.html"));
}

#[test]
fn relative_files_beside_a_plain_page_resolve() {
    // img.svg sits beside a.md in content/, but a.md becomes a/index.html one level deeper.
    let (_d, out) = kinds();
    let page = read(&out, "xuexi/2026-11/a/index.html");
    assert!(
        page.contains(r#"<img src="../../../xuexi/2026-11/img.svg""#),
        "{page}"
    );
    assert!(out.join("xuexi/2026-11/img.svg").is_file());
}

/// Copies a fixture site without its own templates, so the default theme renders it.
fn with_default_theme(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture(name), dir.path(), &["templates"]);
    dir
}

#[test]
fn default_theme_renders_every_kind_of_the_fixture() {
    // The fixture has brands without logos, packs without covers, a column without paging…:
    // every default template must cope with what the schema allows to be missing.
    let site_dir = with_default_theme("kinds");
    let out = site_dir.path().join("public");
    build(site_dir.path(), &out, &["--drafts"]);
    let pack = read(&out, "xuexi/2026-11/index.html");
    assert!(
        pack.contains("2026年第2期"),
        "cover line, numbered by month"
    );
    let article = read(&out, "xuexi/2026-11/a/index.html");
    assert!(article.contains(r#"aria-label="当前位置""#), "breadcrumb");
    let pending = read(&out, "xuexi/2026-11/d/index.html");
    assert!(
        pending.contains("待审稿"),
        "review banner on a pending page"
    );
    let brand = read(&out, "brands/a/index.html");
    assert!(brand.contains("★"), "stars on the brand page");
    assert!(out.join("brands/stars/4/index.html").is_file());
}

#[test]
fn a_column_paginates_with_thumbnails_on_every_list_page() {
    let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="4" height="3"/>"#;
    let mut files = vec![
        ("zhibu.toml", "title = \"站\"\npaginate_by = 2".to_string()),
        (
            "content/lian/_index.md",
            "+++\ntitle = \"清廉文化\"\nkind = \"column\"\n+++\n导语".to_string(),
        ),
        ("content/lian/t.svg", svg.to_string()),
    ];
    for i in 1..=5 {
        files.push((
            Box::leak(format!("content/lian/a{i}.md").into_boxed_str()),
            format!(
                "+++\ntitle = \"文章{i}\"\ndate = 2026-11-0{i}\n[extra]\nthumbnail = \"t.svg\"\n+++\n正文{i}"
            ),
        ));
    }
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let dir = site(&files);
    let out = dir.path().join("public");
    build(dir.path(), &out, &[]);
    let first = read(&out, "lian/index.html");
    let third = read(&out, "lian/page/3/index.html");
    assert!(first.contains("文章5") && first.contains("文章4") && !first.contains("文章3"));
    assert!(third.contains("文章1") && !third.contains("文章2"));
    // Thumbnails resolve from the deeper list page too.
    assert!(third.contains(r#"src="../../../lian/t.svg""#), "{third}");
    assert!(
        first.contains(r#"href="../lian/page/2/index.html""#),
        "pager link: {first}"
    );
}

//! `zhibu build` end to end: the real binary on fixture sites and on the sample site.

mod common;

use common::*;
use std::path::Path;

#[test]
fn sample_site_builds_with_every_kind_of_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&repo(), &out, &[]);
    for f in [
        "index.html",
        "404.html",
        "atom.xml",
        "sitemap.xml",
        "robots.txt",
        "css/syntax.css",
        "css/zhibu.css",
        "xuexi/2026-11/index.html",
        "xuexi/2026-11/a01-yuanwen/index.html",
        "qinglian/shufa-zuopin/zuopin-01.svg",
        "tags/index.html",
        "about/index.html",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    // The draft news item stays out of a normal build.
    assert!(!out.join("dongtai/shuzhi-pingyi-tongzhi").exists());
}

/// Every href/src in every HTML file below `out` names an existing file, relative to its page,
/// with an explicit `index.html` — what file:// and subpath deployments need. Returns the count.
fn assert_links_resolve(out: &Path) -> usize {
    let mut checked = 0;
    for (rel, bytes) in tree(out) {
        if !rel.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8(bytes).unwrap();
        let base = out.join(&rel);
        let base = base.parent().unwrap();
        for link in links(&html) {
            if link.starts_with('#')
                || link.contains("://")
                || link.starts_with("mailto:")
                || link.starts_with("data:")
            {
                continue;
            }
            assert!(!link.starts_with('/'), "{rel}: absolute link {link}");
            assert!(!link.contains(':'), "{rel}: unresolved link {link}");
            let path = link.split('#').next().unwrap();
            assert!(
                !path.ends_with('/') && !path.is_empty(),
                "{rel}: directory link {link} fails from file://"
            );
            assert!(base.join(path).is_file(), "{rel}: broken link {link}");
            checked += 1;
        }
    }
    checked
}

#[test]
fn every_link_in_the_sample_site_resolves_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&repo(), &out, &[]);
    let checked = assert_links_resolve(&out);
    assert!(checked > 200, "only {checked} links checked");
}

#[test]
fn summaries_link_correctly_from_every_list_page() {
    // A summary is shown on list pages at other depths than its page (home, sections, terms).
    let (_d, out) = basic();
    assert_links_resolve(&out);
    let list = read(&out, "study/index.html");
    assert!(
        list.contains(r#"<img src="../study/bundle/photo.svg""#),
        "{list}"
    );
    assert!(
        list.contains(r#"href="../study/2026-11/a1/index.html#xuexi""#),
        "{list}"
    );
    assert!(
        list.contains(r#"href="../study/bundle/index.html#more-part""#),
        "{list}"
    );
    let term = read(&out, "tags/学习/index.html");
    assert!(
        term.contains(r#"<img src="../../study/bundle/photo.svg""#),
        "{term}"
    );
    let feed = read(&out, "atom.xml");
    assert!(
        feed.contains("src=&quot;study/bundle/photo.svg&quot;"),
        "{feed}"
    );
}

#[test]
fn builds_are_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    build(&repo(), &a, &[]);
    build(&repo(), &b, &[]);
    let (ta, tb) = (tree(&a), tree(&b));
    assert_eq!(ta.keys().collect::<Vec<_>>(), tb.keys().collect::<Vec<_>>());
    for (k, v) in &ta {
        assert!(v == &tb[k], "{k} differs between two builds");
    }
}

#[test]
fn errors_are_all_reported_with_place_and_output_is_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("index.html"), "上一次的站点").unwrap();
    let run = build_into(&fixture("errors"), &out);
    assert!(!run.ok);
    let expected = [
        "content/bare.md:1:1: 错误: 页面缺少 front matter：文件应以 +++ 开头，至少写 title = \"标题\"，再以 +++ 结束",
        "content/links.md:6:1: 错误: 内部链接 `@/nope.md` 指向的文件 content/nope.md 不存在（或是未发布的草稿）",
        "content/links.md:6:19: 错误: 锚点 #missing 在 content/typo2.md 中不存在（现有标题锚点：#有的标题）",
        "content/mistyped.md:3:10: 错误: 字段 `weight` 的值类型不对（写的是字符串 \"三\"，应为整数）",
        "content/tax.md:4:1: 错误: 分类法 `categories` 没有在 zhibu.toml 的 taxonomies 中定义（已定义：tags）",
        "content/typo.md:3:1: 错误: 未知字段 `draf`，是否想写 `draft`？",
        "content/unclosed.md:1:1: 错误: front matter 没有结束标记：请在字段之后单独一行写 +++",
        "content/yaml.md:3:1: 错误: 未知字段 `descripton`，是否想写 `description`？",
        "构建失败：共 8 个错误，输出目录未作改动",
    ];
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines, expected, "stderr was:\n{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(out.join("index.html")).unwrap(),
        "上一次的站点"
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no staging directory left behind"
    );
}

#[test]
fn config_typo_names_key_line_and_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("zhibu.toml"),
        "title = \"x\"\nhighlight_them = \"a\"\n",
    )
    .unwrap();
    let run = zhibu(&["build", "--root", dir.path().to_str().unwrap()]);
    assert!(!run.ok);
    assert!(
        run.stderr.contains(
            "zhibu.toml:2:1: 错误: 未知字段 `highlight_them`，是否想写 `highlight_theme`？"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn minimal_site_uses_the_embedded_theme() {
    // Only zhibu.toml with a title and content: no themes/ directory at all.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    build(&fixture("minimal"), &out, &[]);
    assert!(read(&out, "only/index.html").contains("唯一页面"));
    assert!(out.join("css/zhibu.css").is_file());
    assert!(read(&out, "tags/a/index.html").contains("唯一页面"));
}

#[test]
fn drafts_only_with_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let (plain, drafts) = (dir.path().join("p"), dir.path().join("d"));
    build(&fixture("basic"), &plain, &[]);
    build(&fixture("basic"), &drafts, &["--drafts"]);
    assert!(!plain.join("news/draft/index.html").exists());
    assert!(read(&drafts, "news/draft/index.html").contains("draft=true"));
}

#[test]
fn base_url_makes_feed_and_sitemap_absolute_but_pages_stay_relative() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    build(
        &fixture("basic"),
        &out,
        &["--base-url", "http://intranet.local/dangjian/"],
    );
    let feed = read(&out, "atom.xml");
    assert!(
        feed.contains("<id>http://intranet.local/dangjian/study/2026-11/a2/</id>"),
        "{feed}"
    );
    let sitemap = read(&out, "sitemap.xml");
    assert!(
        sitemap.contains("<loc>http://intranet.local/dangjian/tags/%E5%8A%A8%E6%80%81/</loc>"),
        "{sitemap}"
    );
    assert!(
        read(&out, "robots.txt").contains("Sitemap: http://intranet.local/dangjian/sitemap.xml")
    );
    let page = read(&out, "study/2026-11/a2/index.html");
    assert!(page.contains("href=\"../../../study/2026-11/a1/index.html#xuexi\""));
    assert!(page.contains("permalink=http://intranet.local/dangjian/study/2026-11/a2/"));
}

#[test]
fn refuses_to_replace_a_directory_that_is_not_a_site() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("文档");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::write(docs.join("报告.docx"), "重要").unwrap();
    let run = build_into(&fixture("basic"), &docs);
    assert!(!run.ok);
    assert!(
        run.stderr.contains("不像 zhibu 生成的站点"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(docs.join("报告.docx")).unwrap(),
        "重要"
    );
}

#[test]
fn duplicate_urls_name_both_files() {
    let dir = site(&[
        ("zhibu.toml", "title = \"x\""),
        (
            "content/a/one.md",
            "+++\ntitle = \"一\"\nslug = \"same\"\n+++\n",
        ),
        (
            "content/a/two.md",
            "+++\ntitle = \"二\"\nslug = \"same\"\n+++\n",
        ),
    ]);
    let err = build_fails(dir.path());
    assert!(
        err.contains("content/a/one.md")
            && err.contains("content/a/two.md")
            && err.contains("a/same/index.html"),
        "{err}"
    );
}

#[test]
fn slug_escaping_the_output_is_impossible() {
    let dir = site(&[
        ("zhibu.toml", "title = \"x\"\nslug_style = \"off\""),
        (
            "content/a.md",
            "+++\ntitle = \"a\"\nslug = \"../../etc\"\n+++\n",
        ),
        ("content/b.md", "+++\ntitle = \"b\"\nslug = \"..\"\n+++\n"),
    ]);
    let err = build_fails(dir.path());
    assert!(
        err.contains("content/b.md:3:1: 错误: 无法由此名称生成网址"),
        "{err}"
    );
    assert!(
        !dir.path().join("etc").exists()
            && !dir.path().parent().unwrap().join("etc/index.html").exists()
    );
}

#[test]
fn index_md_at_the_content_root_is_explained() {
    let dir = site(&[
        ("zhibu.toml", "title = \"x\""),
        ("content/index.md", "+++\ntitle = \"首页\"\n+++\n"),
    ]);
    let err = build_fails(dir.path());
    assert!(err.contains("content/index.md:1:1: 错误: content/index.md 不能作为页面：首页请写在 content/_index.md"), "{err}");
}

#[test]
fn template_syntax_errors_have_line_and_column() {
    let dir = site(&[
        ("zhibu.toml", "title = \"x\""),
        ("content/a.md", "+++\ntitle = \"a\"\n+++\n"),
        ("templates/page.html", "<p>\n<p>{% if %}x{% endif %}\n"),
    ]);
    let err = build_fails(dir.path());
    assert!(
        err.starts_with("templates/page.html:2:10: 错误: 模板有误"),
        "{err}"
    );
}

#[test]
fn tera1_templates_are_explained() {
    let dir = site(&[
        ("zhibu.toml", "title = \"x\""),
        ("content/a.md", "+++\ntitle = \"a\"\n+++\n"),
        (
            "templates/page.html",
            "{% import \"macros.html\" as m %}\n{{ m::breadcrumb(root=root) }}\n",
        ),
    ]);
    let err = build_fails(dir.path());
    assert!(
        err.starts_with("templates/page.html:1:4: 错误: 模板有误") && err.contains("Tera 2"),
        "{err}"
    );
}

#[test]
fn template_render_errors_point_into_the_template() {
    let dir = site(&[
        ("zhibu.toml", "title = \"x\""),
        ("content/a.md", "+++\ntitle = \"a\"\n+++\n"),
        ("templates/page.html", "<p>\n  {{ page.nope }}\n"),
    ]);
    let err = build_fails(dir.path());
    assert!(
        err.contains("content/a.md: 错误: 渲染模板 `page.html` 出错：page.html 第 2 行第 11 列：")
            && err.contains("nope"),
        "{err}"
    );
}

#[test]
fn template_errors_name_the_template() {
    let dir = site(&[
        ("zhibu.toml", "title = \"x\""),
        ("content/a.md", "+++\ntitle = \"a\"\n+++\n"),
        ("templates/page.html", "{{ page.nope.deeper }}"),
    ]);
    let err = build_fails(dir.path());
    assert!(
        err.contains("content/a.md: 错误: 渲染模板 `page.html` 出错"),
        "{err}"
    );
}

#[test]
fn draft_sections_hide_everything_below() {
    let dir = site(&[
        ("zhibu.toml", "title = \"x\""),
        (
            "content/a/_index.md",
            "+++\ntitle = \"待审栏目\"\ndraft = true\n+++\n",
        ),
        ("content/a/b/_index.md", "+++\ntitle = \"下级\"\n+++\n"),
        ("content/a/b/p.md", "+++\ntitle = \"页面\"\n+++\n"),
        (
            "content/a/cover.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
        ),
    ]);
    let out = dir.path().join("public");
    build(dir.path(), &out, &[]);
    assert!(!out.join("a").exists(), "draft section published");
    let with = dir.path().join("drafts");
    build(dir.path(), &with, &["--drafts"]);
    assert!(with.join("a/b/p/index.html").is_file() && with.join("a/cover.svg").is_file());
}

fn basic() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    build(&fixture("basic"), &out, &[]);
    (dir, out)
}

#[test]
fn snapshot_article_with_every_markdown_feature() {
    let (_d, out) = basic();
    insta::assert_snapshot!(read(&out, "study/2026-11/a1/index.html"));
}

#[test]
fn snapshot_internal_and_root_links() {
    let (_d, out) = basic();
    insta::assert_snapshot!(read(&out, "study/2026-11/a2/index.html"));
}

#[test]
fn snapshot_paginated_section() {
    let (_d, out) = basic();
    insta::assert_snapshot!(read(&out, "news/index.html"));
    insta::assert_snapshot!(read(&out, "news/page/2/index.html"));
}

#[test]
fn snapshot_home_taxonomies_and_feed() {
    let (_d, out) = basic();
    insta::assert_snapshot!(read(&out, "index.html"));
    insta::assert_snapshot!(read(&out, "tags/index.html"));
    insta::assert_snapshot!(read(&out, "zhuanti/作风建设/index.html"));
    insta::assert_snapshot!(read(&out, "atom.xml"));
    insta::assert_snapshot!(read(&out, "sitemap.xml"));
}

#[test]
fn yaml_bom_crlf_and_bundles() {
    let (_d, out) = basic();
    let n2 = read(&out, "news/n2/index.html");
    assert!(
        n2.contains("date=2026-11-02T09:30:00+08:00") && n2.contains(r#""author":"张三""#),
        "{n2}"
    );
    let n3 = read(&out, "news/n3/index.html");
    assert!(
        n3.contains("<p>Windows 记事本保存的文件，带 BOM 和 CRLF。</p>"),
        "{n3}"
    );
    assert!(out.join("study/bundle/photo.svg").is_file());
    assert!(read(&out, "study/bundle/index.html").contains("assets=photo.svg"));
    assert!(out.join("img/logo.svg").is_file(), "site static/ copied");
}

#[test]
fn cjk_soft_breaks_join_but_latin_keeps_its_space() {
    let (_d, out) = basic();
    let html = read(&out, "study/2026-11/a1/index.html");
    assert!(html.contains("源文件里换行了"), "{html}");
    assert!(html.contains("English words\nkeep"), "{html}");
    let _ = Path::new("");
}

#[test]
fn a_tag_named_twice_lists_its_page_once() {
    // `学习` twice, and `Study`/`study`, which make the same term URL.
    let site = site(&[
        ("zhibu.toml", "title = \"t\"\n"),
        (
            "content/a.md",
            "+++\ntitle = \"甲文\"\ndate = 2026-01-02\n[taxonomies]\ntags = [\"学习\", \"学习\", \"Study\", \"study\"]\n+++\n正文\n",
        ),
        (
            "content/b.md",
            "+++\ntitle = \"乙文\"\ndate = 2026-01-01\n[taxonomies]\ntags = [\"学习\"]\n+++\n正文\n",
        ),
    ]);
    let out = site.path().join("out");
    build(site.path(), &out, &[]);
    let term = read(&out, "tags/学习/index.html");
    assert_eq!(term.matches("甲文").count(), 1, "{term}");
    assert_eq!(term.matches("乙文").count(), 1, "{term}");
    let term = read(&out, "tags/study/index.html");
    assert_eq!(term.matches("甲文").count(), 1, "{term}");
    let page = read(&out, "a/index.html");
    assert_eq!(page.matches("tags/学习/index.html").count(), 1, "{page}");
    assert_eq!(page.matches("tags/study/index.html").count(), 1, "{page}");
}

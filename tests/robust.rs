//! Whatever editors save, `zhibu build` answers with a located Chinese error or warning: never
//! a panic, never a half-written output. Each case breaks one file of a site that built, and
//! checks the exact message and that the previous output is untouched.

mod common;

use common::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A site that builds, built once into `<tmp>/public`.
struct Built {
    dir: tempfile::TempDir,
    out: PathBuf,
    before: BTreeMap<String, Vec<u8>>,
}

impl Built {
    /// The site `files`, built; its output remembered.
    fn new(files: &[(&str, &str)]) -> Built {
        let dir = site(files);
        let out = dir.path().join("public");
        build(dir.path(), &out, &[]);
        let before = tree(&out);
        assert!(!before.is_empty());
        Built { dir, out, before }
    }

    /// A page and a section: the smallest site worth breaking.
    fn basic() -> Built {
        Built::new(&[
            ("zhibu.toml", "title = \"测试站\""),
            ("content/_index.md", "+++\ntitle = \"首页\"\n+++\n"),
            (
                "content/xuexi/_index.md",
                "+++\ntitle = \"学习\"\n+++\n栏目说明\n",
            ),
            (
                "content/xuexi/a.md",
                "+++\ntitle = \"第一篇\"\ndate = 2026-11-05\n+++\n正文\n",
            ),
        ])
    }

    /// The same site, its output as it is now being the one a failed build must leave.
    fn remember(self) -> Built {
        Built {
            before: tree(&self.out),
            ..self
        }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `bytes` to `rel` below the site root.
    fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) {
        let path = self.root().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    /// Builds again; the build must fail and leave the output as it was. Returns stderr.
    fn fails(&self) -> String {
        let run = self.run();
        assert!(!run.ok, "build should fail:\n{}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        assert!(
            tree(&self.out) == self.before,
            "output changed by a failed build:\n{}",
            run.stderr
        );
        assert!(
            run.stderr
                .lines()
                .last()
                .unwrap_or("")
                .ends_with("输出目录未作改动"),
            "{}",
            run.stderr
        );
        run.stderr
    }

    /// Builds again; the build must succeed. Returns stderr.
    fn builds(&self) -> String {
        let run = self.run();
        assert!(run.ok, "build should succeed:\n{}", run.stderr);
        run.stderr
    }

    fn run(&self) -> Run {
        build_into(self.root(), &self.out)
    }
}

/// Asserts that `stderr` has exactly the line `line`.
#[track_caller]
fn has_line(stderr: &str, line: &str) {
    assert!(
        stderr.lines().any(|l| l == line),
        "expected the line\n  {line}\nin\n{stderr}"
    );
}

/// The basic site with `bytes` written to `rel`: its build must fail and print `line`.
#[track_caller]
fn refused(rel: &str, bytes: impl AsRef<[u8]>, line: &str) {
    let b = Built::basic();
    b.write(rel, bytes);
    has_line(&b.fails(), line);
}

/// Copies a checked-in fixture tree of bad inputs into the site.
fn add_fixture(b: &Built, case: &str) {
    copy_tree(&fixture("bad-inputs").join(case), b.root(), &[]);
}

fn gbk(text: &str) -> Vec<u8> {
    let (bytes, _, bad) = encoding_rs::GBK.encode(text);
    assert!(!bad);
    bytes.into_owned()
}

// 1. UTF-8 BOM and CRLF.

#[test]
fn bom_and_crlf_build_and_locate_errors_on_the_right_line() {
    let b = Built::basic();
    b.write(
        "content/xuexi/b.md",
        "\u{FEFF}+++\r\ntitle = \"二\"\r\n+++\r\n\r\n# 标题\r\n正文\r\n",
    );
    b.builds();
    let html = read(&b.out, "xuexi/b/index.html");
    assert!(html.contains("标题") && !html.contains('\r'), "{html}");
    let before = b.remember();
    before.write(
        "content/xuexi/b.md",
        "\u{FEFF}+++\r\ntitle = \"二\"\r\ndraf = true\r\n+++\r\n",
    );
    has_line(
        &before.fails(),
        "content/xuexi/b.md:3:1: 错误: 未知字段 `draf`，是否想写 `draft`？",
    );
}

// 2. GBK / GB18030.

#[test]
fn gbk_files_are_read_with_a_warning() {
    let b = Built::basic();
    b.write(
        "content/xuexi/gbk.md",
        gbk("+++\r\ntitle = \"党支部学习\"\r\n+++\r\n坚持问题导向。\r\n"),
    );
    let stderr = b.builds();
    let html = read(&b.out, "xuexi/gbk/index.html");
    assert!(html.contains("党支部学习") && html.contains("坚持问题导向"));
    assert!(!stderr.contains("错误"), "{stderr}");
}

#[test]
fn gbk_warning_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.md");
    std::fs::write(&path, gbk("+++\ntitle = \"学习\"\n+++\n正文")).unwrap();
    let source = zhibu::source::SourceFile {
        path,
        rel: "a.md".into(),
        kind: zhibu::source::SourceKind::Page,
    };
    let doc = zhibu::site::read_document(source, "content/a.md".into()).unwrap();
    let shown: Vec<String> = doc.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        ["content/a.md: 警告: 文件是 GBK/GB18030 编码，已按 GBK 读取；建议用 UTF-8 重新保存"]
    );
    assert_eq!(doc.warnings[0].rule, "gbk");
    assert_eq!(&*doc.body, "正文");
}

#[test]
fn gbk_warning_is_printed_and_can_be_made_an_error() {
    let b = Built::basic();
    // Short GBK texts can happen to be valid UTF-8 (学习 is D1A7 CFB0): use a real sentence.
    b.write(
        "content/xuexi/gbk.md",
        gbk("+++\ntitle = \"党支部学习\"\n+++\n坚持问题导向。\n"),
    );
    has_line(
        &b.builds(),
        "content/xuexi/gbk.md: 警告: 文件是 GBK/GB18030 编码，已按 GBK 读取；建议用 UTF-8 重新保存",
    );
    let b = b.remember();
    b.write(
        "zhibu.toml",
        "title = \"测试站\"\n[check]\nseverity = { gbk = \"error\" }\n",
    );
    has_line(
        &b.fails(),
        "content/xuexi/gbk.md: 错误: 文件是 GBK/GB18030 编码，已按 GBK 读取；建议用 UTF-8 重新保存",
    );
}

// 3. Binary and undecodable files.

#[test]
fn png_renamed_to_md_is_not_text() {
    let b = Built::basic();
    add_fixture(&b, "png-as-md");
    has_line(
        &b.fails(),
        "content/xuexi/tu.md: 错误: 文件不是文本（是 PNG 图片），无法作为 Markdown 读取；请用 UTF-8 文本保存，或改用与内容相符的扩展名",
    );
}

#[test]
fn docx_renamed_to_md_is_not_text() {
    let b = Built::basic();
    add_fixture(&b, "docx-as-md");
    has_line(
        &b.fails(),
        "content/xuexi/baogao.md: 错误: 文件不是文本（是 ZIP 压缩包或 Word/WPS 的 .docx 文档），无法作为 Markdown 读取；请用 UTF-8 文本保存，或改用与内容相符的扩展名",
    );
}

#[test]
fn random_bytes_are_located_where_decoding_fails() {
    refused(
        "content/xuexi/bad.md",
        b"+++\ntitle = \"x\"\n+++\nabc\xFF\xFE\x80\x80\n",
        "content/xuexi/bad.md:4:4: 错误: 文件既不是 UTF-8 也不是 GBK 编码，无法读取（此处是第一个无法识别的字节）；请用 UTF-8 重新保存",
    );
}

#[test]
fn binary_noise_is_not_text() {
    let b = Built::basic();
    let noise: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    b.write("content/xuexi/noise.md", noise);
    let stderr = b.fails();
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with("content/xuexi/noise.md")
                && (l.contains("文件不是文本") || l.contains("无法读取"))),
        "{stderr}"
    );
}

#[test]
fn utf16_without_bom_is_refused() {
    let bytes: Vec<u8> = "+++\ntitle = \"x\"\n+++\n"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    refused(
        "content/xuexi/u16.md",
        bytes,
        "content/xuexi/u16.md: 错误: 文件不是文本（似乎是不带 BOM 标记的 UTF-16 编码文本），无法作为 Markdown 读取；请用 UTF-8 文本保存，或改用与内容相符的扩展名",
    );
}

#[test]
fn utf16_with_bom_is_decoded() {
    let b = Built::basic();
    for (name, le) in [("le", true), ("be", false)] {
        let mut bytes = if le {
            vec![0xFF, 0xFE]
        } else {
            vec![0xFE, 0xFF]
        };
        for u in "+++\r\ntitle = \"记事本\"\r\n+++\r\n正文\r\n".encode_utf16() {
            bytes.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
        }
        b.write(&format!("content/xuexi/{name}.md"), bytes);
    }
    b.builds();
    assert!(read(&b.out, "xuexi/le/index.html").contains("记事本"));
    assert!(read(&b.out, "xuexi/be/index.html").contains("记事本"));
}

// 4. Empty files, front matter only, broken front matter.

#[test]
fn empty_section_file_is_a_section() {
    let b = Built::basic();
    b.write("content/dongtai/_index.md", "");
    b.write("content/dongtai/x.md", "+++\ntitle = \"动态\"\n+++");
    b.builds();
    assert!(read(&b.out, "dongtai/index.html").contains("dongtai"));
    assert!(read(&b.out, "dongtai/x/index.html").contains("动态"));
}

#[test]
fn empty_page_lacks_front_matter() {
    refused(
        "content/xuexi/empty.md",
        "",
        "content/xuexi/empty.md:1:1: 错误: 页面缺少 front matter：文件应以 +++ 开头，至少写 title = \"标题\"，再以 +++ 结束",
    );
}

/// Each fixture under `tests/fixtures/bad-inputs/front-matter/` with the line it must print.
#[test]
fn broken_front_matter_is_located() {
    let b = Built::basic();
    add_fixture(&b, "front-matter");
    let stderr = b.fails();
    for line in [
        "content/fm/unclosed.md:1:1: 错误: front matter 没有结束标记：请在字段之后单独一行写 +++",
        "content/fm/unclosed-yaml.md:1:1: 错误: front matter 没有结束标记：请在字段之后单独一行写 ---",
        "content/fm/only-delimiters.md:2:1: 错误: 缺少必填字段 `title`",
        "content/fm/empty-yaml.md:2:1: 错误: 缺少必填字段 `title`",
        "content/fm/table.md:3:7: 错误: TOML 格式错误：unclosed table, expected `]`",
        "content/fm/yaml-type.md:2:8: 错误: 字段 `title` 的值类型不对（写的是列表，应为字符串）",
        "content/fm/yaml-tab.md:2:1: 错误: YAML 不能用 Tab 缩进或分隔，请改用空格",
        "content/fm/month.md:3:8: 错误: TOML 格式错误：invalid date, expected month between 01 and 12",
        "content/fm/yaml-date.md:3:1: 错误: 日期 `2026-13-45` 无法识别，应写成 2026-11-05 或 2026-11-05T09:30:00+08:00",
        "content/fm/empty-title.md:2:1: 错误: 标题 title 不能为空",
        "content/fm/_index.md:2:1: 错误: 未知字段 `titel`，是否想写 `title`？",
    ] {
        has_line(&stderr, line);
    }
}

#[test]
fn nul_in_front_matter_is_located() {
    let b = Built::basic();
    b.write(
        "content/xuexi/nul.md",
        b"+++\ntitle = \"a\0b\"\n+++\n".as_slice(),
    );
    b.write(
        "content/xuexi/ctl.md",
        b"+++\ntitle = \"ab\"\n+++\n\x01\n".as_slice(),
    );
    let stderr = b.fails();
    has_line(
        &stderr,
        "content/xuexi/nul.md:2:11: 错误: 文件含有 NUL 字符（\\0），可能已损坏或不是文本文件；请删除该字符或用 UTF-8 重新保存",
    );
    has_line(
        &stderr,
        "content/xuexi/ctl.md:4:1: 错误: 文件含有控制字符 U+0001，可能已损坏或不是文本文件；请删除该字符或用 UTF-8 重新保存",
    );
}

// 5. Large files.

/// A Markdown file of about `mb` MB: headings, paragraphs, lists and links.
fn big_markdown(mb: usize) -> String {
    let mut s = String::from("+++\ntitle = \"大文件\"\n+++\n");
    let mut n = 0;
    while s.len() < mb << 20 {
        s.push_str(&format!(
            "## 第{n}节\n\n坚持以人民为中心的发展思想，推动高质量发展。Rust 与 **Markdown** 文本，[链接](#第{n}节)。\n\n- 一\n- 二\n\n"
        ));
        n += 1;
    }
    s
}

#[test]
fn a_one_megabyte_file_builds() {
    let b = Built::basic();
    b.write("content/xuexi/big.md", big_markdown(1));
    b.builds();
    assert!(read(&b.out, "xuexi/big/index.html").len() > 1 << 20);
}

/// A few seconds in debug, publishing checks included (they locate findings through a table of
/// line starts; scanning from the top for each finding once made this take three minutes).
#[test]
fn a_five_megabyte_file_builds() {
    let b = Built::basic();
    b.write("content/xuexi/big.md", big_markdown(5));
    b.builds();
    assert!(read(&b.out, "xuexi/big/index.html").len() > 5 << 20);
}

/// The limit is 20 MB: a 50 MB file is refused before it is read (the file here is sparse, so
/// the test uses neither disk nor memory).
#[test]
fn a_fifty_megabyte_file_is_refused_without_reading() {
    let b = Built::basic();
    let f = std::fs::File::create(b.root().join("content/xuexi/huge.md")).unwrap();
    f.set_len(50 << 20).unwrap();
    has_line(
        &b.fails(),
        "content/xuexi/huge.md: 错误: 文件太大（50 MB），Markdown 文件最大 20 MB：请拆分成几篇，或把大段数据作为附件",
    );
}

#[test]
fn the_limit_is_exact() {
    assert_eq!(zhibu::source::MAX_TEXT_BYTES, 20 << 20);
    let b = Built::basic();
    let f = std::fs::File::create(b.root().join("content/xuexi/huge.md")).unwrap();
    f.set_len(zhibu::source::MAX_TEXT_BYTES + 1).unwrap();
    has_line(
        &b.fails(),
        "content/xuexi/huge.md: 错误: 文件太大（21 MB），Markdown 文件最大 20 MB：请拆分成几篇，或把大段数据作为附件",
    );
}

// 6. Symbolic links, names, slugs, duplicate URLs.

#[cfg(unix)]
#[test]
fn symlink_loops_are_skipped_with_a_warning() {
    let b = Built::basic();
    std::os::unix::fs::symlink("..", b.root().join("content/xuexi/loop")).unwrap();
    has_line(
        &b.builds(),
        "content/xuexi/loop: 警告: 符号链接形成循环，已跳过",
    );
    assert!(!b.out.join("xuexi/loop").exists());
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_content_are_not_followed() {
    let b = Built::basic();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), "密").unwrap();
    std::fs::write(outside.path().join("p.md"), "+++\ntitle = \"外\"\n+++\n").unwrap();
    std::os::unix::fs::symlink(outside.path(), b.root().join("content/xuexi/ext")).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.txt"),
        b.root().join("content/xuexi/s.txt"),
    )
    .unwrap();
    // A link that stays inside content/ is followed.
    std::os::unix::fs::symlink("a.md", b.root().join("content/xuexi/c.md")).unwrap();
    let stderr = b.builds();
    let real = std::fs::canonicalize(outside.path()).unwrap();
    has_line(
        &stderr,
        &format!(
            "content/xuexi/ext: 警告: 符号链接指向 content/ 之外（{}），已跳过：请把要发布的文件复制到 content/ 中",
            real.display()
        ),
    );
    has_line(
        &stderr,
        &format!(
            "content/xuexi/s.txt: 警告: 符号链接指向 content/ 之外（{}），已跳过：请把要发布的文件复制到 content/ 中",
            real.join("secret.txt").display()
        ),
    );
    let published = tree(&b.out);
    assert!(
        !published
            .keys()
            .any(|k| k.contains("secret") || k.contains("ext/")),
        "{:?}",
        published.keys()
    );
    assert!(b.out.join("xuexi/c/index.html").is_file());
}

#[test]
fn names_with_spaces_and_chinese_build_with_working_urls() {
    let b = Built::basic();
    add_fixture(&b, "names");
    b.builds();
    let first = read(&b.out, "xuexi/学习-材料/第一-篇/index.html");
    assert!(
        first.contains(r#"href="../../../xuexi/学习-材料/第二-篇/index.html""#)
            || first.contains(r#"href="../第二-篇/index.html""#)
            || first.contains("%E7%AC%AC%E4%BA%8C-%E7%AF%87/index.html"),
        "{first}"
    );
    for link in links(&first) {
        if link.starts_with("../") && !link.contains('#') {
            let decoded = percent_encoding::percent_decode_str(&link).decode_utf8_lossy();
            let target = b.out.join("xuexi/学习-材料/第一-篇").join(decoded.as_ref());
            assert!(target.is_file(), "{link}");
        }
    }
    assert!(b.out.join("xuexi/学习-材料/图 片.svg").is_file());
}

#[test]
fn slugs_with_slashes_are_located_errors() {
    let b = Built::basic();
    b.write(
        "content/xuexi/up.md",
        "+++\ntitle = \"a\"\nslug = \"../../etc\"\n+++\n",
    );
    b.write("content/xuexi/ab.md", "---\ntitle: b\n  \nslug: a/b\n---\n");
    let stderr = b.fails();
    has_line(
        &stderr,
        "content/xuexi/up.md:3:1: 错误: slug `../../etc` 不能含有 `/` 或 `\\`：slug 只是网址的最后一段，页面所在的目录由文件所在的目录决定",
    );
    has_line(
        &stderr,
        "content/xuexi/ab.md:4:1: 错误: slug `a/b` 不能含有 `/` 或 `\\`：slug 只是网址的最后一段，页面所在的目录由文件所在的目录决定",
    );
    assert!(!b.root().join("etc").exists() && !b.out.join("etc").exists());
}

#[test]
fn dot_slugs_are_empty_slugs() {
    let b = Built::new(&[
        ("zhibu.toml", "title = \"x\"\nslug_style = \"off\""),
        ("content/a.md", "+++\ntitle = \"a\"\n+++\n"),
    ]);
    b.write("content/b.md", "+++\ntitle = \"b\"\nslug = \"..\"\n+++\n");
    has_line(
        &b.fails(),
        "content/b.md:3:1: 错误: 无法由此名称生成网址（slug 为空或只含标点），请在 front matter 中写 slug = \"英文或拼音\"",
    );
}

#[test]
fn two_pages_with_one_url_name_both() {
    refused(
        "content/xuexi/b.md",
        "+++\ntitle = \"b\"\nslug = \"a\"\n+++\n",
        "content/xuexi/b.md: 错误: 输出文件 xuexi/a/index.html 重复：content/xuexi/a.md 与 content/xuexi/b.md 生成了同一个网址，请修改其中一个的文件名或 slug",
    );
}

#[test]
fn a_page_and_a_bundle_with_one_url_name_both() {
    refused(
        "content/xuexi/a/index.md",
        "+++\ntitle = \"包\"\n+++\n",
        "content/xuexi/a.md: 错误: 输出文件 xuexi/a/index.html 重复：content/xuexi/a/index.md 与 content/xuexi/a.md 生成了同一个网址，请修改其中一个的文件名或 slug",
    );
}

#[test]
fn a_page_and_a_section_with_one_url_name_both() {
    refused(
        "content/xuexi/a/_index.md",
        "+++\ntitle = \"栏目\"\n+++\n",
        "content/xuexi/a/_index.md: 错误: 输出文件 xuexi/a/index.html 重复：content/xuexi/a.md 与 content/xuexi/a/_index.md 生成了同一个网址，请修改其中一个的文件名或 slug",
    );
}

//! `zhibu import`: a Word document made here (ZIP + XML, as Word writes it) and an official
//! document in plain text become pages that build, with everything they contain accounted for.

mod common;

use common::{build, copy_tree, fixture, read, zhibu, Run as Out};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Runs `zhibu import FILE --root SITE --section SECTION EXTRA…`.
fn run_import(site: &Path, file: &Path, section: &str, extra: &[&str]) -> Out {
    let mut args = vec![
        "import",
        file.to_str().unwrap(),
        "--root",
        site.to_str().unwrap(),
        "--section",
        section,
    ];
    args.extend_from_slice(extra);
    zhibu(&args)
}

/// Imports `file` into a section of `site`; panics with the messages when it fails.
fn import(site: &Path, file: &Path, section: &str, extra: &[&str]) -> Out {
    let out = run_import(site, file, section, extra);
    assert_eq!(out.code, Some(0), "import failed:\n{}", out.stderr);
    out
}

/// Imports that must fail: exit status 1 (not a panic) and the message.
fn import_fails(site: &Path, file: &Path, section: &str, extra: &[&str]) -> String {
    let out = run_import(site, file, section, extra);
    assert_eq!(out.code, Some(1), "import should fail:\n{}", out.stderr);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    out.stderr
}

/// A copy of the fixture site (a news section, a study pack, a brand section).
fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("import/site"), dir.path(), &[]);
    dir
}

fn text(path: impl AsRef<Path>) -> String {
    let path = path.as_ref();
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

// ---- A Word document, as Word writes one ----

/// A 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53,
    0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x38, 0x21, 0xa0, 0x07,
    0x00, 0x02, 0xaa, 0x01, 0x07, 0x82, 0x25, 0x9a, 0xee, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e,
    0x44, 0xae, 0x42, 0x60, 0x82,
];

const NS: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture" xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006""#;

/// Chinese Word's style ids: `1` is “heading 1”, `a3` is “Title”.
const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
  <w:style w:type="paragraph" w:default="1" w:styleId="a"><w:name w:val="Normal"/></w:style>
  <w:style w:type="paragraph" w:styleId="1"><w:name w:val="heading 1"/><w:basedOn w:val="a"/><w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style>
  <w:style w:type="paragraph" w:styleId="2"><w:name w:val="heading 2"/><w:basedOn w:val="a"/><w:pPr><w:outlineLvl w:val="1"/></w:pPr></w:style>
  <w:style w:type="paragraph" w:styleId="a3"><w:name w:val="Title"/><w:basedOn w:val="a"/></w:style>
  <w:style w:type="character" w:styleId="a4"><w:name w:val="Strong"/><w:rPr><w:b/></w:rPr></w:style>
</w:styles>"#;

/// numId 1: bullets; 2: `1.` list; 3: `一、` numbering starting at 二.
const NUMBERING: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
  <w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="●"/></w:lvl></w:abstractNum>
  <w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl></w:abstractNum>
  <w:abstractNum w:abstractNumId="2"><w:lvl w:ilvl="0"><w:start w:val="2"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl></w:abstractNum>
  <w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
  <w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>
  <w:num w:numId="3"><w:abstractNumId w:val="2"/></w:num>
</w:numbering>"#;

const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
  <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
  <Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering" Target="numbering.xml"/>
  <Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image1.png"/>
  <Relationship Id="rId8" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image2.emf"/>
  <Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="https://www.gov.cn/" TargetMode="External"/>
  <Relationship Id="rId10" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="../../../../evil.png"/>
</Relationships>"#;

const CORE: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <dc:title>旧模板的标题</dc:title>
  <dcterms:created xsi:type="dcterms:W3CDTF">2026-11-01T01:30:00Z</dcterms:created>
</cp:coreProperties>"#;

fn para(style: Option<&str>, runs: &str) -> String {
    let ppr = style.map_or(String::new(), |s| {
        format!(r#"<w:pPr><w:pStyle w:val="{s}"/></w:pPr>"#)
    });
    format!("<w:p>{ppr}{runs}</w:p>")
}

fn run(text: &str) -> String {
    format!(r#"<w:r><w:t xml:space="preserve">{text}</w:t></w:r>"#)
}

fn run_with(props: &str, text: &str) -> String {
    format!(r#"<w:r><w:rPr>{props}</w:rPr><w:t xml:space="preserve">{text}</w:t></w:r>"#)
}

fn numbered(num: u32, text: &str) -> String {
    format!(
        r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="{num}"/></w:numPr></w:pPr>{}</w:p>"#,
        run(text)
    )
}

fn picture(rid: &str, descr: &str) -> String {
    format!(
        r#"<w:r><w:drawing><wp:inline><wp:extent cx="952500" cy="952500"/><wp:docPr id="1" name="图片 1" descr="{descr}"/><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic><pic:blipFill><a:blip r:embed="{rid}"/></pic:blipFill></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"#
    )
}

fn cell(text: &str, props: &str) -> String {
    format!(
        "<w:tc><w:tcPr>{props}</w:tcPr>{}</w:tc>",
        para(None, &run(text))
    )
}

/// The body of the test document: everything the importer converts, and some things it
/// reports.
fn body() -> String {
    let mut b = String::new();
    b += &para(Some("a3"), &run("关于加强数据安全管理的"));
    b += &para(Some("a3"), &run("学习材料"));
    b += &para(None, &run("各党支部："));
    b += &para(None, &(run("　　一、") + &run("总体要求")));
    b += &para(
        None,
        &[
            run("　　这是"),
            run_with("<w:b/>", "重点"),
            run_with("<w:b/><w:bCs/>", "内容"),
            run("，以及"),
            run_with("<w:i/>", "强调"),
            run("，"),
            run_with(r#"<w:b w:val="0"/>"#, "不加粗"),
            run("，"),
            run_with(r#"<w:rStyle w:val="a4"/>"#, "“加粗引语”"),
            run("。名单中的**区同志和张*同志请核实，3~5人一组。"),
        ]
        .concat(),
    );
    b += &para(Some("1"), &run("数据分类分级"));
    b += &para(Some("2"), &run("核心数据"));
    b += &para(
        None,
        &run("（一）加强组织领导。各支部要高度重视，明确责任分工。"),
    );
    b += &para(None, &run("1.严格数据访问审批"));
    b += &numbered(1, "第一项要求");
    b += &numbered(1, "第二项要求");
    b += &numbered(2, "甲");
    b += &para(None, &run("列表中间的说明。"));
    b += &numbered(2, "乙");
    b += &numbered(3, "自动编号的标题");
    b += &format!(
        "<w:tbl><w:tblPr/><w:tr>{}{}</w:tr><w:tr>{}{}</w:tr><w:tr>{}</w:tr></w:tbl>",
        cell("姓名", ""),
        cell("职务", ""),
        cell("张三", ""),
        cell("书记|委员", ""),
        cell("合计", r#"<w:gridSpan w:val="2"/>"#),
    );
    b += &para(
        None,
        &(run("活动照片如下：") + &picture("rId7", "主题党日活动合影")),
    );
    b += &para(None, &picture("rId8", "旧格式图"));
    b += &para(None, &picture("rId10", "越界"));
    b += &para(
        None,
        &(run("详见")
            + r#"<w:hyperlink r:id="rId9"><w:r><w:t>中国政府网</w:t></w:r></w:hyperlink>"#
            + &run("。")),
    );
    b += &para(
        None,
        r#"<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor><wps:wsp><wps:txbx><w:txbxContent><w:p><w:r><w:t>文本框里的字</w:t></w:r></w:p></w:txbxContent></wps:txbx></wps:wsp></wp:anchor></w:drawing></mc:Choice><mc:Fallback><w:pict/></mc:Fallback></mc:AlternateContent></w:r>"#,
    );
    b += &para(None, &run("机关党委"));
    b += &para(None, &run("2026年11月12日"));
    b
}

/// Writes a ZIP archive of these entries.
fn write_zip(path: &Path, entries: &[(&str, &[u8])]) {
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default();
    for (name, bytes) in entries {
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
}

/// Writes a .docx with the given document body and parts.
fn write_docx(path: &Path, document: &str, parts: &[(&str, &[u8])]) {
    let types = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>"#;
    let mut all: Vec<(&str, &[u8])> = vec![
        ("[Content_Types].xml", types.as_bytes()),
        ("word/document.xml", document.as_bytes()),
    ];
    all.extend_from_slice(parts);
    write_zip(path, &all);
}

/// The full test document as `dir/学习材料.docx`.
fn test_docx(dir: &Path) -> PathBuf {
    let path = dir.join("学习材料.docx");
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {NS}><w:body>{}<w:sectPr/></w:body></w:document>"#,
        body()
    );
    write_docx(
        &path,
        &document,
        &[
            ("word/styles.xml", STYLES.as_bytes()),
            ("word/numbering.xml", NUMBERING.as_bytes()),
            ("word/_rels/document.xml.rels", RELS.as_bytes()),
            ("docProps/core.xml", CORE.as_bytes()),
            ("word/media/image1.png", PNG),
            ("word/media/image2.emf", b"\x01\x00\x00\x00EMF"),
            ("evil.png", PNG),
        ],
    );
    path
}

const DOCX_MARKDOWN: &str = r#"+++
title = "关于加强数据安全管理的学习材料"
date = 2026-11-12
+++

各党支部：

## 一、总体要求

这是**重点内容**，以及*强调*，不加粗，**“加粗引语”**。名单中的\*\*区同志和张\*同志请核实，3\~5人一组。

## 数据分类分级

### 核心数据

**（一）加强组织领导**。各支部要高度重视，明确责任分工。

#### 1.严格数据访问审批

- 第一项要求
- 第二项要求

1. 甲

列表中间的说明。

2. 乙

## 二、自动编号的标题

| 姓名 | 职务 |
| --- | --- |
| 张三 | 书记\|委员 |
| 合计 |  |

活动照片如下：![主题党日活动合影](image1.png)

详见[中国政府网](<https://www.gov.cn/>)。

机关党委

2026年11月12日
"#;

#[test]
fn docx_becomes_a_page_bundle_that_builds() {
    let site = site();
    let src = tempfile::tempdir().unwrap();
    let docx = test_docx(src.path());
    let out = import(site.path(), &docx, "dongtai", &[]);

    let bundle = site.path().join("content/dongtai/学习材料");
    assert_eq!(out.stdout.trim(), bundle.join("index.md").to_str().unwrap());
    assert_eq!(text(bundle.join("index.md")), DOCX_MARKDOWN);
    // The picture is extracted; the EMF and the one pointing outside the archive are not.
    let mut files: Vec<String> = std::fs::read_dir(&bundle)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, ["image1.png", "index.md"]);
    assert_eq!(std::fs::read(bundle.join("image1.png")).unwrap(), PNG);
    assert!(!site.path().join("evil.png").exists());

    // Everything not converted is reported, with the paragraph.
    for expected in [
        "以下内容未能完全转换（共 4 处）：",
        "\n  第 16 段（“姓名 职务 张三 书记|…”）：表格有合并单元格",
        "\n  第 18 段：不支持的图片格式 EMF（网页无法显示），未导入",
        "\n  第 19 段：图片的路径指向文档之外，不安全，未导入",
        "\n  第 21 段：文本框中的文字未导入",
        "导入完成：",
        "提取图片 1 张",
    ] {
        assert!(out.stderr.contains(expected), "{expected}\n{}", out.stderr);
    }

    // `**区` and `张*` are masked names the publishing check must still find, where they are.
    let check = zhibu(&["check", "--root", site.path().to_str().unwrap()]);
    let found: Vec<&str> = check
        .stdout
        .lines()
        .filter(|l| l.contains("错误[placeholder]"))
        .collect();
    assert_eq!(found.len(), 2, "{}", check.stdout);
    assert!(found[0].starts_with("content/dongtai/学习材料/index.md:10:38:"));
    assert!(found[1].starts_with("content/dongtai/学习材料/index.md:10:47:"));

    // With that check off the page builds, and the text reads as written.
    let config = site.path().join("zhibu.toml");
    let toml = text(&config) + "\n[check]\nseverity = { placeholder = \"off\" }\n";
    std::fs::write(&config, toml).unwrap();
    let public = site.path().join("public");
    build(site.path(), &public, &[]);
    let html = read(&public, "dongtai/学习材料/index.html");
    for expected in [
        "<h2 id=\"一-总体要求\">一、总体要求</h2>",
        "<strong>重点内容</strong>",
        "<em>强调</em>",
        "<strong>“加粗引语”</strong>",
        "名单中的**区同志和张*同志请核实，3~5人一组。",
        "<strong>（一）加强组织领导</strong>。各支部",
        "<h4 id=\"1-严格数据访问审批\">1.严格数据访问审批</h4>",
        "<li>第一项要求</li>",
        "<ol start=\"2\">\n<li>乙</li>",
        "<h2 id=\"二-自动编号的标题\">二、自动编号的标题</h2>",
        "<table>",
        "<td>书记|委员</td>",
        "/image1.png\" alt=\"主题党日活动合影\"",
        "href=\"https://www.gov.cn/\"",
    ] {
        assert!(html.contains(expected), "{expected}\n{}", body_of(&html));
    }
    assert!(!html.contains("文本框里的字"));
    assert!(public.join("dongtai/学习材料/image1.png").is_file());
}

/// The article of a built page, for messages.
fn body_of(html: &str) -> &str {
    let start = html.find("<article").unwrap_or(0);
    let end = html[start..]
        .find("</article>")
        .map_or(html.len(), |e| start + e);
    &html[start..end]
}

#[test]
fn txt_in_official_layout() {
    let site = site();
    let out = import(site.path(), &fixture("import/tongzhi.txt"), "dongtai", &[]);
    let page = site.path().join("content/dongtai/tongzhi.md");
    assert_eq!(out.stdout.trim(), page.to_str().unwrap());
    assert!(!out.stderr.contains("未能完全转换"), "{}", out.stderr);
    insta::assert_snapshot!("import_txt", text(&page));

    let public = site.path().join("public");
    build(site.path(), &public, &[]);
    let html = read(&public, "dongtai/tongzhi/index.html");
    for expected in [
        "<h2 id=\"一-活动主题\">一、活动主题</h2>",
        "<h3 id=\"二-实地参观\">（二）实地参观</h3>",
        "<h4 id=\"1-参观地点-市大数据中心\">1.参观地点：市大数据中心</h4>",
        "<h5 id=\"1-第一组-第一-第二党支部\">（1）第一组：第一、第二党支部</h5>",
        "<strong>（一）集中学习</strong>。各支部",
        "3~5人一组",
        "办公室[1]。",
        "<p>1. 本行以",
        "<p>2.活动总结模板</p>",
    ] {
        assert!(html.contains(expected), "{expected}\n{}", body_of(&html));
    }
    assert!(html.contains("2026-11-10"), "date from the closing line");
}

#[test]
fn gbk_text_imports_like_utf8() {
    let utf8_site = site();
    import(
        utf8_site.path(),
        &fixture("import/tongzhi.txt"),
        "dongtai",
        &[],
    );
    let expected = text(utf8_site.path().join("content/dongtai/tongzhi.md"));

    let src = tempfile::tempdir().unwrap();
    let gbk_file = src.path().join("tongzhi.txt");
    let utf8 = text(fixture("import/tongzhi.txt"));
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(&utf8);
    assert!(!unmappable);
    std::fs::write(&gbk_file, &bytes).unwrap();
    let site = site();
    let out = import(site.path(), &gbk_file, "dongtai", &[]);
    assert!(out.stderr.contains("GBK"), "{}", out.stderr);
    assert_eq!(
        text(site.path().join("content/dongtai/tongzhi.md")),
        expected
    );
}

#[test]
fn kinds_get_the_front_matter_they_need() {
    let site = site();
    // A study pack requires a category: the first one, or the one the title names.
    let out = import(
        site.path(),
        &fixture("import/tongzhi.txt"),
        "xuexi/2026-11",
        &["--slug", "a06-tongzhi"],
    );
    assert!(out.stderr.contains("分类设为“原文”"), "{}", out.stderr);
    let page = text(site.path().join("content/xuexi/2026-11/a06-tongzhi.md"));
    assert!(
        page.contains("\n[extra]\ncategory = \"原文\"\n+++\n"),
        "{page}"
    );
    // A brand page needs fields no document has: it waits as a draft.
    let out = import(
        site.path(),
        &fixture("import/tongzhi.txt"),
        "content/pinpai",
        &[],
    );
    assert!(out.stderr.contains("draft = true"), "{}", out.stderr);
    assert!(text(site.path().join("content/pinpai/tongzhi.md")).contains("\ndraft = true\n"));
    let public = site.path().join("public");
    build(site.path(), &public, &[]);
    assert!(public
        .join("xuexi/2026-11/a06-tongzhi/index.html")
        .is_file());
}

#[test]
fn errors_are_clear_and_change_nothing() {
    let site = site();
    let dir = tempfile::tempdir().unwrap();
    let before = common::tree(site.path());

    let corrupt = dir.path().join("坏文件.docx");
    std::fs::write(&corrupt, b"PK\x03\x04 not really a zip").unwrap();
    let err = import_fails(site.path(), &corrupt, "dongtai", &[]);
    assert!(err.contains("坏文件.docx：不是有效的 .docx 文件"), "{err}");

    let not_word = dir.path().join("表格.docx");
    write_zip(&not_word, &[("xl/workbook.xml", b"<workbook/>")]);
    let err = import_fails(site.path(), &not_word, "dongtai", &[]);
    assert!(err.contains("缺少 word/document.xml"), "{err}");

    let bad_xml = dir.path().join("bad.docx");
    write_docx(&bad_xml, "<w:document><w:body><w:p></w:body>", &[]);
    let err = import_fails(site.path(), &bad_xml, "dongtai", &[]);
    assert!(
        err.contains("bad.docx：其中的 word/document.xml 不是有效的 XML"),
        "{err}"
    );

    let pdf = dir.path().join("a.pdf");
    std::fs::write(&pdf, b"%PDF-1.4").unwrap();
    let err = import_fails(site.path(), &pdf, "dongtai", &[]);
    assert!(err.contains("a.pdf：不支持的文件类型"), "{err}");

    let txt = fixture("import/tongzhi.txt");
    let err = import_fails(site.path(), &txt, "tongzhi-gonggao", &[]);
    assert!(err.contains("content/tongzhi-gonggao：目录不存在"), "{err}");
    let bundle = site.path().join("content/dongtai/huodong");
    std::fs::create_dir_all(&bundle).unwrap();
    std::fs::write(bundle.join("index.md"), "+++\ntitle = \"活动\"\n+++\n").unwrap();
    let err = import_fails(site.path(), &txt, "dongtai/huodong", &[]);
    assert!(err.contains("huodong：是一个页面包"), "{err}");
    std::fs::remove_dir_all(&bundle).unwrap();
    let err = import_fails(site.path(), &txt, "../..", &[]);
    assert!(err.contains("不能含 `..`"), "{err}");

    assert_eq!(common::tree(site.path()), before, "nothing written");

    // An existing page is only replaced when asked.
    let page = site.path().join("content/dongtai/tongzhi.md");
    std::fs::write(&page, "编辑改过的稿子").unwrap();
    let err = import_fails(site.path(), &txt, "dongtai", &[]);
    assert!(err.contains("tongzhi.md：已存在，未作改动"), "{err}");
    assert_eq!(text(&page), "编辑改过的稿子");
    import(site.path(), &txt, "dongtai", &["--force"]);
    assert!(text(&page).starts_with("+++\ntitle = \"关于开展"));
}

/// A document as simple as a .docx gets: no styles, numbering or properties.
fn plain_docx(path: &Path, paragraphs: &[&str], core: Option<&str>) {
    let body: String = paragraphs.iter().map(|p| para(None, &run(p))).collect();
    let document = format!(r#"<w:document {NS}><w:body>{body}</w:body></w:document>"#);
    let core = core.map(|title| CORE.replace("旧模板的标题", title));
    let parts: Vec<(&str, &[u8])> = core
        .iter()
        .map(|c| ("docProps/core.xml", c.as_bytes()))
        .collect();
    write_docx(path, &document, &parts);
}

#[test]
fn docx_titles() {
    let site = site();
    let dir = tempfile::tempdir().unwrap();
    // No Title style and an empty title property: the first line, when it looks like a
    // title; the date the document was created.
    let first = dir.path().join("first.docx");
    plain_docx(&first, &["支部书记讲党课", "正文第一段。"], Some(""));
    import(site.path(), &first, "dongtai", &[]);
    let page = text(site.path().join("content/dongtai/first.md"));
    assert!(
        page.starts_with(
            "+++\ntitle = \"支部书记讲党课\"\ndate = 2026-11-01\n+++\n\n正文第一段。\n"
        ),
        "{page}"
    );
    // The document's title property, not repeated when the first line says the same.
    let core = dir.path().join("core.docx");
    plain_docx(&core, &["学习心得", "正文。"], Some("学习心得"));
    import(site.path(), &core, "dongtai", &[]);
    let page = text(site.path().join("content/dongtai/core.md"));
    assert!(page.starts_with("+++\ntitle = \"学习心得\"\n"), "{page}");
    assert!(page.ends_with("+++\n\n正文。\n"), "{page}");
    // A document that starts with body text keeps it; the title is the file name, for now.
    let body = dir.path().join("心得体会.docx");
    plain_docx(
        &body,
        &["通过这次学习，我深刻认识到数据安全的重要性。"],
        None,
    );
    let out = import(site.path(), &body, "dongtai", &[]);
    assert!(out.stderr.contains("标题暂用文件名"), "{}", out.stderr);
    let page = text(site.path().join("content/dongtai/心得体会.md"));
    assert!(page.starts_with("+++\ntitle = \"心得体会\"\n"), "{page}");
    assert!(
        page.ends_with("+++\n\n通过这次学习，我深刻认识到数据安全的重要性。\n"),
        "{page}"
    );
    build(site.path(), &site.path().join("public"), &[]);
}

#[test]
fn more_errors() {
    let site = site();
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.docx");
    plain_docx(&empty, &["", "　　"], None);
    let err = import_fails(site.path(), &empty, "dongtai", &[]);
    assert!(err.contains("empty.docx：文件中没有文字"), "{err}");

    // More than the unpacking allowance (a “zip bomb”) is refused, whatever the size claims.
    let bomb = dir.path().join("bomb.docx");
    write_docx(&bomb, &" ".repeat(65 << 20), &[]);
    assert!(std::fs::metadata(&bomb).unwrap().len() < 1 << 20);
    let err = import_fails(site.path(), &bomb, "dongtai", &[]);
    assert!(
        err.contains("bomb.docx：其中的 word/document.xml 解压后超过 64 MB"),
        "{err}"
    );

    // A page without pictures and a bundle with them would share a URL.
    let docx = test_docx(dir.path());
    std::fs::write(
        site.path().join("content/dongtai/学习材料.md"),
        "+++\ntitle = \"旧\"\n+++\n",
    )
    .unwrap();
    let err = import_fails(site.path(), &docx, "dongtai", &["--force"]);
    assert!(err.contains("学习材料.md：已存在，与要写入的"), "{err}");
    assert!(!site.path().join("content/dongtai/学习材料").exists());

    let err = import_fails(site.path(), &docx, "dongtai", &["--slug", "a/b"]);
    assert!(err.contains("--slug"), "{err}");
}

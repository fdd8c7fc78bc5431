//! Word documents (.docx): a ZIP archive of XML parts (Office Open XML).
//!
//! Read: `word/document.xml` (paragraphs, runs, tables, pictures), `word/styles.xml` (which
//! style is a heading: Chinese Word names its styles by number, `1` being “heading 1”),
//! `word/numbering.xml` (automatic numbering: bullets, `1.`, `一、`), the relationships that
//! lead to pictures and link targets, and `docProps/core.xml` (title, date created).
//! Whatever cannot be converted is collected as notes for the report, with the paragraph.

use super::markdown::{plain_text, Block, Inline, Style};
use super::xml::{self, Element};
use super::{Document, Image, ImportError, Note};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Most bytes unpacked from one archive: a Word file is rarely more than a few tens of MB
/// unpacked, and a crafted one (a “zip bomb”) must not fill the memory.
const MAX_UNPACKED: u64 = 200 << 20;

/// Most bytes of one XML part: the tree takes several times its size in memory, and even a
/// thousand-page document has a few MB of XML.
const MAX_XML: u64 = 64 << 20;

/// The note for tracked changes: inserted text is kept, deleted text left out.
const REVISIONS: &str = "文档中有未接受的修订，已按接受全部修订后的内容导入";

/// Picture formats browsers show.
const WEB_IMAGES: &[&str] = &["png", "jpg", "jpeg", "gif", "webp", "svg", "bmp"];

/// Reads a .docx file into a document.
pub(crate) fn read(path: &Path) -> Result<Document, ImportError> {
    let mut pkg = Package::open(path)?;
    let document = pkg.xml("word/document.xml")?.ok_or_else(|| {
        ImportError::docx(
            path,
            "缺少 word/document.xml，不是 Word 文档（可能是 Excel、PowerPoint 文件或普通压缩包）",
        )
    })?;
    let styles = Styles::new(pkg.xml("word/styles.xml")?.as_ref());
    let numbering = Numbering::new(pkg.xml("word/numbering.xml")?.as_ref());
    let rels = relationships(pkg.xml("word/_rels/document.xml.rels")?.as_ref());
    let (core_title, created) = core(pkg.xml("docProps/core.xml")?.as_ref());
    let mut conv = Converter {
        styles,
        numbering,
        rels,
        entries: pkg.names(),
        images: BTreeMap::new(),
        used_names: HashSet::new(),
        title: None,
        title_open: false,
        para: 0,
        snippets: HashMap::new(),
        notes: Vec::new(),
    };
    let body = document.child("body").ok_or_else(|| {
        ImportError::docx(
            path,
            "word/document.xml 中没有正文（w:body），文件可能已损坏",
        )
    })?;
    let mut blocks = conv.body(body);
    let title = conv
        .title
        .take()
        .or_else(|| core_title.map(|t| take_matching(&mut blocks, t)))
        .or_else(|| take_first(&mut blocks));
    let mut images = Vec::new();
    for (part, name) in std::mem::take(&mut conv.images) {
        let bytes = pkg.bytes(&part, MAX_UNPACKED)?.unwrap_or_default();
        images.push(Image { name, bytes });
    }
    images.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Document {
        title,
        created,
        blocks,
        images,
        notes: conv.finish_notes(),
    })
}

// ---- The archive ----

/// The ZIP archive, with what is left of the unpacking allowance.
struct Package {
    zip: zip::ZipArchive<std::fs::File>,
    path: PathBuf,
    budget: u64,
}

impl Package {
    fn open(path: &Path) -> Result<Package, ImportError> {
        let file = std::fs::File::open(path).map_err(|e| ImportError::Read {
            path: path.to_path_buf(),
            source: e,
        })?;
        let zip = zip::ZipArchive::new(file).map_err(|_| {
            ImportError::docx(
                path,
                "不是有效的 .docx 文件（不是 ZIP 格式：可能已损坏、设置了打开密码，或是旧版 .doc 改了扩展名）：请用 Word 或 WPS 打开后另存为 .docx",
            )
        })?;
        Ok(Package {
            zip,
            path: path.to_path_buf(),
            budget: MAX_UNPACKED,
        })
    }

    /// Names of the entries, to tell which pictures exist without unpacking them.
    fn names(&self) -> HashSet<String> {
        self.zip.file_names().map(str::to_string).collect()
    }

    /// The bytes of one entry, `None` when there is no such entry. Reads at most `limit` and
    /// what is left of the allowance, whatever the archive claims the size is.
    fn bytes(&mut self, name: &str, limit: u64) -> Result<Option<Vec<u8>>, ImportError> {
        let mut entry = match self.zip.by_name(name) {
            Ok(e) => e,
            Err(zip::result::ZipError::FileNotFound) => return Ok(None),
            Err(e) => {
                return Err(ImportError::docx(
                    &self.path,
                    format!("无法读取其中的 {name}：{e}"),
                ))
            }
        };
        let cap = limit.min(self.budget);
        let mut bytes = Vec::new();
        (&mut entry)
            .take(cap + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| ImportError::docx(&self.path, format!("无法解压其中的 {name}：{e}")))?;
        if bytes.len() as u64 > cap {
            let what = if cap == limit {
                format!("其中的 {name} 解压后超过 {} MB", limit >> 20)
            } else {
                format!("全部内容解压后超过 {} MB", MAX_UNPACKED >> 20)
            };
            return Err(ImportError::docx(
                &self.path,
                format!("{what}，拒绝导入：文件可能已损坏，或图片太多太大"),
            ));
        }
        self.budget -= bytes.len() as u64;
        Ok(Some(bytes))
    }

    /// An XML part as a tree, `None` when missing.
    fn xml(&mut self, name: &str) -> Result<Option<Element>, ImportError> {
        let Some(bytes) = self.bytes(name, MAX_XML)? else {
            return Ok(None);
        };
        let bad = |detail: String| {
            ImportError::docx(
                &self.path,
                format!("其中的 {name} 不是有效的 XML（{detail}），文件可能已损坏"),
            )
        };
        let text = String::from_utf8(bytes).map_err(|_| bad("不是 UTF-8 编码".into()))?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        xml::parse(text).map(Some).map_err(bad)
    }
}

/// A relationship target inside the package, as an entry name; `None` when it would leave
/// the archive's root (`../../x`).
fn resolve(base_dir: &str, target: &str) -> Option<String> {
    let (mut parts, rest): (Vec<&str>, &str) = match target.strip_prefix('/') {
        Some(abs) => (Vec::new(), abs),
        None => (base_dir.split('/').collect(), target),
    };
    for seg in rest.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// One relationship of the document: where a picture or link points.
struct Rel {
    target: String,
    external: bool,
}

fn relationships(root: Option<&Element>) -> HashMap<String, Rel> {
    let Some(root) = root else {
        return HashMap::new();
    };
    root.elements()
        .filter_map(|r| {
            let id = r.attr("Id")?.to_string();
            let rel = Rel {
                target: r.attr("Target")?.to_string(),
                external: r.attr("TargetMode") == Some("External"),
            };
            Some((id, rel))
        })
        .collect()
}

/// `dc:title` and the date part of `dcterms:created`.
fn core(root: Option<&Element>) -> (Option<String>, Option<String>) {
    let Some(root) = root else {
        return (None, None);
    };
    let title = root
        .child("title")
        .map(|t| t.text().trim().to_string())
        .filter(|t| !t.is_empty());
    let created = root.child("created").and_then(|c| {
        let text = c.text();
        let date = text.trim().get(..10)?;
        let ok = date.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
        ok.then(|| date.to_string())
    });
    (title, created)
}

// ---- Styles and numbering ----

/// What a paragraph style makes of a paragraph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Title,
    Heading(u8),
    /// An entry of Word's automatic table of contents.
    Toc,
    Body,
}

#[derive(Default)]
struct StyleInfo {
    name: String,
    based_on: Option<String>,
    outline: Option<u8>,
    bold: Option<bool>,
    italic: Option<bool>,
    num: Option<(String, u8)>,
}

struct Styles(HashMap<String, StyleInfo>);

impl Styles {
    fn new(root: Option<&Element>) -> Styles {
        let mut map = HashMap::new();
        for s in root
            .iter()
            .flat_map(|r| r.elements())
            .filter(|e| e.name == "style")
        {
            let Some(id) = s.attr("styleId") else {
                continue;
            };
            let val = |path: &[&str]| s.path(path).and_then(|e| e.attr("val")).map(str::to_string);
            let info = StyleInfo {
                name: val(&["name"]).unwrap_or_default(),
                based_on: val(&["basedOn"]),
                outline: val(&["pPr", "outlineLvl"]).and_then(|v| v.parse().ok()),
                bold: s.path(&["rPr", "b"]).map(on),
                italic: s.path(&["rPr", "i"]).map(on),
                num: s.path(&["pPr", "numPr"]).and_then(num_ref),
            };
            map.insert(id.to_string(), info);
        }
        Styles(map)
    }

    /// The style and the styles it is based on, nearest first (at most ten: loops exist).
    fn chain<'a>(&'a self, id: Option<&'a str>) -> impl Iterator<Item = (&'a str, &'a StyleInfo)> {
        let mut next = id;
        std::iter::from_fn(move || {
            let id = next?;
            let info = self.0.get(id)?;
            next = info.based_on.as_deref();
            Some((id, info))
        })
        .take(10)
    }

    fn role(&self, id: Option<&str>, outline: Option<u8>) -> Role {
        if let Some(level) = outline.filter(|l| *l < 9) {
            return Role::Heading(level + 1);
        }
        for (id, info) in self.chain(id) {
            if let Some(role) = role_by_name(&info.name).or_else(|| role_by_name(id)) {
                return role;
            }
            if let Some(level) = info.outline.filter(|l| *l < 9) {
                return Role::Heading(level + 1);
            }
        }
        id.and_then(role_by_name).unwrap_or(Role::Body)
    }

    fn num(&self, id: Option<&str>) -> Option<(String, u8)> {
        self.chain(id).find_map(|(_, s)| s.num.clone())
    }

    /// Bold and italic set by a character style.
    fn char_style(&self, id: Option<&str>) -> (Option<bool>, Option<bool>) {
        let chain: Vec<&StyleInfo> = self.chain(id).map(|(_, s)| s).collect();
        (
            chain.iter().find_map(|s| s.bold),
            chain.iter().find_map(|s| s.italic),
        )
    }
}

/// `heading 2`, `Heading2`, `标题 2`, `title`, `toc 1`.
fn role_by_name(name: &str) -> Option<Role> {
    let compact: String = name
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    if compact == "title" || compact == "标题" {
        return Some(Role::Title);
    }
    for prefix in ["heading", "标题"] {
        if let Some(level) = compact
            .strip_prefix(prefix)
            .and_then(|n| n.parse::<u8>().ok())
        {
            return (1..=9).contains(&level).then_some(Role::Heading(level));
        }
    }
    for prefix in ["toc", "目录"] {
        if compact
            .strip_prefix(prefix)
            .is_some_and(|n| n.parse::<u8>().is_ok())
        {
            return Some(Role::Toc);
        }
    }
    None
}

/// Whether an on/off property is on: `<w:b/>`, `<w:b w:val="true"/>`; not `w:val="0"`.
fn on(e: &Element) -> bool {
    !matches!(e.attr("val"), Some("0" | "false" | "off" | "none"))
}

fn num_ref(num_pr: &Element) -> Option<(String, u8)> {
    let id = num_pr.child("numId")?.attr("val")?.to_string();
    let level = num_pr
        .child("ilvl")
        .and_then(|l| l.attr("val"))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    Some((id, level))
}

/// One level of a numbering definition.
#[derive(Clone)]
struct Level {
    format: String,
    text: String,
    start: u32,
}

/// The numbering definitions and the counters as the document goes on.
struct Numbering {
    nums: HashMap<String, String>,
    abstracts: HashMap<String, HashMap<u8, Level>>,
    counters: HashMap<String, BTreeMap<u8, u32>>,
}

/// What automatic numbering makes of a paragraph.
enum Mark {
    Bullet(usize),
    /// A Markdown numbered list item: depth, the number as shown (for a heading), the number.
    Ordered(usize, String, u32),
    /// Numbering shown as text, such as `一、` or `（1）`.
    Text(String),
}

impl Numbering {
    fn new(root: Option<&Element>) -> Numbering {
        let mut nums = HashMap::new();
        let mut abstracts = HashMap::new();
        for e in root.iter().flat_map(|r| r.elements()) {
            match e.name.as_str() {
                "abstractNum" => {
                    let Some(id) = e.attr("abstractNumId") else {
                        continue;
                    };
                    let levels = e
                        .elements()
                        .filter(|l| l.name == "lvl")
                        .filter_map(|l| Some((l.attr("ilvl")?.parse().ok()?, level(l))))
                        .collect();
                    abstracts.insert(id.to_string(), levels);
                }
                "num" => {
                    let abs = e.child("abstractNumId").and_then(|a| a.attr("val"));
                    if let (Some(id), Some(abs)) = (e.attr("numId"), abs) {
                        nums.insert(id.to_string(), abs.to_string());
                    }
                }
                _ => {}
            }
        }
        Numbering {
            nums,
            abstracts,
            counters: HashMap::new(),
        }
    }

    /// Counts one more paragraph of list `id` at `ilvl` and says how it is numbered.
    fn next(&mut self, id: &str, ilvl: u8) -> Option<Mark> {
        let levels = self.abstracts.get(self.nums.get(id)?)?;
        let level = levels.get(&ilvl)?;
        let counters = self.counters.entry(id.to_string()).or_default();
        let n = counters
            .get(&ilvl)
            .map_or(level.start, |n| n.saturating_add(1));
        counters.insert(ilvl, n);
        counters.retain(|l, _| *l <= ilvl);
        let depth = usize::from(ilvl);
        match level.format.as_str() {
            "bullet" => return Some(Mark::Bullet(depth)),
            "none" | "" => return None,
            _ => {}
        }
        let mut text = level.text.clone();
        for l in (0..=ilvl).rev() {
            let value = counters
                .get(&l)
                .copied()
                .unwrap_or_else(|| levels.get(&l).map_or(1, |x| x.start));
            let format = levels.get(&l).map_or("decimal", |x| x.format.as_str());
            let placeholder = format!("%{}", u16::from(l) + 1);
            text = text.replace(&placeholder, &format_number(value, format));
        }
        // `%1.` in digits is what Markdown lists show; `（%1）` or `%1、` stay text.
        let own = format!("%{}", u16::from(ilvl) + 1);
        let list = level.format == "decimal"
            && (level.text == own.clone() + "." || level.text == own + ")");
        Some(if list {
            Mark::Ordered(depth, text, n)
        } else {
            Mark::Text(text)
        })
    }
}

fn level(l: &Element) -> Level {
    let val = |name: &str| {
        l.child(name)
            .and_then(|e| e.attr("val"))
            .map(str::to_string)
    };
    Level {
        format: val("numFmt").unwrap_or_else(|| "decimal".into()),
        text: val("lvlText").unwrap_or_default(),
        start: val("start").and_then(|s| s.parse().ok()).unwrap_or(1),
    }
}

/// A counter value in a Word number format.
fn format_number(n: u32, format: &str) -> String {
    match format {
        f if f.starts_with("chinese") || f.starts_with("ideograph") || f == "taiwaneseCounting" => {
            chinese_number(n)
        }
        "lowerLetter" | "upperLetter" => {
            let c = char::from(b'a' + ((n.max(1) - 1) % 26) as u8);
            if format == "upperLetter" {
                c.to_ascii_uppercase().to_string()
            } else {
                c.to_string()
            }
        }
        "decimalEnclosedCircle" | "decimalEnclosedCircleChinese" if (1..=20).contains(&n) => {
            char::from_u32(0x2460 + n - 1).map_or(n.to_string(), String::from)
        }
        _ => n.to_string(),
    }
}

/// 1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九; larger numbers in digits.
fn chinese_number(n: u32) -> String {
    const DIGITS: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    let digit = |d: u32| DIGITS[d as usize % 10];
    match n {
        0..=9 => digit(n).to_string(),
        10..=19 => format!("十{}", if n == 10 { "" } else { digit(n - 10) }),
        20..=99 => format!(
            "{}十{}",
            digit(n / 10),
            if n % 10 == 0 { "" } else { digit(n % 10) }
        ),
        _ => n.to_string(),
    }
}

// ---- The body ----

struct Converter {
    styles: Styles,
    numbering: Numbering,
    rels: HashMap<String, Rel>,
    entries: HashSet<String>,
    /// Pictures to extract: archive entry → file name in the bundle.
    images: BTreeMap<String, String>,
    used_names: HashSet<String>,
    /// The text of the paragraph styled Title, once seen.
    title: Option<String>,
    /// The paragraph before was (part of) the title.
    title_open: bool,
    /// Number of the current paragraph (tables count as one), for the report.
    para: usize,
    snippets: HashMap<usize, String>,
    notes: Vec<(usize, String)>,
}

impl Converter {
    fn note(&mut self, what: impl Into<String>) {
        let note = (self.para, what.into());
        if !self.notes.contains(&note) {
            self.notes.push(note);
        }
    }

    fn finish_notes(&self) -> Vec<Note> {
        self.notes
            .iter()
            .map(|(para, what)| Note {
                at: match self.snippets.get(para) {
                    Some(s) if !s.is_empty() => format!("第 {para} 段（“{s}”）"),
                    _ => format!("第 {para} 段"),
                },
                what: what.clone(),
            })
            .collect()
    }

    fn body(&mut self, body: &Element) -> Vec<Block> {
        let mut blocks = Vec::new();
        for e in body.elements() {
            match e.name.as_str() {
                "p" => {
                    self.para += 1;
                    let new = self.paragraph(e);
                    self.remember(&new);
                    blocks.extend(new);
                }
                "tbl" => {
                    self.para += 1;
                    self.title_open = false;
                    let table = self.table(e);
                    self.remember(std::slice::from_ref(&table));
                    blocks.push(table);
                }
                "sdt" => {
                    if let Some(content) = e.child("sdtContent") {
                        blocks.extend(self.body(content));
                    }
                }
                "AlternateContent" => {
                    if let Some(choice) = alternative(e) {
                        blocks.extend(self.body(choice));
                    }
                }
                "oMathPara" => {
                    self.para += 1;
                    self.note("公式未导入");
                }
                _ => {}
            }
        }
        blocks
    }

    /// Keeps the start of a paragraph's text for the report.
    fn remember(&mut self, blocks: &[Block]) {
        let text: String = blocks.iter().map(block_text).collect();
        let text = text.trim();
        let mut snippet: String = text.chars().take(12).collect();
        if text.chars().count() > 12 {
            snippet.push('…');
        }
        self.snippets.insert(self.para, snippet);
    }

    fn paragraph(&mut self, p: &Element) -> Vec<Block> {
        let ppr = p.child("pPr");
        let style = ppr
            .and_then(|x| x.child("pStyle"))
            .and_then(|s| s.attr("val"));
        let outline = ppr
            .and_then(|x| x.child("outlineLvl"))
            .and_then(|o| o.attr("val"))
            .and_then(|v| v.parse().ok());
        let role = self.styles.role(style, outline);
        if role == Role::Toc {
            self.note("Word 自动目录未导入（网站会按标题自动生成目录）");
            return Vec::new();
        }
        let mut inlines = Vec::new();
        self.inlines(p, &mut inlines);
        let num = ppr
            .and_then(|x| x.child("numPr"))
            .and_then(num_ref)
            .or_else(|| self.styles.num(style));
        let mark = num
            .filter(|(id, _)| id != "0")
            .and_then(|(id, level)| self.numbering.next(&id, level));
        let has_text = !plain_text(&inlines).trim().is_empty();
        if !has_text && !inlines.iter().any(|i| matches!(i, Inline::Image(..))) {
            return Vec::new();
        }
        self.place(role, mark, inlines)
    }

    /// What a paragraph with text or pictures becomes, by its style and numbering. Pictures
    /// in a title, heading or list item follow it as a paragraph of their own.
    fn place(&mut self, role: Role, mark: Option<Mark>, inlines: Vec<Inline>) -> Vec<Block> {
        let (pictures, mut words): (Vec<Inline>, Vec<Inline>) = inlines
            .into_iter()
            .partition(|i| matches!(i, Inline::Image(..)));
        let text = plain_text(&words).trim().to_string();
        self.title_open &= role == Role::Title;
        let number = match &mark {
            Some(Mark::Text(n) | Mark::Ordered(_, n, _)) => Some(n.clone()),
            _ => None,
        };
        let block = match (role, mark) {
            // A long title often takes two Title paragraphs (`关于……` / `的通知`).
            (Role::Title, _) if (self.title.is_none() || self.title_open) && !text.is_empty() => {
                self.title.get_or_insert_default().push_str(&text);
                self.title_open = true;
                None
            }
            (Role::Heading(level), _) if !text.is_empty() => {
                words.splice(0..0, number.map(Inline::plain));
                Some(Block::Heading(level, words))
            }
            (_, Some(Mark::Bullet(depth))) if !text.is_empty() => Some(Block::Item {
                number: None,
                depth,
                content: words,
            }),
            (_, Some(Mark::Ordered(depth, _, n))) if !text.is_empty() => Some(Block::Item {
                number: Some(n),
                depth,
                content: words,
            }),
            _ => {
                words.splice(0..0, number.map(Inline::plain));
                words.extend(pictures);
                return vec![Block::Para(words)];
            }
        };
        let mut out: Vec<Block> = block.into_iter().collect();
        if !pictures.is_empty() {
            out.push(Block::Para(pictures));
        }
        out
    }

    /// The text, pictures and links inside a paragraph (or a link, a content control…).
    fn inlines(&mut self, parent: &Element, out: &mut Vec<Inline>) {
        for e in parent.elements() {
            match e.name.as_str() {
                "r" => self.run(e, out),
                "hyperlink" => self.hyperlink(e, out),
                "ins" => {
                    self.note(REVISIONS);
                    self.inlines(e, out);
                }
                "smartTag" | "customXml" | "sdt" | "sdtContent" | "fldSimple" | "dir" | "bdo" => {
                    self.inlines(e, out)
                }
                "del" | "moveFrom" => self.note(REVISIONS),
                "oMath" | "oMathPara" => self.note("公式未导入"),
                "AlternateContent" => {
                    if let Some(choice) = alternative(e) {
                        self.inlines(choice, out);
                    }
                }
                _ => {}
            }
        }
    }

    fn run(&mut self, r: &Element, out: &mut Vec<Inline>) {
        let rpr = r.child("rPr");
        let char_style = rpr
            .and_then(|x| x.child("rStyle"))
            .and_then(|s| s.attr("val"));
        let (style_bold, style_italic) = self.styles.char_style(char_style);
        let direct = |name: &str| rpr.and_then(|x| x.child(name)).map(on);
        let style = Style {
            bold: direct("b").or(style_bold).unwrap_or(false),
            italic: direct("i").or(style_italic).unwrap_or(false),
        };
        self.run_content(r, style, out);
    }

    fn run_content(&mut self, r: &Element, style: Style, out: &mut Vec<Inline>) {
        for e in r.elements() {
            match e.name.as_str() {
                "t" => out.push(Inline::Text(e.text(), style)),
                "tab" | "ptab" => out.push(Inline::Text(" ".into(), style)),
                // Page and column breaks are layout; a line break is text.
                "br" | "cr" if !matches!(e.attr("type"), Some("page" | "column")) => {
                    out.push(Inline::Break)
                }
                "noBreakHyphen" => out.push(Inline::Text("-".into(), style)),
                "drawing" => self.drawing(e, out),
                "pict" => self.vml(e, out),
                "object" => self.note("嵌入对象（如 Excel 表格、旧版公式）未导入"),
                "sym" => self.note("特殊符号（Symbol/Wingdings 字体）未导入"),
                "footnoteReference" => self.note("脚注未导入"),
                "endnoteReference" => self.note("尾注未导入"),
                "commentReference" => self.note("批注未导入"),
                "AlternateContent" => {
                    if let Some(choice) = alternative(e) {
                        self.run_content(choice, style, out);
                    }
                }
                _ => {}
            }
        }
    }

    fn hyperlink(&mut self, h: &Element, out: &mut Vec<Inline>) {
        let mut inner = Vec::new();
        self.inlines(h, &mut inner);
        let url = h
            .attr("id")
            .and_then(|id| self.rels.get(id))
            .filter(|r| r.external)
            .map(|r| r.target.clone());
        match url {
            Some(url)
                if ["http://", "https://", "mailto:"]
                    .iter()
                    .any(|s| url.starts_with(s)) =>
            {
                out.push(Inline::Link(url, inner));
            }
            Some(url) => {
                self.note(format!("链接（{url}）不是网址，只保留了文字"));
                out.extend(inner);
            }
            None => out.extend(inner),
        }
    }

    /// A DrawingML object: a picture, or something that is noted as not imported.
    fn drawing(&mut self, d: &Element, out: &mut Vec<Inline>) {
        if d.find("txbxContent").is_some() {
            self.note("文本框中的文字未导入");
        } else if let Some(blip) = d.find("blip") {
            let alt = d
                .find("docPr")
                .and_then(|p| {
                    p.attr("descr")
                        .filter(|s| !s.trim().is_empty())
                        .or(p.attr("title"))
                })
                .unwrap_or_default()
                .trim()
                .to_string();
            match (blip.attr("embed"), blip.attr("link")) {
                (Some(id), _) => self.picture(id, alt, out),
                (None, Some(_)) => self.note("链接到外部文件的图片未导入：请把图片放进页面目录"),
                (None, None) => self.note("图片未导入（找不到图片数据）"),
            }
        } else if d.find("chart").is_some() {
            self.note("图表未导入：可另存为图片后插入");
        } else if d.find("relIds").is_some() {
            self.note("SmartArt 图形未导入：可另存为图片后插入");
        } else {
            self.note("图形（形状、艺术字）未导入");
        }
    }

    /// A VML picture (documents from older Word versions).
    fn vml(&mut self, p: &Element, out: &mut Vec<Inline>) {
        if p.find("textbox").is_some() {
            self.note("文本框中的文字未导入");
        } else if let Some(id) = p.find("imagedata").and_then(|i| i.attr("id")) {
            let alt = p
                .find("shape")
                .and_then(|s| s.attr("alt"))
                .unwrap_or_default()
                .to_string();
            self.picture(id, alt, out);
        } else {
            self.note("图形（形状、艺术字）未导入");
        }
    }

    /// The picture of relationship `id`, extracted into the bundle when browsers can show it.
    fn picture(&mut self, id: &str, alt: String, out: &mut Vec<Inline>) {
        let Some(rel) = self.rels.get(id) else {
            self.note("图片未导入（找不到图片数据）");
            return;
        };
        if rel.external {
            self.note("链接到外部文件的图片未导入：请把图片放进页面目录");
            return;
        }
        let Some(part) = resolve("word", &rel.target) else {
            self.note("图片的路径指向文档之外，不安全，未导入");
            return;
        };
        if !self.entries.contains(&part) {
            self.note("图片未导入（文件中缺少图片数据）");
            return;
        }
        let ext = part
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        if !WEB_IMAGES.contains(&ext.as_str()) {
            self.note(format!(
                "不支持的图片格式 {}（网页无法显示），未导入：请在 Word 中另存为 PNG 后放进页面目录",
                ext.to_uppercase()
            ));
            return;
        }
        let name = match self.images.get(&part) {
            Some(name) => name.clone(),
            None => {
                let name = self.bundle_name(&part, &ext);
                self.images.insert(part, name.clone());
                name
            }
        };
        out.push(Inline::Image(name, alt));
    }

    /// A safe, unique file name for a picture: its name in the archive, reduced to letters,
    /// digits, `-` and `_` (it never carries a path).
    fn bundle_name(&mut self, part: &str, ext: &str) -> String {
        let file = part.rsplit('/').next().unwrap_or(part);
        let stem = file.strip_suffix(&format!(".{ext}")).unwrap_or(file);
        let mut stem: String = stem
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        if stem.trim_matches('-').is_empty() {
            stem = "image".into();
        }
        let mut name = format!("{stem}.{ext}");
        let mut n = 2;
        while !self.used_names.insert(name.clone()) {
            name = format!("{stem}-{n}.{ext}");
            n += 1;
        }
        name
    }

    fn table(&mut self, tbl: &Element) -> Block {
        let mut rows = Vec::new();
        for tr in tbl.elements().filter(|e| e.name == "tr") {
            let mut row = Vec::new();
            for tc in tr.elements().filter(|e| e.name == "tc") {
                let props = tc.child("tcPr");
                let span: usize = props
                    .and_then(|p| p.child("gridSpan"))
                    .and_then(|g| g.attr("val"))
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(1)
                    .clamp(1, 64);
                let vmerge = props.and_then(|p| p.child("vMerge"));
                if span > 1 || vmerge.is_some() {
                    self.note("表格有合并单元格：已拆开，文字留在合并区域的第一格，请核对");
                }
                let continued = vmerge.is_some_and(|v| v.attr("val") != Some("restart"));
                row.push(if continued { Vec::new() } else { self.cell(tc) });
                row.extend((1..span).map(|_| Vec::new()));
            }
            rows.push(row);
        }
        Block::Table(rows)
    }

    /// A cell's paragraphs, joined by line breaks; a nested table is flattened into lines.
    fn cell(&mut self, tc: &Element) -> Vec<Inline> {
        let mut out = Vec::new();
        for e in tc.elements() {
            match e.name.as_str() {
                "p" => {
                    let separated = !out.is_empty();
                    if separated {
                        out.push(Inline::Break);
                    }
                    let before = out.len();
                    self.inlines(e, &mut out);
                    if separated && out.len() == before {
                        out.pop();
                    }
                }
                "tbl" => {
                    self.note("嵌套表格（表格中的表格）已拆成单元格中的多行文字，请核对");
                    let Block::Table(rows) = self.table(e) else {
                        continue;
                    };
                    for row in rows {
                        let cells: Vec<String> = row.iter().map(|c| plain_text(c)).collect();
                        if !out.is_empty() {
                            out.push(Inline::Break);
                        }
                        out.push(Inline::plain(cells.join(" ")));
                    }
                }
                "sdt" => {
                    if let Some(content) = e.child("sdtContent") {
                        out.extend(self.cell(content));
                    }
                }
                _ => {}
            }
        }
        out
    }
}

/// The content of `mc:AlternateContent` to read: the first choice (what current Word writes
/// and we understand), else the fallback. Reading both would import everything twice.
fn alternative(e: &Element) -> Option<&Element> {
    e.child("Choice").or_else(|| e.child("Fallback"))
}

fn block_text(b: &Block) -> String {
    match b {
        Block::Para(i) | Block::Heading(_, i) | Block::Item { content: i, .. } => plain_text(i),
        Block::Table(rows) => rows
            .iter()
            .flatten()
            .map(|c| plain_text(c))
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// The title `title` from `core.xml`, the first paragraph removed when it repeats it.
fn take_matching(blocks: &mut Vec<Block>, title: String) -> String {
    let first = blocks.iter().position(|b| !block_text(b).trim().is_empty());
    if let Some(i) = first.filter(|&i| block_text(&blocks[i]).trim() == title) {
        remove_text(blocks, i);
    }
    title
}

/// Takes the first paragraph with text as the title when it looks like one (its pictures stay
/// in the body).
fn take_first(blocks: &mut Vec<Block>) -> Option<String> {
    let i = blocks
        .iter()
        .position(|b| !block_text(b).trim().is_empty())?;
    let title = block_text(&blocks[i]).trim().to_string();
    if !matches!(blocks[i], Block::Para(_) | Block::Heading(..)) || !super::title_like(&title) {
        return None;
    }
    remove_text(blocks, i);
    Some(title)
}

/// Removes a title paragraph, keeping any pictures it had.
fn remove_text(blocks: &mut Vec<Block>, i: usize) {
    let pictures: Vec<Inline> = match &blocks[i] {
        Block::Para(inl) | Block::Heading(_, inl) => inl
            .iter()
            .filter(|x| matches!(x, Inline::Image(..)))
            .cloned()
            .collect(),
        _ => Vec::new(),
    };
    if pictures.is_empty() {
        blocks.remove(i);
    } else {
        blocks[i] = Block::Para(pictures);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_stay_inside_the_archive() {
        assert_eq!(
            resolve("word", "media/image1.png").as_deref(),
            Some("word/media/image1.png")
        );
        assert_eq!(
            resolve("word", "/word/media/a.png").as_deref(),
            Some("word/media/a.png")
        );
        assert_eq!(
            resolve("word", "../media/a.png").as_deref(),
            Some("media/a.png")
        );
        assert_eq!(resolve("word", "../../../etc/passwd"), None);
    }

    #[test]
    fn style_names() {
        assert_eq!(role_by_name("heading 1"), Some(Role::Heading(1)));
        assert_eq!(role_by_name("Heading2"), Some(Role::Heading(2)));
        assert_eq!(role_by_name("标题 3"), Some(Role::Heading(3)));
        assert_eq!(role_by_name("title"), Some(Role::Title));
        assert_eq!(role_by_name("toc 1"), Some(Role::Toc));
        assert_eq!(role_by_name("normal"), None);
    }

    #[test]
    fn chinese_numbers() {
        let got: Vec<String> = [1, 9, 10, 11, 20, 35, 100].map(chinese_number).to_vec();
        assert_eq!(got, ["一", "九", "十", "十一", "二十", "三十五", "100"]);
    }
}

//! Walking `content/` and reading files as text.
//!
//! This is the only place that touches the content tree on disk: later stages work on the
//! `SourceFile` list, which is sorted so that every build sees files in the same order.

use crate::diagnostic::{Diagnostic, Position};
use std::path::{Path, PathBuf};

/// What a file in `content/` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// `_index.md`: the section of its directory.
    Section,
    /// Any other `.md`; `index.md` makes its directory a page bundle.
    Page,
    /// Anything else: copied beside the page or section that owns its directory.
    Asset,
}

/// One file found under `content/`.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path on disk.
    pub path: PathBuf,
    /// Path relative to `content/`, with `/` separators: the name internal links use.
    pub rel: String,
    /// Section, page or asset.
    pub kind: SourceKind,
}

/// Every file under `content/`, sorted, with problems (unreadable entries, loops) reported.
///
/// Hidden files and editors' temporary files are skipped: publishing `~$报告.docx` or a `.swp`
/// would leak half-saved work. Symbolic links are followed while they stay inside `content/`;
/// one that points elsewhere (`content/资料 -> /home/…`) is skipped with a warning, so a link
/// can never publish files from outside the site. A link that loops back to a directory above
/// it is skipped with a warning too: everything it would show is read once already.
pub fn walk(content: &Path, shown_root: &Path) -> (Vec<SourceFile>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    let real_content = std::fs::canonicalize(content).unwrap_or_else(|_| content.to_path_buf());
    let mut walker = walkdir::WalkDir::new(content)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_ignored(e.file_name().to_string_lossy().as_ref()));
    while let Some(entry) = walker.next() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e.path().unwrap_or(content).to_path_buf();
                let shown = shown(shown_root, &path);
                problems.push(if e.loop_ancestor().is_some() {
                    Diagnostic::warning(shown, Position::default(), "符号链接形成循环，已跳过")
                } else {
                    Diagnostic::file_error(
                        shown,
                        format!(
                            "无法读取：{}",
                            e.io_error().map_or(e.to_string(), |io| io.to_string())
                        ),
                    )
                });
                continue;
            }
        };
        if entry.path_is_symlink() {
            let target = std::fs::canonicalize(entry.path());
            if !target.as_ref().is_ok_and(|t| t.starts_with(&real_content)) {
                let target =
                    target.unwrap_or_else(|_| std::fs::read_link(entry.path()).unwrap_or_default());
                problems.push(Diagnostic::warning(
                    shown(shown_root, entry.path()),
                    Position::default(),
                    format!(
                        "符号链接指向 content/ 之外（{}），已跳过：请把要发布的文件复制到 content/ 中",
                        target.display()
                    ),
                ));
                if entry.file_type().is_dir() {
                    walker.skip_current_dir();
                }
                continue;
            }
        }
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path().to_path_buf();
        let rel = rel_path(content, &path);
        let name = entry.file_name().to_string_lossy();
        let kind = if name == "_index.md" {
            SourceKind::Section
        } else if name.ends_with(".md") {
            SourceKind::Page
        } else {
            SourceKind::Asset
        };
        files.push(SourceFile { path, rel, kind });
    }
    (files, problems)
}

/// Names never published: hidden files and editors' temporary or lock files.
pub fn is_ignored(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with("~$")
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || (name.starts_with('#') && name.ends_with('#'))
}

/// `path` relative to `base`, with `/` separators on every platform.
pub fn rel_path(base: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(base).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn shown(root: &Path, path: &Path) -> PathBuf {
    crate::diagnostic::display_path(root, path)
}

/// A content file decoded to text, with what was noticed on the way.
#[derive(Debug, Clone)]
pub struct Text {
    /// The text, BOM removed, line ends normalised to `\n`.
    pub text: String,
    /// Findings that do not stop reading (a file in GBK or UTF-16 rather than UTF-8).
    pub warnings: Vec<Diagnostic>,
}

/// Reads a text file: UTF-8 with or without BOM, line endings normalised to `\n`.
///
/// Normalising CRLF here means every later stage (front matter split, Markdown, line numbers)
/// sees one convention, and files saved by Windows editors behave like any other.
///
/// What editors actually save is accepted where it can be read without guessing wrong:
/// - UTF-16 with a byte order mark (Notepad's “Unicode”) is decoded, with a warning (rule
///   `utf16`);
/// - a file that is not UTF-8 but decodes as GB18030 (a superset of GBK and GB2312) without a
///   single invalid byte and without control characters is decoded, with a warning (rule `gbk`,
///   which a site can make an error in `[check] severity`);
/// - images, Word documents, archives, UTF-16 without BOM and other binary data are errors
///   naming the file, as is UTF-8 text containing NUL characters (located);
/// - files larger than [`MAX_TEXT_BYTES`] are refused before they are read.
pub fn read_text(path: &Path, shown: &Path) -> Result<Text, Diagnostic> {
    use std::io::Read;
    let failed = |e: std::io::Error| Diagnostic::file_error(shown, format!("无法读取文件：{e}"));
    // One open, and the size from the open file: no second look-up of the path.
    let mut file = std::fs::File::open(path).map_err(failed)?;
    let size = file.metadata().map_err(failed)?.len();
    if size > MAX_TEXT_BYTES {
        return Err(Diagnostic::file_error(
            shown,
            format!(
                "文件太大（{} MB），Markdown 文件最大 {} MB：请拆分成几篇，或把大段数据作为附件",
                size.div_ceil(1 << 20),
                MAX_TEXT_BYTES >> 20
            ),
        ));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.read_to_end(&mut bytes).map_err(failed)?;
    decode(bytes, shown).map(|(text, warnings)| Text {
        text: normalise_newlines(text),
        warnings,
    })
}

/// The largest Markdown file read: 20 MB, some ten million Chinese characters. A longer article
/// is certainly a mistake (a data dump, or a binary file with a `.md` name), and refusing it
/// keeps the build's memory bounded: rendering, search text and the written page together take
/// about 25 times the file's size.
pub const MAX_TEXT_BYTES: u64 = 20 << 20;

/// Decodes `bytes` as UTF-8 (BOM stripped), UTF-16 with BOM, or GB18030; see [`read_text`].
pub fn decode(mut bytes: Vec<u8>, shown: &Path) -> Result<(String, Vec<Diagnostic>), Diagnostic> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    } else if let Some((encoding, _)) = encoding_rs::Encoding::for_bom(&bytes) {
        // UTF-16LE or UTF-16BE (UTF-8 was handled above).
        let Some(text) = encoding.decode_without_bom_handling_and_without_replacement(&bytes[2..])
        else {
            return Err(Diagnostic::file_error(
                shown,
                "文件以 UTF-16 标记开头，但内容无法按 UTF-16 解码（文件可能已损坏）；请用 UTF-8 重新保存",
            ));
        };
        let text = text.into_owned();
        if let Some(d) = forbidden_char(&text, shown) {
            return Err(d);
        }
        let warning = Diagnostic::warning(
            shown,
            Position::default(),
            format!(
                "文件是 {} 编码，已自动转换读取；建议用 UTF-8 重新保存",
                encoding.name()
            ),
        )
        .with_rule("utf16");
        return Ok((text, vec![warning]));
    }
    // encoding_rs validates Chinese text in some 40% fewer instructions than
    // `String::from_utf8` (it dispatches on the lead byte), which pays for the copy.
    if let Some(text) =
        encoding_rs::UTF_8.decode_without_bom_handling_and_without_replacement(&bytes)
    {
        if looks_like_utf16(text.as_bytes()) {
            return Err(not_text(shown, "似乎是不带 BOM 标记的 UTF-16 编码文本"));
        }
        return match forbidden_char(&text, shown) {
            Some(d) => Err(d),
            None => Ok((text.into_owned(), Vec::new())),
        };
    }
    let invalid_at = encoding_rs::Encoding::utf8_valid_up_to(&bytes);
    if let Some(what) = binary_kind(&bytes) {
        return Err(not_text(shown, what));
    }
    if let Some(text) = encoding_rs::GB18030
        .decode_without_bom_handling_and_without_replacement(&bytes)
        .filter(|t| first_forbidden(t.as_bytes()).is_none())
    {
        let warning = Diagnostic::warning(
            shown,
            Position::default(),
            "文件是 GBK/GB18030 编码，已按 GBK 读取；建议用 UTF-8 重新保存",
        )
        .with_rule("gbk");
        return Ok((text.into_owned(), vec![warning]));
    }
    let pos = Position::of_offset(&String::from_utf8_lossy(&bytes[..invalid_at]), invalid_at);
    Err(Diagnostic::error(
        shown,
        pos,
        "文件既不是 UTF-8 也不是 GBK 编码，无法读取（此处是第一个无法识别的字节）；请用 UTF-8 重新保存",
    ))
}

/// Characters that never occur in text an editor saved: NUL and the C0 controls other than
/// tab, line feed, form feed and carriage return, and DEL. They would also make feeds invalid
/// XML. All are ASCII, so a byte of UTF-8 text is tested on its own (an ASCII byte is always a
/// whole character). Written without short-circuits so that [`crate::scan::first_byte`]
/// vectorises.
fn is_forbidden(b: u8) -> bool {
    let allowed = (b == b'\t') | (b == b'\n') | (b == 0x0C) | (b == b'\r');
    ((b < 0x20) & !allowed) | (b == 0x7F)
}

/// Byte offset of the first forbidden character in `bytes` (every file read goes through here).
fn first_forbidden(bytes: &[u8]) -> Option<usize> {
    crate::scan::first_byte(bytes, is_forbidden)
}

/// A located error at the first forbidden control character, if any.
fn forbidden_char(text: &str, shown: &Path) -> Option<Diagnostic> {
    let at = first_forbidden(text.as_bytes())?;
    let c = char::from(text.as_bytes()[at]);
    let name = if c == '\0' {
        " NUL 字符（\\0）".to_string()
    } else {
        format!("控制字符 U+{:04X}", c as u32)
    };
    Some(
        Diagnostic::error(
            shown,
            Position::of_offset(text, at),
            format!("文件含有{name}，可能已损坏或不是文本文件；请删除该字符或用 UTF-8 重新保存"),
        )
        .with_len(1),
    )
}

/// The error for a file that is not text at all.
fn not_text(shown: &Path, what: &str) -> Diagnostic {
    Diagnostic::file_error(
        shown,
        format!("文件不是文本（{what}），无法作为 Markdown 读取；请用 UTF-8 文本保存，或改用与内容相符的扩展名"),
    )
}

/// ASCII text saved as UTF-16 without a byte order mark: every other byte is NUL.
fn looks_like_utf16(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(512) & !1];
    if head.len() < 4 {
        return false;
    }
    let zeros = |start: usize| {
        head.iter()
            .skip(start)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count()
    };
    let half = head.len() / 2;
    zeros(0) * 4 >= half * 3 || zeros(1) * 4 >= half * 3
}

/// What a binary file is, by its first bytes; `None` when it may be text.
fn binary_kind(bytes: &[u8]) -> Option<&'static str> {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"\x89PNG\r\n\x1A\n", "是 PNG 图片"),
        (b"\xFF\xD8\xFF", "是 JPEG 图片"),
        (b"GIF8", "是 GIF 图片"),
        (b"%PDF", "是 PDF 文件"),
        (b"PK\x03\x04", "是 ZIP 压缩包或 Word/WPS 的 .docx 文档"),
        (b"\xD0\xCF\x11\xE0", "是 Word/WPS 的 .doc 文档"),
        (b"Rar!", "是 RAR 压缩包"),
        (b"\x1F\x8B", "是 gzip 压缩文件"),
    ];
    if let Some((_, what)) = MAGIC.iter().find(|(m, _)| bytes.starts_with(m)) {
        return Some(what);
    }
    if looks_like_utf16(bytes) {
        return Some("似乎是不带 BOM 标记的 UTF-16 编码文本");
    }
    bytes[..bytes.len().min(8192)]
        .contains(&0)
        .then_some("含有 NUL 字节，是二进制数据")
}

/// `\r\n` and lone `\r` become `\n`, in one pass and without a copy when there is no `\r`.
fn normalise_newlines(text: String) -> String {
    if !text.contains('\r') {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(i) = rest.find('\r') {
        out.push_str(&rest[..i]);
        out.push('\n');
        rest = &rest[i + 1..];
        if let Some(r) = rest.strip_prefix('\n') {
            rest = r;
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_files_are_ignored() {
        for name in [
            ".DS_Store",
            "~$报告.docx",
            "a.md~",
            ".a.md.swp",
            "#a.md#",
            "x.tmp",
        ] {
            assert!(is_ignored(name), "{name}");
        }
        assert!(!is_ignored("报告.md"));
    }

    fn read(bytes: &[u8]) -> Result<Text, Diagnostic> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.md");
        std::fs::write(&p, bytes).unwrap();
        read_text(&p, Path::new("a.md"))
    }

    #[test]
    fn bom_and_crlf_are_normalised() {
        let t = read(b"\xEF\xBB\xBF+++\r\ntitle = \"x\"\r\n+++\r\nold\rmac\r\n").unwrap();
        assert_eq!(t.text, "+++\ntitle = \"x\"\n+++\nold\nmac\n");
        assert!(t.warnings.is_empty());
    }

    #[test]
    fn gbk_is_decoded_with_a_warning() {
        let t = read(b"ok\n\xD6\xD0\xCE\xC4\r\n").unwrap();
        assert_eq!(t.text, "ok\n中文\n");
        assert_eq!(t.warnings.len(), 1);
        assert_eq!(t.warnings[0].rule, "gbk");
        assert!(!t.warnings[0].is_error());
    }

    #[test]
    fn utf16_with_bom_is_decoded_with_a_warning() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "标题\r\nx".encode_utf16() {
            bytes.extend(u.to_le_bytes());
        }
        let t = read(&bytes).unwrap();
        assert_eq!(t.text, "标题\nx");
        assert_eq!(t.warnings[0].rule, "utf16");
    }

    #[test]
    fn binary_and_undecodable_files_are_errors() {
        let png = read(b"\x89PNG\r\n\x1A\n\0\0\0\rIHDR").unwrap_err();
        assert!(png.message.contains("PNG"), "{}", png.message);
        let utf16 = read(
            &"title"
                .encode_utf16()
                .flat_map(u16::to_le_bytes)
                .collect::<Vec<_>>(),
        );
        assert!(utf16.unwrap_err().message.contains("UTF-16"));
        let bad = read(b"ok\n\x80\xFF\xFF").unwrap_err();
        assert_eq!((bad.line, bad.col), (2, 1));
        let nul = read(b"+++\ntitle = \"a\0\"\n+++\n").unwrap_err();
        assert_eq!((nul.line, nul.col), (2, 11));
    }

    #[test]
    fn forbidden_characters_are_found_by_byte() {
        assert_eq!(first_forbidden("甲\t乙\n丙\x0C\r".as_bytes()), None);
        // After a full block of Chinese text, and DEL (U+007F) as well as C0 controls.
        let long = format!("{}\x7F", "党".repeat(40));
        assert_eq!(first_forbidden(long.as_bytes()), Some(120));
        assert_eq!(first_forbidden(b"ab\x1B\x01"), Some(2));
        let d = forbidden_char(&format!("第一行\n{long}"), Path::new("a.md")).unwrap();
        assert_eq!((d.line, d.col), (2, 41));
        assert!(d.message.contains("U+007F"), "{}", d.message);
    }

    #[test]
    fn newlines() {
        assert_eq!(normalise_newlines("a\r\n\r\nb\r".into()), "a\n\nb\n");
        assert_eq!(normalise_newlines("a\n".into()), "a\n");
    }
}

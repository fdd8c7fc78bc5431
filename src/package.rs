//! `zhibu package`: the built site as one .zip to hand over on a USB stick or by mail, and
//! `zhibu package --verify` to check that such a .zip arrived whole and unchanged.
//!
//! The site's links are all relative, so the unzipped folder works opened from disk, search
//! included. Everything sits in one top folder (unzipping does not scatter files), next to
//! `使用说明.txt` for the reader and `MANIFEST.sha256`, which `sha256sum -c` understands as well
//! as `--verify`. File names are stored as UTF-8 with the zip flag that says so, which Windows,
//! Kylin and UOS unzip tools need to show Chinese names correctly.

use crate::clock::Moment;
use crate::pipeline::{BuildError, BuildOptions, BuildReport};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// The manifest's file name, in the top folder.
pub const MANIFEST: &str = "MANIFEST.sha256";
/// The instructions' file name, in the top folder.
pub const README: &str = "使用说明.txt";

/// What `zhibu package` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct PackageOptions {
    /// Site root (holds `zhibu.toml` and `content/`).
    pub root: PathBuf,
    /// The .zip to write; `<site title>-YYYYMMDD.zip` in the current directory when `None`.
    pub out: Option<PathBuf>,
    /// Replace an existing file at the .zip's path.
    pub force: bool,
}

/// What `zhibu package` made.
#[derive(Debug)]
pub struct PackageReport {
    /// The .zip written.
    pub zip: PathBuf,
    /// Its top folder.
    pub top: String,
    /// Files in it, manifest included.
    pub files: usize,
    /// Its size in bytes.
    pub bytes: u64,
    /// The build that produced the site (for its warnings).
    pub build: BuildReport,
}

/// Why packaging or verifying failed.
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    /// The site did not build.
    #[error(transparent)]
    Build(BuildError),
    /// The .zip's path is taken and `--force` was not given.
    #[error("{} 已经存在，没有覆盖它；请用 --out 指定另一个文件名，或加 --force 覆盖", .0.display())]
    Exists(PathBuf),
    /// The site's own output has a file named like one the package adds.
    #[error("站点输出的根目录中已有 {0}，与打包时生成的同名文件冲突，请改名")]
    Reserved(String),
    /// Reading or writing failed.
    #[error("{context}：{error}")]
    Io {
        /// What was being done.
        context: String,
        /// The I/O error (shown in the message, so not chained as a source too).
        error: std::io::Error,
    },
    /// The file is not a readable .zip, or could not be written as one.
    #[error("{context}：{error}")]
    Zip {
        /// What was being done.
        context: String,
        /// The zip error (shown in the message).
        error: zip::result::ZipError,
    },
    /// The .zip has no `MANIFEST.sha256`.
    #[error("{} 中没有 {MANIFEST}，不是 zhibu package 生成的压缩包，无法校验", .0.display())]
    NoManifest(PathBuf),
    /// A line of the manifest is not `<64 hex digits>  <path>`.
    #[error("{MANIFEST} 第 {line} 行格式不对（应为“64 位十六进制校验值、两个空格、文件路径”）")]
    ManifestLine {
        /// 1-based line number.
        line: usize,
    },
}

fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> PackageError {
    let context = context.into();
    move |source| PackageError::Io {
        context,
        error: source,
    }
}

fn zip_err(context: impl Into<String>) -> impl FnOnce(zip::result::ZipError) -> PackageError {
    let context = context.into();
    move |source| PackageError::Zip {
        context,
        error: source,
    }
}

/// Builds the site (published pages only) into a temporary directory and writes it as a .zip
/// with `使用说明.txt` and `MANIFEST.sha256`. The .zip is written beside its destination under a
/// temporary name and renamed at the end, so a failure never leaves half a .zip behind.
pub fn package(opts: &PackageOptions) -> Result<PackageReport, PackageError> {
    let tmp = tempfile::tempdir().map_err(io("无法创建临时目录"))?;
    let site_dir = tmp.path().join("site");
    let build = crate::pipeline::build(&BuildOptions {
        root: opts.root.clone(),
        output: Some(site_dir.clone()),
        base_url: None,
        drafts: false,
    })
    .map_err(PackageError::Build)?;
    let title = crate::config::Config::load(&opts.root)
        .map(|c| c.title)
        .unwrap_or_default();
    let top = folder_name(&title, &opts.root);
    // One reading of the clock: the name, the entries' times and the instructions agree.
    let now = crate::clock::beijing_now();
    let zip_path = opts.out.clone().unwrap_or_else(|| {
        PathBuf::from(format!(
            "{top}-{}{:02}{:02}.zip",
            now.year, now.month, now.day
        ))
    });
    if zip_path.exists() && !opts.force {
        return Err(PackageError::Exists(zip_path));
    }
    let mut files = site_files(&site_dir)?;
    for reserved in [MANIFEST, README] {
        if files.contains_key(reserved) {
            return Err(PackageError::Reserved(reserved.to_string()));
        }
    }
    files.insert(
        README.to_string(),
        Content::Bytes(readme(&title, &top, now)),
    );
    let bytes = write_zip(&zip_path, &top, &files, zip_time(now), opts.force)?;
    Ok(PackageReport {
        zip: zip_path,
        top,
        files: files.len() + 1,
        bytes,
        build,
    })
}

/// A file of the package: on disk (the built site) or made here.
enum Content {
    Disk(PathBuf),
    Bytes(Vec<u8>),
}

impl Content {
    fn read(&self) -> Result<Vec<u8>, PackageError> {
        match self {
            Content::Disk(p) => std::fs::read(p).map_err(io(format!("无法读取 {}", p.display()))),
            Content::Bytes(b) => Ok(b.clone()),
        }
    }
}

/// Every file of the built site by `/`-separated relative path, sorted.
fn site_files(dir: &Path) -> Result<BTreeMap<String, Content>, PackageError> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.map_err(|e| PackageError::Io {
            context: format!("无法读取构建结果 {}", dir.display()),
            error: e.into(),
        })?;
        if entry.file_type().is_file() {
            let rel = crate::source::rel_path(dir, entry.path());
            out.insert(rel, Content::Disk(entry.path().to_path_buf()));
        }
    }
    Ok(out)
}

/// A folder name from the site title that every file system accepts; the site directory's name
/// when the title has nothing usable, and `站点` as a last resort.
fn folder_name(title: &str, root: &Path) -> String {
    let clean = |s: &str| {
        let mapped: String = s
            .chars()
            .map(|c| {
                if c.is_control() || "<>:\"/\\|?*".contains(c) {
                    '-'
                } else {
                    c
                }
            })
            .collect();
        mapped.trim().trim_matches('.').trim().to_string()
    };
    let dir_name = std::fs::canonicalize(root)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default();
    [clean(title), clean(&dir_name)]
        .into_iter()
        .find(|n| !n.is_empty())
        .unwrap_or_else(|| "站点".to_string())
}

/// Writes the .zip through a temporary file in the destination's directory, every entry dated
/// `stamp`; returns its size.
fn write_zip(
    dest: &Path,
    top: &str,
    files: &BTreeMap<String, Content>,
    stamp: zip::DateTime,
    replace: bool,
) -> Result<u64, PackageError> {
    let dir = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(io(format!("无法创建目录 {}", dir.display())))?;
    let tmp = crate::output::temp_file_in(&dir, ".zhibu-package-")
        .map_err(io(format!("无法在 {} 中创建临时文件", dir.display())))?;
    let writing = format!("写入 {} 失败", dest.display());
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(tmp.reopen().map_err(io(&writing))?));
    let mut manifest = String::new();
    for (rel, content) in files {
        let bytes = content.read()?;
        manifest.push_str(&manifest_line(&hex(&Sha256::digest(&bytes)), rel));
        add_file(&mut zip, &format!("{top}/{rel}"), &bytes, stamp).map_err(zip_err(&writing))?;
    }
    add_file(
        &mut zip,
        &format!("{top}/{MANIFEST}"),
        manifest.as_bytes(),
        stamp,
    )
    .map_err(zip_err(&writing))?;
    let mut out = zip.finish().map_err(zip_err(&writing))?;
    out.flush().map_err(io(&writing))?;
    drop(out);
    tmp.as_file().sync_all().map_err(io(&writing))?;
    let size = tmp.as_file().metadata().map_err(io(&writing))?.len();
    let persisted = if replace {
        tmp.persist(dest)
    } else {
        tmp.persist_noclobber(dest)
    };
    match persisted {
        Ok(_) => Ok(size),
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => {
            Err(PackageError::Exists(dest.to_path_buf()))
        }
        Err(e) => Err(io(writing)(e.error)),
    }
}

fn add_file<W: Write + std::io::Seek>(
    zip: &mut zip::ZipWriter<W>,
    name: &str,
    bytes: &[u8],
    stamp: zip::DateTime,
) -> zip::result::ZipResult<()> {
    // Pictures, videos and office files are compressed already: deflating them again costs time
    // and saves nothing.
    let packed = matches!(
        name.rsplit('.')
            .next()
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some(
            "png"
                | "jpg"
                | "jpeg"
                | "gif"
                | "webp"
                | "mp4"
                | "webm"
                | "zip"
                | "docx"
                | "xlsx"
                | "pptx"
                | "gz"
        )
    );
    let method = if packed {
        zip::CompressionMethod::Stored
    } else {
        zip::CompressionMethod::Deflated
    };
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(method)
        .last_modified_time(stamp)
        .unix_permissions(0o644)
        .large_file(bytes.len() as u64 >= u64::from(u32::MAX));
    zip.start_file(name, options)?;
    zip.write_all(bytes)?;
    Ok(())
}

/// `n` in the zip format's two-second resolution.
fn zip_time(n: Moment) -> zip::DateTime {
    let part = |v: u32| u8::try_from(v).unwrap_or(0);
    zip::DateTime::from_date_and_time(
        u16::try_from(n.year).unwrap_or(1980),
        part(n.month),
        part(n.day),
        part(n.hour),
        part(n.minute),
        part(n.second & !1),
    )
    .unwrap_or_default()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// One line as `sha256sum` writes it: `<hash>  <path>`; a path with `\`, a newline or a
/// carriage return is escaped and the line starts with `\`, as GNU coreutils does.
fn manifest_line(hash: &str, path: &str) -> String {
    if path.contains(['\\', '\n', '\r']) {
        let escaped = path
            .replace('\\', "\\\\")
            .replace('\n', "\\n")
            .replace('\r', "\\r");
        format!("\\{hash}  {escaped}\n")
    } else {
        format!("{hash}  {path}\n")
    }
}

/// Parses a manifest into path → hash.
fn parse_manifest(text: &str) -> Result<BTreeMap<String, String>, PackageError> {
    let mut out = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let bad = || PackageError::ManifestLine { line: i + 1 };
        let (escaped, line) = match line.strip_prefix('\\') {
            Some(rest) => (true, rest),
            None => (false, line),
        };
        let (hash, rest) = line.split_at_checked(64).ok_or_else(bad)?;
        let path = rest
            .strip_prefix("  ")
            .or_else(|| rest.strip_prefix(" *"))
            .ok_or_else(bad)?;
        if !hash.bytes().all(|b| b.is_ascii_hexdigit()) || path.is_empty() {
            return Err(bad());
        }
        let path = if escaped {
            unescape(path).ok_or_else(bad)?
        } else {
            path.to_string()
        };
        out.insert(path, hash.to_ascii_lowercase());
    }
    Ok(out)
}

fn unescape(path: &str) -> Option<String> {
    let mut out = String::with_capacity(path.len());
    let mut chars = path.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        out.push(match chars.next()? {
            '\\' => '\\',
            'n' => '\n',
            'r' => '\r',
            _ => return None,
        });
    }
    Some(out)
}

/// What `zhibu package --verify` found.
#[derive(Debug, Default)]
pub struct Verification {
    /// Files the manifest lists.
    pub listed: usize,
    /// Listed but not in the .zip.
    pub missing: Vec<String>,
    /// In the .zip but not listed.
    pub extra: Vec<String>,
    /// In both, with different contents.
    pub changed: Vec<String>,
}

impl Verification {
    /// Nothing missing, extra or changed.
    pub fn is_ok(&self) -> bool {
        self.missing.is_empty() && self.extra.is_empty() && self.changed.is_empty()
    }
}

impl fmt::Display for Verification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (label, list) in [
            ("缺少", &self.missing),
            ("多出", &self.extra),
            ("内容被改动", &self.changed),
        ] {
            for path in list {
                writeln!(f, "{label}：{path}")?;
            }
        }
        if self.is_ok() {
            write!(f, "校验通过：{} 个文件与 {MANIFEST} 完全一致", self.listed)
        } else {
            write!(
                f,
                "校验失败：{MANIFEST} 列出 {} 个文件，缺少 {} 个，多出 {} 个，内容被改动 {} 个",
                self.listed,
                self.missing.len(),
                self.extra.len(),
                self.changed.len()
            )
        }
    }
}

/// Checks a package: every file the manifest lists is in the .zip with the same SHA-256, and
/// the .zip holds nothing else.
pub fn verify(path: &Path) -> Result<Verification, PackageError> {
    let reading = format!("无法读取 {}", path.display());
    let file = std::fs::File::open(path).map_err(io(&reading))?;
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file))
        .map_err(zip_err(format!("{} 不是有效的 zip 压缩包", path.display())))?;
    let mut hashes = BTreeMap::new();
    let mut manifest = None;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(zip_err(&reading))?;
        if entry.is_dir() {
            continue;
        }
        let name = entry.name().to_string();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).map_err(io(&reading))?;
        let is_manifest = name == MANIFEST
            || (name.ends_with(&format!("/{MANIFEST}")) && name.matches('/').count() == 1);
        if is_manifest && manifest.is_none() {
            let prefix = name.strip_suffix(MANIFEST).unwrap_or_default().to_string();
            manifest = Some((prefix, String::from_utf8_lossy(&bytes).into_owned()));
        } else {
            hashes.insert(name, hex(&Sha256::digest(&bytes)));
        }
    }
    let (prefix, text) = manifest.ok_or_else(|| PackageError::NoManifest(path.to_path_buf()))?;
    let listed = parse_manifest(&text)?;
    let mut result = Verification {
        listed: listed.len(),
        ..Verification::default()
    };
    for (rel, want) in &listed {
        match hashes.remove(&format!("{prefix}{rel}")) {
            None => result.missing.push(rel.clone()),
            Some(got) if &got != want => result.changed.push(rel.clone()),
            Some(_) => {}
        }
    }
    result.extra = hashes.into_keys().collect();
    Ok(result)
}

/// `使用说明.txt`, generated at `n`: UTF-8 with a byte-order mark and CRLF line ends, so that Notepad on older
/// Windows shows the Chinese text correctly.
fn readme(title: &str, top: &str, n: Moment) -> Vec<u8> {
    let text = format!(
        "{title} 网站离线包\n\
         \n\
         生成时间：{}年{}月{}日 {:02}:{:02}（北京时间），由 zhibu {} 生成。\n\
         \n\
         一、怎样打开\n\
         1. 把压缩包解压到任意文件夹（路径中可以有中文和空格）。\n\
         2. 打开解压出的“{top}”文件夹，双击其中的 index.html，用浏览器打开即可阅读全部内容，\n\
         \x20  全站搜索也能使用。不需要联网，也不需要安装任何软件。\n\
         3. 也可以把整个文件夹复制到内网 Web 服务器的任意目录下发布。\n\
         \n\
         二、支持的浏览器\n\
         Chromium 90 及以上版本的浏览器：统信 UOS、银河麒麟系统自带的浏览器，\n\
         360 安全浏览器、奇安信可信浏览器（请使用极速模式），以及 Chrome、Edge 等。\n\
         不支持 IE 浏览器。\n\
         \n\
         三、怎样核对文件完整、未被改动\n\
         {MANIFEST} 中记录了文件夹中其余每个文件的 SHA-256 校验值。\n\
         - 有 zhibu 程序时，对压缩包运行：\n\
         \x20   zhibu package --verify 压缩包文件名.zip\n\
         - 在统信 UOS、银河麒麟等 Linux 系统中，进入本文件夹后运行：\n\
         \x20   sha256sum -c {MANIFEST}\n\
         \x20 每个文件后显示“成功”或“OK”即为完好。\n",
        n.year,
        n.month,
        n.day,
        n.hour,
        n.minute,
        env!("CARGO_PKG_VERSION"),
    );
    let mut out = "\u{feff}".as_bytes().to_vec();
    out.extend_from_slice(text.replace('\n', "\r\n").as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_lines_round_trip() {
        let hash = "ab".repeat(32);
        let mut text = String::new();
        for path in ["index.html", "图片/党徽 1.svg", "a\\b.txt", "two\nlines"] {
            text.push_str(&manifest_line(&hash, path));
        }
        let parsed = parse_manifest(&text).unwrap();
        assert_eq!(parsed.len(), 4);
        assert!(parsed.contains_key("a\\b.txt") && parsed.contains_key("two\nlines"));
        assert!(text.contains("\n\\abab"));
    }

    #[test]
    fn malformed_manifest_names_the_line() {
        let hash = "0".repeat(64);
        let text = format!("{hash}  a.html\n{hash} b.html\n");
        let err = parse_manifest(&text).unwrap_err();
        assert!(err.to_string().contains("第 2 行"), "{err}");
    }

    #[test]
    fn folder_names_are_safe_everywhere() {
        let root = Path::new("/nonexistent");
        assert_eq!(folder_name("市数据局 机关党建", root), "市数据局 机关党建");
        assert_eq!(folder_name("a/b:c?", root), "a-b-c-");
        assert_eq!(folder_name(" .. ", root), "站点");
    }
}

//! `zhibu package` and `zhibu package --verify`, run as the binary on fixture sites.

mod common;

use common::{fixture, repo, run};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::Path;
use std::process::Command;

/// `zhibu package --root ROOT --out ZIP EXTRA…`: exit status, stdout and stderr.
fn run_package(root: &Path, zip: &Path, extra: &[&str]) -> (bool, String, String) {
    let mut args = vec![
        "package",
        "--root",
        root.to_str().unwrap(),
        "--out",
        zip.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    run(&args)
}

fn package(root: &Path, zip: &Path) {
    let (ok, out, err) = run_package(root, zip, &[]);
    assert!(ok, "package failed:\n{out}\n{err}");
}

/// `zhibu package --verify ZIP`: exit status, stdout and stderr.
fn verify(zip: &Path) -> (bool, String, String) {
    run(&["package", "--verify", zip.to_str().unwrap()])
}

/// Entry name → bytes, directories left out.
fn entries(zip: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    let mut out = BTreeMap::new();
    for i in 0..archive.len() {
        let mut e = archive.by_index(i).unwrap();
        if e.is_dir() {
            continue;
        }
        let mut bytes = Vec::new();
        e.read_to_end(&mut bytes).unwrap();
        out.insert(e.name().to_string(), bytes);
    }
    out
}

/// Writes `files` as a new .zip (what someone tampering with a package would do).
fn write_zip(path: &Path, files: &BTreeMap<String, Vec<u8>>) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, bytes) in files {
        zip.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
}

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn sample_site_is_one_folder_with_manifest_and_instructions() {
    let tmp = tempfile::tempdir().unwrap();
    let zip = tmp.path().join("站点 包.zip");
    package(&repo(), &zip);
    let files = entries(&zip);
    let top = "市数据局机关党建/";
    assert!(files.keys().all(|n| n.starts_with(top)), "one top folder");
    for want in [
        "index.html",
        "search/index.html",
        "xuexi/2026-11/index.html",
        "atom.xml",
        "sitemap.xml",
        "使用说明.txt",
        "MANIFEST.sha256",
    ] {
        assert!(
            files.contains_key(&format!("{top}{want}")),
            "{want} missing"
        );
    }
    assert!(
        !files
            .keys()
            .any(|n| n.contains("草稿") || n.ends_with(".md")),
        "no sources or drafts"
    );

    // The manifest lists every other file once, with its real hash.
    let manifest = String::from_utf8(files[&format!("{top}MANIFEST.sha256")].clone()).unwrap();
    let listed: BTreeMap<&str, &str> = manifest
        .lines()
        .map(|l| {
            let (hash, path) = l.split_once("  ").unwrap();
            (path, hash)
        })
        .collect();
    assert_eq!(listed.len(), files.len() - 1);
    for (name, bytes) in &files {
        let rel = &name[top.len()..];
        if rel != "MANIFEST.sha256" {
            assert_eq!(listed.get(rel), Some(&hex(bytes).as_str()), "{rel}");
        }
    }

    let readme = String::from_utf8(files[&format!("{top}使用说明.txt")].clone()).unwrap();
    for want in [
        "index.html",
        "Chromium 90",
        "zhibu package --verify",
        "sha256sum -c MANIFEST.sha256",
    ] {
        assert!(readme.contains(want), "使用说明.txt lacks {want}");
    }
    assert!(readme.starts_with('\u{feff}') && readme.contains("\r\n"));

    let (ok, out, _) = verify(&zip);
    assert!(ok, "{out}");
    assert!(
        out.contains(&format!("校验通过：{} 个文件", files.len() - 1)),
        "{out}"
    );
}

#[test]
fn chinese_names_round_trip_and_sha256sum_accepts_the_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let zip = tmp.path().join("p.zip");
    package(&fixture("package"), &zip);
    let name = "第一党支部 学习园地/dongtai/学习-材料/附件 一.txt";
    // The zip crate decodes a name as UTF-8 only when the entry has the UTF-8 flag (bit 11);
    // without it the name would come back as CP437 mojibake.
    assert!(
        entries(&zip).contains_key(name),
        "{:?}",
        entries(&zip).keys()
    );

    // Unzipped by another tool into a folder with Chinese and spaces in its path.
    let dest = tmp.path().join("解压 目录");
    let unzip = Command::new("python3")
        .args(["-m", "zipfile", "-e"])
        .arg(&zip)
        .arg(&dest)
        .status();
    let Ok(status) = unzip else {
        eprintln!("python3 not found: skipping the unzip check");
        return;
    };
    assert!(status.success());
    let site = dest.join("第一党支部 学习园地");
    assert_eq!(
        std::fs::read_to_string(site.join("dongtai/学习-材料/附件 一.txt")).unwrap(),
        "附件正文：廉洁自律准则。\n"
    );
    assert!(site.join("atom.xml").is_file() && site.join("sitemap.xml").is_file());
    if let Ok(out) = Command::new("sha256sum")
        .args(["-c", "MANIFEST.sha256"])
        .current_dir(&site)
        .output()
    {
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "sha256sum -c failed:\n{text}");
        assert!(text.contains("附件 一.txt: OK"), "{text}");
        // And it does notice a change.
        std::fs::write(site.join("index.html"), "changed").unwrap();
        let out = Command::new("sha256sum")
            .args(["-c", "--quiet", "MANIFEST.sha256"])
            .current_dir(&site)
            .output()
            .unwrap();
        assert!(!out.status.success());
    }
}

#[test]
fn verify_reports_changed_missing_and_extra_files() {
    let tmp = tempfile::tempdir().unwrap();
    let zip = tmp.path().join("p.zip");
    package(&fixture("package"), &zip);
    let top = "第一党支部 学习园地/";
    let mut files = entries(&zip);
    files.insert(format!("{top}index.html"), b"<p>tampered</p>".to_vec());
    files.remove(&format!("{top}dongtai/学习-材料/附件 一.txt"));
    files.insert(format!("{top}dongtai/new.html"), b"extra".to_vec());
    let bad = tmp.path().join("bad.zip");
    write_zip(&bad, &files);

    let (ok, out, _) = verify(&bad);
    assert!(!ok, "tampered package passed:\n{out}");
    assert!(out.contains("内容被改动：index.html"), "{out}");
    assert!(out.contains("缺少：dongtai/学习-材料/附件 一.txt"), "{out}");
    assert!(
        out.contains("多出：第一党支部 学习园地/dongtai/new.html"),
        "{out}"
    );
    assert!(
        out.contains("缺少 1 个，多出 1 个，内容被改动 1 个"),
        "{out}"
    );

    // One changed byte is enough.
    let mut files = entries(&zip);
    let atom = files.get_mut(&format!("{top}atom.xml")).unwrap();
    let last = atom.len() - 2;
    atom[last] ^= 1;
    write_zip(&bad, &files);
    let (ok, out, _) = verify(&bad);
    assert!(!ok && out.contains("内容被改动：atom.xml"), "{out}");

    // A .zip without a manifest cannot be verified.
    files.retain(|n, _| !n.ends_with("MANIFEST.sha256"));
    write_zip(&bad, &files);
    let (ok, _, err) = verify(&bad);
    assert!(!ok && err.contains("没有 MANIFEST.sha256"), "{err}");
}

#[test]
fn existing_zip_is_kept_unless_forced() {
    let tmp = tempfile::tempdir().unwrap();
    let zip = tmp.path().join("p.zip");
    std::fs::write(&zip, "an editor's file").unwrap();
    let root = fixture("package");
    let (ok, _, err) = run_package(&root, &zip, &[]);
    assert!(!ok && err.contains("已经存在"), "{err}");
    assert_eq!(std::fs::read_to_string(&zip).unwrap(), "an editor's file");

    let (ok, _, err) = run_package(&root, &zip, &["--force"]);
    assert!(ok, "{err}");
    assert!(verify(&zip).0);
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert_eq!(left.len(), 1, "no temporary file left beside the .zip");
}

#[test]
fn default_name_is_title_and_date_in_the_current_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_zhibu"))
        .args(["package", "--root"])
        .arg(fixture("package"))
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let names: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 1);
    let name = &names[0];
    let date = name
        .strip_prefix("第一党支部 学习园地-")
        .and_then(|r| r.strip_suffix(".zip"))
        .unwrap_or_else(|| panic!("{name}"));
    assert!(
        date.len() == 8 && date.bytes().all(|b| b.is_ascii_digit()),
        "{name}"
    );
}

#[test]
fn a_site_that_does_not_build_is_not_packaged() {
    let site = common::site(&[
        ("zhibu.toml", "title = \"坏站点\"\n"),
        ("content/a.md", "+++\ntitle = \"a\"\ndraf = true\n+++\n"),
    ]);
    let zip = site.path().join("out.zip");
    let (ok, _, err) = run_package(site.path(), &zip, &[]);
    assert!(!ok);
    assert!(err.contains("未知字段 `draf`"), "{err}");
    assert!(!zip.exists());
}

//! `zhibu check` end to end: every publishing check fires on the fixture (and not on the clean
//! page beside it), the JSON report is stable, severities follow `zhibu.toml`, and `build`
//! refuses error-level findings.

mod common;

use common::*;

/// Runs `zhibu check` on `root`; returns (exit ok, stdout).
fn check(root: &std::path::Path, format: &str) -> (bool, String) {
    let run = zhibu(&[
        "check",
        "--format",
        format,
        "--root",
        root.to_str().unwrap(),
    ]);
    (run.ok, run.stdout)
}

#[test]
fn golden_json_report() {
    let (ok, json) = check(&fixture("check"), "json");
    assert!(!ok, "errors make check exit with 1");
    insta::assert_snapshot!(json);
}

#[test]
fn human_report_marks_each_span() {
    let (_, text) = check(&fixture("check"), "human");
    insta::assert_snapshot!(text);
}

#[test]
fn the_clean_page_and_the_sample_site_have_no_findings() {
    let (_, json) = check(&fixture("check"), "json");
    assert!(!json.contains("clean.md"), "{json}");
    let (ok, text) = check(&repo(), "human");
    assert!(ok, "{text}");
    assert_eq!(text, "检查完成：0 个错误，0 个警告\n");
}

#[test]
fn build_refuses_error_level_findings_only() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let run = build_into(&fixture("check"), &out);
    assert!(!run.ok);
    assert!(!out.exists(), "nothing published");
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert!(
        lines.iter().any(|l| l.contains("错误: 发现占位符“××”")),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("警告"),
        "warnings are for zhibu check: {}",
        run.stderr
    );
    assert_eq!(
        *lines.last().unwrap(),
        "构建失败：共 9 个错误，输出目录未作改动"
    );
}

#[test]
fn severities_follow_the_site_settings() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    copy_tree(&fixture("check"), &root, &[]);
    std::fs::write(
        root.join("zhibu.toml"),
        "title = \"检查示例\"\n[check]\nseverity = { placeholder = \"warning\", mobile = \"off\", id-number = \"off\", bank-card = \"off\", external-resource = \"warning\", missing-file = \"warning\", wording = \"error\" }\n",
    )
    .unwrap();
    let (ok, json) = check(&root, "json");
    assert!(!ok, "wording is now an error");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let findings = v["findings"].as_array().unwrap();
    let of = |rule: &str| -> Vec<&str> {
        findings
            .iter()
            .filter(|f| f["rule"] == rule)
            .map(|f| f["severity"].as_str().unwrap())
            .collect()
    };
    assert!(of("mobile").is_empty(), "off");
    assert_eq!(of("placeholder"), ["warning", "warning", "warning"]);
    assert_eq!(of("wording"), ["error"]);
    assert_eq!(v["errors"], 1);
    // Only the wording rule stops a build now.
    let run = zhibu(&["build", "--root", root.to_str().unwrap()]);
    assert!(!run.ok);
    assert!(
        run.stderr.contains("“会议室”应写作“会商室”"),
        "{}",
        run.stderr
    );
    std::fs::write(
        root.join("rules/本单位.toml"),
        "[[pair]]\nwrong = \"会议室\"\nright = \"会商室\"\nseverity = \"warning\"\n",
    )
    .unwrap();
    let run = zhibu(&["build", "--root", root.to_str().unwrap()]);
    assert!(
        !run.ok,
        "the site setting wins over the rule file: {}",
        run.stderr
    );
}

#[test]
fn a_gbk_file_is_a_warning_or_an_error_as_the_site_says() {
    // 中文正文 in GBK.
    let gbk: &[u8] = b"+++\ntitle = \"a\"\n+++\n\xd6\xd0\xce\xc4\xd5\xfd\xce\xc4\n";
    let dir = site(&[("zhibu.toml", "title = \"x\"")]);
    std::fs::create_dir_all(dir.path().join("content")).unwrap();
    std::fs::write(dir.path().join("content/a.md"), gbk).unwrap();
    let run = zhibu(&["build", "--root", dir.path().to_str().unwrap()]);
    assert!(run.ok, "{}", run.stderr);
    assert!(
        run.stderr
            .starts_with("content/a.md: 警告: 文件是 GBK/GB18030 编码"),
        "{}",
        run.stderr
    );
    let page = std::fs::read_to_string(dir.path().join("public/a/index.html")).unwrap();
    assert!(page.contains("中文正文"), "decoded");
    std::fs::write(
        dir.path().join("zhibu.toml"),
        "title = \"x\"\n[check]\nseverity = { gbk = \"error\" }\n",
    )
    .unwrap();
    let err = build_fails(dir.path());
    assert!(
        err.starts_with("content/a.md: 错误: 文件是 GBK/GB18030 编码"),
        "{err}"
    );
}

//! Fuzzing the paths editors' text goes through: front matter (TOML and YAML) and Markdown.
//! Whatever the input, reading and building return values (documents, located diagnostics),
//! never a panic. A fixed number of cases keeps the whole file to a few seconds in debug.

use proptest::prelude::*;
use std::path::Path;
use zhibu::frontmatter::{self, PageFrontMatter, SectionFrontMatter};
use zhibu::source::{SourceFile, SourceKind};

/// Values front matter keys commonly hold, valid and not.
fn toml_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "\"[^\"\\\\\n]{0,12}\"".prop_map(|s| s),
        Just("2026-11-05".to_string()),
        Just("2026-13-45".to_string()),
        Just("2026-11-05T09:30:00+08:00".to_string()),
        Just("true".to_string()),
        Just("\"date\"".to_string()),
        (-1000i64..1000).prop_map(|n| n.to_string()),
        Just("[\"a\", \"学习\"]".to_string()),
        Just("{ drafter = \"张\", final = \"\" }".to_string()),
        Just("[".to_string()),
        Just("\"unterminated".to_string()),
        Just("'''多行".to_string()),
        "[^\n]{0,10}",
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("title".to_string()),
        Just("date".to_string()),
        Just("draft".to_string()),
        Just("weight".to_string()),
        Just("slug".to_string()),
        Just("tags".to_string()),
        Just("template".to_string()),
        Just("sort_by".to_string()),
        Just("kind".to_string()),
        Just("paginate_by".to_string()),
        Just("[extra]".to_string()),
        Just("[review]".to_string()),
        Just("[taxonomies]".to_string()),
        "[a-z_]{1,8}",
        "[^=\n]{0,6}",
    ]
}

/// A TOML or YAML front matter block of random keys and values, then a body.
fn document() -> impl Strategy<Value = Vec<u8>> {
    (
        any::<bool>(),
        prop::collection::vec((key(), toml_value()), 0..8),
        markdown(),
        any::<bool>(),
    )
        .prop_map(|(toml, pairs, body, close)| {
            let delim = if toml { "+++" } else { "---" };
            let mut s = format!("{delim}\n");
            for (k, v) in pairs {
                if k.starts_with('[') {
                    s.push_str(&format!("{k}\n"));
                } else if toml {
                    s.push_str(&format!("{k} = {v}\n"));
                } else {
                    s.push_str(&format!("{k}: {v}\n"));
                }
            }
            if close {
                s.push_str(delim);
                s.push('\n');
            }
            s.push_str(&body);
            s.into_bytes()
        })
}

/// Random damage to a document: truncation and random bytes at random places.
fn damaged() -> impl Strategy<Value = Vec<u8>> {
    (
        document(),
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
        prop::option::of(any::<prop::sample::Index>()),
    )
        .prop_map(|(mut bytes, inserts, cut)| {
            for (at, b) in inserts {
                let i = at.index(bytes.len() + 1);
                bytes.insert(i, b);
            }
            if let Some(cut) = cut {
                bytes.truncate(cut.index(bytes.len() + 1));
            }
            bytes
        })
}

/// Markdown pieces known to stress parsers and renderers, joined at random.
fn markdown() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("*".to_string()),
        Just("**".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just("<".to_string()),
        Just("<div>".to_string()),
        Just("</div>".to_string()),
        Just("<script>alert(1)</script>".to_string()),
        Just("\n```rust\nfn main() {}\n".to_string()),
        Just("\n```\n".to_string()),
        Just("\n~~~\n".to_string()),
        Just("[链接](@/a.md)".to_string()),
        Just("[坏](@/不存在.md#锚)".to_string()),
        Just("[锚](#第一节)".to_string()),
        Just("@/".to_string()),
        Just("![图](x.png)".to_string()),
        Just("![](<图 片.svg>)".to_string()),
        Just("[^1]".to_string()),
        Just("\n[^1]: 脚注\n".to_string()),
        Just("\n| a | b |\n|---|---|\n| 1 | 2 |\n".to_string()),
        Just("\n|".to_string()),
        Just("\n# ".to_string()),
        Just("\n###### 第一节\n".to_string()),
        Just("\n> ".to_string()),
        Just("\n- ".to_string()),
        Just("\n1. ".to_string()),
        Just("    ".to_string()),
        Just("\n\n".to_string()),
        Just("\n+++\n".to_string()),
        Just("\n---\n".to_string()),
        Just("&amp;&#x0;&#xFFFFFF;".to_string()),
        Just("$x$".to_string()),
        Just("{{ page.title }}{% if %}".to_string()),
        Just("××".to_string()),
        Just("http://example.com".to_string()),
        "[\u{4e00}-\u{4e20}a-z ]{0,12}",
        ".{0,6}",
    ];
    let nested = prop_oneof![
        (1usize..60).prop_map(|n| "> ".repeat(n)),
        (1usize..60).prop_map(|n| "[".repeat(n)),
        (1usize..40).prop_map(|n| "  - ".repeat(n)),
        (1usize..40).prop_map(|n| "*".repeat(n) + "x" + &"*".repeat(n)),
        (1usize..2000).prop_map(|n| format!("\n# {}\n", "长".repeat(n))),
    ];
    prop::collection::vec(prop_oneof![4 => piece, 1 => nested], 0..24).prop_map(|v| v.concat())
}

fn read(bytes: &[u8], kind: SourceKind) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.md");
    std::fs::write(&path, bytes).unwrap();
    let source = SourceFile {
        path,
        rel: "a.md".into(),
        kind,
    };
    if let Err(d) = zhibu::site::read_document(source, "content/a.md".into()) {
        assert!(d.is_error());
        assert!(!d.message.is_empty());
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 1024,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn front_matter_never_panics(bytes in damaged()) {
        read(&bytes, SourceKind::Page);
        read(&bytes, SourceKind::Section);
        let text = String::from_utf8_lossy(&bytes);
        let file = Path::new("a.md");
        if let Ok(split) = frontmatter::split(&text, file) {
            if let Some((format, front)) = split.front {
                let _ = frontmatter::parse::<PageFrontMatter>(format, front, file);
                let _ = frontmatter::parse::<SectionFrontMatter>(format, front, file);
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        read(&bytes, SourceKind::Page);
    }

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,200}") {
        let file = Path::new("a.md");
        if let Ok(split) = frontmatter::split(&text, file) {
            if let Some((format, front)) = split.front {
                let _ = frontmatter::parse::<PageFrontMatter>(format, front, file);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Whole builds of small sites with random Markdown and damaged files: a report or located
    /// errors, never a panic; a failed build leaves no output.
    #[test]
    fn builds_never_panic(
        bodies in prop::collection::vec(markdown(), 1..4),
        broken in damaged(),
        yaml in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("zhibu.toml"), "title = \"模糊测试\"\n").unwrap();
        std::fs::create_dir_all(root.join("content/xuexi")).unwrap();
        std::fs::write(root.join("content/xuexi/_index.md"), "+++\ntitle = \"学习\"\n+++\n").unwrap();
        std::fs::write(root.join("content/a.md"), "+++\ntitle = \"甲\"\n+++\n# 第一节\n").unwrap();
        for (i, body) in bodies.iter().enumerate() {
            let front = if yaml {
                format!("---\ntitle: 第{i}篇\ndate: 2026-11-0{}\n---\n", i + 1)
            } else {
                format!("+++\ntitle = \"第{i}篇\"\ndate = 2026-11-0{}\n+++\n", i + 1)
            };
            std::fs::write(root.join(format!("content/xuexi/p{i}.md")), front + body).unwrap();
        }
        let out = root.join("public");
        let opts = zhibu::BuildOptions {
            root: root.to_path_buf(),
            output: Some(out.clone()),
            ..Default::default()
        };
        // Random Markdown alone may produce errors (broken @/ links), but must not panic.
        let _ = zhibu::build(&opts);
        let before = std::fs::read_dir(&out).ok().map(|d| d.count());
        std::fs::write(root.join("content/xuexi/broken.md"), &broken).unwrap();
        match zhibu::build(&opts) {
            Ok(_) => {}
            Err(zhibu::BuildError::Invalid(diags)) => {
                prop_assert!(diags.iter().any(|d| d.is_error()));
                prop_assert_eq!(std::fs::read_dir(&out).ok().map(|d| d.count()), before);
            }
            Err(e) => prop_assert!(false, "unexpected failure: {e:?}"),
        }
    }
}

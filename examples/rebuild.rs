//! Benchmark of the watch engine: builds a site, then times a no-op rebuild and rebuilds after
//! adding a paragraph to one article, as `zhibu watch` would run them.
//!
//! `cargo run --release --example rebuild -- SITE_ROOT [ARTICLE.md] [ROUNDS] [end|start]`
//!
//! The paragraph goes at the end of the body (the default) or at its start, where it moves
//! every later position of the page's text and so changes far more search shards. With
//! `REBUILD_VERIFY=1`, the output after the last edit is compared with a clean build.

use std::path::PathBuf;
use std::time::Instant;
use zhibu::watch::Changes;
use zhibu::{BuildOptions, Session};

fn main() {
    // ZHIBU_LOG=debug prints the time of each stage of every rebuild.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ZHIBU_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .without_time()
        .init();
    let mut args = std::env::args().skip(1);
    let root = PathBuf::from(
        args.next()
            .expect("usage: rebuild SITE_ROOT [ARTICLE.md] [ROUNDS] [end|start]"),
    );
    let article = args
        .next()
        .filter(|a| !a.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            walkdir::WalkDir::new(root.join("content"))
                .sort_by_file_name()
                .into_iter()
                .filter_map(Result::ok)
                .map(|e| e.into_path())
                .find(|p| p.extension().is_some_and(|e| e == "md") && !p.ends_with("_index.md"))
                .expect("an article")
        });
    let rounds: usize = args
        .next()
        .filter(|r| !r.is_empty())
        .map_or(5, |r| r.parse().expect("rounds"));
    let at_start = match args.next().as_deref() {
        None | Some("end") => false,
        Some("start") => true,
        Some(other) => panic!("where to edit: end or start, not {other}"),
    };
    let output = std::env::temp_dir().join("zhibu-rebuild-bench");
    let mut session = Session::new(BuildOptions {
        root: root.clone(),
        output: Some(output.clone()),
        base_url: None,
        drafts: false,
    });
    let t = Instant::now();
    let first = session.rebuild(None).expect("first build");
    println!(
        "first build: {} pages, {} ms",
        first.pages,
        t.elapsed().as_millis()
    );
    let rel = article
        .strip_prefix(&root)
        .unwrap_or(&article)
        .to_path_buf();
    // The edits go into the corpus itself; it is put back as it was at the end.
    let original = std::fs::read(&article).expect("read article");
    let mut times = Vec::new();
    let mut published = Vec::new();
    let mut noops = Vec::new();
    for round in 0..rounds {
        let t = Instant::now();
        let r = session
            .rebuild(Some(&Changes::default()))
            .expect("no-op rebuild");
        noops.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(r.rendered, 0);
        let mut text = std::fs::read_to_string(&article).expect("read article");
        let paragraph = format!("\n\n基准测试追加的第{round}段。\n");
        if at_start {
            text.insert_str(body_start(&text), &paragraph);
        } else {
            text.push_str(&paragraph);
        }
        std::fs::write(&article, text).expect("write article");
        let changes = Changes {
            paths: [rel.clone()].into_iter().collect(),
        };
        let t = Instant::now();
        let r = session.rebuild(Some(&changes)).expect("rebuild");
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        let page_ms = r
            .pages_published
            .map_or(times[round], |d| d.as_secs_f64() * 1000.0);
        published.push(page_ms);
        println!(
            "edit {round}: new HTML in place after {page_ms:.0} ms; whole rebuild {:.0} ms, {} page(s) rendered, {} file(s) written",
            times[round], r.rendered, r.changed_files
        );
    }
    if std::env::var_os("REBUILD_VERIFY").is_some_and(|v| v == "1") {
        verify(&root, &output);
    }
    std::fs::write(&article, original).expect("restore article");
    let median = |v: &mut Vec<f64>| {
        v.sort_by(|a, b| a.total_cmp(b));
        v[v.len() / 2]
    };
    println!(
        "one-article edit: new HTML written after median {:.0} ms (max {:.0})",
        median(&mut published.clone()),
        published.iter().cloned().fold(0.0, f64::max),
    );
    println!(
        "one-article rebuild incl. search index: median {:.0} ms (min {:.0}, max {:.0}); no-op rebuild: median {:.0} ms",
        median(&mut times.clone()),
        times.iter().cloned().fold(f64::MAX, f64::min),
        times.iter().cloned().fold(0.0, f64::max),
        median(&mut noops)
    );
    let _ = std::fs::remove_dir_all(output);
}

/// Where the body of a Markdown file starts: after the line that closes its front matter.
fn body_start(text: &str) -> usize {
    zhibu::frontmatter::split(text, std::path::Path::new(""))
        .map_or(0, |split| text.len() - split.body.len())
}

/// Compares the output of the session with a clean build of the same sources, file by file.
fn verify(root: &std::path::Path, output: &std::path::Path) {
    let clean = output.with_file_name("zhibu-rebuild-bench-clean");
    zhibu::build(&BuildOptions {
        root: root.to_path_buf(),
        output: Some(clean.clone()),
        base_url: None,
        drafts: false,
    })
    .expect("clean build");
    let files = |dir: &std::path::Path| -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
        walkdir::WalkDir::new(dir)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let rel = e.path().strip_prefix(dir).expect("inside").to_path_buf();
                (rel, std::fs::read(e.path()).expect("read output"))
            })
            .collect()
    };
    let (session, fresh) = (files(output), files(&clean));
    let differ: std::collections::BTreeSet<&PathBuf> = session
        .keys()
        .chain(fresh.keys())
        .filter(|rel| session.get(*rel) != fresh.get(*rel))
        .collect();
    println!(
        "output after the edits equals a clean build: {} ({} files, {} differ{})",
        if differ.is_empty() { "yes" } else { "NO" },
        fresh.len(),
        differ.len(),
        differ
            .first()
            .map_or(String::new(), |rel| format!(", first {}", rel.display()))
    );
    let _ = std::fs::remove_dir_all(clean);
}

//! Benchmark of the watch engine: builds a site, then times a no-op rebuild and rebuilds after
//! appending a paragraph to one article, as `zhibu watch` would run them.
//!
//! `cargo run --release --example rebuild -- SITE_ROOT [ARTICLE.md] [ROUNDS]`

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
            .expect("usage: rebuild SITE_ROOT [ARTICLE.md] [ROUNDS]"),
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
    let rounds: usize = args.next().map_or(5, |r| r.parse().expect("rounds"));
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
        text.push_str(&format!("\n\n基准测试追加的第{round}段。\n"));
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

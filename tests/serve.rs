//! `zhibu serve` end to end: the real binary on a free loopback port, files edited the way
//! editors' programs save them, the new HTML and the reload events observed over HTTP.
//! Nothing here sleeps for a fixed time: every wait is for an event, with a deadline.

mod common;

use common::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

const DEADLINE: Duration = Duration::from_secs(20);

/// A running `zhibu serve`, stopped when dropped.
struct Server {
    child: Child,
    port: u16,
    log: Receiver<String>,
    /// Every line read so far.
    history: std::cell::RefCell<Vec<String>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(root: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_zhibu"))
            .args(["serve", "--port", "0", "--root"])
            .arg(root)
            .args(extra)
            .env("ZHIBU_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start zhibu serve");
        let stderr = child.stderr.take().unwrap();
        let (tx, log) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = Server {
            child,
            port: 0,
            log,
            history: Default::default(),
        };
        let line = server.wait_line(|l| l.contains("预览地址"));
        let port = line.rsplit(':').next().unwrap().trim_end_matches('/');
        server.port = port.parse().unwrap_or_else(|_| panic!("port in {line}"));
        server
    }

    /// Waits for a line of the server's output matching `pred`.
    fn wait_line(&self, pred: impl Fn(&str) -> bool) -> String {
        let end = Instant::now() + DEADLINE;
        loop {
            let left = end.saturating_duration_since(Instant::now());
            match self.log.recv_timeout(left) {
                Ok(line) => {
                    self.history.borrow_mut().push(line.clone());
                    if pred(&line) {
                        return line;
                    }
                }
                Err(_) => panic!(
                    "no such line from zhibu serve within {DEADLINE:?}; it said:\n{}",
                    self.history.borrow().join("\n")
                ),
            }
        }
    }

    fn get(&self, path: &str) -> Reply {
        self.request(&format!("GET {path} HTTP/1.0\r\nHost: x\r\n\r\n"))
    }

    fn request(&self, raw: &str) -> Reply {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(DEADLINE)).unwrap();
        s.write_all(raw.as_bytes()).unwrap();
        let mut bytes = Vec::new();
        s.read_to_end(&mut bytes).unwrap();
        Reply::parse(&bytes)
    }

    /// Opens the event stream.
    fn events(&self) -> Events {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(DEADLINE)).unwrap();
        s.write_all(
            b"GET /__zhibu/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n",
        )
        .unwrap();
        let mut reader = BufReader::new(s);
        let mut line = String::new();
        // Skip the response head.
        while reader.read_line(&mut line).unwrap() > 0 && line != "\r\n" {
            line.clear();
        }
        Events { reader }
    }
}

struct Reply {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Reply {
    fn parse(bytes: &[u8]) -> Reply {
        let split = bytes
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a response head");
        let head = String::from_utf8_lossy(&bytes[..split]).into_owned();
        let status = head.split(' ').nth(1).unwrap().parse().unwrap();
        Reply {
            status,
            head,
            body: bytes[split + 4..].to_vec(),
        }
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }
}

/// The server-sent events of build outcomes.
struct Events {
    reader: BufReader<TcpStream>,
}

/// One build outcome: its generation, and the messages if it failed.
#[derive(Debug)]
struct Outcome {
    generation: u64,
    failure: Option<String>,
}

impl Events {
    fn next(&mut self) -> Outcome {
        let (mut event, mut data) = (String::new(), String::new());
        let end = Instant::now() + DEADLINE;
        loop {
            // Keep-alive comments arrive every 15 s; they must not make a missing event wait
            // forever.
            assert!(Instant::now() < end, "no build event within {DEADLINE:?}");
            let mut line = String::new();
            let n = self.reader.read_line(&mut line).expect("event stream open");
            assert!(n > 0, "event stream closed");
            let line = line.trim_end_matches(['\r', '\n']);
            if line.is_empty() {
                if event.is_empty() {
                    continue; // keep-alive comment
                }
                break;
            }
            if let Some(v) = line.strip_prefix("event: ") {
                event = v.to_string();
            } else if let Some(v) = line.strip_prefix("data: ") {
                data = v.to_string();
            }
        }
        match event.as_str() {
            "status" => Outcome {
                generation: data.parse().unwrap(),
                failure: None,
            },
            "failure" => {
                let v: serde_json::Value = serde_json::from_str(&data).unwrap();
                Outcome {
                    generation: v["generation"].as_u64().unwrap(),
                    failure: Some(v["message"].as_str().unwrap().to_string()),
                }
            }
            other => panic!("unknown event {other}"),
        }
    }

    /// Waits for the outcome of the build after `generation`.
    fn after(&mut self, generation: u64) -> Outcome {
        let end = Instant::now() + DEADLINE;
        loop {
            assert!(
                Instant::now() < end,
                "no build after generation {generation} within {DEADLINE:?}"
            );
            let o = self.next();
            if o.generation > generation {
                return o;
            }
        }
    }
}

/// `content/news/a.md` with `body`.
fn first_page(body: &str) -> String {
    format!("+++\ntitle = \"第一篇\"\ndate = 2026-11-01\n+++\n{body}\n")
}

fn news_site() -> tempfile::TempDir {
    site(&[
        ("zhibu.toml", "title = \"预览站\""),
        ("content/_index.md", "+++\ntitle = \"首页\"\n+++\n"),
        (
            "content/news/_index.md",
            "+++\ntitle = \"工作动态\"\nkind = \"news\"\n+++\n",
        ),
        ("content/news/a.md", &first_page("原来的正文。")),
        (
            "content/news/b.md",
            "+++\ntitle = \"第二篇\"\ndate = 2026-11-02\n+++\n第二篇正文。\n",
        ),
        ("content/news/clip.mp4", "0123456789abcdefghij"),
    ])
}

/// Saves `text` at `path` the way vim, VS Code and WPS do: write a temporary file, then rename
/// it over the original (vim also probes the directory with a file named 4913).
fn atomic_save(path: &Path, text: &str) {
    let dir = path.parent().unwrap();
    std::fs::write(dir.join("4913"), "").unwrap();
    std::fs::remove_file(dir.join("4913")).unwrap();
    let name = path.file_name().unwrap().to_string_lossy();
    let swap = dir.join(format!(".{name}.swp"));
    std::fs::write(&swap, "swap").unwrap();
    let tmp = dir.join(format!("{name}.tmp"));
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
    std::fs::remove_file(&swap).unwrap();
}

fn page_text(s: &Server, path: &str) -> String {
    let r = s.get(path);
    assert_eq!(r.status, 200, "{path}");
    r.text()
}

#[test]
fn serves_with_live_reload_only_in_responses() {
    let dir = news_site();
    let s = Server::start(dir.path(), &[]);
    let home = s.get("/");
    assert_eq!(home.status, 200);
    assert_eq!(
        home.header("Content-Type").as_deref(),
        Some("text/html; charset=utf-8")
    );
    assert!(home.text().contains("/__zhibu/live.js"));
    let on_disk = std::fs::read_to_string(dir.path().join("public/index.html")).unwrap();
    assert!(
        !on_disk.contains("__zhibu"),
        "the reload script must not be written into the site"
    );
    let script = s.get("/__zhibu/live.js");
    assert!(script.text().contains("EventSource"));
    assert_eq!(
        s.get("/css/zhibu.css").header("Content-Type").as_deref(),
        Some("text/css; charset=utf-8")
    );
    // A directory without its slash is redirected, so relative links keep working.
    let r = s.get("/news");
    assert_eq!(r.status, 301);
    assert_eq!(r.header("Location").as_deref(), Some("/news/"));
    // Unknown paths get the site's 404 page with a 404 status.
    assert_eq!(s.get("/no/such/page/").status, 404);
}

#[test]
fn video_ranges_and_no_escape_from_the_output() {
    let dir = news_site();
    let s = Server::start(dir.path(), &[]);
    let whole = s.get("/news/clip.mp4");
    assert_eq!(whole.header("Content-Type").as_deref(), Some("video/mp4"));
    assert_eq!(whole.header("Accept-Ranges").as_deref(), Some("bytes"));
    let part = s.request("GET /news/clip.mp4 HTTP/1.0\r\nRange: bytes=10-13\r\n\r\n");
    assert_eq!(part.status, 206);
    assert_eq!(part.body, b"abcd");
    assert_eq!(
        part.header("Content-Range").as_deref(),
        Some("bytes 10-13/20")
    );
    let tail = s.request("GET /news/clip.mp4 HTTP/1.0\r\nRange: bytes=-3\r\n\r\n");
    assert_eq!(tail.body, b"hij");
    let beyond = s.request("GET /news/clip.mp4 HTTP/1.0\r\nRange: bytes=50-\r\n\r\n");
    assert_eq!(beyond.status, 416);
    for evil in [
        "/../zhibu.toml",
        "/%2e%2e/zhibu.toml",
        "/news/%2E%2E/%2E%2E/zhibu.toml",
        "/..%2fzhibu.toml",
        "/%5c..%5czhibu.toml",
    ] {
        let r = s.get(evil);
        assert!(r.status >= 400, "{evil} answered {}", r.status);
        assert!(!r.text().contains("预览站\""), "{evil} leaked zhibu.toml");
    }
}

#[test]
fn edits_renames_deletions_and_errors_reach_the_browser() {
    let dir = news_site();
    let news = dir.path().join("content/news");
    let s = Server::start(dir.path(), &[]);
    let mut events = s.events();
    let g0 = events.next().generation;

    // An atomic save (temp file renamed over the original): one rebuild, new text served.
    atomic_save(&news.join("a.md"), &first_page("改过的正文。"));
    let o = events.after(g0);
    assert!(o.failure.is_none(), "{o:?}");
    assert!(page_text(&s, "/news/a/").contains("改过的正文"));
    s.wait_line(|l| l.starts_with("content/news/a.md 有改动：重新渲染"));

    // A broken front matter: an overlay message with file and line, old page still served.
    std::fs::write(
        news.join("a.md"),
        "+++\ntitle = \"第一篇\"\ndraf = true\n+++\n坏掉的正文。\n",
    )
    .unwrap();
    let o = events.after(o.generation);
    let message = o.failure.expect("a failure event");
    assert!(
        message.contains("content/news/a.md:3:1: 错误: 未知字段 `draf`"),
        "{message}"
    );
    assert!(page_text(&s, "/news/a/").contains("改过的正文"));
    // A page opened now learns about the failure too.
    let mut late = s.events();
    assert!(late.next().failure.is_some());

    // Fixed: a success event (the overlay goes), new text served.
    std::fs::write(news.join("a.md"), first_page("修好的正文。")).unwrap();
    let o = events.after(o.generation);
    assert!(o.failure.is_none());
    assert!(page_text(&s, "/news/a/").contains("修好的正文"));

    // A rename: the old address is gone, the new one served, the list updated.
    std::fs::rename(news.join("b.md"), news.join("c.md")).unwrap();
    let o = events.after(o.generation);
    assert!(o.failure.is_none());
    assert_eq!(s.get("/news/b/").status, 404);
    assert!(page_text(&s, "/news/c/").contains("第二篇正文"));
    let list = page_text(&s, "/news/");
    assert!(
        list.contains("c/index.html") && !list.contains("b/index.html"),
        "{list}"
    );

    // A deletion: gone from the output, the list, the sitemap and the feed.
    std::fs::remove_file(news.join("c.md")).unwrap();
    let o = events.after(o.generation);
    assert!(o.failure.is_none());
    assert_eq!(s.get("/news/c/").status, 404);
    assert!(!dir.path().join("public/news/c").exists());
    for file in ["/news/", "/sitemap.xml", "/atom.xml"] {
        assert!(
            !page_text(&s, file).contains("news/c/"),
            "{file} still lists it"
        );
    }

    // A new directory with a page in it.
    std::fs::create_dir_all(news.join("2026")).unwrap();
    std::fs::write(
        news.join("2026/d.md"),
        "+++\ntitle = \"新目录里的一篇\"\ndate = 2026-11-05\n+++\n新的。\n",
    )
    .unwrap();
    let o = events.after(o.generation);
    assert!(o.failure.is_none());
    assert!(page_text(&s, "/news/2026/d/").contains("新的。"));

    // A burst (a git checkout touching many files) gives one rebuild, not many: the next edit
    // after it is the very next build.
    for i in 0..60 {
        std::fs::write(
            news.join(format!("burst{i:02}.md")),
            format!("+++\ntitle = \"批量{i}\"\ndate = 2026-10-01\n+++\n批量正文{i}。\n"),
        )
        .unwrap();
    }
    let burst = events.after(o.generation);
    assert!(burst.failure.is_none());
    assert!(page_text(&s, "/news/burst59/").contains("批量正文59"));
    std::fs::write(news.join("a.md"), first_page("最后一次修改。")).unwrap();
    let last = events.after(burst.generation);
    assert_eq!(
        last.generation,
        burst.generation + 1,
        "the burst caused more than one rebuild"
    );
    assert!(page_text(&s, "/news/a/").contains("最后一次修改"));
}

#[test]
fn a_template_edit_rebuilds_and_unchanged_files_keep_their_time() {
    let dir = news_site();
    let s = Server::start(dir.path(), &[]);
    let mut events = s.events();
    let g0 = events.next().generation;
    let b_page = dir.path().join("public/news/b/index.html");
    let before = std::fs::metadata(&b_page).unwrap().modified().unwrap();

    std::fs::write(
        dir.path().join("content/news/a.md"),
        first_page("只改第一篇。"),
    )
    .unwrap();
    let o = events.after(g0);
    assert!(o.failure.is_none());
    assert_eq!(
        std::fs::metadata(&b_page).unwrap().modified().unwrap(),
        before,
        "an unrelated page was rewritten"
    );

    // A site template created while serving (templates/ did not exist at the start).
    let templates: PathBuf = dir.path().join("templates");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(
        templates.join("page.html"),
        "<!DOCTYPE html><html><body><h1>{{ page.title }}</h1>自定义模板</body></html>",
    )
    .unwrap();
    let o = events.after(o.generation);
    assert!(o.failure.is_none(), "{o:?}");
    assert!(page_text(&s, "/news/b/").contains("自定义模板"));
}

#[test]
fn a_non_loopback_bind_is_warned_about() {
    let dir = news_site();
    let s = Server::start(dir.path(), &["--bind", "0.0.0.0"]);
    let history = s.history.borrow().join("\n");
    assert!(history.contains("警告：正在监听 0.0.0.0"), "{history}");
}

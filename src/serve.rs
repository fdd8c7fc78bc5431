//! `zhibu serve`: `zhibu watch` plus a local web server with live reload.
//!
//! The server only reads the output directory, so what editors preview is exactly what `build`
//! publishes; the live-reload script is added to HTML responses on the way out and never
//! written to disk. The browser listens on a server-sent event stream (`/__zhibu/events`): a
//! successful rebuild sends `reload`, a failed one sends the messages to show as an overlay
//! while the last good pages stay in place.

use crate::diagnostic::Diagnostic;
use crate::pipeline::{BuildError, BuildOptions, BuildReport};
use std::io::{BufRead, BufReader};
use std::io::{Read, Seek, SeekFrom, Write};
use std::net::IpAddr;
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// Where the live-reload machinery lives on the server; no site path starts with it.
const PREFIX: &str = "/__zhibu/";
/// The script added to every HTML page served.
const CLIENT: &str = include_str!("serve_client.js");

/// What `zhibu serve` was asked to do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The build to run and re-run.
    pub build: BuildOptions,
    /// Address to listen on.
    pub bind: IpAddr,
    /// Port; 0 picks a free one.
    pub port: u16,
    /// Open the site in the default browser once it is built.
    pub open: bool,
}

/// The outcome of the latest build, as the browsers are told.
#[derive(Debug, Default)]
struct Status {
    /// Counts builds, successful or not.
    generation: u64,
    /// The messages of the latest build when it failed.
    error: Option<String>,
}

/// Build status shared between the watcher and every open event stream.
#[derive(Default)]
struct Live {
    status: Mutex<Status>,
    changed: Condvar,
}

impl Live {
    /// A build has finished: browsers reload, or show its messages.
    fn publish(&self, result: &Result<BuildReport, BuildError>) {
        self.announce(match result {
            Ok(_) => None,
            Err(BuildError::Invalid(diags)) => Some(lines(diags)),
            Err(e) => Some(e.to_string()),
        });
    }

    /// A rebuild has put its pages in place (the search index follows): browsers reload now.
    fn pages_ready(&self) {
        self.announce(None);
    }

    /// A new generation with `error` (or none), told to every open event stream.
    fn announce(&self, error: Option<String>) {
        let mut s = self.status.lock().unwrap_or_else(|e| e.into_inner());
        s.generation += 1;
        s.error = error;
        self.changed.notify_all();
    }
}

/// Findings as the overlay shows them: errors first, one per line.
fn lines(diags: &[Diagnostic]) -> String {
    let mut out: Vec<String> = diags
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.to_string())
        .collect();
    out.extend(
        diags
            .iter()
            .filter(|d| !d.is_error())
            .map(|d| d.to_string()),
    );
    out.join("\n")
}

/// Runs the server and the watcher until interrupted.
pub fn run(opts: ServeOptions) -> anyhow::Result<()> {
    let output = opts.build.output_dir();
    let listener = TcpListener::bind((opts.bind, opts.port))
        .map_err(|e| anyhow::anyhow!("无法在 {}:{} 上启动服务：{e}", opts.bind, opts.port))?;
    let addr = listener.local_addr()?;
    let url = format!("http://{addr}/");
    if !opts.bind.is_loopback() {
        eprintln!(
            "警告：正在监听 {}，局域网中的其他电脑也能访问本预览（包括草稿）。只在本机预览请去掉 --bind。",
            opts.bind
        );
    }
    let live = Arc::new(Live::default());
    {
        let live = Arc::clone(&live);
        let output = output.clone();
        // A thread per connection: event streams stay open as long as their page, and no
        // pool may leave a new connection waiting behind them.
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let live = Arc::clone(&live);
                let output = output.clone();
                std::thread::spawn(move || handle(stream, &output, &live));
            }
        });
    }
    let mut opened = false;
    let early = Arc::clone(&live);
    let hook: Box<dyn FnMut() + Send> = Box::new(move || early.pages_ready());
    crate::watch::run(
        opts.build.clone(),
        |result| {
            // Browsers were told already when the pages went in before the search index.
            let told = matches!(result, Ok(r) if r.pages_published.is_some());
            if !told {
                live.publish(result);
            }
            if !opened {
                opened = true;
                eprintln!("预览地址：{url}");
                if opts.open {
                    if let Err(e) = open::that_detached(&url) {
                        eprintln!("无法打开浏览器（{e}），请手动访问 {url}");
                    }
                }
            }
        },
        Some(hook),
    )
}

/// One request as read from a connection.
struct Request {
    stream: TcpStream,
    head_only: bool,
    range: Option<String>,
}

/// A response body: bytes, or a slice of a file.
enum Body {
    Bytes(Vec<u8>),
    File(std::io::Take<std::fs::File>, u64),
}

impl Request {
    /// Reads the request line and headers (at most 64 KB); `None` for anything that is not a
    /// well-formed request.
    fn read(stream: TcpStream) -> Option<(Request, String, String)> {
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .ok()?;
        let mut reader = BufReader::new(stream.try_clone().ok()?).take(64 * 1024);
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let mut parts = line.split_whitespace();
        let (method, target) = (parts.next()?.to_string(), parts.next()?.to_string());
        let mut range = None;
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).ok()? == 0 || h.trim().is_empty() {
                break;
            }
            if let Some((name, value)) = h.split_once(':') {
                if name.trim().eq_ignore_ascii_case("range") {
                    range = Some(value.trim().to_string());
                }
            }
        }
        let request = Request {
            stream,
            head_only: method == "HEAD",
            range,
        };
        Some((request, method, target))
    }

    /// Sends a response and closes the connection.
    fn respond(mut self, status: u16, headers: &[(&str, &str)], body: Body) -> std::io::Result<()> {
        let reason = match status {
            200 => "OK",
            206 => "Partial Content",
            301 => "Moved Permanently",
            400 => "Bad Request",
            404 => "Not Found",
            405 => "Method Not Allowed",
            416 => "Range Not Satisfiable",
            _ => "",
        };
        let len = match &body {
            Body::Bytes(b) => b.len() as u64,
            Body::File(_, n) => *n,
        };
        let mut head =
            format!("HTTP/1.1 {status} {reason}\r\nContent-Length: {len}\r\nConnection: close\r\n");
        for (name, value) in headers {
            head += &format!("{name}: {value}\r\n");
        }
        head += "\r\n";
        self.stream.write_all(head.as_bytes())?;
        if !self.head_only {
            match body {
                Body::Bytes(b) => self.stream.write_all(&b)?,
                Body::File(mut f, _) => {
                    std::io::copy(&mut f, &mut self.stream)?;
                }
            }
        }
        self.stream.flush()
    }

    fn not_found(self) -> std::io::Result<()> {
        self.text(404, "404 未找到")
    }

    fn text(self, status: u16, text: &str) -> std::io::Result<()> {
        self.respond(
            status,
            &[("Content-Type", "text/plain; charset=utf-8")],
            Body::Bytes(text.as_bytes().to_vec()),
        )
    }
}

/// Answers one connection: the event stream, the client script, or a file of the site.
fn handle(stream: TcpStream, output: &Path, live: &Live) {
    let Some((request, method, target)) = Request::read(stream) else {
        return;
    };
    let path = target.split(['?', '#']).next().unwrap_or("/").to_string();
    let result = if method != "GET" && method != "HEAD" {
        request.text(405, "只支持 GET 和 HEAD")
    } else {
        match path.as_str() {
            "/__zhibu/events" => return events(request, live),
            "/__zhibu/live.js" => request.respond(
                200,
                &[
                    ("Content-Type", "text/javascript; charset=utf-8"),
                    ("Cache-Control", "no-store"),
                ],
                Body::Bytes(CLIENT.as_bytes().to_vec()),
            ),
            _ if path.starts_with(PREFIX) => request.not_found(),
            _ => {
                let generation = live
                    .status
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .generation;
                serve_file(request, output, &path, generation)
            }
        }
    };
    if let Err(e) = result {
        tracing::debug!("response not sent: {e}");
    }
}

/// The server-sent event stream of build outcomes, each event flushed at once.
fn events(request: Request, live: &Live) {
    let mut w = request.stream;
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-store\r\nConnection: keep-alive\r\n\r\n";
    if w.write_all(head.as_bytes())
        .and_then(|_| w.flush())
        .is_err()
    {
        return;
    }
    let mut seen = None;
    loop {
        let message = {
            let guard = live.status.lock().unwrap_or_else(|e| e.into_inner());
            let (status, _) = live
                .changed
                .wait_timeout_while(guard, Duration::from_secs(15), |s| {
                    seen == Some(s.generation)
                })
                .unwrap_or_else(|e| e.into_inner());
            if seen == Some(status.generation) {
                // Nothing new in a while: a comment keeps proxies and the browser from closing.
                ":\n\n".to_string()
            } else {
                seen = Some(status.generation);
                event_text(status.generation, status.error.as_deref())
            }
        };
        if w.write_all(message.as_bytes())
            .and_then(|_| w.flush())
            .is_err()
        {
            return; // the page was closed
        }
    }
}

/// One event: `status` with the build generation, or `error` with the messages as JSON.
fn event_text(generation: u64, error: Option<&str>) -> String {
    match error {
        None => format!("event: status\ndata: {generation}\n\n"),
        Some(text) => format!(
            "event: failure\ndata: {}\n\n",
            serde_json::json!({ "generation": generation, "message": text })
        ),
    }
}

/// A file of the output directory, or its 404 page.
fn serve_file(request: Request, output: &Path, path: &str, generation: u64) -> std::io::Result<()> {
    let Some(rel) = safe_relative(path) else {
        return request.text(400, "404 未找到");
    };
    let mut file = output.join(&rel);
    if file.is_dir() {
        if !path.ends_with('/') {
            // Relative links inside the page need the trailing slash.
            let to = format!("{path}/");
            return request.respond(301, &[("Location", &to)], Body::Bytes(Vec::new()));
        }
        file.push("index.html");
    }
    if !inside(output, &file) || !file.is_file() {
        let page = output.join("404.html");
        if page.is_file() && inside(output, &page) {
            return send(request, &page, 404, generation);
        }
        return request.not_found();
    }
    send(request, &file, 200, generation)
}

/// A URL path as a relative file path, or `None` if it tries to leave the directory.
fn safe_relative(url_path: &str) -> Option<PathBuf> {
    let decoded = percent_encoding::percent_decode_str(url_path)
        .decode_utf8()
        .ok()?;
    if decoded.contains('\0') || decoded.contains('\\') {
        return None;
    }
    let mut rel = PathBuf::new();
    for part in decoded.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            p if p.contains(':') => return None,
            p => rel.push(p),
        }
    }
    Some(rel)
}

/// Whether `file`, with links resolved, lies inside `dir` (a symlink in the output may not
/// lead elsewhere on the disk).
fn inside(dir: &Path, file: &Path) -> bool {
    match (std::fs::canonicalize(dir), std::fs::canonicalize(file)) {
        (Ok(d), Ok(f)) => f.starts_with(d),
        // Not there (yet): judge by the components alone.
        (Ok(_), Err(_)) => file
            .strip_prefix(dir)
            .is_ok_and(|r| r.components().all(|c| matches!(c, Component::Normal(_)))),
        _ => false,
    }
}

/// The media type of a file, with a charset for text.
fn content_type(file: &Path) -> String {
    let mime = mime_guess::from_path(file).first_or_octet_stream();
    if mime.type_() == "text"
        || mime.subtype() == "javascript"
        || mime.subtype() == "json"
        || mime.subtype() == "xml"
        || mime.suffix().is_some_and(|s| s == "xml")
    {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    }
}

/// Sends a file: HTML with the live-reload script added, anything else as it is, honouring a
/// single byte range (video players seek with them).
fn send(request: Request, file: &Path, status: u16, generation: u64) -> std::io::Result<()> {
    let kind = content_type(file);
    let common = [
        ("Content-Type", kind.as_str()),
        ("Cache-Control", "no-store"),
        ("Accept-Ranges", "bytes"),
    ];
    if kind.starts_with("text/html") {
        let html = std::fs::read_to_string(file).unwrap_or_default();
        let body = inject(&html, generation).into_bytes();
        return request.respond(status, &common, Body::Bytes(body));
    }
    let mut f = std::fs::File::open(file)?;
    let len = f.metadata()?.len();
    match request.range.as_deref().map(|r| parse_range(r, len)) {
        Some(RangeAnswer::Part(start, end)) => {
            f.seek(SeekFrom::Start(start))?;
            let n = end - start + 1;
            let range = format!("bytes {start}-{end}/{len}");
            let mut headers = common.to_vec();
            headers.push(("Content-Range", &range));
            request.respond(206, &headers, Body::File(f.take(n), n))
        }
        Some(RangeAnswer::Unsatisfiable) => {
            let range = format!("bytes */{len}");
            request.respond(416, &[("Content-Range", &range)], Body::Bytes(Vec::new()))
        }
        Some(RangeAnswer::Whole) | None => {
            request.respond(status, &common, Body::File(f.take(len), len))
        }
    }
}

/// How to answer a `Range` header.
#[derive(Debug, PartialEq, Eq)]
enum RangeAnswer {
    /// Bytes `start..=end`.
    Part(u64, u64),
    /// The range lies outside the file.
    Unsatisfiable,
    /// Not a single byte range we understand: send everything (allowed by RFC 9110).
    Whole,
}

/// Parses `bytes=0-99`, `bytes=100-`, `bytes=-100` for a file of `len` bytes.
fn parse_range(value: &str, len: u64) -> RangeAnswer {
    let Some(spec) = value.trim().strip_prefix("bytes=") else {
        return RangeAnswer::Whole;
    };
    if spec.contains(',') {
        return RangeAnswer::Whole;
    }
    let Some((a, b)) = spec.split_once('-') else {
        return RangeAnswer::Whole;
    };
    let (a, b) = (a.trim(), b.trim());
    let parsed = match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(start), Ok(end)) if start <= end => Some((start, end.min(len.saturating_sub(1)))),
        (Ok(start), Err(_)) if b.is_empty() => Some((start, len.saturating_sub(1))),
        (Err(_), Ok(suffix)) if a.is_empty() && suffix > 0 => {
            Some((len.saturating_sub(suffix), len.saturating_sub(1)))
        }
        _ => return RangeAnswer::Whole,
    };
    match parsed {
        Some((start, end)) if len > 0 && start < len && start <= end => {
            RangeAnswer::Part(start, end)
        }
        _ => RangeAnswer::Unsatisfiable,
    }
}

/// The page with the live-reload script before `</body>` (or at the end); the script learns
/// which build the page came from, so it reloads after any later one.
fn inject(html: &str, generation: u64) -> String {
    let tag =
        format!("<script src=\"/__zhibu/live.js\" data-generation=\"{generation}\"></script>");
    match html.rfind("</body>") {
        Some(i) => format!("{}{tag}\n{}", &html[..i], &html[i..]),
        None => format!("{html}\n{tag}\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=0-99", 1000), RangeAnswer::Part(0, 99));
        assert_eq!(parse_range("bytes=900-", 1000), RangeAnswer::Part(900, 999));
        assert_eq!(parse_range("bytes=-100", 1000), RangeAnswer::Part(900, 999));
        assert_eq!(
            parse_range("bytes=990-2000", 1000),
            RangeAnswer::Part(990, 999)
        );
        assert_eq!(parse_range("bytes=1000-", 1000), RangeAnswer::Unsatisfiable);
        assert_eq!(parse_range("bytes=0-1,5-9", 1000), RangeAnswer::Whole);
        assert_eq!(parse_range("items=0-1", 1000), RangeAnswer::Whole);
        assert_eq!(parse_range("bytes=5-1", 1000), RangeAnswer::Whole);
    }

    #[test]
    fn paths_never_leave_the_output() {
        assert_eq!(safe_relative("/a/b/"), Some(PathBuf::from("a/b")));
        assert_eq!(
            safe_relative("/tags/%E7%90%86%E8%AE%BA/"),
            Some(PathBuf::from("tags/理论"))
        );
        assert_eq!(safe_relative("/../etc/passwd"), None);
        assert_eq!(safe_relative("/a/%2e%2e/%2e%2e/x"), None);
        assert_eq!(safe_relative("/a\\..\\x"), None);
        assert_eq!(safe_relative("/C:/x"), None);
    }

    #[test]
    fn the_script_goes_before_body_end() {
        assert_eq!(
            inject("<p>x</p></body></html>", 3),
            "<p>x</p><script src=\"/__zhibu/live.js\" data-generation=\"3\"></script>\n</body></html>"
        );
    }

    #[test]
    fn media_types() {
        assert_eq!(
            content_type(Path::new("a/index.html")),
            "text/html; charset=utf-8"
        );
        assert_eq!(content_type(Path::new("v.mp4")), "video/mp4");
        assert_eq!(
            content_type(Path::new("i.svg")),
            "image/svg+xml; charset=utf-8"
        );
        assert!(content_type(Path::new("a.js")).contains("javascript"));
    }
}

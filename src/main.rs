//! The `zhibu` command line: parses arguments and hands over to the library.

use anyhow::Result;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// zhibu（支部）：党建宣传与理论学习静态网站生成器
#[derive(Parser)]
#[command(name = "zhibu", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// 构建站点（Build the site into the output directory）
    Build {
        #[command(flatten)]
        site: SiteArgs,
        /// 站点的绝对地址，覆盖 zhibu.toml 中的 base_url（只用于订阅源和站点地图）
        #[arg(long)]
        base_url: Option<String>,
    },
    /// 发布前检查：构建时的全部校验，加上占位符、个人信息、外部资源、图片替代文字、中英文空格、用词规范等
    Check {
        /// 站点根目录（含 zhibu.toml 与 content/）
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// 输出格式：human（给人看，标出位置）或 json（给 CI 和编辑器）
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// 同时检查草稿和未终审的页面
        #[arg(long)]
        drafts: bool,
    },
    /// 构建，然后在内容、模板、静态文件或配置改动时自动重新构建
    Watch {
        #[command(flatten)]
        site: SiteArgs,
    },
    /// 本地预览：自动重新构建，浏览器自动刷新
    Serve {
        #[command(flatten)]
        site: SiteArgs,
        /// 端口（0 表示任选一个空闲端口）
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// 监听地址；默认只允许本机访问
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// 构建完成后用默认浏览器打开
        #[arg(long)]
        open: bool,
    },
    /// 从 Word（.docx）或纯文本（.txt）导入一篇文章，生成 Markdown 页面
    Import {
        /// 要导入的 .docx 或 .txt 文件
        file: PathBuf,
        /// 站点根目录（含 zhibu.toml 与 content/）
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// 放到哪个栏目：content/ 下的目录，如 xuexi/2026-11；默认 content/ 本身
        #[arg(long)]
        section: Option<String>,
        /// 页面的文件名和网址（默认由文件名生成）
        #[arg(long)]
        slug: Option<String>,
        /// 页面已存在时覆盖它
        #[arg(long)]
        force: bool,
    },
}

/// Where the site is and where it is built, for `build`, `watch` and `serve`.
#[derive(clap::Args)]
struct SiteArgs {
    /// 站点根目录（含 zhibu.toml 与 content/）
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// 输出目录，默认 <root>/public
    #[arg(long)]
    output: Option<PathBuf>,
    /// 同时构建草稿和未终审的页面
    #[arg(long)]
    drafts: bool,
}

impl SiteArgs {
    fn options(self, base_url: Option<String>) -> zhibu::BuildOptions {
        zhibu::BuildOptions {
            root: self.root,
            output: self.output,
            base_url,
            drafts: self.drafts,
        }
    }
}

/// How `zhibu check` reports.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// For people: each finding with its line and the span marked.
    Human,
    /// For CI and editors.
    Json,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ZHIBU_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .without_time()
        .with_target(false)
        .init();
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Build { site, base_url } => {
            let opts = site.options(base_url);
            Ok(report(build_showing_progress(&opts)))
        }
        Command::Check {
            root,
            format,
            drafts,
        } => {
            let opts = zhibu::BuildOptions {
                root: root.clone(),
                output: None,
                base_url: None,
                drafts,
            };
            let findings = zhibu::pipeline::check(&opts)?;
            let text = match format {
                Format::Human => zhibu::check::report::human(&findings, &root),
                Format::Json => zhibu::check::report::json(&findings, &root),
            };
            print!("{text}");
            Ok(if findings.iter().any(|d| d.is_error()) {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Watch { site } => {
            zhibu::watch::run(site.options(None), |_| {}, None)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve {
            site,
            port,
            bind,
            open,
        } => {
            zhibu::serve::run(zhibu::serve::ServeOptions {
                build: site.options(None),
                bind,
                port,
                open,
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Import {
            file,
            root,
            section,
            slug,
            force,
        } => {
            let report = zhibu::import::import(&zhibu::import::ImportOptions {
                root,
                file: file.clone(),
                section: section.unwrap_or_default(),
                slug,
                force,
            })?;
            print_import(&file, &report);
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The page written on stdout (for scripts); what was not converted, and what to check, on
/// stderr.
fn print_import(file: &std::path::Path, report: &zhibu::import::ImportReport) {
    if !report.notes.is_empty() {
        eprintln!("以下内容未能完全转换（共 {} 处）：", report.notes.len());
        for note in &report.notes {
            eprintln!("  {note}");
        }
    }
    for hint in &report.hints {
        eprintln!("提示：{hint}");
    }
    let images = if report.images > 0 {
        format!("，提取图片 {} 张", report.images)
    } else {
        String::new()
    };
    // `./content/a.md` reads better as `content/a.md`.
    let page = report.page.strip_prefix(".").unwrap_or(&report.page);
    eprintln!("导入完成：{} → {}{images}", file.display(), page.display());
    println!("{}", page.display());
}

/// Builds; a build that is still running after two seconds shows a progress bar — in a
/// terminal only, so logs and CI output stay clean.
fn build_showing_progress(
    opts: &zhibu::BuildOptions,
) -> Result<zhibu::BuildReport, zhibu::BuildError> {
    use std::io::IsTerminal;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    if !std::io::stderr().is_terminal() {
        return zhibu::build(opts);
    }
    let progress = Arc::new(zhibu::output::Progress::default());
    let finished = Arc::new(AtomicBool::new(false));
    let drawer = {
        let (progress, finished) = (Arc::clone(&progress), Arc::clone(&finished));
        std::thread::spawn(move || {
            let start = std::time::Instant::now();
            while start.elapsed() < std::time::Duration::from_secs(2) {
                if finished.load(Ordering::Relaxed) {
                    return;
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            let bar = indicatif::ProgressBar::new(0).with_elapsed(start.elapsed());
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} 正在构建 [{bar:40}] {pos}/{len} 个文件 {elapsed}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            while !finished.load(Ordering::Relaxed) {
                bar.set_length(progress.total.load(Ordering::Relaxed) as u64);
                bar.set_position(progress.done.load(Ordering::Relaxed) as u64);
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            bar.finish_and_clear();
        })
    };
    let result = zhibu::pipeline::build_with_progress(opts, progress);
    finished.store(true, Ordering::Relaxed);
    let _ = drawer.join();
    result
}

/// Prints every finding, then a one-line summary; the exit status says whether it published.
fn report(result: Result<zhibu::BuildReport, zhibu::BuildError>) -> ExitCode {
    match result {
        Ok(r) => {
            for w in &r.warnings {
                eprintln!("{w}");
            }
            eprintln!(
                "构建完成：{} 个页面，{} 个栏目，{} 个文件，用时 {} 毫秒 → {}",
                r.pages,
                r.sections,
                r.files,
                r.elapsed.as_millis(),
                r.output.display()
            );
            let s = &r.search;
            eprintln!(
                "搜索索引：{} 个页面，索引 {}（{} 个分片，最大分片 {}），摘录文本 {}",
                s.pages,
                size(s.total_bytes),
                s.shards,
                size(s.largest_shard),
                size(s.part_bytes)
            );
            ExitCode::SUCCESS
        }
        Err(zhibu::BuildError::Invalid(diags)) => {
            for d in &diags {
                eprintln!("{d}");
            }
            let errors = diags.iter().filter(|d| d.is_error()).count();
            eprintln!("构建失败：共 {errors} 个错误，输出目录未作改动");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("错误: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A byte count as readers like it: `812 B`, `37.5 KB`, `12.3 MB`.
fn size(bytes: usize) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{:.1} KB", b as f64 / 1024.0),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

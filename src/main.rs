//! The `zhibu` command line: parses arguments and hands over to the library.

use anyhow::Result;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
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
    /// 新建站点：配置文件和每种内容各一个示例（默认主题已内置，不复制）
    Init {
        /// 站点目录，不存在时新建
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// 目录不是空的也写入：只添加缺少的文件，已有的文件一律保留不动
        #[arg(long)]
        force: bool,
    },
    /// 新建学习汇编、文章或党建品牌（新建的文件都是草稿，不会被误发布）
    New {
        /// 站点根目录（含 zhibu.toml 与 content/）
        #[arg(long, default_value = ".", global = true)]
        root: PathBuf,
        #[command(subcommand)]
        what: NewCommand,
    },
    /// 打包：构建站点，生成解压后直接双击打开的 .zip（含使用说明和 SHA-256 校验清单）
    Package {
        /// 站点根目录（含 zhibu.toml 与 content/）
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// 压缩包文件名，默认为当前目录下的 <站点名称>-<年月日>.zip
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// 覆盖已有的同名压缩包
        #[arg(long)]
        force: bool,
        /// 不打包，而是校验压缩包 FILE：文件是否齐全、有无改动
        #[arg(long, value_name = "FILE", conflicts_with_all = ["out", "force"])]
        verify: Option<PathBuf>,
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

/// What `zhibu new` makes.
#[derive(Subcommand)]
enum NewCommand {
    /// 新建一期学习汇编：<年>-<月>/_index.md，外加每个分类一篇文章；默认是最新一期的下个月
    Pack {
        /// 学习汇编总栏目的目录（站点中有多个时需要指定），如 xuexi
        #[arg(long)]
        section: Option<String>,
        /// 年份（同时要写 --month）
        #[arg(long, requires = "month", value_parser = clap::value_parser!(u16).range(1..=9999))]
        year: Option<u16>,
        /// 月份 1–12
        #[arg(long, value_parser = clap::value_parser!(u8).range(1..=12))]
        month: Option<u8>,
    },
    /// 在栏目中新建一篇文章，按栏目类型写好所需字段
    Article {
        /// 栏目目录（content/ 下），如 qinglian 或 xuexi/2026-12
        section: String,
        /// 标题；文件名由标题生成
        title: String,
        /// 学习汇编文章的分类，默认为 pack_categories 中的第一个
        #[arg(long)]
        category: Option<String>,
        /// 文件名（不含 .md），代替由标题生成的
        #[arg(long)]
        slug: Option<String>,
    },
    /// 在党建品牌栏目中新建一个品牌页面
    Brand {
        /// 品牌名称
        name: String,
        /// 党建品牌栏目的目录（站点中有多个时需要指定），如 pinpai
        #[arg(long)]
        section: Option<String>,
        /// 目录名，代替由品牌名称生成的
        #[arg(long)]
        slug: Option<String>,
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
        Command::Init { dir, force } => init(&dir, force),
        Command::New { root, what } => new(&root, what),
        Command::Package {
            root,
            out,
            force,
            verify,
        } => match verify {
            Some(file) => {
                let result = zhibu::package::verify(&file)?;
                println!("{result}");
                Ok(if result.is_ok() {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::FAILURE
                })
            }
            None => package(zhibu::package::PackageOptions { root, out, force }),
        },
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

fn init(dir: &std::path::Path, force: bool) -> Result<ExitCode> {
    let done = zhibu::init::init(dir, force)?;
    for kept in &done.kept {
        eprintln!("已存在，保留原文件：{kept}");
    }
    let root = if dir == std::path::Path::new(".") {
        String::new()
    } else {
        format!(" --root {}", dir.display())
    };
    println!(
        "已在 {} 新建站点，写入 {} 个文件。接下来：\n\
         \x20 1. zhibu serve{root} --open    在浏览器中预览示例站点\n\
         \x20 2. 修改 zhibu.toml 中的站点名称 title 和简介 description\n\
         \x20 3. 把 content/ 中标有“【示例】”的文字换成本单位的内容\n\
         \x20 4. zhibu new{root} pack        新建下个月的学习汇编；zhibu new article、zhibu new brand 新建文章和品牌\n\
         \x20 5. zhibu check{root}           发布前检查；zhibu package{root} 打包成可直接打开的 .zip",
        dir.display(),
        done.written.len()
    );
    Ok(ExitCode::SUCCESS)
}

fn new(root: &std::path::Path, what: NewCommand) -> Result<ExitCode> {
    let made = match what {
        NewCommand::Pack {
            section,
            year,
            month,
        } => zhibu::new::pack(
            root,
            &zhibu::new::PackOptions {
                section,
                year,
                month,
            },
        )?,
        NewCommand::Article {
            section,
            title,
            category,
            slug,
        } => zhibu::new::article(root, &section, &title, category.as_deref(), slug.as_deref())?,
        NewCommand::Brand {
            name,
            section,
            slug,
        } => zhibu::new::brand(root, &name, section.as_deref(), slug.as_deref())?,
    };
    for file in &made {
        println!("已新建 {}", root.join(file).display());
    }
    println!(
        "新建的文件都是草稿（draft = true）：用 zhibu serve --drafts 预览，写好、审定后删去 draft = true 这一行才会发布。"
    );
    Ok(ExitCode::SUCCESS)
}

fn package(opts: zhibu::package::PackageOptions) -> Result<ExitCode> {
    let done = match zhibu::package::package(&opts) {
        Ok(done) => done,
        Err(zhibu::package::PackageError::Build(e)) => return Ok(report(Err(e))),
        Err(e) => return Err(e.into()),
    };
    for w in &done.build.warnings {
        eprintln!("{w}");
    }
    println!(
        "已打包 {}：{} 个文件，{}。解压后打开“{}”文件夹中的 index.html 即可阅读，说明见其中的使用说明.txt",
        done.zip.display(),
        done.files,
        zhibu::kinds::human_size(done.bytes),
        done.top
    );
    Ok(ExitCode::SUCCESS)
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
                zhibu::kinds::human_size(s.total_bytes as u64),
                s.shards,
                zhibu::kinds::human_size(s.largest_shard as u64),
                zhibu::kinds::human_size(s.part_bytes as u64)
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

//! Content kinds: study packs, columns, brand showcases and news.
//!
//! A section declares its kind; its pages inherit it. Each kind's fields live in `[extra]` and are
//! checked here against typed schemas, so a brand with seven stars or a pack article in a category
//! that does not exist is an error with file, line and field — not a page that quietly looks wrong.
//! Checked data is stored on the model with file references already turned into output URLs.

use crate::diagnostic::{Diagnostic, Diagnostics, Position};
use crate::frontmatter;
use crate::site::{FrontSource, Site};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

/// What a section holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// The archive of study packs (理论学习); its subsections are packs.
    Packs,
    /// One monthly study pack (理论学习汇编 第N期).
    Pack,
    /// A column such as 清廉文化.
    Column,
    /// Brand showcases (党建品牌).
    Brands,
    /// Dated news items (工作动态).
    News,
}

impl Kind {
    /// How messages name a page of this kind.
    fn page_label(self) -> &'static str {
        match self {
            Kind::Packs | Kind::Pack => "学习汇编文章",
            Kind::Column => "专栏文章",
            Kind::Brands => "党建品牌页面",
            Kind::News => "工作动态",
        }
    }
}

/// The form of a column article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Form {
    /// Plain text with pictures.
    #[default]
    Text,
    /// Works (calligraphy, paintings) with captions, shown in a lightbox.
    Gallery,
    /// A local micro-video with a poster.
    Video,
    /// An exemplar's profile (清廉榜样).
    Exemplar,
}

// ---- Schemas: what editors write in [extra] ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PackFields {
    year: u16,
    month: u8,
    #[serde(default)]
    issue: Option<u32>,
    #[serde(default)]
    theme: Option<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    cover: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AttachmentField {
    file: String,
    #[serde(default)]
    title: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PackArticleFields {
    category: String,
    #[serde(default)]
    author: Option<String>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    attachments: Vec<AttachmentField>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ColumnFields {
    #[serde(default)]
    cover: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WorkField {
    image: String,
    #[serde(default)]
    caption: Option<String>,
    #[serde(default)]
    author: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ColumnArticleFields {
    #[serde(default)]
    form: Form,
    #[serde(default)]
    thumbnail: Option<String>,
    #[serde(default)]
    author: Option<String>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    works: Vec<WorkField>,
    #[serde(default)]
    video: Option<String>,
    #[serde(default)]
    poster: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    post: Option<String>,
    #[serde(default)]
    photo: Option<String>,
}

/// A working method and its items (`321工作机制`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Method {
    /// Name of the method.
    pub name: String,
    /// Its items, in order.
    #[serde(default)]
    pub items: Vec<String>,
}

/// A result of a given year (成效).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct YearText {
    /// The year.
    pub year: u16,
    /// What was achieved.
    pub text: String,
}

/// A star rating of a given year.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct YearStars {
    /// The year.
    pub year: u16,
    /// Stars, 3 to 5.
    pub stars: u8,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ImageField {
    image: String,
    #[serde(default)]
    caption: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BrandFields {
    name: String,
    unit: String,
    #[serde(default)]
    branch: Option<String>,
    #[serde(default)]
    slogan: Option<String>,
    #[serde(default)]
    meaning: Option<String>,
    #[serde(default)]
    logo: Option<String>,
    #[serde(default)]
    logo_meaning: Option<String>,
    #[serde(default)]
    method: Option<Method>,
    #[serde(default)]
    results: Vec<YearText>,
    stars: u8,
    #[serde(default)]
    star_history: Vec<YearStars>,
    #[serde(default)]
    gallery: Vec<ImageField>,
    #[serde(default)]
    contact: Option<String>,
    #[serde(default)]
    featured: bool,
}

// ---- Checked data, file references as root-relative output URLs ----

/// A study pack.
#[derive(Debug, Clone, Serialize)]
pub struct PackInfo {
    /// Year.
    pub year: u16,
    /// Month, 1–12.
    pub month: u8,
    /// Issue number within the year (written, or computed from the month order).
    pub issue: u32,
    /// 本期主题.
    pub theme: Option<String>,
    /// 编者按.
    pub note: Option<String>,
    /// Cover image URL.
    pub cover: Option<String>,
    #[serde(skip)]
    issue_written: bool,
}

impl PackInfo {
    /// `2026年第11期`.
    pub fn cover_line(&self) -> String {
        format!("{}年第{}期", self.year, self.issue)
    }
}

/// A file offered for download beside an article.
#[derive(Debug, Clone, Serialize)]
pub struct Attachment {
    /// Link text.
    pub title: String,
    /// Root-relative URL.
    pub url: String,
    /// `PDF`, `Word`, …
    pub r#type: String,
    /// Human size, `12.3 KB`.
    pub size: String,
}

/// An article of a study pack.
#[derive(Debug, Clone, Serialize)]
pub struct PackArticle {
    /// One of the configured categories.
    pub category: String,
    /// 作者.
    pub author: Option<String>,
    /// 来源.
    pub source: Option<String>,
    /// Downloads.
    pub attachments: Vec<Attachment>,
}

/// A column (section).
#[derive(Debug, Clone, Serialize, Default)]
pub struct ColumnInfo {
    /// Cover image URL.
    pub cover: Option<String>,
}

/// An image with its caption.
#[derive(Debug, Clone, Serialize)]
pub struct Work {
    /// Root-relative URL.
    pub image: String,
    /// Caption.
    pub caption: Option<String>,
    /// Author of the work.
    pub author: Option<String>,
}

/// A column article.
#[derive(Debug, Clone, Serialize)]
pub struct ColumnArticle {
    /// Form.
    pub form: Form,
    /// 作者.
    pub author: Option<String>,
    /// 来源.
    pub source: Option<String>,
    /// List thumbnail: written, or the first work, the poster or the photo.
    pub thumbnail: Option<String>,
    /// Gallery works.
    pub works: Vec<Work>,
    /// Video URL.
    pub video: Option<String>,
    /// Video poster URL.
    pub poster: Option<String>,
    /// Exemplar's name.
    pub name: Option<String>,
    /// Exemplar's post.
    pub post: Option<String>,
    /// Exemplar's photo URL.
    pub photo: Option<String>,
}

/// A brand showcase.
#[derive(Debug, Clone, Serialize)]
pub struct Brand {
    /// 品牌名称.
    pub name: String,
    /// 单位.
    pub unit: String,
    /// 支部.
    pub branch: Option<String>,
    /// 口号.
    pub slogan: Option<String>,
    /// 内涵.
    pub meaning: Option<String>,
    /// Logo URL.
    pub logo: Option<String>,
    /// 标识释义.
    pub logo_meaning: Option<String>,
    /// 工作方法.
    pub method: Option<Method>,
    /// 工作成效.
    pub results: Vec<YearText>,
    /// 3–5.
    pub stars: u8,
    /// 历年星级.
    pub star_history: Vec<YearStars>,
    /// 风采.
    pub gallery: Vec<Work>,
    /// 联系方式.
    pub contact: Option<String>,
    /// Shown on the home page.
    pub featured: bool,
}

/// What a page's kind adds.
#[derive(Debug, Clone, Default)]
pub enum PageData {
    /// Nothing (no kind, or news).
    #[default]
    None,
    /// A study pack article.
    PackArticle(PackArticle),
    /// A column article.
    ColumnArticle(ColumnArticle),
    /// A brand showcase.
    Brand(Brand),
}

/// What a section's kind adds.
#[derive(Debug, Clone, Default)]
pub struct SectionData {
    /// For a pack.
    pub pack: Option<PackInfo>,
    /// For a column.
    pub column: Option<ColumnInfo>,
}

/// Checks every kinded section and page and stores the checked data on the model.
pub fn attach(site: &mut Site, diags: &mut Diagnostics) {
    let mut section_data = Vec::new();
    for (id, s) in site.sections.iter().enumerate() {
        let Some(kind) = s.kind else { continue };
        let check = Check {
            file: &s.file,
            front: &s.front,
            dir: &s.dir,
            site,
            diags: &mut *diags,
        };
        let data = match kind {
            Kind::Pack => SectionData {
                pack: check.pack(),
                column: None,
            },
            Kind::Column => SectionData {
                pack: None,
                column: check.column(),
            },
            _ => continue,
        };
        section_data.push((id, data));
    }
    let mut page_data = Vec::new();
    for (id, p) in site.pages.iter().enumerate() {
        let Some(kind) = p.kind else { continue };
        let check = Check {
            file: &p.file,
            front: &p.front,
            dir: p.content_dir(),
            site,
            diags: &mut *diags,
        };
        let data = match kind {
            Kind::Pack => check
                .pack_article(&site.config.pack_categories)
                .map(PageData::PackArticle),
            Kind::Column => check.column_article().map(PageData::ColumnArticle),
            Kind::Brands => check.brand().map(PageData::Brand),
            Kind::Packs | Kind::News => None,
        };
        if let Some(d) = data {
            page_data.push((id, d));
        }
    }
    for (id, d) in section_data {
        site.sections[id].data = d;
    }
    for (id, d) in page_data {
        site.pages[id].data = d;
    }
    number_packs(site);
    check_issue_numbers(site, diags);
}

/// Two packs of one year with the same 期号 would print the same cover line; members could not
/// tell them apart and the archive would list 第11期 twice.
fn check_issue_numbers(site: &Site, diags: &mut Diagnostics) {
    let mut seen: HashMap<(u16, u32), usize> = HashMap::new();
    for (id, s) in site.sections.iter().enumerate() {
        let Some(p) = &s.data.pack else { continue };
        match seen.get(&(p.year, p.issue)) {
            None => {
                seen.insert((p.year, p.issue), id);
            }
            Some(&first) => {
                let pos = if p.issue_written {
                    s.front.position_of("issue")
                } else {
                    Position { line: 1, col: 1 }
                };
                diags.push(Diagnostic::error(
                    &s.file,
                    pos,
                    format!(
                        "学习汇编 [extra]：期号重复：{} 已由 {} 使用，同一年的期号不能相同",
                        p.cover_line(),
                        site.sections[first].file.display()
                    ),
                ));
            }
        }
    }
}

/// Packs without a written issue number get their place among the year's packs by month.
fn number_packs(site: &mut Site) {
    let mut by_year: HashMap<u16, Vec<(u8, usize)>> = HashMap::new();
    for (id, s) in site.sections.iter().enumerate() {
        if let Some(p) = &s.data.pack {
            by_year.entry(p.year).or_default().push((p.month, id));
        }
    }
    for packs in by_year.values_mut() {
        packs.sort();
        for (n, &(_, id)) in packs.iter().enumerate() {
            if let Some(p) = site.sections[id].data.pack.as_mut() {
                if !p.issue_written {
                    p.issue = n as u32 + 1;
                }
            }
        }
    }
}

/// Checking one file's kind data: where it is, its front matter, and where findings go.
struct Check<'c> {
    file: &'c Path,
    front: &'c FrontSource,
    dir: &'c str,
    site: &'c Site,
    diags: &'c mut Diagnostics,
}

/// `[extra]` alone, other keys ignored (they were checked with the generic front matter).
#[derive(Deserialize)]
struct ExtraOf<T> {
    #[serde(default = "Option::default")]
    extra: Option<T>,
}

impl Check<'_> {
    fn error(&mut self, pos: Position, message: String) {
        self.diags.push(Diagnostic::error(self.file, pos, message));
    }

    /// `[extra]` parsed as `T`, with located messages prefixed by what the file is.
    fn extra<T: DeserializeOwned>(&mut self, label: &str) -> Option<Option<T>> {
        let Some(format) = self.front.format else {
            return Some(None);
        };
        match frontmatter::parse::<ExtraOf<T>>(format, &self.front.text, self.file) {
            Ok(e) => Some(e.extra),
            Err(mut d) => {
                d.message = format!("{label} [extra]：{}", d.message);
                self.diags.push(d);
                None
            }
        }
    }

    /// `[extra]` that must be present because the kind has required fields.
    fn required_extra<T: DeserializeOwned>(&mut self, label: &str, needs: &str) -> Option<T> {
        match self.extra::<T>(label)? {
            Some(t) => Some(t),
            None => {
                self.error(
                    Position { line: 1, col: 1 },
                    format!("{label}缺少 [extra]：至少需要 {needs}"),
                );
                None
            }
        }
    }

    /// The output URL of a file named in front matter; an error where it is written if missing.
    fn file_url(&mut self, reference: &str) -> Option<String> {
        match self.site.find_asset(self.dir, reference) {
            Some(a) => Some(a.dest.clone()),
            None => {
                let pos = value_position(&self.front.text, reference);
                let dir = if self.dir.is_empty() {
                    "content/".to_string()
                } else {
                    format!("content/{}/", self.dir)
                };
                self.error(
                    pos,
                    format!("文件 `{reference}` 不存在（路径相对于 {dir}）"),
                );
                None
            }
        }
    }

    fn optional_file(&mut self, reference: &Option<String>) -> Option<String> {
        reference.as_deref().and_then(|r| self.file_url(r))
    }

    fn pack(mut self) -> Option<PackInfo> {
        let f: PackFields = self.required_extra("学习汇编栏目", "year、month")?;
        if !(1..=12).contains(&f.month) {
            let pos = self.front.position_of("month");
            self.error(
                pos,
                format!(
                    "学习汇编 [extra]：月份 month 应为 1 到 12，现为 {}",
                    f.month
                ),
            );
        }
        if f.issue == Some(0) {
            let pos = self.front.position_of("issue");
            self.error(pos, "学习汇编 [extra]：期号 issue 应从 1 开始".into());
        }
        let cover = self.optional_file(&f.cover);
        Some(PackInfo {
            year: f.year,
            month: f.month,
            issue: f.issue.unwrap_or(0),
            issue_written: f.issue.is_some(),
            theme: f.theme,
            note: f.note,
            cover,
        })
    }

    fn column(mut self) -> Option<ColumnInfo> {
        let f: ColumnFields = self.extra("专栏")?.unwrap_or_default();
        Some(ColumnInfo {
            cover: self.optional_file(&f.cover),
        })
    }

    fn pack_article(mut self, categories: &[String]) -> Option<PackArticle> {
        let label = crate::kinds::Kind::Pack.page_label();
        let f: PackArticleFields = self.required_extra(label, "category（分类）")?;
        if !categories.contains(&f.category) {
            let pos = self.front.position_of("category");
            self.error(
                pos,
                format!(
                    "{label} [extra]：分类 category = \"{}\" 不在 zhibu.toml 的 pack_categories 中（可选：{}）",
                    f.category,
                    categories.join("、")
                ),
            );
        }
        let mut attachments = Vec::new();
        for a in &f.attachments {
            let Some(asset) = self.site.find_asset(self.dir, &a.file) else {
                self.file_url(&a.file);
                continue;
            };
            let bytes = std::fs::metadata(&asset.src).map(|m| m.len()).unwrap_or(0);
            attachments.push(Attachment {
                title: a.title.clone().unwrap_or_else(|| a.file.clone()),
                url: asset.dest.clone(),
                r#type: file_type(&a.file),
                size: human_size(bytes),
            });
        }
        Some(PackArticle {
            category: f.category,
            author: f.author,
            source: f.source,
            attachments,
        })
    }

    fn column_article(mut self) -> Option<ColumnArticle> {
        let label = Kind::Column.page_label();
        let f: ColumnArticleFields = self.extra(label)?.unwrap_or_default();
        let form_pos = self.front.position_of("form");
        match f.form {
            Form::Gallery if f.works.is_empty() => {
                self.error(form_pos, format!("{label} [extra]：书画作品（form = \"gallery\"）需要 works = [{{ image = \"…\", caption = \"…\" }}]"))
            }
            Form::Video if f.video.is_none() => {
                self.error(form_pos, format!("{label} [extra]：微视频（form = \"video\"）需要 video = \"文件.mp4\""))
            }
            Form::Exemplar if f.name.as_deref().is_none_or(|n| n.trim().is_empty()) => {
                self.error(form_pos, format!("{label} [extra]：清廉榜样（form = \"exemplar\"）需要 name = \"姓名\""))
            }
            _ => {}
        }
        let works: Vec<Work> = f
            .works
            .iter()
            .filter_map(|w| {
                let image = self.file_url(&w.image)?;
                Some(Work {
                    image,
                    caption: w.caption.clone(),
                    author: w.author.clone(),
                })
            })
            .collect();
        let video = self.optional_file(&f.video);
        let poster = self.optional_file(&f.poster);
        let photo = self.optional_file(&f.photo);
        let thumbnail = self
            .optional_file(&f.thumbnail)
            .or_else(|| works.first().map(|w| w.image.clone()))
            .or_else(|| poster.clone())
            .or_else(|| photo.clone());
        Some(ColumnArticle {
            form: f.form,
            author: f.author,
            source: f.source,
            thumbnail,
            works,
            video,
            poster,
            name: f.name,
            post: f.post,
            photo,
        })
    }

    fn brand(mut self) -> Option<Brand> {
        let label = Kind::Brands.page_label();
        let f: BrandFields =
            self.required_extra(label, "name（品牌名称）、unit（单位）、stars（星级）")?;
        for (key, value) in [("name", &f.name), ("unit", &f.unit)] {
            if value.trim().is_empty() {
                let pos = self.front.position_of(key);
                self.error(pos, format!("{label} [extra]：{key} 不能为空"));
            }
        }
        if !(3..=5).contains(&f.stars) {
            let pos = self.front.position_of("stars");
            self.error(
                pos,
                format!("{label} [extra]：星级 stars 应为 3 到 5，现为 {}", f.stars),
            );
        }
        for h in &f.star_history {
            if !(3..=5).contains(&h.stars) {
                let pos = value_position(&self.front.text, &format!("year = {}", h.year));
                self.error(
                    pos,
                    format!(
                        "{label} [extra]：{} 年的星级应为 3 到 5，现为 {}",
                        h.year, h.stars
                    ),
                );
            }
        }
        let logo = self.optional_file(&f.logo);
        let gallery = f
            .gallery
            .iter()
            .filter_map(|g| {
                let image = self.file_url(&g.image)?;
                Some(Work {
                    image,
                    caption: g.caption.clone(),
                    author: None,
                })
            })
            .collect();
        Some(Brand {
            name: f.name,
            unit: f.unit,
            branch: f.branch,
            slogan: f.slogan,
            meaning: f.meaning,
            logo,
            logo_meaning: f.logo_meaning,
            method: f.method,
            results: f.results,
            stars: f.stars,
            star_history: f.star_history,
            gallery,
            contact: f.contact,
            featured: f.featured,
        })
    }
}

/// Where `value` is first written in a front matter block (for messages about file names).
fn value_position(front: &str, value: &str) -> Position {
    front
        .find(value)
        .map(|o| Position::of_offset(front, o).shifted(1))
        .unwrap_or(Position { line: 2, col: 1 })
}

/// A reader's name for a file's type.
fn file_type(name: &str) -> String {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "pdf" => "PDF".into(),
        "doc" | "docx" | "wps" => "Word".into(),
        "xls" | "xlsx" | "et" => "Excel".into(),
        "ppt" | "pptx" | "dps" => "PPT".into(),
        "ofd" => "OFD".into(),
        "zip" | "rar" | "7z" => "压缩包".into(),
        "" => "文件".into(),
        other => other.to_ascii_uppercase(),
    }
}

/// `12.3 KB`, `1.2 MB`.
/// A byte count for people: `512 B`, `12.3 KB`, `4.5 MB`.
pub fn human_size(bytes: u64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{:.1} KB", b as f64 / 1024.0),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_types() {
        assert_eq!(human_size(512), "512 B");
        assert_eq!(human_size(12_600), "12.3 KB");
        assert_eq!(file_type("原文.PDF"), "PDF");
        assert_eq!(file_type("a.docx"), "Word");
    }
}

//! Building the index: every page's normalised text becomes postings of its single characters
//! (page level) and of its overlapping character pairs (with positions); postings are grouped
//! into shards by a hash of the term.
//!
//! Page numbers are the pages' rank newest first, so "newer first" is "smaller number first"
//! and a year is a range of numbers.
//!
//! Files written under `search/`:
//! * `meta.js` — `zhibu_meta({...})`: shard count, part size, years, the fold table.
//! * `s/<shard>.js` — `zhibu_shard("s/<shard>", "<records>")`: page lists. A record is `a`
//!   or `b` (one or two characters follow), the term, the posting's length as a varint, the
//!   posting.
//! * `p/<shard>.js` — `zhibu_shard("p/<shard>", "<records>")`: the positions of each pair,
//!   framed the same way, in their own shards so a query of two characters (one pair) never
//!   loads positions.
//! * `d/<page>-<part>.js` — `zhibu_doc(page, part, [url, title, where, date, text, parts])`: the
//!   page's plain text in parts of [`PART`] normalised characters, for excerpts.
//! * `facets.js` — `zhibu_facets({...})`: pages of each kind and star rating, loaded only when
//!   a filter is used.
//!
//! A single-character posting is a list of entries `page, n·4 + in_title·2 + in_heading,
//! part of the first occurrence`; a pair's page list holds `page, n·2 + has_fields,
//! [n_title, n_headings,] part of the first occurrence`, and its positions record the `n`
//! positions of each page in turn. Page numbers and positions are deltas (the first absolute,
//! then `difference − 1`).

use super::code::{push_varint, shard_name, term_hash};
use super::text::{self, body_text};
use std::collections::{BTreeMap, HashMap};

/// Normalised characters per text part (`search/d/<page>-<part>.js`).
pub const PART: usize = 600;
/// The index aims at shards of about this many bytes; large terms make their shard larger.
pub const SHARD_TARGET: usize = 6 * 1024;
/// Upper bound on the number of shards.
pub const MAX_SHARDS: usize = 4096;

/// What search needs to know about a page besides its text.
#[derive(Debug, Clone, Default)]
pub struct SearchPage {
    /// Rank newest first (0 = newest); also the page's number in the index.
    pub id: u32,
    /// Root-relative URL.
    pub url: String,
    /// Title as written.
    pub title: String,
    /// Description as written (may be empty).
    pub description: String,
    /// Where the page lives, as readers name it (`2026年第11期`, `清廉文化`).
    pub place: String,
    /// ISO date (`2026-11-05`) or empty.
    pub date: String,
    /// Kind code for the filter: `pack`, `column`, `brand`, `news` or `page`.
    pub kind: &'static str,
    /// Star rating of a brand showcase.
    pub stars: Option<u8>,
    /// Text the page's kind shows from its front matter (a brand's slogan, an exemplar's
    /// name…), searched like the body: after the description, each field on its own line.
    pub fields: Vec<String>,
}

/// A page's searchable text, kept until the index is built.
#[derive(Debug, Clone, Default)]
pub struct PageSearch {
    /// Number in the index.
    pub id: u32,
    /// Normalised text: title, headings, description, kind fields, body, separated by line
    /// breaks.
    pub text: String,
    /// Characters of the title in `text`.
    pub title_end: u32,
    /// Where the headings end in `text` (characters).
    pub headings_end: u32,
    /// Kind code.
    pub kind: &'static str,
    /// Star rating.
    pub stars: Option<u8>,
    /// Year of the date, 0 when undated.
    pub year: u16,
    /// Text part files written for this page, and their bytes.
    pub parts: (usize, usize),
}

/// The plain text of a page before normalisation, as `(title, headings, description, kind
/// fields, body)` joined with line breaks; also where the title and headings end, in bytes.
fn layout(page: &SearchPage, body_html: &str) -> (String, usize, usize) {
    let bt = body_text(body_html);
    let clean = |s: &str| {
        let mut o = String::new();
        for w in s.split(text::is_space).filter(|w| !w.is_empty()) {
            if !o.is_empty() {
                o.push(' ');
            }
            o.push_str(w);
        }
        o
    };
    let mut plain = clean(&page.title);
    let title_end = plain.len();
    for h in &bt.headings {
        plain.push('\n');
        plain.push_str(&clean(h));
    }
    let headings_end = plain.len();
    plain.push('\n');
    plain.push_str(&clean(&page.description));
    for f in &page.fields {
        plain.push('\n');
        plain.push_str(&clean(f));
    }
    plain.push('\n');
    plain.push_str(&bt.body);
    (plain, title_end, headings_end)
}

/// Prepares one page for the index and returns the files of its text parts
/// (`search/d/<id>-<part>.js`) to write now, so page text never piles up in memory.
pub fn prepare_page(
    page: &SearchPage,
    body_html: &str,
    fold: bool,
) -> (PageSearch, Vec<(String, String)>) {
    let (plain, title_end_b, headings_end_b) = layout(page, body_html);
    let mut norm: Vec<char> = Vec::with_capacity(plain.len() / 2);
    // Byte offset in `plain` where each part starts.
    let mut part_starts: Vec<usize> = vec![0];
    let (mut title_end, mut headings_end) = (None, None);
    text::normalize_mapped(&plain, fold, &mut norm, |offset, pos| {
        if offset >= title_end_b && title_end.is_none() {
            title_end = Some(pos);
        }
        if offset >= headings_end_b && headings_end.is_none() {
            headings_end = Some(pos);
        }
        while pos / PART >= part_starts.len() {
            part_starts.push(offset);
        }
    });
    let n = norm.len();
    let head = serde_json::to_string(&[&page.url, &page.title, &page.place, &page.date])
        .expect("strings serialise");
    let head = &head[1..head.len() - 1];
    let mut files = Vec::with_capacity(part_starts.len());
    let count = part_starts.len();
    for (k, &start) in part_starts.iter().enumerate() {
        let end = part_starts.get(k + 1).copied().unwrap_or(plain.len());
        let body = serde_json::to_string(&plain[start..end]).expect("string serialises");
        files.push((
            format!("search/d/{}-{k}.js", page.id),
            format!("zhibu_doc({},{k},[{head},{body},{count}]);\n", page.id),
        ));
    }
    let year = page.date.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0);
    (
        PageSearch {
            id: page.id,
            text: norm.into_iter().collect(),
            title_end: title_end.unwrap_or(n) as u32,
            headings_end: headings_end.unwrap_or(n) as u32,
            kind: page.kind,
            stars: page.stars,
            year,
            parts: (files.len(), files.iter().map(|f| f.1.len()).sum()),
        },
        files,
    )
}

const PAIR: u64 = 1 << 42;

fn term_key(a: char, b: Option<char>) -> u64 {
    match b {
        None => a as u64,
        Some(b) => PAIR | (a as u64) << 21 | b as u64,
    }
}

fn key_term(key: u64) -> String {
    let c = |v: u64| char::from_u32((v & 0x1f_ffff) as u32).expect("valid char");
    if key & PAIR != 0 {
        [c(key >> 21), c(key)].iter().collect()
    } else {
        c(key).to_string()
    }
}

/// A multiply-shift hasher for the `u64` term keys (SipHash is needlessly slow here).
#[derive(Default, Clone, Copy)]
struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (n ^ (n >> 29)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        self.0 ^= self.0 >> 32;
    }
}

type KeyMap<V> = HashMap<u64, V, std::hash::BuildHasherDefault<KeyHasher>>;

/// Postings of a run of consecutive pages.
#[derive(Default)]
struct Acc {
    first: u32,
    last: u32,
    /// Page-level entries after the first one's page number.
    pages: Vec<u8>,
    /// Positions of a pair, page after page.
    positions: Vec<u8>,
}

/// Adds one page's postings to `acc`.
fn add_page(
    doc: &PageSearch,
    acc: &mut KeyMap<Acc>,
    items: &mut Vec<(u64, u32)>,
    packed: &mut Vec<u64>,
) {
    items.clear();
    let mut prev: Option<char> = None;
    for (pos, c) in doc.text.chars().enumerate() {
        let pos = pos as u32;
        if text::is_space(c) {
            prev = None;
            continue;
        }
        items.push((term_key(c, None), pos));
        if let Some(p) = prev {
            items.push((term_key(p, Some(c)), pos - 1));
        }
        prev = Some(c);
    }
    // Keys take 43 bits; positions below 2^21 fit beside them, and one u64 sorts faster.
    if items.last().is_none_or(|&(_, p)| p < 1 << 21) {
        packed.clear();
        packed.extend(items.iter().map(|&(k, p)| k << 21 | u64::from(p)));
        packed.sort_unstable();
        for (slot, &v) in items.iter_mut().zip(packed.iter()) {
            *slot = (v >> 21, (v & 0x1f_ffff) as u32);
        }
    } else {
        items.sort_unstable();
    }
    let in_title = |pos: u32| pos < doc.title_end;
    let in_headings = |pos: u32| pos >= doc.title_end && pos < doc.headings_end;
    for group in items.chunk_by(|a, b| a.0 == b.0) {
        let key = group[0].0;
        let a = acc.entry(key).or_insert_with(|| Acc {
            first: doc.id,
            last: doc.id,
            ..Acc::default()
        });
        if a.last != doc.id {
            push_varint(&mut a.pages, doc.id - a.last - 1);
        }
        a.last = doc.id;
        let n = group.len() as u32;
        let part = group[0].1 / PART as u32;
        if key & PAIR == 0 {
            let t = group.iter().any(|&(_, p)| in_title(p));
            let h = group.iter().any(|&(_, p)| in_headings(p));
            push_varint(&mut a.pages, n * 4 + u32::from(t) * 2 + u32::from(h));
            push_varint(&mut a.pages, part);
        } else {
            let nt = group.iter().filter(|&&(_, p)| in_title(p)).count() as u32;
            let nh = group.iter().filter(|&&(_, p)| in_headings(p)).count() as u32;
            let fields = nt + nh > 0;
            push_varint(&mut a.pages, n * 2 + u32::from(fields));
            if fields {
                push_varint(&mut a.pages, nt);
                push_varint(&mut a.pages, nh);
            }
            push_varint(&mut a.pages, part);
            let mut last: Option<u32> = None;
            for &(_, p) in group {
                push_varint(&mut a.positions, last.map_or(p, |l| p - l - 1));
                last = Some(p);
            }
        }
    }
}

/// Size figures for the build report.
#[derive(Debug, Clone, Copy, Default)]
pub struct IndexStats {
    /// Pages indexed.
    pub pages: usize,
    /// Shard files written (page lists and positions).
    pub shards: usize,
    /// Bytes of all shards.
    pub shard_bytes: usize,
    /// Bytes of the largest shard.
    pub largest_shard: usize,
    /// Bytes of the index proper: shards, `meta.js` and `facets.js` (text parts not included).
    pub total_bytes: usize,
    /// Text part files written for excerpts (`search/d/`).
    pub parts: usize,
    /// Bytes of the text part files.
    pub part_bytes: usize,
}

/// The built index: every file under `search/` except the text parts (written per page).
pub struct SearchIndex {
    /// `(path relative to the output root, content)`.
    pub files: Vec<(String, String)>,
    /// Sizes.
    pub stats: IndexStats,
}

/// One kind of shard (`s` page lists or `p` positions), filled term by term straight into
/// the JavaScript text of each file.
struct ShardSet {
    dir: &'static str,
    n: u32,
    files: Vec<String>,
}

impl ShardSet {
    /// Enough shards for `total` bytes of records.
    fn new(dir: &'static str, total: usize) -> ShardSet {
        let n = total.div_ceil(SHARD_TARGET).clamp(1, MAX_SHARDS) as u32;
        let files = (0..n)
            .map(|i| format!("zhibu_shard(\"{dir}/{}\",\"", shard_name(i)))
            .collect();
        ShardSet { dir, n, files }
    }

    /// Appends the record of `term`: `a`/`b`, the term, the data's length, the data.
    fn add(&mut self, term: &str, data: &[u8]) {
        let s = &mut self.files[(term_hash(term) % self.n) as usize];
        s.push(if term.chars().count() == 1 { 'a' } else { 'b' });
        let quoted = serde_json::to_string(term).expect("string serialises");
        s.push_str(&quoted[1..quoted.len() - 1]);
        let mut len = Vec::with_capacity(5);
        push_varint(&mut len, data.len() as u32);
        // Varint digits are printable ASCII without `"` or `\`: no escaping needed.
        s.push_str(std::str::from_utf8(&len).expect("ascii"));
        s.push_str(std::str::from_utf8(data).expect("ascii"));
    }

    fn finish(self, stats: &mut IndexStats) -> Vec<(String, String)> {
        let dir = self.dir;
        let files: Vec<(String, String)> = self
            .files
            .into_iter()
            .enumerate()
            .map(|(i, mut js)| {
                js.push_str("\");\n");
                (format!("search/{dir}/{}.js", shard_name(i as u32)), js)
            })
            .collect();
        for (_, js) in &files {
            stats.shard_bytes += js.len();
            stats.largest_shard = stats.largest_shard.max(js.len());
        }
        stats.shards += files.len();
        files
    }
}

/// Builds the index from every page's prepared text. `docs` may be in any order; `fold` is
/// recorded for the client.
pub fn build_index(mut docs: Vec<PageSearch>, fold: bool) -> SearchIndex {
    use rayon::prelude::*;
    docs.sort_by_key(|d| d.id);
    let pages = docs.len();
    let parts = docs
        .iter()
        .fold((0, 0), |a, d| (a.0 + d.parts.0, a.1 + d.parts.1));
    let mut facets: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    let mut years: Vec<(u16, u32, u32)> = Vec::new();
    for d in &docs {
        facets
            .entry(format!("kind:{}", d.kind))
            .or_default()
            .push(d.id);
        if let Some(s) = d.stars {
            facets.entry(format!("stars:{s}")).or_default().push(d.id);
        }
        if d.year != 0 {
            match years.last_mut() {
                Some(y) if y.0 == d.year => y.2 = d.id + 1,
                _ => years.push((d.year, d.id, d.id + 1)),
            }
        }
    }
    // Pages in chunks, in parallel; the chunks' postings are then appended in page order.
    let mut merged: KeyMap<Acc> = KeyMap::default();
    // Few, large chunks: merging costs one append per term and chunk.
    let threads = rayon::current_num_threads().max(1);
    let chunk = pages.div_ceil(threads * 4).clamp(64, 2048);
    let mut rest = docs;
    while !rest.is_empty() {
        let take = rest.len().min(chunk * threads);
        let batch: Vec<PageSearch> = rest.drain(..take).collect();
        let maps: Vec<KeyMap<Acc>> = batch
            .par_chunks(chunk)
            .map(|pages| {
                let mut acc = KeyMap::default();
                let (mut items, mut packed) = (Vec::new(), Vec::new());
                for p in pages {
                    add_page(p, &mut acc, &mut items, &mut packed);
                }
                acc
            })
            .collect();
        drop(batch);
        for map in maps {
            for (key, part) in map {
                match merged.get_mut(&key) {
                    Some(m) => {
                        push_varint(&mut m.pages, part.first - m.last - 1);
                        m.pages.extend_from_slice(&part.pages);
                        m.positions.extend_from_slice(&part.positions);
                        m.last = part.last;
                    }
                    None => {
                        let mut first = Vec::with_capacity(part.pages.len() + 3);
                        push_varint(&mut first, part.first);
                        first.extend_from_slice(&part.pages);
                        merged.insert(
                            key,
                            Acc {
                                pages: first,
                                ..part
                            },
                        );
                    }
                }
            }
        }
    }
    let mut terms: Vec<(u64, Acc)> = merged.into_iter().collect();
    terms.sort_unstable_by_key(|t| t.0);
    let record = |data: &[u8]| 12 + data.len();
    let mut lists = ShardSet::new("s", terms.iter().map(|(_, a)| record(&a.pages)).sum());
    let mut positions = ShardSet::new(
        "p",
        terms
            .iter()
            .filter(|(_, a)| !a.positions.is_empty())
            .map(|(_, a)| record(&a.positions))
            .sum(),
    );
    let (n_lists, n_positions) = (lists.n, positions.n);
    // Consumed term by term, so postings are freed as the shards fill.
    for (key, acc) in terms {
        let term = key_term(key);
        lists.add(&term, &acc.pages);
        if !acc.positions.is_empty() {
            positions.add(&term, &acc.positions);
        }
    }
    let mut stats = IndexStats {
        pages,
        parts: parts.0,
        part_bytes: parts.1,
        ..IndexStats::default()
    };
    let mut files = lists.finish(&mut stats);
    files.extend(positions.finish(&mut stats));
    let fold_table: String = if fold {
        text::fold_pairs()
            .into_iter()
            .flat_map(|(a, b)| [a, b])
            .collect()
    } else {
        String::new()
    };
    let meta = serde_json::json!({
        "shards": n_lists,
        "pshards": n_positions,
        "part": PART,
        "pages": pages,
        "fold": fold_table,
        "years": years.iter().map(|&(y, a, b)| [y as u32, a, b]).collect::<Vec<_>>(),
    });
    files.push(("search/meta.js".into(), format!("zhibu_meta({meta});\n")));
    let facet_json: BTreeMap<String, String> = facets
        .into_iter()
        .map(|(k, ids)| (k, encode_ranges(&ids)))
        .collect();
    files.push((
        "search/facets.js".into(),
        format!(
            "zhibu_facets({});\n",
            serde_json::to_string(&facet_json).expect("map serialises")
        ),
    ));
    stats.total_bytes = files.iter().map(|(_, c)| c.len()).sum();
    SearchIndex { files, stats }
}

/// Sorted page numbers as runs: `gap, length − 1` pairs of varints.
fn encode_ranges(ids: &[u32]) -> String {
    let mut out = Vec::new();
    let mut next = 0u32;
    let mut i = 0;
    while i < ids.len() {
        let start = ids[i];
        let mut j = i;
        while j + 1 < ids.len() && ids[j + 1] == ids[j] + 1 {
            j += 1;
        }
        push_varint(&mut out, start - next);
        push_varint(&mut out, (j - i) as u32);
        next = ids[j] + 1;
        i = j + 1;
    }
    String::from_utf8(out).expect("ascii")
}

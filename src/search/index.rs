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

use super::code::{gap, push_varint, push_varint_str, shard_name, term_hash, varint_len};
use super::text::{self, body_text};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Normalised characters per text part (`search/d/<page>-<part>.js`).
pub const PART: usize = 1000;
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

impl SearchPage {
    /// Year of the date, `None` when undated.
    pub fn year(&self) -> Option<u16> {
        self.date.get(..4).and_then(|y| y.parse().ok())
    }
}

/// A page's searchable text, kept until the index is built.
#[derive(Debug, Clone, Default)]
pub struct PageSearch {
    /// Number in the index.
    pub id: u32,
    /// Normalised text: title, headings, description, kind fields, body, separated by line
    /// breaks; in UTF-16 (two bytes for a Chinese character, not three) and shared, so keeping
    /// every page's text until the index is built, or cloning it, costs little.
    pub text: Arc<[u16]>,
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
    // Whitespace (`text::is_space`) runs become one space.
    let clean = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
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
    let mut norm: Vec<u16> = Vec::with_capacity(plain.len() / 2);
    // Byte offset in `plain` where each part starts.
    let mut part_starts: Vec<usize> = vec![0];
    let (mut title_end, mut headings_end) = (None, None);
    let n = text::normalize_mapped(&plain, fold, &mut norm, |offset, pos| {
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
    (
        PageSearch {
            id: page.id,
            text: norm.into(),
            title_end: title_end.unwrap_or(n) as u32,
            headings_end: headings_end.unwrap_or(n) as u32,
            kind: page.kind,
            stars: page.stars,
            year: page.year().unwrap_or(0),
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

/// One term's postings over a run of consecutive pages, and what it has seen of the page
/// being added.
struct Term {
    key: u64,
    /// First and last page with the term.
    first: u32,
    last: u32,
    /// Page-level entries after the first one's page number.
    pages: Vec<u8>,
    /// Positions of a pair, page after page.
    positions: Vec<u8>,
    /// On the current page: occurrences, in the title, in headings, first and last position.
    n: u32,
    n_title: u32,
    n_headings: u32,
    first_pos: u32,
    last_pos: u32,
}

/// Postings of a run of consecutive pages. Terms are numbered as they appear; a BMP
/// character finds its number in a table, a pair in a hash map. No per-page sorting: the
/// positions of a term arrive in order, and terms are independent of each other.
pub struct Postings {
    singles: Vec<u32>,
    others: KeyMap<u32>,
    terms: Vec<Term>,
    /// Terms seen on the current page.
    touched: Vec<u32>,
}

const NONE: u32 = u32::MAX;

impl Postings {
    /// No pages yet.
    pub fn new() -> Postings {
        Postings {
            singles: vec![NONE; 1 << 16],
            others: KeyMap::default(),
            terms: Vec::new(),
            touched: Vec::new(),
        }
    }

    fn term(&mut self, key: u64, page: u32, pos: u32) -> &mut Term {
        let slot = if key < 1 << 16 {
            &mut self.singles[key as usize]
        } else {
            self.others.entry(key).or_insert(NONE)
        };
        if *slot == NONE {
            *slot = self.terms.len() as u32;
            self.terms.push(Term {
                key,
                first: page,
                last: page,
                pages: Vec::new(),
                positions: Vec::new(),
                n: 0,
                n_title: 0,
                n_headings: 0,
                first_pos: 0,
                last_pos: 0,
            });
        }
        let id = *slot;
        let t = &mut self.terms[id as usize];
        if t.n == 0 {
            if t.last != page {
                push_varint(&mut t.pages, gap(Some(t.last), page));
                t.last = page;
            }
            t.first_pos = pos;
            self.touched.push(id);
        }
        t
    }

    /// Adds one page's postings. Pages must come in increasing number.
    pub fn add_page(&mut self, doc: &PageSearch) {
        let page = doc.id;
        let mut prev: Option<char> = None;
        let chars =
            char::decode_utf16(doc.text.iter().copied()).map(|c| c.expect("text is valid UTF-16"));
        for (pos, c) in chars.enumerate() {
            let pos = pos as u32;
            if text::is_space(c) {
                prev = None;
                continue;
            }
            let title = pos < doc.title_end;
            let headings = !title && pos < doc.headings_end;
            let t = self.term(term_key(c, None), page, pos);
            t.n += 1;
            t.n_title += u32::from(title);
            t.n_headings += u32::from(headings);
            if let Some(p) = prev {
                let start = pos - 1;
                let t = self.term(term_key(p, Some(c)), page, start);
                push_varint(
                    &mut t.positions,
                    gap((t.n > 0).then_some(t.last_pos), start),
                );
                t.last_pos = start;
                t.n += 1;
                // A pair counts where it starts.
                let title = start < doc.title_end;
                t.n_title += u32::from(title);
                t.n_headings += u32::from(!title && start < doc.headings_end);
            }
            prev = Some(c);
        }
        for &id in &self.touched {
            let t = &mut self.terms[id as usize];
            let part = t.first_pos / PART as u32;
            if t.key & PAIR == 0 {
                let flags = u32::from(t.n_title > 0) * 2 + u32::from(t.n_headings > 0);
                push_varint(&mut t.pages, t.n * 4 + flags);
            } else {
                let fields = t.n_title + t.n_headings > 0;
                push_varint(&mut t.pages, t.n * 2 + u32::from(fields));
                if fields {
                    push_varint(&mut t.pages, t.n_title);
                    push_varint(&mut t.pages, t.n_headings);
                }
            }
            push_varint(&mut t.pages, part);
            (t.n, t.n_title, t.n_headings) = (0, 0, 0);
        }
        self.touched.clear();
    }

    /// The run's postings, their buffers cut to size: growth by doubling leaves a third of
    /// them unused, and every run is kept until the shards are written.
    pub fn finish(self) -> PostingRun {
        let mut terms = self.terms;
        for t in &mut terms {
            t.pages.shrink_to_fit();
            t.positions.shrink_to_fit();
        }
        PostingRun(terms)
    }
}

/// The finished postings of a run of consecutive pages (see [`Postings::finish`]).
pub struct PostingRun(Vec<Term>);

impl Default for Postings {
    fn default() -> Self {
        Postings::new()
    }
}

/// Size figures for the build report.
#[derive(Debug, Clone, Copy, Default)]
pub struct IndexStats {
    /// Pages indexed.
    pub pages: usize,
    /// Shard files written (page lists and positions).
    pub shards: usize,
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

/// Where the index's files go: called with each file's path (relative to the output root)
/// and content, from several threads at once.
pub type Sink<'a> = &'a (dyn Fn(&str, &str) + Sync);

/// How many consecutive pages one run of [`Postings`] takes when `pages` pages are indexed in
/// parallel: short runs keep every core busy to the end, and each run repeats the terms it
/// shares with the others. The index is the same for any run length.
pub fn run_length(pages: usize) -> usize {
    let threads = rayon::current_num_threads().max(1);
    pages.div_ceil(threads * 16).clamp(64, 1024)
}

/// Builds the index from every page's prepared text and returns it in memory (for tests and
/// the watch engine). `docs` may be in any order; `fold` is recorded for the client.
pub fn build_index(mut docs: Vec<PageSearch>, fold: bool) -> SearchIndex {
    use rayon::prelude::*;
    docs.sort_by_key(|d| d.id);
    // Pages in runs, in parallel; each page's text is dropped once indexed.
    let chunk = run_length(docs.len());
    let mut batches: Vec<Vec<PageSearch>> = Vec::new();
    let mut rest = docs.into_iter();
    while rest.len() > 0 {
        batches.push(rest.by_ref().take(chunk).collect());
    }
    let (postings, pages): (Vec<PostingRun>, Vec<Vec<PageSearch>>) = batches
        .into_par_iter()
        .map(|batch| {
            let mut acc = Postings::new();
            let pages = batch
                .into_iter()
                .map(|p| {
                    acc.add_page(&p);
                    p.without_text()
                })
                .collect();
            (acc.finish(), pages)
        })
        .unzip();
    let pages: Vec<PageSearch> = pages.into_iter().flatten().collect();
    let files = std::sync::Mutex::new(Vec::new());
    let (_, stats) = write_index(postings, &pages, fold, &|rel, js| {
        files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((rel.to_string(), js.to_string()))
    });
    let mut files = files.into_inner().unwrap_or_else(|e| e.into_inner());
    files.sort();
    SearchIndex { files, stats }
}

impl PageSearch {
    /// The page's facts without its text, once its postings are made.
    pub fn without_text(self) -> PageSearch {
        PageSearch {
            text: Arc::from(Vec::new()),
            ..self
        }
    }
}

/// Writes the index of `runs` (of consecutive pages, in page order) to `sink` and
/// returns the paths written and the figures. `pages` (any order, text not needed) gives
/// each page's kind, rating, year and text parts.
///
/// Each shard is assembled and handed to `sink` on its own, in parallel, so at no time are
/// all shards in memory besides the postings they are made of.
pub fn write_index(
    runs: Vec<PostingRun>,
    pages: &[PageSearch],
    fold: bool,
    sink: Sink<'_>,
) -> (Vec<String>, IndexStats) {
    use rayon::prelude::*;
    let started = std::time::Instant::now();
    let chunks: Vec<Vec<Term>> = runs.into_iter().map(|r| r.0).collect();
    // Every term's pieces, in term order, then chunk order.
    let mut pieces: Vec<(u64, u32, u32)> = chunks
        .iter()
        .enumerate()
        .flat_map(|(c, terms)| {
            terms
                .iter()
                .enumerate()
                .map(move |(i, t)| (t.key, c as u32, i as u32))
        })
        .collect();
    pieces.sort_unstable();
    let terms = term_records(&chunks, &pieces);
    let record = |len: usize| 12 + len;
    let n_lists = shard_count(terms.iter().map(|t| record(t.list_len)).sum());
    let n_positions = shard_count(
        terms
            .iter()
            .filter(|t| t.pos_len > 0)
            .map(|t| record(t.pos_len))
            .sum(),
    );
    // Each shard's terms, in term order.
    let mut list_shards: Vec<Vec<usize>> = vec![Vec::new(); n_lists as usize];
    let mut position_shards: Vec<Vec<usize>> = vec![Vec::new(); n_positions as usize];
    for (i, t) in terms.iter().enumerate() {
        list_shards[(t.hash % n_lists) as usize].push(i);
        if t.pos_len > 0 {
            position_shards[(t.hash % n_positions) as usize].push(i);
        }
    }
    let piece = |&(_, c, i): &(u64, u32, u32)| &chunks[c as usize][i as usize];
    let write_shard =
        |dir: &str, s: usize, members: &[usize], positions: bool| -> (String, usize) {
            let rel = format!("search/{dir}/{}.js", shard_name(s as u32));
            let size: usize = members
                .iter()
                .map(|&i| {
                    let t = &terms[i];
                    let len = if positions { t.pos_len } else { t.list_len };
                    1 + t.term.len() + varint_len(len as u32) + len
                })
                .sum();
            let mut js = String::with_capacity(size + 40);
            js.push_str(&format!(
                "zhibu_shard(\"{dir}/{}\",\"",
                shard_name(s as u32)
            ));
            for &i in members {
                let t = &terms[i];
                js.push(if t.key & PAIR == 0 { 'a' } else { 'b' });
                js.push_str(&t.term);
                let group = &pieces[t.pieces.clone()];
                if positions {
                    push_varint_str(&mut js, t.pos_len as u32);
                    for p in group {
                        js.push_str(ascii(&piece(p).positions));
                    }
                } else {
                    push_varint_str(&mut js, t.list_len as u32);
                    let mut last = None::<u32>;
                    for p in group {
                        let t = piece(p);
                        push_varint_str(&mut js, gap(last, t.first));
                        js.push_str(ascii(&t.pages));
                        last = Some(t.last);
                    }
                }
            }
            js.push_str("\");\n");
            sink(&rel, &js);
            (rel, js.len())
        };
    let written: Vec<(String, usize)> = list_shards
        .par_iter()
        .enumerate()
        .map(|(s, members)| write_shard("s", s, members, false))
        .chain(
            position_shards
                .par_iter()
                .enumerate()
                .map(|(s, members)| write_shard("p", s, members, true)),
        )
        .collect();
    drop(chunks);
    tracing::debug!("search shards written at {:?}", started.elapsed());
    let (parts, part_bytes) = pages
        .iter()
        .fold((0, 0), |a, d| (a.0 + d.parts.0, a.1 + d.parts.1));
    let mut stats = IndexStats {
        pages: pages.len(),
        parts,
        part_bytes,
        shards: written.len(),
        ..IndexStats::default()
    };
    let mut names: Vec<String> = Vec::with_capacity(written.len() + 2);
    for (rel, len) in written {
        stats.total_bytes += len;
        stats.largest_shard = stats.largest_shard.max(len);
        names.push(rel);
    }
    let meta = meta_js(pages, n_lists, n_positions, fold);
    let facets = facets_js(pages);
    for (rel, js) in [("search/meta.js", meta), ("search/facets.js", facets)] {
        sink(rel, &js);
        stats.total_bytes += js.len();
        names.push(rel.to_string());
    }
    (names, stats)
}

/// Enough shards for `total` bytes of records.
fn shard_count(total: usize) -> u32 {
    total.div_ceil(SHARD_TARGET).clamp(1, MAX_SHARDS) as u32
}

/// One term of the index: its pieces (a range of the sorted pieces), its text escaped for
/// JSON, its hash and the bytes of its page list and positions.
struct TermRecord {
    key: u64,
    pieces: std::ops::Range<usize>,
    term: String,
    hash: u32,
    list_len: usize,
    pos_len: usize,
}

/// The records of every term, from its pieces (sorted by term, then chunk).
fn term_records(chunks: &[Vec<Term>], pieces: &[(u64, u32, u32)]) -> Vec<TermRecord> {
    let mut out = Vec::new();
    let mut start = 0;
    for group in pieces.chunk_by(|a, b| a.0 == b.0) {
        let (mut lists, mut positions, mut last) = (0, 0, None::<u32>);
        for &(_, c, i) in group {
            let t = &chunks[c as usize][i as usize];
            lists += varint_len(gap(last, t.first)) + t.pages.len();
            positions += t.positions.len();
            last = Some(t.last);
        }
        let term = key_term(group[0].0);
        out.push(TermRecord {
            key: group[0].0,
            pieces: start..start + group.len(),
            hash: term_hash(&term),
            term: escaped(&term),
            list_len: lists,
            pos_len: positions,
        });
        start += group.len();
    }
    out
}

/// `meta.js`: shard counts, part size, page count, the fold table and each year's pages.
fn meta_js(pages: &[PageSearch], n_lists: u32, n_positions: u32, fold: bool) -> String {
    let mut by_id: Vec<(u32, u16)> = pages.iter().map(|d| (d.id, d.year)).collect();
    by_id.sort_unstable();
    let mut years: Vec<(u16, u32, u32)> = Vec::new();
    for (id, year) in by_id {
        if year != 0 {
            match years.last_mut() {
                Some(y) if y.0 == year => y.2 = id + 1,
                _ => years.push((year, id, id + 1)),
            }
        }
    }
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
        "pages": pages.len(),
        "fold": fold_table,
        "years": years.iter().map(|&(y, a, b)| [y as u32, a, b]).collect::<Vec<_>>(),
    });
    format!("zhibu_meta({meta});\n")
}

/// `facets.js`: the pages of each kind and star rating.
fn facets_js(pages: &[PageSearch]) -> String {
    let mut facets: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for d in pages {
        facets
            .entry(format!("kind:{}", d.kind))
            .or_default()
            .push(d.id);
        if let Some(s) = d.stars {
            facets.entry(format!("stars:{s}")).or_default().push(d.id);
        }
    }
    let facet_json: BTreeMap<String, String> = facets
        .into_iter()
        .map(|(k, mut ids)| {
            ids.sort_unstable();
            (k, encode_ranges(&ids))
        })
        .collect();
    format!(
        "zhibu_facets({});\n",
        serde_json::to_string(&facet_json).expect("map serialises")
    )
}

/// Varint digits are printable ASCII without `"` or `\\`: they need no escaping.
fn ascii(digits: &[u8]) -> &str {
    std::str::from_utf8(digits).expect("ascii")
}

/// `term` as the content of a JSON string.
fn escaped(term: &str) -> String {
    let mut quoted = serde_json::to_string(term).expect("string serialises");
    quoted.pop();
    quoted.remove(0);
    quoted
}

/// Sorted page numbers as runs: `gap, length − 1` pairs of varints.
fn encode_ranges(ids: &[u32]) -> String {
    let mut out = String::new();
    let mut next = 0u32;
    let mut i = 0;
    while i < ids.len() {
        let start = ids[i];
        let mut j = i;
        while j + 1 < ids.len() && ids[j + 1] == ids[j] + 1 {
            j += 1;
        }
        push_varint_str(&mut out, start - next);
        push_varint_str(&mut out, (j - i) as u32);
        next = ids[j] + 1;
        i = j + 1;
    }
    out
}

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
pub const PART: usize = 1200;
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
    let fields: usize = page.fields.iter().map(|f| f.len() + 1).sum();
    let heads: usize = bt.headings.iter().map(|h| h.len() + 1).sum();
    let mut plain = String::with_capacity(
        page.title.len() + heads + page.description.len() + fields + bt.body.len() + 2,
    );
    push_clean(&mut plain, &page.title);
    let title_end = plain.len();
    for h in &bt.headings {
        plain.push('\n');
        push_clean(&mut plain, h);
    }
    let headings_end = plain.len();
    plain.push('\n');
    push_clean(&mut plain, &page.description);
    for f in &page.fields {
        plain.push('\n');
        push_clean(&mut plain, f);
    }
    plain.push('\n');
    plain.push_str(&bt.body);
    (plain, title_end, headings_end)
}

/// Appends `s` with each run of whitespace (`text::is_space`) made one space, and none at
/// either end.
fn push_clean(out: &mut String, s: &str) {
    for (k, word) in s.split_whitespace().enumerate() {
        if k > 0 {
            out.push(' ');
        }
        out.push_str(word);
    }
}

/// Appends `s` as a JSON string, quotes included, escaped exactly as `serde_json` escapes it
/// (the text parts hold a page's whole text; going through `serde_json` cost a copy and a
/// slower scan).
fn push_json_str(out: &mut String, s: &str) {
    out.push('"');
    let mut rest = s;
    while let Some(at) =
        crate::scan::first_byte(rest.as_bytes(), |b| (b < 0x20) | (b == b'"') | (b == b'\\'))
    {
        out.push_str(&rest[..at]);
        let b = rest.as_bytes()[at];
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x08 => out.push_str("\\b"),
            0x0c => out.push_str("\\f"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xf)]));
            }
        }
        rest = &rest[at + 1..];
    }
    out.push_str(rest);
    out.push('"');
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
    let mut next_part = PART;
    let (mut title_end, mut headings_end) = (None, None);
    // The byte offset awaited next: where the title ends, then where the headings end.
    let mut awaited = title_end_b;
    let mut normaliser = text::Normaliser::new(&plain, fold);
    // Normalised in stretches, each up to the first cluster at or after the awaited offset or
    // the next part: the loop over every character asks nothing else.
    loop {
        normaliser.run(&mut norm, awaited, next_part);
        if normaliser.done() {
            break;
        }
        let (offset, pos) = (normaliser.at, normaliser.emitted);
        if offset >= awaited {
            title_end.get_or_insert(pos);
            if offset >= headings_end_b {
                headings_end = Some(pos);
                awaited = usize::MAX;
            } else {
                awaited = headings_end_b;
            }
        }
        while pos >= next_part {
            part_starts.push(offset);
            next_part += PART;
        }
    }
    let n = normaliser.emitted;
    let mut head = String::new();
    for s in [&page.url, &page.title, &page.place, &page.date] {
        push_json_str(&mut head, s);
        head.push(',');
    }
    let mut files = Vec::with_capacity(part_starts.len());
    let count = part_starts.len();
    for (k, &start) in part_starts.iter().enumerate() {
        let end = part_starts.get(k + 1).copied().unwrap_or(plain.len());
        let text = &plain[start..end];
        let mut js = String::with_capacity(head.len() + text.len() + text.len() / 8 + 40);
        js.push_str(&format!("zhibu_doc({},{k},[{head}", page.id));
        push_json_str(&mut js, text);
        js.push_str(&format!(",{count}]);\n"));
        files.push((format!("search/d/{}-{k}.js", page.id), js));
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

/// The bit of a term key that marks a pair.
pub(super) const PAIR: u64 = 1 << 42;

/// The key of a single character (`b` = `None`) or of a pair, from code points.
pub(super) fn term_key(a: u32, b: Option<u32>) -> u64 {
    match b {
        None => u64::from(a),
        Some(b) => PAIR | u64::from(a) << 21 | u64::from(b),
    }
}

/// The term of a key, as text.
pub(super) fn key_term(key: u64) -> String {
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

/// One term's postings over a run of consecutive pages.
pub(super) struct Term {
    pub(super) key: u64,
    /// First and last page with the term.
    first: u32,
    last: u32,
    /// Page-level entries after the first one's page number.
    pub(super) pages: Vec<u8>,
    /// Positions of a pair, page after page.
    pub(super) positions: Vec<u8>,
}

/// A term while pages are added. Its occurrences touch the first fields; when the page
/// closes, its page list, here too so that it is still in cache from the occurrences: a
/// second array would cost another cache miss per term and page.
#[derive(Default)]
#[repr(C)]
struct TermState {
    /// Occurrences on the current page.
    n: u32,
    /// Where the first and the last occurrence on the current page are.
    first_pos: u32,
    last_pos: u32,
    /// Occurrences on the current page in the title, and in headings.
    n_title: u32,
    /// A pair's positions, page after page.
    positions: Vec<u8>,
    n_headings: u32,
    /// Last page with the term.
    last: u32,
    /// Page-level entries after the first one's page number.
    pages: Vec<u8>,
}

impl TermState {
    /// Starts the entry of `page`: its page number, as a gap after the last one.
    #[inline]
    fn open(&mut self, page: u32) {
        if self.last != page {
            push_varint(&mut self.pages, gap(Some(self.last), page));
            self.last = page;
        }
    }

    /// Forgets the current page.
    fn close(&mut self) {
        (self.n, self.n_title, self.n_headings) = (0, 0, 0);
    }
}

/// The terms of one kind (single characters or pairs) of a run, by number.
#[derive(Default)]
struct Terms {
    /// Each term's key and first page, needed only when the run is finished.
    keys: Vec<(u64, u32)>,
    states: Vec<TermState>,
}

impl Terms {
    /// Adds a term first seen on `page`.
    fn push(&mut self, key: u64, page: u32) {
        self.keys.push((key, page));
        self.states.push(TermState {
            last: page,
            ..TermState::default()
        });
    }

    /// The terms' postings.
    fn finish(self, out: &mut Vec<Term>) {
        for ((key, first), t) in self.keys.into_iter().zip(self.states) {
            out.push(Term {
                key,
                first,
                last: t.last,
                pages: t.pages,
                positions: t.positions,
            });
        }
    }
}

/// Postings of a run of consecutive pages. Terms are numbered as they appear, single
/// characters and pairs apart; a BMP character finds its number in a table, a pair of BMP
/// characters in a [`PairTable`], anything else in a hash map. No per-page sorting: the
/// positions of a term arrive in order, and terms are independent of each other.
pub struct Postings {
    single_ids: Vec<u32>,
    pair_ids: PairTable,
    other_ids: KeyMap<u32>,
    singles: Terms,
    pairs: Terms,
    /// Terms seen on the current page.
    touched_singles: Vec<u32>,
    touched_pairs: Vec<u32>,
}

const NONE: u32 = u32::MAX;

/// The code points of normalised text (always valid UTF-16; a lone surrogate would read as
/// U+FFFD, as [`char::decode_utf16`] reads it). Plain numbers: the index never needs a
/// `char`, and a BMP unit, nearly every one, takes one test.
fn code_points(text: &[u16]) -> impl Iterator<Item = u32> + '_ {
    let mut units = text.iter();
    std::iter::from_fn(move || {
        let u = u32::from(*units.next()?);
        if u & 0xf800 != 0xd800 {
            return Some(u);
        }
        let low = units.as_slice().first().map(|&l| u32::from(l));
        match low {
            Some(l) if u < 0xdc00 && (0xdc00..0xe000).contains(&l) => {
                units.next();
                Some(0x1_0000 + ((u - 0xd800) << 10) + (l - 0xdc00))
            }
            _ => Some(0xfffd),
        }
    })
}

/// [`text::is_space`] of a code point; the characters of Chinese text (above U+3000) take
/// one comparison.
#[inline]
fn is_space(c: u32) -> bool {
    c <= 0x3000 && char::from_u32(c).is_some_and(text::is_space)
}

/// The fields a page's first characters belong to: positions below `title_end` are in the
/// title, the following ones below `headings_end` in headings.
#[derive(Clone, Copy)]
struct Fields {
    title_end: u32,
    headings_end: u32,
}

impl Fields {
    /// Whether position `pos` is in the title, and whether in headings.
    #[inline]
    fn of(self, pos: u32) -> (u32, u32) {
        let title = pos < self.title_end;
        (
            u32::from(title),
            u32::from(!title && pos < self.headings_end),
        )
    }
}

impl Postings {
    /// No pages yet.
    pub fn new() -> Postings {
        Postings {
            single_ids: vec![NONE; 1 << 16],
            pair_ids: PairTable::new(),
            other_ids: KeyMap::default(),
            singles: Terms::default(),
            pairs: Terms::default(),
            touched_singles: Vec::new(),
            touched_pairs: Vec::new(),
        }
    }

    /// The number of character `c` (on `page`, should it be new).
    #[inline]
    fn single_id(&mut self, c: u32, page: u32) -> u32 {
        match self.single_ids.get(c as usize) {
            Some(&id) if id != NONE => id,
            _ => self.new_single(c, page),
        }
    }

    /// The number of `c` when [`Postings::single_id`] finds none in its table: a new BMP
    /// character, or any other.
    #[cold]
    fn new_single(&mut self, c: u32, page: u32) -> u32 {
        let next = self.singles.states.len() as u32;
        let id = match self.single_ids.get_mut(c as usize) {
            Some(slot) => {
                *slot = next;
                next
            }
            None => *self.other_ids.entry(term_key(c, None)).or_insert(next),
        };
        if id == next {
            self.singles.push(term_key(c, None), page);
        }
        id
    }

    /// The number of the pair `a`, `b` (on `page`, should it be new).
    #[inline]
    fn pair_id(&mut self, a: u32, b: u32, page: u32) -> u32 {
        match bmp_pair(a, b).map(|pair| self.pair_ids.find(pair)) {
            Some(Ok(id)) => id,
            _ => self.new_pair(a, b, page),
        }
    }

    /// The number of a pair [`Postings::pair_id`] finds none for in its table: a new pair of
    /// BMP characters, or any other pair.
    #[cold]
    fn new_pair(&mut self, a: u32, b: u32, page: u32) -> u32 {
        let next = self.pairs.states.len() as u32;
        let id = match bmp_pair(a, b) {
            Some(pair) => match self.pair_ids.find(pair) {
                Ok(id) => id,
                Err(slot) => self.pair_ids.insert(slot, pair, next),
            },
            None => *self.other_ids.entry(term_key(a, Some(b))).or_insert(next),
        };
        if id == next {
            self.pairs.push(term_key(a, Some(b)), page);
        }
        id
    }

    /// Adds one page's postings. Pages must come in increasing number.
    pub fn add_page(&mut self, doc: &PageSearch) {
        let page = doc.id;
        let fields = Fields {
            title_end: doc.title_end,
            headings_end: doc.headings_end,
        };
        let prefix = doc.title_end.max(doc.headings_end) as usize;
        let mut prev = None;
        let mut chars = code_points(&doc.text).zip(0u32..);
        // The title and headings, where occurrences are also counted by field (with the
        // character after them, which still ends a pair in them); then the rest, where the
        // pass never asks where it is.
        for (c, pos) in chars.by_ref().take(prefix + 1) {
            prev = self.add_char::<true>(page, c, pos, prev, fields);
        }
        for (c, pos) in chars {
            prev = self.add_char::<false>(page, c, pos, prev, fields);
        }
        self.close_page(page);
    }

    /// Adds character `c` at `pos` of `page`, and the pair it ends after `prev`; counts the
    /// occurrences by field when `FIELDS`. Returns the character a pair may start with next.
    #[inline(always)]
    fn add_char<const FIELDS: bool>(
        &mut self,
        page: u32,
        c: u32,
        pos: u32,
        prev: Option<u32>,
        fields: Fields,
    ) -> Option<u32> {
        if is_space(c) {
            return None;
        }
        let id = self.single_id(c, page);
        let t = &mut self.singles.states[id as usize];
        if t.n == 0 {
            t.first_pos = pos;
            self.touched_singles.push(id);
        }
        t.n += 1;
        if FIELDS {
            let (title, headings) = fields.of(pos);
            t.n_title += title;
            t.n_headings += headings;
        }
        if let Some(p) = prev {
            // A pair is where it starts.
            let start = pos - 1;
            let id = self.pair_id(p, c, page);
            let t = &mut self.pairs.states[id as usize];
            let gap = if t.n == 0 {
                t.first_pos = start;
                self.touched_pairs.push(id);
                start
            } else {
                start - t.last_pos - 1
            };
            push_varint(&mut t.positions, gap);
            t.last_pos = start;
            t.n += 1;
            if FIELDS {
                let (title, headings) = fields.of(start);
                t.n_title += title;
                t.n_headings += headings;
            }
        }
        Some(c)
    }

    /// Writes the page entries of every term seen on `page`, and forgets the page.
    fn close_page(&mut self, page: u32) {
        for &id in &self.touched_singles {
            let t = &mut self.singles.states[id as usize];
            t.open(page);
            let flags = u32::from(t.n_title > 0) * 2 + u32::from(t.n_headings > 0);
            push_varint(&mut t.pages, t.n * 4 + flags);
            push_varint(&mut t.pages, t.first_pos / PART as u32);
            t.close();
        }
        for &id in &self.touched_pairs {
            let t = &mut self.pairs.states[id as usize];
            t.open(page);
            let fields = t.n_title + t.n_headings > 0;
            push_varint(&mut t.pages, t.n * 2 + u32::from(fields));
            if fields {
                push_varint(&mut t.pages, t.n_title);
                push_varint(&mut t.pages, t.n_headings);
            }
            push_varint(&mut t.pages, t.first_pos / PART as u32);
            t.close();
        }
        self.touched_singles.clear();
        self.touched_pairs.clear();
    }

    /// The run's postings.
    pub fn finish(self) -> PostingRun {
        let mut terms = Vec::with_capacity(self.singles.keys.len() + self.pairs.keys.len());
        self.singles.finish(&mut terms);
        self.pairs.finish(&mut terms);
        PostingRun(terms)
    }
}

/// The key of [`PairTable`] for `a`, `b` when both are BMP characters.
#[inline]
fn bmp_pair(a: u32, b: u32) -> Option<u32> {
    ((a | b) < 0x1_0000).then_some(a << 16 | b)
}

/// The numbers of the pairs of two BMP characters (nearly every pair), by open addressing on
/// the pair as one `u32`: a slot is 8 bytes and a lookup usually one probe, where a general
/// hash map takes twice the memory. A pair is looked up at every character of every page.
struct PairTable {
    /// `(pair, number)`; empty slots have the number [`NONE`]. A power of two in length.
    slots: Vec<(u32, u32)>,
    /// 64 less the bits of a slot number.
    shift: u32,
    len: usize,
}

impl PairTable {
    fn new() -> PairTable {
        PairTable::with_slots(1 << 12)
    }

    /// An empty table of `n` slots, a power of two.
    fn with_slots(n: usize) -> PairTable {
        PairTable {
            slots: vec![(0, NONE); n],
            shift: 64 - n.trailing_zeros(),
            len: 0,
        }
    }

    /// Where the search for `pair` starts (Fibonacci hashing: the top bits of a product).
    #[inline]
    fn home(&self, pair: u32) -> usize {
        (u64::from(pair).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> self.shift) as usize
    }

    /// The number of `pair`, or the empty slot where it belongs.
    #[inline]
    fn find(&self, pair: u32) -> Result<u32, usize> {
        let mask = self.slots.len() - 1;
        let mut i = self.home(pair);
        loop {
            match self.slots[i] {
                (_, NONE) => return Err(i),
                (p, id) if p == pair => return Ok(id),
                _ => i = (i + 1) & mask,
            }
        }
    }

    /// Puts `pair` with number `id` in the empty `slot` [`PairTable::find`] gave; returns `id`.
    #[cold]
    fn insert(&mut self, slot: usize, pair: u32, id: u32) -> u32 {
        self.slots[slot] = (pair, id);
        self.len += 1;
        // At most half full, so probes stay short.
        if self.len * 2 > self.slots.len() {
            let grown = PairTable::with_slots(self.slots.len() * 2);
            let old = std::mem::replace(
                self,
                PairTable {
                    len: self.len,
                    ..grown
                },
            );
            for (pair, id) in old.slots {
                if id == NONE {
                    continue;
                }
                if let Err(i) = self.find(pair) {
                    self.slots[i] = (pair, id);
                }
            }
        }
        id
    }
}

/// The finished postings of a run of consecutive pages (see [`Postings::finish`]).
pub struct PostingRun(Vec<Term>);

impl PostingRun {
    /// The run's terms, in no particular order.
    pub(super) fn into_terms(self) -> Vec<Term> {
        self.0
    }

    /// The run with its buffers cut to size, to be kept in memory with the others until the
    /// shards are written: growth by doubling leaves a third of them unused. (A run set aside
    /// as [`PostingRun::to_bytes`] comes back cut to size.)
    pub fn trimmed(mut self) -> PostingRun {
        for t in &mut self.0 {
            t.pages.shrink_to_fit();
            t.positions.shrink_to_fit();
        }
        self
    }

    /// The run as bytes, to wait outside memory until the index is written: the postings of
    /// a large site are as large as its text, and would otherwise pile up while pages render.
    pub fn to_bytes(&self) -> Vec<u8> {
        let size: usize = self
            .0
            .iter()
            .map(|t| 24 + t.pages.len() + t.positions.len())
            .sum();
        let mut out = Vec::with_capacity(size);
        for t in &self.0 {
            out.extend_from_slice(&t.key.to_le_bytes());
            for n in [
                t.first,
                t.last,
                t.pages.len() as u32,
                t.positions.len() as u32,
            ] {
                out.extend_from_slice(&n.to_le_bytes());
            }
            out.extend_from_slice(&t.pages);
            out.extend_from_slice(&t.positions);
        }
        out
    }

    /// The run [`PostingRun::to_bytes`] made `bytes` of; `None` when they are not such bytes.
    pub fn from_bytes(mut bytes: &[u8]) -> Option<PostingRun> {
        fn take<'b>(bytes: &mut &'b [u8], n: usize) -> Option<&'b [u8]> {
            let (head, rest) = bytes.split_at_checked(n)?;
            *bytes = rest;
            Some(head)
        }
        fn number(bytes: &mut &[u8]) -> Option<u32> {
            Some(u32::from_le_bytes(take(bytes, 4)?.try_into().ok()?))
        }
        let mut terms = Vec::new();
        while !bytes.is_empty() {
            let key = u64::from_le_bytes(take(&mut bytes, 8)?.try_into().ok()?);
            let (first, last) = (number(&mut bytes)?, number(&mut bytes)?);
            let (pages, positions) = (number(&mut bytes)?, number(&mut bytes)?);
            terms.push(Term {
                key,
                first,
                last,
                pages: take(&mut bytes, pages as usize)?.to_vec(),
                positions: take(&mut bytes, positions as usize)?.to_vec(),
            });
        }
        Some(PostingRun(terms))
    }
}

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

/// Builds the index from every page's prepared text and returns it in memory (for tests).
/// `docs` may be in any order; `fold` is recorded for the client.
pub fn build_index(docs: Vec<PageSearch>, fold: bool) -> SearchIndex {
    let index = super::live::LiveIndex::build(docs, fold);
    SearchIndex {
        files: index.sorted_files(),
        stats: index.stats(),
    }
}

/// The postings of `docs` (any order) in runs of consecutive pages, indexed in parallel, and
/// the pages without their text (each page's text is dropped once indexed).
pub(super) fn index_runs(mut docs: Vec<PageSearch>) -> (Vec<PostingRun>, Vec<PageSearch>) {
    use rayon::prelude::*;
    docs.sort_by_key(|d| d.id);
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
            (acc.finish().trimmed(), pages)
        })
        .unzip();
    (postings, pages.into_iter().flatten().collect())
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
    let (names, stats, _) = write_index_measured(runs, pages, fold, sink);
    (names, stats)
}

/// The bytes of records the shard counts are made from (see [`shard_count`]): of page lists,
/// and of positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct RecordBytes {
    pub(super) lists: usize,
    pub(super) positions: usize,
}

impl RecordBytes {
    /// What one term with a page list of `list` bytes and `positions` bytes of positions
    /// counts for (nothing when it has no pages).
    pub(super) fn of_term(list: usize, positions: usize) -> RecordBytes {
        let record = |len: usize| if len > 0 { 12 + len } else { 0 };
        RecordBytes {
            lists: record(list),
            positions: record(positions),
        }
    }

    /// The number of page-list shards and of position shards.
    pub(super) fn shard_counts(self) -> (u32, u32) {
        (shard_count(self.lists), shard_count(self.positions))
    }
}

/// [`write_index`], also returning the record bytes the shard counts come from (a watch
/// session keeps them to update the index after an edit).
pub(super) fn write_index_measured(
    runs: Vec<PostingRun>,
    pages: &[PageSearch],
    fold: bool,
    sink: Sink<'_>,
) -> (Vec<String>, IndexStats, RecordBytes) {
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
    let bytes = terms.iter().fold(RecordBytes::default(), |sum, t| {
        let term = RecordBytes::of_term(t.list_len, t.pos_len);
        RecordBytes {
            lists: sum.lists + term.lists,
            positions: sum.positions + term.positions,
        }
    });
    let (n_lists, n_positions) = bytes.shard_counts();
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
            js.push_str(&shard_head(dir, s as u32));
            for &i in members {
                let t = &terms[i];
                let group = &pieces[t.pieces.clone()];
                if positions {
                    push_record_head(&mut js, t.key, &t.term, t.pos_len);
                    for p in group {
                        js.push_str(ascii(&piece(p).positions));
                    }
                } else {
                    push_record_head(&mut js, t.key, &t.term, t.list_len);
                    let mut last = None::<u32>;
                    for p in group {
                        let t = piece(p);
                        push_varint_str(&mut js, gap(last, t.first));
                        js.push_str(ascii(&t.pages));
                        last = Some(t.last);
                    }
                }
            }
            js.push_str(SHARD_TAIL);
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
    (names, stats, bytes)
}

/// Enough shards for `total` bytes of records.
fn shard_count(total: usize) -> u32 {
    total.div_ceil(SHARD_TARGET).clamp(1, MAX_SHARDS) as u32
}

/// The start of shard `s` of directory `dir` (`s` for page lists, `p` for positions), up to
/// its first record.
pub(super) fn shard_head(dir: &str, s: u32) -> String {
    format!("zhibu_shard(\"{dir}/{}\",\"", shard_name(s))
}

/// The end of a shard, after its last record.
pub(super) const SHARD_TAIL: &str = "\");\n";

/// Starts the record of the term `key` (`term`, escaped for JSON) whose posting is `len`
/// bytes: `a` or `b` (one or two characters), the term, the length.
pub(super) fn push_record_head(js: &mut String, key: u64, term: &str, len: usize) {
    js.push(if key & PAIR == 0 { 'a' } else { 'b' });
    js.push_str(term);
    push_varint_str(js, len as u32);
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
pub(super) fn ascii(digits: &[u8]) -> &str {
    std::str::from_utf8(digits).expect("ascii")
}

/// `term` as the content of a JSON string.
pub(super) fn escaped(term: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_are_escaped_as_serde_json_does() {
        let mut all: String = (0u8..0x80).map(char::from).collect();
        all.push_str("党建\u{2028}\u{ffff}𠀋\"\\");
        for s in [all.as_str(), "", "a", "\"", "学习\n贯彻"] {
            let mut out = String::new();
            push_json_str(&mut out, s);
            assert_eq!(out, serde_json::to_string(s).unwrap());
        }
    }

    /// The index files written from `runs`, sorted by name.
    fn index_files(runs: Vec<PostingRun>, pages: &[PageSearch]) -> Vec<(String, String)> {
        let files = std::sync::Mutex::new(Vec::new());
        write_index(runs, pages, false, &|rel, js| {
            files
                .lock()
                .unwrap()
                .push((rel.to_string(), js.to_string()))
        });
        let mut files = files.into_inner().unwrap();
        files.sort();
        files
    }

    #[test]
    fn a_run_set_aside_as_bytes_comes_back_the_same() {
        let texts = [
            "<p>学习贯彻党的二十大精神</p>",
            "<h2>清廉文化</h2><p>家风家训 abc 123</p>",
        ];
        let pages: Vec<PageSearch> = texts
            .iter()
            .enumerate()
            .map(|(i, html)| {
                let page = SearchPage {
                    id: i as u32,
                    title: format!("第{i}篇"),
                    ..SearchPage::default()
                };
                prepare_page(&page, html, false).0
            })
            .collect();
        let run = || {
            let mut postings = Postings::new();
            pages.iter().for_each(|p| postings.add_page(p));
            postings.finish()
        };
        let bytes = run().to_bytes();
        let back = PostingRun::from_bytes(&bytes).expect("bytes of a run");
        assert_eq!(back.to_bytes(), bytes);
        assert_eq!(
            index_files(vec![back], &pages),
            index_files(vec![run()], &pages)
        );
        // Cut short anywhere inside a term, the bytes are refused rather than misread.
        assert!(PostingRun::from_bytes(&bytes[..bytes.len() - 1]).is_none());
        assert!(PostingRun::from_bytes(&bytes[..5]).is_none());
        assert!(PostingRun::from_bytes(&[]).is_some_and(|r| r.0.is_empty()));
    }

    #[test]
    fn pair_table_numbers_every_pair_once() {
        let mut table = PairTable::new();
        let pair = |k: u32| k.wrapping_mul(0x1_0001);
        for k in 0..20_000u32 {
            let slot = table.find(pair(k)).unwrap_err();
            assert_eq!(table.insert(slot, pair(k), k), k);
        }
        for k in 0..20_000u32 {
            assert_eq!(table.find(pair(k)), Ok(k));
        }
        assert!(table.find(pair(20_000)).is_err());
    }
}

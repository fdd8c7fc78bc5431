//! The index of a watch session, kept in memory between rebuilds so that an edit of page
//! bodies rewrites only the shards whose terms it touches, not the whole index.
//!
//! This works because the index does not depend on how pages were cut into runs: a term's page
//! list is its pages' entries in page order, each after the gap from the page before, and its
//! positions are each page's positions in turn, the first of a page absolute. So an edited
//! page's old entries can be taken out of a term's postings as the shard holds them and its
//! new ones put in, with the gap of the following page written again: the shard comes out as
//! a full build writes it. When the edit changes the number of shards (the records' bytes
//! cross a multiple of [`super::index::SHARD_TARGET`]) or a page's number or facts, the
//! caller builds the index again instead.

use super::code::{gap, push_varint, shard_name, term_hash, Reader, FINAL};
use super::index::{
    ascii, escaped, index_runs, key_term, push_record_head, shard_head, term_key,
    write_index_measured, IndexStats, PageSearch, Postings, RecordBytes, Sink, Term, PAIR,
    SHARD_TAIL,
};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::sync::LazyLock;

/// An index kept whole in memory: every file under `search/` but the text parts (which the
/// pages write themselves), as last written.
pub struct LiveIndex {
    fold: bool,
    /// Path relative to the output root → content.
    files: HashMap<String, String>,
    /// What the shard counts were made from.
    bytes: RecordBytes,
    stats: IndexStats,
}

impl LiveIndex {
    /// Builds the index of every page's prepared text (`docs`, any order).
    pub fn build(docs: Vec<PageSearch>, fold: bool) -> LiveIndex {
        let (runs, pages) = index_runs(docs);
        let files = std::sync::Mutex::new(HashMap::new());
        let (_, stats, bytes) = write_index_measured(runs, &pages, fold, &|rel, js| {
            files
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(rel.to_string(), js.to_string());
        });
        LiveIndex {
            fold,
            files: files.into_inner().unwrap_or_else(|e| e.into_inner()),
            bytes,
            stats,
        }
    }

    /// Whether traditional characters were folded.
    pub fn fold(&self) -> bool {
        self.fold
    }

    /// Size figures, as a full build reports them.
    pub fn stats(&self) -> IndexStats {
        self.stats
    }

    /// The paths of its files, sorted.
    pub fn paths(&self) -> Vec<String> {
        let mut paths: Vec<String> = self.files.keys().cloned().collect();
        paths.sort_unstable();
        paths
    }

    /// Its files with their content, sorted by path.
    pub fn sorted_files(&self) -> Vec<(String, String)> {
        let mut files: Vec<(String, String)> = self
            .files
            .iter()
            .map(|(p, c)| (p.clone(), c.clone()))
            .collect();
        files.sort_unstable();
        files
    }

    /// Hands every file to `sink`, in parallel.
    pub fn write_all(&self, sink: Sink<'_>) {
        self.files.par_iter().for_each(|(rel, js)| sink(rel, js));
    }

    /// What edits that changed pages' text only do to the index: each `(old, new)` is a page as
    /// the index holds it and as it is now, both with their text. `None` when a page's number,
    /// kind, rating or year changed, or a page comes twice: then the index must be built again.
    pub fn plan(&self, edits: &[(&PageSearch, &PageSearch)]) -> Option<Update> {
        let changes = term_changes(edits)?;
        let (n_lists, n_positions) = self.bytes.shard_counts();
        let (mut lists, mut positions) = (BTreeMap::new(), BTreeMap::new());
        for &key in changes.keys() {
            let hash = term_hash(&key_term(key));
            let shard: &mut Vec<u64> = lists.entry(hash % n_lists).or_default();
            shard.push(key);
            if key & PAIR != 0 {
                let shard: &mut Vec<u64> = positions.entry(hash % n_positions).or_default();
                shard.push(key);
            }
        }
        let lists: Vec<(u32, Vec<u64>)> = lists.into_iter().collect();
        let positions: Vec<(u32, Vec<u64>)> = positions.into_iter().collect();
        let mut bytes = 0;
        for (dir, shards) in [("s", &lists), ("p", &positions)] {
            for (s, _) in shards {
                bytes += self.files.get(&shard_path(dir, *s))?.len();
            }
        }
        let mut parts = (0, 0);
        for (old, new) in edits {
            parts.0 += new.parts.0 as isize - old.parts.0 as isize;
            parts.1 += new.parts.1 as isize - old.parts.1 as isize;
        }
        Some(Update {
            changes,
            lists,
            positions,
            bytes,
            parts,
        })
    }

    /// Makes `update` (planned on this index as it is): hands the shards that changed to
    /// `sink` and returns the new figures. `None`, with the index left as it was, when the
    /// number of shards would change: then the index must be built again.
    pub fn apply(&mut self, update: Update, sink: Sink<'_>) -> Option<IndexStats> {
        let (n_lists, n_positions) = self.bytes.shard_counts();
        let lists = update
            .lists
            .par_iter()
            .map(|(s, keys)| self.rewrite_lists(*s, keys, &update.changes))
            .collect::<Option<Vec<_>>>()?;
        // Each pair's positions change where its page list did.
        let cuts: HashMap<u64, &[Cut<'_>]> = lists
            .iter()
            .flat_map(|(_, cuts)| cuts.iter().map(|(key, c)| (*key, c.as_slice())))
            .collect();
        let positions = update
            .positions
            .par_iter()
            .map(|(s, keys)| self.rewrite_positions(*s, keys, &cuts))
            .collect::<Option<Vec<_>>>()?;
        drop(cuts);
        let rewritten: Vec<Rewritten> =
            lists.into_iter().map(|(r, _)| r).chain(positions).collect();
        let mut bytes = self.bytes;
        for r in &rewritten {
            bytes.lists = bytes.lists.checked_add_signed(r.lists)?;
            bytes.positions = bytes.positions.checked_add_signed(r.positions)?;
        }
        let mut stats = self.stats;
        stats.parts = stats.parts.checked_add_signed(update.parts.0)?;
        stats.part_bytes = stats.part_bytes.checked_add_signed(update.parts.1)?;
        if bytes.shard_counts() != (n_lists, n_positions) {
            return None;
        }
        rewritten.par_iter().for_each(|r| sink(&r.rel, &r.js));
        for r in rewritten {
            if let Some(js) = self.files.get_mut(&r.rel) {
                stats.total_bytes = stats.total_bytes - js.len() + r.js.len();
                *js = r.js;
            }
        }
        self.bytes = bytes;
        self.stats = stats;
        self.stats.largest_shard = self
            .files
            .iter()
            .filter(|(rel, _)| rel.starts_with("search/s/") || rel.starts_with("search/p/"))
            .map(|(_, js)| js.len())
            .max()
            .unwrap_or(0);
        Some(self.stats)
    }

    /// Page-list shard `s` with the terms `keys` (sorted) changed as `changes` says; also how
    /// each pair's positions change.
    fn rewrite_lists<'u>(
        &self,
        s: u32,
        keys: &[u64],
        changes: &'u BTreeMap<u64, Vec<Edit>>,
    ) -> Option<(Rewritten, PairCuts<'u>)> {
        let mut pair_cuts = Vec::new();
        let rewritten = self.rewrite_shard("s", s, keys, |key, list| {
            let (list, cuts) = splice_list(list, key & PAIR != 0, changes.get(&key)?);
            if key & PAIR != 0 {
                pair_cuts.push((key, cuts));
            }
            Some(list)
        })?;
        Some((rewritten, pair_cuts))
    }

    /// Position shard `s` with the pairs `keys` (sorted) changed by their `cuts`.
    fn rewrite_positions(
        &self,
        s: u32,
        keys: &[u64],
        cuts: &HashMap<u64, &[Cut<'_>]>,
    ) -> Option<Rewritten> {
        self.rewrite_shard("p", s, keys, |key, positions| {
            Some(splice_positions(positions, cuts.get(&key)?))
        })
    }

    /// Shard `s` of `dir` (`s` or `p`) with the postings of the terms `keys` (sorted) made
    /// again by `splice` from their old ones (empty for a new term); a term left without
    /// postings goes.
    fn rewrite_shard(
        &self,
        dir: &str,
        s: u32,
        keys: &[u64],
        mut splice: impl FnMut(u64, &[u8]) -> Option<Vec<u8>>,
    ) -> Option<Rewritten> {
        let rel = shard_path(dir, s);
        let old = self.files.get(&rel)?;
        let head = shard_head(dir, s);
        let records = records(old, &head)?;
        let mut js = String::with_capacity(old.len() + 64);
        js.push_str(&head);
        let mut delta = 0isize;
        let mut next = records.iter().peekable();
        // Unchanged records are copied in runs.
        let mut run = head.len();
        for &key in keys {
            while next.next_if(|r| r.key < key).is_some() {}
            let at = next
                .peek()
                .map_or(old.len() - SHARD_TAIL.len(), |r| r.whole.start);
            js.push_str(&old[run..at]);
            let before = match next.next_if(|r| r.key == key) {
                Some(r) => {
                    run = r.whole.end;
                    &old[r.posting.clone()]
                }
                None => {
                    run = at;
                    ""
                }
            };
            let after = splice(key, before.as_bytes())?;
            let size = |len: usize| RecordBytes::of_term(len, 0).lists as isize;
            delta += size(after.len()) - size(before.len());
            if !after.is_empty() {
                push_record_head(&mut js, key, &escaped(&key_term(key)), after.len());
                js.push_str(ascii(&after));
            }
        }
        js.push_str(&old[run..]);
        let (lists, positions) = if dir == "s" { (delta, 0) } else { (0, delta) };
        Some(Rewritten {
            rel,
            js,
            lists,
            positions,
        })
    }
}

/// Where shard `s` of `dir` is written.
fn shard_path(dir: &str, s: u32) -> String {
    format!("search/{dir}/{}.js", shard_name(s))
}

/// What edits do to the index, planned by [`LiveIndex::plan`].
pub struct Update {
    /// The terms whose postings change, with what changed on which page.
    changes: BTreeMap<u64, Vec<Edit>>,
    /// The page-list shards and position shards to make again, each with its changed terms in
    /// term order.
    lists: Vec<(u32, Vec<u64>)>,
    positions: Vec<(u32, Vec<u64>)>,
    /// Bytes of those shards.
    bytes: usize,
    /// How the number of text parts and their bytes change.
    parts: (isize, isize),
}

impl Update {
    /// The bytes of the shards the update makes again: what it costs, roughly.
    pub fn bytes(&self) -> usize {
        self.bytes
    }
}

/// Each pair's key and where its positions change.
type PairCuts<'e> = Vec<(u64, Vec<Cut<'e>>)>;

/// A shard made again, and how the record bytes of page lists and of positions changed.
struct Rewritten {
    rel: String,
    js: String,
    lists: isize,
    positions: isize,
}

/// What an edit did to one term on one page: the page's new entry (after its page number)
/// and positions, or `None` when the page no longer has the term.
struct Edit {
    page: u32,
    new: Option<(Vec<u8>, Vec<u8>)>,
}

/// The terms whose postings the edits change, with what changed on which page (in page
/// order). `None` when a page's number or facts changed, or a page is named twice.
fn term_changes(edits: &[(&PageSearch, &PageSearch)]) -> Option<BTreeMap<u64, Vec<Edit>>> {
    let facts = |p: &PageSearch| (p.id, p.kind, p.stars, p.year);
    let mut seen = std::collections::HashSet::new();
    let mut changes: BTreeMap<u64, Vec<Edit>> = BTreeMap::new();
    for (old, new) in edits {
        if facts(old) != facts(new) || !seen.insert(new.id) {
            return None;
        }
        let mut before: HashMap<u64, Term> =
            page_terms(old).into_iter().map(|t| (t.key, t)).collect();
        for t in page_terms(new) {
            match before.remove(&t.key) {
                Some(o) if o.pages == t.pages && o.positions == t.positions => {}
                _ => changes.entry(t.key).or_default().push(Edit {
                    page: new.id,
                    new: Some((t.pages, t.positions)),
                }),
            }
        }
        for key in before.into_keys() {
            changes.entry(key).or_default().push(Edit {
                page: old.id,
                new: None,
            });
        }
    }
    for page_edits in changes.values_mut() {
        page_edits.sort_unstable_by_key(|e| e.page);
    }
    Some(changes)
}

/// The postings of one page: for each term, its entry after the page number and its
/// positions.
fn page_terms(page: &PageSearch) -> Vec<Term> {
    let mut postings = Postings::new();
    postings.add_page(page);
    postings.finish().into_terms()
}

/// Where a record sits in a shard.
struct Record {
    key: u64,
    /// The whole record: kind, term, length, posting.
    whole: Range<usize>,
    posting: Range<usize>,
}

/// The records of shard file `js` that starts with `head`, in order (which is term order);
/// `None` when it is not such a file.
fn records(js: &str, head: &str) -> Option<Vec<Record>> {
    let end = js.strip_suffix(SHARD_TAIL)?.len();
    if !js.starts_with(head) {
        return None;
    }
    let bytes = &js.as_bytes()[..end];
    let mut at = head.len();
    let mut out = Vec::new();
    while at < end {
        let start = at;
        let pair = match bytes[at] {
            b'a' => false,
            b'b' => true,
            _ => return None,
        };
        at += 1;
        let first = unescape(js, &mut at)?;
        let second = if pair {
            Some(unescape(js, &mut at)?)
        } else {
            None
        };
        let mut reader = Reader::new(bytes);
        reader.at = at;
        let len = reader.varint() as usize;
        let posting = reader.at..reader.at + len;
        if posting.end > end {
            return None;
        }
        at = posting.end;
        out.push(Record {
            key: term_key(first, second),
            whole: start..at,
            posting,
        });
    }
    Some(out)
}

/// The character at `at` of a JSON string's content, escaped as `serde_json` escapes it;
/// moves `at` past it.
fn unescape(js: &str, at: &mut usize) -> Option<u32> {
    let mut chars = js.get(*at..)?.chars();
    let c = chars.next()?;
    if c != '\\' {
        *at += c.len_utf8();
        return Some(u32::from(c));
    }
    let escape = chars.next()?;
    *at += 2;
    let c = match escape {
        '"' | '\\' | '/' => escape,
        'n' => '\n',
        'r' => '\r',
        't' => '\t',
        'b' => '\u{8}',
        'f' => '\u{c}',
        'u' => {
            let hex = js.get(*at..*at + 4)?;
            *at += 4;
            return u32::from_str_radix(hex, 16).ok();
        }
        _ => return None,
    };
    Some(u32::from(c))
}

/// How a pair's positions change at one edited page: keep the next `keep` old positions, drop
/// the `drop` the page had, put in the page's new ones.
struct Cut<'e> {
    keep: usize,
    drop: usize,
    insert: &'e [u8],
}

/// A term's page list after `edits` (in page order): the old entries of edited pages go,
/// their new ones come in, and the gap of the entry after each edited page is written again;
/// everything else is copied as it was. Also, for a pair, where its positions change.
///
/// Entries are read only up to the last edited page: editing a new page (a small number)
/// reads a few entries of even the longest list.
fn splice_list<'e>(list: &[u8], pair: bool, edits: &'e [Edit]) -> (Vec<u8>, Vec<Cut<'e>>) {
    let mut out = Vec::with_capacity(list.len() + 16);
    let mut cuts = Vec::with_capacity(if pair { edits.len() } else { 0 });
    let mut entries = Entries::new(list, pair);
    // Old bytes before `copied` are in `out` or dropped; the last page in `out`.
    let (mut copied, mut last_out) = (0, None);
    // Positions of the entries read since the last cut.
    let mut positions = 0;
    // The entry after an edited page needs its gap written again.
    let mut regap = false;
    for edit in edits {
        while let Some(entry) = entries.next_if(|page| page < edit.page) {
            if regap {
                out.extend_from_slice(&list[copied..entry.start]);
                push_varint(&mut out, gap(last_out, entry.page));
                copied = entry.body;
                regap = false;
            }
            positions += entry.n;
            last_out = Some(entry.page);
        }
        out.extend_from_slice(&list[copied..entries.at()]);
        copied = entries.at();
        let mut drop = 0;
        if let Some(entry) = entries.next_if(|page| page == edit.page) {
            drop = entry.n;
            copied = entry.end;
        }
        let mut insert = &[][..];
        if let Some((body, new_positions)) = &edit.new {
            push_varint(&mut out, gap(last_out, edit.page));
            out.extend_from_slice(body);
            last_out = Some(edit.page);
            insert = new_positions;
        }
        if pair {
            cuts.push(Cut {
                keep: positions,
                drop,
                insert,
            });
        }
        positions = 0;
        regap = true;
    }
    if let Some(entry) = entries.next_if(|_| regap) {
        out.extend_from_slice(&list[copied..entry.start]);
        push_varint(&mut out, gap(last_out, entry.page));
        copied = entry.body;
    }
    out.extend_from_slice(&list[copied..]);
    (out, cuts)
}

/// A pair's positions after the `cuts` [`splice_list`] found in its page list.
fn splice_positions(positions: &[u8], cuts: &[Cut<'_>]) -> Vec<u8> {
    let grows: usize = cuts.iter().map(|c| c.insert.len()).sum();
    let mut out = Vec::with_capacity(positions.len() + grows);
    let mut at = 0;
    for cut in cuts {
        let kept = skip_varints(positions, at, cut.keep);
        out.extend_from_slice(&positions[at..kept]);
        at = skip_varints(positions, kept, cut.drop);
        out.extend_from_slice(cut.insert);
    }
    out.extend_from_slice(&positions[at..]);
    out
}

/// The last digit of every varint is one of the final digits, which are the lowest bytes of
/// the alphabet: this is the highest of them.
static LAST_FINAL: LazyLock<u8> = LazyLock::new(|| {
    let mut digit = Vec::new();
    push_varint(&mut digit, FINAL - 1);
    digit[0]
});

/// Where the `count` varints that start at `at` of `bytes` end. Positions are most of the
/// bytes of the index, so whole blocks whose final digits are fewer than those still to skip
/// are passed at once.
fn skip_varints(bytes: &[u8], mut at: usize, mut count: usize) -> usize {
    const BLOCK: usize = 64;
    let last_final = *LAST_FINAL;
    while let Some(block) = bytes.get(at..at + BLOCK) {
        let finals = block.iter().filter(|&&b| b <= last_final).count();
        if finals >= count {
            break;
        }
        count -= finals;
        at += BLOCK;
    }
    while count > 0 {
        count -= usize::from(bytes[at] <= last_final);
        at += 1;
    }
    at
}

/// One page's entry in a term's page list: where it starts (its page number), where the rest
/// starts and where it ends; its page and number of positions (0 for a single character).
struct Entry {
    start: usize,
    body: usize,
    end: usize,
    page: u32,
    n: usize,
}

/// Reads a term's page list entry by entry.
struct Entries<'a> {
    reader: Reader<'a>,
    pair: bool,
    /// The page of the last entry read.
    last: Option<u32>,
}

impl<'a> Entries<'a> {
    fn new(list: &'a [u8], pair: bool) -> Entries<'a> {
        Entries {
            reader: Reader::new(list),
            pair,
            last: None,
        }
    }

    /// Where the next entry starts.
    fn at(&self) -> usize {
        self.reader.at
    }

    /// The next entry, if there is one and its page passes `wanted`.
    fn next_if(&mut self, wanted: impl FnOnce(u32) -> bool) -> Option<Entry> {
        if self.reader.done() {
            return None;
        }
        let start = self.reader.at;
        let page = self.reader.next_after(self.last);
        if !wanted(page) {
            self.reader.at = start;
            return None;
        }
        let body = self.reader.at;
        // A pair: `n·2 + has_fields, [n_title, n_headings,] part`; a character:
        // `n·4 + flags, part`.
        let first = self.reader.varint();
        if self.pair && first & 1 == 1 {
            self.reader.varint();
            self.reader.varint();
        }
        self.reader.varint();
        self.last = Some(page);
        Some(Entry {
            start,
            body,
            end: self.reader.at,
            page,
            n: if self.pair { (first >> 1) as usize } else { 0 },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::index::{build_index, prepare_page};
    use crate::search::SearchPage;

    /// Page `id` with `title` and body `html`, prepared for the index.
    fn page(id: u32, title: &str, html: &str, fold: bool) -> PageSearch {
        let meta = SearchPage {
            id,
            url: format!("p{id}/index.html"),
            title: title.into(),
            date: "2026-01-01".into(),
            kind: "page",
            ..SearchPage::default()
        };
        prepare_page(&meta, html, fold).0
    }

    fn corpus(n: u32, fold: bool) -> Vec<PageSearch> {
        (0..n)
            .map(|i| {
                let body = format!(
                    "<h2>第{i}节</h2><p>学习贯彻党的二十大精神，清廉文化{}建设。</p><p>{}</p>",
                    i % 7,
                    "家风家训 abc 123 ".repeat((i % 5) as usize)
                );
                page(i, &format!("标题{i}"), &body, fold)
            })
            .collect()
    }

    #[test]
    fn updates_equal_a_fresh_build() {
        let long = "很长的正文。".repeat(600);
        // Each step edits the pages named, at once.
        let steps: &[&[(u32, &str)]] = &[
            &[(3, "<p>全新的罕见词语：饕餮\"\\\\ \u{1}。</p>")],
            &[(3, "<p>饕</p>")],
            &[(0, "")],
            &[(39, "<h2>学习</h2><p>学习贯彻</p>")],
            &[(17, &long)],
            &[(17, "<p>短</p>")],
            &[(20, "<p>清廉文化建设</p>")],
            &[(5, "<p>饕餮 学习</p>"), (30, "<p>饕餮 贯彻</p>"), (31, "")],
            &[(5, "<p>学习</p>"), (30, "<p>二十大</p>")],
        ];
        for fold in [false, true] {
            let mut pages = corpus(40, fold);
            let mut live = LiveIndex::build(pages.clone(), fold);
            let mut in_place = 0;
            for (step, edits) in steps.iter().enumerate() {
                let mut olds = Vec::new();
                for &(id, html) in edits.iter() {
                    let new = page(id, &format!("标题{id}"), html, fold);
                    olds.push(std::mem::replace(&mut pages[id as usize], new));
                }
                let pairs: Vec<(&PageSearch, &PageSearch)> = olds
                    .iter()
                    .map(|old| (old, &pages[old.id as usize]))
                    .collect();
                let written = std::sync::Mutex::new(Vec::new());
                let stats = live.plan(&pairs).and_then(|update| {
                    live.apply(update, &|rel, js| {
                        let mut written = written.lock().unwrap();
                        written.push((rel.to_string(), js.to_string()));
                    })
                });
                let fresh = build_index(pages.clone(), fold);
                let Some(stats) = stats else {
                    live = LiveIndex::build(pages.clone(), fold);
                    continue;
                };
                in_place += 1;
                let now = live.sorted_files();
                let paths = |f: &[(String, String)]| -> Vec<String> {
                    f.iter().map(|(p, _)| p.clone()).collect()
                };
                assert_eq!(paths(&now), paths(&fresh.files), "step {step}");
                for (a, b) in now.iter().zip(&fresh.files) {
                    assert!(a.1 == b.1, "step {step}: {} differs", a.0);
                }
                let rebuilt = LiveIndex::build(pages.clone(), fold);
                assert_eq!(live.bytes, rebuilt.bytes, "step {step}");
                assert_eq!(format!("{stats:?}"), format!("{:?}", fresh.stats));
                for (rel, js) in written.into_inner().unwrap() {
                    assert_eq!(live.files[&rel], js, "{rel} as written");
                }
            }
            assert!(in_place >= 5, "{in_place} steps made in place");
        }
    }

    #[test]
    fn varints_are_skipped_by_their_final_digits() {
        let mut bytes = Vec::new();
        let mut ends = vec![0];
        for k in 0..5_000u32 {
            push_varint(&mut bytes, k.wrapping_mul(2_654_435_761) >> (k % 32));
            ends.push(bytes.len());
        }
        for (from, count) in [
            (0, 0),
            (0, 1),
            (0, 5_000),
            (3, 200),
            (17, 4_000),
            (4_999, 1),
        ] {
            assert_eq!(skip_varints(&bytes, ends[from], count), ends[from + count]);
        }
    }

    #[test]
    fn escaped_terms_read_back() {
        for term in ["a", "\"", "\\", "\n", "\u{1}", "党", "𠀋", "/"] {
            let js = escaped(term);
            let mut at = 0;
            assert_eq!(unescape(&js, &mut at), term.chars().next().map(u32::from));
            assert_eq!(at, js.len());
        }
    }
}

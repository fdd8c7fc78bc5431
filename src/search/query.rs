//! Query evaluation over the written index files — the same algorithm as `js/search.js`, so the
//! property tests can hold it against a naive substring scan.
//!
//! A query is normalised and split at whitespace into terms; a page matches when its
//! normalised text contains every term. A one-character term is looked up at page level. A
//! longer term is covered by the pairs starting at offsets 0, 2, 4, … and, for an odd length,
//! the last pair; a page matches where every covering pair occurs at the term's start plus its
//! offset. The pairs of a term tile it without gaps, and pairs never span whitespace, so that
//! is exactly "the text contains the term".

use super::code::{shard_name, term_hash, Reader};
use super::text::query_terms;
use std::collections::{BTreeMap, HashMap};

/// An index read back from its files.
#[derive(Debug, Default)]
pub struct LoadedIndex {
    shards: u32,
    pshards: u32,
    fold: bool,
    /// Page lists by term, from every `s/` shard, with the shard's name.
    terms: HashMap<String, (String, Vec<u8>)>,
    /// Positions by pair, from every `p/` shard, with the shard's name.
    positions: HashMap<String, (String, Vec<u8>)>,
}

/// One matching page and what ranks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    /// Page number (newest first).
    pub page: u32,
    /// Terms found in the title.
    pub in_title: u32,
    /// Terms found in headings.
    pub in_headings: u32,
    /// Occurrences of all terms.
    pub count: u32,
}

/// The arguments of the one call `name(…);` a file under `search/` holds, as a JSON array.
pub fn js_call_args(js: &str, name: &str) -> Option<serde_json::Value> {
    let inner = js.trim().strip_prefix(name)?.strip_prefix('(')?;
    let inner = inner.strip_suffix(';')?.strip_suffix(')')?;
    serde_json::from_str(&format!("[{inner}]")).ok()
}

impl LoadedIndex {
    /// Reads `search/meta.js` and every `search/s/*.js` from `files` (path → content).
    pub fn from_files<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> LoadedIndex {
        let mut idx = LoadedIndex::default();
        for (path, js) in files {
            if path == "search/meta.js" {
                let args = js_call_args(js, "zhibu_meta").expect("meta.js");
                idx.shards = args[0]["shards"].as_u64().expect("shards") as u32;
                idx.pshards = args[0]["pshards"].as_u64().expect("pshards") as u32;
                idx.fold = !args[0]["fold"].as_str().unwrap_or("").is_empty();
            } else if let Some((dir @ ("s" | "p"), name)) = path
                .strip_prefix("search/")
                .and_then(|rel| rel.split_once('/'))
            {
                let args = js_call_args(js, "zhibu_shard").expect("shard");
                let name = name.trim_end_matches(".js");
                assert_eq!(args[0].as_str(), Some(format!("{dir}/{name}").as_str()));
                let map = if dir == "s" {
                    &mut idx.terms
                } else {
                    &mut idx.positions
                };
                let mut rest = args[1].as_str().expect("records");
                while !rest.is_empty() {
                    let chars = if rest.starts_with('a') { 1 } else { 2 };
                    let mut it = rest[1..].char_indices();
                    let end = it.nth(chars).map_or(rest.len() - 1, |(i, _)| i) + 1;
                    let term = rest[1..end].to_string();
                    let mut r = Reader::new(&rest.as_bytes()[end..]);
                    let len = r.varint() as usize;
                    let start = end + r.at;
                    let data = rest.as_bytes()[start..start + len].to_vec();
                    map.insert(term, (name.to_string(), data));
                    rest = &rest[start + len..];
                }
            }
        }
        idx
    }

    fn posting(&self, term: &str) -> Option<&[u8]> {
        record(&self.terms, term, self.shards)
    }

    fn pair_positions(&self, term: &str) -> &[u8] {
        record(&self.positions, term, self.pshards).expect("positions of a listed pair")
    }

    /// Pages containing `term` (already normalised, no whitespace), with ranking data.
    fn term_matches(&self, term: &str) -> BTreeMap<u32, Match> {
        let chars: Vec<char> = term.chars().collect();
        let mut out = BTreeMap::new();
        if chars.len() == 1 {
            let Some(p) = self.posting(term) else {
                return out;
            };
            let mut r = Reader::new(p);
            let mut page: Option<u32> = None;
            while !r.done() {
                let id = r.next_after(page);
                page = Some(id);
                let h = r.varint();
                let _part = r.varint();
                out.insert(
                    id,
                    Match {
                        page: id,
                        in_title: (h >> 1) & 1,
                        in_headings: h & 1,
                        count: h >> 2,
                    },
                );
            }
            return out;
        }
        if chars.len() == 2 {
            // One pair: its page list says everything.
            let Some(p) = self.posting(term) else {
                return out;
            };
            for (page, e) in decode_pairs(p, None) {
                out.insert(
                    page,
                    Match {
                        page,
                        in_title: u32::from(e.nt > 0),
                        in_headings: u32::from(e.nh > 0),
                        count: e.n as u32,
                    },
                );
            }
            return out;
        }
        let mut offsets: Vec<usize> = (0..chars.len() - 1).step_by(2).collect();
        if chars.len() % 2 == 1 {
            offsets.push(chars.len() - 2);
        }
        let mut lists: Vec<(usize, HashMap<u32, PairEntry>)> = Vec::with_capacity(offsets.len());
        for o in offsets {
            let pair: String = chars[o..o + 2].iter().collect();
            let Some(p) = self.posting(&pair) else {
                return out;
            };
            lists.push((o, decode_pairs(p, Some(self.pair_positions(&pair)))));
        }
        let (_, first) = &lists[0];
        for (&page, e0) in first {
            let mut starts: Vec<(usize, u32)> = e0.positions.iter().copied().enumerate().collect();
            for (o, list) in &lists[1..] {
                let Some(e) = list.get(&page) else {
                    starts.clear();
                    break;
                };
                starts.retain(|&(_, s)| e.positions.binary_search(&(s + *o as u32)).is_ok());
            }
            if starts.is_empty() {
                continue;
            }
            let in_title = starts.iter().any(|&(i, _)| i < e0.nt) as u32;
            let in_headings = starts.iter().any(|&(i, _)| i >= e0.nt && i < e0.nt + e0.nh) as u32;
            out.insert(
                page,
                Match {
                    page,
                    in_title,
                    in_headings,
                    count: starts.len() as u32,
                },
            );
        }
        out
    }

    /// Every page matching `query`, best first: terms in the title, then in headings, then
    /// occurrences, then newer first.
    pub fn search(&self, query: &str) -> Vec<Match> {
        let terms = query_terms(query, self.fold);
        let mut result: Option<BTreeMap<u32, Match>> = None;
        for t in &terms {
            let m = self.term_matches(t);
            result = Some(match result {
                None => m,
                Some(prev) => prev
                    .into_iter()
                    .filter_map(|(page, a)| {
                        m.get(&page).map(|b| {
                            (
                                page,
                                Match {
                                    page,
                                    in_title: a.in_title + b.in_title,
                                    in_headings: a.in_headings + b.in_headings,
                                    count: a.count + b.count,
                                },
                            )
                        })
                    })
                    .collect(),
            });
        }
        let mut hits: Vec<Match> = result.unwrap_or_default().into_values().collect();
        hits.sort_by(|a, b| {
            (b.in_title, b.in_headings, b.count, a.page).cmp(&(
                a.in_title,
                a.in_headings,
                a.count,
                b.page,
            ))
        });
        hits
    }
}

/// The record of `term` in `map`, which must come from the shard its hash names among
/// `shards`, or the client would never find it.
fn record<'a>(
    map: &'a HashMap<String, (String, Vec<u8>)>,
    term: &str,
    shards: u32,
) -> Option<&'a [u8]> {
    let (shard, data) = map.get(term)?;
    assert_eq!(
        *shard,
        shard_name(term_hash(term) % shards),
        "shard of {term:?}"
    );
    Some(data)
}

struct PairEntry {
    n: usize,
    nt: usize,
    nh: usize,
    positions: Vec<u32>,
}

/// A pair's page list, with the positions when `pos` is given.
fn decode_pairs(p: &[u8], pos: Option<&[u8]>) -> HashMap<u32, PairEntry> {
    let mut out = HashMap::new();
    let mut r = Reader::new(p);
    let mut rp = pos.map(Reader::new);
    let mut page: Option<u32> = None;
    while !r.done() {
        let id = r.next_after(page);
        page = Some(id);
        let h = r.varint();
        let n = (h >> 1) as usize;
        let (nt, nh) = if h & 1 == 1 {
            (r.varint() as usize, r.varint() as usize)
        } else {
            (0, 0)
        };
        let _part = r.varint();
        let mut positions = Vec::new();
        if let Some(rp) = rp.as_mut() {
            let mut last: Option<u32> = None;
            for _ in 0..n {
                let p = rp.next_after(last);
                positions.push(p);
                last = Some(p);
            }
        }
        out.insert(
            id,
            PairEntry {
                n,
                nt,
                nh,
                positions,
            },
        );
    }
    out
}

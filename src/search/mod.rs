//! Full-text search that never misses: an index of character pairs with positions, built during
//! `zhibu build`, split into shards a browser loads as classic scripts (so search works over
//! http, under any subpath and from `file://`).
//!
//! * [`text`] turns a rendered page into searchable text and normalises it.
//! * [`code`] writes numbers compactly and picks a term's shard.
//! * [`index`] builds the postings and writes the files under `search/`.
//! * [`live`] keeps a watch session's index in memory and updates it after an edit.
//! * [`query`] evaluates a query on those files exactly as `js/search.js` does; the tests
//!   compare it with a naive substring scan.
//!
//! The user-facing contract is in `docs/search.md`.

pub mod code;
pub mod index;
pub mod live;
pub mod query;
pub mod text;

pub use index::{IndexStats, PageSearch, SearchIndex, SearchPage};

use crate::kinds::{Form, Kind, PageData};
use crate::site::Site;

/// What search shows and filters for every page, indexed by page id (`site.pages`). Pages are
/// numbered newest first.
pub fn pages_for(site: &Site) -> Vec<SearchPage> {
    use rayon::prelude::*;
    let mut ranks = vec![0; site.pages.len()];
    for (rank, p) in site.pages_by_date().into_iter().enumerate() {
        ranks[p] = rank;
    }
    // In parallel: ~2 µs a page, on the serial path between reading and rendering.
    ranks
        .into_par_iter()
        .enumerate()
        .map(|(p, rank)| search_page(site, p, rank))
        .collect()
}

/// What search needs of page `p`, whose rank newest first is `rank`.
fn search_page(site: &Site, p: usize, rank: usize) -> SearchPage {
    let page = &site.pages[p];
    let sec = &site.sections[page.section];
    let (kind, stars) = match &page.data {
        PageData::PackArticle(_) => ("pack", None),
        PageData::ColumnArticle(_) => ("column", None),
        PageData::Brand(b) => ("brand", Some(b.stars)),
        PageData::None if page.kind == Some(Kind::News) => ("news", None),
        PageData::None => ("page", None),
    };
    let place = match (&sec.data.pack, page.section) {
        (Some(pack), _) if kind == "pack" => pack.cover_line(),
        (_, 0) => "首页".to_string(),
        _ => sec.title.clone(),
    };
    SearchPage {
        id: rank as u32,
        url: crate::render::dir_url(&page.path),
        title: page.fm.title.clone(),
        description: page.fm.description.clone().unwrap_or_default(),
        place,
        date: page
            .fm
            .date
            .as_ref()
            .map(|d| d.iso().chars().take(10).collect())
            .unwrap_or_default(),
        kind,
        stars,
        fields: kind_fields(&page.data),
    }
}

/// The text a page's kind shows from its front matter, in the order the default theme shows
/// it: a brand's name, unit, branch, slogan, meaning, logo meaning, method, results, gallery
/// captions and contact; a column article's author and source, an exemplar's name and post, a
/// gallery's captions and authors; a pack article's source and author.
pub fn kind_fields(data: &PageData) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |s: Option<&String>| {
        if let Some(s) = s.filter(|s| !s.trim().is_empty()) {
            out.push(s.clone());
        }
    };
    match data {
        PageData::Brand(b) => {
            push(Some(&b.name));
            push(Some(&b.unit));
            push(b.branch.as_ref().filter(|br| **br != b.unit));
            push(b.slogan.as_ref());
            push(b.meaning.as_ref());
            push(b.logo_meaning.as_ref());
            if let Some(m) = &b.method {
                push(Some(&m.name));
                m.items.iter().for_each(|i| push(Some(i)));
            }
            b.results.iter().for_each(|r| push(Some(&r.text)));
            b.gallery.iter().for_each(|g| push(g.caption.as_ref()));
            push(b.contact.as_ref());
        }
        PageData::ColumnArticle(c) => {
            push(c.author.as_ref());
            push(c.source.as_ref());
            match c.form {
                Form::Exemplar if c.name.as_ref().is_some_and(|n| !n.trim().is_empty()) => {
                    push(c.name.as_ref());
                    push(c.post.as_ref());
                }
                Form::Gallery => c.works.iter().for_each(|w| {
                    push(w.caption.as_ref());
                    push(w.author.as_ref());
                }),
                _ => {}
            }
        }
        PageData::PackArticle(a) => {
            push(a.source.as_ref());
            push(a.author.as_ref());
        }
        PageData::None => {}
    }
    out
}

/// Readers' names of the kind codes, in the order the filter offers them.
pub const KIND_LABELS: [(&str, &str); 5] = [
    ("pack", "理论学习"),
    ("column", "专栏文章"),
    ("brand", "党建品牌"),
    ("news", "工作动态"),
    ("page", "其他页面"),
];

/// The filter choices the site has, for the search page template: `{kinds: [{value, label}],
/// years: [2026, …], stars: [5, 4, 3]}`.
pub fn filters(pages: &[SearchPage]) -> serde_json::Value {
    let kinds: Vec<serde_json::Value> = KIND_LABELS
        .iter()
        .filter(|(k, _)| pages.iter().any(|p| p.kind == *k))
        .map(|(k, l)| serde_json::json!({ "value": k, "label": l }))
        .collect();
    let mut years: Vec<u16> = pages.iter().filter_map(SearchPage::year).collect();
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    let mut stars: Vec<u8> = pages.iter().filter_map(|p| p.stars).collect();
    stars.sort_unstable_by(|a, b| b.cmp(a));
    stars.dedup();
    serde_json::json!({ "kinds": kinds, "years": years, "stars": stars })
}

#[cfg(test)]
mod tests {
    use super::index::{build_index, prepare_page};
    use super::query::LoadedIndex;
    use super::text::{normalize, query_terms};
    use super::*;
    use crate::markdown::escape_html;
    use proptest::prelude::*;

    /// Page number `i` with its title, description and body HTML, prepared for the index.
    fn doc(i: usize, title: &str, description: &str, body_html: &str, fold: bool) -> PageSearch {
        let meta = SearchPage {
            id: i as u32,
            url: format!("p{i}/index.html"),
            title: title.into(),
            description: description.into(),
            kind: "page",
            ..SearchPage::default()
        };
        prepare_page(&meta, body_html, fold).0
    }

    /// The index of `docs`, read back from its files.
    fn load(docs: Vec<PageSearch>, fold: bool) -> LoadedIndex {
        let idx = build_index(docs, fold);
        LoadedIndex::from_files(idx.files.iter().map(|(p, c)| (p.as_str(), c.as_str())))
    }

    /// Builds an index of pages `(title, description, body text)`, numbered in order.
    fn index_of(pages: &[(String, String, String)], fold: bool) -> LoadedIndex {
        let docs = pages
            .iter()
            .enumerate()
            .map(|(i, (t, d, b))| doc(i, t, d, &format!("<p>{}</p>", escape_html(b)), fold));
        load(docs.collect(), fold)
    }

    /// The pages a naive scan finds: every term a substring of the normalised text.
    fn naive(pages: &[(String, String, String)], query: &str, fold: bool) -> Vec<u32> {
        let terms = query_terms(query, fold);
        if terms.is_empty() {
            return Vec::new();
        }
        (0..pages.len() as u32)
            .filter(|&i| {
                let (t, d, b) = &pages[i as usize];
                let text = normalize(&format!("{t}\n{d}\n{b}"), fold);
                terms.iter().all(|q| text.contains(q.as_str()))
            })
            .collect()
    }

    fn found(idx: &LoadedIndex, q: &str) -> Vec<u32> {
        let mut v: Vec<u32> = idx.search(q).into_iter().map(|m| m.page).collect();
        v.sort_unstable();
        v
    }

    fn page(t: &str, d: &str, b: &str) -> (String, String, String) {
        (t.into(), d.into(), b.into())
    }

    #[test]
    fn han_latin_and_digits_are_plain_substrings() {
        let pages = vec![
            page("党的二十大精神", "", "学习贯彻党的20大精神，GDP增长5.2%。"),
            page("A股与港股", "", "资本市场：A股、Ｂ股；database 与 data。"),
            page(
                "警示教育",
                "",
                "以案为鉴，以案促改。<script>alert(1)</script>",
            ),
        ];
        let idx = index_of(&pages, false);
        let cases: &[(&str, &[u32])] = &[
            ("20大", &[0]),
            ("0大精", &[0]),
            ("a股", &[1]),
            ("b股", &[1]),
            ("ａ股", &[1]),
            ("data", &[1]),
            ("atab", &[1]),
            ("tabase", &[1]),
            ("gdp增长5.2%", &[0]),
            ("大", &[0]),
            ("股", &[1]),
            ("<script>", &[2]),
            ("精神 gdp", &[0]),
            ("精神 股", &[]),
            ("以案", &[2]),
            ("案为鉴，以", &[2]),
            ("鉴以", &[]),
            ("学习 贯彻", &[0]),
            ("学习贯彻党的20大精神，gdp增长5.2%。", &[0]),
            ("二十大精神学习", &[]),
        ];
        for (q, want) in cases {
            assert_eq!(found(&idx, q), want.to_vec(), "query {q:?}");
            assert_eq!(naive(&pages, q, false), want.to_vec(), "naive {q:?}");
        }
    }

    #[test]
    fn ranking_title_then_headings_then_count_then_newer() {
        let docs: Vec<PageSearch> = [
            ("甲", "<p>清廉 清廉 清廉</p>"),
            ("乙", "<h2>清廉家风</h2><p>正文</p>"),
            ("清廉文化", "<p>正文</p>"),
            ("丁", "<p>清廉</p>"),
            ("戊", "<p>清廉</p>"),
        ]
        .iter()
        .enumerate()
        .map(|(i, (t, b))| doc(i, t, "", b, false))
        .collect();
        let loaded = load(docs, false);
        let order: Vec<u32> = loaded.search("清廉").iter().map(|m| m.page).collect();
        assert_eq!(order, vec![2, 1, 0, 3, 4]);
        let order: Vec<u32> = loaded.search("廉").iter().map(|m| m.page).collect();
        assert_eq!(order, vec![2, 1, 0, 3, 4]);
    }

    #[test]
    fn traditional_fold_finds_both_forms() {
        let pages = vec![
            page("中國共產黨", "", "黨建"),
            page("中国共产党", "", "党建"),
        ];
        let idx = index_of(&pages, true);
        assert_eq!(found(&idx, "共产党"), vec![0, 1]);
        assert_eq!(found(&idx, "黨建"), vec![0, 1]);
        let plain = index_of(&pages, false);
        assert_eq!(found(&plain, "黨建"), vec![0]);
    }

    #[test]
    fn text_parts_hold_the_page_in_order() {
        let meta = SearchPage {
            id: 7,
            url: "a/index.html".into(),
            title: "标题".into(),
            place: "2026年第11期".into(),
            date: "2026-11-05".into(),
            kind: "pack",
            ..SearchPage::default()
        };
        let body: String = "学习".repeat(index::PART);
        let (doc, files) = prepare_page(&meta, &format!("<h2>一、小标题</h2><p>{body}</p>"), false);
        assert_eq!(doc.title_end, 2);
        assert_eq!(doc.headings_end, 8);
        assert_eq!(doc.year, 2026);
        assert_eq!(files.len(), 3);
        assert_eq!(files[0].0, "search/d/7-0.js");
        assert!(files[0]
            .1
            .starts_with("zhibu_doc(7,0,[\"a/index.html\",\"标题\",\"2026年第11期\",\"2026-11-05\",\"标题\\n一、小标题\\n\\n学习"));
    }

    const ALPHABET: &[&str] = &[
        "党", "建", "品", "牌", "学", "习", "国", "國", "的", "二", "十", "大", "a", "b", "A",
        "Ｂ", "1", "２", "0", "，", ",", "。", "<", "&", "\"", "\\", " ", "\n", "e\u{301}", "é",
        "①", "𠀋", "ß",
    ];

    fn text_strategy(max: usize) -> impl Strategy<Value = String> {
        proptest::collection::vec(proptest::sample::select(ALPHABET), 0..max)
            .prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// For random small corpora, searching equals a naive substring scan, for substrings
        /// present in the corpus and random strings that mostly are not.
        #[test]
        fn search_equals_naive_scan(
            pages in proptest::collection::vec((text_strategy(6), text_strategy(4), text_strategy(60)), 1..8),
            picks in proptest::collection::vec((any::<usize>(), any::<usize>(), 1usize..8), 12),
            absent in proptest::collection::vec(text_strategy(5), 6),
            fold in any::<bool>(),
        ) {
            let idx = index_of(&pages, fold);
            let mut queries: Vec<String> = absent;
            for (p, start, len) in picks {
                let (t, d, b) = &pages[p % pages.len()];
                let text: Vec<char> = format!("{t}\n{d}\n{b}").chars().collect();
                let s = start % text.len().max(1);
                queries.push(text[s.min(text.len())..(s + len).min(text.len())].iter().collect());
            }
            let pairs: Vec<String> = queries.chunks(2).map(|c| c.join(" ")).collect();
            queries.extend(pairs);
            for q in &queries {
                prop_assert_eq!(found(&idx, q), naive(&pages, q, fold), "query {:?}", q);
            }
        }
    }
}

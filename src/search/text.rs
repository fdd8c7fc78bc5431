//! Searchable text: plain text out of rendered HTML, and the normalisation that makes
//! full-width and half-width, upper and lower case (and optionally traditional and simplified
//! characters) equal.
//!
//! Normalisation works on *clusters*: a character together with the combining marks
//! (General_Category = Mark) that follow it. Each cluster becomes `NFKC(cluster)`, then every
//! resulting character is lowercased on its own (no context rules) and, when asked, folded from
//! traditional to simplified. The browser client (`js/highlight.js`) does exactly the same to the
//! query, so a term found in the normalised text is what Ctrl-F would find.

use std::collections::HashMap;
use std::sync::OnceLock;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

/// Traditional → simplified pairs used when `search_fold_traditional = true`. Only pairs that
/// are one-to-one both ways are listed (so `發`/`髮` → `发`, `後` → `后`, `乾`/`幹` → `干` are
/// left out on purpose): folding never merges two different words.
pub const TRADITIONAL_SIMPLIFIED: &str =
    "國国黨党會会學学習习與与為为東东車车長长門门問问間间開开關关\
這这們们來来時时說说對对動动應应實实現现經经濟济機机構构組组織织員员領领導导務务態态總总書书記记\
義义論论議议設设計计體体廣广場场強强選选舉举權权歲岁區区華华個个鄉乡縣县鎮镇檢检監监紀纪規规傳传\
統统優优產产業业農农專专題题報报紙纸風风潔洁敗败幫帮貧贫讓让愛爱親亲聽听見见觀观視视覺觉語语話话\
讀读寫写頭头顧顾電电腦脑網网絡络樣样點点線线條条樂乐營营進进還还邊边過过達达運运遠远億亿錢钱銀银\
鐵铁雙双醫医藥药歡欢頁页圖图類类聯联壓压";

fn fold_map() -> &'static HashMap<char, char> {
    static MAP: OnceLock<HashMap<char, char>> = OnceLock::new();
    MAP.get_or_init(|| fold_pairs().into_iter().collect())
}

/// The fold table as (traditional, simplified) pairs, for the client.
pub fn fold_pairs() -> Vec<(char, char)> {
    let chars: Vec<char> = TRADITIONAL_SIMPLIFIED.chars().collect();
    chars.chunks(2).map(|p| (p[0], p[1])).collect()
}

/// Whitespace as both the index and the client understand it (Unicode White_Space, equal to
/// [`char::is_whitespace`]; a test checks every character). None lies above U+3000, so the
/// characters of Chinese text skip the table lookup; Markdown's character count uses it too.
pub fn is_space(c: char) -> bool {
    c <= '\u{3000}' && c.is_whitespace()
}

/// Marks, in [`lone_forms`], a character left to the full treatment: no normalised character
/// is a surrogate.
const SLOW: u16 = 0xd800;

/// For every BMP character, its normalised form (before the fold) as a cluster of its own when
/// that form is one BMP character, else [`SLOW`]. Punctuation (`，` → `,`, `“`), full-width
/// forms and Latin letters are about a fifth of Chinese text; a lookup here spares them the
/// NFKC iterator. Built once, in a few milliseconds: the NFKC quick check settles nearly every
/// character without decomposing it.
fn lone_forms() -> &'static [u16; 0x1_0000] {
    static TABLE: OnceLock<Box<[u16; 0x1_0000]>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let forms: Vec<u16> = (0..=0xffff)
            .map(|u| char::from_u32(u).map_or(SLOW, lone_form))
            .collect();
        forms.try_into().expect("one entry per BMP character")
    })
}

/// [`lone_forms`] with the traditional → simplified fold applied (every fold pair is in the
/// BMP), for sites that fold: one lookup instead of a lookup and a hash map probe.
fn folded_lone_forms() -> &'static [u16; 0x1_0000] {
    static TABLE: OnceLock<Box<[u16; 0x1_0000]>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut forms = lone_forms().to_vec();
        for form in forms.iter_mut().filter(|f| **f != SLOW) {
            let folded = char::from_u32(u32::from(*form)).map(fold_char);
            *form = folded
                .and_then(|c| u16::try_from(u32::from(c)).ok())
                .unwrap_or(SLOW);
        }
        forms.try_into().expect("one entry per BMP character")
    })
}

/// The entry of [`lone_forms`] for `c`.
fn lone_form(c: char) -> u16 {
    // Blocks NFKC and lower case leave alone (CJK ideographs, Hangul syllables, private use)
    // take no lookups: they are two thirds of the BMP. The exhaustive test checks them too.
    if [
        '\u{3400}'..='\u{9fff}',
        '\u{ac00}'..='\u{d7a3}',
        '\u{e000}'..='\u{f8ff}',
    ]
    .iter()
    .any(|block| block.contains(&c))
    {
        return c as u16;
    }
    let mut only = None;
    if is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes {
        // NFKC leaves `c` as it is: only the lower case is left to apply.
        let mut lower = c.to_lowercase();
        only = lower.next().filter(|_| lower.next().is_none());
    } else {
        let mut count = 0;
        norm_cluster(c.encode_utf8(&mut [0; 4]), false, |n| {
            count += 1;
            only = Some(n);
        });
        only = only.filter(|_| count == 1);
    }
    only.and_then(|n| u16::try_from(u32::from(n)).ok())
        .unwrap_or(SLOW)
}

/// Calls `f` with each character of the normalised form of one cluster.
fn norm_cluster(cluster: &str, fold: bool, mut f: impl FnMut(char)) {
    for n in cluster.nfkc() {
        for l in n.to_lowercase() {
            f(if fold { fold_char(l) } else { l });
        }
    }
}

fn fold_char(c: char) -> char {
    fold_map().get(&c).copied().unwrap_or(c)
}

/// Whether code point `c` is a combining mark (General_Category = Mark). The characters most
/// text is made of skip the lookup: none below U+0300 or among the CJK ideographs is one; the
/// BMP is looked up in a bit table (the punctuation of Chinese text is among the characters the
/// shortcut leaves to it).
#[inline(always)]
fn is_mark_code(c: u32, bmp_marks: &[u64; 1024]) -> bool {
    if c < 0x300 || (0x3400..=0x9fff).contains(&c) {
        return false;
    }
    match bmp_marks.get(c as usize / 64) {
        Some(bits) => bits >> (c % 64) & 1 != 0,
        None => char::from_u32(c).is_some_and(is_combining_mark),
    }
}

/// One bit per BMP character: whether it is a combining mark.
fn bmp_marks() -> &'static [u64; 1024] {
    static TABLE: OnceLock<[u64; 1024]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut bits = [0u64; 1024];
        for c in (0..=0xffff)
            .filter_map(char::from_u32)
            .filter(|&c| is_combining_mark(c))
        {
            bits[c as usize / 64] |= 1 << (c as u32 % 64);
        }
        bits
    })
}

/// The normalised form of `text` (see the module documentation).
pub fn normalize(text: &str, fold: bool) -> String {
    let mut out = Vec::with_capacity(text.len());
    Normaliser::new(text, fold).run(&mut out, usize::MAX, usize::MAX);
    String::from_utf16(&out).expect("normalised characters")
}

/// Normalises a text cluster by cluster (a character and the combining marks after it) onto
/// UTF-16, as far as the caller asks: the index needs to know where the title, the headings and
/// each text part end. This loop runs once per character of every page: a character without
/// marks, nearly every one, is read straight from the bytes and normalised with one table
/// lookup (see [`lone_forms`]).
pub(crate) struct Normaliser<'t> {
    text: &'t str,
    fold: bool,
    /// [`lone_forms`], folded when asked.
    forms: &'static [u16; 0x1_0000],
    /// [`bmp_marks`].
    marks: &'static [u64; 1024],
    /// Byte offset in the text where the next cluster starts.
    pub at: usize,
    /// Characters written so far.
    pub emitted: usize,
}

impl<'t> Normaliser<'t> {
    /// Normalises `text` from its start.
    pub(crate) fn new(text: &'t str, fold: bool) -> Normaliser<'t> {
        Normaliser {
            text,
            fold,
            forms: if fold {
                folded_lone_forms()
            } else {
                lone_forms()
            },
            marks: bmp_marks(),
            at: 0,
            emitted: 0,
        }
    }

    /// Whether the whole text is normalised.
    pub(crate) fn done(&self) -> bool {
        self.at >= self.text.len()
    }

    /// Normalises clusters onto `out` while the next one starts before byte `until` and fewer
    /// than `limit` characters are written.
    pub(crate) fn run(&mut self, out: &mut Vec<u16>, until: usize, limit: usize) {
        let until = until.min(self.text.len());
        let more = |n: &Self| n.at < until && n.emitted < limit;
        while more(self) {
            self.three_byte_chars(out, until, limit);
            let at = self.at;
            if more(self) {
                self.lone_chars(out, until, limit);
            }
            if self.at == at && more(self) {
                self.cluster(out);
            }
        }
    }

    /// Normalises a stretch of three-byte characters (U+0800–U+FFFF: CJK ideographs and
    /// Chinese punctuation, nearly all of Chinese text) that are clusters of their own, each
    /// with one lookup, as far as [`Normaliser::run`] would go.
    #[inline(always)]
    fn three_byte_chars(&mut self, out: &mut Vec<u16>, until: usize, limit: usize) {
        let max = (until - self.at).div_ceil(3).min(limit - self.emitted);
        let mut rest = &self.text.as_bytes()[self.at..];
        let mut done = 0;
        while done < max {
            let [lead @ 0xe0..=0xef, b1, b2, after @ ..] = rest else {
                break;
            };
            let c = usize::from(lead & 0x0f) << 12
                | usize::from(b1 & 0x3f) << 6
                | usize::from(b2 & 0x3f);
            let form = self.forms[c];
            if form == SLOW {
                break;
            }
            // The next character must be no mark; after an ideograph, another one usually
            // follows, which the lead byte shows.
            if after.first().is_some_and(|&next| may_be_mark(next))
                && is_mark_code(decode_at(after, 0).0, self.marks)
            {
                break;
            }
            out.push(form);
            rest = after;
            done += 1;
        }
        self.at += 3 * done;
        self.emitted += done;
    }

    /// Normalises a stretch of characters of one, two or four bytes that are clusters of
    /// their own (the next character is no mark) with a form in the table, each with one
    /// lookup and decoded once, as long as [`Normaliser::run`] would go on: nearly all of
    /// any other text.
    #[inline(always)]
    fn lone_chars(&mut self, out: &mut Vec<u16>, until: usize, limit: usize) {
        let bytes = self.text.as_bytes();
        let (mut at, mut emitted) = (self.at, self.emitted);
        let (mut c, mut len) = decode_at(bytes, at);
        while at < until && emitted < limit {
            // Three-byte characters are left to `three_byte_chars`.
            if (0x800..=0xffff).contains(&c) {
                break;
            }
            let next = at + len;
            // No character follows the last one: U+0000 stands for none, and is no mark.
            let (m, m_len) = match next < bytes.len() {
                true => decode_at(bytes, next),
                false => (0, 0),
            };
            let form = self.forms.get(c as usize).copied().unwrap_or(SLOW);
            if form == SLOW || is_mark_code(m, self.marks) {
                break;
            }
            out.push(form);
            emitted += 1;
            at = next;
            (c, len) = (m, m_len);
        }
        (self.at, self.emitted) = (at, emitted);
    }

    /// Normalises the cluster at [`Normaliser::at`].
    fn cluster(&mut self, out: &mut Vec<u16>) {
        let bytes = self.text.as_bytes();
        let at = self.at;
        let (c, len) = decode_at(bytes, at);
        let mut end = at + len;
        let mut marks = false;
        while let Some(&lead) = bytes.get(end) {
            if !may_be_mark(lead) {
                break;
            }
            let (m, len) = decode_at(bytes, end);
            if !is_mark_code(m, self.marks) {
                break;
            }
            marks = true;
            end += len;
        }
        let form = match self.forms.get(c as usize) {
            Some(&form) if !marks => form,
            _ => SLOW,
        };
        if form != SLOW {
            out.push(form);
            self.emitted += 1;
        } else {
            norm_cluster(&self.text[at..end], self.fold, |n| {
                out.extend_from_slice(n.encode_utf16(&mut [0; 2]));
                self.emitted += 1;
            });
        }
        self.at = end;
    }
}

/// The code point of the character at byte `at` of `bytes` (UTF-8, `at` where a character
/// starts), and its length in bytes; no validation, the bytes come from a `str`.
#[inline(always)]
fn decode_at(bytes: &[u8], at: usize) -> (u32, usize) {
    let b = u32::from(bytes[at]);
    let cont = |k: usize| u32::from(bytes[at + k] & 0x3f);
    match b {
        0..=0x7f => (b, 1),
        0x80..=0xdf => ((b & 0x1f) << 6 | cont(1), 2),
        0xe0..=0xef => ((b & 0x0f) << 12 | cont(1) << 6 | cont(2), 3),
        _ => ((b & 0x07) << 18 | cont(1) << 12 | cont(2) << 6 | cont(3), 4),
    }
}

/// Whether the character starting with byte `lead` may be a combining mark, as [`is_mark_code`]
/// decides: none starts with a byte below 0xCC (below U+0300) or 0xE4–0xE9 (U+4000–U+9FFF).
#[inline(always)]
fn may_be_mark(lead: u8) -> bool {
    !(lead < 0xcc || (0xe4..=0xe9).contains(&lead))
}

/// The terms of a query: normalised, split at whitespace, empty and repeated terms dropped.
pub fn query_terms(query: &str, fold: bool) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    for t in normalize(query, fold).split(is_space) {
        if !t.is_empty() && !terms.iter().any(|x| x == t) {
            terms.push(t.to_string());
        }
    }
    terms
}

/// Plain text of a rendered body: headings apart, the rest as running text.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct BodyText {
    /// Text of every `<h1>`–`<h6>`, in order.
    pub headings: Vec<String>,
    /// Everything else; block boundaries become line breaks, other whitespace one space.
    pub body: String,
}

/// Whether elements named `name` (lower case) have boundaries that separate words, as a
/// browser's `innerText` would. A `match` rather than a list to search: it runs at every tag.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "li"
            | "ul"
            | "ol"
            | "dl"
            | "dt"
            | "dd"
            | "blockquote"
            | "pre"
            | "table"
            | "thead"
            | "tbody"
            | "tfoot"
            | "tr"
            | "td"
            | "th"
            | "caption"
            | "br"
            | "hr"
            | "figure"
            | "figcaption"
            | "section"
            | "article"
            | "aside"
            | "header"
            | "footer"
            | "nav"
            | "details"
            | "summary"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "video"
            | "audio"
            | "iframe"
    )
}

/// Elements whose content is no text a reader sees.
const RAW_TEXT: [&str; 3] = ["script", "style", "template"];

/// The longest element name [`body_text`] tells apart (`blockquote`, `figcaption`).
const LONGEST_NAME: usize = 10;

/// Extracts the text of body HTML as a reader sees it: no markup, entities decoded, the text of
/// `<script>`, `<style>` and `<template>` left out, headings collected apart.
pub fn body_text(html: &str) -> BodyText {
    let mut out = BodyText::default();
    let mut heading: Option<String> = None;
    // Inside `<script>`, `<style>` or `<template>`: the name of the element to close.
    let mut skip_until: Option<&str> = None;
    let mut rest = html;
    while !rest.is_empty() {
        let lt = rest.find('<').unwrap_or(rest.len());
        if lt > 0 && skip_until.is_none() {
            let text = decode_entities(&rest[..lt]);
            push_text(heading.as_mut().unwrap_or(&mut out.body), &text);
        }
        rest = &rest[lt..];
        if rest.is_empty() {
            break;
        }
        // A comment, a tag, or a lone `<`.
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |e| &after[e + 3..]);
            continue;
        }
        let end = match rest.find('>') {
            Some(e) => e,
            None => {
                if skip_until.is_none() {
                    push_text(heading.as_mut().unwrap_or(&mut out.body), rest);
                }
                break;
            }
        };
        let tag = &rest[1..end];
        rest = &rest[end + 1..];
        let closing = tag.starts_with('/');
        let raw = tag.trim_start_matches('/');
        // The name in lower case, on the stack: longer names are none of those told apart,
        // and stand for themselves as an empty name.
        let len = raw.bytes().take_while(u8::is_ascii_alphanumeric).count();
        if len == 0 {
            continue;
        }
        let mut lower = [0u8; LONGEST_NAME];
        let name = match lower.get_mut(..len) {
            Some(name) => {
                for (l, b) in name.iter_mut().zip(raw.bytes()) {
                    *l = b.to_ascii_lowercase();
                }
                std::str::from_utf8(name).unwrap_or("")
            }
            None => "",
        };
        if let Some(waiting) = &skip_until {
            if closing && *waiting == name {
                skip_until = None;
            }
            continue;
        }
        match name {
            "script" | "style" | "template" if !closing => {
                skip_until = RAW_TEXT.into_iter().find(|&n| n == name);
            }
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                if closing {
                    if let Some(h) = heading.take() {
                        let h = h.trim().to_string();
                        if !h.is_empty() {
                            out.headings.push(h);
                        }
                    }
                } else {
                    heading = Some(String::new());
                }
                push_break(&mut out.body);
            }
            n if is_block(n) => push_break(heading.as_mut().unwrap_or(&mut out.body)),
            _ => {}
        }
    }
    let trimmed = out.body.trim_matches(is_space);
    if trimmed.len() != out.body.len() {
        out.body = trimmed.to_string();
    }
    out
}

/// Appends text, collapsing any run of whitespace into one space (or keeping a line break).
fn push_text(out: &mut String, text: &str) {
    // Whole runs between spaces are copied at once: a page's text is mostly such runs.
    let mut rest = text;
    while let Some((space, next)) = find_space(rest) {
        out.push_str(&rest[..space]);
        if !out.is_empty() && !out.ends_with(is_space) {
            out.push(' ');
        }
        rest = &rest[next..];
    }
    out.push_str(rest);
}

/// Where the first whitespace character of `s` starts and ends. Characters are stepped over by
/// their first byte, and only those that can be whitespace (see [`is_space`]) are decoded: in
/// Chinese text nearly none.
fn find_space(s: &str) -> Option<(usize, usize)> {
    let bytes = s.as_bytes();
    let mut at = 0;
    while let Some(&b) = bytes.get(at) {
        at += match b {
            b'\t'..=b'\r' | b' ' => return Some((at, at + 1)),
            0..=0x7f => 1,
            // U+4000 and up: no whitespace.
            0xe4..=0xef => 3,
            0xf0.. => 4,
            // U+0080–U+3FFF.
            _ => {
                let c = s[at..].chars().next()?;
                if is_space(c) {
                    return Some((at, at + c.len_utf8()));
                }
                c.len_utf8()
            }
        };
    }
    None
}

fn push_break(out: &mut String) {
    if out.ends_with(' ') {
        out.pop();
    }
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

/// Decodes the character references HTML text may hold.
fn decode_entities(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('&') {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let semi = rest.bytes().take(12).position(|b| b == b';');
        let decoded = semi.and_then(|e| {
            let name = &rest[1..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                "ldquo" => Some('“'),
                "rdquo" => Some('”'),
                "lsquo" => Some('‘'),
                "rsquo" => Some('’'),
                "mdash" => Some('—'),
                "hellip" => Some('…'),
                "middot" => Some('·'),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Normalises `text` onto `out` and reports, for every cluster, its byte offset in `text`
    /// and the position (in characters) where its normalised form starts. Returns the number
    /// of characters written.
    fn normalize_mapped(
        text: &str,
        fold: bool,
        out: &mut Vec<u16>,
        mut at: impl FnMut(usize, usize),
    ) -> usize {
        let mut n = Normaliser::new(text, fold);
        while !n.done() {
            at(n.at, n.emitted);
            n.run(out, n.at + 1, usize::MAX);
        }
        n.emitted
    }

    /// The definition the fast path must agree with: split before every character that is not
    /// a combining mark, then NFKC, lower case and fold each piece.
    fn normalize_by_definition(text: &str, fold: bool) -> String {
        let mut pieces: Vec<String> = Vec::new();
        for c in text.chars() {
            match pieces.last_mut() {
                Some(p) if is_combining_mark(c) => p.push(c),
                _ => pieces.push(c.to_string()),
            }
        }
        let mut out = String::new();
        for p in pieces {
            for n in p.nfkc() {
                for l in n.to_lowercase() {
                    out.push(if fold { fold_char(l) } else { l });
                }
            }
        }
        out
    }

    proptest! {
        #[test]
        fn fast_path_agrees_with_the_definition(
            chars in proptest::collection::vec(proptest::sample::select(vec![
                'a', 'Z', ' ', '\u{3000}', '，', '。', 'Ａ', '①', '㈱', 'ﬁ', 'İ', 'É', 'e',
                '\u{301}', '\u{308}', '\u{20dd}', '國', '党', '丽', '\u{2f800}', '\u{ff9e}', 'ｶ',
                '\u{1100}', '\u{1161}', 'Σ', 'ß', '\u{fe0f}', '\u{200d}', '\u{3099}', '\u{302a}', 'か',
            ]), 0..40),
            fold in any::<bool>(),
        ) {
            let text: String = chars.into_iter().collect();
            prop_assert_eq!(normalize(&text, fold), normalize_by_definition(&text, fold));
            let mut mapped = Vec::new();
            normalize_mapped(&text, fold, &mut mapped, |_, _| {});
            prop_assert_eq!(String::from_utf16(&mapped).unwrap(), normalize(&text, fold));
        }
    }

    #[test]
    fn width_and_case_fold() {
        assert_eq!(normalize("ＡＢＣ１２３", false), "abc123");
        assert_eq!(normalize("GDP增长", false), "gdp增长");
        assert_eq!(normalize("第一，", false), "第一,");
        assert_eq!(normalize("①", false), "1");
        // Compatibility ideographs and radicals become the unified ones.
        assert_eq!(normalize("\u{2f08}", false), "人");
        // A combining mark composes with its base.
        assert_eq!(normalize("e\u{301}", false), "é");
        assert_eq!(normalize("É", false), "é");
        // Lowercasing has no context rules: a final sigma is an ordinary sigma.
        assert_eq!(normalize("ΟΔΟΣ", false), "οδοσ");
        assert_eq!(normalize("\u{3000}", false), " ");
    }

    #[test]
    fn traditional_fold_is_optional_and_one_to_one() {
        assert_eq!(normalize("中國共產黨", false), "中國共產黨");
        assert_eq!(normalize("中國共產黨", true), "中国共产党");
        // Ambiguous characters are never folded.
        assert_eq!(normalize("發髮後乾", true), "發髮後乾");
        let pairs = fold_pairs();
        let mut from: Vec<char> = pairs.iter().map(|p| p.0).collect();
        let mut to: Vec<char> = pairs.iter().map(|p| p.1).collect();
        from.sort_unstable();
        to.sort_unstable();
        let n = pairs.len();
        from.dedup();
        to.dedup();
        assert_eq!((from.len(), to.len()), (n, n), "one-to-one");
        assert!(pairs.iter().all(|(t, s)| t != s));
    }

    #[test]
    fn query_terms_split_at_any_space() {
        assert_eq!(
            query_terms(" 党建\u{3000}品牌  党建 ", false),
            vec!["党建", "品牌"]
        );
        assert!(query_terms("   ", false).is_empty());
    }

    #[test]
    fn mapped_normalisation_reports_cluster_starts() {
        let mut out = Vec::new();
        let mut at = Vec::new();
        let n = normalize_mapped("a①e\u{301}㍻", false, &mut out, |o, p| at.push((o, p)));
        assert_eq!(String::from_utf16(&out).unwrap(), "a1é平成");
        assert_eq!(n, 5);
        assert_eq!(at, vec![(0, 0), (1, 1), (4, 2), (7, 3)]);
    }

    #[test]
    fn every_lone_character_normalises_as_by_definition() {
        for c in ('\0'..='\u{ffff}').chain('\u{1d400}'..='\u{1d40f}') {
            for fold in [false, true] {
                let s = c.to_string();
                assert_eq!(
                    normalize(&s, fold),
                    normalize_by_definition(&s, fold),
                    "{c:?}"
                );
            }
        }
    }

    #[test]
    fn space_scan_sees_every_space() {
        for c in '\0'..=char::MAX {
            let s = c.to_string();
            let found = is_space(c).then_some((0, s.len()));
            assert_eq!(find_space(&s), found, "{c:?}");
            assert_eq!(is_space(c), c.is_whitespace(), "{c:?}");
        }
        let mut out = String::new();
        push_text(&mut out, " 党建\u{3000}、品牌 \u{a0}\n x。");
        assert_eq!(out, "党建 、品牌 x。");
    }

    #[test]
    fn mark_shortcut_agrees_with_the_table() {
        for c in ('\0'..='\u{ffff}').chain('\u{20000}'..='\u{2000f}') {
            assert_eq!(
                is_mark_code(c as u32, bmp_marks()),
                is_combining_mark(c),
                "{c:?}"
            );
        }
    }

    #[test]
    fn body_text_reads_like_a_browser() {
        let t = body_text(
            "<h2 id=\"x\">一、坚持<em>问题</em>导向</h2>\n<p>正文&lt;script&gt;第一段<strong>加粗</strong>。</p><script>var x=1;</script>\
             <ul><li>甲</li><li>乙</li></ul><pre><code>fn  main()</code></pre><!-- more --><p>A&amp;B&#x4e2d;</p>",
        );
        assert_eq!(t.headings, vec!["一、坚持问题导向"]);
        assert_eq!(t.body, "正文<script>第一段加粗。\n甲\n乙\nfn main()\nA&B中");
    }
}

//! Personal data in page text: ID numbers, mobile numbers, bank card numbers.
//!
//! A page that publishes a member's ID number or phone number is a serious incident, so these
//! rules are errors by default. To keep false alarms rare, a number is reported only when it is
//! really one of these: an ID number needs a valid checksum (ISO 7064 MOD 11-2) and a real birth
//! date, a card number must pass the Luhn check, and none of them may be part of a longer number.
//!
//! What counts as a number:
//! - digits are ASCII `0-9` or full-width `０-９`;
//! - written solid (`13800138000`), a number is a maximal run of digits (for an ID number the
//!   last character may be `X`/`x`): a run of 20 digits contains no 11-digit phone number;
//! - written in groups with one kind of separator (a space or a hyphen), the whole chain of groups
//!   must have a known shape: mobile `138 0013 8000` (3-4-4), ID number `110105 19900307 1234`
//!   (6-8-4), card `6222 0213 4567 8903` (groups of 4, the last one 1–4 digits, 16–19 digits in
//!   all). A chain of another shape (a date `2026-11-05`, a landline `010-12345678`) is not
//!   reported;
//! - `+8613800138000` is a mobile number with its country code.
//!
//! An 18-digit number that is a valid ID number is reported as `id-number` only, even when it
//! also passes the Luhn check.

use crate::check::text::Found;
use crate::diagnostic::Severity;

/// Rule id: 18-digit mainland ID numbers (checksum and birth date valid).
pub const ID_NUMBER: &str = "id-number";
/// Rule id: mainland mobile numbers.
pub const MOBILE: &str = "mobile";
/// Rule id: bank card numbers (Luhn).
pub const BANK_CARD: &str = "bank-card";

/// The digit character (ASCII or full-width `０-９`, U+FF10–U+FF19, in UTF-8 `EF BC 90`–`EF BC
/// 99`) starting at byte `i`, if there is one: its value and its length in bytes.
fn digit_at(b: &[u8], i: usize) -> Option<(u8, usize)> {
    match b.get(i..)? {
        [c @ b'0'..=b'9', ..] => Some((c - b'0', 1)),
        [0xEF, 0xBC, c @ 0x90..=0x99, ..] => Some((c - 0x90, 3)),
        _ => None,
    }
}

/// The length in bytes of an `X`, `x`, `Ｘ` or `ｘ` (a check character) at byte `i`, if any.
fn x_at(b: &[u8], i: usize) -> Option<usize> {
    match b.get(i..)? {
        [b'X' | b'x', ..] => Some(1),
        [0xEF, 0xBC, 0xB8, ..] | [0xEF, 0xBD, 0x98, ..] => Some(3),
        _ => None,
    }
}

/// A maximal run of digits in the text.
#[derive(Debug, Clone)]
struct Run {
    start: usize,
    end: usize,
    digits: Vec<u8>,
    /// Byte range of a trailing `X`/`x` directly after the digits, if any.
    x_end: Option<usize>,
}

/// Scans `text` (code, URLs and front matter keys already blanked) for personal data.
///
/// One pass over the characters collects the digit runs; each run and each chain of grouped
/// runs is then classified.
pub(crate) fn scan(text: &str) -> Vec<Found> {
    let runs = digit_runs(text);
    let mut found = Vec::new();
    let mut i = 0;
    while i < runs.len() {
        // The chain of runs joined by one separator of a single kind (space or hyphen).
        let mut j = i;
        let mut sep: Option<u8> = None;
        while j + 1 < runs.len() && runs[j].x_end.is_none() {
            let gap = &text.as_bytes()[runs[j].end..runs[j + 1].start];
            let ok =
                gap.len() == 1 && matches!(gap[0], b' ' | b'-') && sep.is_none_or(|s| s == gap[0]);
            if !ok {
                break;
            }
            sep = Some(gap[0]);
            j += 1;
        }
        if j > i {
            if let Some(f) = classify_chain(&runs[i..=j]) {
                found.push(f);
            }
        } else if let Some(f) = classify_solid(text, &runs[i]) {
            found.push(f);
        }
        i = j + 1;
    }
    found
}

/// Every maximal digit run, with a directly following `X`/`x` noted.
///
/// Works on bytes, as every page goes through here: a digit starts with an ASCII digit or
/// `0xEF`, bytes that never occur inside another character, so all others are skipped without
/// decoding them.
fn digit_runs(text: &str) -> Vec<Run> {
    let b = text.as_bytes();
    let mut runs: Vec<Run> = Vec::new();
    let mut i = 0;
    while let Some(at) = crate::scan::first_byte(&b[i..], |c| c.is_ascii_digit() | (c == 0xEF)) {
        i += at;
        let Some((d, len)) = digit_at(b, i) else {
            i += 1;
            continue;
        };
        let mut run = Run {
            start: i,
            end: i + len,
            digits: vec![d],
            x_end: None,
        };
        while let Some((d, len)) = digit_at(b, run.end) {
            run.digits.push(d);
            run.end += len;
        }
        run.x_end = x_at(b, run.end).map(|len| run.end + len);
        i = run.end;
        runs.push(run);
    }
    runs
}

/// Whether the character after byte `end` continues a word (so the `X` is not a check digit).
fn word_char_at(text: &str, end: usize) -> bool {
    text[end..]
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A run written without separators.
fn classify_solid(text: &str, run: &Run) -> Option<Found> {
    let d = &run.digits;
    // ID number: 17 digits + X, or 18 digits.
    if let Some(x_end) = run.x_end {
        if d.len() == 17 && !word_char_at(text, x_end) && id_valid(d, 10) {
            return Some(id_found(run.start, x_end, d, true));
        }
        // Digits followed by a letter: not one of our numbers.
        return None;
    }
    if d.len() == 18 && id_valid(&d[..17], d[17]) {
        return Some(id_found(run.start, run.end, d, false));
    }
    if d.len() == 11 && is_mobile(d) {
        return Some(mobile_found(run.start, run.end, d));
    }
    if d.len() == 13 && d[..2] == [8, 6] && is_mobile(&d[2..]) && text[..run.start].ends_with('+') {
        return Some(mobile_found(run.start - 1, run.end, &d[2..]));
    }
    if (16..=19).contains(&d.len()) && d[0] != 0 && luhn(d) {
        return Some(card_found(run.start, run.end, d));
    }
    None
}

/// A chain of runs joined by single separators of one kind.
fn classify_chain(runs: &[Run]) -> Option<Found> {
    let lens: Vec<usize> = runs.iter().map(|r| r.digits.len()).collect();
    let digits: Vec<u8> = runs.iter().flat_map(|r| r.digits.iter().copied()).collect();
    let (start, end) = (runs[0].start, runs[runs.len() - 1].end);
    if lens == [3, 4, 4] && is_mobile(&digits) {
        return Some(mobile_found(start, end, &digits));
    }
    if lens == [6, 8, 4] && id_valid(&digits[..17], digits[17]) {
        return Some(id_found(start, end, &digits, false));
    }
    if lens[..lens.len() - 1].iter().all(|&l| l == 4)
        && (16..=19).contains(&digits.len())
        && digits[0] != 0
        && luhn(&digits)
    {
        return Some(card_found(start, end, &digits));
    }
    None
}

/// `1[3-9]` followed by nine more digits.
fn is_mobile(d: &[u8]) -> bool {
    d.len() == 11 && d[0] == 1 && (3..=9).contains(&d[1])
}

/// ISO 7064 MOD 11-2 over the first 17 digits, and a plausible birth date (digits 7–14).
/// `check` is the 18th character's value, 10 for `X`.
pub(crate) fn id_valid(first17: &[u8], check: u8) -> bool {
    if first17.len() != 17 || first17[0] == 0 || id_check(first17) != check {
        return false;
    }
    let num =
        |r: std::ops::Range<usize>| first17[r].iter().fold(0u32, |acc, &d| acc * 10 + d as u32);
    plausible_date(num(6..10), num(10..12), num(12..14))
}

/// The ISO 7064 MOD 11-2 check character of 17 digits (10 stands for `X`).
fn id_check(first17: &[u8]) -> u8 {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: [u8; 11] = [1, 0, 10, 9, 8, 7, 6, 5, 4, 3, 2];
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(&d, w)| d as u32 * w)
        .sum();
    CHECK[(sum % 11) as usize]
}

/// A real calendar date between 1900 and 2099.
fn plausible_date(year: u32, month: u32, day: u32) -> bool {
    if !(1900..=2099).contains(&year) || !(1..=12).contains(&month) || day == 0 {
        return false;
    }
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    day <= days
}

/// The Luhn check used by card numbers.
pub(crate) fn luhn(d: &[u8]) -> bool {
    let sum: u32 = d
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &x)| {
            let x = x as u32;
            if i % 2 == 1 {
                let y = x * 2;
                if y > 9 {
                    y - 9
                } else {
                    y
                }
            } else {
                x
            }
        })
        .sum();
    sum % 10 == 0
}

/// Digits as text, with the middle hidden so reports do not spread the data further.
fn hidden(d: &[u8], keep_front: usize, keep_back: usize, x: bool) -> String {
    let mut s = String::new();
    for (i, &v) in d.iter().enumerate() {
        if i < keep_front || i + keep_back >= d.len() + usize::from(x) {
            s.push((b'0' + v) as char);
        } else {
            s.push('*');
        }
    }
    if x {
        s.push('X');
    }
    s
}

fn id_found(start: usize, end: usize, d: &[u8], x: bool) -> Found {
    Found {
        rule: ID_NUMBER,
        start,
        end,
        severity: Severity::Error,
        message: format!(
            "发现身份证号码“{}”：公开发布的页面不得包含个人身份证号，请删除",
            hidden(d, 6, 4, x)
        ),
    }
}

fn mobile_found(start: usize, end: usize, d: &[u8]) -> Found {
    Found {
        rule: MOBILE,
        start,
        end,
        severity: Severity::Error,
        message: format!(
            "发现手机号码“{}”：公开发布的页面不得包含个人手机号，请删除，或写成办公电话",
            hidden(d, 3, 4, false)
        ),
    }
}

fn card_found(start: usize, end: usize, d: &[u8]) -> Found {
    Found {
        rule: BANK_CARD,
        start,
        end,
        severity: Severity::Error,
        message: format!(
            "发现银行卡号“{}”：公开发布的页面不得包含银行卡号，请删除",
            hidden(d, 4, 4, false)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(text: &str) -> Vec<(&'static str, &str)> {
        scan(text)
            .into_iter()
            .map(|f| (f.rule, &text[f.start..f.end]))
            .collect()
    }

    /// 17 digits with their check character appended (valid checksum, whatever the date).
    fn make_id(first17: &str) -> String {
        let d: Vec<u8> = first17.bytes().map(|b| b - b'0').collect();
        match id_check(&d) {
            10 => format!("{first17}X"),
            c => format!("{first17}{c}"),
        }
    }

    fn make_card(prefix: &str) -> String {
        (0..10)
            .map(|c| format!("{prefix}{c}"))
            .find(|s| luhn(&s.bytes().map(|b| b - b'0').collect::<Vec<_>>()))
            .unwrap()
    }

    #[test]
    fn id_numbers_need_checksum_and_date() {
        assert_eq!(
            rules("身份证号11010519491231002X。"),
            [(ID_NUMBER, "11010519491231002X")]
        );
        let id = make_id("11010519900307123");
        assert_eq!(rules(&format!("号码{id}")), [(ID_NUMBER, id.as_str())]);
        // Wrong checksum: not personal data.
        let mut bad = id.clone().into_bytes();
        bad[17] = if bad[17] == b'0' { b'1' } else { b'0' };
        let bad = String::from_utf8(bad).unwrap();
        assert!(rules(&bad).iter().all(|(r, _)| *r != ID_NUMBER));
        // Valid checksum but 13th month: not a birth date.
        let no_date = make_id("11010519901307123");
        assert!(rules(&no_date).iter().all(|(r, _)| *r != ID_NUMBER));
        // Inside a longer run.
        assert!(rules(&format!("1{id}")).is_empty() || rules(&format!("1{id}"))[0].0 != ID_NUMBER);
        // Grouped 6-8-4.
        let grouped = format!("{} {} {}", &id[..6], &id[6..14], &id[14..]);
        assert_eq!(rules(&grouped), [(ID_NUMBER, grouped.as_str())]);
    }

    #[test]
    fn mobile_numbers() {
        assert_eq!(rules("电话13800138000"), [(MOBILE, "13800138000")]);
        assert_eq!(rules("电话 138 0013 8000。"), [(MOBILE, "138 0013 8000")]);
        assert_eq!(rules("电话138-0013-8000"), [(MOBILE, "138-0013-8000")]);
        assert_eq!(rules("+8613800138000"), [(MOBILE, "+8613800138000")]);
        assert_eq!(
            rules("１３８００１３８０００"),
            [(MOBILE, "１３８００１３８０００")]
        );
        // Inside longer digit runs or of the wrong shape.
        assert!(rules("编号913800138000").is_empty());
        assert!(rules("编号1380013800012").is_empty());
        assert!(rules("12800138000").is_empty());
        assert!(rules("138-0013 8000").is_empty());
        assert!(rules("2026 138 0013 8000").is_empty());
        assert!(rules("13800138000X").is_empty());
        assert!(rules("１３８００１３８０００ｘ").is_empty());
        // Full-width punctuation shares the digits' first byte.
        assert_eq!(
            rules("，（１３８００１３８０００），"),
            [(MOBILE, "１３８００１３８０００")]
        );
        assert_eq!(
            rules("号1３8００１３８０００"),
            [(MOBILE, "1３8００１３８０００")]
        );
    }

    #[test]
    fn bank_cards() {
        let card = make_card("622202123456789012");
        assert_eq!(rules(&format!("卡号{card}")), [(BANK_CARD, card.as_str())]);
        assert_eq!(
            rules("卡号 4111 1111 1111 1111。"),
            [(BANK_CARD, "4111 1111 1111 1111")]
        );
        assert!(rules("卡号4111111111111112").is_empty());
        assert!(rules("14111111111111111").is_empty());
        assert!(rules("2026-11-05 010-12345678").is_empty());
    }

    #[test]
    fn id_number_is_not_also_a_card() {
        // Find an ID number that also passes Luhn: it is reported once, as an ID number.
        let id = (0..200)
            .map(|n| make_id(&format!("110105199003{:02}{:03}", 1 + n % 28, n)))
            .find(|id| {
                id.ends_with(|c: char| c.is_ascii_digit())
                    && luhn(&id.bytes().map(|b| b - b'0').collect::<Vec<_>>())
            })
            .expect("some ID number passes Luhn");
        assert_eq!(rules(&id), [(ID_NUMBER, id.as_str())]);
    }

    #[test]
    fn messages_hide_the_middle() {
        let f = scan("13800138000");
        assert_eq!(
            f[0].message,
            "发现手机号码“138****8000”：公开发布的页面不得包含个人手机号，请删除，或写成办公电话"
        );
        let f = scan("11010519491231002X");
        assert!(
            f[0].message
                .starts_with("发现身份证号码“110105********002X”"),
            "{}",
            f[0].message
        );
    }
}

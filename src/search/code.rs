//! The compact text encoding of postings, and the hash that picks a term's shard.
//!
//! Numbers are written as base-91 varints in printable ASCII that needs no escaping inside a
//! JavaScript string: 64 *final* digits (`#` … `b`, skipping `\`) carry the last group, 27
//! *continuation* digits (`c` … `~`) carry the lower groups first. Numbers below 64 take one
//! character, below 1,728 two, below 46,656 three.

/// The 91 digits: code points 0x23–0x7e without the backslash.
const DIGITS: &[u8; 91] =
    b"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~";
/// Final digits: the first 64.
pub const FINAL: u32 = 64;
/// Continuation digits: the other 27.
pub const CONT: u32 = 27;

/// Calls `f` with each digit of `n` as a varint, lowest group first.
fn digits(mut n: u32, mut f: impl FnMut(u8)) {
    while n >= FINAL {
        f(DIGITS[(FINAL + n % CONT) as usize]);
        n /= CONT;
    }
    f(DIGITS[n as usize]);
}

/// The varints of the numbers below `FINAL * CONT` (1,728), which take one or two digits:
/// nearly every number of the postings, a position gap for every character of every page.
/// A lookup spares them the digit loop and its division.
static SHORT: [[u8; 2]; (FINAL * CONT) as usize] = short_varints();

const fn short_varints() -> [[u8; 2]; (FINAL * CONT) as usize] {
    let mut table = [[0; 2]; (FINAL * CONT) as usize];
    let mut n = 0;
    while n < FINAL * CONT {
        table[n as usize] = if n < FINAL {
            [DIGITS[n as usize], 0]
        } else {
            [
                DIGITS[(FINAL + n % CONT) as usize],
                DIGITS[(n / CONT) as usize],
            ]
        };
        n += 1;
    }
    table
}

/// Appends `n` as a varint.
#[inline]
pub fn push_varint(out: &mut Vec<u8>, n: u32) {
    match SHORT.get(n as usize) {
        Some(&[d, _]) if n < FINAL => out.push(d),
        Some(two) => out.extend_from_slice(two),
        None => digits(n, |d| out.push(d)),
    }
}

/// Appends `n` as a varint to text (the digits are ASCII).
pub fn push_varint_str(out: &mut String, n: u32) {
    digits(n, |d| out.push(char::from(d)));
}

/// Digits of `n` as a varint.
pub fn varint_len(n: u32) -> usize {
    let mut len = 0;
    digits(n, |_| len += 1);
    len
}

/// What an ascending list holds for `n` after `prev`: the first number as is, then
/// `difference − 1` (read back with [`Reader::next_after`]).
pub fn gap(prev: Option<u32>, n: u32) -> u32 {
    prev.map_or(n, |p| n - p - 1)
}

/// Value of one digit, or `None` when `b` is not a digit.
fn digit(b: u8) -> Option<u32> {
    match b {
        0x23..=0x5b => Some(u32::from(b) - 0x23),
        0x5d..=0x7e => Some(u32::from(b) - 0x24),
        _ => None,
    }
}

/// Reads postings written with [`push_varint`].
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    bytes: &'a [u8],
    /// Next byte to read.
    pub at: usize,
}

impl<'a> Reader<'a> {
    /// Reads from the start of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, at: 0 }
    }

    /// Whether everything was read.
    pub fn done(&self) -> bool {
        self.at >= self.bytes.len()
    }

    /// The next number; panics on malformed input (the index is written by [`push_varint`]).
    pub fn varint(&mut self) -> u32 {
        let mut n: u32 = 0;
        let mut scale: u32 = 1;
        loop {
            let d = digit(self.bytes[self.at]).expect("posting digit");
            self.at += 1;
            if d >= FINAL {
                n += (d - FINAL) * scale;
                scale *= CONT;
            } else {
                return n + d * scale;
            }
        }
    }

    /// The next number of an ascending list after `prev`, written with [`gap`].
    pub fn next_after(&mut self, prev: Option<u32>) -> u32 {
        let d = self.varint();
        prev.map_or(d, |p| p + d + 1)
    }
}

/// FNV-1a over the code points of `term`, then a final mix; the client computes the same.
pub fn term_hash(term: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for c in term.chars() {
        h = (h ^ c as u32).wrapping_mul(0x0100_0193);
    }
    h ^= h >> 16;
    h = h.wrapping_mul(0x045d_9f3b);
    h ^= h >> 16;
    h
}

/// Name of shard `n` (base 36): also its file name, `search/s/<name>.js`.
pub fn shard_name(mut n: u32) -> String {
    const B36: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut s = Vec::new();
    loop {
        s.push(B36[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    s.reverse();
    String::from_utf8(s).expect("ascii")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip_and_stay_short() {
        let nums = [
            0,
            1,
            63,
            64,
            100,
            1727,
            1728,
            46_655,
            46_656,
            1 << 20,
            u32::MAX,
        ];
        let mut out = Vec::new();
        for n in nums {
            push_varint(&mut out, n);
        }
        assert!(out
            .iter()
            .all(|&b| b != b'\\' && b != b'"' && (0x23..=0x7e).contains(&b)));
        let mut r = Reader::new(&out);
        for n in nums {
            assert_eq!(r.varint(), n);
        }
        assert!(r.done());
        let len = |n| {
            let mut v = Vec::new();
            push_varint(&mut v, n);
            v.len()
        };
        assert_eq!((len(63), len(64), len(1727), len(1728)), (1, 2, 2, 3));
    }

    #[test]
    fn hash_is_stable() {
        // The same numbers are checked in the browser test against the client.
        assert_eq!(term_hash("党建"), term_hash("党建"));
        assert_ne!(term_hash("党建"), term_hash("建党"));
        assert_eq!(shard_name(0), "0");
        assert_eq!(shard_name(71), "1z");
    }
}

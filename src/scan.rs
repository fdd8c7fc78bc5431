//! Finding the first byte of interest in page text, which nearly never has one: the file
//! reader looks for control characters, the personal-data check for digits, the search index
//! for bytes JSON must escape.

/// Bytes tested together: one vector register's worth.
const BLOCK: usize = 16;

/// Offset of the first byte in `bytes` for which `hit` holds. Each block is tested whole,
/// without an early exit (which the compiler turns into vector instructions), and only a
/// block with a hit is searched; `hit` should be plain comparisons joined with `|`, not `||`.
pub(crate) fn first_byte(bytes: &[u8], hit: impl Fn(u8) -> bool) -> Option<usize> {
    let (n, block) = bytes
        .chunks(BLOCK)
        .enumerate()
        .find(|(_, block)| block.iter().fold(false, |any, &b| any | hit(b)))?;
    block.iter().position(|&b| hit(b)).map(|k| n * BLOCK + k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_first_hit_in_any_block() {
        let is_x = |b: u8| b == b'x';
        assert_eq!(first_byte(b"", is_x), None);
        assert_eq!(first_byte(b"abc", is_x), None);
        for at in [0, 1, 15, 16, 17, 40] {
            let mut bytes = vec![b'a'; 50];
            bytes[at] = b'x';
            bytes[49] = b'x';
            assert_eq!(first_byte(&bytes, is_x), Some(at));
        }
    }
}

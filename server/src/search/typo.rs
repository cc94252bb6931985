//! How far a typed term is from a word of the index: edits (insert, delete, change, or
//! swap two neighbours) counted up to a bound, over the whole word or over its best
//! prefix (for the word being typed).

/// Buffers one distance after another reuses: a search measures thousands of words.
#[derive(Default)]
pub struct Scratch {
    word: Vec<char>,
    before: Vec<usize>,
    previous: Vec<usize>,
    current: Vec<usize>,
}

/// The edits between `term` and `word` if at most `bound`; with `prefix`, between
/// `term` and the closest prefix of `word` (`paymnt` is one edit from `payme…`).
pub fn distance(
    term: &[char],
    word: &str,
    bound: usize,
    prefix: bool,
    scratch: &mut Scratch,
) -> Option<usize> {
    let Scratch {
        word: chars,
        before,
        previous,
        current,
    } = scratch;
    chars.clear();
    if prefix {
        // A prefix longer than the term by more than the bound is too far from it.
        chars.extend(word.chars().take(term.len() + bound));
        if chars.len() + bound < term.len() {
            return None;
        }
    } else {
        chars.extend(word.chars());
        if chars.len().abs_diff(term.len()) > bound {
            return None;
        }
    }
    // Rows of the edit table over the word's characters, `term` down the side: the row
    // before the previous one is kept for swaps.
    let width = chars.len() + 1;
    for row in [&mut *before, &mut *current] {
        row.clear();
        row.resize(width, 0);
    }
    previous.clear();
    previous.extend(0..width);
    for i in 1..=term.len() {
        current[0] = i;
        let mut row_best = current[0];
        for j in 1..width {
            let change = usize::from(term[i - 1] != chars[j - 1]);
            let mut cost = (previous[j - 1] + change)
                .min(previous[j] + 1)
                .min(current[j - 1] + 1);
            if i > 1 && j > 1 && term[i - 1] == chars[j - 2] && term[i - 2] == chars[j - 1] {
                cost = cost.min(before[j - 2] + 1);
            }
            current[j] = cost;
            row_best = row_best.min(cost);
        }
        if row_best > bound {
            return None;
        }
        std::mem::swap(before, previous);
        std::mem::swap(previous, current);
    }
    let found = if prefix {
        previous.iter().copied().min().unwrap_or(usize::MAX)
    } else {
        previous[width - 1]
    };
    (found <= bound).then_some(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(term: &str, word: &str, bound: usize, prefix: bool) -> Option<usize> {
        distance(
            &term.chars().collect::<Vec<_>>(),
            word,
            bound,
            prefix,
            &mut Scratch::default(),
        )
    }

    #[test]
    fn edits_are_counted_up_to_the_bound() {
        assert_eq!(d("payment", "payment", 1, false), Some(0));
        assert_eq!(
            d("paymnt", "payment", 1, false),
            Some(1),
            "a letter left out"
        );
        assert_eq!(
            d("paymnet", "payment", 1, false),
            Some(1),
            "two letters swapped"
        );
        assert_eq!(
            d("pzyment", "payment", 1, false),
            Some(1),
            "a letter changed"
        );
        assert_eq!(
            d("paymentt", "payment", 1, false),
            Some(1),
            "a letter added"
        );
        assert_eq!(d("pymnt", "payment", 1, false), None, "two edits");
        assert_eq!(d("pymnt", "payment", 2, false), Some(2));
        assert_eq!(d("ordrs", "payment", 2, false), None);
    }

    #[test]
    fn a_prefix_matches_the_closest_start_of_a_word() {
        assert_eq!(d("paym", "payments", 0, true), Some(0));
        assert_eq!(d("pamyen", "payments", 1, true), Some(1));
        assert_eq!(d("pamyen", "payments", 1, false), None);
        assert_eq!(d("invoic", "inventory", 1, true), None);
        assert_eq!(d("ünïcod", "ünïcode", 0, true), Some(0));
    }
}

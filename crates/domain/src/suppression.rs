//! Small-number suppression, so that no one can be picked out of a published count
//! (DOMAIN.md §10).
//!
//! A count from 1 to the threshold (7 by default, as NHS England publishes) is never
//! shown. Hiding it is not enough when the total is shown: with one hidden count in a
//! column the reader subtracts the others from the total and gets it back. So a column
//! that hides a small count hides more (secondary suppression), until no hidden count
//! can be worked out by a reader who knows everything but the hidden counts: the shown
//! counts, the total when it is shown, that a hidden count is at least one, and this
//! rule itself (that a small count is at most the threshold, which larger count the rule
//! hides beside it, and when it stops).
//!
//! The rule, for one column:
//!
//! 1. Every small count is hidden. When there are two or more of them, not all ones and
//!    not all at the threshold, and they add up to more than the threshold, that is all.
//!    (Two hidden small counts making 2 are both ones, and two making 14 are both 7; the
//!    sum must pass the threshold because the reader learns it, so it must not be a small
//!    count itself.)
//! 2. Otherwise the smallest shown count is hidden too. When the small counts could
//!    trade among themselves (two or more, not all ones, not all at the threshold), the
//!    first count of that size is enough; when they could not (one small count, or all
//!    ones, or all at the threshold), every count of that size is hidden.
//! 3. When there is no shown count left to hide, or the total is itself small, the total
//!    is withheld.
//!
//! Why every small count could still be another value, to that reader:
//!
//! - Small counts that can trade: move one from one of them to another. Both stay from
//!   1 to the threshold, so the same places hold small counts, with the same sum, beside
//!   the same larger counts; every step of the rule goes the same way and the column is
//!   published the same.
//! - Small counts that cannot trade: swap one of them with a hidden larger count. The
//!   small counts are the same numbers in other places, so they still cannot trade, the
//!   smallest shown count is the same, and as every count of that size is hidden, the
//!   same places are hidden (and the larger count could be the small one, too). Hiding
//!   only the first of equal counts would not do: 8, 8, 7 would publish "not shown, 8,
//!   not shown" with the total 23. The hidden counts make 15, so one is larger than 7;
//!   being the first of the smallest, it is at most 8 and comes before the 8 shown; so
//!   they are 8 and 7.
//! - A withheld total: the reader sees only where the non-zero counts are, all hidden and
//!   all at most the threshold, and all ones and all at the threshold publish alike, so
//!   each count could be either. (That is why counts all at the threshold withhold the
//!   total too: with a threshold of 3, three ones would otherwise be the only three
//!   counts to withhold it.) This needs a threshold of at least 2: with 1, a column of
//!   ones and zeros gives its ones back.
//!
//! The exhaustive test below plays this reader against every column of up to five counts
//! within a bound on their sum, and finds no hidden count, small or larger, that it can
//! work out; the property test checks longer columns by finding the other values the
//! argument names.
//!
//! Both kinds of hidden count are published alike, as "not shown": if a reader could
//! tell a small count from a larger one hidden beside it, a column of 1 and 8 with its
//! total of 9 would give both back. Zeros stay visible: hiding a zero would not stop the
//! subtraction, and a zero identifies no one.
//!
//! Reports publish every breakdown as its own column with its total, never as a
//! cross-tabulation with row and column totals: in a grid the lines constrain each other
//! and a rule applied line by line no longer guarantees that a hidden count stays hidden
//! (the property test below found such grids), so the reports are built so that it need
//! not.

/// The largest count that is never shown, unless a report sets its own.
pub const DEFAULT_THRESHOLD: u64 = 7;

/// The smallest threshold a report may set. With 1, a column of ones and zeros whose
/// total is withheld gives its ones back (see the module comment), so the rule's
/// guarantee starts at 2.
pub const LEAST_THRESHOLD: u64 = 2;

/// One published count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    Shown(u64),
    /// A count from 1 to the threshold.
    Small,
    /// A larger count hidden so that a small one cannot be worked out from the others.
    /// Published exactly like [`Cell::Small`].
    Hidden,
}

impl Cell {
    pub fn shown(self) -> Option<u64> {
        match self {
            Cell::Shown(n) => Some(n),
            _ => None,
        }
    }
}

/// A column of counts as it may be published: each cell and the total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub cells: Vec<Cell>,
    pub total: Cell,
}

fn is_small(n: u64, threshold: u64) -> bool {
    (1..=threshold).contains(&n)
}

/// Suppresses one column of counts whose total is published with it, by the rule in the
/// module comment.
pub fn suppress(counts: &[u64], threshold: u64) -> Column {
    let total: u64 = counts.iter().sum();
    let mut hidden: Vec<bool> = counts.iter().map(|&n| is_small(n, threshold)).collect();
    let small: Vec<u64> = counts
        .iter()
        .copied()
        .filter(|&n| is_small(n, threshold))
        .collect();
    let small_sum: u64 = small.iter().sum();
    // Whether one can be moved from one small count to another with both staying small,
    // which publishes the same column, so the reader cannot tell the counts apart. How
    // many they are and their sum, which the move keeps, decide it: each is from 1 to the
    // threshold, so all ones means a sum equal to how many they are, and all at the
    // threshold a sum that many times the threshold.
    let can_trade = small.len() >= 2
        && !small.iter().all(|&n| n == 1)
        && !small.iter().all(|&n| n == threshold);
    // Small counts that can trade and add up past the threshold are hidden on their own.
    let enough = small.is_empty() || (can_trade && small_sum > threshold);
    let mut total_hidden = is_small(total, threshold);
    if !total_hidden && !enough {
        // Every count left shown and not zero is above the threshold.
        match counts.iter().copied().filter(|&n| n > threshold).min() {
            Some(smallest) => {
                for (index, &n) in counts.iter().enumerate() {
                    if n == smallest {
                        hidden[index] = true;
                        // Small counts that cannot trade are swapped with a hidden
                        // larger one instead, which needs every count of this size
                        // hidden: otherwise the reader knows the hidden one is at most
                        // the equal one still shown.
                        if can_trade {
                            break;
                        }
                    }
                }
            }
            // No count above the threshold is left to hide beside the small ones, and
            // the total would narrow them down: withhold it as well.
            None => total_hidden = true,
        }
    }
    Column {
        cells: counts
            .iter()
            .zip(&hidden)
            .map(|(&n, &h)| match (h, is_small(n, threshold)) {
                (true, true) => Cell::Small,
                (true, false) => Cell::Hidden,
                (false, _) => Cell::Shown(n),
            })
            .collect(),
        total: match (total_hidden, is_small(total, threshold)) {
            (false, _) => Cell::Shown(total),
            (true, true) => Cell::Small,
            (true, false) => Cell::Hidden,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    #[test]
    fn counts_from_one_to_seven_are_not_shown_and_zero_and_eight_are() {
        let column = suppress(&[0, 1, 7, 8, 20], DEFAULT_THRESHOLD);
        assert_eq!(
            column.cells,
            vec![
                Cell::Shown(0),
                Cell::Small,
                Cell::Small,
                Cell::Shown(8),
                Cell::Shown(20)
            ]
        );
        assert_eq!(column.total, Cell::Shown(36));
    }

    #[test]
    fn a_single_small_cell_cannot_be_recovered_from_the_total() {
        let column = suppress(&[3, 0, 20, 12], DEFAULT_THRESHOLD);
        assert_eq!(
            column.cells,
            vec![Cell::Small, Cell::Shown(0), Cell::Shown(20), Cell::Hidden]
        );
        assert_eq!(column.total, Cell::Shown(35));
    }

    #[test]
    fn two_small_cells_adding_up_to_more_than_the_threshold_need_no_further_hiding() {
        let column = suppress(&[2, 6, 40], DEFAULT_THRESHOLD);
        assert_eq!(
            column.cells,
            vec![Cell::Small, Cell::Small, Cell::Shown(40)]
        );
    }

    #[test]
    fn two_ones_beside_a_shown_total_are_not_left_as_the_only_hidden_counts() {
        // Hidden 1 and 1 in a total of 32 beside 30 would add up to 2: both ones.
        let column = suppress(&[1, 1, 30], DEFAULT_THRESHOLD);
        assert_eq!(column.cells, vec![Cell::Small, Cell::Small, Cell::Hidden]);
    }

    #[test]
    fn a_small_total_is_not_shown() {
        let column = suppress(&[4, 0], DEFAULT_THRESHOLD);
        assert_eq!(column.cells, vec![Cell::Small, Cell::Shown(0)]);
        assert_eq!(column.total, Cell::Small);
        assert_eq!(suppress(&[0, 0], DEFAULT_THRESHOLD).total, Cell::Shown(0));
    }

    #[test]
    fn a_column_of_ones_withholds_its_total_too() {
        // Four hidden counts making 4 can only be four ones.
        let column = suppress(&[1, 1, 1, 1, 0], 3);
        assert!(column.cells[..4].iter().all(|c| *c == Cell::Small));
        assert_eq!(column.total, Cell::Hidden);
    }

    #[test]
    fn the_threshold_can_be_set() {
        let column = suppress(&[9, 10, 30], 9);
        assert_eq!(
            column.cells,
            vec![Cell::Small, Cell::Hidden, Cell::Shown(30)]
        );
    }

    #[test]
    fn small_counts_all_at_the_threshold_are_not_left_as_the_only_hidden_counts() {
        // Hidden counts beside a shown 8 in a total of 22 make 14, which two small
        // counts can only make as 7 and 7, so the 8 is hidden too.
        let column = suppress(&[8, 7, 7], DEFAULT_THRESHOLD);
        assert_eq!(column.cells, vec![Cell::Hidden, Cell::Small, Cell::Small]);
        assert_eq!(column.total, Cell::Shown(22));
        let column = suppress(&[7, 7, 40], DEFAULT_THRESHOLD);
        assert_eq!(column.cells, vec![Cell::Small, Cell::Small, Cell::Hidden]);
    }

    #[test]
    fn a_single_small_count_hides_every_larger_count_of_the_smallest_size() {
        // Hiding only the first 8 would publish "not shown, 8, not shown" with 23: the
        // hidden larger count is at most the 8 still shown, so it is 8 and the 7 is back.
        let column = suppress(&[8, 8, 7, 20], DEFAULT_THRESHOLD);
        assert_eq!(
            column.cells,
            vec![Cell::Hidden, Cell::Hidden, Cell::Small, Cell::Shown(20)]
        );
        assert_eq!(column.total, Cell::Shown(43));
    }

    #[test]
    fn small_counts_that_can_trade_hide_only_the_first_of_equal_larger_counts() {
        // 2 and 3 add up to only 5, so a larger count is hidden too; one is enough, as
        // one can be moved between the 2 and the 3 without changing what is published.
        let column = suppress(&[2, 3, 9, 9], DEFAULT_THRESHOLD);
        assert_eq!(
            column.cells,
            vec![Cell::Small, Cell::Small, Cell::Hidden, Cell::Shown(9)]
        );
    }

    /// A column as the reader sees it: small and secondary counts both as `None`.
    fn as_read(column: &Column) -> (Vec<Option<u64>>, Option<u64>) {
        (
            column.cells.iter().map(|c| c.shown()).collect(),
            column.total.shown(),
        )
    }

    /// Calls `f` with every column of `len` counts adding up to at most `bound`.
    fn each_column(len: usize, bound: u64, f: &mut impl FnMut(&[u64])) {
        fn fill(counts: &mut Vec<u64>, len: usize, left: u64, f: &mut impl FnMut(&[u64])) {
            if counts.len() == len {
                f(counts);
                return;
            }
            for n in 0..=left {
                counts.push(n);
                fill(counts, len, left - n, f);
                counts.pop();
            }
        }
        fill(&mut Vec::with_capacity(len), len, bound, f);
    }

    /// The reader who knows the rule, played in full: every column of up to five counts
    /// within a bound on their sum is published and grouped by what the reader sees, and
    /// no hidden count, small or larger, may be the same in every column of its group.
    /// A group whose total is shown is complete, since every column in it adds up to that
    /// total. A group whose total is withheld holds only counts up to the threshold
    /// (checked here), so it is complete when the bound reaches the threshold times the
    /// length; smaller bounds skip it.
    #[test]
    fn a_reader_who_knows_the_rule_cannot_work_out_a_hidden_count() {
        // The bounds keep the test to a few seconds unoptimised, and each reaches the
        // threshold times the length, so that withheld totals are checked too.
        let bounds = [
            (2, [40, 40, 40, 30, 20]),
            (3, [40, 40, 40, 30, 20]),
            (DEFAULT_THRESHOLD, [60, 60, 60, 40, 35]),
        ];
        for (threshold, bounds) in bounds {
            for (len, bound) in (1..).zip(bounds) {
                // For each published column: the first counts found to publish it, and
                // for each place whether another column in the group differs there.
                let mut groups: HashMap<_, (Vec<u64>, Vec<bool>)> = HashMap::new();
                each_column(len, bound, &mut |counts| {
                    let column = suppress(counts, threshold);
                    if column.total.shown().is_none() {
                        assert!(
                            counts.iter().all(|&n| n <= threshold),
                            "{counts:?} withholds its total beside a count above {threshold}"
                        );
                    }
                    let (first, differs) = groups
                        .entry(as_read(&column))
                        .or_insert_with(|| (counts.to_vec(), vec![false; len]));
                    for (place, differs) in differs.iter_mut().enumerate() {
                        *differs |= counts[place] != first[place];
                    }
                });
                let withheld_complete = len as u64 * threshold <= bound;
                for ((cells, total), (first, differs)) in &groups {
                    if total.is_none() && !withheld_complete {
                        continue;
                    }
                    for place in (0..len).filter(|&p| cells[p].is_none()) {
                        assert!(
                            differs[place],
                            "with threshold {threshold}, {first:?} publishes {cells:?} with \
                             total {total:?}, and so does no column with another count in \
                             place {place}: a reader who knows the rule gets {} back",
                            first[place]
                        );
                    }
                }
            }
        }
    }

    /// What a reader can work out from a published column: the shown counts, that each
    /// hidden count is at least one, and the total when it is shown. Whether any one
    /// hidden count could be something other than its true value.
    fn could_differ(column: &Column) -> bool {
        let hidden = column.cells.iter().filter(|c| c.shown().is_none()).count() as u64;
        match column.total.shown() {
            // Nothing to subtract from: any value from 1 upwards fits.
            None => true,
            Some(total) => {
                let shown: u64 = column.cells.iter().filter_map(|c| c.shown()).sum();
                let hidden_sum = total - shown;
                // The other hidden counts take at least one each; the target takes
                // whatever is left from 1 to hidden_sum - (hidden - 1).
                let highest = hidden_sum + 1 - hidden;
                hidden >= 2 && highest > 1
            }
        }
    }

    /// Other counts that publish the same column as `counts` but differ at `place`, found
    /// as the argument in the module comment finds them: one moved between this hidden
    /// count and another, the two swapped, or, when the total is withheld, every hidden
    /// count set to one or to the threshold. The reader who knows the rule, for columns
    /// too long to play in full.
    fn another_reading(counts: &[u64], place: usize, threshold: u64) -> Option<Vec<u64>> {
        let column = suppress(counts, threshold);
        let hidden: Vec<usize> = (0..counts.len())
            .filter(|&p| column.cells[p].shown().is_none())
            .collect();
        let mut candidates = Vec::new();
        // Hidden counts are at least one, so each can give one away.
        for &other in hidden.iter().filter(|&&p| p != place) {
            let mut swapped = counts.to_vec();
            swapped.swap(place, other);
            let mut up = counts.to_vec();
            up[place] += 1;
            up[other] -= 1;
            let mut down = counts.to_vec();
            down[place] -= 1;
            down[other] += 1;
            candidates.extend([swapped, up, down]);
        }
        if column.total.shown().is_none() {
            for value in [1, threshold] {
                let mut all = counts.to_vec();
                for &p in &hidden {
                    all[p] = value;
                }
                candidates.push(all);
            }
        }
        let seen = as_read(&column);
        candidates.into_iter().find(|other| {
            other[place] != counts[place] && as_read(&suppress(other, threshold)) == seen
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// No published column lets a small count be worked out: for every count from 1
        /// to the threshold, another value fits the shown counts and the total, and other
        /// counts publishing the same column have another value there, so a reader who
        /// knows the rule cannot pin it either. Counts from 8 to 10 come often, so that
        /// equal larger counts do.
        #[test]
        fn no_small_count_can_be_recomputed_from_a_published_column(
            counts in proptest::collection::vec(
                prop_oneof![Just(0u64), 1u64..=7, 8u64..=10, 8u64..=40],
                1..=8,
            ),
            threshold in prop_oneof![Just(3u64), Just(7u64)],
        ) {
            let column = suppress(&counts, threshold);
            for (index, &n) in counts.iter().enumerate() {
                if is_small(n, threshold) {
                    prop_assert_eq!(column.cells[index], Cell::Small);
                    prop_assert!(could_differ(&column), "{:?} gives back {}", counts, index);
                    prop_assert!(
                        another_reading(&counts, index, threshold).is_some(),
                        "{:?} gives back {} to a reader who knows the rule",
                        counts,
                        index
                    );
                }
                if n == 0 {
                    prop_assert_eq!(column.cells[index], Cell::Shown(0));
                }
            }
            let shown: u64 = column.cells.iter().filter_map(|c| c.shown()).sum();
            if let Some(total) = column.total.shown() {
                prop_assert_eq!(total, counts.iter().sum::<u64>());
                prop_assert!(shown <= total);
            }
        }
    }
}

//! Small-number suppression, so that no one can be picked out of a published count
//! (DOMAIN.md §10).
//!
//! A count from 1 to the threshold (7 by default, as NHS England publishes) is never
//! shown. Hiding it is not enough when the total is shown: with one hidden cell the
//! reader subtracts the others from the total and gets it back. So when a column has
//! exactly one hidden cell, the next smallest count in that column is hidden as well
//! (secondary suppression). Zeros stay visible: hiding a zero beside a hidden cell would
//! not stop the subtraction.

/// The largest count that is never shown, unless a report sets its own.
pub const DEFAULT_THRESHOLD: u64 = 7;

/// One published count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    Shown(u64),
    /// A count from 1 to the threshold: shown as "fewer than `threshold + 1`".
    Small,
    /// A larger count hidden so that a small one cannot be worked out from the total.
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

/// Suppresses one column of counts whose total is published with it.
pub fn suppress(counts: &[u64], threshold: u64) -> Column {
    let small = |n: u64| (1..=threshold).contains(&n);
    let mut cells: Vec<Cell> = counts
        .iter()
        .map(|&n| {
            if small(n) {
                Cell::Small
            } else {
                Cell::Shown(n)
            }
        })
        .collect();
    let hidden = cells.iter().filter(|c| **c == Cell::Small).count();
    if hidden == 1 {
        // The smallest other non-zero count goes too; with none, the one small cell is
        // the whole total, which is then small itself and hidden below.
        let next = counts
            .iter()
            .enumerate()
            .filter(|(i, n)| **n > 0 && cells[*i] != Cell::Small)
            .min_by_key(|(_, n)| **n)
            .map(|(i, _)| i);
        if let Some(index) = next {
            cells[index] = Cell::Hidden;
        }
    }
    let sum: u64 = counts.iter().sum();
    Column {
        cells,
        total: if small(sum) {
            Cell::Small
        } else {
            Cell::Shown(sum)
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        // What is shown no longer adds up to any single hidden value.
        let shown: u64 = column.cells.iter().filter_map(|c| c.shown()).sum();
        assert_eq!(35 - shown, 3 + 12);
    }

    #[test]
    fn two_small_cells_need_no_further_hiding() {
        let column = suppress(&[2, 5, 40], DEFAULT_THRESHOLD);
        assert_eq!(
            column.cells,
            vec![Cell::Small, Cell::Small, Cell::Shown(40)]
        );
    }

    #[test]
    fn a_small_total_is_not_shown() {
        let column = suppress(&[4, 0], DEFAULT_THRESHOLD);
        assert_eq!(column.cells, vec![Cell::Small, Cell::Shown(0)]);
        assert_eq!(column.total, Cell::Small);
        assert_eq!(suppress(&[0, 0], DEFAULT_THRESHOLD).total, Cell::Shown(0));
    }

    #[test]
    fn the_threshold_can_be_set() {
        let column = suppress(&[9, 10, 30], 9);
        assert_eq!(
            column.cells,
            vec![Cell::Small, Cell::Hidden, Cell::Shown(30)]
        );
    }
}

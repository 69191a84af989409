//! What every measurement reports, in the one line `bench/run` reads.

use std::fmt::Write;

/// The outcome of one timed run: how many operations succeeded, over how long, how many
/// failed, and the latency of each success when it was measured one by one.
#[derive(Debug, Default)]
pub struct Summary {
    pub operations: u64,
    pub seconds: f64,
    pub errors: u64,
    pub latencies_us: Vec<u64>,
}

impl Summary {
    pub fn rate(&self) -> f64 {
        if self.seconds > 0.0 {
            self.operations as f64 / self.seconds
        } else {
            0.0
        }
    }

    /// The line `bench/run` parses: `BENCH key=value …`, latencies in milliseconds.
    /// Latencies are left out when they were not measured (a tight loop of pure
    /// function calls is timed as a whole, since timing each call would cost more than
    /// the call itself).
    pub fn line(mut self) -> String {
        let mut line = format!(
            "BENCH requests={} seconds={:.3} rate={:.3} errors={}",
            self.operations,
            self.seconds,
            self.rate(),
            self.errors
        );
        if !self.latencies_us.is_empty() {
            self.latencies_us.sort_unstable();
            for p in [50.0, 95.0, 99.0] {
                let value = percentile(&self.latencies_us, p) as f64 / 1000.0;
                let _ = write!(line, " p{}_ms={value:.3}", p as u32);
            }
        }
        line
    }
}

/// The nearest-rank percentile of sorted values: the smallest value that at least `p`
/// per cent of the values do not exceed.
pub fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let values: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&values, 50.0), 50);
        assert_eq!(percentile(&values, 95.0), 95);
        assert_eq!(percentile(&values, 99.0), 99);
        assert_eq!(percentile(&values, 100.0), 100);
        assert_eq!(percentile(&[7], 99.0), 7);
        assert_eq!(percentile(&[], 50.0), 0);
    }

    #[test]
    fn the_line_names_latencies_only_when_measured() {
        let timed_as_a_whole = Summary {
            operations: 10,
            seconds: 2.0,
            ..Summary::default()
        };
        assert_eq!(
            timed_as_a_whole.line(),
            "BENCH requests=10 seconds=2.000 rate=5.000 errors=0"
        );
        let one_by_one = Summary {
            operations: 2,
            seconds: 1.0,
            errors: 1,
            latencies_us: vec![3000, 1000],
        };
        assert_eq!(
            one_by_one.line(),
            "BENCH requests=2 seconds=1.000 rate=2.000 errors=1 p50_ms=1.000 p95_ms=3.000 p99_ms=3.000"
        );
    }
}

//! The sampling plan and the summary of a set of samples.
//!
//! Invariant: a [`Summary`] is never built from zero samples, so its median and
//! minimum always exist; warm-up runs are never part of it.

use std::time::{Duration, Instant};

/// How many times to run a workload: warm-up runs (discarded), then samples until
/// either `max_samples` are taken or `budget` of wall time has been spent on
/// samples, but never fewer than `min_samples`.
///
/// # Examples
///
/// ```
/// use weft_benches::Plan;
///
/// assert!(Plan::quick().max_samples < Plan::full().max_samples);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// Runs before sampling starts, to fault in memory and fill caches and pools.
    pub warmup: usize,
    /// Fewest samples taken, whatever the budget.
    pub min_samples: usize,
    /// Most samples taken.
    pub max_samples: usize,
    /// Wall time after which no new sample is started once `min_samples` exist.
    pub budget: Duration,
}

impl Plan {
    /// The plan of a real run: 2 warm-ups, then 5 to 15 samples within about 2 s.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(weft_benches::Plan::full().max_samples, 15);
    /// ```
    pub fn full() -> Plan {
        Plan {
            warmup: 2,
            min_samples: 5,
            max_samples: 15,
            budget: Duration::from_secs(2),
        }
    }

    /// The plan of a check run under `cargo test`: one run, no warm-up.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(weft_benches::Plan::once().max_samples, 1);
    /// ```
    pub fn once() -> Plan {
        Plan {
            warmup: 0,
            min_samples: 1,
            max_samples: 1,
            budget: Duration::ZERO,
        }
    }

    /// The plan of a `--quick` smoke run: 1 warm-up and at most 3 samples.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(weft_benches::Plan::quick().warmup, 1);
    /// ```
    pub fn quick() -> Plan {
        Plan {
            warmup: 1,
            min_samples: 1,
            max_samples: 3,
            budget: Duration::from_millis(300),
        }
    }
}

/// Runs `sample` according to `plan` and summarises what it returned. Each call of
/// `sample` runs the workload once and returns the time it measured itself (so it
/// can leave setup and teardown out of the figure).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use weft_benches::{Plan, measure};
///
/// let mut runs = 0;
/// let summary = measure(&Plan::quick(), || {
///     runs += 1;
///     Duration::from_micros(runs)
/// });
/// // The warm-up run (1 µs) is discarded.
/// assert_eq!(summary.min, 2e-6);
/// assert_eq!(summary.samples + 1, runs as usize);
/// ```
pub fn measure(plan: &Plan, mut sample: impl FnMut() -> Duration) -> Summary {
    for _ in 0..plan.warmup {
        sample();
    }
    let started = Instant::now();
    let mut values = Vec::with_capacity(plan.max_samples);
    while values.len() < plan.max_samples.max(1)
        && (values.len() < plan.min_samples.max(1) || started.elapsed() < plan.budget)
    {
        values.push(sample().as_secs_f64());
    }
    Summary::from_values(values).expect("the loop takes at least one sample")
}

/// The median and minimum of a non-empty set of samples (seconds, or bytes per task
/// for memory probes).
///
/// # Examples
///
/// ```
/// use weft_benches::Summary;
///
/// let s = Summary::from_values(vec![3.0, 1.0, 2.0, 10.0]).unwrap();
/// assert_eq!((s.median, s.min, s.samples), (2.5, 1.0, 4));
/// assert!(Summary::from_values(vec![]).is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// The median sample (mean of the two middle ones for an even count).
    pub median: f64,
    /// The smallest sample.
    pub min: f64,
    /// How many samples were taken.
    pub samples: usize,
}

impl Summary {
    /// Summarises `values`; `None` when there are none (or one is NaN).
    ///
    /// # Examples
    ///
    /// ```
    /// let s = weft_benches::Summary::from_values(vec![5.0]).unwrap();
    /// assert_eq!(s.median, 5.0);
    /// ```
    pub fn from_values(mut values: Vec<f64>) -> Option<Summary> {
        if values.is_empty() || values.iter().any(|v| v.is_nan()) {
            return None;
        }
        values.sort_by(f64::total_cmp);
        let n = values.len();
        let median = if n % 2 == 1 {
            values[n / 2]
        } else {
            (values[n / 2 - 1] + values[n / 2]) / 2.0
        };
        Some(Summary {
            median,
            min: values[0],
            samples: n,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stops_at_max_samples() {
        let plan = Plan {
            warmup: 0,
            min_samples: 1,
            max_samples: 4,
            budget: Duration::from_secs(3600),
        };
        let mut runs = 0;
        let s = measure(&plan, || {
            runs += 1;
            Duration::ZERO
        });
        assert_eq!((s.samples, runs), (4, 4));
    }

    #[test]
    fn spent_budget_still_takes_min_samples() {
        let plan = Plan {
            warmup: 1,
            min_samples: 3,
            max_samples: 10,
            budget: Duration::ZERO,
        };
        let s = measure(&plan, || Duration::from_millis(1));
        assert_eq!(s.samples, 3);
        assert_eq!(s.median, 0.001);
    }

    #[test]
    fn nan_is_refused() {
        assert!(Summary::from_values(vec![1.0, f64::NAN]).is_none());
    }
}

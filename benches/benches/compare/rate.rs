//! Throughput notes: for workloads whose natural figure is a rate (round trips/s,
//! bytes/s), the rate each runtime's median time implies, printed under the table
//! and listed in the Markdown report's notes.
//!
//! Invariant: a rate is derived only from a measured median (the amount of work
//! one run does, divided by that median); the table itself stays in time, so the
//! ratios and verdicts are unchanged by this note.

use weft_benches::{Row, Summary};

/// How much work one run of a workload does, in the unit its rate is quoted in.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rate {
    /// Work per run, e.g. 100 000 round trips or 268 435 456 bytes.
    pub(crate) per_run: f64,
    /// The unit of the rate, e.g. "round trips/s" or "B/s" (given an SI prefix).
    pub(crate) unit: &'static str,
}

impl Rate {
    /// `"NAME: weft 1.23 GB/s, tokio …, smol …"`, from each side's median.
    pub(crate) fn note(&self, row: &Row) -> String {
        let side = |runtime: &str, cell: &Result<Summary, String>| match cell {
            Ok(summary) if summary.median > 0.0 => {
                format!("{runtime} {}", si(self.per_run / summary.median, self.unit))
            }
            _ => format!("{runtime} n/a"),
        };
        format!(
            "{} throughput (work per run ÷ median): {}, {}, {}",
            row.name,
            side("weft", &row.weft),
            side("tokio", &row.tokio),
            side("smol", &row.smol)
        )
    }
}

/// `value` with three significant digits and an SI prefix (k, M, G) before `unit`.
fn si(value: f64, unit: &str) -> String {
    let (scaled, prefix) = if value >= 1e9 {
        (value / 1e9, "G")
    } else if value >= 1e6 {
        (value / 1e6, "M")
    } else if value >= 1e3 {
        (value / 1e3, "k")
    } else {
        (value, "")
    };
    let decimals = if scaled >= 100.0 {
        0
    } else if scaled >= 10.0 {
        1
    } else {
        2
    };
    // "k" and "M" read as counts ("123 k round trips/s"), "G" fuses with "B/s".
    let gap = if prefix.is_empty() || unit.starts_with('B') {
        ""
    } else {
        " "
    };
    format!("{scaled:.decimals$} {prefix}{gap}{unit}")
}

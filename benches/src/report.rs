//! The comparison table: one row per workload, weft against the faster (or leaner)
//! of tokio and smol, rendered as aligned text for the terminal and as Markdown for
//! `BENCHMARKS.md`.
//!
//! Invariant: a ratio is only ever computed from measured medians, weft's over the
//! best peer's; a cell that was not measured says why instead of showing a number.

use std::fmt::{self, Write as _};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::Summary;

/// What a row's figures are, which decides how they print and what the goal is.
///
/// # Examples
///
/// ```
/// use weft_benches::Unit;
///
/// assert_eq!(Unit::Time.format(0.0012345), "1.23 ms");
/// assert_eq!(Unit::BytesPerTask.format(190.4), "190 B");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Seconds of wall time per run of the workload; lower is better.
    Time,
    /// Bytes of resident memory per parked task; lower is better.
    BytesPerTask,
}

impl Unit {
    /// Formats a figure in this unit with three significant digits.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(weft_benches::Unit::Time.format(2.5e-7), "250 ns");
    /// ```
    pub fn format(self, value: f64) -> String {
        match self {
            Unit::BytesPerTask => format!("{value:.0} B"),
            Unit::Time => {
                let (scaled, unit) = if value >= 1.0 {
                    (value, "s")
                } else if value >= 1e-3 {
                    (value * 1e3, "ms")
                } else if value >= 1e-6 {
                    (value * 1e6, "µs")
                } else {
                    (value * 1e9, "ns")
                };
                let decimals = if scaled >= 100.0 {
                    0
                } else if scaled >= 10.0 {
                    1
                } else {
                    2
                };
                format!("{scaled:.decimals$} {unit}")
            }
        }
    }
}

/// One workload's figures: each runtime's summary, or why it was not measured.
///
/// # Examples
///
/// ```
/// use weft_benches::{Row, Summary, Unit, Verdict};
///
/// let s = |v| Ok(Summary::from_values(vec![v]).unwrap());
/// let row = Row { name: "yield_many".into(), unit: Unit::Time, weft: s(0.7), tokio: s(1.0), smol: s(2.0) };
/// assert_eq!(row.ratio(), Some(0.7));
/// assert_eq!(row.verdict(), Verdict::Goal);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The workload's name.
    pub name: String,
    /// What the figures measure.
    pub unit: Unit,
    /// weft's figures, or why they are missing (e.g. a cargo feature is off).
    pub weft: Result<Summary, String>,
    /// tokio's figures, or why they are missing.
    pub tokio: Result<Summary, String>,
    /// smol's figures, or why they are missing.
    pub smol: Result<Summary, String>,
}

/// How weft did on one row, against the bars in the design.
///
/// # Examples
///
/// ```
/// assert_eq!(weft_benches::Verdict::MissesBar.to_string(), "MISSES BAR (> 1.0)");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Ratio ≤ 0.8 (time), or ≤ 1.0 and at most 128 B per task (memory).
    Goal,
    /// Ratio ≤ 1.0: at least as good as the best peer.
    Bar,
    /// Ratio > 1.0: worse than the best peer.
    MissesBar,
    /// weft was not measured.
    NoWeft,
    /// Neither peer was measured, so there is nothing to compare with.
    NoPeer,
}

/// The memory goal of the design, bytes per parked task.
const MEMORY_GOAL: f64 = 128.0;

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Verdict::Goal => "goal met",
            Verdict::Bar => "bar met (≤ 1.0)",
            Verdict::MissesBar => "MISSES BAR (> 1.0)",
            Verdict::NoWeft => "n/a (weft not measured)",
            Verdict::NoPeer => "n/a (no peer measured)",
        })
    }
}

impl Row {
    /// The best (lowest) peer median, if any peer was measured.
    ///
    /// # Examples
    ///
    /// ```
    /// use weft_benches::{Row, Summary, Unit};
    ///
    /// let s = |v| Ok(Summary::from_values(vec![v]).unwrap());
    /// let row = Row { name: "x".into(), unit: Unit::Time, weft: Err("off".into()), tokio: s(3.0), smol: s(2.0) };
    /// assert_eq!(row.best_peer(), Some(2.0));
    /// ```
    pub fn best_peer(&self) -> Option<f64> {
        [&self.tokio, &self.smol]
            .into_iter()
            .filter_map(|cell| cell.as_ref().ok().map(|s| s.median))
            .min_by(f64::total_cmp)
    }

    /// weft's median over the best peer's median.
    ///
    /// Memory is compared in whole bytes, as the table shows it: RSS growth over a
    /// million tasks carries a fraction of a byte of page-accounting noise, while a
    /// task's real cost is a whole number of bytes (a malloc chunk, a multiple of 16).
    ///
    /// # Examples
    ///
    /// ```
    /// use weft_benches::{Row, Summary, Unit};
    ///
    /// let s = |v| Ok(Summary::from_values(vec![v]).unwrap());
    /// let row = Row { name: "x".into(), unit: Unit::Time, weft: s(3.0), tokio: s(2.0), smol: Err("failed".into()) };
    /// assert_eq!(row.ratio(), Some(1.5));
    /// ```
    ///
    /// ```
    /// use weft_benches::{Row, Summary, Unit};
    ///
    /// let s = |v| Ok(Summary::from_values(vec![v]).unwrap());
    /// let row = Row { name: "m".into(), unit: Unit::BytesPerTask, weft: s(144.3), tokio: s(447.0), smol: s(143.9) };
    /// assert_eq!(row.ratio(), Some(1.0));
    /// ```
    pub fn ratio(&self) -> Option<f64> {
        let whole = |v: f64| match self.unit {
            Unit::BytesPerTask => v.round(),
            Unit::Time => v,
        };
        let weft = whole(self.weft.as_ref().ok()?.median);
        let best = whole(self.best_peer()?);
        Some(if best > 0.0 {
            weft / best
        } else {
            f64::INFINITY
        })
    }

    /// How weft did against the bar and the goal.
    ///
    /// # Examples
    ///
    /// ```
    /// use weft_benches::{Row, Summary, Unit, Verdict};
    ///
    /// let s = |v| Ok(Summary::from_values(vec![v]).unwrap());
    /// let row = Row { name: "m".into(), unit: Unit::BytesPerTask, weft: s(150.0), tokio: s(440.0), smol: s(190.0) };
    /// assert_eq!(row.verdict(), Verdict::Bar); // leaner than smol, but above 128 B
    /// ```
    pub fn verdict(&self) -> Verdict {
        if self.weft.is_err() {
            return Verdict::NoWeft;
        }
        let Some(ratio) = self.ratio() else {
            return Verdict::NoPeer;
        };
        let goal = match self.unit {
            Unit::Time => ratio <= 0.8,
            Unit::BytesPerTask => {
                ratio <= 1.0 && self.weft.as_ref().is_ok_and(|s| s.median <= MEMORY_GOAL)
            }
        };
        if goal {
            Verdict::Goal
        } else if ratio <= 1.0 {
            Verdict::Bar
        } else {
            Verdict::MissesBar
        }
    }

    fn cells(&self) -> [String; 6] {
        let cell = |c: &Result<Summary, String>| match c {
            Ok(s) => self.unit.format(s.median),
            Err(_) => "n/a".to_string(),
        };
        let verdict = match (self.verdict(), self.unit) {
            (Verdict::Goal, Unit::Time) => "goal met (≤ 0.8)".to_string(),
            (Verdict::Goal, Unit::BytesPerTask) => "goal met (≤ 128 B)".to_string(),
            (Verdict::NoWeft, _) => match &self.weft {
                Err(why) => format!("n/a ({})", brief(why)),
                Ok(_) => unreachable!("NoWeft means weft is missing"),
            },
            (v, _) => v.to_string(),
        };
        [
            self.name.clone(),
            cell(&self.weft),
            cell(&self.tokio),
            cell(&self.smol),
            self.ratio().map_or("–".to_string(), |r| format!("{r:.2}")),
            verdict,
        ]
    }
}

const HEADER: [&str; 6] = ["workload", "weft", "tokio", "smol", "weft/best", "verdict"];

/// All rows of one run plus free-form notes (configuration, mode), renderable as
/// text and Markdown.
///
/// # Examples
///
/// ```
/// use weft_benches::{Report, Row, Summary, Unit};
///
/// let s = |v| Ok(Summary::from_values(vec![v]).unwrap());
/// let mut report = Report::new(vec!["2 worker threads per runtime".into()]);
/// report.rows.push(Row { name: "spawn_many_local".into(), unit: Unit::Time,
///     weft: Err("feature weft-core off".into()), tokio: s(0.002), smol: s(0.003) });
/// let md = report.to_markdown();
/// assert!(md.contains("| spawn_many_local | n/a | 2.00 ms | 3.00 ms | – | n/a (feature weft-core off) |"));
/// assert!(report.to_text().contains("spawn_many_local"));
/// ```
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Lines printed under the title (configuration, mode, caveats).
    pub notes: Vec<String>,
    /// One row per workload, in run order.
    pub rows: Vec<Row>,
}

impl Report {
    /// An empty report with `notes`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(weft_benches::Report::new(vec![]).rows.is_empty());
    /// ```
    pub fn new(notes: Vec<String>) -> Report {
        Report {
            notes,
            rows: Vec::new(),
        }
    }

    /// The table as aligned plain text, for the terminal.
    ///
    /// # Examples
    ///
    /// ```
    /// let text = weft_benches::Report::new(vec![]).to_text();
    /// assert!(text.starts_with("workload"));
    /// ```
    pub fn to_text(&self) -> String {
        let rows: Vec<[String; 6]> = self.rows.iter().map(Row::cells).collect();
        let mut widths = HEADER.map(|h| h.chars().count());
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let mut out = String::new();
        let mut line = |cells: &[String; 6]| {
            let padded: Vec<String> = cells
                .iter()
                .zip(widths)
                .map(|(c, w)| format!("{c:<w$}"))
                .collect();
            out.push_str(padded.join(" | ").trim_end());
            out.push('\n');
        };
        line(&HEADER.map(String::from));
        line(&widths.map(|w| "-".repeat(w)));
        rows.iter().for_each(line);
        out
    }

    /// The report as Markdown: title, machine and date, notes, the table, then the
    /// minimum and sample count behind every median.
    ///
    /// # Examples
    ///
    /// ```
    /// let md = weft_benches::Report::new(vec!["quick mode".into()]).to_markdown();
    /// assert!(md.contains("| workload | weft | tokio | smol | weft/best | verdict |"));
    /// assert!(md.contains("- quick mode"));
    /// ```
    pub fn to_markdown(&self) -> String {
        let mut md = String::from("# weft vs tokio vs smol\n\n");
        let _ = writeln!(md, "- Date (UTC): {}", utc_date());
        let _ = writeln!(md, "- Machine: {}", machine());
        for note in &self.notes {
            let _ = writeln!(md, "- {note}");
        }
        md.push_str(
            "\nMedians per run of each workload; `weft/best` is weft's median over the \
             faster (or, for memory, leaner) of tokio and smol. Bar: ≤ 1.0; goal: ≤ 0.8 \
             (memory: ≤ 128 B per task).\n\n",
        );
        let _ = writeln!(md, "| {} |", HEADER.join(" | "));
        let _ = writeln!(md, "|{}", "---|".repeat(HEADER.len()));
        for row in &self.rows {
            let _ = writeln!(md, "| {} |", row.cells().join(" | "));
        }
        md.push_str("\n### Minimum (samples) behind each median\n\n");
        md.push_str("| workload | weft | tokio | smol |\n|---|---|---|---|\n");
        for row in &self.rows {
            let cell = |c: &Result<Summary, String>| match c {
                Ok(s) => format!("{} ({})", row.unit.format(s.min), s.samples),
                Err(why) => format!("n/a: {}", why.replace(['\n', '|'], " ")),
            };
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} |",
                row.name,
                cell(&row.weft),
                cell(&row.tokio),
                cell(&row.smol)
            );
        }
        md
    }
}

/// The first line of `why`, cut to fit a table cell (the detail table has it all).
fn brief(why: &str) -> String {
    const MAX: usize = 60;
    let line = why.lines().next().unwrap_or("").replace('|', " ");
    if line.chars().count() <= MAX && !why.contains('\n') {
        line
    } else {
        let cut: String = line.chars().take(MAX).collect();
        format!("{cut}…")
    }
}

/// CPU model and logical CPU count, as well as Linux tells them.
fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".to_string());
    format!("{model}, {cpus} logical CPUs, {}", std::env::consts::OS)
}

/// Today's date in UTC as `YYYY-MM-DD`.
fn utc_date() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Proleptic Gregorian date of a day count since 1970-01-01 (era arithmetic: an
/// era is 400 years = 146 097 days, and years are counted from March so the leap
/// day falls last).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * shifted_month + 2) / 5 + 1) as u32;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: f64) -> Result<Summary, String> {
        Ok(Summary::from_values(vec![v]).unwrap())
    }

    #[test]
    fn dates_round_known_days() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(20_513), (2026, 3, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }

    #[test]
    fn verdict_thresholds() {
        let row = |w| Row {
            name: "t".into(),
            unit: Unit::Time,
            weft: s(w),
            tokio: s(1.0),
            smol: s(4.0),
        };
        assert_eq!(row(0.8).verdict(), Verdict::Goal);
        assert_eq!(row(1.0).verdict(), Verdict::Bar);
        assert_eq!(row(1.01).verdict(), Verdict::MissesBar);
    }

    #[test]
    fn memory_goal_needs_both_ratio_and_absolute() {
        let row = |w, peer| Row {
            name: "m".into(),
            unit: Unit::BytesPerTask,
            weft: s(w),
            tokio: s(peer),
            smol: Err("failed".into()),
        };
        assert_eq!(row(120.0, 100.0).verdict(), Verdict::MissesBar);
        assert_eq!(row(120.0, 190.0).verdict(), Verdict::Goal);
    }

    #[test]
    fn missing_peers_give_no_ratio() {
        let row = Row {
            name: "t".into(),
            unit: Unit::Time,
            weft: s(1.0),
            tokio: Err("x".into()),
            smol: Err("y".into()),
        };
        assert_eq!(row.ratio(), None);
        assert_eq!(row.verdict(), Verdict::NoPeer);
    }

    #[test]
    fn long_reasons_are_cut_in_the_table_but_kept_in_details() {
        let why = format!("panicked: {}", "x".repeat(200));
        let mut report = Report::new(vec![]);
        report.rows.push(Row {
            name: "t".into(),
            unit: Unit::Time,
            weft: Err(why.clone()),
            tokio: s(1.0),
            smol: s(1.0),
        });
        let md = report.to_markdown();
        let table_line = md.lines().find(|l| l.starts_with("| t |")).unwrap();
        assert!(
            table_line.contains('…') && table_line.len() < 150,
            "{table_line}"
        );
        assert!(md.contains(&why));
    }

    #[test]
    fn text_columns_line_up() {
        let mut report = Report::new(vec![]);
        report.rows.push(Row {
            name: "a_long_workload_name".into(),
            unit: Unit::Time,
            weft: s(0.5),
            tokio: s(1.0),
            smol: s(2.0),
        });
        let text = report.to_text();
        let bars: Vec<Vec<usize>> = text
            .lines()
            .map(|l| {
                l.char_indices()
                    .filter(|&(_, c)| c == '|')
                    .map(|(i, _)| i)
                    .collect()
            })
            .collect();
        assert!(bars.windows(2).all(|w| w[0] == w[1]), "{text}");
    }
}

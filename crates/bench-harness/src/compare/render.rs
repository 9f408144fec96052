//! `compare`'s output: the report as a Markdown table and as an SVG bar chart.

use super::{Report, Row};
use crate::inputs::InputSet;

fn cell(v: Option<f64>, decimals: usize) -> String {
    match v {
        Some(x) if x.is_finite() => {
            if decimals == 0 {
                group_thousands(x.round() as u64)
            } else {
                format!("{x:.decimals$}")
            }
        }
        _ => "—".into(),
    }
}

fn ratio(v: Option<f64>) -> String {
    match v {
        Some(x) if x.is_finite() => format!("{x:.2}×"),
        _ => "—".into(),
    }
}

fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The report as a Markdown table (with a short header of the set-up).
pub fn markdown(report: &Report) -> String {
    let m = &report.machine;
    let s = &report.settings;
    let mut out = String::new();
    out.push_str(&format!(
        "Decoder comparison, {} ({} cores), {}, {}, allocator {}{}; {} \
         (shared machine: figures are noisy).\n",
        m.cpu,
        m.cores,
        m.os,
        m.rustc,
        m.allocator,
        if m.counting_allocator {
            " (counted)"
        } else {
            ""
        },
        m.date
    ));
    out.push_str(&format!(
        "Plan: {} samples × {} events per sample after {} ms warm-up{}; corpus {} events (seed {:#x}).\n\n",
        s.plan.samples,
        s.plan.batch,
        s.plan.warmup.as_millis(),
        if s.quick { " (--quick)" } else { "" },
        s.corpus_events,
        s.corpus_seed
    ));
    out.push_str(
        "| decoder | format | input | median ns/event | p99 ns/event | MB/s | allocs/event | heap bytes/event | vs Go map | vs serde_yaml |\n",
    );
    out.push_str("|---|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for r in &report.rows {
        let name = match &r.skipped {
            Some(why) => format!("{} ({why})", r.decoder),
            None if r.veltrix => format!("**{}**", r.decoder),
            None => r.decoder.to_owned(),
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            name,
            r.format,
            r.input.name(),
            cell(r.ns_median, 0),
            cell(r.ns_p99, 0),
            cell(r.mb_per_s, 1),
            cell(r.allocs_per_event, 1),
            cell(r.bytes_per_event, 0),
            ratio(r.speedup_vs_go_map),
            ratio(r.speedup_vs_serde_yaml),
        ));
    }
    out.push_str(
        "\nThe corpus in other emitters' styles (same events; `vs gen` is events/s over the `veltrix gen` style's, same decoder):\n\n",
    );
    out.push_str("| style | decoder | bytes/event | median ns/event | events/s | vs gen |\n");
    out.push_str("|---|---|---:|---:|---:|---:|\n");
    for r in &report.styles {
        let name = match &r.skipped {
            Some(why) => format!("{} ({why})", r.decoder),
            None => r.decoder.to_owned(),
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            r.style,
            name,
            cell(Some(r.event_bytes), 0),
            cell(r.ns_median, 0),
            cell(r.events_per_s, 0),
            ratio(r.vs_gen),
        ));
    }
    if let Some(peak) = report.peak_rss_bytes {
        out.push_str(&format!(
            "\nPeak RSS of the harness ({} allocator): {:.1} MB.\n",
            m.allocator,
            peak as f64 / 1e6
        ));
    }
    out
}

/// The report as an SVG bar chart of median ns per event (log scale), one
/// group per decoder, one bar per input.
pub fn svg(report: &Report) -> String {
    let mut groups: Vec<crate::svg::BarGroup> = Vec::new();
    for row in Row::ALL {
        let value = |input: InputSet| {
            report
                .rows
                .iter()
                .find(|m| m.decoder == row.name() && m.input == input)
                .and_then(|m| m.ns_median)
        };
        groups.push(crate::svg::BarGroup {
            label: format!("{} ({})", row.name(), row.format().name()),
            values: InputSet::ALL.iter().map(|&i| value(i)).collect(),
            highlight: row.is_veltrix(),
        });
    }
    let m = &report.machine;
    crate::svg::log_bar_chart(
        "Median ns per event, lower is better",
        &format!(
            "{}, {} cores, {}, allocator {}, {} (shared machine: noisy)",
            m.cpu, m.cores, m.rustc, m.allocator, m.date
        ),
        "ns per event",
        &["reference event (512 B YAML)", "corpus"],
        &groups,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(1_000), "1,000");
        assert_eq!(group_thousands(12_345_678), "12,345,678");
    }
}

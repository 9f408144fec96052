//! The latency percentile plot (`--svg`), as HdrHistogram draws it: the x
//! axis is the percentile on a log scale of `1 / (1 - p)` (so 90%, 99%,
//! 99.9% … are evenly spaced and the tail gets the room), the y axis the
//! latency, with the target as a horizontal line.

use std::fmt::Write as _;

use crate::load::LoadReport;

const WIDTH: f64 = 900.0;
const HEIGHT: f64 = 520.0;
const LEFT: f64 = 80.0;
const RIGHT: f64 = 30.0;
const TOP: f64 = 60.0;
const BOTTOM: f64 = 60.0;

/// `1 / (1 - p)` on a log10 scale, for a percentile in 0..=100 (`None` at 100).
fn x_of(percentile: f64) -> Option<f64> {
    let rest = 1.0 - percentile / 100.0;
    (rest > 0.0).then(|| -rest.log10())
}

/// A tick step of 1, 2 or 5 times a power of ten giving about six ticks up to `max`.
fn nice_step(max: f64) -> f64 {
    let rough = (max / 6.0).max(1e-9);
    let power = 10f64.powf(rough.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|step| *step >= rough)
        .unwrap_or(10.0 * power)
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if c.is_control() => out.push('?'),
            c => out.push(c),
        }
    }
    out
}

/// The plot of `report`'s latency distribution, as an SVG document.
pub fn percentile_plot(report: &LoadReport) -> String {
    let points: Vec<(f64, f64)> = report
        .percentiles
        .iter()
        .map(|p| (x_of(p.percentile), p.latency_us / 1e3))
        .filter_map(|(x, ms)| Some((x?, ms)))
        .collect();
    // Decades shown: at least to 99.9%, at most to 99.9999%, and far enough
    // for the recorded count (1 - 1/count is the last meaningful percentile).
    let count = report.latency.count.max(1) as f64;
    let decades = count.log10().ceil().clamp(3.0, 6.0);
    let max_ms = report.latency.max_us / 1e3;
    let top_ms = (max_ms.max(report.target_p99_ms) * 1.1).max(0.001);
    let step = nice_step(top_ms);
    let top_ms = (top_ms / step).ceil() * step;
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let px = |x: f64| LEFT + x.min(decades) / decades * plot_w;
    let py = |ms: f64| TOP + plot_h - (ms / top_ms).min(1.0) * plot_h;

    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let title = format!(
        "veltrix load: {} req/s ({:.1} achieved), {} x{} -> {}",
        report.requested_rate,
        report.achieved_rate,
        report.format.name(),
        report.batch,
        report.target
    );
    let _ = writeln!(
        s,
        r#"<text x="{LEFT}" y="24" font-size="15" font-weight="bold">{}</text>"#,
        escape(&title)
    );
    let _ = writeln!(
        s,
        r##"<text x="{LEFT}" y="42" fill="#555">latency from each request's scheduled time (coordinated omission corrected)</text>"##
    );
    let l = &report.latency;
    let stats = format!(
        "{} requests · p50 {} ms · p99 {} ms · p99.9 {} ms · max {} ms",
        l.count,
        trim_float(l.p50_us / 1e3),
        trim_float(l.p99_us / 1e3),
        trim_float(l.p999_us / 1e3),
        trim_float(max_ms)
    );
    let _ = writeln!(
        s,
        r#"<text x="{:.1}" y="{:.1}">{}</text>"#,
        LEFT + 8.0,
        TOP + 18.0,
        escape(&stats)
    );

    // Grid and axes.
    for d in 0..=decades as u32 {
        let x = px(f64::from(d));
        let label = match d {
            0 => "0%".to_owned(),
            1 => "90%".to_owned(),
            2 => "99%".to_owned(),
            _ => format!("99.{}%", "9".repeat(d as usize - 2)),
        };
        let _ = writeln!(
            s,
            r##"<line x1="{x:.1}" y1="{TOP}" x2="{x:.1}" y2="{:.1}" stroke="#ddd"/><text x="{x:.1}" y="{:.1}" text-anchor="middle">{label}</text>"##,
            TOP + plot_h,
            TOP + plot_h + 18.0
        );
    }
    let mut tick = 0.0;
    while tick <= top_ms + step / 2.0 {
        let y = py(tick);
        let _ = writeln!(
            s,
            r##"<line x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            LEFT + plot_w,
            LEFT - 6.0,
            y + 4.0,
            trim_float(tick)
        );
        tick += step;
    }
    let _ = writeln!(
        s,
        r##"<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#333"/>"##
    );
    let _ = writeln!(
        s,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">percentile</text>"#,
        LEFT + plot_w / 2.0,
        HEIGHT - 16.0
    );
    let _ = writeln!(
        s,
        r#"<text transform="translate(22 {:.1}) rotate(-90)" text-anchor="middle">latency (ms)</text>"#,
        TOP + plot_h / 2.0
    );

    // The target.
    let ty = py(report.target_p99_ms);
    let _ = writeln!(
        s,
        r##"<line x1="{LEFT}" y1="{ty:.1}" x2="{:.1}" y2="{ty:.1}" stroke="#d62728" stroke-width="1.5" stroke-dasharray="6 4"/><text x="{:.1}" y="{:.1}" fill="#d62728" text-anchor="end">target {} ms</text>"##,
        LEFT + plot_w,
        LEFT + plot_w - 4.0,
        ty - 5.0,
        trim_float(report.target_p99_ms)
    );

    // The distribution, as a step line (a value holds until the next percentile).
    if !points.is_empty() {
        let mut path = String::new();
        let mut last_y = None;
        for (x, ms) in &points {
            let (x, y) = (px(*x), py(*ms));
            match last_y {
                None => {
                    let _ = write!(path, "M{:.1},{y:.1}", px(0.0));
                }
                Some(prev) => {
                    let _ = write!(path, " L{x:.1},{prev:.1}");
                }
            }
            let _ = write!(path, " L{x:.1},{y:.1}");
            last_y = Some(y);
        }
        // The maximum holds to the right edge.
        let _ = write!(path, " L{:.1},{:.1}", px(decades), py(max_ms));
        let _ = writeln!(
            s,
            r##"<path d="{path}" fill="none" stroke="#1f77b4" stroke-width="2"/>"##
        );
    } else {
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">no latency recorded</text>"#,
            LEFT + plot_w / 2.0,
            TOP + plot_h / 2.0
        );
    }
    s.push_str("</svg>\n");
    s
}

fn trim_float(v: f64) -> String {
    let text = format!("{v:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_x_axis_is_a_log_of_one_over_one_minus_p() {
        assert_eq!(x_of(0.0), Some(0.0));
        assert!((x_of(90.0).unwrap() - 1.0).abs() < 1e-9);
        assert!((x_of(99.9).unwrap() - 3.0).abs() < 1e-9);
        assert_eq!(x_of(100.0), None);
    }

    #[test]
    fn ticks_are_round() {
        assert_eq!(nice_step(11.0), 2.0);
        assert_eq!(nice_step(0.9), 0.2);
        assert_eq!(nice_step(600.0), 100.0);
        assert_eq!(trim_float(0.25), "0.25");
        assert_eq!(trim_float(2.0), "2");
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("a<b>&\"c\n"), "a&lt;b&gt;&amp;&quot;c?");
    }
}

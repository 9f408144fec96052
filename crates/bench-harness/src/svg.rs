//! Hand-written SVG charts: a horizontal bar chart on a log scale (compare)
//! and line charts over time (soak).
//!
//! Written by hand rather than through a plotting crate because the charts
//! are small and fixed, and the output stays a plain file any browser reads.

use std::fmt::Write as _;

const COLORS: [&str; 4] = ["#3b6fb6", "#e08a2c", "#4a9d5b", "#b23a48"];
const FONT: &str =
    "font-family=\"system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif\"";

/// Escapes text for SVG.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// A labelled group of bars, one value per series (`None` draws no bar).
#[derive(Debug, Clone)]
pub struct BarGroup {
    /// Label at the left.
    pub label: String,
    /// One value per series.
    pub values: Vec<Option<f64>>,
    /// Drawn in bold (our own rows).
    pub highlight: bool,
}

fn compact(v: f64) -> String {
    if v >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if v >= 1e4 {
        format!("{:.0}k", v / 1e3)
    } else if v >= 1e3 {
        format!("{:.1}k", v / 1e3)
    } else if v >= 10.0 || v == v.round() {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

/// A horizontal bar chart with a log-scale x axis.
pub fn log_bar_chart(
    title: &str,
    subtitle: &str,
    axis: &str,
    series: &[&str],
    groups: &[BarGroup],
) -> String {
    let values: Vec<f64> = groups
        .iter()
        .flat_map(|g| g.values.iter().flatten().copied())
        .filter(|v| v.is_finite() && *v > 0.0)
        .collect();
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(0.0, f64::max);
    let (lo_exp, hi_exp) = if values.is_empty() {
        (0, 1)
    } else {
        let a = lo.log10().floor() as i32;
        (a, (hi.log10().ceil() as i32).max(a + 1))
    };
    let label_w = 330.0;
    let plot_w = 560.0;
    let right = 90.0;
    let bar_h = 14.0;
    let group_gap = 10.0;
    let top = 84.0;
    let n_series = series.len().max(1);
    let group_h = bar_h * n_series as f64 + group_gap;
    let plot_h = group_h * groups.len() as f64;
    let width = label_w + plot_w + right;
    let height = top + plot_h + 60.0;
    let x_of = |v: f64| {
        let t = (v.log10() - f64::from(lo_exp)) / f64::from(hi_exp - lo_exp);
        label_w + t.clamp(0.0, 1.0) * plot_w
    };

    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" {FONT} font-size=\"12\">"
    );
    let _ = writeln!(s, "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>");
    let _ = writeln!(
        s,
        "<text x=\"{}\" y=\"24\" font-size=\"16\" font-weight=\"bold\" text-anchor=\"middle\">{}</text>",
        width / 2.0,
        escape(title)
    );
    let _ = writeln!(
        s,
        "<text x=\"{}\" y=\"42\" fill=\"#555\" text-anchor=\"middle\">{}</text>",
        width / 2.0,
        escape(subtitle)
    );
    // Legend, each entry as wide as its text (about 7 px a character at 12 px).
    let mut x = label_w;
    for (i, name) in series.iter().enumerate() {
        let _ = writeln!(
            s,
            "<rect x=\"{x}\" y=\"54\" width=\"12\" height=\"12\" fill=\"{}\"/><text x=\"{}\" y=\"64\">{}</text>",
            COLORS[i % COLORS.len()],
            x + 18.0,
            escape(name)
        );
        x += 40.0 + 7.0 * name.chars().count() as f64;
    }
    // Grid: every decade labelled, 2× and 5× as faint lines.
    for e in lo_exp..=hi_exp {
        let base = 10f64.powi(e);
        let x = x_of(base);
        let _ = writeln!(
            s,
            "<line x1=\"{x:.1}\" y1=\"{top}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"#999\" stroke-width=\"1\"/>\
             <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            top + plot_h,
            top + plot_h + 16.0,
            compact(base)
        );
        if e < hi_exp {
            for m in [2.0, 5.0] {
                let xm = x_of(base * m);
                let _ = writeln!(
                    s,
                    "<line x1=\"{xm:.1}\" y1=\"{top}\" x2=\"{xm:.1}\" y2=\"{:.1}\" stroke=\"#ddd\" stroke-width=\"1\"/>\
                     <text x=\"{xm:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#888\" font-size=\"10\">{}</text>",
                    top + plot_h,
                    top + plot_h + 14.0,
                    compact(base * m)
                );
            }
        }
    }
    let _ = writeln!(
        s,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{} (log scale)</text>",
        label_w + plot_w / 2.0,
        top + plot_h + 40.0,
        escape(axis)
    );
    for (gi, g) in groups.iter().enumerate() {
        let y0 = top + gi as f64 * group_h + group_gap / 2.0;
        let weight = if g.highlight {
            " font-weight=\"bold\""
        } else {
            ""
        };
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\"{weight}>{}</text>",
            label_w - 8.0,
            y0 + bar_h * n_series as f64 / 2.0 + 4.0,
            escape(&g.label)
        );
        for (si, v) in g.values.iter().enumerate() {
            let y = y0 + si as f64 * bar_h;
            match v {
                Some(v) if v.is_finite() && *v > 0.0 => {
                    let x1 = x_of(*v);
                    let _ = writeln!(
                        s,
                        "<rect x=\"{label_w}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\"><title>{}: {} {}</title></rect>\
                         <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\">{}</text>",
                        (x1 - label_w).max(1.0),
                        bar_h - 2.0,
                        COLORS[si % COLORS.len()],
                        escape(&g.label),
                        compact(*v),
                        escape(series.get(si).copied().unwrap_or("")),
                        x1 + 4.0,
                        y + bar_h - 4.0,
                        compact(*v)
                    );
                }
                _ => {
                    let _ = writeln!(
                        s,
                        "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" fill=\"#888\">n/a</text>",
                        label_w + 4.0,
                        y + bar_h - 4.0
                    );
                }
            }
        }
    }
    s.push_str("</svg>\n");
    s
}

/// One line of a line chart.
#[derive(Debug, Clone)]
pub struct Line {
    /// Legend name.
    pub name: String,
    /// `(x, y)` points, x ascending.
    pub points: Vec<(f64, f64)>,
}

/// Nice tick step for a range.
fn tick_step(span: f64) -> f64 {
    if !(span.is_finite() && span > 0.0) {
        return 1.0;
    }
    let raw = span / 6.0;
    let mag = 10f64.powf(raw.log10().floor());
    let f = raw / mag;
    let nice = if f < 1.5 {
        1.0
    } else if f < 3.5 {
        2.0
    } else if f < 7.5 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

/// One panel of a line chart: linear axes from 0, with optional horizontal
/// reference lines (targets).
pub fn line_panel(
    title: &str,
    x_label: &str,
    y_label: &str,
    lines: &[Line],
    targets: &[(String, f64)],
) -> (String, f64) {
    let width = 900.0;
    let height = 300.0;
    let left = 80.0;
    let right = 170.0;
    let top = 40.0;
    let bottom = 50.0;
    let plot_w = width - left - right;
    let plot_h = height - top - bottom;
    let xs = lines.iter().flat_map(|l| l.points.iter().map(|p| p.0));
    let x_max = xs.fold(1.0f64, f64::max);
    let y_max = lines
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.1))
        .chain(targets.iter().map(|t| t.1))
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max)
        * 1.1;
    let y_max = if y_max > 0.0 { y_max } else { 1.0 };
    let px = |x: f64| left + x / x_max * plot_w;
    let py = |y: f64| top + plot_h - (y / y_max).clamp(0.0, 1.0) * plot_h;

    let mut s = String::new();
    let _ = writeln!(
        s,
        "<text x=\"{}\" y=\"24\" font-size=\"15\" font-weight=\"bold\" text-anchor=\"middle\">{}</text>",
        left + plot_w / 2.0,
        escape(title)
    );
    let ystep = tick_step(y_max);
    let mut y = 0.0;
    while y <= y_max + 1e-9 {
        let _ = writeln!(
            s,
            "<line x1=\"{left}\" y1=\"{0:.1}\" x2=\"{1:.1}\" y2=\"{0:.1}\" stroke=\"#e3e3e3\"/>\
             <text x=\"{2:.1}\" y=\"{3:.1}\" text-anchor=\"end\">{4}</text>",
            py(y),
            left + plot_w,
            left - 6.0,
            py(y) + 4.0,
            compact(y)
        );
        y += ystep;
    }
    let xstep = tick_step(x_max);
    let mut x = 0.0;
    while x <= x_max + 1e-9 {
        let _ = writeln!(
            s,
            "<line x1=\"{0:.1}\" y1=\"{1:.1}\" x2=\"{0:.1}\" y2=\"{2:.1}\" stroke=\"#999\"/>\
             <text x=\"{0:.1}\" y=\"{3:.1}\" text-anchor=\"middle\">{4}</text>",
            px(x),
            top + plot_h,
            top + plot_h + 5.0,
            top + plot_h + 18.0,
            compact(x)
        );
        x += xstep;
    }
    let _ = writeln!(
        s,
        "<rect x=\"{left}\" y=\"{top}\" width=\"{plot_w}\" height=\"{plot_h}\" fill=\"none\" stroke=\"#666\"/>\
         <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\
         <text transform=\"translate(18 {:.1}) rotate(-90)\" text-anchor=\"middle\">{}</text>",
        left + plot_w / 2.0,
        height - 10.0,
        escape(x_label),
        top + plot_h / 2.0,
        escape(y_label)
    );
    for (name, v) in targets {
        let _ = writeln!(
            s,
            "<line x1=\"{left}\" y1=\"{0:.1}\" x2=\"{1:.1}\" y2=\"{0:.1}\" stroke=\"#b23a48\" stroke-dasharray=\"6 4\"/>\
             <text x=\"{2:.1}\" y=\"{3:.1}\" fill=\"#b23a48\" font-size=\"11\">{4}</text>",
            py(*v),
            left + plot_w,
            left + plot_w + 6.0,
            py(*v) + 4.0,
            escape(name)
        );
    }
    for (i, l) in lines.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        let pts: Vec<String> = l
            .points
            .iter()
            .map(|&(x, y)| format!("{:.1},{:.1}", px(x), py(y)))
            .collect();
        let _ = writeln!(
            s,
            "<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{}\"/>",
            pts.join(" ")
        );
        let ly = top + 14.0 + i as f64 * 18.0;
        let _ = writeln!(
            s,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"12\" height=\"3\" fill=\"{color}\"/><text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            left + plot_w + 6.0,
            ly - 4.0,
            left + plot_w + 22.0,
            ly,
            escape(&l.name)
        );
    }
    (s, height)
}

/// Stacks panels from [`line_panel`] into one SVG document.
pub fn stack(panels: &[(String, f64)]) -> String {
    let width = 900.0;
    let height: f64 = panels.iter().map(|p| p.1).sum();
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" {FONT} font-size=\"12\">"
    );
    let _ = writeln!(s, "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>");
    let mut y = 0.0;
    for (body, h) in panels {
        let _ = writeln!(s, "<g transform=\"translate(0 {y})\">\n{body}</g>");
        y += h;
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bar_chart_escapes_labels_and_spans_whole_decades() {
        let svg = log_bar_chart(
            "t",
            "sub",
            "ns",
            &["reference", "corpus"],
            &[BarGroup {
                label: "a<b & c".into(),
                values: vec![Some(150.0), Some(23_000.0)],
                highlight: true,
            }],
        );
        assert!(svg.contains("a&lt;b &amp; c"));
        assert!(!svg.contains("a<b"));
        // 150 .. 23,000 spans the decades 100 .. 100k.
        assert!(svg.contains(">100<") && svg.contains(">100k<"));
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    }

    #[test]
    fn tick_steps_are_round() {
        assert_eq!(tick_step(60.0), 10.0);
        assert_eq!(tick_step(1.2), 0.2);
        assert_eq!(tick_step(36.0), 5.0);
    }
}

//! Charts drawn on the server as SVG, to sit beside the table that holds the same numbers.
//!
//! The SVG is self-contained (no script, no external fonts or styles), scales to the width of
//! its container through its `viewBox`, and names itself for assistive technology: `role="img"`
//! with a title and a description that states the numbers in words. Colour is never the only
//! signal: every segment wide enough carries its count, every segment has a tooltip naming its
//! series, and the legend names each colour.

use std::fmt::Write as _;

/// One series of a stacked bar chart, such as one rating level.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Series {
    pub label: String,
    /// A CSS colour as `#rrggbb`; anything else is drawn in grey.
    pub colour: String,
}

/// One bar: a category (such as a benchmark) with a count per series, in series order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bar {
    /// Short label drawn beside the bar, such as "1".
    pub label: String,
    /// Longer name used in tooltips and the description, such as "Benchmark 1".
    pub name: String,
    pub counts: Vec<u32>,
}

/// A horizontal stacked bar chart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackedBars {
    /// A prefix for the element ids inside the SVG, unique on its page (letters, digits and
    /// hyphens; anything else is dropped).
    pub id: String,
    pub title: String,
    pub series: Vec<Series>,
    pub bars: Vec<Bar>,
}

const WIDTH: u32 = 640;
const LABEL_WIDTH: u32 = 48;
const BAR_HEIGHT: u32 = 24;
const GAP: u32 = 8;
const LEGEND_ROW: u32 = 24;

/// The chart as an SVG element, ready to place in a page.
pub fn stacked_bars(chart: &StackedBars) -> String {
    let plot_width = WIDTH - LABEL_WIDTH - 8;
    let max_total = chart
        .bars
        .iter()
        .map(|b| b.counts.iter().sum::<u32>())
        .max()
        .unwrap_or(0)
        .max(1);
    let legend_top = chart.bars.len() as u32 * (BAR_HEIGHT + GAP) + GAP;
    let legend_rows = chart.series.len().div_ceil(3) as u32;
    let height = legend_top + legend_rows * LEGEND_ROW + GAP;

    let id: String = chart
        .id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="pk-chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{id}-title {id}-desc" preserveAspectRatio="xMinYMin meet">"##
    );
    let _ = write!(
        svg,
        r##"<title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"##,
        escape(&chart.title),
        escape(&describe(chart))
    );
    for (row, bar) in chart.bars.iter().enumerate() {
        let y = row as u32 * (BAR_HEIGHT + GAP) + GAP;
        let _ = write!(
            svg,
            r##"<text x="{}" y="{}" text-anchor="end" font-family="arial, sans-serif" font-size="14" fill="#0b0c0c">{}</text>"##,
            LABEL_WIDTH - 8,
            y + BAR_HEIGHT / 2 + 5,
            escape(&bar.label)
        );
        let mut x = LABEL_WIDTH;
        for (count, series) in bar.counts.iter().zip(&chart.series) {
            if *count == 0 {
                continue;
            }
            let w = (u64::from(*count) * u64::from(plot_width) / u64::from(max_total)) as u32;
            let colour = safe_colour(&series.colour);
            let _ = write!(
                svg,
                r##"<rect x="{x}" y="{y}" width="{w}" height="{BAR_HEIGHT}" fill="{colour}" stroke="#ffffff" stroke-width="1"><title>{}: {} {}</title></rect>"##,
                escape(&bar.name),
                escape(&series.label),
                count
            );
            if w >= 20 {
                let _ = write!(
                    svg,
                    r##"<text x="{}" y="{}" text-anchor="middle" font-family="arial, sans-serif" font-size="13" font-weight="bold" fill="{}">{count}</text>"##,
                    x + w / 2,
                    y + BAR_HEIGHT / 2 + 5,
                    text_colour(colour)
                );
            }
            x += w;
        }
    }
    for (i, series) in chart.series.iter().enumerate() {
        let col = (i % 3) as u32;
        let row = (i / 3) as u32;
        let x = LABEL_WIDTH + col * (plot_width / 3);
        let y = legend_top + row * LEGEND_ROW;
        let _ = write!(
            svg,
            r##"<rect x="{x}" y="{y}" width="16" height="16" fill="{}" stroke="#0b0c0c" stroke-width="1"/><text x="{}" y="{}" font-family="arial, sans-serif" font-size="14" fill="#0b0c0c">{}</text>"##,
            safe_colour(&series.colour),
            x + 22,
            y + 13,
            escape(&series.label)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// The chart's numbers in words, for its description.
pub fn describe(chart: &StackedBars) -> String {
    let mut parts = Vec::new();
    for bar in &chart.bars {
        let counted: Vec<String> = bar
            .counts
            .iter()
            .zip(&chart.series)
            .filter(|(c, _)| **c > 0)
            .map(|(c, s)| format!("{} {c}", s.label))
            .collect();
        if counted.is_empty() {
            parts.push(format!("{}: none", bar.name));
        } else {
            parts.push(format!("{}: {}", bar.name, counted.join(", ")));
        }
    }
    parts.join(". ")
}

/// A colour as given when it is `#rrggbb`, otherwise grey: nothing from a framework file
/// reaches the SVG unchecked.
fn safe_colour(c: &str) -> &str {
    let hex = c.strip_prefix('#').unwrap_or("");
    if hex.len() == 6 && hex.chars().all(|ch| ch.is_ascii_hexdigit()) {
        c
    } else {
        "#b1b4b6"
    }
}

/// Black or white, whichever reads better on the fill.
fn text_colour(fill: &str) -> &'static str {
    let channel = |i: usize| {
        fill.get(i..i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .map_or(0.0, |v| f64::from(v) / 255.0)
    };
    let luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
    if luminance > 0.5 {
        "#0b0c0c"
    } else {
        "#ffffff"
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart() -> StackedBars {
        StackedBars {
            id: "ratings\"<x>".into(),
            title: "Ratings by benchmark".into(),
            series: vec![
                Series {
                    label: "Not yet started".into(),
                    colour: "#d4351c".into(),
                },
                Series {
                    label: "Achieving".into(),
                    colour: "#00703c".into(),
                },
                Series {
                    label: "Not assessed".into(),
                    colour: "url(javascript:alert(1))".into(),
                },
            ],
            bars: vec![
                Bar {
                    label: "1".into(),
                    name: "Benchmark 1 <risk>".into(),
                    counts: vec![1, 2, 0],
                },
                Bar {
                    label: "2".into(),
                    name: "Benchmark 2".into(),
                    counts: vec![0, 0, 4],
                },
            ],
        }
    }

    #[test]
    fn draws_a_segment_per_nonzero_count_with_its_number_and_a_legend() {
        let svg = stacked_bars(&chart());
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains(r#"aria-labelledby="ratingsx-title ratingsx-desc""#));
        assert!(svg.contains(r#"<title id="ratingsx-title">Ratings by benchmark</title>"#));
        // Three segments (1, 2 and 4) plus three legend keys.
        assert_eq!(svg.matches("<rect").count(), 6);
        assert!(svg.contains("<title>Benchmark 1 &lt;risk&gt;: Achieving 2</title>"));
        assert!(svg.contains("Not assessed</text>"));
        // The unsafe colour never reaches the SVG.
        assert!(!svg.contains("javascript"));
        assert!(svg.contains(r##"fill="#b1b4b6""##));
        // The longest bar (4) spans the plot; the segments of the first bar share it 1:2.
        assert!(svg.contains(r#"width="584""#), "{svg}");
        assert!(
            svg.contains(r#"width="146""#) && svg.contains(r#"width="292""#),
            "{svg}"
        );
    }

    #[test]
    fn the_description_says_the_numbers_in_words() {
        assert_eq!(
            describe(&chart()),
            "Benchmark 1 <risk>: Not yet started 1, Achieving 2. Benchmark 2: Not assessed 4"
        );
        let empty = StackedBars {
            bars: vec![Bar {
                label: "3".into(),
                name: "Benchmark 3".into(),
                counts: vec![0, 0, 0],
            }],
            ..chart()
        };
        assert_eq!(describe(&empty), "Benchmark 3: none");
        // An empty chart still draws (no division by zero).
        assert!(stacked_bars(&empty).contains("Benchmark 3: none"));
    }

    #[test]
    fn text_on_dark_fills_is_white_and_on_light_fills_is_black() {
        assert_eq!(text_colour("#00703c"), "#ffffff");
        assert_eq!(text_colour("#ffdd00"), "#0b0c0c");
    }
}

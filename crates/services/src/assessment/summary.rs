//! The summary of an assessment: its ratings counted by benchmark, and the chart of them.

use super::AssessmentView;
use preventkit_domain::assessment::summary::{rating_summary, RatingSummary};
use preventkit_reports::chart::{stacked_bars, Bar, Series, StackedBars};

impl AssessmentView {
    /// Questions at each rating, by benchmark (see
    /// [`preventkit_domain::assessment::summary::rating_summary`]).
    pub fn rating_summary(&self) -> RatingSummary {
        rating_summary(&self.framework, &self.responses)
    }
}

/// The summary as a stacked bar per benchmark, drawn as SVG with its legend. `id` prefixes the
/// ids inside the SVG and must be unique on the page.
pub fn rating_chart(summary: &RatingSummary, id: &str, title: &str) -> String {
    stacked_bars(&StackedBars {
        id: id.into(),
        title: title.into(),
        series: summary
            .columns
            .iter()
            .map(|c| Series {
                label: c.label.clone(),
                colour: c.colour.clone(),
            })
            .collect(),
        bars: summary
            .sections
            .iter()
            .map(|s| Bar {
                label: s.number.clone(),
                name: format!("Benchmark {}", s.number),
                counts: s.counts.clone(),
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use preventkit_domain::assessment::summary::rating_summary_with;
    use preventkit_domain::framework::parse;

    #[test]
    fn the_chart_draws_a_bar_per_benchmark_with_a_segment_per_rating_used() {
        let (name, text) = preventkit_domain::shipped::FRAMEWORKS[2];
        let f = parse(name, text).expect("parse");
        let s = rating_summary_with(&f, |q| match q {
            "1.1" | "1.2" => Some("achieving"),
            "1.3" => Some("n/a"),
            _ => None,
        });
        let svg = rating_chart(&s, "ratings", "Ratings by benchmark");
        assert!(
            svg.contains("<title>Benchmark 1: Achieving 2</title>"),
            "{svg}"
        );
        assert!(svg.contains("<title>Benchmark 1: Not applicable 1</title>"));
        assert!(svg.contains("Benchmark 2: Not assessed"));
        assert!(svg.contains(r##"fill="#00703c""##));
    }
}

//! An assessment's ratings counted by benchmark, and how a rating moved from one period to the
//! next. Pure: the summary page, its chart and the comparison all read these numbers, so they
//! are worked out in one place.

use super::{Rating, Response};
use crate::framework::{Framework, Scale, Section};
use serde::Serialize;
use std::collections::HashMap;

/// What a column of the summary counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ColumnKind {
    /// A level of a scale.
    Level,
    NotApplicable,
    NotAssessed,
}

/// One column of the summary: a rating level, then "Not applicable" and "Not assessed".
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RatingColumn {
    /// The stored rating it counts: a level key, `n/a` or empty.
    pub key: String,
    pub label: String,
    /// The level's colour as the framework gives it; greys for the two answers outside the
    /// scale ([`NOT_APPLICABLE_COLOUR`], [`NOT_ASSESSED_COLOUR`]).
    pub colour: String,
    pub kind: ColumnKind,
}

/// The key colour of "Not applicable": dark grey.
pub const NOT_APPLICABLE_COLOUR: &str = "#505a5f";
/// The key colour of "Not assessed": light grey.
pub const NOT_ASSESSED_COLOUR: &str = "#b1b4b6";

/// The counts for one top-level section (a benchmark), in column order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SectionCounts {
    pub id: String,
    pub number: String,
    pub title: String,
    pub counts: Vec<u32>,
    pub total: u32,
}

/// Every rating counted by benchmark.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RatingSummary {
    pub columns: Vec<RatingColumn>,
    pub sections: Vec<SectionCounts>,
    /// Column totals over every section.
    pub totals: Vec<u32>,
    /// Every question.
    pub questions: u32,
}

/// How many questions of each top-level section sit at each rating. Columns are the levels of
/// the framework's scales in the order they are declared (a level key used by two scales is
/// one column), then "Not applicable" and "Not assessed". A stored rating that names no level
/// counts as not assessed, so each row adds up to the section's questions.
pub fn rating_summary(
    framework: &Framework,
    responses: &HashMap<String, Response>,
) -> RatingSummary {
    rating_summary_with(framework, |id| responses.get(id).map(|r| r.rating.as_str()))
}

/// [`rating_summary`] with the stored rating of each question read through `rating_of`.
pub fn rating_summary_with<'a>(
    framework: &Framework,
    rating_of: impl Fn(&str) -> Option<&'a str>,
) -> RatingSummary {
    let mut columns: Vec<RatingColumn> = Vec::new();
    for level in framework.scales.iter().flat_map(|s| s.levels.iter()) {
        if !columns.iter().any(|c| c.key == level.key) {
            columns.push(RatingColumn {
                key: level.key.clone(),
                label: level.label.clone(),
                colour: level.colour.clone(),
                kind: ColumnKind::Level,
            });
        }
    }
    let levels = columns.len();
    columns.push(RatingColumn {
        key: Rating::NotApplicable.to_stored(),
        label: "Not applicable".into(),
        colour: NOT_APPLICABLE_COLOUR.into(),
        kind: ColumnKind::NotApplicable,
    });
    columns.push(RatingColumn {
        key: Rating::NotAssessed.to_stored(),
        label: "Not assessed".into(),
        colour: NOT_ASSESSED_COLOUR.into(),
        kind: ColumnKind::NotAssessed,
    });
    let not_assessed = levels + 1;
    let mut sections = Vec::new();
    let mut totals = vec![0u32; columns.len()];
    for section in &framework.sections {
        let mut ids = Vec::new();
        question_ids(section, &mut ids);
        let mut counts = vec![0u32; columns.len()];
        for id in &ids {
            let stored = rating_of(id).unwrap_or("");
            let column = columns
                .iter()
                .position(|c| c.key == stored)
                .unwrap_or(not_assessed);
            if let Some(n) = counts.get_mut(column) {
                *n += 1;
            }
        }
        for (t, n) in totals.iter_mut().zip(&counts) {
            *t += n;
        }
        sections.push(SectionCounts {
            id: section.id.clone(),
            number: section.number.clone(),
            title: section.title.clone(),
            total: counts.iter().sum(),
            counts,
        });
    }
    let questions = totals.iter().sum();
    RatingSummary {
        columns,
        sections,
        totals,
        questions,
    }
}

fn question_ids<'a>(section: &'a Section, out: &mut Vec<&'a str>) {
    out.extend(section.questions.iter().map(|q| q.id.as_str()));
    for child in &section.sections {
        question_ids(child, out);
    }
}

impl RatingSummary {
    /// The whole assessment in a sentence: each level with questions at it, from the top of
    /// the scale down, then those not applicable and not assessed. For example "12 of 40
    /// questions rated Achieving, 20 Developing and 3 Not yet started; 5 not assessed."
    pub fn in_words(&self) -> String {
        if self.questions == 0 {
            return "This framework has no questions.".into();
        }
        // Levels from the top of the scale down, then the answers outside it.
        let mut rated: Vec<String> = Vec::new();
        let mut rest: Vec<String> = Vec::new();
        for (column, n) in self.columns.iter().zip(&self.totals).rev() {
            if *n > 0 && column.kind == ColumnKind::Level {
                rated.push(format!("{n} {}", column.label));
            }
        }
        for (column, n) in self.columns.iter().zip(&self.totals) {
            match column.kind {
                _ if *n == 0 => {}
                ColumnKind::Level => {}
                ColumnKind::NotApplicable => rest.push(format!("{n} not applicable")),
                ColumnKind::NotAssessed => rest.push(format!("{n} not assessed")),
            }
        }
        let noun = if self.questions == 1 {
            "question"
        } else {
            "questions"
        };
        let mut text = match rated.split_first() {
            None => format!("None of the {} {noun} has a rating yet", self.questions),
            Some((first, others)) => {
                // "12 Achieving" reads as "12 of 40 questions rated Achieving".
                let (n, label) = first.split_once(' ').unwrap_or((first.as_str(), ""));
                let mut t = format!("{n} of {} {noun} rated {label}", self.questions);
                if !others.is_empty() {
                    t.push_str(&list_words(others, ", "));
                }
                t
            }
        };
        if !rest.is_empty() && !rated.is_empty() {
            text.push_str("; ");
            text.push_str(&list_words(&rest, ""));
        } else if !rest.is_empty() {
            text.push_str(": ");
            text.push_str(&list_words(&rest, ""));
        }
        text.push('.');
        text
    }

    /// The highest count in any cell, for shading the table.
    pub fn largest_count(&self) -> u32 {
        self.sections
            .iter()
            .flat_map(|s| s.counts.iter().copied())
            .max()
            .unwrap_or(0)
    }
}

/// "a", "a and b", "a, b and c", with `lead` written before the first item.
fn list_words(items: &[String], lead: &str) -> String {
    let mut out = String::from(lead);
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(if i + 1 == items.len() { " and " } else { ", " });
        }
        out.push_str(item);
    }
    out
}

/// How shaded a table cell is, from 0 (empty) to 4 (the largest count on the table), so that
/// the shade follows the number written in the cell.
pub fn shade(count: u32, largest: u32) -> u32 {
    if count == 0 || largest == 0 {
        return 0;
    }
    // 1 to 4 in equal steps of the largest count, rounding up so any count shows.
    (count * 4).div_ceil(largest).clamp(1, 4)
}

/// The counts each shade stands for, for the table's key: (shade, smallest, largest).
pub fn shade_bands(largest: u32) -> Vec<(u32, u32, u32)> {
    let mut bands: Vec<(u32, u32, u32)> = Vec::new();
    for n in 1..=largest {
        let s = shade(n, largest);
        match bands.last_mut() {
            Some((shade_now, _, to)) if *shade_now == s => *to = n,
            _ => bands.push((s, n, n)),
        }
    }
    bands
}

/// How a question's rating moved between two periods.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    /// Higher on the scale than before.
    Improved,
    /// Lower on the scale than before.
    Declined,
    Unchanged,
    /// Not assessed before, rated now.
    NewlyAssessed,
    /// Rated before, not assessed now.
    NoLongerAssessed,
    /// Moved to or from "Not applicable", which is not on the scale.
    Other,
}

impl Change {
    pub fn key(self) -> &'static str {
        match self {
            Change::Improved => "improved",
            Change::Declined => "declined",
            Change::Unchanged => "unchanged",
            Change::NewlyAssessed => "newly-assessed",
            Change::NoLongerAssessed => "no-longer-assessed",
            Change::Other => "other",
        }
    }

    /// In words, for the page.
    pub fn label(self) -> &'static str {
        match self {
            Change::Improved => "Improved",
            Change::Declined => "Declined",
            Change::Unchanged => "Unchanged",
            Change::NewlyAssessed => "Newly assessed",
            Change::NoLongerAssessed => "No longer assessed",
            Change::Other => "Changed applicability",
        }
    }

    pub fn is_change(self) -> bool {
        self != Change::Unchanged
    }

    /// Every change, in the order they are counted on the page.
    pub const ALL: [Change; 6] = [
        Change::Improved,
        Change::Declined,
        Change::Unchanged,
        Change::NewlyAssessed,
        Change::NoLongerAssessed,
        Change::Other,
    ];
}

/// How a rating moved from `before` to `after` (both stored ratings) on `scale`, whose levels
/// run from lowest to highest. A level the scale does not know counts as not assessed.
pub fn change(scale: Option<&Scale>, before: &str, after: &str) -> Change {
    let position = |stored: &str| -> Option<Option<usize>> {
        match Rating::from_stored(stored) {
            Rating::NotAssessed => None,
            Rating::NotApplicable => Some(None),
            Rating::Level(k) => scale
                .and_then(|s| s.levels.iter().position(|l| l.key == k))
                .map(Some),
        }
    };
    match (position(before), position(after)) {
        (None, None) => Change::Unchanged,
        (None, Some(_)) => Change::NewlyAssessed,
        (Some(_), None) => Change::NoLongerAssessed,
        (Some(None), Some(None)) => Change::Unchanged,
        (Some(None), Some(Some(_))) | (Some(Some(_)), Some(None)) => Change::Other,
        (Some(Some(a)), Some(Some(b))) => match b.cmp(&a) {
            std::cmp::Ordering::Greater => Change::Improved,
            std::cmp::Ordering::Less => Change::Declined,
            std::cmp::Ordering::Equal => Change::Unchanged,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::{Envelope, Level, Question};

    fn level(key: &str) -> Level {
        Level {
            key: key.into(),
            label: format!("Label {key}"),
            description: None,
            colour: "#000000".into(),
            details_required: false,
        }
    }

    fn framework() -> Framework {
        let question = |id: &str| Question {
            id: id.into(),
            number: id.into(),
            kind: "k".into(),
            title: format!("Question {id}"),
            scale: "s".into(),
            guidance: None,
            prompts: Vec::new(),
            evidence: Vec::new(),
            descriptors: Default::default(),
        };
        let section = |id: &str, qs: &[&str], children: Vec<Section>| Section {
            id: id.into(),
            number: id.into(),
            title: format!("Section {id}"),
            outcome: None,
            guidance: None,
            sections: children,
            questions: qs.iter().map(|q| question(q)).collect(),
        };
        Framework {
            envelope: Envelope {
                id: "f".into(),
                version: 1,
                title: "F".into(),
                locale: "en-GB".into(),
                provider: "p".into(),
                published: "2026-01-01".into(),
                source: None,
                summary: None,
                kinds: Vec::new(),
            },
            scales: vec![Scale {
                id: "s".into(),
                label: "S".into(),
                not_applicable: None,
                not_assessed: None,
                levels: vec![level("low"), level("mid"), level("high")],
            }],
            sections: vec![
                section(
                    "1",
                    &["1.1", "1.2"],
                    vec![section("1a", &["1.3"], Vec::new())],
                ),
                section("2", &["2.1", "2.2"], Vec::new()),
            ],
            mappings: Vec::new(),
        }
    }

    fn summary(f: &Framework, pairs: &[(&str, &str)]) -> RatingSummary {
        let answers: HashMap<&str, &str> = pairs.iter().copied().collect();
        rating_summary_with(f, |id| answers.get(id).copied())
    }

    #[test]
    fn counts_each_section_with_its_subsections_and_unknown_levels_as_not_assessed() {
        let f = framework();
        let s = summary(
            &f,
            &[
                ("1.1", "high"),
                ("1.2", "n/a"),
                ("1.3", "high"),
                ("2.1", "gone"),
                ("2.2", "low"),
            ],
        );
        let keys: Vec<&str> = s.columns.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(keys, ["low", "mid", "high", "n/a", ""]);
        assert_eq!(s.sections[0].counts, [0, 0, 2, 1, 0]);
        assert_eq!(s.sections[1].counts, [1, 0, 0, 0, 1]);
        assert_eq!(s.totals, [1, 0, 2, 1, 1]);
        assert_eq!(s.questions, 5);
        assert_eq!(s.largest_count(), 2);
        assert_eq!(
            s.in_words(),
            "2 of 5 questions rated Label high, 1 Label low; 1 not applicable and 1 not assessed."
        );
        let none = summary(&f, &[]);
        assert_eq!(
            none.in_words(),
            "None of the 5 questions has a rating yet: 5 not assessed."
        );
    }

    #[test]
    fn shades_follow_the_count() {
        assert_eq!(shade(0, 8), 0);
        assert_eq!(shade(1, 8), 1);
        assert_eq!(shade(2, 8), 1);
        assert_eq!(shade(3, 8), 2);
        assert_eq!(shade(8, 8), 4);
        assert_eq!(
            shade_bands(8),
            vec![(1, 1, 2), (2, 3, 4), (3, 5, 6), (4, 7, 8)]
        );
        assert_eq!(shade_bands(2), vec![(2, 1, 1), (4, 2, 2)]);
        assert!(shade_bands(0).is_empty());
    }

    #[test]
    fn a_rating_moves_up_down_or_in_and_out_of_assessment() {
        let f = framework();
        let s = f.scales.first();
        assert_eq!(change(s, "low", "high"), Change::Improved);
        assert_eq!(change(s, "high", "mid"), Change::Declined);
        assert_eq!(change(s, "mid", "mid"), Change::Unchanged);
        assert_eq!(change(s, "", ""), Change::Unchanged);
        assert_eq!(change(s, "", "low"), Change::NewlyAssessed);
        assert_eq!(change(s, "low", ""), Change::NoLongerAssessed);
        assert_eq!(change(s, "n/a", "low"), Change::Other);
        assert_eq!(change(s, "n/a", "n/a"), Change::Unchanged);
        assert_eq!(change(s, "gone", "low"), Change::NewlyAssessed);
    }
}

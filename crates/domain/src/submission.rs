//! What a Prevent lead checks before submitting a self-assessment to the board: the "check your
//! answers" summary. Counts by rating and by kind, the expectations of compliance not yet at
//! the top of their scale, and the questions not reviewed this period, without supporting
//! details or not answered at all.

use crate::assessment::{reviewed_this_period, Rating};
use crate::framework::Framework;
use std::collections::HashMap;

/// An answer as the summary needs it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct AnswerFacts {
    /// As stored: a level key, `n/a` or empty.
    pub rating: String,
    pub details: String,
    pub version: i64,
}

/// A question named in the summary.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct QuestionRef {
    pub id: String,
    pub number: String,
    pub title: String,
    /// The rating as people read it ("Developing", "Not assessed").
    pub rating: String,
}

/// How many questions have one rating.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct RatingCount {
    pub key: String,
    pub label: String,
    pub colour: Option<String>,
    pub count: usize,
}

/// The questions of one kind.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct KindCount {
    pub label: String,
    pub total: usize,
    pub answered: usize,
    pub reviewed: usize,
}

/// The summary shown before submitting.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SubmissionSummary {
    pub total: usize,
    pub by_rating: Vec<RatingCount>,
    pub by_kind: Vec<KindCount>,
    /// Label of the framework's first kind (its most important, such as "Expectation of
    /// compliance").
    pub first_kind: Option<String>,
    /// Questions of the first kind answered below the top of their scale.
    pub first_kind_below_top: Vec<QuestionRef>,
    pub unanswered: Vec<QuestionRef>,
    pub not_reviewed: Vec<QuestionRef>,
    pub without_details: Vec<QuestionRef>,
}

impl SubmissionSummary {
    /// Whether submitting needs the lead to say, knowingly, that some questions are blank.
    pub fn has_unanswered(&self) -> bool {
        !self.unanswered.is_empty()
    }
}

const NOT_ASSESSED: &str = "Not assessed";
const NOT_APPLICABLE: &str = "Not applicable";

/// Summarise `answers` (by question id) against `framework`.
pub fn summarise(
    framework: &Framework,
    answers: &HashMap<String, AnswerFacts>,
) -> SubmissionSummary {
    let first_kind = framework.envelope.kinds.first();
    let mut by_rating: Vec<RatingCount> = Vec::new();
    for scale in &framework.scales {
        for level in &scale.levels {
            if !by_rating.iter().any(|r| r.key == level.key) {
                by_rating.push(RatingCount {
                    key: level.key.clone(),
                    label: level.label.clone(),
                    colour: Some(level.colour.clone()),
                    count: 0,
                });
            }
        }
    }
    for (key, label) in [("n/a", NOT_APPLICABLE), ("", NOT_ASSESSED)] {
        by_rating.push(RatingCount {
            key: key.into(),
            label: label.into(),
            colour: None,
            count: 0,
        });
    }
    let mut by_kind: Vec<KindCount> = framework
        .envelope
        .kinds
        .iter()
        .map(|k| KindCount {
            label: k.label.clone(),
            total: 0,
            answered: 0,
            reviewed: 0,
        })
        .collect();
    let mut summary = SubmissionSummary {
        total: 0,
        by_rating: Vec::new(),
        by_kind: Vec::new(),
        first_kind: first_kind.map(|k| k.label.clone()),
        first_kind_below_top: Vec::new(),
        unanswered: Vec::new(),
        not_reviewed: Vec::new(),
        without_details: Vec::new(),
    };
    for (_, q) in framework.questions() {
        summary.total += 1;
        let a = answers.get(&q.id);
        let stored = a.map(|a| a.rating.as_str()).unwrap_or("");
        let rating = Rating::from_stored(stored);
        let scale = framework.scale(&q.scale);
        let label = match &rating {
            Rating::NotAssessed => NOT_ASSESSED.to_owned(),
            Rating::NotApplicable => NOT_APPLICABLE.to_owned(),
            Rating::Level(k) => scale
                .and_then(|s| s.levels.iter().find(|l| &l.key == k))
                .map_or_else(|| k.clone(), |l| l.label.clone()),
        };
        let r = QuestionRef {
            id: q.id.clone(),
            number: q.number.clone(),
            title: q.title.clone(),
            rating: label,
        };
        if let Some(c) = by_rating.iter_mut().find(|c| c.key == stored) {
            c.count += 1;
        }
        let answered = rating != Rating::NotAssessed;
        let reviewed = a.is_some_and(|a| reviewed_this_period(a.version));
        if let Some(k) = framework
            .envelope
            .kinds
            .iter()
            .position(|k| k.key == q.kind)
            .and_then(|i| by_kind.get_mut(i))
        {
            k.total += 1;
            k.answered += usize::from(answered);
            k.reviewed += usize::from(reviewed);
        }
        let top = scale.and_then(|s| s.levels.last()).map(|l| l.key.as_str());
        let is_first_kind = first_kind.is_some_and(|k| k.key == q.kind);
        if is_first_kind && rating != Rating::NotApplicable && Some(stored) != top {
            summary.first_kind_below_top.push(r.clone());
        }
        if !answered {
            summary.unanswered.push(r.clone());
        }
        if !reviewed {
            summary.not_reviewed.push(r.clone());
        }
        if answered && a.is_none_or(|a| a.details.trim().is_empty()) {
            summary.without_details.push(r);
        }
    }
    summary.by_rating = by_rating;
    summary.by_kind = by_kind;
    summary
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::parse;

    fn benchmark() -> Framework {
        let (name, text) = crate::shipped::FRAMEWORKS
            .iter()
            .find(|(n, _)| n.starts_with("prevent-duty-benchmark"))
            .copied()
            .unwrap();
        parse(name, text).unwrap()
    }

    fn facts(rating: &str, details: &str, version: i64) -> AnswerFacts {
        AnswerFacts {
            rating: rating.into(),
            details: details.into(),
            version,
        }
    }

    #[test]
    fn a_blank_assessment_says_plainly_that_nothing_is_answered() {
        let f = benchmark();
        let s = summarise(&f, &HashMap::new());
        assert_eq!(s.total, 38);
        assert_eq!(s.unanswered.len(), 38);
        assert!(s.has_unanswered());
        assert_eq!(s.not_reviewed.len(), 38);
        assert!(
            s.without_details.is_empty(),
            "blank questions are listed as unanswered only"
        );
        let not_assessed = s
            .by_rating
            .iter()
            .find(|r| r.label == "Not assessed")
            .unwrap();
        assert_eq!(not_assessed.count, 38);
        assert_eq!(s.first_kind.as_deref(), Some("Expectation of compliance"));
        // Every expectation is below the top while unanswered.
        let expectations = s
            .by_kind
            .iter()
            .find(|k| k.label == "Expectation of compliance")
            .unwrap();
        assert_eq!(s.first_kind_below_top.len(), expectations.total);
    }

    #[test]
    fn counts_and_lists_follow_the_answers() {
        let f = benchmark();
        let answers: HashMap<String, AnswerFacts> = [
            // An expectation at the top, reviewed, with details.
            ("1.1", facts("achieving", "In place.", 2)),
            // An expectation below the top, carried over (not reviewed), without details.
            ("2.1", facts("developing", "  ", 1)),
            // Good practice, not applicable, reviewed.
            ("1.2", facts("n/a", "Not for us.", 3)),
        ]
        .into_iter()
        .map(|(q, a)| (q.to_owned(), a))
        .collect();
        let s = summarise(&f, &answers);
        let count = |label: &str| s.by_rating.iter().find(|r| r.label == label).unwrap().count;
        assert_eq!(count("Achieving"), 1);
        assert_eq!(count("Developing"), 1);
        assert_eq!(count("Not applicable"), 1);
        assert_eq!(count("Not assessed"), 35);
        let numbers = |v: &[QuestionRef]| v.iter().map(|q| q.number.clone()).collect::<Vec<_>>();
        assert!(!numbers(&s.first_kind_below_top).contains(&"1.1".to_owned()));
        assert!(numbers(&s.first_kind_below_top).contains(&"2.1".to_owned()));
        assert_eq!(numbers(&s.without_details), ["2.1"]);
        assert!(numbers(&s.not_reviewed).contains(&"2.1".to_owned()));
        assert!(!numbers(&s.not_reviewed).contains(&"1.1".to_owned()));
        let good = s
            .by_kind
            .iter()
            .find(|k| k.label == "Good practice activity")
            .unwrap();
        assert_eq!((good.answered, good.reviewed), (1, 1));
        let developing = s
            .first_kind_below_top
            .iter()
            .find(|q| q.number == "2.1")
            .unwrap();
        assert_eq!(developing.rating, "Developing");
    }
}

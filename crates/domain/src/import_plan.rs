//! What bringing answers back from a spreadsheet would do, question by question, decided before
//! anything is written.
//!
//! The spreadsheet carries the version of each answer as it was exported. An answer that
//! changed on the site since then is never overwritten by the file: the file was filled in
//! against an older answer, so it is refused as stale and both versions are shown. This is the
//! same stale-edit rule as the question page and the API ([`crate::assessment::edit_is_current`]).

use crate::assessment::edit_is_current;
use crate::QuestionId;

/// An answer as stored or as read from a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// As stored: a level key, `n/a` or empty.
    pub rating: String,
    pub details: String,
}

/// One row of the file: the answer and the version it was exported at (`None` when the row
/// carries no version, as in a file exported before versions were written).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileEntry {
    pub question: QuestionId,
    pub number: String,
    pub exported_version: Option<i64>,
    pub answer: Answer,
}

/// The answer as it stands now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Current {
    pub version: i64,
    pub answer: Answer,
}

/// What happens to one question.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// The file says what the site says: nothing to do.
    Unchanged,
    /// The file changes the answer, and nobody changed it since the export.
    Change { based_on: i64, to: Answer },
    /// The file changes the answer, but the answer changed on the site after the export (or
    /// the row does not say which version it was filled in against): refused, nothing lost.
    Stale {
        exported_version: Option<i64>,
        current: Current,
        file: Answer,
    },
}

/// One question's line in the plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedRow {
    pub question: QuestionId,
    pub number: String,
    pub decision: Decision,
}

/// The whole plan, in the file's order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportPlan {
    pub rows: Vec<PlannedRow>,
}

impl ImportPlan {
    pub fn changes(&self) -> impl Iterator<Item = &PlannedRow> {
        self.rows
            .iter()
            .filter(|r| matches!(r.decision, Decision::Change { .. }))
    }

    pub fn stale(&self) -> impl Iterator<Item = &PlannedRow> {
        self.rows
            .iter()
            .filter(|r| matches!(r.decision, Decision::Stale { .. }))
    }

    pub fn unchanged(&self) -> impl Iterator<Item = &PlannedRow> {
        self.rows
            .iter()
            .filter(|r| r.decision == Decision::Unchanged)
    }

    /// Whether the person must confirm before anything is written: some rows are refused, so
    /// applying the rest is their choice, made knowingly.
    pub fn needs_confirmation(&self) -> bool {
        self.stale().next().is_some()
    }
}

/// Decide each row of the file against the answers as they stand. Rows for questions with no
/// current answer are left out (the file names a question this assessment does not have).
pub fn plan(rows: Vec<FileEntry>, current: impl Fn(&QuestionId) -> Option<Current>) -> ImportPlan {
    let rows = rows
        .into_iter()
        .filter_map(|row| {
            let now = current(&row.question)?;
            let decision = if row.answer == now.answer {
                Decision::Unchanged
            } else {
                match row.exported_version {
                    Some(v) if edit_is_current(now.version, v) => Decision::Change {
                        based_on: v,
                        to: row.answer,
                    },
                    exported_version => Decision::Stale {
                        exported_version,
                        current: now,
                        file: row.answer,
                    },
                }
            };
            Some(PlannedRow {
                question: row.question,
                number: row.number,
                decision,
            })
        })
        .collect();
    ImportPlan { rows }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn answer(rating: &str, details: &str) -> Answer {
        Answer {
            rating: rating.into(),
            details: details.into(),
        }
    }

    fn row(q: &str, v: Option<i64>, a: Answer) -> FileEntry {
        FileEntry {
            question: q.into(),
            number: q.into(),
            exported_version: v,
            answer: a,
        }
    }

    #[test]
    fn a_stale_file_never_overwrites_a_newer_answer() {
        let site: HashMap<QuestionId, Current> = [
            // Changed on the site after the export (exported at 1, now 2).
            ("1.1", 2, answer("achieving", "newer, typed on the site")),
            // Untouched since the export.
            ("1.2", 1, answer("developing", "as exported")),
            ("1.3", 4, answer("achieving", "same")),
            ("2.1", 1, answer("", "")),
        ]
        .into_iter()
        .map(|(q, v, a)| {
            (
                QuestionId::from(q),
                Current {
                    version: v,
                    answer: a,
                },
            )
        })
        .collect();
        let file = vec![
            row("1.1", Some(1), answer("developing", "older, from the file")),
            row("1.2", Some(1), answer("achieving", "improved in the file")),
            row("1.3", Some(3), answer("achieving", "same")),
            row("2.1", None, answer("developing", "no version in this row")),
            row("9.9", Some(1), answer("achieving", "not a question here")),
        ];
        let p = plan(file, |q| site.get(q).cloned());
        let by: HashMap<&str, &Decision> = p
            .rows
            .iter()
            .map(|r| (r.question.as_str(), &r.decision))
            .collect();
        assert_eq!(p.rows.len(), 4, "the unknown question is left out");
        assert!(matches!(
            by["1.1"],
            Decision::Stale { exported_version: Some(1), current, file }
                if current.version == 2 && current.answer.details == "newer, typed on the site"
                    && file.details == "older, from the file"
        ));
        assert_eq!(
            *by["1.2"],
            Decision::Change {
                based_on: 1,
                to: answer("achieving", "improved in the file")
            }
        );
        assert_eq!(
            *by["1.3"],
            Decision::Unchanged,
            "same content is no change, whatever the version"
        );
        assert!(matches!(
            by["2.1"],
            Decision::Stale {
                exported_version: None,
                ..
            }
        ));
        assert!(p.needs_confirmation());
        assert_eq!(p.changes().count(), 1);
        assert_eq!(p.stale().count(), 2);
        assert_eq!(p.unchanged().count(), 1);
    }

    #[test]
    fn a_fresh_file_needs_no_confirmation() {
        let p = plan(vec![row("1.1", Some(3), answer("achieving", "x"))], |_| {
            Some(Current {
                version: 3,
                answer: answer("", ""),
            })
        });
        assert!(!p.needs_confirmation());
        assert_eq!(p.changes().count(), 1);
    }
}

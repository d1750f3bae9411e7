//! Reading answers across periods and under mapped frameworks.

use super::*;
use preventkit_domain::assessment::summary::{change, rating_summary_with, Change, RatingColumn};

/// Periods side by side: oldest first.
#[derive(Clone, Debug)]
pub struct Comparison {
    pub assessments: Vec<Assessment>,
    /// A row per question, in framework order.
    pub rows: Vec<ComparedQuestion>,
}

/// One question's ratings across the periods compared.
#[derive(Clone, Debug)]
pub struct ComparedQuestion {
    pub id: String,
    pub number: String,
    pub title: String,
    /// The top-level section (benchmark) that holds it: its number and title.
    pub section: (String, String),
    /// The stored rating in each period, in column order.
    pub ratings: Vec<String>,
    /// How the rating moved from the period before to this one; none when there is no earlier
    /// period.
    pub change: Option<Change>,
}

/// The changes of one benchmark, counted.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SectionChanges {
    pub number: String,
    pub title: String,
    /// Counts in the order of [`Change::ALL`].
    pub counts: Vec<usize>,
}

impl Comparison {
    /// How many questions moved each way, in the order of [`Change::ALL`].
    pub fn change_counts(&self) -> Vec<(Change, usize)> {
        Change::ALL
            .iter()
            .map(|c| {
                (
                    *c,
                    self.rows.iter().filter(|r| r.change == Some(*c)).count(),
                )
            })
            .collect()
    }

    /// The changes counted per benchmark, in framework order.
    pub fn by_section(&self) -> Vec<SectionChanges> {
        let mut out: Vec<SectionChanges> = Vec::new();
        for row in &self.rows {
            let Some(c) = row.change else { continue };
            let at = match out.iter().position(|s| s.number == row.section.0) {
                Some(i) => i,
                None => {
                    out.push(SectionChanges {
                        number: row.section.0.clone(),
                        title: row.section.1.clone(),
                        counts: vec![0; Change::ALL.len()],
                    });
                    out.len() - 1
                }
            };
            let column = Change::ALL.iter().position(|x| *x == c);
            if let Some(n) = out
                .get_mut(at)
                .and_then(|s| column.and_then(|i| s.counts.get_mut(i)))
            {
                *n += 1;
            }
        }
        out
    }
}

impl App {
    /// This assessment and up to three earlier periods it was started from, oldest first.
    pub async fn compare(
        &self,
        grant: &Grant,
        id: AssessmentId,
    ) -> Result<Comparison, ServiceError> {
        let view = self.assessment(grant, id).await?;
        let pid = view.assessment.partnership;
        let mut chain = vec![view.assessment.clone()];
        let mut answers = vec![view.responses.clone()];
        let mut tx = self.db().read().await?;
        while chain.len() < 4 {
            let Some(prev_id) = chain.last().and_then(|a| a.previous) else {
                break;
            };
            let Some(prev) = store::assessment::assessments::get(&mut tx, prev_id, pid).await?
            else {
                break;
            };
            let responses = store::assessment::assessments::responses(&mut tx, prev.id).await?;
            answers.push(
                responses
                    .into_iter()
                    .map(|r| (r.question.0.clone(), r))
                    .collect(),
            );
            chain.push(prev);
        }
        tx.commit().await?;
        chain.reverse();
        answers.reverse();
        let f = &view.framework;
        let mut rows = Vec::new();
        for top in &f.sections {
            let mut questions = Vec::new();
            collect_questions(top, &mut questions);
            for q in questions {
                let ratings: Vec<String> = answers
                    .iter()
                    .map(|a| a.get(&q.id).map(|r| r.rating.clone()).unwrap_or_default())
                    .collect();
                let mut newest = ratings.iter().rev();
                let change = match (newest.next(), newest.next()) {
                    (Some(now), Some(before)) => Some(change(f.scale(&q.scale), before, now)),
                    _ => None,
                };
                rows.push(ComparedQuestion {
                    id: q.id.clone(),
                    number: q.number.clone(),
                    title: q.title.clone(),
                    section: (top.number.clone(), top.title.clone()),
                    ratings,
                    change,
                });
            }
        }
        Ok(Comparison {
            assessments: chain,
            rows,
        })
    }
}

fn collect_questions<'a>(
    s: &'a preventkit_domain::framework::Section,
    out: &mut Vec<&'a preventkit_domain::framework::Question>,
) {
    out.extend(s.questions.iter());
    for child in &s.sections {
        collect_questions(child, out);
    }
}

/// The answers of one assessment read under another framework through the mappings: for
/// each target question (an HMIC capability, say), how many mapped questions sit at each
/// rating.
#[derive(Clone, Debug, serde::Serialize)]
pub struct MappedSummary {
    pub framework_title: String,
    /// The ratings counted, in scale order, then "Not applicable" and "Not assessed".
    pub columns: Vec<RatingColumn>,
    /// A row per capability (target question) with at least one question mapped to it.
    pub rows: Vec<CapabilityCounts>,
}

/// One capability of another framework and the questions of this assessment mapped to it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct CapabilityCounts {
    /// The target question's title: the capability's name.
    pub name: String,
    /// The mapped questions as (id, number), in this framework's order, each once.
    pub questions: Vec<(String, String)>,
    /// Mapped questions at each rating, per column.
    pub counts: Vec<usize>,
}

impl App {
    /// The assessment summarised under every framework its questions are mapped to.
    pub async fn mapped_summaries(
        &self,
        grant: &Grant,
        id: AssessmentId,
    ) -> Result<Vec<MappedSummary>, ServiceError> {
        let view = self.assessment(grant, id).await?;
        let f = &view.framework;
        let mut targets: Vec<String> = f
            .mappings
            .iter()
            .map(|m| m.target.framework.clone())
            .collect();
        targets.sort();
        targets.dedup();
        let mut tx = self.db().read().await?;
        let stored = store::framework::list(&mut tx).await?;
        tx.commit().await?;
        let columns = rating_summary_with(f, |_| None).columns;
        let mut out = Vec::new();
        for key in targets {
            let Some(newest) = stored
                .iter()
                .filter(|v| v.key == key)
                .max_by_key(|v| v.version)
            else {
                continue;
            };
            let target = self.framework_by_id(newest.id).await?;
            let mut rows = Vec::new();
            for (_, tq) in target.questions() {
                // Each mapped question once, in this framework's order.
                let mapped: Vec<(&str, &str)> = f
                    .questions()
                    .into_iter()
                    .filter(|(_, x)| {
                        f.mappings.iter().any(|m| {
                            m.question == x.id
                                && m.target.framework == key
                                && m.target.question == tq.id
                        })
                    })
                    .map(|(_, x)| (x.id.as_str(), x.number.as_str()))
                    .collect();
                if mapped.is_empty() {
                    continue;
                }
                let counts = columns
                    .iter()
                    .map(|c| {
                        mapped
                            .iter()
                            .filter(|(q, _)| {
                                view.responses
                                    .get(*q)
                                    .map(|r| r.rating.as_str())
                                    .unwrap_or("")
                                    == c.key
                            })
                            .count()
                    })
                    .collect();
                rows.push(CapabilityCounts {
                    name: tq.title.clone(),
                    questions: mapped
                        .iter()
                        .map(|(id, n)| ((*id).to_owned(), (*n).to_owned()))
                        .collect(),
                    counts,
                });
            }
            out.push(MappedSummary {
                framework_title: target.envelope.title.clone(),
                columns: columns.clone(),
                rows,
            });
        }
        Ok(out)
    }
}

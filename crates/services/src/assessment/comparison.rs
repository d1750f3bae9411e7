//! Reading answers across periods and under mapped frameworks.

use super::*;

/// Periods side by side: oldest first.
#[derive(Clone, Debug)]
pub struct Comparison {
    pub assessments: Vec<Assessment>,
    /// (question number, title, ratings per assessment in column order)
    pub rows: Vec<(String, String, String, Vec<String>)>,
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
        let rows = view
            .framework
            .questions()
            .into_iter()
            .map(|(_, q)| {
                let ratings = answers
                    .iter()
                    .map(|a| a.get(&q.id).map(|r| r.rating.clone()).unwrap_or_default())
                    .collect();
                (q.id.clone(), q.number.clone(), q.title.clone(), ratings)
            })
            .collect();
        Ok(Comparison {
            assessments: chain,
            rows,
        })
    }
}

/// The answers of one assessment read under another framework through the mappings: for
/// each target question (an HMIC capability, say), how many mapped questions sit at each
/// rating.
#[derive(Clone, Debug, serde::Serialize)]
pub struct MappedSummary {
    pub framework_title: String,
    /// Rating labels, in scale order, then "Not applicable" and "Not assessed".
    pub columns: Vec<String>,
    /// (target question title, mapped question numbers, counts per column)
    pub rows: Vec<(String, Vec<String>, Vec<usize>)>,
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
        let scale = f.scales.first();
        let mut columns: Vec<(String, String)> = scale
            .map(|s| {
                s.levels
                    .iter()
                    .map(|l| (l.key.clone(), l.label.clone()))
                    .collect()
            })
            .unwrap_or_default();
        columns.push(("n/a".into(), "Not applicable".into()));
        columns.push((String::new(), "Not assessed".into()));
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
                let mapped: Vec<&str> = f
                    .mappings
                    .iter()
                    .filter(|m| m.target.framework == key && m.target.question == tq.id)
                    .map(|m| m.question.as_str())
                    .collect();
                if mapped.is_empty() {
                    continue;
                }
                let counts = columns
                    .iter()
                    .map(|(k, _)| {
                        mapped
                            .iter()
                            .filter(|q| {
                                view.responses
                                    .get(**q)
                                    .map(|r| r.rating.as_str())
                                    .unwrap_or("")
                                    == k
                            })
                            .count()
                    })
                    .collect();
                let numbers = mapped
                    .iter()
                    .filter_map(|q| {
                        f.questions()
                            .into_iter()
                            .find(|(_, x)| x.id == *q)
                            .map(|(_, x)| x.number.clone())
                    })
                    .collect();
                rows.push((tq.title.clone(), numbers, counts));
            }
            out.push(MappedSummary {
                framework_title: target.envelope.title.clone(),
                columns: columns.iter().map(|(_, l)| l.clone()).collect(),
                rows,
            });
        }
        Ok(out)
    }
}

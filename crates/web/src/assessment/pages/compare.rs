//! Periods side by side, and the answers under mapped frameworks.

#[allow(unused_imports)]
use super::*;
use axum::extract::Query;
use summary_words::Change;

/// The comparison's filter: `?changes=only` shows only the questions whose rating moved.
#[derive(Debug, Default, serde::Deserialize)]
pub struct CompareFilter {
    #[serde(default)]
    pub changes: String,
}

pub async fn compare(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, aid)): PageIds<(PartnershipId, AssessmentId)>,
    Query(filter): Query<CompareFilter>,
) -> PageResult {
    let pid = pid_of(&g)?;
    let view = state.app.assessment(&g, aid).await?;
    let cmp = state.app.compare(&g, aid).await?;
    let changes_only = filter.changes == "only";
    let columns: Vec<Value> = cmp
        .assessments
        .iter()
        .map(|a| context! { id => a.id, title => a.title, start => a.start_text(), end => a.end_text() })
        .collect();
    let compared = cmp.assessments.len() >= 2;
    let mut newest = cmp.assessments.iter().rev().map(|a| a.title.clone());
    let (now_title, before_title) = (newest.next(), newest.next());
    // Always the four main directions; the two rarer ones only when some question moved so.
    let counts = cmp.change_counts();
    let shown: Vec<(usize, Change)> = Change::ALL
        .iter()
        .enumerate()
        .filter(|(i, c)| {
            matches!(
                c,
                Change::Improved | Change::Declined | Change::Unchanged | Change::NewlyAssessed
            ) || counts.get(*i).is_some_and(|(_, n)| *n > 0)
        })
        .map(|(i, c)| (i, *c))
        .collect();
    let totals: Vec<Value> = shown
        .iter()
        .map(|(i, c)| {
            let n = counts.get(*i).map_or(0, |(_, n)| *n);
            context! { key => c.key(), label => c.label(), count => n }
        })
        .collect();
    let heads: Vec<Value> = shown
        .iter()
        .map(|(_, c)| context! { key => c.key(), label => c.label() })
        .collect();
    let sections: Vec<Value> = cmp
        .by_section()
        .into_iter()
        .map(|s| {
            let cells: Vec<usize> = shown
                .iter()
                .map(|(i, _)| s.counts.get(*i).copied().unwrap_or(0))
                .collect();
            context! { number => s.number, title => s.title, counts => cells }
        })
        .collect();
    let rows: Vec<Value> = cmp
        .rows
        .iter()
        .filter(|r| !changes_only || r.change.is_some_and(Change::is_change))
        .map(|r| {
            let cells: Vec<Value> = r
                .ratings
                .iter()
                .map(|rating| rating_display(&view, &r.id, rating))
                .collect();
            let change = r
                .change
                .map(|c| context! { key => c.key(), label => c.label() });
            context! {
                id => r.id, number => r.number, title => r.title, cells => cells,
                change => change, changed => r.change.is_some_and(Change::is_change),
            }
        })
        .collect();
    render(
        &state,
        &id,
        "assessment/compare.html",
        StatusCode::OK,
        context! {
            title => format!("Compare periods: {}", view.assessment.title),
            partnership_id => pid.to_string(),
            assessment => context! { id => view.assessment.id, title => view.assessment.title },
            columns => columns,
            compared => compared,
            now_title => now_title,
            before_title => before_title,
            totals => totals,
            heads => heads,
            sections => sections,
            rows => rows,
            questions => cmp.rows.len(),
            changes_only => changes_only,
        },
    )
    .map_err(PageError::from)
}

pub async fn capabilities(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, aid)): PageIds<(PartnershipId, AssessmentId)>,
) -> PageResult {
    let pid = pid_of(&g)?;
    let view = state.app.assessment(&g, aid).await?;
    let summaries: Vec<Value> = state
        .app
        .mapped_summaries(&g, aid)
        .await?
        .into_iter()
        .map(|sm| {
            let largest = sm
                .rows
                .iter()
                .flat_map(|r| r.counts.iter().copied())
                .max()
                .unwrap_or(0);
            let largest = u32::try_from(largest).unwrap_or(u32::MAX);
            let rows: Vec<Value> = sm
                .rows
                .iter()
                .map(|r| {
                    let questions: Vec<Value> = r
                        .questions
                        .iter()
                        .map(|(qid, number)| context! { id => qid, number => number })
                        .collect();
                    let cells: Vec<Value> = r
                        .counts
                        .iter()
                        .map(|n| {
                            let n = u32::try_from(*n).unwrap_or(u32::MAX);
                            context! { count => n, shade => summary_words::shade(n, largest) }
                        })
                        .collect();
                    context! { name => r.name, questions => questions, cells => cells }
                })
                .collect();
            let bands: Vec<Value> = summary_words::shade_bands(largest)
                .into_iter()
                .map(|(shade, from, to)| context! { shade => shade, from => from, to => to })
                .collect();
            context! {
                framework_title => sm.framework_title,
                columns => sm.columns.iter().map(column_display).collect::<Vec<_>>(),
                rows => rows,
                bands => bands,
            }
        })
        .collect();
    render(
        &state,
        &id,
        "assessment/capabilities.html",
        StatusCode::OK,
        context! {
            title => format!("Summary by capability: {}", view.assessment.title),
            partnership_id => pid.to_string(),
            assessment => context! { id => view.assessment.id, title => view.assessment.title },
            summaries => summaries,
        },
    )
    .map_err(PageError::from)
}

//! Periods side by side, and the answers under mapped frameworks.

#[allow(unused_imports)]
use super::*;

pub async fn compare(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, aid)): PageIds<(PartnershipId, AssessmentId)>,
) -> PageResult {
    let pid = pid_of(&g)?;
    let view = state.app.assessment(&g, aid).await?;
    let cmp = state.app.compare(&g, aid).await?;
    let columns: Vec<Value> = cmp
        .assessments
        .iter()
        .map(|a| context! { id => a.id, title => a.title, start => a.start_text(), end => a.end_text() })
        .collect();
    let rows: Vec<Value> = cmp
        .rows
        .iter()
        .map(|(qid, number, title, ratings)| {
            let cells: Vec<Value> = ratings
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let changed = i
                        .checked_sub(1)
                        .and_then(|p| ratings.get(p))
                        .is_some_and(|p| p != r);
                    context! { label => rating_label(&view, qid, r), changed => changed }
                })
                .collect();
            let any_change = ratings
                .iter()
                .zip(ratings.iter().skip(1))
                .any(|(a, b)| a != b);
            context! { number => number, title => title, cells => cells, changed => any_change }
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
            rows => rows,
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
    let summaries = state.app.mapped_summaries(&g, aid).await?;
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

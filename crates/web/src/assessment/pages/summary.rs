//! An assessment's summary: a stacked bar per benchmark, the same numbers as a table, and the
//! whole in a sentence.

#[allow(unused_imports)]
use super::*;
use preventkit_services::assessment::rating_chart;

pub async fn summary(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, aid)): PageIds<(PartnershipId, AssessmentId)>,
) -> PageResult {
    let pid = pid_of(&g)?;
    let view = state.app.assessment(&g, aid).await?;
    let counts = view.rating_summary();
    let largest = counts.largest_count();
    let chart = rating_chart(&counts, "ratings", "Questions at each rating, by benchmark");
    let columns: Vec<Value> = counts.columns.iter().map(column_display).collect();
    let rows: Vec<Value> = counts
        .sections
        .iter()
        .map(|s| {
            let cells: Vec<Value> = s
                .counts
                .iter()
                .map(|n| context! { count => n, shade => summary_words::shade(*n, largest) })
                .collect();
            context! { number => s.number, title => s.title, cells => cells, total => s.total }
        })
        .collect();
    let bands: Vec<Value> = summary_words::shade_bands(largest)
        .into_iter()
        .map(|(shade, from, to)| context! { shade => shade, from => from, to => to })
        .collect();
    let st = view.assessment.state;
    render(
        &state,
        &id,
        "assessment/summary.html",
        StatusCode::OK,
        context! {
            title => format!("Summary: {}", view.assessment.title),
            partnership_id => pid.to_string(),
            assessment => context! {
                id => view.assessment.id, title => view.assessment.title, start => view.assessment.start_text(),
                end => view.assessment.end_text(), state => st.label(), state_key => st.key(),
            },
            framework => context! { title => view.framework.envelope.title, version => view.framework_version },
            in_words => counts.in_words(),
            chart => Value::from_safe_string(chart),
            columns => columns,
            rows => rows,
            totals => counts.totals,
            questions => counts.questions,
            bands => bands,
        },
    )
    .map_err(PageError::from)
}

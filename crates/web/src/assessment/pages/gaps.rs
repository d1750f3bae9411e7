//! Gaps: counts first, then each gap with its rating, supporting details and the actions raised
//! for it; questions not assessed are listed apart, never as gaps.

use super::actions::action_value;
use super::*;

/// The longest supporting details shown on the gaps page before they are shortened.
const DETAILS_SHOWN: usize = 240;

/// Supporting details shortened at a word boundary, with an ellipsis when cut.
fn shorten(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    let at_word = match cut.rfind(char::is_whitespace) {
        Some(i) if i > max / 2 => cut.get(..i).unwrap_or(&cut).to_owned(),
        _ => cut,
    };
    format!(
        "{}…",
        at_word.trim_end_matches(|c: char| c.is_whitespace() || c.is_ascii_punctuation())
    )
}

pub async fn gaps(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, aid)): PageIds<(PartnershipId, AssessmentId)>,
    headers: HeaderMap,
) -> PageResult {
    let pid = pid_of(&g)?;
    let view = state.app.assessment(&g, aid).await?;
    let raised = state.app.assessment_actions(&g, aid).await?;
    let owners = state.app.action_owners(&g).await?;
    let today = state.app.today();
    let list = view.gaps();
    let gaps: Vec<Value> = list
        .gaps
        .iter()
        .map(|gap| {
            let actions: Vec<Value> = raised
                .iter()
                .filter(|a| {
                    a.question.as_ref().map(QuestionId::as_str) == Some(gap.question_id.as_str())
                })
                .map(|a| action_value(&view, &owners, a, today))
                .collect();
            context! {
                id => gap.question_id, number => gap.number, title => gap.title, kind => gap.kind,
                rating => rating_display(&view, &gap.question_id, &gap.rating),
                details => shorten(&gap.details, DETAILS_SHOWN),
                shortened => gap.details.trim().chars().count() > DETAILS_SHOWN,
                actions => actions,
            }
        })
        .collect();
    let not_assessed: Vec<Value> = list
        .not_assessed
        .iter()
        .map(|q| context! { id => q.question_id, number => q.number, title => q.title, kind => q.kind })
        .collect();
    render_with_flash(
        &state,
        &id,
        &headers,
        "assessment/gaps.html",
        context! {
            title => format!("Gaps: {}", view.assessment.title),
            partnership_id => pid.to_string(),
            assessment => context! { id => view.assessment.id, title => view.assessment.title },
            gaps => gaps,
            by_kind => list.by_kind,
            not_assessed => not_assessed,
            actions_count => raised.len(),
            can_act => can(&id, Permission::ActionManage, pid),
        },
    )
    .map_err(PageError::from)
}

#[cfg(test)]
mod tests {
    use super::shorten;

    #[test]
    fn long_details_are_shortened_at_a_word() {
        assert_eq!(shorten("  short  ", 10), "short");
        assert_eq!(shorten("one two three four", 10), "one two…");
        assert_eq!(shorten("abcdefghijklmnop", 5), "abcde…");
    }
}

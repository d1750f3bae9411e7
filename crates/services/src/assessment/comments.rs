//! Comments on questions.

use super::*;
use preventkit_domain::actions::AssessmentAction;

/// A comment as shown.
#[derive(Clone, Debug, serde::Serialize)]
pub struct CommentView {
    pub author: String,
    pub body: String,
    pub created_at: Timestamp,
}

impl App {
    /// Comment on a question. Comments stay whatever the assessment's state.
    pub async fn add_comment(
        &self,
        grant: &Grant,
        assessment: AssessmentId,
        question: &QuestionId,
        body: &str,
        ctx: &RequestContext,
    ) -> Result<(), ServiceError> {
        let pid = grant
            .require_partnership(Permission::AssessmentComment)?
            .to_string();
        let view = self.assessment(grant, assessment).await?;
        if view
            .framework
            .questions()
            .iter()
            .all(|(_, q)| q.id != question.as_str())
        {
            return Err(ServiceError::NotFound);
        }
        let mut errors = ValidationErrors::new();
        let body = validate::required_lines(
            "comment",
            "a comment",
            &body.replace('\r', ""),
            5000,
            &mut errors,
        );
        errors.into_result()?;
        let mut tx = self.db().write().await?;
        store::assessment::comments::insert(
            &mut tx,
            &Comment {
                id: CommentId::new(),
                assessment,
                question: question.clone(),
                author: grant.user_id(),
                body,
                created_at: now(),
            },
        )
        .await?;
        event(
            &mut tx,
            Some(grant.user_id()),
            ctx,
            AssessmentAction::Commented,
            Subject::Assessment {
                id: assessment.to_string(),
                partnership: pid,
            },
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The comments on a question, oldest first.
    pub async fn comments(
        &self,
        grant: &Grant,
        assessment: AssessmentId,
        question: &QuestionId,
    ) -> Result<Vec<CommentView>, ServiceError> {
        let view = self.assessment(grant, assessment).await?;
        let mut tx = self.db().read().await?;
        let rows = store::assessment::comments::for_question(&mut tx, assessment, question).await?;
        let members =
            store::administration::memberships::members_of(&mut tx, view.assessment.partnership)
                .await?;
        tx.commit().await?;
        Ok(rows
            .into_iter()
            .map(|c| CommentView {
                author: members
                    .iter()
                    .find(|m| m.user_id == c.author)
                    .map(|m| m.display_name.clone())
                    .unwrap_or_else(|| "A former member".into()),
                body: c.body,
                created_at: c.created_at,
            })
            .collect())
    }
}

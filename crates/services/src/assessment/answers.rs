//! Answering questions: ratings and supporting details with their history and the stale-edit rule.

use super::*;
use preventkit_domain::actions::AssessmentAction;

impl App {
    /// One answer with its earlier versions (newest first), read in one transaction. The
    /// view holds only that answer.
    pub async fn response_with_history(
        &self,
        grant: &Grant,
        id: AssessmentId,
        question: &QuestionId,
    ) -> Result<(AssessmentView, Vec<ResponseVersion>), ServiceError> {
        let pid = self.assessment_reader(grant)?;
        let mut tx = self.db().read().await?;
        let (assessment, framework) = self.assessment_head(&mut tx, pid, id).await?;
        let response = store::assessment::assessments::response(&mut tx, id, question)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let history = store::assessment::assessments::history(&mut tx, response.id).await?;
        tx.commit().await?;
        Ok((
            AssessmentView {
                framework_key: framework.key.clone(),
                framework_version: framework.version,
                framework,
                assessment,
                responses: HashMap::from([(response.question.0.clone(), response)]),
            },
            history,
        ))
    }

    /// Rate one question and write its supporting details. `based_on` is the version of the
    /// answer the user saw; if someone changed it since, nothing is written and both versions
    /// come back. Answers the saved answer.
    ///
    /// Everything that can be checked before writing (the assessment, its state, the
    /// question, the rating, who may answer and the answer's version) is read in one
    /// statement; the write itself goes through the answer writer (group commit, see
    /// `answer_writer`), which applies it only if nothing changed meanwhile.
    #[allow(clippy::too_many_arguments)]
    pub async fn respond(
        &self,
        grant: &Grant,
        id: AssessmentId,
        question: &QuestionId,
        based_on: i64,
        rating: &str,
        details: &str,
        ctx: &RequestContext,
    ) -> Result<Answer, Result<StaleEdit, ServiceError>> {
        self.respond_checked(grant, id, question, based_on, rating, details, ctx)
            .await
            .map_err(|e| match e {
                Refused::Stale(s) => Ok(*s),
                Refused::Error(e) => Err(e),
            })
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn respond_checked(
        &self,
        grant: &Grant,
        id: AssessmentId,
        question: &QuestionId,
        based_on: i64,
        rating: &str,
        details: &str,
        ctx: &RequestContext,
    ) -> Result<Answer, Refused> {
        let pid = self.assessment_scope(grant, Permission::AssessmentRespond)?;
        let user = grant.user_id();
        // Everything the checks need, in one statement.
        let found = self
            .answer_context(pid, id, question, user)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let framework = self.framework_by_id(found.framework_version).await?;
        if framework.question(question.as_str()).is_none() {
            return Err(ServiceError::NotFound.into());
        }
        if !answer_permitted(&found, grant) {
            return Err(ServiceError::Conflict(ASSIGNED_ELSEWHERE.into()).into());
        }
        let state = found.state;
        if !state.editable() {
            return Err(ServiceError::Conflict(format!(
                "This assessment is {} and cannot be changed. Reopen it first",
                state.after_is()
            ))
            .into());
        }
        let mut errors = ValidationErrors::new();
        let rating = rating.trim();
        if !rating_is_valid(&framework, question.as_str(), rating) {
            errors.add("rating", "Choose a rating from the list");
        }
        validate::free_text(
            "details",
            "supporting details",
            details,
            DETAILS_MAX_CHARS,
            &mut errors,
        );
        if let Some(m) = framework.missing_details(question.as_str(), rating, details) {
            errors.add("details", m);
        }
        errors.into_result().map_err(ServiceError::from)?;
        let seen = found.response;
        let stale = |current: Response, framework: Arc<StoredFramework>| {
            Refused::Stale(Box::new(StaleEdit {
                current,
                framework,
                yours_rating: rating.to_owned(),
                yours_details: details.to_owned(),
            }))
        };
        // Versions only grow, so an edit based on another version than the one just read is
        // stale whatever happens next: refuse it without writing anything.
        if !edit_is_current(seen.version, based_on) {
            return Err(stale(seen, framework));
        }
        let now = now();
        let edit = AnswerEdit {
            seen: seen.clone(),
            rating: rating.to_owned(),
            details: details.to_owned(),
            by: user,
            now,
            event: new_event(
                Some(user),
                ctx,
                AssessmentAction::Answered,
                Subject::Assessment {
                    id: id.to_string(),
                    partnership: pid.to_string(),
                },
                Outcome::Success,
            ),
        };
        // The write is conditional on the version and on the assessment still being a draft.
        // If it lands, the answer it replaced is exactly the one read above (same version),
        // which goes to the history; if not, read again to say why.
        match self.answers().write(edit).await? {
            EditOutcome::Saved => Ok(Answer {
                response: Response {
                    rating: rating.to_owned(),
                    details: details.to_owned(),
                    version: based_on + 1,
                    updated_by: Some(user),
                    updated_at: now,
                    ..seen
                },
                framework,
            }),
            EditOutcome::NotApplied => {
                let mut tx = self.db().read().await?;
                let current = store::assessment::assessments::response(&mut tx, id, question)
                    .await?
                    .ok_or(ServiceError::NotFound)?;
                tx.commit().await?;
                if !edit_is_current(current.version, based_on) {
                    return Err(stale(current, framework));
                }
                Err(ServiceError::Conflict(
                    "This assessment changed state while you were editing. Nothing was saved; reload it"
                        .into(),
                )
                .into())
            }
        }
    }

    /// Earlier versions of one answer, newest first.
    pub async fn response_history(
        &self,
        grant: &Grant,
        id: AssessmentId,
        question: &QuestionId,
    ) -> Result<Vec<ResponseVersion>, ServiceError> {
        Ok(self.response_with_history(grant, id, question).await?.1)
    }
}

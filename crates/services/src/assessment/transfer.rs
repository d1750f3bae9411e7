//! The assessment as a spreadsheet: XLSX and CSV export, and XLSX import.

use super::*;
use preventkit_domain::actions::AssessmentAction;

impl App {
    pub(crate) fn sheet_rows(
        view: &AssessmentView,
    ) -> HashMap<String, preventkit_reports::assessment_sheet::Row> {
        view.responses
            .values()
            .map(|r| {
                (
                    r.question.0.clone(),
                    preventkit_reports::assessment_sheet::Row {
                        question_id: r.question.0.clone(),
                        number: String::new(),
                        kind: String::new(),
                        question: String::new(),
                        rating: r.rating.clone(),
                        details: r.details.clone(),
                        evidence: Vec::new(),
                        version: r.version,
                    },
                )
            })
            .collect()
    }

    /// Render the assessment with `render` (a spreadsheet or CSV writer).
    pub(crate) async fn export<T>(
        &self,
        grant: &Grant,
        id: AssessmentId,
        render: impl FnOnce(&preventkit_reports::assessment_sheet::Sheet<'_>) -> Result<T, String>,
    ) -> Result<T, ServiceError> {
        let view = self.assessment(grant, id).await?;
        let a = &view.assessment;
        let period = format!("{} to {}", a.start_text(), a.end_text());
        let assessment_id = a.id.to_string();
        let sheet = preventkit_reports::assessment_sheet::Sheet {
            assessment_id: &assessment_id,
            title: &a.title,
            state: a.state,
            period: &period,
            framework: &view.framework,
            framework_version: view.framework_version,
            rows: Self::sheet_rows(&view),
        };
        render(&sheet).map_err(ServiceError::Internal)
    }

    /// The assessment as a spreadsheet laid out like the paper tool.
    pub async fn export_xlsx(
        &self,
        grant: &Grant,
        id: AssessmentId,
    ) -> Result<Vec<u8>, ServiceError> {
        self.export(grant, id, |s| {
            preventkit_reports::assessment_sheet::to_xlsx(s)
                .map_err(|e| format!("spreadsheet: {e}"))
        })
        .await
    }

    /// The assessment as CSV, with formula-like values neutralised.
    pub async fn export_csv(
        &self,
        grant: &Grant,
        id: AssessmentId,
    ) -> Result<String, ServiceError> {
        self.export(grant, id, |s| {
            preventkit_reports::assessment_sheet::to_csv(s).map_err(|e| format!("csv: {e}"))
        })
        .await
    }

    /// Bring answers back from a filled-in spreadsheet. Every bad row and column is reported
    /// and nothing changes unless the whole file is good. Answers the number of questions
    /// whose answer changed.
    pub async fn import_xlsx(
        &self,
        grant: &Grant,
        id: AssessmentId,
        bytes: &[u8],
        ctx: &RequestContext,
    ) -> Result<usize, ServiceError> {
        let pid = grant.require_partnership(Permission::AssessmentRespond)?;
        let view = self.assessment(grant, id).await?;
        let state = view.assessment.state;
        if !state.editable() {
            return Err(ServiceError::Conflict(format!(
                "This assessment is {} and cannot be changed. Reopen it first",
                state.label().to_lowercase()
            )));
        }
        // The assessment and the right to answer in it are checked above, before the file is
        // read. Reading is bounded by the reader's own limits (entries, sizes, cell positions,
        // time) and runs on a blocking thread, so a hostile file cannot hold up other requests.
        let file = bytes.to_vec();
        let framework = Arc::clone(&view.framework);
        let assessment_id = view.assessment.id.to_string();
        let read = tokio::task::spawn_blocking(move || {
            preventkit_reports::assessment_sheet::from_xlsx(&file, &framework, &assessment_id)
        })
        .await
        .map_err(|e| ServiceError::Internal(format!("spreadsheet reader stopped: {e}")))?;
        let answers = read.map_err(|problems| {
            let mut v = ValidationErrors::new();
            for p in problems {
                v.add("file", p.to_string());
            }
            ServiceError::Validation(v)
        })?;
        let mut invalid = ValidationErrors::new();
        for a in &answers {
            let mut e = ValidationErrors::new();
            validate::free_text(
                "file",
                "supporting details",
                &a.details,
                DETAILS_MAX_CHARS,
                &mut e,
            );
            for fe in e.0 {
                invalid.add(
                    "file",
                    format!("Question {}: {}", a.question_id, fe.message),
                );
            }
        }
        invalid.into_result()?;
        let now = now();
        let by = grant.user_id();
        let mut tx = self.db().write().await?;
        let mut not_yours = ValidationErrors::new();
        for a in &answers {
            let question = QuestionId::from(a.question_id.as_str());
            let Some(current) =
                store::assessment::assessments::response(&mut tx, id, &question).await?
            else {
                continue;
            };
            let differs = current.rating != a.rating || current.details != a.details;
            if differs && !self.may_answer(&mut tx, grant, id, &question).await? {
                not_yours.add(
                    "file",
                    format!(
                        "Question {} is assigned to another partner: leave its row as exported",
                        a.question_id
                    ),
                );
            }
        }
        if !not_yours.is_empty() {
            tx.rollback().await?;
            return Err(ServiceError::Validation(not_yours));
        }
        let mut changed = 0;
        for a in answers {
            let Some(current) = store::assessment::assessments::response(
                &mut tx,
                id,
                &QuestionId::from(a.question_id.as_str()),
            )
            .await?
            else {
                continue;
            };
            if current.rating == a.rating && current.details == a.details {
                continue;
            }
            if !store::assessment::assessments::update_response(
                &mut tx,
                &current,
                State::Draft,
                current.version,
                &a.rating,
                &a.details,
                by,
                now,
            )
            .await?
            {
                return Err(ServiceError::Conflict(
                    "This assessment changed while the file was read. Nothing was imported; try again"
                        .into(),
                ));
            }
            changed += 1;
        }
        event(
            &mut tx,
            Some(grant.user_id()),
            ctx,
            AssessmentAction::Imported,
            Subject::Assessment {
                id: id.to_string(),
                partnership: pid.to_string(),
            },
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(changed)
    }
}

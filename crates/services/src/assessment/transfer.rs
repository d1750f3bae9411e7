//! The assessment as a spreadsheet: XLSX and CSV export, and XLSX import.

use super::*;
use preventkit_domain::actions::AssessmentAction;
use preventkit_domain::import_plan::{self, Answer as FileAnswer, Decision, FileEntry, ImportPlan};

/// One evidence item as a spreadsheet cell shows it: its title and marking, or, for a reader
/// not cleared for its marking, only that an item exists.
fn evidence_entry(e: &crate::evidence::EvidenceView) -> String {
    match (&e.title, e.visible) {
        (Some(title), true) => format!("{title} ({})", e.marking),
        _ => format!(
            "An item marked {} (not shown: you are not cleared to see it)",
            e.marking
        ),
    }
}

impl App {
    /// Each question's row for a spreadsheet, with the titles of the evidence linked to it
    /// (`evidence`: question id and the item as this reader may see it).
    pub(crate) fn sheet_rows(
        view: &AssessmentView,
        evidence: &[(String, crate::evidence::EvidenceView)],
    ) -> HashMap<String, preventkit_reports::assessment_sheet::Row> {
        view.responses
            .values()
            .map(|r| {
                let items = evidence
                    .iter()
                    .filter(|(q, _)| *q == r.question.0)
                    .map(|(_, e)| evidence_entry(e))
                    .collect();
                (
                    r.question.0.clone(),
                    preventkit_reports::assessment_sheet::Row {
                        question_id: r.question.0.clone(),
                        number: String::new(),
                        kind: String::new(),
                        question: String::new(),
                        rating: r.rating.clone(),
                        details: r.details.clone(),
                        evidence: items,
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
        let evidence = self.assessment_evidence(grant, &id.to_string()).await?;
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
            rows: Self::sheet_rows(&view, &evidence),
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

    /// Read a filled-in spreadsheet into its rows, checking each cell. Every bad row and
    /// column is reported; nothing is read from the database and nothing is written.
    async fn read_spreadsheet(
        view: &AssessmentView,
        bytes: &[u8],
    ) -> Result<Vec<FileEntry>, ServiceError> {
        // Reading is bounded by the reader's own limits (entries, sizes, cell positions,
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
        Ok(answers
            .into_iter()
            .map(|a| FileEntry {
                question: QuestionId::from(a.question_id.as_str()),
                number: a.number,
                exported_version: a.exported_version,
                answer: FileAnswer {
                    rating: a.rating,
                    details: a.details,
                },
            })
            .collect())
    }

    /// The assessment, checked to be one the reader may answer in and still a draft.
    async fn importable(
        &self,
        grant: &Grant,
        id: AssessmentId,
    ) -> Result<(PartnershipId, AssessmentView), ServiceError> {
        let pid = grant.require_partnership(Permission::AssessmentRespond)?;
        let view = self.assessment(grant, id).await?;
        let state = view.assessment.state;
        if !state.editable() {
            return Err(ServiceError::Conflict(format!(
                "This assessment is {} and cannot be changed. Reopen it first",
                state.after_is()
            )));
        }
        Ok((pid, view))
    }

    /// Bring answers back from a filled-in spreadsheet, under the stale-edit rule.
    ///
    /// The file is read and checked first: every bad row and column is reported and nothing
    /// changes unless the whole file is good. Each answer is then decided against the answer
    /// as it stands (see [`preventkit_domain::import_plan`]): unchanged, changed, or refused as
    /// stale because it changed on the site after the file was exported. When some answers
    /// are stale and `confirmed` is false, nothing is written and the plan comes back for the
    /// person to confirm; otherwise the changes are written and the stale answers are left as
    /// they are.
    pub async fn import_xlsx(
        &self,
        grant: &Grant,
        id: AssessmentId,
        bytes: &[u8],
        confirmed: bool,
        ctx: &RequestContext,
    ) -> Result<ImportReport, ServiceError> {
        let (_, view) = self.importable(grant, id).await?;
        let rows = checked_rows(&view, Self::read_spreadsheet(&view, bytes).await?)?;
        if !confirmed {
            let plan = import_plan::plan(rows.clone(), |q| current_answer(&view, q));
            if plan.needs_confirmation() {
                self.check_assignments(grant, id, &plan).await?;
                return Ok(ImportReport {
                    view,
                    plan,
                    applied: false,
                    rows,
                });
            }
        }
        self.apply_import(grant, id, rows, ctx).await
    }

    /// Write the changes among `rows` (read from a spreadsheet earlier and carried through a
    /// confirmation), deciding each again against the answers as they stand now: an answer
    /// changed since is refused as stale, never overwritten. Every row is checked again as if
    /// it had just been read. Answers what was done, question by question.
    pub async fn apply_import(
        &self,
        grant: &Grant,
        id: AssessmentId,
        rows: Vec<FileEntry>,
        ctx: &RequestContext,
    ) -> Result<ImportReport, ServiceError> {
        let (pid, view) = self.importable(grant, id).await?;
        let rows = checked_rows(&view, rows)?;
        let now = now();
        let by = grant.user_id();
        let mut tx = self.db().write().await?;
        // Decided inside the write transaction, so no answer can change between the decision
        // and the write.
        let stored: HashMap<QuestionId, Response> =
            store::assessment::assessments::responses(&mut tx, id)
                .await?
                .into_iter()
                .map(|r| (r.question.clone(), r))
                .collect();
        let plan = import_plan::plan(rows.clone(), |q| {
            stored.get(q).map(|r| import_plan::Current {
                version: r.version,
                answer: FileAnswer {
                    rating: r.rating.clone(),
                    details: r.details.clone(),
                },
            })
        });
        let mut not_yours = ValidationErrors::new();
        for row in plan.changes() {
            if !self.may_answer(&mut tx, grant, id, &row.question).await? {
                not_yours.add("file", assigned_elsewhere(&row.number));
            }
        }
        if !not_yours.is_empty() {
            tx.rollback().await?;
            return Err(ServiceError::Validation(not_yours));
        }
        for row in plan.changes() {
            let (Decision::Change { based_on, to }, Some(current)) =
                (&row.decision, stored.get(&row.question))
            else {
                continue;
            };
            let written = store::assessment::assessments::update_response(
                &mut tx,
                current,
                State::Draft,
                *based_on,
                &to.rating,
                &to.details,
                by,
                now,
            )
            .await?;
            if !written {
                return Err(ServiceError::Conflict(
                    "This assessment changed while the file was read. Nothing was imported; try again"
                        .into(),
                ));
            }
        }
        event(
            &mut tx,
            Some(by),
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
        let view = self.assessment(grant, id).await?;
        Ok(ImportReport {
            view,
            plan,
            applied: true,
            rows,
        })
    }

    /// Refuse, before anything is written, a file that changes a question assigned to someone
    /// else.
    async fn check_assignments(
        &self,
        grant: &Grant,
        id: AssessmentId,
        plan: &ImportPlan,
    ) -> Result<(), ServiceError> {
        let mut tx = self.db().read().await?;
        let mut not_yours = ValidationErrors::new();
        for row in plan.changes() {
            if !self.may_answer(&mut tx, grant, id, &row.question).await? {
                not_yours.add("file", assigned_elsewhere(&row.number));
            }
        }
        tx.commit().await?;
        not_yours.into_result().map_err(ServiceError::from)
    }
}

/// What an import did, or would do once confirmed, question by question.
#[derive(Clone, Debug)]
pub struct ImportReport {
    /// The assessment as it stands after the import (or before, if nothing was written).
    pub view: AssessmentView,
    pub plan: ImportPlan,
    /// Whether the changes were written. False when stale answers need the person's
    /// confirmation first.
    pub applied: bool,
    /// The file's rows, checked, to carry through the confirmation.
    pub rows: Vec<FileEntry>,
}

fn assigned_elsewhere(number: &str) -> String {
    format!("Question {number} is assigned to another partner: leave its row as exported")
}

fn current_answer(view: &AssessmentView, q: &QuestionId) -> Option<import_plan::Current> {
    view.responses
        .get(q.as_str())
        .map(|r| import_plan::Current {
            version: r.version,
            answer: FileAnswer {
                rating: r.rating.clone(),
                details: r.details.clone(),
            },
        })
}

/// Check rows carried from a file as if they had just been read: each names a question of
/// this assessment once, with a rating on its scale, details within the limit and present
/// where the rating needs them. The number
/// shown is the framework's, whatever the row says.
fn checked_rows(
    view: &AssessmentView,
    rows: Vec<FileEntry>,
) -> Result<Vec<FileEntry>, ServiceError> {
    let mut errors = ValidationErrors::new();
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(rows.len());
    for mut row in rows {
        let Some(q) = view.framework.question(row.question.as_str()) else {
            errors.add("file", "The file names a question this assessment does not have. Export the assessment again");
            continue;
        };
        row.number = q.number.clone();
        if !seen.insert(row.question.clone()) {
            errors.add(
                "file",
                format!("Question {}: it appears more than once", row.number),
            );
            continue;
        }
        row.answer.rating = row.answer.rating.trim().to_owned();
        if !rating_is_valid(&view.framework, row.question.as_str(), &row.answer.rating) {
            errors.add(
                "file",
                format!("Question {}: choose a rating from the list", row.number),
            );
        }
        let mut e = ValidationErrors::new();
        validate::free_text(
            "file",
            "supporting details",
            &row.answer.details,
            DETAILS_MAX_CHARS,
            &mut e,
        );
        for fe in e.0 {
            errors.add("file", format!("Question {}: {}", row.number, fe.message));
        }
        // Rows carried through a confirmation are checked again here; the reader has already
        // named the row and column of a file's own rows.
        if let Some(m) = view.framework.missing_details(
            row.question.as_str(),
            &row.answer.rating,
            &row.answer.details,
        ) {
            errors.add("file", format!("Question {}: {m}", row.number));
        }
        out.push(row);
    }
    errors.into_result()?;
    Ok(out)
}

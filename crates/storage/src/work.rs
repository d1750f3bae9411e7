//! The home page's reads: what waits for one person across the partnerships they may see.
//! Every function takes the partnerships the policy granted the matching permission in, and
//! reads only titles, dates, counts and the facts the policy's relationship rules need.

use crate::administration::tables::Partnerships as P;
use crate::assessment::tables::{
    Actions as Act, Assessments as A, Assignments as G, Responses as R,
};
use crate::evidence::Evidence as E;
use crate::identity::tables::Users as U;
use crate::{StorageError, Tx};
use preventkit_domain::assessment::{reviewed_this_period, FIRST_VERSION};
use preventkit_domain::work::{Progress, WorkItem, WorkKind, WorkTarget};
use preventkit_domain::{
    ActionId, AssessmentId, EvidenceId, Marking, OrganisationId, PartnershipId, QuestionId, UserId,
};
use sea_query::{Alias, Expr, Func, Query, SelectStatement};
use sqlx::FromRow;
use time::Date;

/// One assigned question of a draft assessment, with what the policy needs to decide whether
/// the person answers it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssignedQuestion {
    pub assessment: AssessmentId,
    pub partnership: PartnershipId,
    pub partnership_name: String,
    pub title: String,
    pub question: QuestionId,
    pub assigned_user: Option<UserId>,
    pub assigned_organisation: Option<OrganisationId>,
    /// The organisation of the person asking.
    pub organisation: Option<OrganisationId>,
    /// Whether the answer was reviewed this period (changed or confirmed since it began).
    pub reviewed: bool,
}

/// A submitted assessment and who submitted it (nobody approves their own).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Submitted {
    pub item: WorkItem,
    pub submitted_by: Option<UserId>,
}

fn keys(ids: &[PartnershipId]) -> Vec<String> {
    ids.iter().map(ToString::to_string).collect()
}

fn corrupt(at: Col) -> StorageError {
    StorageError::Corrupt {
        table: at.0,
        column: at.1,
    }
}

/// A stored column: (table, column), named in the error when its value cannot be read.
type Col = (&'static str, &'static str);

fn id<T: std::str::FromStr>(s: &str, at: Col) -> Result<T, StorageError> {
    s.parse().map_err(|_| corrupt(at))
}

fn opt_id<T: std::str::FromStr>(s: Option<&str>, at: Col) -> Result<Option<T>, StorageError> {
    s.filter(|v| !v.is_empty()).map(|v| id(v, at)).transpose()
}

fn date(s: &str, at: Col) -> Result<Date, StorageError> {
    preventkit_domain::dates::parse_iso(s).ok_or_else(|| corrupt(at))
}

fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[derive(FromRow)]
struct AssignedRow {
    assessment_id: String,
    partnership_id: String,
    partnership_name: String,
    title: String,
    question_id: String,
    assigned_user: Option<String>,
    assigned_organisation: Option<String>,
    user_organisation: Option<String>,
    version: Option<i64>,
}

/// The questions of draft assessments in `partnerships` assigned to `user` by name or to the
/// organisation they belong to.
pub async fn assigned_questions(
    tx: &mut Tx,
    partnerships: &[PartnershipId],
    user: UserId,
) -> Result<Vec<AssignedQuestion>, StorageError> {
    if partnerships.is_empty() {
        return Ok(Vec::new());
    }
    let me = user.to_string();
    let q = Query::select()
        .expr_as(Expr::col((A::Table, A::Id)), Alias::new("assessment_id"))
        .expr_as(
            Expr::col((A::Table, A::PartnershipId)),
            Alias::new("partnership_id"),
        )
        .expr_as(
            Expr::col((P::Table, P::Name)),
            Alias::new("partnership_name"),
        )
        .expr_as(Expr::col((A::Table, A::Title)), Alias::new("title"))
        .expr_as(
            Expr::col((G::Table, G::QuestionId)),
            Alias::new("question_id"),
        )
        .expr_as(
            Expr::col((G::Table, G::UserId)),
            Alias::new("assigned_user"),
        )
        .expr_as(
            Expr::col((G::Table, G::OrganisationId)),
            Alias::new("assigned_organisation"),
        )
        .expr_as(
            Expr::col((U::Table, U::OrganisationId)),
            Alias::new("user_organisation"),
        )
        .expr_as(Expr::col((R::Table, R::Version)), Alias::new("version"))
        .from(G::Table)
        .inner_join(
            A::Table,
            Expr::col((A::Table, A::Id)).equals((G::Table, G::AssessmentId)),
        )
        .inner_join(
            P::Table,
            Expr::col((P::Table, P::Id)).equals((A::Table, A::PartnershipId)),
        )
        .inner_join(U::Table, Expr::col((U::Table, U::Id)).eq(me.clone()))
        .left_join(
            R::Table,
            Expr::col((R::Table, R::AssessmentId))
                .equals((G::Table, G::AssessmentId))
                .and(Expr::col((R::Table, R::QuestionId)).equals((G::Table, G::QuestionId))),
        )
        .and_where(Expr::col((A::Table, A::State)).eq("draft"))
        .and_where(Expr::col((A::Table, A::PartnershipId)).is_in(keys(partnerships)))
        .and_where(
            Expr::col((G::Table, G::UserId))
                .eq(me)
                .or(Expr::col((G::Table, G::OrganisationId)).equals((U::Table, U::OrganisationId))),
        )
        .to_owned();
    let rows: Vec<AssignedRow> = tx.fetch_all(&q).await?;
    rows.into_iter()
        .map(|r| {
            Ok(AssignedQuestion {
                assessment: id(&r.assessment_id, ("assessments", "id"))?,
                partnership: id(&r.partnership_id, ("partnerships", "id"))?,
                partnership_name: r.partnership_name,
                title: r.title,
                question: QuestionId(r.question_id),
                assigned_user: opt_id(r.assigned_user.as_deref(), ("assignments", "user_id"))?,
                assigned_organisation: opt_id(
                    r.assigned_organisation.as_deref(),
                    ("assignments", "organisation_id"),
                )?,
                organisation: opt_id(r.user_organisation.as_deref(), ("users", "organisation_id"))?,
                reviewed: r.version.is_some_and(reviewed_this_period),
            })
        })
        .collect()
}

#[derive(FromRow)]
struct AssessmentRow {
    id: String,
    partnership_id: String,
    partnership_name: String,
    title: String,
    submitted_by: Option<String>,
    total: i64,
    reviewed: i64,
}

fn assessments_in(partnerships: &[PartnershipId], state: &str) -> SelectStatement {
    // Reviewed this period: past the first version (see `domain::assessment::reviewed_this_period`).
    let reviewed = Expr::case(
        Expr::col((R::Table, R::Version)).gt(FIRST_VERSION),
        Expr::val(1),
    )
    .finally(Expr::val(0));
    Query::select()
        .expr_as(Expr::col((A::Table, A::Id)), Alias::new("id"))
        .expr_as(
            Expr::col((A::Table, A::PartnershipId)),
            Alias::new("partnership_id"),
        )
        .expr_as(
            Expr::col((P::Table, P::Name)),
            Alias::new("partnership_name"),
        )
        .expr_as(Expr::col((A::Table, A::Title)), Alias::new("title"))
        .expr_as(
            Expr::col((A::Table, A::SubmittedBy)),
            Alias::new("submitted_by"),
        )
        .expr_as(
            Func::count(Expr::col((R::Table, R::Id))),
            Alias::new("total"),
        )
        .expr_as(
            Func::coalesce([Func::sum(reviewed).into(), Expr::val(0).into()]),
            Alias::new("reviewed"),
        )
        .from(A::Table)
        .inner_join(
            P::Table,
            Expr::col((P::Table, P::Id)).equals((A::Table, A::PartnershipId)),
        )
        .left_join(
            R::Table,
            Expr::col((R::Table, R::AssessmentId)).equals((A::Table, A::Id)),
        )
        .and_where(Expr::col((A::Table, A::State)).eq(state))
        .and_where(Expr::col((A::Table, A::PartnershipId)).is_in(keys(partnerships)))
        .group_by_col((A::Table, A::Id))
        .group_by_col((A::Table, A::PartnershipId))
        .group_by_col((P::Table, P::Name))
        .group_by_col((A::Table, A::Title))
        .group_by_col((A::Table, A::SubmittedBy))
        .to_owned()
}

fn assessment_item(r: AssessmentRow, kind: WorkKind) -> Result<Submitted, StorageError> {
    let partnership = id(&r.partnership_id, ("partnerships", "id"))?;
    Ok(Submitted {
        item: WorkItem {
            kind,
            partnership,
            partnership_name: r.partnership_name,
            title: r.title,
            target: WorkTarget::Assessment {
                partnership,
                assessment: id(&r.id, ("assessments", "id"))?,
            },
            due: None,
            progress: Some(Progress {
                done: count(r.reviewed),
                total: count(r.total),
            }),
        },
        submitted_by: opt_id(r.submitted_by.as_deref(), ("assessments", "submitted_by"))?,
    })
}

/// Submitted assessments in `partnerships`, waiting for the board's approval.
pub async fn submitted(
    tx: &mut Tx,
    partnerships: &[PartnershipId],
) -> Result<Vec<Submitted>, StorageError> {
    if partnerships.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<AssessmentRow> = tx
        .fetch_all(&assessments_in(partnerships, "submitted"))
        .await?;
    rows.into_iter()
        .map(|r| assessment_item(r, WorkKind::ApprovalWaiting))
        .collect()
}

/// Draft assessments in `partnerships`, with how many of their questions have an answer.
pub async fn drafts(
    tx: &mut Tx,
    partnerships: &[PartnershipId],
) -> Result<Vec<WorkItem>, StorageError> {
    if partnerships.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<AssessmentRow> = tx.fetch_all(&assessments_in(partnerships, "draft")).await?;
    rows.into_iter()
        .map(|r| assessment_item(r, WorkKind::DraftProgress).map(|s| s.item))
        .collect()
}

#[derive(FromRow)]
struct DatedRow {
    id: String,
    partnership_id: String,
    partnership_name: String,
    title: String,
    due: String,
    assessment_id: Option<String>,
    marking: Option<String>,
}

/// The columns of one owned, dated record: each the table's own, or NULL where the table has
/// no such column.
struct Dated<T> {
    table: T,
    id: T,
    partnership: T,
    title: T,
    due: T,
    owner: T,
    assessment: Option<T>,
    marking: Option<T>,
}

/// Records of `d.table` in `partnerships`, owned by `user`, dated on or before `until`, with
/// the partnership's name.
fn owned_and_due<T: sea_query::Iden + Copy + 'static>(
    d: Dated<T>,
    partnerships: &[PartnershipId],
    user: UserId,
    until: Date,
) -> SelectStatement {
    let col = |c: T| Expr::col((d.table, c));
    let optional = |c: Option<T>| -> sea_query::SimpleExpr {
        match c {
            Some(c) => Expr::col((d.table, c)).into(),
            None => Expr::val(Option::<String>::None).into(),
        }
    };
    Query::select()
        .expr_as(col(d.id), Alias::new("id"))
        .expr_as(col(d.partnership), Alias::new("partnership_id"))
        .expr_as(
            Expr::col((P::Table, P::Name)),
            Alias::new("partnership_name"),
        )
        .expr_as(col(d.title), Alias::new("title"))
        .expr_as(col(d.due), Alias::new("due"))
        .expr_as(optional(d.assessment), Alias::new("assessment_id"))
        .expr_as(optional(d.marking), Alias::new("marking"))
        .from(d.table)
        .inner_join(
            P::Table,
            Expr::col((P::Table, P::Id)).equals((d.table, d.partnership)),
        )
        .and_where(col(d.partnership).is_in(keys(partnerships)))
        .and_where(col(d.owner).eq(user.to_string()))
        .and_where(col(d.due).is_not_null())
        .and_where(col(d.due).ne(""))
        .and_where(col(d.due).lte(until_key(until)))
        .to_owned()
}

/// Open actions in `partnerships` owned by `user` and due on or before `until`.
pub async fn actions_due(
    tx: &mut Tx,
    partnerships: &[PartnershipId],
    user: UserId,
    until: Date,
) -> Result<Vec<WorkItem>, StorageError> {
    if partnerships.is_empty() {
        return Ok(Vec::new());
    }
    let q = owned_and_due(
        Dated {
            table: Act::Table,
            id: Act::Id,
            partnership: Act::PartnershipId,
            title: Act::Title,
            due: Act::DueDate,
            owner: Act::OwnerId,
            assessment: Some(Act::AssessmentId),
            marking: None,
        },
        partnerships,
        user,
        until,
    )
    .and_where(Expr::col((Act::Table, Act::Status)).is_not_in(["done", "closed"]))
    .to_owned();
    let rows: Vec<DatedRow> = tx.fetch_all(&q).await?;
    rows.into_iter()
        .map(|r| {
            let partnership = id(&r.partnership_id, ("partnerships", "id"))?;
            Ok(WorkItem {
                kind: WorkKind::ActionsDue,
                partnership,
                partnership_name: r.partnership_name,
                title: r.title,
                target: WorkTarget::Action {
                    partnership,
                    action: id::<ActionId>(&r.id, ("actions", "id"))?,
                    assessment: opt_id(r.assessment_id.as_deref(), ("assessments", "id"))?,
                },
                due: Some(date(&r.due, ("actions", "due_date"))?),
                progress: None,
            })
        })
        .collect()
}

/// Evidence in `partnerships` owned by `user` whose review date is on or before `until`, with
/// each item's marking so the service can hide titles above the reader's clearance.
pub async fn evidence_due(
    tx: &mut Tx,
    partnerships: &[PartnershipId],
    user: UserId,
    until: Date,
) -> Result<Vec<(WorkItem, Marking)>, StorageError> {
    if partnerships.is_empty() {
        return Ok(Vec::new());
    }
    let q = owned_and_due(
        Dated {
            table: E::Table,
            id: E::Id,
            partnership: E::PartnershipId,
            title: E::Title,
            due: E::ReviewDate,
            owner: E::OwnerId,
            assessment: None,
            marking: Some(E::Marking),
        },
        partnerships,
        user,
        until,
    );
    let rows: Vec<DatedRow> = tx.fetch_all(&q).await?;
    rows.into_iter()
        .map(|r| {
            let partnership = id(&r.partnership_id, ("partnerships", "id"))?;
            let marking = r
                .marking
                .as_deref()
                .and_then(Marking::from_key)
                .ok_or_else(|| corrupt(("evidence", "marking")))?;
            Ok((
                WorkItem {
                    kind: WorkKind::EvidenceReview,
                    partnership,
                    partnership_name: r.partnership_name,
                    title: r.title,
                    target: WorkTarget::Evidence {
                        partnership,
                        evidence: id::<EvidenceId>(&r.id, ("evidence", "id"))?,
                    },
                    due: Some(date(&r.due, ("evidence", "review_date"))?),
                    progress: None,
                },
                marking,
            ))
        })
        .collect()
}

/// Dates are stored as `YYYY-MM-DD`, so they compare as text.
fn until_key(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

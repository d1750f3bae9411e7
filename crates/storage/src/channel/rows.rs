//! The case tables' rows as stored, each decoded once into its domain type. Rows never leave
//! storage.

use crate::column::{col, Column};
use crate::decode::time;
use crate::StorageError;
use preventkit_domain::channel::{
    CaseEventRecord, CaseListing, CaseRecord, ExceptionalAccess, SealedReferral,
};
use preventkit_domain::sealed::Sealed;
use sqlx::FromRow;

fn sealed(c: Column, text: String) -> Result<Sealed, StorageError> {
    Sealed::from_stored(text).map_err(|_| c.error())
}

fn sealed_opt(c: Column, text: Option<String>) -> Result<Option<Sealed>, StorageError> {
    text.map(|t| sealed(c, t)).transpose()
}

/// The plain columns of a case: what a list shows.
#[derive(Clone, Debug, FromRow)]
pub(crate) struct ListingRow {
    pub id: String,
    pub reference: String,
    pub stage: String,
    pub outcome: Option<String>,
    pub concern_type: String,
    pub sector: String,
    pub referred_at: i64,
    pub referrer_id: String,
    pub case_officer_id: Option<String>,
    pub updated_at: i64,
    pub version: i64,
}

impl TryFrom<ListingRow> for CaseListing {
    type Error = StorageError;
    fn try_from(r: ListingRow) -> Result<Self, StorageError> {
        let c = |name| col("cases", name);
        Ok(CaseListing {
            id: c("id").parse(&r.id)?,
            reference: preventkit_domain::channel::CaseReference::parse(&r.reference)
                .ok_or_else(|| c("reference").error())?,
            stage: c("stage").parse(&r.stage)?,
            outcome: c("outcome").parse_opt(r.outcome.as_deref())?,
            concern: c("concern_type").parse(&r.concern_type)?,
            sector: c("sector").parse(&r.sector)?,
            referred_at: time(r.referred_at),
            referrer: c("referrer_id").parse(&r.referrer_id)?,
            case_officer: c("case_officer_id").parse_opt(r.case_officer_id.as_deref())?,
            updated_at: time(r.updated_at),
            version: r.version,
        })
    }
}

/// A whole case row.
#[derive(Clone, Debug, FromRow)]
pub(crate) struct CaseRow {
    #[sqlx(flatten)]
    pub listing: ListingRow,
    pub partnership_id: String,
    pub year: i64,
    pub number: i64,
    pub aware: String,
    pub gender: String,
    pub age_band: String,
    pub attached_to: Option<String>,
    pub identity_index: Option<String>,
    pub person_name: String,
    pub date_of_birth: Option<String>,
    pub approximate_age: Option<String>,
    pub address: String,
    pub contact: Option<String>,
    pub professionals: Option<String>,
    pub concern: String,
    pub organisation: String,
}

impl TryFrom<CaseRow> for CaseRecord {
    type Error = StorageError;
    fn try_from(r: CaseRow) -> Result<Self, StorageError> {
        let c = |name| col("cases", name);
        Ok(CaseRecord {
            listing: r.listing.try_into()?,
            partnership: c("partnership_id").parse(&r.partnership_id)?,
            year: c("year").int(r.year)?,
            number: r.number,
            aware: c("aware").parse(&r.aware)?,
            gender: c("gender").parse(&r.gender)?,
            age_band: c("age_band").parse(&r.age_band)?,
            identity_index: r.identity_index,
            attached_to: c("attached_to").parse_opt(r.attached_to.as_deref())?,
            sealed: SealedReferral {
                person_name: sealed(c("person_name"), r.person_name)?,
                date_of_birth: sealed_opt(c("date_of_birth"), r.date_of_birth)?,
                approximate_age: sealed_opt(c("approximate_age"), r.approximate_age)?,
                address: sealed(c("address"), r.address)?,
                contact: sealed_opt(c("contact"), r.contact)?,
                professionals: sealed_opt(c("professionals"), r.professionals)?,
                concern: sealed(c("concern"), r.concern)?,
                organisation: sealed(c("organisation"), r.organisation)?,
            },
        })
    }
}

#[derive(Clone, Debug, FromRow)]
pub(crate) struct EventRow {
    pub id: String,
    pub case_id: String,
    pub partnership_id: String,
    pub kind: String,
    pub at: i64,
    pub by_user: String,
    pub on_date: Option<String>,
    pub result: Option<String>,
    pub user_ref: Option<String>,
    pub case_ref: Option<String>,
    pub detail: Option<String>,
}

impl TryFrom<EventRow> for CaseEventRecord {
    type Error = StorageError;
    fn try_from(r: EventRow) -> Result<Self, StorageError> {
        use preventkit_domain::channel::CaseEventKind as K;
        let c = |name| col("case_events", name);
        let kind: K = c("kind").parse(&r.kind)?;
        let result = r.result.as_deref();
        let (deconfliction, outcome, decision) = match kind {
            K::Deconfliction => (c("result").parse_opt(result)?, None, None),
            K::Outcome => (None, c("result").parse_opt(result)?, None),
            K::Decision => (None, None, c("result").parse_opt(result)?),
            _ => (None, None, None),
        };
        Ok(CaseEventRecord {
            id: c("id").parse(&r.id)?,
            case: c("case_id").parse(&r.case_id)?,
            partnership: c("partnership_id").parse(&r.partnership_id)?,
            kind,
            at: time(r.at),
            by: c("by_user").parse(&r.by_user)?,
            on: r
                .on_date
                .as_deref()
                .map(|d| c("on_date").date(d))
                .transpose()?,
            deconfliction,
            outcome,
            decision,
            user: c("user_ref").parse_opt(r.user_ref.as_deref())?,
            other_case: c("case_ref").parse_opt(r.case_ref.as_deref())?,
            detail: sealed_opt(c("detail"), r.detail)?,
        })
    }
}

#[derive(Clone, Debug, FromRow)]
pub(crate) struct ExceptionRow {
    pub case_id: String,
    pub partnership_id: String,
    pub user_id: String,
    pub reason: String,
    pub given_at: i64,
    pub until: i64,
}

impl TryFrom<ExceptionRow> for ExceptionalAccess {
    type Error = StorageError;
    fn try_from(r: ExceptionRow) -> Result<Self, StorageError> {
        let c = |name| col("case_exceptions", name);
        Ok(ExceptionalAccess {
            case: c("case_id").parse(&r.case_id)?,
            partnership: c("partnership_id").parse(&r.partnership_id)?,
            user: c("user_id").parse(&r.user_id)?,
            reason: r.reason,
            given_at: time(r.given_at),
            until: time(r.until),
        })
    }
}

//! `preventkit-bench-seed`: fills an empty Prevent Toolkit database with a realistic data set
//! for the load benchmark (`bench/run.sh`), and makes the API tokens the load generator uses.
//!
//! Rows are written straight through the storage crate's repository functions in a few large
//! transactions, which is far quicker than the use cases (one transaction and one audit event
//! per change). Only what must be real is done through the services: importing the framework,
//! and signing in, setting up two-factor authentication and making API tokens.
//!
//! The assessments are of the shipped Prevent duty benchmark framework (38 questions).
//!
//! Usage: `preventkit-bench-seed --database-url URL --out DIR [--partnerships N]`. Writes `DIR/seed.json` (what was made, with the tokens) and
//! `DIR/seed.lua` (the same targets as a Lua table for the wrk script).

#![forbid(unsafe_code)]
// Test support, never in the binary: a failed unwrap, expect, panic or index fails the test
// or the run that uses it, as it should.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use anyhow::{bail, Context as _};
use preventkit_domain::administration::{Membership, Organisation, Partnership};
use preventkit_domain::assessment::{
    parse_date, Assessment, Response, ResponseVersion, State, TransitionRecord,
};
use preventkit_domain::evidence::{Evidence, EvidenceKind};
use preventkit_domain::identity::User;
use preventkit_domain::{Marking, MembershipId, OrganisationType, Role, Timestamp};
use preventkit_domain::{QuestionId, ResponseVersionId, TransitionId};
use preventkit_services::identity::NewToken;
use preventkit_services::identity::Stage;
use preventkit_services::{App, RequestContext, SecurityConfig};
use preventkit_storage::{self as store, now_ms, Db, Tx};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Instant;

/// Assessment periods per partnership: four closed years and the current one.
const PERIODS: usize = 5;
/// Evidence items per partnership; each assessment links some of them to questions.
const EVIDENCE_PER_PARTNERSHIP: usize = 4;
/// Evidence links per assessment.
const LINKS_PER_ASSESSMENT: usize = 6;
/// Rows written per transaction before it is committed and a new one begun.
const ROWS_PER_COMMIT: usize = 5_000;
/// Partnerships the benchmark account leads and holds a token for: the first serves the read
/// scenarios, the next five one wrk thread each of the three update runs (c=1: 1 thread,
/// c=16 and c=64: 2 threads each), and the last the driver's check that an update works.
const TOKEN_PARTNERSHIPS: usize = 7;
/// The version every seeded answer is at: two earlier versions are in its history.
const SEED_VERSION: i64 = 3;
/// The password of every seeded account. Benchmark data only.
const PASSWORD: &str = "bench-password-not-secret";
/// The framework the assessments answer.
const KEY: &str = preventkit_domain::shipped::PREVENT_DUTY_BENCHMARK;

const BENCH_EMAIL: &str = "bench-lead@bench.example";

struct Args {
    database_url: String,
    out: PathBuf,
    partnerships: usize,
}

/// The levels of the benchmark framework's scale, lowest first. `n/a` is allowed as well.
const LEVELS: [&str; 3] = ["not-yet-started", "developing", "achieving"];

fn args() -> anyhow::Result<Args> {
    let mut database_url = std::env::var("PREVENTKIT_DATABASE_URL").unwrap_or_default();
    let mut out = None;
    let mut partnerships = 400usize;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().with_context(|| format!("{a} needs a value"));
        match a.as_str() {
            "--database-url" => database_url = value()?,
            "--out" => out = Some(PathBuf::from(value()?)),
            "--partnerships" => {
                partnerships = value()?
                    .parse()
                    .context("--partnerships must be a whole number")?
            }
            "-h" | "--help" => {
                println!(
                    "usage: preventkit-bench-seed --database-url URL --out DIR \
                     [--partnerships N]"
                );
                std::process::exit(0);
            }
            other => bail!("unknown argument {other}"),
        }
    }
    if database_url.is_empty() {
        bail!("give --database-url (or PREVENTKIT_DATABASE_URL)");
    }
    if partnerships < TOKEN_PARTNERSHIPS {
        bail!("--partnerships must be at least {TOKEN_PARTNERSHIPS}");
    }
    Ok(Args {
        database_url,
        out: out.context("give --out DIR")?,
        partnerships,
    })
}

/// A write transaction that commits every [`ROWS_PER_COMMIT`] rows and carries on in a new
/// one. The previous transaction is committed before the next begins: each holds the write
/// lock.
struct Batch<'a> {
    db: &'a Db,
    tx: Option<Tx>,
    rows: usize,
    total: usize,
}

impl<'a> Batch<'a> {
    async fn begin(db: &'a Db) -> anyhow::Result<Batch<'a>> {
        Ok(Batch {
            db,
            tx: Some(db.write().await?),
            rows: 0,
            total: 0,
        })
    }

    fn tx(&mut self) -> &mut Tx {
        self.tx
            .as_mut()
            .expect("a transaction is open between commits")
    }

    /// Count `n` rows just written; commit when the batch is full.
    async fn wrote(&mut self, n: usize) -> anyhow::Result<()> {
        self.rows += n;
        self.total += n;
        if self.rows >= ROWS_PER_COMMIT {
            if let Some(tx) = self.tx.take() {
                tx.commit().await?;
            }
            self.tx = Some(self.db.write().await?);
            self.rows = 0;
        }
        Ok(())
    }

    async fn finish(mut self) -> anyhow::Result<usize> {
        if let Some(tx) = self.tx.take() {
            tx.commit().await?;
        }
        Ok(self.total)
    }
}

fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A paragraph of supporting details, varied by its position so that rows differ.
fn details(p: usize, period: usize, q: usize, version: usize) -> String {
    const OPENINGS: [&str; 4] = [
        "The partnership board reviewed this area at its quarterly meeting",
        "Partners met in a workshop to compare their arrangements",
        "The Prevent lead checked this with each partner organisation",
        "An internal audit looked at this area during the year",
    ];
    const FINDINGS: [&str; 4] = [
        "and found that most partners apply the agreed approach, although two smaller organisations still rely on informal arrangements",
        "and agreed that the written procedure is sound but that staff turnover means refresher briefings are needed",
        "and confirmed that records are kept consistently and that the last review led to changes in practice",
        "and noted gaps in how information is shared between the council and health partners, which the action plan addresses",
    ];
    format!(
        "{} in period {} (version {}) {}. Evidence is held in the partnership's shared folder under reference PB-{:03}-{:02}-Q{:02}, and the next review is planned for the autumn board meeting.",
        OPENINGS[(p + q) % OPENINGS.len()],
        period + 1,
        version,
        FINDINGS[(p + period + q + version) % FINDINGS.len()],
        p,
        period,
        q
    )
}

fn rating(p: usize, period: usize, q: usize, version: usize) -> String {
    let i = (p * 7 + period * 3 + q + version) % 9;
    if i == 8 {
        "n/a".to_owned()
    } else {
        LEVELS[i % LEVELS.len()].to_owned()
    }
}

/// Financial years from April 2020: (start, end).
fn period_dates(period: usize) -> (String, String) {
    let y = 2020 + period;
    (format!("{y}-04-01"), format!("{}-03-31", y + 1))
}

/// A partnership the benchmark account holds a token for, with its current (draft)
/// assessment.
struct Target {
    partnership: String,
    assessment: String,
    token: String,
}

fn user_row(
    id: &str,
    email: String,
    name: String,
    org: &str,
    hash: &str,
    now: i64,
) -> anyhow::Result<User> {
    Ok(User {
        id: id.parse()?,
        email,
        display_name: name,
        organisation_id: org.parse()?,
        password_hash: hash.to_owned(),
        totp_secret: None,
        mfa_enrolled_at: None,
        last_totp_step: None,
        system_admin: false,
        clearance: Marking::Official,
        disabled_at: None,
        created_at: Timestamp::from_millis(now),
        updated_at: Timestamp::from_millis(now),
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = args()?;
    let started = Instant::now();
    let app = App::open(&args.database_url, SecurityConfig::default())
        .await
        .context("open the database")?;

    // The frameworks go through the use case, so they are stored exactly as the server
    // stores them.
    app.install_shipped_frameworks()
        .await
        .map_err(|e| anyhow::anyhow!("import the shipped frameworks: {e}"))?;
    let (name, source) = preventkit_domain::shipped::FRAMEWORKS
        .into_iter()
        .find(|(name, _)| name.starts_with(KEY))
        .context("the benchmark framework is not shipped")?;
    let parsed =
        preventkit_domain::framework::parse(name, source).map_err(|e| anyhow::anyhow!("{e}"))?;
    if parsed.scale("progress").map(|s| s.levels.len()) != Some(LEVELS.len()) {
        bail!("the benchmark framework's scale has changed: update LEVELS");
    }
    let questions: Vec<String> = parsed
        .questions()
        .into_iter()
        .map(|(_, q)| q.id.clone())
        .collect();

    let db = Db::connect(&args.database_url).await?;
    let mut tx = db.read().await?;
    let fv = store::framework::versions_of(&mut tx, KEY)
        .await?
        .pop()
        .context("the framework was not stored")?;
    let existing = store::administration::partnerships::list(&mut tx).await?;
    tx.commit().await?;
    if !existing.is_empty() {
        bail!("the database already holds partnerships: seed an empty database");
    }

    let password_hash = preventkit_services::identity::hash_password(PASSWORD)
        .map_err(|e| anyhow::anyhow!("hash the password: {e}"))?;
    let now = now_ms();
    let bench_user = uuid();
    let mut batch = Batch::begin(&db).await?;
    let mut partnership_ids = Vec::with_capacity(args.partnerships);
    let mut drafts = Vec::with_capacity(args.partnerships);
    let (mut n_assessments, mut n_responses, mut n_history, mut n_evidence, mut n_links) =
        (0usize, 0usize, 0usize, 0usize, 0usize);

    for p in 0..args.partnerships {
        let org = uuid();
        store::administration::organisations::insert(
            batch.tx(),
            &Organisation {
                id: org.parse()?,
                name: format!("Benchmark Council {p:03}"),
                org_type: OrganisationType::LocalAuthorityUnitary,
                created_at: Timestamp::from_millis(now),
            },
        )
        .await?;
        let pid = uuid();
        store::administration::partnerships::insert(
            batch.tx(),
            &Partnership {
                id: pid.parse()?,
                name: format!("Benchmark Prevent Partnership {p:03}"),
                lead_organisation_id: org.parse()?,
                parent_id: None,
                region_id: None,
                created_at: Timestamp::from_millis(now),
            },
        )
        .await?;
        store::administration::partnerships::add_organisation(
            batch.tx(),
            pid.parse()?,
            org.parse()?,
        )
        .await?;
        let lead = uuid();
        store::identity::users::insert(
            batch.tx(),
            &user_row(
                &lead,
                format!("lead-{p:03}@bench.example"),
                format!("Lead {p:03}"),
                &org,
                &password_hash,
                now,
            )?,
        )
        .await?;
        if p == 0 {
            store::identity::users::insert(
                batch.tx(),
                &user_row(
                    &bench_user,
                    BENCH_EMAIL.into(),
                    "Benchmark Lead".into(),
                    &org,
                    &password_hash,
                    now,
                )?,
            )
            .await?;
        }
        let mut members = vec![lead.clone()];
        if p < TOKEN_PARTNERSHIPS {
            members.push(bench_user.clone());
        }
        for user in &members {
            store::administration::memberships::insert(
                batch.tx(),
                &Membership {
                    id: MembershipId::new(),
                    partnership_id: pid.parse()?,
                    user_id: user.parse()?,
                    role: Role::PreventLead,
                    created_at: Timestamp::from_millis(now),
                },
            )
            .await?;
        }
        let evidence: Vec<String> = (0..EVIDENCE_PER_PARTNERSHIP).map(|_| uuid()).collect();
        for (e, id) in evidence.iter().enumerate() {
            store::evidence::insert(
                batch.tx(),
                &Evidence {
                    id: id.parse()?,
                    partnership_id: pid.parse()?,
                    title: format!("Partnership board minutes, part {}", e + 1),
                    kind: EvidenceKind::Link,
                    url: Some(format!(
                        "https://intranet.example/partnership-{p:03}/doc-{e}"
                    )),
                    file_name: None,
                    content_type: None,
                    size: None,
                    owner_id: lead.parse()?,
                    marking: Marking::Official,
                    review_date: preventkit_domain::assessment::parse_date("2027-03-31"),
                    created_by: lead.parse()?,
                    created_at: Timestamp::from_millis(now),
                },
                None,
            )
            .await?;
        }
        batch
            .wrote(4 + members.len() + usize::from(p == 0) + evidence.len())
            .await?;

        let mut previous: Option<String> = None;
        for period in 0..PERIODS {
            let aid = uuid();
            let current = period + 1 == PERIODS;
            let (start, end) = period_dates(period);
            let at = now - ((PERIODS - period) as i64) * 365 * 24 * 3_600_000;
            let lead_id = lead.parse()?;
            store::assessment::assessments::insert(
                batch.tx(),
                &Assessment {
                    id: aid.parse()?,
                    partnership: pid.parse()?,
                    organisation: None,
                    framework_version: fv.id,
                    title: format!("Prevent self-assessment {}", &start[..4]),
                    period_start: parse_date(&start).context("a period start")?,
                    period_end: parse_date(&end).context("a period end")?,
                    state: if current { State::Draft } else { State::Locked },
                    submitted_by: if current { None } else { Some(lead_id) },
                    previous: previous.as_deref().map(str::parse).transpose()?,
                    created_by: lead_id,
                    created_at: Timestamp::from_millis(at),
                    updated_at: Timestamp::from_millis(at),
                },
            )
            .await?;
            let mut rows = 1;
            if !current {
                for (from, to) in [
                    (State::Draft, State::Submitted),
                    (State::Submitted, State::Approved),
                    (State::Approved, State::Locked),
                ] {
                    store::assessment::assessments::insert_transition(
                        batch.tx(),
                        &TransitionRecord {
                            id: TransitionId::new(),
                            assessment: aid.parse()?,
                            from,
                            to,
                            reason: None,
                            actor: lead_id,
                            at: Timestamp::from_millis(at),
                        },
                    )
                    .await?;
                    rows += 1;
                }
            }
            batch.wrote(rows).await?;
            n_assessments += 1;
            for (q, qid) in questions.iter().enumerate() {
                // Two earlier versions in the history; the third is current.
                let rid = uuid().parse()?;
                store::assessment::assessments::insert_response(
                    batch.tx(),
                    &Response {
                        id: rid,
                        assessment: aid.parse()?,
                        question: QuestionId(qid.clone()),
                        rating: rating(p, period, q, 3),
                        details: details(p, period, q, 3),
                        version: SEED_VERSION,
                        updated_by: Some(lead_id),
                        updated_at: Timestamp::from_millis(at + 2_000),
                    },
                )
                .await?;
                for v in 1..=2usize {
                    insert_history(
                        batch.tx(),
                        &ResponseVersion {
                            id: ResponseVersionId::new(),
                            response: rid,
                            version: v as i64,
                            rating: rating(p, period, q, v),
                            details: details(p, period, q, v),
                            changed_by: Some(lead_id),
                            changed_at: Timestamp::from_millis(at + v as i64 * 1_000),
                        },
                    )
                    .await?;
                }
                n_responses += 1;
                n_history += 2;
                batch.wrote(3).await?;
            }
            for l in 0..LINKS_PER_ASSESSMENT {
                let question = &questions[(p + period * 7 + l * 8) % questions.len()];
                store::evidence::link(batch.tx(), &evidence[l % evidence.len()], &aid, question)
                    .await?;
                n_links += 1;
            }
            batch.wrote(LINKS_PER_ASSESSMENT).await?;
            if current {
                drafts.push(aid.clone());
            }
            previous = Some(aid);
        }
        n_evidence += evidence.len();
        partnership_ids.push(pid);
        if (p + 1) % 50 == 0 {
            eprintln!(
                "seeded {} of {} partnerships ({:.1} s)",
                p + 1,
                args.partnerships,
                started.elapsed().as_secs_f64()
            );
        }
    }
    let rows = batch.finish().await?;
    db.close().await;
    let seeded_in = started.elapsed();

    // Tokens through the services: sign in, set up two-factor authentication, make tokens.
    let source_ctx = RequestContext {
        source: Some("127.0.0.1".into()),
    };
    let signed = app
        .sign_in(BENCH_EMAIL, PASSWORD, &source_ctx)
        .await
        .map_err(|e| anyhow::anyhow!("sign in: {e}"))?;
    if signed.stage != Stage::MfaEnrol {
        bail!("expected two-factor set-up at first sign-in");
    }
    let session = app
        .session(&signed.token)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .context("the new session is not live")?;
    let (secret, _) = app
        .begin_enrolment(&session)
        .await
        .map_err(|e| anyhow::anyhow!("begin two-factor set-up: {e}"))?;
    let code = totp_now(&secret)?;
    let (done, _recovery) = app
        .finish_enrolment(&session, &code, &source_ctx)
        .await
        .map_err(|e| anyhow::anyhow!("finish two-factor set-up: {e}"))?;
    let session = app
        .session(&done.token)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .context("the signed-in session is not live")?;
    let mut targets = Vec::new();
    for (pid, aid) in partnership_ids.iter().zip(&drafts).take(TOKEN_PARTNERSHIPS) {
        let (_, token) = app
            .create_token(
                &session,
                &NewToken {
                    name: "load benchmark".into(),
                    partnership_id: pid.clone(),
                    role: "prevent-lead".into(),
                    days: "7".into(),
                },
                &source_ctx,
            )
            .await
            .map_err(|e| anyhow::anyhow!("make a token: {e}"))?;
        targets.push(Target {
            partnership: pid.clone(),
            assessment: aid.clone(),
            token,
        });
    }
    let engine = app.engine_name();
    app.close().await;

    std::fs::create_dir_all(&args.out)?;
    let json = serde_json::json!({
        "engine": engine,
        "framework": KEY,
        "framework_bytes": source.len(),
        "questions": questions,
        "ratings": LEVELS,
        "seed_version": SEED_VERSION,
        "counts": {
            "partnerships": args.partnerships,
            "assessments": n_assessments,
            "responses": n_responses,
            "history": n_history,
            "evidence": n_evidence,
            "evidence_links": n_links,
            "rows": rows,
        },
        "seconds": seeded_in.as_secs_f64(),
        "targets": targets.iter().map(target_json).collect::<Vec<_>>(),
    });
    std::fs::write(
        args.out.join("seed.json"),
        serde_json::to_string_pretty(&json)?,
    )?;
    std::fs::write(args.out.join("seed.lua"), lua(&targets, &questions))?;
    println!(
        "Seeded {} partnerships, {n_assessments} assessments, {n_responses} responses, \
         {n_history} history rows, {n_evidence} evidence items, {n_links} links \
         ({rows} rows in {:.1} s; framework of {} bytes); tokens for {} partnerships.",
        args.partnerships,
        seeded_in.as_secs_f64(),
        source.len(),
        targets.len()
    );
    Ok(())
}

/// One earlier answer. The storage crate writes history only as a side effect of an update,
/// so the row is written with its generic insert and the schema's column names.
async fn insert_history(tx: &mut Tx, h: &ResponseVersion) -> anyhow::Result<()> {
    use preventkit_storage::assessment::tables::ResponseHistory as H;
    tx.execute(&store::insert(
        H::Table,
        [
            (H::Id, h.id.to_string().into()),
            (H::ResponseId, h.response.to_string().into()),
            (H::Version, h.version.into()),
            (H::Rating, h.rating.clone().into()),
            (H::Details, h.details.clone().into()),
            (H::ChangedBy, h.changed_by.map(|u| u.to_string()).into()),
            (H::ChangedAt, h.changed_at.millis().into()),
        ],
    )?)
    .await?;
    Ok(())
}

fn target_json(t: &Target) -> serde_json::Value {
    serde_json::json!({
        "partnership": t.partnership,
        "assessment": t.assessment,
        "token": t.token,
    })
}

/// The seed as a Lua chunk that answers a table, for `dofile` in the wrk script. Every value
/// is an id, a key or a token, so none needs escaping.
fn lua(targets: &[Target], questions: &[String]) -> String {
    let mut s = String::from("return {\n  questions = {");
    for q in questions {
        let _ = write!(s, "\"{q}\", ");
    }
    s.push_str("},\n  ratings = {");
    for r in LEVELS {
        let _ = write!(s, "\"{r}\", ");
    }
    let _ = write!(s, "}},\n  version = {SEED_VERSION},\n  targets = {{\n");
    for t in targets {
        let _ = writeln!(
            s,
            "    {{ partnership = \"{}\", assessment = \"{}\", token = \"{}\" }},",
            t.partnership, t.assessment, t.token
        );
    }
    s.push_str("  },\n}\n");
    s
}

/// The current code for a base32 TOTP secret (as an authenticator app would show it).
fn totp_now(secret_b32: &str) -> anyhow::Result<String> {
    let bytes = totp_rs::Secret::Encoded(secret_b32.replace(' ', ""))
        .to_bytes()
        .map_err(|e| anyhow::anyhow!("the TOTP secret is not base32: {e:?}"))?;
    let totp = totp_rs::TOTP::new(
        totp_rs::Algorithm::SHA1,
        6,
        1,
        30,
        bytes,
        None,
        "bench".into(),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(totp.generate_current()?)
}

//! The audit log's chains, one per partnership and one for the platform, on every engine:
//! every kind of tampering is found in exactly the chain it touched; writers to different
//! partnerships do not wait for each other and writers to one chain keep it linear; a log
//! written by the single-chain versions moves to per-chain hashes and still verifies.

// Test code: a failed unwrap, expect, panic or index is the test failing, as it should be.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use preventkit_services::domain::audit::{
    AuditRecord, AuditVerification, Chain, ChainBreak, NewAuditEvent, Outcome, GENESIS_HASH,
};
use preventkit_services::domain::PartnershipId;
use preventkit_services::{App, SecurityConfig};
use preventkit_storage as store;
use preventkit_storage::{Db, StorageError};
use preventkit_testkit::{each_engine, fresh_database, postgresql_only, Engine, Sql, TestDatabase};
use std::time::Duration;

const EVENTS_PER_CHAIN: i64 = 5;

fn event(partnership: Option<PartnershipId>, n: i64) -> NewAuditEvent {
    NewAuditEvent {
        actor: None,
        partnership,
        action: preventkit_services::domain::actions::IdentityAction::SignedIn.into(),
        object_type: Some("thing".into()),
        object_id: Some(n.to_string()),
        outcome: Outcome::Success,
        source: Some("127.0.0.1".into()),
    }
}

/// Append one event in its own write transaction.
async fn append(db: &Db, partnership: Option<PartnershipId>, n: i64) {
    let mut tx = db.write().await.expect("write");
    store::audit::append(&mut tx, &event(partnership, n))
        .await
        .expect("append");
    tx.commit().await.expect("commit");
}

async fn verify(url: &str) -> AuditVerification {
    let app = App::open_existing(url, SecurityConfig::default())
        .await
        .expect("open");
    app.verify_audit().await.expect("verify")
}

/// Three chains with five events each, written in turn: two partnerships' and the
/// platform's.
struct Log {
    _db: TestDatabase,
    url: String,
    chains: [(Option<PartnershipId>, String); 3],
}

async fn three_chains(engine: &Engine) -> Log {
    let fresh = fresh_database(engine).await;
    let db = Db::connect(&fresh.url).await.expect("connect");
    db.migrate().await.expect("migrate");
    let (a, b) = (PartnershipId::new(), PartnershipId::new());
    for n in 1..=EVENTS_PER_CHAIN {
        for p in [Some(a), None, Some(b)] {
            append(&db, p, n).await;
        }
    }
    db.close().await;
    Log {
        url: fresh.url.clone(),
        _db: fresh,
        chains: [
            (Some(a), Chain::Partnership(a).key()),
            (None, Chain::Platform.key()),
            (Some(b), Chain::Partnership(b).key()),
        ],
    }
}

/// The tamperings, as statements on chain `{c}` (and `{other}`, another chain), with the break
/// they must cause in `{c}` and, for a move, in `{other}`.
struct Tamper {
    name: &'static str,
    statements: &'static [&'static str],
    expected: ChainBreak,
    in_other: Option<ChainBreak>,
}

fn tamperings() -> Vec<Tamper> {
    let head = EVENTS_PER_CHAIN;
    vec![
        Tamper {
            name: "an edited field",
            statements: &["UPDATE audit_events SET action = 'test.nothing' WHERE chain = '{c}' AND seq = 3"],
            expected: ChainBreak::Edited { seq: 3 },
            in_other: None,
        },
        Tamper {
            name: "a deleted middle row",
            statements: &["DELETE FROM audit_events WHERE chain = '{c}' AND seq = 3"],
            expected: ChainBreak::Missing { expected_seq: 3, found_seq: 4 },
            in_other: None,
        },
        Tamper {
            name: "the last row deleted",
            statements: &["DELETE FROM audit_events WHERE chain = '{c}' AND seq = 5"],
            expected: ChainBreak::HeadMismatch { head_seq: head, last_seq: head - 1 },
            in_other: None,
        },
        Tamper {
            name: "a forged row inserted",
            statements: &[
                "UPDATE audit_events SET seq = seq + 1000 WHERE chain = '{c}' AND seq >= 4",
                "INSERT INTO audit_events (chain, seq, id, occurred_at, actor_id, partnership_id, action, object_type, object_id, outcome, source, prev_hash, hash) \
                 SELECT chain, 4, 'forged', occurred_at, actor_id, partnership_id, 'user.create', object_type, object_id, outcome, source, hash, hash \
                 FROM audit_events WHERE chain = '{c}' AND seq = 3",
            ],
            expected: ChainBreak::Edited { seq: 4 },
            in_other: None,
        },
        Tamper {
            name: "two rows' contents swapped, numbering kept",
            statements: &[
                "UPDATE audit_events SET seq = -100 WHERE chain = '{c}' AND seq = 2",
                "UPDATE audit_events SET seq = 2 WHERE chain = '{c}' AND seq = 3",
                "UPDATE audit_events SET seq = 3 WHERE chain = '{c}' AND seq = -100",
            ],
            expected: ChainBreak::Edited { seq: 2 },
            in_other: None,
        },
        Tamper {
            name: "a row renumbered 0",
            statements: &["UPDATE audit_events SET seq = 0 WHERE chain = '{c}' AND seq = 3"],
            expected: ChainBreak::OutOfOrder { expected_seq: 1, found_seq: 0 },
            in_other: None,
        },
        Tamper {
            name: "a row renumbered below 0",
            statements: &["UPDATE audit_events SET seq = -7 WHERE chain = '{c}' AND seq = 3"],
            expected: ChainBreak::OutOfOrder { expected_seq: 1, found_seq: -7 },
            in_other: None,
        },
        Tamper {
            name: "a row moved to the end of another chain",
            statements: &["UPDATE audit_events SET chain = '{other}', seq = 6 WHERE chain = '{c}' AND seq = 3"],
            expected: ChainBreak::Missing { expected_seq: 3, found_seq: 4 },
            in_other: Some(ChainBreak::WrongChain { seq: 6 }),
        },
        Tamper {
            name: "a row moved with its partnership",
            statements: &["UPDATE audit_events SET chain = '{other}', partnership_id = {other_partnership}, seq = 6 WHERE chain = '{c}' AND seq = 5"],
            expected: ChainBreak::HeadMismatch { head_seq: head, last_seq: head - 1 },
            in_other: Some(ChainBreak::Edited { seq: 6 }),
        },
        Tamper {
            name: "the head's number changed",
            statements: &["UPDATE audit_chain_heads SET last_seq = 4 WHERE chain = '{c}'"],
            expected: ChainBreak::HeadMismatch { head_seq: 4, last_seq: head },
            in_other: None,
        },
        Tamper {
            name: "the head's hash changed",
            statements: &["UPDATE audit_chain_heads SET last_hash = prev_hash_placeholder WHERE chain = '{c}'"],
            expected: ChainBreak::HeadMismatch { head_seq: head, last_seq: head },
            in_other: None,
        },
        Tamper {
            name: "the head deleted",
            statements: &["DELETE FROM audit_chain_heads WHERE chain = '{c}'"],
            expected: ChainBreak::HeadMismatch { head_seq: 0, last_seq: head },
            in_other: None,
        },
    ]
}

#[each_engine]
async fn every_tampering_is_found_in_the_chain_it_touched(engine: Engine) {
    let e = engine.name();
    for target in 0..3 {
        for t in tamperings() {
            let log = three_chains(&engine).await;
            let intact = verify(&log.url).await;
            assert!(intact.is_ok(), "[{e}] an intact log verifies: {intact:?}");
            assert_eq!(intact.chains.len(), 3, "[{e}] {intact:?}");
            assert_eq!(intact.events(), 3 * EVENTS_PER_CHAIN as u64);

            let (_, chain) = &log.chains[target];
            let other_index = (target + 1) % 3;
            let (other_partnership, other) = &log.chains[other_index];
            let other_partnership = match other_partnership {
                Some(p) => format!("'{p}'"),
                None => "NULL".to_owned(),
            };
            let mut sql = Sql::connect(&log.url).await;
            for statement in t.statements {
                let statement = statement
                    .replace("{c}", chain)
                    .replace("{other}", other)
                    .replace("{other_partnership}", &other_partnership)
                    .replace("prev_hash_placeholder", &format!("'{GENESIS_HASH}'"));
                sql.execute(&statement).await;
            }
            let report = verify(&log.url).await;
            assert!(!report.is_ok(), "[{e}] {} in {chain} is found", t.name);
            assert_eq!(
                report.break_of(chain),
                Some(&t.expected),
                "[{e}] {} in {chain}: {report:?}",
                t.name
            );
            assert_eq!(
                report.break_of(other),
                t.in_other.as_ref(),
                "[{e}] {} in {chain}, seen from {other}: {report:?}",
                t.name
            );
            let untouched = &log.chains[(target + 2) % 3].1;
            assert_eq!(
                report.break_of(untouched),
                None,
                "[{e}] {} in {chain} leaves {untouched} intact: {report:?}",
                t.name
            );
            let broken: Vec<&str> = report.breaks().map(|(c, _)| c).collect();
            let expected_broken = if t.in_other.is_some() { 2 } else { 1 };
            assert_eq!(
                broken.len(),
                expected_broken,
                "[{e}] {}: {broken:?}",
                t.name
            );
        }
    }
}

#[each_engine]
async fn events_are_numbered_and_linked_within_their_chain(engine: Engine) {
    let log = three_chains(&engine).await;
    let mut sql = Sql::connect(&log.url).await;
    for (partnership, chain) in &log.chains {
        let seqs = sql
            .strings(&format!(
                "SELECT CAST(seq AS TEXT) FROM audit_events WHERE chain = '{chain}' ORDER BY position"
            ))
            .await;
        assert_eq!(seqs, ["1", "2", "3", "4", "5"], "{chain}");
        let wrong = sql
            .number(&format!(
                "SELECT count(*) FROM audit_events WHERE chain = '{chain}' AND {}",
                match partnership {
                    Some(p) => format!("(partnership_id IS NULL OR partnership_id <> '{p}')"),
                    None => "partnership_id IS NOT NULL".to_owned(),
                }
            ))
            .await;
        assert_eq!(wrong, 0, "every event of {chain} is its partnership's");
    }
    // Positions follow the order of writing across chains.
    let positions = sql
        .strings("SELECT chain FROM audit_events ORDER BY position")
        .await;
    assert_eq!(positions.len(), 15);
    assert_eq!(positions[0], log.chains[0].1);
    assert_eq!(positions[1], log.chains[1].1);
    assert_eq!(positions[2], log.chains[2].1);
}

#[postgresql_only]
async fn writers_to_different_partnerships_do_not_wait_for_each_other(engine: Engine) {
    let fresh = fresh_database(&engine).await;
    let db = Db::connect(&fresh.url).await.expect("connect");
    db.migrate().await.expect("migrate");
    let (a, b) = (PartnershipId::new(), PartnershipId::new());
    append(&db, Some(a), 0).await;
    append(&db, Some(b), 0).await;

    // One transaction appends to A's chain and keeps it locked...
    let mut held = db.write().await.expect("write");
    store::audit::append(&mut held, &event(Some(a), 1))
        .await
        .expect("append to A");
    // ...while another writes to B's chain (and the platform's), and commits.
    let other = db.clone();
    let b_write = tokio::spawn(async move {
        let mut tx = other.write().await.expect("write");
        store::audit::append_all(&mut tx, &[event(Some(b), 1), event(None, 1)])
            .await
            .expect("append to B");
        tx.commit().await.expect("commit B");
    });
    tokio::time::timeout(Duration::from_secs(10), b_write)
        .await
        .expect("B's write does not wait for A's chain")
        .expect("B's task");
    // A writer to A's chain does wait.
    let other = db.clone();
    let a_write = tokio::spawn(async move { append(&other, Some(a), 2).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!a_write.is_finished(), "a second writer to A's chain waits");
    held.commit().await.expect("commit A");
    tokio::time::timeout(Duration::from_secs(10), a_write)
        .await
        .expect("A's second write goes on")
        .expect("A's task");
    db.close().await;

    let report = verify(&fresh.url).await;
    assert!(report.is_ok(), "{report:?}");
    let events = |chain: &Chain| {
        report
            .chains
            .iter()
            .find(|c| c.chain == chain.key())
            .map(|c| c.events)
    };
    assert_eq!(events(&Chain::Partnership(a)), Some(3));
    assert_eq!(events(&Chain::Partnership(b)), Some(2));
    assert_eq!(events(&Chain::Platform), Some(1));
}

#[each_engine]
async fn many_writers_to_one_chain_keep_it_linear(engine: Engine) {
    let fresh = fresh_database(&engine).await;
    let db = Db::connect(&fresh.url).await.expect("connect");
    db.migrate().await.expect("migrate");
    // A chain that has no head yet: the first writers race to make it.
    let (a, b) = (PartnershipId::new(), PartnershipId::new());
    let mut tasks = Vec::new();
    for w in 0..12i64 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            for n in 0..8 {
                // Two of the writers also write to a second chain in the same transaction.
                let events = if w % 6 == 0 {
                    vec![event(Some(b), n), event(Some(a), n)]
                } else {
                    vec![event(Some(a), n)]
                };
                let mut attempts = 0;
                loop {
                    attempts += 1;
                    let mut tx = db.write().await.expect("write");
                    match store::audit::append_all(&mut tx, &events).await {
                        Ok(_) => {
                            tx.commit().await.expect("commit");
                            break;
                        }
                        // SQLite may answer busy to a writer that waited past its timeout.
                        Err(StorageError::Busy) if attempts < 5 => {
                            tx.rollback().await.expect("rollback");
                        }
                        Err(e) => panic!("append: {e}"),
                    }
                }
            }
        }));
    }
    for t in tasks {
        t.await.expect("writer");
    }
    db.close().await;
    let report = verify(&fresh.url).await;
    assert!(report.is_ok(), "{report:?}");
    let mut sql = Sql::connect(&fresh.url).await;
    let a_key = Chain::Partnership(a).key();
    assert_eq!(
        sql.number(&format!(
            "SELECT count(*) FROM audit_events WHERE chain = '{a_key}'"
        ))
        .await,
        96
    );
    assert_eq!(
        sql.number(&format!(
            "SELECT max(seq) FROM audit_events WHERE chain = '{a_key}'"
        ))
        .await,
        96
    );
    assert_eq!(
        sql.number(&format!(
            "SELECT last_seq FROM audit_chain_heads WHERE chain = '{}'",
            Chain::Partnership(b).key()
        ))
        .await,
        16
    );
}

/// Rows as the single-chain versions wrote them: numbered across the whole log, each hashed
/// without a chain and linked to the row before it, whatever its partnership.
async fn write_single_chain_log(url: &str, partnerships: &[Option<PartnershipId>]) {
    let mut sql = Sql::connect(url).await;
    let mut prev = GENESIS_HASH.to_owned();
    for (i, p) in partnerships.iter().enumerate() {
        let seq = i as i64 + 1;
        let mut e = AuditRecord {
            chain: String::new(),
            seq,
            id: uuid::Uuid::new_v4().to_string(),
            occurred_at: 1_700_000_000_000 + seq,
            actor: None,
            partnership: p.map(|p| p.to_string()),
            action: format!("test.old-{seq}"),
            object_type: Some("thing".into()),
            object_id: Some(seq.to_string()),
            outcome: "success".into(),
            source: None,
            prev_hash: prev.clone(),
            hash: String::new(),
        };
        e.hash = e.compute_single_chain_hash();
        let partnership = match &e.partnership {
            Some(p) => format!("'{p}'"),
            None => "NULL".into(),
        };
        sql.execute(&format!(
            "INSERT INTO audit_events (seq, id, occurred_at, actor_id, partnership_id, action, \
             object_type, object_id, outcome, source, prev_hash, hash) VALUES ({seq}, '{}', {}, \
             NULL, {partnership}, '{}', 'thing', '{seq}', 'success', NULL, '{}', '{}')",
            e.id, e.occurred_at, e.action, e.prev_hash, e.hash
        ))
        .await;
        prev = e.hash.clone();
    }
    sql.execute(&format!(
        "UPDATE audit_head SET last_seq = {}, last_hash = '{prev}' WHERE id = 1",
        partnerships.len()
    ))
    .await;
}

#[each_engine]
async fn a_single_chain_log_moves_to_per_partnership_chains_and_verifies(engine: Engine) {
    let fresh = fresh_database(&engine).await;
    let db = Db::connect(&fresh.url).await.expect("connect");
    assert_eq!(
        db.migrate_to(7).await.expect("migrate to 7"),
        vec![1, 2, 3, 4, 5, 6, 7]
    );
    let (a, b) = (PartnershipId::new(), PartnershipId::new());
    let order = [
        Some(a),
        None,
        Some(b),
        Some(a),
        Some(a),
        None,
        Some(b),
        None,
        Some(a),
    ];
    write_single_chain_log(&fresh.url, &order).await;
    // Version 8 moves the log; any later versions follow it.
    let applied = db.migrate().await.expect("migrate");
    assert_eq!(applied.first(), Some(&8), "{applied:?}");

    let report = verify(&fresh.url).await;
    assert!(report.is_ok(), "the moved log verifies: {report:?}");
    assert_eq!(report.events(), 9);
    let mut sql = Sql::connect(&fresh.url).await;
    // Each event keeps its old number as its position and is numbered anew in its chain.
    let rows = sql
        .strings(
            "SELECT CAST(position AS TEXT) || ' ' || chain || ' ' || CAST(seq AS TEXT) || ' ' \
             || action FROM audit_events ORDER BY position",
        )
        .await;
    let (ka, kb, kp) = (
        Chain::Partnership(a).key(),
        Chain::Partnership(b).key(),
        Chain::Platform.key(),
    );
    let expected: Vec<String> = [
        (&ka, 1),
        (&kp, 1),
        (&kb, 1),
        (&ka, 2),
        (&ka, 3),
        (&kp, 2),
        (&kb, 2),
        (&kp, 3),
        (&ka, 4),
    ]
    .iter()
    .enumerate()
    .map(|(i, (k, s))| format!("{} {k} {s} test.old-{}", i + 1, i + 1))
    .collect();
    assert_eq!(rows, expected);
    for table in sql.tables().await {
        assert!(
            table != "audit_head"
                && !table.contains("single_chain")
                && table != "audit_events_chained",
            "the old tables are gone: {table}"
        );
    }

    // New events go on from there, in their chains and after the old positions.
    append(&db, Some(b), 10).await;
    append(&db, None, 11).await;
    let last = sql
        .strings(
            "SELECT CAST(position AS TEXT) || ' ' || chain || ' ' || CAST(seq AS TEXT) \
             FROM audit_events WHERE position > 9 ORDER BY position",
        )
        .await;
    assert_eq!(last, [format!("10 {kb} 3"), format!("11 {kp} 4")]);
    db.close().await;
    assert!(verify(&fresh.url).await.is_ok());
}

#[each_engine]
async fn a_broken_single_chain_log_is_not_moved(engine: Engine) {
    let fresh = fresh_database(&engine).await;
    let db = Db::connect(&fresh.url).await.expect("connect");
    db.migrate_to(7).await.expect("migrate to 7");
    let p = PartnershipId::new();
    write_single_chain_log(&fresh.url, &[Some(p), None, Some(p), None]).await;
    let mut sql = Sql::connect(&fresh.url).await;
    sql.execute("UPDATE audit_events SET action = 'test.nothing' WHERE seq = 2")
        .await;
    let err = db.migrate().await.expect_err("a broken log is refused");
    assert!(
        matches!(&err, StorageError::Inconsistent(m) if m.contains("event 2")),
        "{err:?}"
    );
    // Nothing changed: the old log is still there, as it was.
    assert_eq!(sql.number("SELECT count(*) FROM audit_events").await, 4);
    assert_eq!(sql.number("SELECT last_seq FROM audit_head").await, 4);
    db.close().await;
}

#[each_engine]
async fn the_log_finds_every_person_whose_name_matches(engine: Engine) {
    let fresh = fresh_database(&engine).await;
    let db = Db::connect(&fresh.url).await.expect("connect");
    db.migrate().await.expect("migrate");
    let mut sql = Sql::connect(&fresh.url).await;
    let org = uuid::Uuid::new_v4();
    sql.execute(&format!(
        "INSERT INTO organisations (id, name, org_type, created_at) VALUES ('{org}', 'Council', 'local-authority-unitary', 0)"
    ))
    .await;
    // Thirty people whose names share a word, one who has a percent sign in it, and one
    // other; each causes one event.
    let mut people = Vec::new();
    for (n, name) in (0..30)
        .map(|i| format!("Tester {i}"))
        .chain(["100% Sure".to_owned(), "Someone Else".to_owned()])
        .enumerate()
    {
        let id = preventkit_services::domain::UserId::new();
        sql.execute(&format!(
            "INSERT INTO users (id, email, display_name, organisation_id, password_hash, system_admin, clearance, created_at, updated_at) \
             VALUES ('{id}', 'p{n}@example.org', '{name}', '{org}', 'x', 0, 'official', 0, 0)"
        ))
        .await;
        let mut tx = db.write().await.expect("write");
        store::audit::append(
            &mut tx,
            &NewAuditEvent {
                actor: Some(id),
                ..event(None, i64::try_from(n).unwrap())
            },
        )
        .await
        .expect("append");
        tx.commit().await.expect("commit");
        people.push(id);
    }
    let search = |name: &str| {
        let db = db.clone();
        let q = preventkit_services::domain::audit::AuditQuery {
            actor_name: Some(name.to_owned()),
            limit: 500,
            ..Default::default()
        };
        async move {
            let mut tx = db.read().await.expect("read");
            let found = store::audit::search(&mut tx, None, &q)
                .await
                .expect("search");
            tx.commit().await.expect("commit");
            found
        }
    };
    assert_eq!(search("TESTER").await.len(), 30, "every match, in any case");
    assert_eq!(search("tester 7").await.len(), 1);
    let sure = search("0% s").await;
    assert_eq!(sure.len(), 1, "a percent sign matches only itself");
    assert_eq!(sure[0].actor, Some(people[30]));
    assert_eq!(
        search("_").await.len(),
        0,
        "an underscore matches only itself"
    );
    db.close().await;
}

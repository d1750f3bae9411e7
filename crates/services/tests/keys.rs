//! Case data keys on every engine: made under the active key-encryption key, re-wrapped in
//! batches after a rotation, still opening what was sealed before, revocation refused while a
//! key depends on the old key, and two re-wrappers at once re-wrapping each key once.

// Test code: a failed unwrap, expect, panic or index is the test failing, as it should be.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use preventkit_domain::sealed::{FieldPlace, Sealed};
use preventkit_domain::PartnershipId;
use preventkit_services::keys::testing::{kek_of, open_with_stored_key, seal_with_new_key};
use preventkit_services::keys::{KeyError, KeyRing};
use preventkit_services::{App, SecurityConfig, ServiceError};
use preventkit_testkit::{each_engine, fresh_app, fresh_database, Engine, Sql};

fn with(ring: &KeyRing) -> SecurityConfig {
    SecurityConfig {
        keys: Some(ring.clone()),
        ..SecurityConfig::default()
    }
}

fn place(row: &str) -> FieldPlace<'_> {
    FieldPlace {
        table: "case_people",
        column: "name",
        row,
    }
}

/// `n` cases of one partnership, each with its data key and one sealed name.
async fn cases(app: &App, n: usize) -> Vec<(String, String, Sealed)> {
    let p = PartnershipId::new();
    let mut out = Vec::new();
    for i in 0..n {
        let owner = format!("case-{i:03}");
        let row = format!("person-{i:03}");
        let s = seal_with_new_key(app, &owner, p, place(&row), &format!("Person {i}"))
            .await
            .unwrap();
        out.push((owner, row, s));
    }
    out
}

#[each_engine]
async fn rotation_rewraps_every_case_key_and_revocation_waits_for_it(engine: Engine) {
    let ring = KeyRing::generate();
    let k1 = ring.active_id().to_owned();
    let (app, db) = fresh_app(&engine, with(&ring)).await;
    assert!(!app.has_case_data().await.unwrap());
    let sealed = cases(&app, 50).await;
    assert!(app.has_case_data().await.unwrap());
    assert_eq!(app.key_usage().await.unwrap(), [(k1.clone(), 50)]);
    assert!(matches!(
        app.check_revocable(&k1).await,
        Err(ServiceError::Key(KeyError::ActiveCannotBeRevoked(_)))
    ));

    let mut rotated = ring.clone();
    let k2 = rotated.rotate().unwrap();
    let new = App::open(&db.url, with(&rotated)).await.unwrap();
    match new.check_revocable(&k1).await {
        Err(ServiceError::Key(KeyError::InUse { id, count })) => {
            assert_eq!((id.as_str(), count), (k1.as_str(), 50));
        }
        other => panic!("revocation must wait for the re-wrap: {other:?}"),
    }
    let report = new.rewrap_all(7).await.unwrap();
    assert_eq!(report.rewrapped, 50);
    assert_eq!(report.skipped, 0);
    assert_eq!(report.batches, 8, "50 keys in batches of 7");
    for (owner, _, _) in &sealed {
        assert_eq!(
            kek_of(&new, owner).await.unwrap().as_deref(),
            Some(k2.as_str())
        );
    }
    assert_eq!(new.key_usage().await.unwrap(), [(k2.clone(), 50)]);
    assert_eq!(
        new.rewrap_all(7).await.unwrap().rewrapped,
        0,
        "nothing left"
    );
    let mut sql = Sql::connect(&db.url).await;
    assert_eq!(
        sql.number("SELECT COUNT(*) FROM audit_events WHERE action = 'key.rewrap'")
            .await,
        8,
        "one event per batch"
    );

    // A server still on the old key file makes one more key under k1: revocation is refused
    // with the count until it too is re-wrapped.
    let late = seal_with_new_key(
        &app,
        "case-late",
        PartnershipId::new(),
        place("late"),
        "Late",
    )
    .await
    .unwrap();
    match new.check_revocable(&k1).await {
        Err(ServiceError::Key(e @ KeyError::InUse { count: 1, .. })) => {
            assert!(e.to_string().contains("still wraps 1 case keys"), "{e}");
        }
        other => panic!("one key still under k1: {other:?}"),
    }
    assert_eq!(new.rewrap_all(7).await.unwrap().rewrapped, 1);
    new.check_revocable(&k1).await.unwrap();

    // With k1 revoked, everything sealed before the rotation still opens.
    let mut revoked = rotated.clone();
    revoked.revoke(&k1).unwrap();
    let after = App::open(&db.url, with(&revoked)).await.unwrap();
    for (owner, row, s) in &sealed {
        let plain = open_with_stored_key(&after, owner, place(row), s)
            .await
            .unwrap();
        assert_eq!(
            plain,
            format!("Person {}", &owner[5..].parse::<usize>().unwrap())
        );
    }
    assert_eq!(
        open_with_stored_key(&after, "case-late", place("late"), &late)
            .await
            .unwrap(),
        "Late"
    );
    // A value moved to another row does not open, and the old key file reads nothing now.
    let (owner, _, s) = &sealed[0];
    assert!(matches!(
        open_with_stored_key(&after, owner, place("person-001"), s).await,
        Err(ServiceError::Key(KeyError::Tampered))
    ));
    assert!(matches!(
        open_with_stored_key(&app, owner, place("person-000"), s).await,
        Err(ServiceError::Key(KeyError::UnknownKey(id))) if id == k2
    ));
    // A ring where k1 is revoked refuses a key still wrapped under it.
    let (old_app, _old_db) = fresh_app(&engine, with(&ring)).await;
    let kept = cases(&old_app, 1).await;
    let refused = App::open(&_old_db.url, with(&revoked)).await.unwrap();
    assert!(matches!(
        open_with_stored_key(&refused, &kept[0].0, place(&kept[0].1), &kept[0].2).await,
        Err(ServiceError::Key(KeyError::Revoked(id))) if id == k1
    ));
}

#[each_engine]
async fn two_rewrappers_at_once_rewrap_each_key_once(engine: Engine) {
    let ring = KeyRing::generate();
    let (app, db) = fresh_app(&engine, with(&ring)).await;
    let sealed = cases(&app, 50).await;
    let mut rotated = ring.clone();
    let k2 = rotated.rotate().unwrap();
    let a = App::open(&db.url, with(&rotated)).await.unwrap();
    let b = App::open(&db.url, with(&rotated)).await.unwrap();
    let (ra, rb) = tokio::join!(a.rewrap_all(5), b.rewrap_all(5));
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    assert_eq!(
        ra.rewrapped + rb.rewrapped,
        50,
        "each key re-wrapped once: {ra:?} {rb:?}"
    );
    assert_eq!(a.key_usage().await.unwrap(), [(k2.clone(), 50)]);
    for (owner, row, s) in &sealed {
        open_with_stored_key(&b, owner, place(row), s)
            .await
            .unwrap();
    }
}

#[each_engine]
async fn without_a_key_ring_case_keys_are_refused_with_the_fix(engine: Engine) {
    let db = fresh_database(&engine).await;
    let app = App::open(&db.url, SecurityConfig::default()).await.unwrap();
    let e = seal_with_new_key(&app, "case-1", PartnershipId::new(), place("r"), "x")
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::NoKeys));
    assert!(e.to_string().contains("preventkit keys create"), "{e}");
    assert!(!app.has_case_data().await.unwrap());
    assert!(matches!(
        app.rewrap_all(10).await,
        Err(ServiceError::NoKeys)
    ));
}

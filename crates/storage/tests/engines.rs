//! Storage round trips on every configured engine: SQLite always, PostgreSQL when
//! `PREVENTKIT_TEST_DATABASE_URL` is set.

// Test code: a failed unwrap, expect, panic or index is the test failing, as it should be.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use preventkit_domain::administration::Organisation;
use preventkit_domain::{OrganisationId, OrganisationType, Timestamp};
use preventkit_storage as store;
use preventkit_storage::{now_ms, Db, StorageError};
use preventkit_testkit::{each_engine, fresh_database, Engine};

#[each_engine]
async fn migrate_is_idempotent_and_round_trips_rows(engine: Engine) {
    let fresh = fresh_database(&engine).await;
    let db = Db::connect(&fresh.url).await.expect("connect");
    let first = db.migrate().await.expect("migrate");
    assert_eq!(
        first,
        vec![1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
        "{:?}",
        db.engine()
    );
    assert!(db.migrate().await.expect("migrate again").is_empty());
    assert!(db.is_migrated().await.expect("is migrated"));

    let row = Organisation {
        id: OrganisationId::new(),
        name: "Northshire County Council".into(),
        org_type: OrganisationType::LocalAuthorityCounty,
        created_at: Timestamp::from_millis(now_ms()),
    };
    let mut tx = db.write().await.expect("write");
    store::administration::organisations::insert(&mut tx, &row)
        .await
        .expect("insert");
    tx.commit().await.expect("commit");

    let mut tx = db.write().await.expect("write");
    let dup = Organisation {
        id: OrganisationId::new(),
        ..row.clone()
    };
    let err = store::administration::organisations::insert(&mut tx, &dup)
        .await
        .expect_err("duplicate");
    assert!(matches!(err, StorageError::Conflict), "{err:?}");
    tx.rollback().await.expect("rollback");

    let mut tx = db.read().await.expect("read");
    let got = store::administration::organisations::get(&mut tx, row.id)
        .await
        .expect("get");
    assert_eq!(got, Some(row.clone()));
    assert_eq!(
        store::administration::organisations::list(&mut tx)
            .await
            .expect("list")
            .len(),
        1
    );
}

//! Storage round trips on every configured engine: SQLite always, PostgreSQL when
//! `PREVENTKIT_TEST_DATABASE_URL` is set.

use preventkit_storage as store;
use preventkit_storage::{now_ms, Db, OrganisationRow, StorageError};

async fn sqlite_db(dir: &tempfile::TempDir) -> Db {
    let url = format!("sqlite://{}/test.db", dir.path().display());
    Db::connect(&url).await.expect("connect sqlite")
}

/// A fresh PostgreSQL database for one test, or None when no test server is configured.
async fn postgres_db() -> Option<Db> {
    let base = std::env::var("PREVENTKIT_TEST_DATABASE_URL").ok()?;
    let name = format!("pk_storage_{}", uuid::Uuid::new_v4().simple());
    let admin = Db::connect(&base).await.expect("connect postgres");
    admin
        .execute_admin(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create database");
    admin.close().await;
    let url = match base.rfind('/') {
        Some(i) => format!("{}/{name}", &base[..i]),
        None => panic!("bad PREVENTKIT_TEST_DATABASE_URL"),
    };
    Some(Db::connect(&url).await.expect("connect new database"))
}

async fn engines() -> Vec<(Db, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut v = vec![(sqlite_db(&dir).await, Some(dir))];
    match postgres_db().await {
        Some(db) => v.push((db, None)),
        None => eprintln!("PostgreSQL leg skipped: PREVENTKIT_TEST_DATABASE_URL is not set"),
    }
    v
}

#[tokio::test]
async fn migrate_is_idempotent_and_round_trips_rows() {
    for (db, _dir) in engines().await {
        let first = db.migrate().await.expect("migrate");
        assert_eq!(first, vec![1, 2, 3, 4, 5, 6, 7], "{:?}", db.engine());
        assert!(db.migrate().await.expect("migrate again").is_empty());
        assert!(db.is_migrated().await.expect("is migrated"));

        let row = OrganisationRow {
            id: uuid::Uuid::new_v4().to_string(),
            name: "Northshire County Council".into(),
            org_type: "local-authority-county".into(),
            created_at: now_ms(),
        };
        let mut tx = db.write().await.expect("write");
        store::administration::organisations::insert(&mut tx, &row)
            .await
            .expect("insert");
        tx.commit().await.expect("commit");

        let mut tx = db.write().await.expect("write");
        let dup = OrganisationRow {
            id: uuid::Uuid::new_v4().to_string(),
            ..row.clone()
        };
        let err = store::administration::organisations::insert(&mut tx, &dup)
            .await
            .expect_err("duplicate");
        assert!(matches!(err, StorageError::Conflict), "{err:?}");
        tx.rollback().await.expect("rollback");

        let mut tx = db.read().await.expect("read");
        let got = store::administration::organisations::get(&mut tx, &row.id)
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
}

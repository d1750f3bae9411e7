//! The engines a run can test and a fresh database on each.

use std::future::Future;

/// The variable that names the PostgreSQL server the tests may use (any database on it; each
/// test creates its own beside it).
pub const POSTGRESQL_URL_VARIABLE: &str = "PREVENTKIT_TEST_DATABASE_URL";

/// Which database a test runs on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    /// The PostgreSQL server's URL from `PREVENTKIT_TEST_DATABASE_URL`.
    Postgres(String),
}

impl Engine {
    /// The PostgreSQL engine named by `PREVENTKIT_TEST_DATABASE_URL`. Panics when it is not set:
    /// a test that was built to run on PostgreSQL must fail rather than pass without it.
    pub fn postgres() -> Engine {
        match std::env::var(POSTGRESQL_URL_VARIABLE) {
            Ok(url) if !url.is_empty() => Engine::Postgres(url),
            _ => panic!(
                "the PostgreSQL leg was built in ({POSTGRESQL_URL_VARIABLE} was set when the \
                 tests were compiled) but {POSTGRESQL_URL_VARIABLE} is not set now"
            ),
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres(_) => "postgresql",
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Engine::Postgres(_))
    }
}

/// Every engine this run can test: SQLite always; PostgreSQL when a URL is given. Only for a
/// test that needs every engine in one run; a test that runs the same steps on each engine
/// uses [`each_engine`](crate::each_engine), which names each engine's run.
pub fn engines() -> Vec<Engine> {
    let mut v = vec![Engine::Sqlite];
    match std::env::var(POSTGRESQL_URL_VARIABLE) {
        Ok(url) if !url.is_empty() => v.push(Engine::Postgres(url)),
        _ => eprintln!("NOTE: PostgreSQL leg skipped: set {POSTGRESQL_URL_VARIABLE} to run it"),
    }
    v
}

/// A new, empty database for one test.
#[derive(Debug)]
pub struct TestDatabase {
    pub url: String,
    pub engine: Engine,
    /// Keeps a SQLite database's folder until the test ends.
    dir: Option<tempfile::TempDir>,
}

impl TestDatabase {
    /// The folder the SQLite database lives in (a fresh temporary folder), if any.
    pub fn dir(&self) -> Option<&std::path::Path> {
        self.dir.as_ref().map(|d| d.path())
    }
}

/// A new, empty database on `engine`: SQLite in a temporary folder, PostgreSQL as
/// `CREATE DATABASE pk_<uuid>` on the test server (`./dev test` drops those left over).
pub async fn fresh_database(engine: &Engine) -> TestDatabase {
    match engine {
        Engine::Sqlite => {
            let dir = tempfile::tempdir().expect("temporary folder");
            let url = format!("sqlite://{}/test.db", dir.path().display());
            TestDatabase {
                url,
                engine: engine.clone(),
                dir: Some(dir),
            }
        }
        Engine::Postgres(base) => {
            let name = format!("pk_{}", uuid::Uuid::new_v4().simple());
            let admin = preventkit_storage::Db::connect(base)
                .await
                .unwrap_or_else(|e| panic!("connect to the PostgreSQL test server: {e}"));
            admin
                .execute_admin(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create the test database");
            admin.close().await;
            TestDatabase {
                url: sibling_database(base, &name),
                engine: engine.clone(),
                dir: None,
            }
        }
    }
}

/// The URL of database `name` on the server of `base`, keeping any query string.
fn sibling_database(base: &str, name: &str) -> String {
    let (path, query) = match base.find('?') {
        Some(i) => base.split_at(i),
        None => (base, ""),
    };
    let cut = path.rfind('/').expect("the database URL has a path");
    if cut < "postgres://".len() {
        format!("{path}/{name}{query}")
    } else {
        format!("{}/{name}{query}", &path[..cut])
    }
}

/// Run a test's future on a runtime like `#[tokio::test(flavor = "multi_thread",
/// worker_threads = 2)]` (used by [`each_engine`](crate::each_engine)).
pub fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("test runtime")
        .block_on(future)
}

#[cfg(test)]
mod tests {
    use super::sibling_database;

    #[test]
    fn a_sibling_database_keeps_the_server_and_the_options() {
        assert_eq!(
            sibling_database("postgres://postgres@127.0.0.1:5432/test", "pk_1"),
            "postgres://postgres@127.0.0.1:5432/pk_1"
        );
        assert_eq!(
            sibling_database("postgres://u@h/test?sslmode=disable", "pk_1"),
            "postgres://u@h/pk_1?sslmode=disable"
        );
        assert_eq!(
            sibling_database("postgres://u@h:5432", "pk_1"),
            "postgres://u@h:5432/pk_1"
        );
    }
}

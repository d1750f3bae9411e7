use crate::schema;
use sea_query::{
    DeleteStatement, InsertStatement, PostgresQueryBuilder, QueryBuilder, SchemaBuilder,
    SelectStatement, SqliteQueryBuilder, UpdateStatement,
};
use sea_query_binder::SqlxValues;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyPool, Executor, FromRow};
use std::time::Duration;

/// The engine behind a [`Db`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn from_url(url: &str) -> Result<Self, StorageError> {
        if url.starts_with("sqlite:") {
            Ok(Engine::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Engine::Postgres)
        } else {
            Err(StorageError::UnsupportedUrl)
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgresql",
        }
    }

    fn query_builder(self) -> &'static dyn QueryBuilder {
        match self {
            Engine::Sqlite => &SqliteQueryBuilder,
            Engine::Postgres => &PostgresQueryBuilder,
        }
    }

    pub(crate) fn schema_builder(self) -> &'static dyn SchemaBuilder {
        match self {
            Engine::Sqlite => &SqliteQueryBuilder,
            Engine::Postgres => &PostgresQueryBuilder,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("the database URL must start with sqlite: or postgres://")]
    UnsupportedUrl,
    #[error("a record with the same unique value already exists")]
    Conflict,
    #[error("the database is busy; try again")]
    Busy,
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    /// A stored value that does not decode into its domain type (a malformed identifier, an
    /// unknown state key, a bad date). Only the place is named, never the value, which may be
    /// personal data.
    #[error("stored data is not valid: {table}.{column} could not be decoded")]
    Undecodable {
        table: &'static str,
        column: &'static str,
    },
    #[error("{0}")]
    Unsupported(&'static str),
    #[error("query could not be built: {0}")]
    Query(#[from] sea_query::error::Error),
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
}

impl From<sqlx::Error> for StorageError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            if db.is_unique_violation() {
                return StorageError::Conflict;
            }
            // SQLite: SQLITE_BUSY (5) and SQLITE_LOCKED (6) after the busy timeout.
            // PostgreSQL: serialization failure and deadlock.
            if matches!(
                db.code().as_deref(),
                Some("5") | Some("6") | Some("40001") | Some("40P01")
            ) {
                return StorageError::Busy;
            }
        }
        StorageError::Database(e)
    }
}

/// A pool of connections to one database.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    engine: Engine,
}

/// A transaction. Reads use one for a consistent view; writes use one so that the change and
/// its audit event commit together or not at all.
pub struct Tx {
    inner: sqlx::Transaction<'static, Any>,
    engine: Engine,
    /// The audit chain head as this transaction last wrote or read it under the write lock,
    /// so that appending an event does not read it again.
    pub(crate) audit_head: Option<(i64, String)>,
}

impl Db {
    /// Connect, creating the SQLite file (and its folder) if it does not exist yet.
    pub async fn connect(url: &str) -> Result<Db, StorageError> {
        sqlx::any::install_default_drivers();
        let engine = Engine::from_url(url)?;
        let mut url = url.to_owned();
        if engine == Engine::Sqlite {
            if let Some(path) = sqlite_path(&url) {
                if let Some(parent) = std::path::Path::new(&path).parent() {
                    if !parent.as_os_str().is_empty() {
                        std::fs::create_dir_all(parent)?;
                    }
                }
            }
            if !url.contains("mode=") {
                url.push_str(if url.contains('?') {
                    "&mode=rwc"
                } else {
                    "?mode=rwc"
                });
            }
        }
        // A read-only connection (checking a backup) must not try to change the journal mode.
        let read_only = url.contains("mode=ro");
        let options = AnyPoolOptions::new()
            .max_connections(match engine {
                Engine::Sqlite => 8,
                Engine::Postgres => 16,
            })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if engine == Engine::Sqlite {
                        // WAL lets readers run beside the one writer; a synchronous level of
                        // FULL makes every acknowledged commit durable across power loss.
                        if !read_only {
                            conn.execute("PRAGMA journal_mode = WAL").await?;
                            conn.execute("PRAGMA synchronous = FULL").await?;
                        }
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        conn.execute("PRAGMA busy_timeout = 10000").await?;
                    }
                    Ok(())
                })
            });
        let pool = options.connect(&url).await?;
        Ok(Db { pool, engine })
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// Apply every migration not yet applied.
    pub async fn migrate(&self) -> Result<Vec<i64>, StorageError> {
        schema::migrate(self).await
    }

    /// Whether every known migration has been applied.
    pub async fn is_migrated(&self) -> Result<bool, StorageError> {
        schema::is_current(self).await
    }

    /// Start a transaction for reading.
    pub async fn read(&self) -> Result<Tx, StorageError> {
        Ok(Tx {
            inner: self.pool.begin().await?,
            engine: self.engine,
            audit_head: None,
        })
    }

    /// Start a transaction for writing. Its first statement takes the write lock (the audit
    /// chain head row), so writers queue in order on both engines: SQLite gets the equivalent
    /// of `BEGIN IMMEDIATE`, PostgreSQL a row lock, and the audit chain stays linear.
    pub async fn write(&self) -> Result<Tx, StorageError> {
        let mut tx = self.read().await?;
        crate::audit::lock_head(&mut tx).await?;
        Ok(tx)
    }

    /// One statement that reads at most one row, outside any transaction. A single statement
    /// sees one consistent state on both engines, so for a read that is one statement this
    /// saves the round trips of `BEGIN` and `COMMIT`. Anything that reads twice uses
    /// [`Db::read`].
    pub async fn fetch_optional<T>(&self, stmt: &SelectStatement) -> Result<Option<T>, StorageError>
    where
        T: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
    {
        let (sql, values) = Statement::build(stmt, self.engine.query_builder());
        Ok(sqlx::query_as_with::<_, T, _>(&sql, SqlxValues(values))
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Run an administrative statement such as `CREATE DATABASE` (tests and set-up only;
    /// never with user input).
    pub async fn execute_admin(&self, sql: &str) -> Result<(), StorageError> {
        self.execute_raw(sql).await
    }

    /// Run a raw statement outside any transaction (used for set-up and backups only).
    pub(crate) async fn execute_raw(&self, sql: &str) -> Result<(), StorageError> {
        self.pool.execute(sql).await?;
        Ok(())
    }

    pub async fn ping(&self) -> Result<(), StorageError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Write a consistent snapshot of a SQLite database to `target` while it is in use.
    /// PostgreSQL deployments use `pg_dump`; see the operations guide.
    pub async fn backup_to(&self, target: &std::path::Path) -> Result<(), StorageError> {
        if self.engine != Engine::Sqlite {
            return Err(StorageError::Unsupported(
                "backup of PostgreSQL is done with pg_dump (see docs/operations.md)",
            ));
        }
        if target.exists() {
            return Err(StorageError::Io(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                format!("{} already exists", target.display()),
            )));
        }
        let path = target.to_string_lossy().replace('\'', "''");
        self.execute_raw(&format!("VACUUM INTO '{path}'")).await
    }
}

/// The file path in a `sqlite:` URL, if it names a file.
pub fn sqlite_path(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        None
    } else {
        Some(path.to_owned())
    }
}

/// A statement that can be written in either dialect.
pub trait Statement {
    fn build(&self, builder: &dyn QueryBuilder) -> (String, sea_query::Values);
}

macro_rules! statement {
    ($t:ty) => {
        impl Statement for $t {
            fn build(&self, builder: &dyn QueryBuilder) -> (String, sea_query::Values) {
                sea_query::QueryStatementBuilder::build_any(self, builder)
            }
        }
    };
}
statement!(SelectStatement);
statement!(InsertStatement);
statement!(UpdateStatement);
statement!(DeleteStatement);

impl Tx {
    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// Run a statement that returns no rows; answers how many rows it touched.
    pub async fn execute(&mut self, stmt: &impl Statement) -> Result<u64, StorageError> {
        let (sql, values) = stmt.build(self.engine.query_builder());
        let done = sqlx::query_with(&sql, SqlxValues(values))
            .execute(&mut *self.inner)
            .await?;
        Ok(done.rows_affected())
    }

    pub async fn fetch_all<T>(&mut self, stmt: &impl Statement) -> Result<Vec<T>, StorageError>
    where
        T: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
    {
        let (sql, values) = stmt.build(self.engine.query_builder());
        Ok(sqlx::query_as_with::<_, T, _>(&sql, SqlxValues(values))
            .fetch_all(&mut *self.inner)
            .await?)
    }

    pub async fn fetch_optional<T>(
        &mut self,
        stmt: &impl Statement,
    ) -> Result<Option<T>, StorageError>
    where
        T: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
    {
        let (sql, values) = stmt.build(self.engine.query_builder());
        Ok(sqlx::query_as_with::<_, T, _>(&sql, SqlxValues(values))
            .fetch_optional(&mut *self.inner)
            .await?)
    }

    /// A single `i64` (for counts and the like).
    pub async fn fetch_i64(&mut self, stmt: &impl Statement) -> Result<i64, StorageError> {
        let (sql, values) = stmt.build(self.engine.query_builder());
        let (n,): (i64,) = sqlx::query_as_with(&sql, SqlxValues(values))
            .fetch_one(&mut *self.inner)
            .await?;
        Ok(n)
    }

    pub(crate) async fn execute_sql(&mut self, sql: &str) -> Result<(), StorageError> {
        (&mut *self.inner).execute(sql).await?;
        Ok(())
    }

    pub async fn commit(self) -> Result<(), StorageError> {
        self.inner.commit().await?;
        Ok(())
    }

    pub async fn rollback(self) -> Result<(), StorageError> {
        self.inner.rollback().await?;
        Ok(())
    }
}

/// Put an SQLite backup in place of the database at `url`. The backup is checked first
/// (integrity and schema); the current file is moved aside, never deleted, so a mistaken
/// restore can itself be undone. Run with the server stopped.
pub async fn restore_sqlite(
    url: &str,
    backup: &std::path::Path,
) -> Result<std::path::PathBuf, StorageError> {
    if Engine::from_url(url)? != Engine::Sqlite {
        return Err(StorageError::Unsupported(
            "restore of PostgreSQL is done with pg_restore (see docs/operations.md)",
        ));
    }
    let target = sqlite_path(url).ok_or(StorageError::Unsupported(
        "the database URL does not name a file",
    ))?;
    let check = Db::connect(&format!("sqlite://{}?mode=ro", backup.display())).await?;
    let (result,): (String,) = sqlx::query_as("PRAGMA integrity_check")
        .fetch_one(&check.pool)
        .await?;
    let migrated = check.is_migrated().await?;
    check.close().await;
    if result != "ok" {
        return Err(StorageError::Corrupt(format!(
            "the backup fails its integrity check: {result}"
        )));
    }
    if !migrated {
        return Err(StorageError::Corrupt(
            "the backup is not a Prevent Toolkit database".into(),
        ));
    }
    let target = std::path::PathBuf::from(target);
    let staged = target.with_extension("restoring");
    std::fs::copy(backup, &staged)?;
    let aside = target.with_extension(format!("before-restore-{}", crate::now_ms()));
    if target.exists() {
        std::fs::rename(&target, &aside)?;
    }
    for suffix in ["-wal", "-shm"] {
        let side = std::path::PathBuf::from(format!("{}{suffix}", target.display()));
        if side.exists() {
            std::fs::remove_file(side)?;
        }
    }
    std::fs::rename(&staged, &target)?;
    Ok(aside)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_paths() {
        assert_eq!(
            sqlite_path("sqlite://data/x.db?mode=rwc").as_deref(),
            Some("data/x.db")
        );
        assert_eq!(sqlite_path("sqlite:x.db").as_deref(), Some("x.db"));
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert!(Engine::from_url("mysql://x").is_err());
    }
}

//! Raw SQL on a test database, for what only the database can show: whole-table snapshots,
//! and the locks and triggers a test sets up around the code it tests.

use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Connection, Executor, Row};
use std::collections::BTreeMap;

/// One connection to a test database. Each statement runs on its own unless the test begins a
/// transaction itself (for example to hold the write lock).
pub struct Sql {
    conn: AnyConnection,
    postgres: bool,
}

impl Sql {
    pub async fn connect(url: &str) -> Sql {
        sqlx::any::install_default_drivers();
        let mut conn = AnyConnection::connect(url)
            .await
            .unwrap_or_else(|e| panic!("connect to the test database: {e}"));
        let postgres = !url.starts_with("sqlite:");
        if !postgres {
            conn.execute("PRAGMA busy_timeout = 10000")
                .await
                .expect("busy timeout");
        }
        Sql { conn, postgres }
    }

    pub fn is_postgres(&self) -> bool {
        self.postgres
    }

    /// Hold the lock that every change needs, on this connection, until
    /// [`Sql::release_writes`]: the application's writes wait (they all append to the audit
    /// log), its reads go on. SQLite: `BEGIN IMMEDIATE`; PostgreSQL: an exclusive lock on the
    /// audit log's table, which lets readers through.
    pub async fn hold_writes(&mut self) {
        if self.postgres {
            self.execute("BEGIN").await;
            self.execute("LOCK TABLE audit_events IN EXCLUSIVE MODE")
                .await;
        } else {
            self.execute("BEGIN IMMEDIATE").await;
        }
    }

    /// Let the writes held by [`Sql::hold_writes`] go on.
    pub async fn release_writes(&mut self) {
        self.execute("COMMIT").await;
    }

    /// Run statements (no results).
    pub async fn execute(&mut self, sql: &str) {
        self.conn
            .execute(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// The first column of the first row, as a whole number.
    pub async fn number(&mut self, sql: &str) -> i64 {
        let row = self
            .conn
            .fetch_one(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        row.try_get::<i64, _>(0)
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// Every row, each column as text (NULL as `None`). Cast anything that is not text or a
    /// whole number in the query.
    pub async fn rows(&mut self, sql: &str) -> Vec<Vec<Option<String>>> {
        let rows = self
            .conn
            .fetch_all(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        rows.iter()
            .map(|row| {
                (0..row.len())
                    .map(|i| match row.try_get::<Option<String>, _>(i) {
                        Ok(v) => v,
                        Err(_) => row
                            .try_get::<Option<i64>, _>(i)
                            .unwrap_or_else(|e| panic!("{sql}, column {i}: {e}"))
                            .map(|n| n.to_string()),
                    })
                    .collect()
            })
            .collect()
    }

    /// The first column of every row, as text.
    pub async fn strings(&mut self, sql: &str) -> Vec<String> {
        self.rows(sql)
            .await
            .into_iter()
            .map(|r| r.into_iter().next().flatten().unwrap_or_default())
            .collect()
    }

    /// Every table of the schema, as the database's own catalogue lists them.
    pub async fn tables(&mut self) -> Vec<String> {
        let sql = if self.postgres {
            "SELECT tablename::text FROM pg_catalog.pg_tables \
             WHERE schemaname = current_schema() ORDER BY 1"
        } else {
            "SELECT name FROM sqlite_master \
             WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1"
        };
        self.strings(sql).await
    }

    /// The columns of a table, in order.
    pub async fn columns(&mut self, table: &str) -> Vec<String> {
        let sql = if self.postgres {
            format!(
                "SELECT column_name::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = {} \
                 ORDER BY ordinal_position",
                literal(table)
            )
        } else {
            format!(
                "SELECT name FROM pragma_table_info({}) ORDER BY cid",
                literal(table)
            )
        };
        self.strings(&sql).await
    }

    /// Every table's row count and a hash of its content, leaving out the columns named in
    /// `ignore` as (table, column).
    pub async fn snapshot(&mut self, ignore: &[(&str, &str)]) -> Snapshot {
        let mut tables = BTreeMap::new();
        for table in self.tables().await {
            let columns: Vec<String> = self
                .columns(&table)
                .await
                .into_iter()
                .filter(|c| !ignore.contains(&(table.as_str(), c.as_str())))
                .collect();
            tables.insert(table.clone(), self.table_snapshot(&table, &columns).await);
        }
        Snapshot { tables }
    }

    async fn table_snapshot(&mut self, table: &str, columns: &[String]) -> TableSnapshot {
        // Each row as one text with every value quoted (so NULL and '' differ), sorted, so the
        // hash depends on the content and not on the order the engine returns rows in.
        let row = if columns.is_empty() {
            "''".to_owned()
        } else if self.postgres {
            let values: Vec<String> = columns
                .iter()
                .map(|c| {
                    format!(
                        "{} || quote_nullable({})",
                        literal(&format!("{c}=")),
                        ident(c)
                    )
                })
                .collect();
            format!("concat_ws(', ', {})", values.join(", "))
        } else {
            let values: Vec<String> = columns
                .iter()
                .map(|c| format!("{} || quote({})", literal(&format!("{c}=")), ident(c)))
                .collect();
            values.join(" || ', ' || ")
        };
        let mut rows = self
            .strings(&format!("SELECT {row} FROM {}", ident(table)))
            .await;
        rows.sort();
        let mut hash = Sha256::new();
        for r in &rows {
            hash.update(r.as_bytes());
            hash.update(b"\n");
        }
        TableSnapshot {
            rows: rows.len(),
            hash: hex::encode(hash.finalize()),
            content: rows,
        }
    }
}

/// A quoted SQL string.
fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A quoted SQL name.
fn ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// One table's row count and content hash, and its rows (to say what changed).
#[derive(Clone, Debug)]
pub struct TableSnapshot {
    pub rows: usize,
    pub hash: String,
    /// Every row as `column='value', ...`, sorted.
    pub content: Vec<String>,
}

impl PartialEq for TableSnapshot {
    fn eq(&self, other: &Self) -> bool {
        self.rows == other.rows && self.hash == other.hash
    }
}

impl Eq for TableSnapshot {}

/// Every table of a database, as [`Sql::snapshot`] found it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    pub tables: BTreeMap<String, TableSnapshot>,
}

impl Snapshot {
    /// The tables whose rows differ from `later`'s, each with its row counts before and after
    /// and the rows gone (`-`) and added (`+`); a table only one side has counts as differing.
    pub fn changed(&self, later: &Snapshot) -> Vec<String> {
        let mut names: Vec<&String> = self.tables.keys().chain(later.tables.keys()).collect();
        names.sort();
        names.dedup();
        names
            .into_iter()
            .filter_map(|name| {
                let (a, b) = (self.tables.get(name), later.tables.get(name));
                if a == b {
                    return None;
                }
                let rows = |t: Option<&TableSnapshot>| {
                    t.map_or_else(|| "no table".to_owned(), |t| format!("{} rows", t.rows))
                };
                let content =
                    |t: Option<&TableSnapshot>| t.map(|t| t.content.clone()).unwrap_or_default();
                let (was, is) = (content(a), content(b));
                let mut lines = vec![format!("{name}: {} before, {} after", rows(a), rows(b))];
                lines.extend(
                    was.iter()
                        .filter(|r| !is.contains(r))
                        .map(|r| format!("  - {r}")),
                );
                lines.extend(
                    is.iter()
                        .filter(|r| !was.contains(r))
                        .map(|r| format!("  + {r}")),
                );
                Some(lines.join("\n"))
            })
            .collect()
    }

    /// Leave out tables by name.
    pub fn without(mut self, tables: &[&str]) -> Snapshot {
        self.tables
            .retain(|name, _| !tables.contains(&name.as_str()));
        self
    }

    /// Only the tables named.
    pub fn only(mut self, tables: &[&str]) -> Snapshot {
        self.tables
            .retain(|name, _| tables.contains(&name.as_str()));
        self
    }
}

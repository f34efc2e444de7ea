//! The unique keys the services name in their conflicts (`error::keys`) are the ones the
//! schema has, on the database under test: each exists as a unique index over exactly
//! its columns, so a violation is recognised by name (PostgreSQL) or by its columns
//! (SQLite) and answers 409 with its own code, never another key's.

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use yungui_domain::error::keys;

use crate::helpers::spawn_app;

/// The columns of each unique index of `table`, in index order, with its name.
async fn unique_indexes(db: &sea_orm::DatabaseConnection, table: &str) -> Vec<(String, Vec<String>)> {
    let backend = db.get_database_backend();
    let rows = if backend == DbBackend::Postgres {
        let sql = "SELECT c.relname AS name, a.attname AS col FROM pg_index i \
                   JOIN pg_class c ON c.oid = i.indexrelid \
                   JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) \
                   WHERE i.indisunique AND i.indrelid = $1::regclass \
                   ORDER BY c.relname, array_position(i.indkey::int[], a.attnum::int)";
        db.query_all_raw(Statement::from_sql_and_values(backend, sql, [table.into()])).await.unwrap()
    } else {
        let sql = "SELECT l.name AS name, i.name AS col FROM pragma_index_list(?) l, pragma_index_info(l.name) i \
                   WHERE l.\"unique\" ORDER BY l.name, i.seqno";
        db.query_all_raw(Statement::from_sql_and_values(backend, sql, [table.into()])).await.unwrap()
    };
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for r in rows {
        let (name, col): (String, String) = (r.try_get("", "name").unwrap(), r.try_get("", "col").unwrap());
        match out.last_mut() {
            Some((n, cols)) if *n == name => cols.push(col),
            _ => out.push((name, vec![col])),
        }
    }
    out
}

#[tokio::test]
async fn every_named_unique_key_is_a_unique_index_of_the_schema() {
    let app = spawn_app().await;
    let db = &app.state.db;
    let postgres = db.get_database_backend() == DbBackend::Postgres;
    for key in keys::ALL {
        let found = unique_indexes(db, key.table).await;
        let columns: Vec<String> = key.columns.iter().map(|c| (*c).to_owned()).collect();
        let matching: Vec<&(String, Vec<String>)> =
            found.iter().filter(|(name, cols)| *cols == columns && (!postgres || name == key.name)).collect();
        assert_eq!(matching.len(), 1, "{key:?}: the unique indexes of {} are {found:?}", key.table);
    }
}

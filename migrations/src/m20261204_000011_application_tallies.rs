//! Applications counted as they are written, so the funnel's first three stages no
//! longer count every application of the slice on each request.
//!
//! `application_tallies` holds signed counts of applications by every dimension the
//! funnel filters on (cohort, school, major, origin, intended enterprise) and by what it
//! counts (state, verified or not). Triggers on `applications` write them: an insert adds
//! `+1` under the new row's key, a delete `-1` under the old row's, an update both when
//! the key changed. The sum of `n` over a key is always the number of applications with
//! that key, whatever has been folded: the rows are only ever inserted by the triggers,
//! and the worker's fold replaces many rows of a key by one holding their sum.
//!
//! Insert-only deltas rather than one counter per key: a counter row would serialise all
//! writes to applications of that key, and two transactions moving applications between
//! two keys in either order would deadlock.
//!
//! On PostgreSQL the triggers are per statement, over the statement's transition tables:
//! an import of a thousand rows writes one delta per key it touches, not a thousand. On
//! SQLite triggers are per row; the fold keeps the table small.
//!
//! The backfill counts the applications already there, in the same transaction as the
//! triggers are created (PostgreSQL's `CREATE TRIGGER` locks writers to `applications`
//! out until it commits; SQLite has one writer), so nothing is counted twice or missed.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{boolean, string, uuid, uuid_null};
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The key of a tally, in the order both tables name it.
const KEY: &str = "cohort_id, school_id, major_id, origin_id, intended_enterprise_id, state";

/// The columns of the tally table, in the order the statements below fill them.
const COLUMNS: &str = "cohort_id, school_id, major_id, origin_id, intended_enterprise_id, state, verified, n";

const PG_UP: &[&str] = &[
    "CREATE FUNCTION application_tallies_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       INSERT INTO application_tallies (COLUMNS)
       SELECT KEY, verified_at IS NOT NULL, COUNT(*) FROM new_rows GROUP BY 1, 2, 3, 4, 5, 6, 7;
       RETURN NULL;
     END $$",
    "CREATE FUNCTION application_tallies_updated() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       INSERT INTO application_tallies (COLUMNS)
       SELECT KEY, verified, SUM(n) FROM (
         SELECT KEY, verified_at IS NOT NULL AS verified, -1 AS n FROM old_rows
         UNION ALL
         SELECT KEY, verified_at IS NOT NULL AS verified, 1 AS n FROM new_rows
       ) AS moved
       GROUP BY 1, 2, 3, 4, 5, 6, 7
       HAVING SUM(n) <> 0;
       RETURN NULL;
     END $$",
    "CREATE FUNCTION application_tallies_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       INSERT INTO application_tallies (COLUMNS)
       SELECT KEY, verified_at IS NOT NULL, -COUNT(*) FROM old_rows GROUP BY 1, 2, 3, 4, 5, 6, 7;
       RETURN NULL;
     END $$",
    "CREATE TRIGGER application_tallies_insert AFTER INSERT ON applications
     REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION application_tallies_inserted()",
    "CREATE TRIGGER application_tallies_update AFTER UPDATE ON applications
     REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
     FOR EACH STATEMENT EXECUTE FUNCTION application_tallies_updated()",
    "CREATE TRIGGER application_tallies_delete AFTER DELETE ON applications
     REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION application_tallies_deleted()",
];

const PG_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS application_tallies_insert ON applications",
    "DROP TRIGGER IF EXISTS application_tallies_update ON applications",
    "DROP TRIGGER IF EXISTS application_tallies_delete ON applications",
    "DROP FUNCTION IF EXISTS application_tallies_inserted()",
    "DROP FUNCTION IF EXISTS application_tallies_updated()",
    "DROP FUNCTION IF EXISTS application_tallies_deleted()",
];

const SQLITE_UP: &[&str] = &[
    "CREATE TRIGGER application_tallies_insert AFTER INSERT ON applications BEGIN
       INSERT INTO application_tallies (COLUMNS) VALUES (NEW_KEY, NEW.verified_at IS NOT NULL, 1);
     END",
    "CREATE TRIGGER application_tallies_update
     AFTER UPDATE OF cohort_id, school_id, major_id, origin_id, intended_enterprise_id, state, verified_at
     ON applications
     WHEN OLD.cohort_id IS NOT NEW.cohort_id OR OLD.school_id IS NOT NEW.school_id
       OR OLD.major_id IS NOT NEW.major_id OR OLD.origin_id IS NOT NEW.origin_id
       OR OLD.intended_enterprise_id IS NOT NEW.intended_enterprise_id OR OLD.state IS NOT NEW.state
       OR (OLD.verified_at IS NULL) IS NOT (NEW.verified_at IS NULL)
     BEGIN
       INSERT INTO application_tallies (COLUMNS) VALUES (OLD_KEY, OLD.verified_at IS NOT NULL, -1);
       INSERT INTO application_tallies (COLUMNS) VALUES (NEW_KEY, NEW.verified_at IS NOT NULL, 1);
     END",
    "CREATE TRIGGER application_tallies_delete AFTER DELETE ON applications BEGIN
       INSERT INTO application_tallies (COLUMNS) VALUES (OLD_KEY, OLD.verified_at IS NOT NULL, -1);
     END",
];

const SQLITE_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS application_tallies_insert",
    "DROP TRIGGER IF EXISTS application_tallies_update",
    "DROP TRIGGER IF EXISTS application_tallies_delete",
];

/// Fills in the column lists (kept once above, so the statements cannot disagree).
fn expand(sql: &str) -> String {
    let of = |row: &str| KEY.split(", ").map(|c| format!("{row}.{c}")).collect::<Vec<_>>().join(", ");
    sql.replace("COLUMNS", COLUMNS).replace("NEW_KEY", &of("NEW")).replace("OLD_KEY", &of("OLD")).replace("KEY", KEY)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("application_tallies")
                    .col(ColumnDef::new("id").big_integer().not_null().auto_increment().primary_key())
                    .col(uuid("cohort_id"))
                    .col(uuid_null("school_id"))
                    .col(uuid_null("major_id"))
                    .col(uuid("origin_id"))
                    .col(uuid_null("intended_enterprise_id"))
                    .col(string("state"))
                    .col(boolean("verified"))
                    .col(ColumnDef::new("n").big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        let triggers = if manager.get_database_backend() == DbBackend::Postgres { PG_UP } else { SQLITE_UP };
        for sql in triggers {
            db.execute_unprepared(&expand(sql)).await?;
        }
        db.execute_unprepared(&expand(
            "INSERT INTO application_tallies (COLUMNS)
             SELECT KEY, verified_at IS NOT NULL, COUNT(*) FROM applications GROUP BY 1, 2, 3, 4, 5, 6, 7",
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let triggers = if manager.get_database_backend() == DbBackend::Postgres { PG_DOWN } else { SQLITE_DOWN };
        for sql in triggers {
            db.execute_unprepared(sql).await?;
        }
        manager.drop_table(Table::drop().table("application_tallies").if_exists().to_owned()).await
    }
}

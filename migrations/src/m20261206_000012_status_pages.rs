//! The students' status pages kept as they were last sent, so the most read page of all
//! is one read while nothing under it changed.
//!
//! `status_pages` has one row per student (made by a trigger when the student is, and
//! backfilled here): a `version` that every write under the student's page raises, and
//! the page last computed (`body`, for the day `as_of`, by the program `build`, under
//! the `epoch` it was read with). `status_epoch` is one row: an `epoch` raised by writes that change many
//! pages at once (a name of a school, major, origin, cohort, programme or enterprise;
//! a disbursement batch, which says so itself), and on SQLite the `bulk` flag of such a
//! write in progress.
//!
//! A page is served from here only if it was stored for the same day and epoch by the
//! same build of the program (a release may change what a page says); it is
//! stored only if the version is still the one read before the page was computed (the
//! store is `UPDATE … WHERE version = <read>`), so a write that commits while a page is
//! being computed keeps that page from being stored. The triggers run in the writing
//! transaction: there is no moment after a commit when a stale page could be served.
//!
//! The pages' inputs, each raising the version of the students it touches: `students`,
//! `student_events`, `installments`, `ledger_entries`, `internships`, `placements`,
//! `follow_ups`, and an application's dates. On PostgreSQL the triggers are per
//! statement, over transition tables (a thousand installments inserted for 25 students
//! raise 25 versions, once each); on SQLite per row. A bulk write (a batch claiming
//! 70,000 installments) raises the epoch once instead: on PostgreSQL it sets
//! `yungui.status_bulk` for its transaction, on SQLite `status_epoch.bulk` until just
//! before it commits, and the triggers do nothing while either is set. A `bulk` flag
//! left set by mistake only stops pages being served from here (the read checks it),
//! never serves a stale one.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{big_integer, date_null, integer, pk_uuid, text_null};
use sea_orm_migration::sea_orm::DbBackend;

use crate::helpers::fk;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tables whose rows name their student in `student_id` and feed the page.
const BY_STUDENT: [&str; 6] =
    ["student_events", "installments", "ledger_entries", "internships", "placements", "follow_ups"];

/// The names a page shows from other tables: a change to one raises the epoch.
const NAMES: [(&str, &str); 6] = [
    ("cohorts", "name, intake_year, programme_id"),
    ("programmes", "code, name, study_years"),
    ("schools", "code, name"),
    ("majors", "code, name"),
    ("origins", "code, name"),
    ("enterprises", "name"),
];

/// What a trigger does to the versions of the students in `ids` (a subquery or a list).
const RAISE: &str = "UPDATE status_pages SET version = version + 1, body = NULL WHERE student_id IN";

fn pg_up() -> Vec<String> {
    let bulk = "current_setting('yungui.status_bulk', true) IS DISTINCT FROM 'on'";
    let function = |name: &str, ids: &str| {
        format!(
            "CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN
               IF {bulk} THEN {RAISE} ({ids}); END IF;
               RETURN NULL;
             END $$"
        )
    };
    let mut up = vec![
        function("status_pages_inserted", "SELECT student_id FROM new_rows"),
        function("status_pages_updated", "SELECT student_id FROM new_rows UNION SELECT student_id FROM old_rows"),
        function("status_pages_deleted", "SELECT student_id FROM old_rows"),
        function("status_pages_students_updated", "SELECT id FROM new_rows"),
        function("status_pages_application_dated", "SELECT id FROM students WHERE application_id = NEW.id"),
        "CREATE FUNCTION status_pages_students_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
           INSERT INTO status_pages (student_id) SELECT id FROM new_rows ON CONFLICT DO NOTHING;
           RETURN NULL;
         END $$"
            .to_owned(),
        "CREATE FUNCTION status_epoch_raised() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
           UPDATE status_epoch SET epoch = epoch + 1;
           RETURN NULL;
         END $$"
            .to_owned(),
        "CREATE TRIGGER status_pages_insert AFTER INSERT ON students
         REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION status_pages_students_inserted()"
            .to_owned(),
        "CREATE TRIGGER status_pages_update AFTER UPDATE ON students
         REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION status_pages_students_updated()"
            .to_owned(),
        "CREATE TRIGGER status_pages_dates AFTER UPDATE OF created_at, verified_at ON applications FOR EACH ROW
         WHEN (OLD.created_at IS DISTINCT FROM NEW.created_at OR OLD.verified_at IS DISTINCT FROM NEW.verified_at)
         EXECUTE FUNCTION status_pages_application_dated()"
            .to_owned(),
    ];
    for t in BY_STUDENT {
        up.push(format!(
            "CREATE TRIGGER status_pages_insert AFTER INSERT ON {t}
             REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION status_pages_inserted()"
        ));
        up.push(format!(
            "CREATE TRIGGER status_pages_update AFTER UPDATE ON {t}
             REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
             FOR EACH STATEMENT EXECUTE FUNCTION status_pages_updated()"
        ));
        up.push(format!(
            "CREATE TRIGGER status_pages_delete AFTER DELETE ON {t}
             REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION status_pages_deleted()"
        ));
    }
    for (t, cols) in NAMES {
        up.push(format!(
            "CREATE TRIGGER status_epoch_names AFTER UPDATE OF {cols} OR DELETE ON {t}
             FOR EACH STATEMENT EXECUTE FUNCTION status_epoch_raised()"
        ));
    }
    up
}

fn pg_down() -> Vec<String> {
    let mut down = vec![
        "DROP TRIGGER IF EXISTS status_pages_insert ON students".to_owned(),
        "DROP TRIGGER IF EXISTS status_pages_update ON students".to_owned(),
        "DROP TRIGGER IF EXISTS status_pages_dates ON applications".to_owned(),
    ];
    for t in BY_STUDENT {
        for op in ["insert", "update", "delete"] {
            down.push(format!("DROP TRIGGER IF EXISTS status_pages_{op} ON {t}"));
        }
    }
    for (t, _) in NAMES {
        down.push(format!("DROP TRIGGER IF EXISTS status_epoch_names ON {t}"));
    }
    for f in [
        "status_pages_inserted",
        "status_pages_updated",
        "status_pages_deleted",
        "status_pages_students_updated",
        "status_pages_application_dated",
        "status_pages_students_inserted",
        "status_epoch_raised",
    ] {
        down.push(format!("DROP FUNCTION IF EXISTS {f}()"));
    }
    down
}

/// SQLite's triggers are per row; `WHEN` keeps them from writing during a bulk write.
fn sqlite_up() -> Vec<String> {
    let when = "WHEN NOT EXISTS (SELECT 1 FROM status_epoch WHERE bulk <> 0)";
    let mut up = vec![
        "CREATE TRIGGER status_pages_students_insert AFTER INSERT ON students BEGIN
           INSERT OR IGNORE INTO status_pages (student_id) VALUES (NEW.id);
         END"
        .to_owned(),
        format!(
            "CREATE TRIGGER status_pages_students_update AFTER UPDATE ON students {when} BEGIN {RAISE} (NEW.id); END"
        ),
        format!(
            "CREATE TRIGGER status_pages_application_dates AFTER UPDATE OF created_at, verified_at ON applications
             WHEN (OLD.created_at IS NOT NEW.created_at OR OLD.verified_at IS NOT NEW.verified_at)
             BEGIN {RAISE} (SELECT id FROM students WHERE application_id = NEW.id); END"
        ),
    ];
    for t in BY_STUDENT {
        up.push(format!(
            "CREATE TRIGGER status_pages_{t}_insert AFTER INSERT ON {t} {when} BEGIN {RAISE} (NEW.student_id); END"
        ));
        up.push(format!(
            "CREATE TRIGGER status_pages_{t}_update AFTER UPDATE ON {t} {when}
             BEGIN {RAISE} (OLD.student_id, NEW.student_id); END"
        ));
        up.push(format!(
            "CREATE TRIGGER status_pages_{t}_delete AFTER DELETE ON {t} {when} BEGIN {RAISE} (OLD.student_id); END"
        ));
    }
    for (t, cols) in NAMES {
        for (op, on) in [("update", format!("UPDATE OF {cols}")), ("delete", "DELETE".to_owned())] {
            up.push(format!(
                "CREATE TRIGGER status_epoch_{t}_{op} AFTER {on} ON {t} BEGIN
                   UPDATE status_epoch SET epoch = epoch + 1;
                 END"
            ));
        }
    }
    up
}

fn sqlite_down() -> Vec<String> {
    let mut down = vec![
        "DROP TRIGGER IF EXISTS status_pages_students_insert".to_owned(),
        "DROP TRIGGER IF EXISTS status_pages_students_update".to_owned(),
        "DROP TRIGGER IF EXISTS status_pages_application_dates".to_owned(),
    ];
    for t in BY_STUDENT {
        for op in ["insert", "update", "delete"] {
            down.push(format!("DROP TRIGGER IF EXISTS status_pages_{t}_{op}"));
        }
    }
    for (t, _) in NAMES {
        for op in ["update", "delete"] {
            down.push(format!("DROP TRIGGER IF EXISTS status_epoch_{t}_{op}"));
        }
    }
    down
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("status_pages")
                    .col(pk_uuid("student_id"))
                    .col(big_integer("version").default(0))
                    .col(ColumnDef::new("epoch").big_integer().null())
                    .col(date_null("as_of"))
                    .col(text_null("build"))
                    .col(text_null("body"))
                    .foreign_key(fk("status_pages", "student_id", "students").on_delete(ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("status_epoch")
                    .col(integer("id").primary_key())
                    .col(big_integer("epoch").default(1))
                    .col(integer("bulk").default(0))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared("INSERT INTO status_epoch (id, epoch, bulk) VALUES (1, 1, 0)").await?;
        let triggers = if manager.get_database_backend() == DbBackend::Postgres { pg_up() } else { sqlite_up() };
        for sql in triggers {
            db.execute_unprepared(&sql).await?;
        }
        // After the triggers, in the same transaction: no student is missed.
        db.execute_unprepared(
            "INSERT INTO status_pages (student_id) SELECT id FROM students WHERE true ON CONFLICT DO NOTHING",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let triggers = if manager.get_database_backend() == DbBackend::Postgres { pg_down() } else { sqlite_down() };
        for sql in triggers {
            db.execute_unprepared(&sql).await?;
        }
        manager.drop_table(Table::drop().table("status_epoch").if_exists().to_owned()).await?;
        manager.drop_table(Table::drop().table("status_pages").if_exists().to_owned()).await
    }
}

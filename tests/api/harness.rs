//! The harness itself: each test really runs on the database CI asked for, and a
//! PostgreSQL test database is gone once its `TestApp` is.

use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};

use crate::helpers::spawn_app;

#[tokio::test]
async fn each_test_runs_on_the_database_that_test_database_url_names() {
    let app = spawn_app().await;

    let expected = match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => DatabaseBackend::Postgres,
        _ => DatabaseBackend::Sqlite,
    };
    assert_eq!(app.state.db.get_database_backend(), expected);
    assert_eq!(app.is_postgres(), expected == DatabaseBackend::Postgres);
}

#[tokio::test]
#[cfg_attr(not(postgres_tests), ignore = "needs PostgreSQL: set TEST_DATABASE_URL")]
async fn a_postgres_test_database_is_dropped_with_its_test_app() {
    let app = spawn_app().await;
    assert!(app.is_postgres(), "this test needs PostgreSQL");
    let name = app.database_name();
    let server_url = std::env::var("TEST_DATABASE_URL").expect("set on PostgreSQL");

    drop(app);

    let server = sea_orm::Database::connect(server_url.as_str()).await.expect("connect to the server");
    let left = server
        .query_one_raw(Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT count(*) AS n FROM pg_database WHERE datname = $1",
            [name.clone().into()],
        ))
        .await
        .expect("query pg_database")
        .expect("one row")
        .try_get::<i64>("", "n")
        .expect("a count");
    assert_eq!(left, 0, "{name} was left behind");
}

#[tokio::test]
async fn two_test_apps_do_not_share_data() {
    let one = spawn_app().await;
    let two = spawn_app().await;

    one.create_admin("only-in-one", "only-in-one-password").await;

    assert_eq!(one.login("only-in-one", "only-in-one-password").await.status(), 200);
    assert_eq!(two.login("only-in-one", "only-in-one-password").await.status(), 401);
}

#[tokio::test]
#[cfg_attr(not(postgres_tests), ignore = "needs PostgreSQL: set TEST_DATABASE_URL")]
async fn the_service_s_postgres_connections_compile_no_query() {
    let app = spawn_app().await;
    assert!(app.is_postgres(), "this test needs PostgreSQL");
    // Every connection of the pool, not only the first: take several at once.
    let db = &app.state.db;
    let show = || async {
        db.query_one_raw(Statement::from_string(DatabaseBackend::Postgres, "SELECT current_setting('jit') AS jit"))
            .await
            .expect("read the setting")
            .expect("one row")
            .try_get::<String>("", "jit")
            .expect("a text")
    };
    let (a, b, c, d) = tokio::join!(show(), show(), show(), show());
    assert_eq!([a, b, c, d], ["off"; 4], "JIT compilation cost 40–300 ms a statement at scale (docs/benchmarks.md)");
}

//! Tests that need PostgreSQL (lock timing, connection behaviour) are compiled as
//! ignored, with the reason shown, unless TEST_DATABASE_URL names a PostgreSQL server:
//! a run on SQLite lists them as ignored instead of passing them without running them.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(postgres_tests)");
    println!("cargo::rerun-if-env-changed=TEST_DATABASE_URL");
    let url = std::env::var("TEST_DATABASE_URL").unwrap_or_default();
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        println!("cargo::rustc-cfg=postgres_tests");
    }
}

//! Real-browser tests: Chromium (headless, through chromedriver) drives the pages as a
//! person on a 360 px phone would, and leaves screenshots in `target/screenshots/`.
//!
//! Ignored by a plain `cargo test`; `.ci/browser` installs Chromium and runs them with
//! `YUNGUI_BROWSER=1 … -- --include-ignored`.

// The API suite's harness, shared as it is.
#[allow(dead_code)]
#[path = "../api/assertions.rs"]
mod assertions;
#[allow(dead_code)]
#[path = "../api/fixtures.rs"]
mod fixtures;
// Its re-exports too: the token helpers serve only the API tests.
#[allow(dead_code, unused_imports)]
#[path = "../api/helpers/mod.rs"]
mod helpers;
#[allow(dead_code)]
#[path = "../api/world.rs"]
mod world;

mod driver;
mod records;
mod staff;
mod student;

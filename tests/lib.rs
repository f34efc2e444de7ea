//! Test support lives in `api/`; this library is intentionally empty.

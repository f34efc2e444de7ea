//! `yungui keys rotate-data-key`: after it, a server on the new key reveals the same
//! numbers and still finds a known person by ID; a server on the old key says it cannot
//! decrypt; a second run finishes what the first left (rows written with the old key
//! meanwhile) and otherwise changes nothing; the keys are never printed.

use base64::Engine;
use serde_json::{Value, json};

use crate::helpers::{StatusCode, assert_json, assert_problem};
use crate::world::{World, ZHIJIN, applicant, world};

/// `POST {base}/api/v1/students/{id}/reveal` as registrar A.
async fn reveal(w: &World, base: &str, student: &str) -> reqwest::Response {
    w.app
        .client
        .post(format!("{base}/api/v1/students/{student}/reveal"))
        .bearer_auth(&w.registrar_a)
        .json(&json!({ "reason": "checking the rotation" }))
        .send()
        .await
        .expect("reveal")
}

async fn numbers(w: &World, base: &str, student: &str) -> (String, String) {
    let v: Value = assert_json(reveal(w, base, student).await, StatusCode::OK).await;
    (v["national_id"].as_str().unwrap().to_owned(), v["bank_card"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn a_rotated_data_key_reveals_the_same_numbers_keeps_duplicates_found_and_retires_the_old_key() {
    let w = world().await;
    let (s1, _) = w.enrolled(1).await;
    let (s2, _) = w.enrolled(2).await;
    let before = [numbers(&w, &w.app.address, &s1).await, numbers(&w, &w.app.address, &s2).await];
    assert_eq!(before[0].0, crate::world::national_id(ZHIJIN, 1));

    let new_key: [u8; 32] = rand::random();
    let b64 = base64::engine::general_purpose::STANDARD.encode(new_key);
    let key_file = w.app.dir.path().join("new.key");
    std::fs::write(&key_file, format!("{b64}\n")).unwrap();
    let path = key_file.display().to_string();
    let out = w.app.cli(&["keys", "rotate-data-key", "--new-key-file", &path, "--batch-size", "1"]).await.unwrap();
    let flat = out.split_whitespace().collect::<Vec<_>>().join(" ");
    for progress in ["applications 1 / 2 rows", "applications 2 / 2 rows", "students 1 / 2 rows", "students 2 / 2 rows"]
    {
        assert!(flat.contains(progress), "no progress line {progress}: {out}");
    }
    assert!(
        out.contains("2 applications and 2 students re-encrypted, 2 identity claims re-hashed, 0 rows already"),
        "{out}"
    );
    let old_b64 = base64::engine::general_purpose::STANDARD.encode(w.app.data_key);
    assert!(!out.contains(&b64) && !out.contains(&old_b64), "a key was printed: {out}");

    // Restarted with the new key: the same full numbers.
    let new_server = w.app.server_with_data_key(new_key).await;
    assert_eq!([numbers(&w, &new_server.address, &s1).await, numbers(&w, &new_server.address, &s2).await], before);
    // The person enrolled is still found by the keyed hash, in another cohort too.
    let again = w
        .app
        .client
        .post(format!("{}/api/v1/cohorts/{}/applications", new_server.address, w.cohort_2020))
        .bearer_auth(&w.officer_zhijin)
        .json(&applicant(1, ZHIJIN, "JXJG", Some(&w.uscc_1)))
        .send()
        .await
        .unwrap();
    assert_problem(again, StatusCode::CONFLICT, "duplicate_person").await;

    // A server still on the old key refuses in words, not with garbage.
    let p =
        assert_problem(reveal(&w, &w.app.address, &s1).await, StatusCode::INTERNAL_SERVER_ERROR, "data_key_mismatch")
            .await;
    assert!(p["detail"].as_str().unwrap().contains("another DATA_KEY"), "{p}");

    // Rows the old-key server wrote meanwhile are taken by a second run; the rest stay.
    let (s3, _) = w.enrolled(3).await;
    let out = w.app.cli(&["keys", "rotate-data-key", "--new-key-file", &path]).await.unwrap();
    assert!(
        out.contains("1 applications and 1 students re-encrypted, 1 identity claims re-hashed, 4 rows already"),
        "{out}"
    );
    let third = numbers(&w, &new_server.address, &s3).await;
    assert_eq!(third.0, crate::world::national_id(ZHIJIN, 3));
    let out = w.app.cli(&["keys", "rotate-data-key", "--new-key-file", &path]).await.unwrap();
    assert!(
        out.contains("0 applications and 0 students re-encrypted, 0 identity claims re-hashed, 6 rows already"),
        "{out}"
    );

    // The same key twice, or a key that is not one, is refused before anything changes.
    let same = w.app.dir.path().join("same.key");
    std::fs::write(&same, &old_b64).unwrap();
    let err = w.app.cli(&["keys", "rotate-data-key", "--new-key-file", &same.display().to_string()]).await.unwrap_err();
    assert!(err.contains("the new key is the current DATA_KEY"), "{err}");
    std::fs::write(&same, "not a key").unwrap();
    let err = w.app.cli(&["keys", "rotate-data-key", "--new-key-file", &same.display().to_string()]).await.unwrap_err();
    assert!(err.contains("the new key") && !err.contains("not a key"), "{err}");
}

//! Background jobs and email: a real SMTP conversation, the .eml outbox, exactly-once
//! under two workers, a worker dying mid-job, rollback, and the scheduler.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{NaiveDate, Utc};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, TransactionTrait};
use secrecy::SecretString;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use yungui_domain::entities::job::JobState;
use yungui_domain::entities::{figure_snapshot, job, notification};
use yungui_domain::services::outbox;

use crate::helpers::{StatusCode, TestApp, assert_json, assert_problem, spawn_app};

/// Messages the in-test SMTP server received, raw.
type Inbox = Arc<Mutex<Vec<Vec<u8>>>>;

/// A minimal SMTP server (RFC 5321 without extensions) on a free loopback port: enough
/// for a real client to hold a real conversation; returns its address and inbox.
async fn smtp_server() -> (String, Inbox) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    let inbox: Inbox = Arc::default();
    let sink = inbox.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let sink = sink.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read);
                let _ = write.write_all(b"220 mail.test ESMTP\r\n").await;
                let mut line = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                        break;
                    }
                    let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 mail.test\r\n",
                        "DATA" => {
                            let _ = write.write_all(b"354 go ahead\r\n").await;
                            let mut message = Vec::new();
                            loop {
                                let mut l = String::new();
                                if lines.read_line(&mut l).await.unwrap_or(0) == 0 || l == ".\r\n" {
                                    break;
                                }
                                message.extend_from_slice(l.strip_prefix('.').unwrap_or(&l).as_bytes());
                            }
                            sink.lock().expect("inbox").push(message);
                            b"250 queued\r\n"
                        }
                        "QUIT" => {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            break;
                        }
                        _ => b"250 ok\r\n",
                    };
                    let _ = write.write_all(reply).await;
                }
            });
        }
    });
    (addr, inbox)
}

pub(crate) fn job_context(app: &TestApp, smtp: Option<&str>) -> yungui_jobs::Context {
    let mut config = (*app.state.config).clone();
    config.smtp_url = smtp.map(|s| SecretString::from(s.to_owned()));
    config.public_url = "https://yungui.test".into();
    config.job_context(app.state.db.clone()).expect("job context")
}

/// A text part of a raw message, decoded.
pub(crate) fn text_of(raw: &[u8]) -> (String, String) {
    let parsed = mailparse::parse_mail(raw).expect("parse mail");
    let subject = parsed
        .headers
        .iter()
        .find(|h| h.get_key_ref().eq_ignore_ascii_case("subject"))
        .map(|h| h.get_value())
        .unwrap_or_default();
    let mut text = String::new();
    for part in std::iter::once(&parsed).chain(parsed.subparts.iter()) {
        if part.ctype.mimetype == "text/plain" {
            text = part.get_body().expect("body");
        }
    }
    (subject, text)
}

#[tokio::test]
async fn an_activation_email_arrives_over_smtp_in_chinese_with_a_working_link() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (addr, inbox) = smtp_server().await;
    let school = crate::fixtures::school(&app.state.db).await;
    let created = assert_json(
        app.post_user(&admin, &json!({"login": "li.registrar", "display_name": "李老师", "email": "li@example.cn", "role": "registrar", "school_id": school.id})).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(created["has_password"], false);
    let ctx = job_context(&app, Some(&format!("smtp://{addr}")));
    assert!(yungui_jobs::drain(&ctx).await.expect("drain") >= 1);
    let mut waited = 0;
    while inbox.lock().unwrap().is_empty() && waited < 50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        waited += 1;
    }
    let raw = inbox.lock().unwrap().first().cloned().expect("a message arrived");
    let (subject, text) = text_of(&raw);
    assert!(subject.contains("激活"), "Chinese subject: {subject}");
    assert!(text.contains("li.registrar") && text.contains("设置密码"), "{text}");
    let token = text
        .split("https://yungui.test/activate?token=")
        .nth(1)
        .expect("link")
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    // The link works once.
    let body = json!({"token": token, "password": "a-new-password-1"});
    assert_eq!(app.post_json_anon("/api/v1/auth/activate", &body).await.status(), StatusCode::NO_CONTENT);
    app.token_for("li.registrar", "a-new-password-1").await;
    assert_problem(app.post_json_anon("/api/v1/auth/activate", &body).await, StatusCode::UNAUTHORIZED, "unauthorized")
        .await;
    // The stored notification no longer holds the token.
    let n = notification::Entity::find()
        .filter(notification::Column::Template.eq("activation"))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(n.state, "sent");
    assert!(!n.params.contains(&token));
}

#[tokio::test]
async fn without_smtp_mail_is_written_to_the_outbox_folder_in_english_for_english_users() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let school = crate::fixtures::school(&app.state.db).await;
    app.post_user(&admin, &json!({"login": "wang", "display_name": "Wang", "email": "wang@example.cn", "language": "en", "role": "registrar", "school_id": school.id})).await;
    // A user without an email is skipped, and the skip is recorded.
    app.post_user(
        &admin,
        &json!({"login": "zhao", "display_name": "Zhao", "role": "registrar", "school_id": school.id}),
    )
    .await;
    yungui_jobs::drain(&job_context(&app, None)).await.expect("drain");
    let files: Vec<_> = std::fs::read_dir(app.outbox_dir()).expect("outbox").filter_map(Result::ok).collect();
    assert_eq!(files.len(), 1, "one .eml for the one user with an address");
    assert!(files[0].file_name().to_string_lossy().ends_with(".eml"));
    let (subject, text) = text_of(&std::fs::read(files[0].path()).unwrap());
    assert_eq!(subject, "Activate your Yungui account");
    assert!(text.contains("Your login is wang"));
    let skipped = notification::Entity::find()
        .filter(notification::Column::State.eq("skipped"))
        .all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0].skip_reason.as_deref(), Some("no email address"));
}

#[tokio::test]
async fn a_password_reset_link_resets_the_password_and_unknown_logins_learn_nothing() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let school = crate::fixtures::school(&app.state.db).await;
    app.post_user(&admin, &json!({"login": "chen", "password": "first-password-1", "display_name": "陈", "email": "chen@example.cn", "role": "registrar", "school_id": school.id})).await;
    assert_eq!(
        app.post_json_anon("/api/v1/auth/password-reset", &json!({"login": "nobody"})).await.status(),
        StatusCode::ACCEPTED
    );
    assert_eq!(
        app.post_json_anon("/api/v1/auth/password-reset", &json!({"login": "chen@example.cn"})).await.status(),
        StatusCode::ACCEPTED
    );
    yungui_jobs::drain(&job_context(&app, None)).await.unwrap();
    let file = std::fs::read_dir(app.outbox_dir()).unwrap().filter_map(Result::ok).next().expect("one email");
    let (subject, text) = text_of(&std::fs::read(file.path()).unwrap());
    assert_eq!(subject, "重置密码");
    let token = text.split("reset-password?token=").nth(1).unwrap().split_whitespace().next().unwrap().to_owned();
    let short = json!({"token": token, "password": "short"});
    assert_problem(
        app.post_json_anon("/api/v1/auth/password-reset/confirm", &short).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    let ok = json!({"token": token, "password": "second-password-2"});
    assert_eq!(app.post_json_anon("/api/v1/auth/password-reset/confirm", &ok).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.login("chen", "first-password-1").await.status(), StatusCode::UNAUTHORIZED);
    app.token_for("chen", "second-password-2").await;
}

async fn enqueue_days(app: &TestApp, n: u32) {
    let tx = app.state.db.begin().await.unwrap();
    let start = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    for i in 0..n {
        let d = start + chrono::Duration::days(i64::from(i));
        outbox::enqueue(&tx, &outbox::DailySnapshot { date: d }, &format!("test-snapshot:{d}"), Utc::now())
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn two_workers_run_each_of_500_jobs_exactly_once() {
    let app = spawn_app().await;
    crate::fixtures::cohort(&app.state.db, crate::fixtures::programme(&app.state.db).await.id, 2019).await;
    enqueue_days(&app, 500).await;
    // Two workers with their own connection pools, like two processes.
    let second = yungui_api::connect(&app.database_url).await.unwrap();
    let a = job_context(&app, None);
    let mut b = job_context(&app, None);
    b.db = second;
    let (ra, rb) = tokio::join!(yungui_jobs::drain(&a), yungui_jobs::drain(&b));
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    assert_eq!(ra + rb, 500, "every job ran once in all (a: {ra}, b: {rb})");
    let jobs = job::Entity::find().all(&app.state.db).await.unwrap();
    assert_eq!(jobs.len(), 500);
    assert!(jobs.iter().all(|j| j.state == JobState::Done && j.attempts == 1), "no job was claimed twice");
    assert_eq!(figure_snapshot::Entity::find().count(&app.state.db).await.unwrap(), 500);
    if app.is_postgres() {
        assert!(ra > 0 && rb > 0, "on PostgreSQL both workers take jobs (a: {ra}, b: {rb})");
    }
}

#[tokio::test]
async fn a_job_whose_worker_died_runs_again_after_its_lease_and_its_effect_happens_once() {
    let app = spawn_app().await;
    crate::fixtures::cohort(&app.state.db, crate::fixtures::programme(&app.state.db).await.id, 2019).await;
    enqueue_days(&app, 1).await;
    // Worker A claims the job and dies: it never finishes.
    let claimed = yungui_jobs::queue::claim(&app.state.db, "worker-a", Utc::now(), chrono::Duration::milliseconds(200))
        .await
        .unwrap();
    assert!(claimed.is_some());
    let b = job_context(&app, None);
    assert_eq!(yungui_jobs::run_once(&b).await.unwrap(), yungui_jobs::Step::Idle, "the lease still holds");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(matches!(yungui_jobs::run_once(&b).await.unwrap(), yungui_jobs::Step::Done(_)));
    let j = job::Entity::find().one(&app.state.db).await.unwrap().unwrap();
    assert_eq!((j.state, j.attempts), (JobState::Done, 2));
    assert_eq!(figure_snapshot::Entity::find().count(&app.state.db).await.unwrap(), 1);
    // If worker A wakes up and reports, nothing changes: the job is no longer its own.
    assert!(!yungui_jobs::queue::finish(&app.state.db, &claimed.unwrap(), "worker-a", Utc::now()).await.unwrap());
}

#[tokio::test]
async fn a_change_that_rolls_back_enqueues_nothing() {
    let app = spawn_app().await;
    let tx = app.state.db.begin().await.unwrap();
    outbox::enqueue(
        &tx,
        &outbox::DailySnapshot { date: NaiveDate::from_ymd_opt(2020, 1, 1).unwrap() },
        "rolled-back",
        Utc::now(),
    )
    .await
    .unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(job::Entity::find().count(&app.state.db).await.unwrap(), 0);
    // Through HTTP: a refused user creation sends no activation mail.
    let admin = app.admin_token().await;
    app.post_user(&admin, &json!({"login": "x y", "display_name": "", "email": "x@example.cn", "role": "registrar"}))
        .await;
    assert_eq!(job::Entity::find().count(&app.state.db).await.unwrap(), 0);
    assert_eq!(notification::Entity::find().count(&app.state.db).await.unwrap(), 0);
}

#[tokio::test]
async fn the_scheduler_run_twice_on_a_day_enqueues_each_periodic_job_once() {
    let app = spawn_app().await;
    let day = NaiveDate::from_ymd_opt(2021, 1, 1).unwrap();
    assert_eq!(yungui_jobs::scheduler::tick(&app.state.db, day).await.unwrap(), 3);
    assert_eq!(yungui_jobs::scheduler::tick(&app.state.db, day).await.unwrap(), 0);
    assert_eq!(yungui_jobs::scheduler::tick(&app.state.db, day.succ_opt().unwrap()).await.unwrap(), 3);
    assert_eq!(job::Entity::find().count(&app.state.db).await.unwrap(), 6);
}

#[tokio::test]
async fn admins_see_failing_jobs_and_retry_dead_ones() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let tx = app.state.db.begin().await.unwrap();
    outbox::enqueue_raw(&tx, "no_such_kind", json!({}), "broken", Utc::now()).await.unwrap();
    tx.commit().await.unwrap();
    let ctx = job_context(&app, None);
    // Fail it to death quickly: run, then pull run_at forward each time.
    for _ in 0..outbox::MAX_ATTEMPTS {
        yungui_jobs::run_once(&ctx).await.unwrap();
        job::Entity::update_many()
            .col_expr(job::Column::RunAt, sea_orm::sea_query::Expr::value(Utc::now()))
            .exec(&app.state.db)
            .await
            .unwrap();
    }
    let dead = assert_json(app.get("/api/v1/jobs?state=dead", &admin).await, StatusCode::OK).await;
    assert_eq!(dead["total"], 1);
    assert!(dead["items"][0]["last_error"].as_str().unwrap().contains("unknown job kind"));
    let counts = assert_json(app.get("/api/v1/jobs/counts", &admin).await, StatusCode::OK).await;
    assert_eq!(counts["dead"], 1);
    let id = dead["items"][0]["id"].as_str().unwrap();
    let retried =
        assert_json(app.post_json(&format!("/api/v1/jobs/{id}/retry"), &admin, &json!({})).await, StatusCode::OK).await;
    assert_eq!((retried["state"].as_str(), retried["attempts"].as_i64()), (Some("queued"), Some(0)));
    assert_problem(
        app.post_json(&format!("/api/v1/jobs/{id}/retry"), &admin, &json!({})).await,
        StatusCode::CONFLICT,
        "not_dead",
    )
    .await;
    let (_, registrar) = app.signed_in(yungui_domain::Role::Registrar).await;
    assert_problem(app.get("/api/v1/jobs", &registrar).await, StatusCode::FORBIDDEN, "forbidden").await;
}

#[tokio::test]
async fn a_message_sent_again_after_its_worker_died_replaces_its_outbox_file_under_the_same_message_id() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let school = crate::fixtures::school(&app.state.db).await;
    app.post_user(&admin, &json!({"login": "sun", "display_name": "孙", "email": "sun@example.cn", "role": "registrar", "school_id": school.id})).await;
    yungui_jobs::drain(&job_context(&app, None)).await.expect("drain");
    let n = notification::Entity::find().filter(notification::Column::State.eq("sent")).one(&app.state.db).await;
    let n = n.expect("query").expect("the activation was sent");
    let outbox = || -> Vec<(String, String)> {
        let mut files: Vec<(String, String)> = std::fs::read_dir(app.outbox_dir())
            .expect("outbox")
            .filter_map(Result::ok)
            .map(|f| {
                let raw = std::fs::read(f.path()).expect("read");
                let parsed = mailparse::parse_mail(&raw).expect("parse");
                let id = parsed
                    .headers
                    .iter()
                    .find(|h| h.get_key_ref().eq_ignore_ascii_case("message-id"))
                    .map(|h| h.get_value())
                    .unwrap_or_default();
                (f.file_name().to_string_lossy().into_owned(), id)
            })
            .collect();
        files.sort();
        files
    };
    let first = outbox();
    assert_eq!(first, [(format!("{}.eml", n.id), format!("<{}@yungui.localhost>", n.id))]);

    // The worker sent the mail and died before recording it: the notification and its
    // job are as they were when it took them, and the lease has run out.
    use sea_orm::{ActiveModelTrait, Set};
    let mut again: notification::ActiveModel = n.clone().into();
    again.state = Set("queued".into());
    again.update(&app.state.db).await.expect("requeue the notification");
    let sent_job = job::Entity::find()
        .filter(job::Column::Kind.eq(<outbox::SendNotification as outbox::Job>::KIND))
        .one(&app.state.db);
    let mut j: job::ActiveModel = sent_job.await.expect("query").expect("the job").into();
    j.state = Set(JobState::Running);
    j.locked_by = Set(Some("a-worker-that-died".into()));
    j.locked_until = Set(Some(Utc::now() - chrono::Duration::seconds(1)));
    j.update(&app.state.db).await.expect("the dead worker's lease");

    assert_eq!(yungui_jobs::drain(&job_context(&app, None)).await.expect("drain"), 1);

    assert_eq!(outbox(), first, "the second send replaced the file: one message, one Message-ID");
}

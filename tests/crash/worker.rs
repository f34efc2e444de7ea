//! A `yungui worker` killed again and again in the middle of the mail queue.

use std::path::PathBuf;
use std::process::Child;
use std::time::{Duration, Instant};

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use yungui_domain::entities::notification;

use super::{Db, Server, binary, count, yungui};

/// A running `yungui worker`, killed (SIGKILL) when dropped.
struct Worker(Child);

impl Worker {
    fn start(bin: &PathBuf, db: &Db) -> Worker {
        let child = yungui(bin, db, "worker.log")
            .arg("worker")
            // A dead worker's jobs are taken again after 2 s instead of a minute.
            .env("JOB_LEASE_SECONDS", "2")
            .spawn()
            .expect("start yungui worker");
        Worker(child)
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The outbox's messages (`<notification id>.eml`) and leftovers of a write cut short.
fn outbox(db: &Db) -> (Vec<String>, usize) {
    let mut messages = Vec::new();
    let mut partial = 0;
    for f in std::fs::read_dir(db.dir.path().join("outbox")).into_iter().flatten().flatten() {
        let name = f.file_name().to_string_lossy().into_owned();
        match name.strip_suffix(".eml") {
            Some(id) => messages.push(id.to_owned()),
            None => partial += 1,
        }
    }
    messages.sort();
    (messages, partial)
}

#[tokio::test]
async fn a_worker_killed_midway_through_the_mail_queue_loses_nothing_and_sends_each_message_once() {
    let Some(bin) = binary() else { return };
    let db = Db::new().await;
    // The demo without a worker: its story leaves hundreds of messages queued.
    Server::start(&bin, &db, true, false).await.kill();
    let conn = db.connect().await;
    let queued = "SELECT COUNT(*) FROM notifications WHERE state = 'queued' AND to_address IS NOT NULL";
    let to_send = count(&conn, queued).await;
    assert!(to_send > 100, "only {to_send} messages queued");
    let jobs_left = "SELECT COUNT(*) FROM jobs WHERE kind = 'send_notification' AND state <> 'done'";
    let held = "SELECT COUNT(*) FROM jobs WHERE state = 'running'";
    let sent = "SELECT COUNT(*) FROM notifications WHERE state = 'sent'";
    let mut kills_mid_job = 0;
    // Each round lets a fresh worker send about a sixth of the queue, then kills it.
    for round in 1..=4 {
        let before = count(&conn, sent).await;
        let worker = Worker::start(&bin, &db);
        let started = Instant::now();
        while count(&conn, sent).await < before + to_send / 6 && started.elapsed() < Duration::from_secs(60) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        // Aim the kill at a moment when the worker holds a job (it may finish it first).
        let aiming = Instant::now();
        // Worker ids are `<host>-<pid>-<random>`.
        let in_hand = format!("{held} AND locked_by LIKE '%-{}-%'", worker.0.id());
        while count(&conn, &in_hand).await == 0 && aiming.elapsed() < Duration::from_secs(2) {}
        drop(worker);
        let (running, sent, left) = (count(&conn, held).await, count(&conn, sent).await, count(&conn, jobs_left).await);
        let (messages, partial) = outbox(&db);
        let files = i64::try_from(messages.len()).expect("count");
        // A message may be out while its notification is not yet marked sent (the worker
        // died in between); never the other way round.
        assert!(files >= sent && files <= sent + running, "{files} files, {sent} sent, {running} running");
        kills_mid_job += i64::from(count(&conn, &in_hand).await > 0);
        println!(
            "worker {round} killed: {sent} of {to_send} messages sent, {left} jobs left, \
             {running} held by dead workers, {files} in the outbox, {partial} half-written file(s) left aside"
        );
    }
    let started = Instant::now();
    let worker = Worker::start(&bin, &db);
    while count(&conn, jobs_left).await > 0 {
        assert!(started.elapsed() < Duration::from_secs(300), "the queue did not drain");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    drop(worker);
    let retaken = count(&conn, "SELECT COUNT(*) FROM jobs WHERE kind = 'send_notification' AND attempts > 1").await;
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM jobs WHERE state = 'dead'").await, 0);
    assert_eq!(count(&conn, queued).await, 0, "messages still queued");
    let sent_rows =
        notification::Entity::find().filter(notification::Column::State.eq("sent")).all(&conn).await.expect("sent");
    let mut sent_ids: Vec<String> = sent_rows.iter().map(|n| n.id.to_string()).collect();
    sent_ids.sort();
    let (messages, partial) = outbox(&db);
    assert_eq!(partial, 0, "a half-written message was left behind");
    assert!(sent_ids.len() as i64 >= to_send);
    assert_eq!(messages, sent_ids, "one message in the outbox per notification sent, no more, no less");
    println!(
        "queue drained in {:.1} s after {kills_mid_job} kill(s) with a job in hand: {} messages sent once each, \
         {retaken} job(s) taken again after their worker died, 0 dead",
        started.elapsed().as_secs_f64(),
        messages.len()
    );
    let _ = conn.close().await;
    db.drop_database().await;
}

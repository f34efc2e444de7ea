//! Every staff page and report a person opens, measured as a person meets them: one
//! request after another, [`TIMES`] of each, the 95th percentile held to 300 ms. Pages
//! are read with the access-token cookie a signed-in browser sends, the API with the
//! bearer token.

use std::time::{Duration, Instant};

use anyhow::{anyhow, bail};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;
use yungui_domain::entities::{student, user};

use super::run::{Row, row};

/// Requests of each page.
const TIMES: usize = 20;

/// How a request proves who sends it.
#[derive(Clone, Copy)]
pub(super) enum Auth<'a> {
    /// `Authorization: Bearer` (the API).
    Bearer(&'a str),
    /// The `yg_access` cookie (the pages, on loopback without TLS).
    Cookie(&'a str),
}

/// `path` read [`TIMES`] times one after another, as the row for `what`: p50 and p95,
/// target p95 ≤ 300 ms. Any answer but 200 stops the run.
pub(super) async fn p95_row(
    client: &reqwest::Client,
    base: &str,
    what: &str,
    path: &str,
    auth: Auth<'_>,
) -> anyhow::Result<Row> {
    let mut times: Vec<Duration> = Vec::with_capacity(TIMES);
    let mut bytes = 0;
    for _ in 0..TIMES {
        let started = Instant::now();
        let req = client.get(format!("{base}{path}"));
        let req = match auth {
            Auth::Bearer(t) => req.bearer_auth(t),
            Auth::Cookie(t) => req.header("cookie", format!("yg_access={t}")),
        };
        let r = req.send().await?;
        let st = r.status();
        let body = r.bytes().await?;
        if st.as_u16() != 200 {
            bail!("GET {path} answered {st}: {}", String::from_utf8_lossy(&body[..body.len().min(300)]));
        }
        bytes = body.len();
        times.push(started.elapsed());
    }
    times.sort();
    let ms = |p: f64| {
        let i = ((times.len() as f64 * p).ceil() as usize).clamp(1, times.len()) - 1;
        times[i].as_secs_f64() * 1000.0
    };
    let mut r = row(
        format!("{what}: GET {path}"),
        format!("p50 {:.1} ms, p95 {:.1} ms ({} kB)", ms(0.5), ms(0.95), bytes / 1024),
    );
    r.target = "p95 ≤ 300 ms".into();
    r.met = Some(ms(0.95) <= 300.0);
    Ok(r)
}

/// The registrar desk, student search and file, and the reports as JSON and XLSX, for
/// the first school's registrar (their school's slice) and the admin (the province).
pub(super) async fn pages_run(
    db: &sea_orm::DatabaseConnection,
    client: &reqwest::Client,
    base: &str,
    keys: &yungui_api::jwt::JwtKeys,
    admin_token: &str,
) -> anyhow::Result<Vec<Row>> {
    let registrar = user::Entity::find()
        .filter(user::Column::Login.eq("registrar.1"))
        .one(db)
        .await?
        .ok_or_else(|| anyhow!("the seed's registrar.1 is missing"))?;
    let school = registrar.school_id.ok_or_else(|| anyhow!("registrar.1 has no school"))?;
    let token = keys.issue(registrar.id, "registrar", registrar.token_version)?;
    // A student of the registrar's school, and a two-character piece of a name to look for.
    let (id, name): (Uuid, String) = student::Entity::find()
        .select_only()
        .column(student::Column::Id)
        .column(student::Column::Name)
        .filter(student::Column::SchoolId.eq(school))
        .order_by_asc(student::Column::Id)
        .into_tuple()
        .one(db)
        .await?
        .ok_or_else(|| anyhow!("no student at registrar.1's school"))?;
    let piece: String = name.chars().skip(1).take(2).collect();
    let q: String = form_urlencoded::byte_serialize(piece.as_bytes()).collect();
    let page = Auth::Cookie(&token);
    let mut rows = vec![
        p95_row(client, base, "registrar desk", "/registrar", page).await?,
        p95_row(client, base, "student search by name", &format!("/students?q={q}"), page).await?,
        p95_row(client, base, "student list, first page", "/students", page).await?,
        p95_row(client, base, "student file", &format!("/students/{id}"), page).await?,
        p95_row(client, base, "batches page", "/registrar/batches", page).await?,
    ];
    for report in ["funnel", "subsidies", "placements"] {
        for (who, auth) in [("registrar", Auth::Bearer(&token)), ("admin", Auth::Bearer(admin_token))] {
            for format in ["", "?format=xlsx"] {
                let kind = if format.is_empty() { "JSON" } else { "XLSX" };
                let what = format!("{report} report, {kind}, {who}");
                rows.push(p95_row(client, base, &what, &format!("/api/v1/reports/{report}{format}"), auth).await?);
            }
        }
    }
    Ok(rows)
}

//! `GET /me`: who the caller is, their role and scope.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use yungui_domain::Scope;
use yungui_domain::services::auth;
use yungui_domain::services::status_pages::{self, StatusPage};
use yungui_domain::services::student_views::MyStatus;
use yungui_domain::services::users::UserView;

use crate::error::{ApiResult, Problem};
use crate::extract::{AppQuery, AsOf, AuthUser};
use crate::state::AppState;

/// Routes for the caller.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(me)).routes(routes!(my_status))
}

/// The data the caller may see.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ScopeView {
    /// `everything`, `school`, `origin`, `enterprise`, `student` or `nothing`.
    pub kind: &'static str,
    /// The school, origin, enterprise or student id the scope is anchored to.
    pub id: Option<uuid::Uuid>,
}

/// The caller.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MeResponse {
    pub user: UserView,
    pub scope: ScopeView,
}

/// The signed-in user, role and scope.
#[utoipa::path(get, path = "/me", tag = "me", security(("bearer" = [])),
    responses((status = 200, body = MeResponse), (status = 401, body = Problem)))]
async fn me(State(state): State<AppState>, AuthUser(actor): AuthUser) -> ApiResult<Json<MeResponse>> {
    let user = auth::active_user(&state.db, actor.user_id).await?;
    let (kind, id) = match actor.scope {
        Scope::Everything => ("everything", None),
        Scope::School(id) => ("school", Some(id)),
        Scope::Origin(id) => ("origin", Some(id)),
        Scope::Enterprise(id) => ("enterprise", Some(id)),
        Scope::Student(id) => ("student", Some(id)),
        Scope::Nothing => ("nothing", None),
    };
    Ok(Json(MeResponse { user: user.into(), scope: ScopeView { kind, id } }))
}

/// The signed-in student's own status: programme, school, major, state, study year and timeline.
///
/// Served as last sent while nothing under it changed (`Cache-Status: yungui; hit`),
/// else computed (`Cache-Status: yungui; fwd=miss`); the two are the same page.
#[utoipa::path(get, path = "/me/status", tag = "me", security(("bearer" = [])), params(AsOf),
    responses((status = 200, body = MyStatus, headers(("Cache-Status" = String,
        description = "`yungui; hit` when the page was served as stored, `yungui; fwd=miss` when it was computed"))),
        (status = 401, body = Problem), (status = 403, body = Problem, description = "not a student")))]
async fn my_status(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    AppQuery(q): AppQuery<AsOf>,
) -> ApiResult<Response> {
    let page = status_pages::my_status_page(&state.reads, &state.db, &actor, q.date()).await?;
    let cache = HeaderValue::from_static(match page {
        StatusPage::Stored(_) => "yungui; hit",
        StatusPage::Computed(_) => "yungui; fwd=miss",
    });
    let json = HeaderValue::from_static("application/json");
    Ok(([(header::CONTENT_TYPE, json), (HeaderName::from_static("cache-status"), cache)], page.into_body())
        .into_response())
}

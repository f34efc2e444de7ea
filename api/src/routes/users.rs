//! `/users`: accounts (admins manage them; registrars read their school's staff and
//! students and the enterprise and origin-officer accounts).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;
use yungui_domain::Role;
use yungui_domain::services::users::{self, NewUser, UserPatch, UserView};
use yungui_domain::services::{Page, PageRequest};

use crate::error::{ApiResult, Problem};
use crate::extract::{AppJson, AppPath, AppQuery, AuthUser};
use crate::state::AppState;

/// User routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_users, create_user)).routes(routes!(get_user, update_user))
}

/// Filters for the user list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct UserFilter {
    /// Only users with this role.
    pub role: Option<Role>,
    /// Login or name contains.
    pub q: Option<String>,
    #[serde(flatten)]
    #[param(inline)]
    pub page: PageRequest,
}

/// Lists accounts.
#[utoipa::path(get, path = "/users", tag = "users", security(("bearer" = [])), params(UserFilter),
    responses((status = 200, body = Page<UserView>), (status = 403, body = Problem)))]
async fn list_users(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppQuery(f): AppQuery<UserFilter>,
) -> ApiResult<Json<Page<UserView>>> {
    Ok(Json(users::list(&s.db, &actor, f.role, f.q.as_deref(), f.page).await?))
}

/// Creates an account; registrars need `school_id`, origin officers `origin_id`, enterprise users `enterprise_id`, students `student_id`.
#[utoipa::path(post, path = "/users", tag = "users", security(("bearer" = [])), request_body = NewUser,
    responses((status = 201, body = UserView), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_user(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppJson(input): AppJson<NewUser>,
) -> ApiResult<(StatusCode, Json<UserView>)> {
    Ok((StatusCode::CREATED, Json(users::create(&s.db, &actor, input).await?)))
}

/// One account.
#[utoipa::path(get, path = "/users/{id}", tag = "users", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = UserView), (status = 404, body = Problem)))]
async fn get_user(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<Json<UserView>> {
    Ok(Json(users::get(&s.db, &actor, id).await?))
}

/// Changes an account; `active: false` deactivates it at once.
#[utoipa::path(patch, path = "/users/{id}", tag = "users", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = UserPatch,
    responses((status = 200, body = UserView), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn update_user(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
    AppJson(patch): AppJson<UserPatch>,
) -> ApiResult<Json<UserView>> {
    Ok(Json(users::update(&s.db, &actor, id, patch).await?))
}

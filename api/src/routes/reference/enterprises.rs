//! `/enterprises`: the partner employers.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;
use validator::Validate;
use yungui_domain::services::Page;
use yungui_domain::services::reference::{self, EnterprisePatch, EnterpriseView, NewEnterprise};

use super::{contact_email_shape, contact_name_shape, contact_phone_shape, text_shape, uscc_shape};
use crate::error::{ApiResult, Problem};
use crate::extract::{AppPath, AppQuery, AuthUser, ValidJson};
use crate::state::AppState;

/// Enterprise routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_enterprises, create_enterprise)).routes(routes!(
        get_enterprise,
        update_enterprise,
        delete_enterprise
    ))
}

/// A new partner enterprise. Blank contact fields count as absent.
#[derive(Debug, Deserialize, Validate, utoipa::ToSchema)]
pub struct CreateEnterprise {
    /// Registered name, 1–100 characters.
    #[validate(custom(function = text_shape))]
    pub name: String,
    /// Unified social credit code (18 characters, GB 32100 check character), unique.
    #[validate(custom(function = uscc_shape))]
    #[schema(example = "91350100M000100Y43")]
    pub uscc: String,
    /// Contact person.
    #[validate(custom(function = contact_name_shape))]
    pub contact_name: Option<String>,
    /// Contact mobile number (11 digits starting with 1).
    #[validate(custom(function = contact_phone_shape))]
    pub contact_phone: Option<String>,
    /// Contact email.
    #[validate(custom(function = contact_email_shape))]
    pub contact_email: Option<String>,
}

impl From<CreateEnterprise> for NewEnterprise {
    fn from(b: CreateEnterprise) -> Self {
        NewEnterprise {
            name: b.name,
            uscc: b.uscc,
            contact_name: b.contact_name,
            contact_phone: b.contact_phone,
            contact_email: b.contact_email,
        }
    }
}

/// Changes to an enterprise; absent fields stay as they are, a blank contact field clears it.
#[derive(Debug, Deserialize, Validate, utoipa::ToSchema)]
pub struct UpdateEnterprise {
    /// New name.
    #[validate(custom(function = text_shape))]
    pub name: Option<String>,
    /// New credit code.
    #[validate(custom(function = uscc_shape))]
    pub uscc: Option<String>,
    /// New contact person; blank clears.
    #[validate(custom(function = contact_name_shape))]
    pub contact_name: Option<String>,
    /// New contact phone; blank clears.
    #[validate(custom(function = contact_phone_shape))]
    pub contact_phone: Option<String>,
    /// New contact email; blank clears.
    #[validate(custom(function = contact_email_shape))]
    pub contact_email: Option<String>,
}

impl From<UpdateEnterprise> for EnterprisePatch {
    fn from(b: UpdateEnterprise) -> Self {
        EnterprisePatch {
            name: b.name,
            uscc: b.uscc,
            contact_name: b.contact_name,
            contact_phone: b.contact_phone,
            contact_email: b.contact_email,
        }
    }
}

/// Lists enterprises by name.
#[utoipa::path(get, path = "/enterprises", tag = "reference", security(("bearer" = [])), params(super::Paged),
    responses((status = 200, body = Page<EnterpriseView>), (status = 403, body = Problem)))]
async fn list_enterprises(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppQuery(q): AppQuery<super::Paged>,
) -> ApiResult<Json<Page<EnterpriseView>>> {
    Ok(Json(reference::list_enterprises(&s.db, &actor, q.page).await?))
}

/// Creates an enterprise (admins).
#[utoipa::path(post, path = "/enterprises", tag = "reference", security(("bearer" = [])), request_body = CreateEnterprise,
    responses((status = 201, body = EnterpriseView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_enterprise(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    ValidJson(b): ValidJson<CreateEnterprise>,
) -> ApiResult<(StatusCode, Json<EnterpriseView>)> {
    Ok((StatusCode::CREATED, Json(reference::create_enterprise(&s.db, &actor, b.into()).await?)))
}

/// One enterprise.
#[utoipa::path(get, path = "/enterprises/{id}", tag = "reference", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = EnterpriseView), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_enterprise(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<Json<EnterpriseView>> {
    Ok(Json(reference::get_enterprise(&s.db, &actor, id).await?))
}

/// Changes an enterprise (admins).
#[utoipa::path(patch, path = "/enterprises/{id}", tag = "reference", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = UpdateEnterprise,
    responses((status = 200, body = EnterpriseView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_enterprise(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
    ValidJson(b): ValidJson<UpdateEnterprise>,
) -> ApiResult<Json<EnterpriseView>> {
    Ok(Json(reference::update_enterprise(&s.db, &actor, id, b.into()).await?))
}

/// Deletes an enterprise nothing references (admins); 409 `in_use` otherwise.
#[utoipa::path(delete, path = "/enterprises/{id}", tag = "reference", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn delete_enterprise(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<StatusCode> {
    reference::delete_enterprise(&s.db, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::super::shape_codes;
    use super::*;

    #[test]
    fn every_enterprise_field_problem_is_reported_with_the_domain_code() {
        let body = CreateEnterprise {
            name: " ".into(),
            uscc: "91350100M000100Y42".into(),
            contact_name: Some("".into()),
            contact_phone: Some("2345678901".into()),
            contact_email: Some("not an email".into()),
        };
        let got = shape_codes(&body);
        let fields: Vec<&str> = got.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["contact_email", "contact_phone", "name", "uscc"]);
        assert!(got.contains(&("uscc".into(), "invalid_checksum".into())));
        assert!(got.contains(&("name".into(), "required".into())));
    }

    #[test]
    fn absent_patch_fields_are_not_checked() {
        let patch = UpdateEnterprise {
            name: None,
            uscc: None,
            contact_name: None,
            contact_phone: Some("".into()),
            contact_email: None,
        };
        assert!(shape_codes(&patch).is_empty());
    }
}

//! `/api/v1/users`: admins manage accounts of every role.

use serde_json::{Value, json};
use uuid::Uuid;
use yungui_domain::Role;

use crate::fixtures;
use crate::helpers::{
    ADMIN_LOGIN, ADMIN_PASSWORD, StatusCode, assert_json, assert_problem, error_fields, field_errors, spawn_app,
};

fn new_user(login: &str, role: &str) -> Value {
    json!({ "login": login, "password": "long-enough-password", "display_name": format!("User {login}"), "role": role })
}

#[tokio::test]
async fn an_admin_creates_users_of_every_role_and_each_can_sign_in() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let db = &app.state.db;
    let school = fixtures::school(db).await;
    let origin = fixtures::origin(db).await;
    let enterprise = fixtures::enterprise(db).await;
    let student = fixtures::student(db, &app.state.vault).await;
    let cases = [
        ("admin", None, "everything"),
        ("registrar", Some(("school_id", school.id)), "school"),
        ("origin_officer", Some(("origin_id", origin.id)), "origin"),
        ("enterprise", Some(("enterprise_id", enterprise.id)), "enterprise"),
        ("student", Some(("student_id", student.id)), "student"),
    ];

    for (role, anchor, scope) in cases {
        let login = format!("new-{role}");
        let mut body = new_user(&login, role);
        if let Some((field, id)) = anchor {
            body[field] = id.to_string().into();
        }

        let created = assert_json(app.post_user(&admin, &body).await, StatusCode::CREATED).await;

        assert_eq!(created["login"], login.as_str());
        assert_eq!(created["role"], role);
        assert_eq!(created["active"], true);
        assert_eq!(created["has_password"], true);
        assert_eq!(created["language"], "zh", "Simplified Chinese is the default");
        if let Some((field, id)) = anchor {
            assert_eq!(created[field], id.to_string(), "{role} lost its anchor");
        }
        let token = app.token_for(&login, "long-enough-password").await;
        let me = assert_json(app.me(&token).await, StatusCode::OK).await;
        assert_eq!(me["scope"]["kind"], scope, "{role}");
        assert_eq!(me["scope"]["id"], anchor.map_or(Value::Null, |(_, id)| id.to_string().into()), "{role}");
    }
}

#[tokio::test]
async fn a_user_created_without_a_password_cannot_sign_in_yet() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;

    let created = assert_json(
        app.post_user(&admin, &json!({ "login": "pending", "display_name": "Pending", "role": "admin" })).await,
        StatusCode::CREATED,
    )
    .await;

    assert_eq!(created["has_password"], false);
    assert_problem(app.login("pending", "").await, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input").await;
    assert_problem(app.login("pending", "anything-at-all").await, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

#[tokio::test]
async fn creating_a_user_with_several_bad_fields_is_422_listing_every_one() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;

    let problem = assert_problem(
        app.post_user(
            &admin,
            &json!({ "login": "", "password": "short", "display_name": "Somebody", "role": "registrar" }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;

    let mut errors = field_errors(&problem);
    errors.sort();
    assert_eq!(
        errors,
        [
            ("login".to_owned(), "invalid_format".to_owned()),
            ("password".to_owned(), "too_short".to_owned()),
            ("school_id".to_owned(), "required".to_owned()),
        ]
    );
    assert!(
        problem["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .all(|e| e["message"].as_str().is_some_and(|m| !m.is_empty()))
    );
}

#[tokio::test]
async fn a_registrar_for_a_school_that_does_not_exist_is_422() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let mut body = new_user("registrar", "registrar");
    body["school_id"] = Uuid::now_v7().to_string().into();

    let problem =
        assert_problem(app.post_user(&admin, &body).await, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input").await;

    assert_eq!(field_errors(&problem), [("school_id".to_owned(), "unknown".to_owned())]);
}

#[tokio::test]
async fn an_unknown_role_is_422_naming_the_role_field() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;

    let problem = assert_problem(
        app.post_user(&admin, &new_user("someone", "superuser")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;

    assert_eq!(error_fields(&problem), ["role"]);
}

#[tokio::test]
async fn creating_a_user_with_a_taken_login_is_409() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    assert_json(app.post_user(&admin, &new_user("twin", "admin")).await, StatusCode::CREATED).await;

    assert_problem(app.post_user(&admin, &new_user("twin", "admin")).await, StatusCode::CONFLICT, "login_taken").await;
}

#[tokio::test]
async fn only_admins_and_registrars_list_users_and_only_admins_create_them() {
    let app = spawn_app().await;

    for role in [Role::Registrar, Role::OriginOfficer, Role::Enterprise, Role::Student] {
        let (_, token) = app.signed_in(role).await;

        if role != Role::Registrar {
            assert_problem(app.list_users(&token, "").await, StatusCode::FORBIDDEN, "forbidden").await;
        }
        assert_problem(app.post_user(&token, &new_user("sneaky", "admin")).await, StatusCode::FORBIDDEN, "forbidden")
            .await;
    }
}

#[tokio::test]
async fn an_admin_lists_users_by_role_with_a_total() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    for _ in 0..3 {
        app.create_user(Role::Registrar).await;
    }
    app.create_user(Role::Enterprise).await;

    let page = assert_json(app.list_users(&admin, "role=registrar&limit=2").await, StatusCode::OK).await;

    assert_eq!(page["total"], 3);
    assert_eq!(page["limit"], 2);
    let items = page["items"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|u| u["role"] == "registrar"));
    let rest = assert_json(app.list_users(&admin, "role=registrar&limit=2&page=2").await, StatusCode::OK).await;
    assert_eq!(rest["items"].as_array().expect("items").len(), 1);
}

#[tokio::test]
async fn an_admin_reads_one_user_and_an_unknown_id_is_404() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let registrar = app.create_user(Role::Registrar).await;

    let body = assert_json(app.get_user(&admin, registrar.id).await, StatusCode::OK).await;

    assert_eq!(body["login"], registrar.login.as_str());
    assert_problem(app.get_user(&admin, Uuid::now_v7()).await, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn deactivating_a_user_stops_their_live_access_and_refresh_tokens_at_once() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let registrar = app.create_user(Role::Registrar).await;
    let tokens = app.tokens_for(&registrar.login, &registrar.password).await;
    assert_json(app.me(&tokens.access_token).await, StatusCode::OK).await;

    let updated =
        assert_json(app.patch_user(&admin, registrar.id, &json!({ "active": false })).await, StatusCode::OK).await;

    assert_eq!(updated["active"], false);
    assert_problem(app.me(&tokens.access_token).await, StatusCode::UNAUTHORIZED, "unauthorized").await;
    assert_problem(app.refresh(&tokens.refresh_token).await, StatusCode::UNAUTHORIZED, "unauthorized").await;
    assert_problem(app.login(&registrar.login, &registrar.password).await, StatusCode::UNAUTHORIZED, "unauthorized")
        .await;
}

#[tokio::test]
async fn a_reactivated_user_can_sign_in_again() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let registrar = app.create_user(Role::Registrar).await;
    assert_json(app.patch_user(&admin, registrar.id, &json!({ "active": false })).await, StatusCode::OK).await;

    assert_json(app.patch_user(&admin, registrar.id, &json!({ "active": true })).await, StatusCode::OK).await;

    app.token_of(&registrar).await;
}

#[tokio::test]
async fn updating_a_user_with_a_bad_language_and_email_is_422_listing_both() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let registrar = app.create_user(Role::Registrar).await;

    let problem = assert_problem(
        app.patch_user(&admin, registrar.id, &json!({ "language": "fr", "email": "not-an-email" })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;

    let mut fields = error_fields(&problem);
    fields.sort();
    assert_eq!(fields, ["email", "language"]);
}

#[tokio::test]
async fn a_non_admin_may_not_deactivate_anyone() {
    let app = spawn_app().await;
    let (registrar, token) = app.signed_in(Role::Registrar).await;

    assert_problem(
        app.patch_user(&token, registrar.id, &json!({ "active": false })).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn an_admin_cannot_deactivate_their_own_account_and_stays_signed_in() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let me = assert_json(app.me(&admin).await, StatusCode::OK).await;
    let id: Uuid = me["user"]["id"].as_str().expect("my id").parse().expect("uuid");

    assert_problem(app.patch_user(&admin, id, &json!({ "active": false })).await, StatusCode::CONFLICT, "own_account")
        .await;

    assert_json(app.me(&admin).await, StatusCode::OK).await;
    assert_json(app.login(ADMIN_LOGIN, ADMIN_PASSWORD).await, StatusCode::OK).await;
}

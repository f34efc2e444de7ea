//! Single-use, expiring account tokens (activation, password reset), stored hashed.

use chrono::Duration;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set, TransactionTrait,
};
use uuid::Uuid;

use super::outbox::{self, Message};
use super::users::check_password;
use super::{audit, new_id, now};
use crate::crypto::{hash_password, random_token, token_hash};
use crate::entities::{user, user_token};
use crate::{Actor, DomainError};

/// What a token is for.
pub mod purpose {
    /// Setting the first password of a new account.
    pub const ACTIVATION: &str = "activation";
    /// Choosing a new password.
    pub const PASSWORD_RESET: &str = "password_reset";
}

/// Issues a token and returns it in clear (it only ever leaves in an email).
pub async fn issue<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    purpose: &str,
    ttl: Duration,
) -> Result<String, DomainError> {
    let token = random_token();
    user_token::ActiveModel {
        id: Set(new_id()),
        user_id: Set(user_id),
        purpose: Set(purpose.to_owned()),
        token_hash: Set(token_hash(&token)),
        expires_at: Set(now() + ttl),
        used_at: Set(None),
        created_at: Set(now()),
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// Queues the activation email of a new account that has an email address and no password.
pub async fn send_activation<C: ConnectionTrait>(db: &C, u: &user::Model) -> Result<(), DomainError> {
    if u.password_hash.is_some() {
        return Ok(());
    }
    let token = issue(db, u.id, purpose::ACTIVATION, Duration::days(14)).await?;
    outbox::notify_user(
        db,
        u.id,
        Message {
            template: "activation",
            params: serde_json::json!({ "name": u.display_name, "login": u.login, "token": token }),
            dedupe_key: format!("activation:{}", u.id),
        },
    )
    .await
}

/// Sets a password with a token of `purpose`: single use, refused when expired.
pub async fn set_password(
    db: &DatabaseConnection,
    token: &str,
    purpose: &str,
    password: &str,
) -> Result<(), DomainError> {
    if let Some(e) = check_password("password", password) {
        return Err(DomainError::Invalid(vec![e]));
    }
    let refused = || DomainError::Unauthorized("the link is invalid, used or expired; ask for a new one".into());
    let tx = db.begin().await?;
    let row = user_token::Entity::find()
        .filter(user_token::Column::TokenHash.eq(token_hash(token)))
        .filter(user_token::Column::Purpose.eq(purpose))
        .one(&tx)
        .await?
        .ok_or_else(refused)?;
    let used = user_token::Entity::update_many()
        .col_expr(user_token::Column::UsedAt, Expr::value(now()))
        .filter(user_token::Column::Id.eq(row.id))
        .filter(user_token::Column::UsedAt.is_null())
        .filter(user_token::Column::ExpiresAt.gt(now()))
        .exec(&tx)
        .await?;
    if used.rows_affected != 1 {
        return Err(refused());
    }
    let u = user::Entity::find_by_id(row.user_id).one(&tx).await?.ok_or_else(refused)?;
    if !u.active {
        return Err(refused());
    }
    let login = u.login.clone();
    let mut am: user::ActiveModel = u.into();
    am.password_hash = Set(Some(hash_password(password)?));
    am.updated_at = Set(now());
    am.update(&tx).await?;
    // A new password signs out whoever held the old one.
    super::auth::end_sessions(&tx, row.user_id).await?;
    let actor = Actor { user_id: row.user_id, login, role: crate::Role::Student, scope: crate::Scope::Nothing };
    audit::record(
        &tx,
        &actor,
        &format!("user.{purpose}"),
        "user",
        Some(row.user_id.to_string()),
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Starts a password reset for a login or email address. Says nothing about whether
/// the account exists; a known, active account with an email gets a link.
pub async fn request_reset(db: &DatabaseConnection, login_or_email: &str) -> Result<(), DomainError> {
    let key = login_or_email.trim();
    let found = user::Entity::find()
        .filter(
            sea_orm::Condition::any().add(user::Column::Login.eq(key)).add(user::Column::Email.eq(key.to_lowercase())),
        )
        .filter(user::Column::Active.eq(true))
        .one(db)
        .await?;
    let Some(u) = found else { return Ok(()) };
    let tx = db.begin().await?;
    queue_reset(&tx, &u).await?;
    tx.commit().await?;
    Ok(())
}

/// An admin sends a user the password-reset email (the same link as "forgot password").
/// Refused for inactive users and users without an email address, so the admin knows
/// nothing was sent.
pub async fn send_reset(db: &DatabaseConnection, actor: &Actor, user_id: Uuid) -> Result<(), DomainError> {
    super::require(actor, &[crate::Role::Admin])?;
    let tx = db.begin().await?;
    let u = user::Entity::find_by_id(user_id).one(&tx).await?.ok_or(DomainError::NotFound("user"))?;
    if !u.active {
        return Err(DomainError::conflict("user_inactive", "this account is deactivated; activate it first"));
    }
    if u.email.is_none() {
        return Err(DomainError::invalid("email", "required", "this user has no email address to send the link to"));
    }
    queue_reset(&tx, &u).await?;
    audit::record(&tx, actor, "user.password_reset_sent", "user", Some(u.id.to_string()), serde_json::json!({}))
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Issues a reset token and queues its email, inside the caller's transaction.
async fn queue_reset<C: ConnectionTrait>(db: &C, u: &user::Model) -> Result<(), DomainError> {
    let token = issue(db, u.id, purpose::PASSWORD_RESET, Duration::hours(2)).await?;
    outbox::notify_user(
        db,
        u.id,
        Message {
            template: "password_reset",
            params: serde_json::json!({ "name": u.display_name, "login": u.login, "token": token }),
            dedupe_key: format!("password_reset:{}:{}", u.id, new_id()),
        },
    )
    .await
}

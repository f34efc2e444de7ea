//! Credentials: password check, rotating refresh tokens (stored hashed; a reused old
//! token revokes its whole family), logout. Access tokens (JWT) are minted by the API.

use chrono::Duration;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set, Statement};
use uuid::Uuid;

use super::{new_id, now};
use crate::crypto::{random_token, token_hash, verify_password};
use crate::entities::{login_attempt, refresh_token, user};
use crate::{Actor, ActorRow, DomainError};

/// A real argon2id hash, checked when the login is unknown so that unknown and known
/// logins take the same time.
static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| crate::crypto::hash_password("yungui-timing-equaliser").unwrap_or_default());

fn bad_credentials() -> DomainError {
    DomainError::Unauthorized("wrong login or password".into())
}

/// Consecutive failures allowed before an account is locked.
pub const FREE_FAILURES: i32 = 5;

/// Lock time after `failures` consecutive failures: 30 s, doubling, at most 15 minutes.
pub fn lockout(failures: i32) -> Duration {
    let over = u32::try_from((failures - FREE_FAILURES).clamp(0, 10)).unwrap_or(0);
    Duration::seconds(std::cmp::min(30 * 2_i64.pow(over), 900))
}

/// Checks a login and password; the same answer for an unknown login, a wrong
/// password and a deactivated account, so nothing leaks. After repeated failures the
/// login is locked for a while, known or not.
///
/// Each attempt is reserved before the (slow) password check, in one statement that
/// counts it and refuses it while the login is locked: however many guesses arrive
/// together, at most [`FREE_FAILURES`] of them are ever checked before the lock, and one
/// in each lockout window after it. A right password clears the count.
pub async fn authenticate<C: ConnectionTrait>(db: &C, login: &str, password: &str) -> Result<user::Model, DomainError> {
    let key = login.trim().to_lowercase();
    reserve_attempt(db, &key).await?;
    let result = check_credentials(db, login, password).await;
    if result.is_ok() {
        login_attempt::Entity::delete_by_id(key).exec(db).await?;
    }
    result
}

/// Counts one attempt at `key`, setting the lock when this attempt reaches the limit;
/// refused (429) while the login is locked.
async fn reserve_attempt<C: ConnectionTrait>(db: &C, key: &str) -> Result<(), DomainError> {
    let backend = db.get_database_backend();
    let at = now();
    // The lock an attempt sets depends on its number: one CASE arm per step of the
    // doubling, so the count and the lock are written together.
    let steps: Vec<i32> = (FREE_FAILURES..).take_while(|n| lockout(*n) < lockout(n + 1)).collect();
    let mut arms = String::new();
    let mut values: Vec<sea_orm::Value> = vec![key.into(), at.into()];
    for n in &steps {
        arms.push_str(&format!(" WHEN {n} THEN ?"));
        values.push((at + lockout(*n)).into());
    }
    values.push((at + lockout(i32::MAX)).into());
    values.push(at.into());
    values.push(at.into());
    let sql = super::numbered_placeholders(
        backend,
        &format!(
            "INSERT INTO login_attempts (login, failures, locked_until, updated_at) VALUES (?, 1, NULL, ?) \
             ON CONFLICT (login) DO UPDATE SET \
               failures = login_attempts.failures + 1, \
               locked_until = CASE WHEN login_attempts.failures + 1 < {FREE_FAILURES} THEN NULL \
                                   ELSE CASE login_attempts.failures + 1{arms} ELSE ? END END, \
               updated_at = ? \
             WHERE login_attempts.locked_until IS NULL OR login_attempts.locked_until <= ? \
             RETURNING failures"
        ),
    );
    if db.query_one_raw(Statement::from_sql_and_values(backend, sql, values)).await?.is_some() {
        return Ok(());
    }
    let until = login_attempt::Entity::find_by_id(key.to_owned()).one(db).await?.and_then(|a| a.locked_until);
    let secs = until.map_or(1, |u| (u - now()).num_seconds().max(1));
    Err(DomainError::RateLimited { retry_after_secs: u64::try_from(secs).unwrap_or(1) })
}

async fn check_credentials<C: ConnectionTrait>(
    db: &C,
    login: &str,
    password: &str,
) -> Result<user::Model, DomainError> {
    let found = user::Entity::find().filter(user::Column::Login.eq(login.trim())).one(db).await?;
    let Some(u) = found else {
        let _ = verify_password(password, &DUMMY_HASH);
        return Err(bad_credentials());
    };
    let ok = match &u.password_hash {
        Some(h) => verify_password(password, h),
        None => {
            let _ = verify_password(password, &DUMMY_HASH);
            false
        }
    };
    if !ok || !u.active {
        return Err(bad_credentials());
    }
    Ok(u)
}

/// Loads an active user by id (for every authenticated request: a deactivated user is
/// refused even while their access token is still live).
pub async fn active_user<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<user::Model, DomainError> {
    match user::Entity::find_by_id(id).one(db).await? {
        Some(u) if u.active => Ok(u),
        _ => Err(DomainError::Unauthorized("the account is unknown or deactivated".into())),
    }
}

/// The actor of an active user, reading only the columns an actor is made of: every
/// authenticated API request runs this, so it skips the password hash and the profile.
///
/// `token_version` is the version the access token was issued under: a token from before
/// a sign-out, password change or deactivation is refused.
pub async fn active_actor<C: ConnectionTrait>(db: &C, id: Uuid, token_version: i32) -> Result<Actor, DomainError> {
    use user::Column as U;
    let Some(row) = user::Entity::find_by_id(id)
        .select_only()
        .columns([U::Id, U::Login, U::Role, U::SchoolId, U::OriginId, U::EnterpriseId, U::StudentId])
        .filter(U::Active.eq(true))
        .filter(U::TokenVersion.eq(token_version))
        .into_model::<ActorRow>()
        .one(db)
        .await?
    else {
        return Err(DomainError::Unauthorized(
            "the access token was revoked, or the account is unknown or deactivated".into(),
        ));
    };
    Actor::from_row(row).ok_or_else(|| DomainError::Unauthorized("the account has an unknown role".into()))
}

/// Issues a new refresh token in `family` (a new family at login) and returns it in clear.
pub async fn issue_refresh<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    family: Option<Uuid>,
    ttl: Duration,
) -> Result<String, DomainError> {
    let token = random_token();
    refresh_token::ActiveModel {
        id: Set(new_id()),
        user_id: Set(user_id),
        family_id: Set(family.unwrap_or_else(new_id)),
        token_hash: Set(token_hash(&token)),
        expires_at: Set(now() + ttl),
        used_at: Set(None),
        revoked_at: Set(None),
        created_at: Set(now()),
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// Exchanges a refresh token for a new one. A token that was already used (or revoked)
/// means it was stolen or replayed: the whole family is revoked and the call refused.
pub async fn rotate<C: ConnectionTrait>(
    db: &C,
    token: &str,
    ttl: Duration,
) -> Result<(user::Model, String), DomainError> {
    let refused = || DomainError::Unauthorized("the refresh token is invalid, expired or revoked".into());
    let Some(row) =
        refresh_token::Entity::find().filter(refresh_token::Column::TokenHash.eq(token_hash(token))).one(db).await?
    else {
        return Err(refused());
    };
    if row.expires_at <= now() {
        return Err(refused());
    }
    // Conditional update: of two concurrent uses of one token, only one wins.
    let claimed = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::UsedAt, Expr::value(now()))
        .filter(refresh_token::Column::Id.eq(row.id))
        .filter(refresh_token::Column::UsedAt.is_null())
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    if claimed.rows_affected != 1 {
        revoke_family(db, row.family_id).await?;
        revoke_access_tokens(db, row.user_id).await?;
        tracing::warn!(user_id = %row.user_id, "refresh token reused; token family revoked");
        return Err(refused());
    }
    let user = active_user(db, row.user_id).await?;
    let next = issue_refresh(db, user.id, Some(row.family_id), ttl).await?;
    Ok((user, next))
}

/// Revokes every token of a family.
pub async fn revoke_family<C: ConnectionTrait>(db: &C, family: Uuid) -> Result<(), DomainError> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now()))
        .filter(refresh_token::Column::FamilyId.eq(family))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Logs out: revokes the family of the given refresh token and every access token of
/// its user (unknown tokens are ignored). The user's other sessions keep their refresh
/// tokens and get a new access token at their next refresh.
pub async fn logout<C: ConnectionTrait>(db: &C, token: &str) -> Result<(), DomainError> {
    if let Some(row) =
        refresh_token::Entity::find().filter(refresh_token::Column::TokenHash.eq(token_hash(token))).one(db).await?
    {
        revoke_family(db, row.family_id).await?;
        revoke_access_tokens(db, row.user_id).await?;
    }
    Ok(())
}

/// Signs a user out everywhere: every refresh token revoked, every access token invalid
/// (deactivation, a new password).
pub async fn end_sessions<C: ConnectionTrait>(db: &C, user_id: Uuid) -> Result<(), DomainError> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now()))
        .filter(refresh_token::Column::UserId.eq(user_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    revoke_access_tokens(db, user_id).await
}

/// Makes every access token issued to a user so far invalid at once (each request checks
/// the token's version against the user's row).
pub async fn revoke_access_tokens<C: ConnectionTrait>(db: &C, user_id: Uuid) -> Result<(), DomainError> {
    user::Entity::update_many()
        .col_expr(
            user::Column::TokenVersion,
            sea_orm::sea_query::ExprTrait::add(Expr::col(user::Column::TokenVersion), 1),
        )
        .filter(user::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

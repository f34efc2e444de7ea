//! Accounts: admins create and deactivate users of every role; each non-admin user is
//! anchored to what they may see (a school, an origin, an enterprise, a student).

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Page, PageRequest, audit, new_id, now, require};
use crate::crypto::hash_password;
use crate::entities::{enterprise, origin, school, student, user};
use crate::error::{OnConstraint, keys};
use crate::{Actor, DomainError, FieldError, Role};

/// A user as shown through the API (never the password hash).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UserView {
    pub id: Uuid,
    pub login: String,
    pub display_name: String,
    pub email: Option<String>,
    /// `zh` or `en`.
    pub language: String,
    pub role: Role,
    pub school_id: Option<Uuid>,
    pub origin_id: Option<Uuid>,
    pub enterprise_id: Option<Uuid>,
    pub student_id: Option<Uuid>,
    pub active: bool,
    /// Whether a password has been set (false until activation).
    pub has_password: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<user::Model> for UserView {
    fn from(u: user::Model) -> Self {
        UserView {
            id: u.id,
            role: Role::parse(&u.role).unwrap_or(Role::Student),
            has_password: u.password_hash.is_some(),
            login: u.login,
            display_name: u.display_name,
            email: u.email,
            language: u.language,
            school_id: u.school_id,
            origin_id: u.origin_id,
            enterprise_id: u.enterprise_id,
            student_id: u.student_id,
            active: u.active,
            created_at: u.created_at,
        }
    }
}

/// What it takes to create a user.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewUser {
    pub login: String,
    /// Optional: without one the account waits for activation.
    pub password: Option<String>,
    pub display_name: String,
    pub email: Option<String>,
    /// `zh` (default) or `en`.
    pub language: Option<String>,
    pub role: Role,
    /// Required for registrars.
    pub school_id: Option<Uuid>,
    /// Required for origin officers.
    pub origin_id: Option<Uuid>,
    /// Required for enterprise users.
    pub enterprise_id: Option<Uuid>,
    /// Required for students.
    pub student_id: Option<Uuid>,
}

/// Checks a new password's strength: 10+ characters.
pub fn check_password(field: &str, p: &str) -> Option<FieldError> {
    (p.chars().count() < 10).then(|| FieldError::new(field, "too_short", "passwords need at least 10 characters"))
}

/// Creates a user (admins; the CLI and enrolment use [`create_unchecked`]).
pub async fn create(db: &DatabaseConnection, actor: &Actor, input: NewUser) -> Result<UserView, DomainError> {
    require(actor, &[Role::Admin])?;
    let tx = db.begin().await?;
    let u = create_unchecked(&tx, actor, input).await?;
    tx.commit().await?;
    Ok(u)
}

/// Creates a user after validating its fields and anchor, inside the caller's transaction.
pub async fn create_unchecked<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    input: NewUser,
) -> Result<UserView, DomainError> {
    let mut errors = Vec::new();
    let login = input.login.trim().to_owned();
    if login.is_empty() || login.chars().count() > 64 || login.chars().any(char::is_whitespace) {
        errors.push(FieldError::new("login", "invalid_format", "a login is 1–64 characters without spaces"));
    }
    if input.display_name.trim().is_empty() {
        errors.push(FieldError::new("display_name", "required", "a display name is required"));
    }
    if let Some(p) = &input.password {
        errors.extend(check_password("password", p));
    }
    let email = match input.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        Some(e) => match crate::values::Email::parse(e) {
            Ok(e) => Some(e.as_str().to_owned()),
            Err(err) => {
                errors.push(FieldError::from_value("email", err));
                None
            }
        },
        None => None,
    };
    let language = input.language.clone().unwrap_or_else(|| "zh".into());
    if language != "zh" && language != "en" {
        errors.push(FieldError::new("language", "invalid_value", "language is zh or en"));
    }
    // The anchor must match the role and exist.
    let needs = |field: &str, present: bool, exists: bool, errors: &mut Vec<FieldError>| {
        if !present {
            errors.push(FieldError::new(field, "required", format!("{field} is required for this role")));
        } else if !exists {
            errors.push(FieldError::new(field, "unknown", format!("no such {}", field.trim_end_matches("_id"))));
        }
    };
    match input.role {
        Role::Admin => {}
        Role::Registrar => {
            let exists = match input.school_id {
                Some(id) => school::Entity::find_by_id(id).one(db).await?.is_some(),
                None => false,
            };
            needs("school_id", input.school_id.is_some(), exists, &mut errors);
        }
        Role::OriginOfficer => {
            let exists = match input.origin_id {
                Some(id) => origin::Entity::find_by_id(id).one(db).await?.is_some(),
                None => false,
            };
            needs("origin_id", input.origin_id.is_some(), exists, &mut errors);
        }
        Role::Enterprise => {
            let exists = match input.enterprise_id {
                Some(id) => enterprise::Entity::find_by_id(id).one(db).await?.is_some(),
                None => false,
            };
            needs("enterprise_id", input.enterprise_id.is_some(), exists, &mut errors);
        }
        Role::Student => {
            let exists = match input.student_id {
                Some(id) => student::Entity::find_by_id(id).one(db).await?.is_some(),
                None => false,
            };
            needs("student_id", input.student_id.is_some(), exists, &mut errors);
        }
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    let password_hash = match &input.password {
        Some(p) => Some(hash_password(p)?),
        None => None,
    };
    let keep = |r: Role, v: Option<Uuid>| if input.role == r { v } else { None };
    let row = user::ActiveModel {
        id: Set(new_id()),
        login: Set(login.clone()),
        password_hash: Set(password_hash),
        display_name: Set(input.display_name.trim().to_owned()),
        email: Set(email),
        language: Set(language),
        role: Set(input.role.as_str().to_owned()),
        school_id: Set(keep(Role::Registrar, input.school_id)),
        origin_id: Set(keep(Role::OriginOfficer, input.origin_id)),
        enterprise_id: Set(keep(Role::Enterprise, input.enterprise_id)),
        student_id: Set(keep(Role::Student, input.student_id)),
        active: Set(true),
        created_at: Set(now()),
        updated_at: Set(now()),
        token_version: Set(0),
    }
    .insert(db)
    .await
    .on_constraint(keys::USER_LOGIN, "login_taken", "that login is already taken")?;
    audit::record(
        db,
        actor,
        "user.create",
        "user",
        Some(row.id.to_string()),
        serde_json::json!({ "login": login, "role": input.role.as_str() }),
    )
    .await?;
    // An account made without a password is activated through an emailed link.
    super::account_tokens::send_activation(db, &row).await?;
    Ok(row.into())
}

/// The accounts a caller may read: an admin every one; a registrar the staff of their
/// school, the enterprise and origin-officer accounts they work with, and their own
/// school's students (never another school's students, nor admins) (SPEC §6, §14).
fn readable_by(actor: &Actor) -> Result<sea_orm::Condition, DomainError> {
    use sea_orm::Condition;
    use sea_orm::sea_query::Query;
    require(actor, &[Role::Admin, Role::Registrar])?;
    let school = match actor.scope {
        crate::Scope::Everything => return Ok(Condition::all()),
        crate::Scope::School(s) => s,
        _ => return Ok(Condition::all().add(user::Column::Id.is_null())),
    };
    let own_students = Query::select()
        .column(crate::entities::student::Column::Id)
        .from(crate::entities::student::Entity)
        .and_where(crate::entities::student::Column::SchoolId.eq(school))
        .to_owned();
    Ok(Condition::any()
        .add(
            Condition::all()
                .add(user::Column::Role.eq(Role::Registrar.as_str()))
                .add(user::Column::SchoolId.eq(school)),
        )
        .add(user::Column::Role.is_in([Role::Enterprise.as_str(), Role::OriginOfficer.as_str()]))
        .add(
            Condition::all()
                .add(user::Column::Role.eq(Role::Student.as_str()))
                .add(user::Column::StudentId.in_subquery(own_students)),
        ))
}

/// Lists the users the caller may read (admins: all; registrars: see [`readable_by`]),
/// optionally by role.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    role: Option<Role>,
    search: Option<&str>,
    page: PageRequest,
) -> Result<Page<UserView>, DomainError> {
    let mut q = user::Entity::find().filter(readable_by(actor)?);
    if let Some(r) = role {
        q = q.filter(user::Column::Role.eq(r.as_str()));
    }
    if let Some(text) = search.map(str::trim).filter(|t| !t.is_empty()) {
        q = q.filter(
            sea_orm::Condition::any()
                .add(user::Column::Login.contains(text))
                .add(user::Column::DisplayName.contains(text)),
        );
    }
    let (rows, total) = page.fetch(db, q, |q| q.order_by_asc(user::Column::Login)).await?;
    Ok(page.of(rows.into_iter().map(Into::into).collect(), total))
}

/// One user the caller may read (see [`readable_by`]); 404 for any other.
pub async fn get<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid) -> Result<UserView, DomainError> {
    user::Entity::find_by_id(id)
        .filter(readable_by(actor)?)
        .one(db)
        .await?
        .map(Into::into)
        .ok_or(DomainError::NotFound("user"))
}

/// Changes to a user (admins): activate/deactivate, rename, email, language.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct UserPatch {
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub language: Option<String>,
    /// false deactivates: the user's tokens stop working at once.
    pub active: Option<bool>,
}

/// Updates a user (admins).
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    patch: UserPatch,
) -> Result<UserView, DomainError> {
    require(actor, &[Role::Admin])?;
    if patch.active == Some(false) && id == actor.user_id {
        // An admin who switches themself off may leave nobody able to switch them back on.
        return Err(DomainError::conflict("own_account", "you cannot deactivate your own account; ask another admin"));
    }
    let tx = db.begin().await?;
    let row = user::Entity::find_by_id(id).one(&tx).await?.ok_or(DomainError::NotFound("user"))?;
    let mut errors = Vec::new();
    let mut am: user::ActiveModel = row.into();
    if let Some(n) = patch.display_name.as_deref().map(str::trim) {
        if n.is_empty() {
            errors.push(FieldError::new("display_name", "required", "a display name is required"));
        }
        am.display_name = Set(n.to_owned());
    }
    if let Some(e) = patch.email.as_deref().map(str::trim) {
        if e.is_empty() {
            am.email = Set(None);
        } else {
            match crate::values::Email::parse(e) {
                Ok(e) => am.email = Set(Some(e.as_str().to_owned())),
                Err(err) => errors.push(FieldError::from_value("email", err)),
            }
        }
    }
    if let Some(l) = &patch.language {
        if l != "zh" && l != "en" {
            errors.push(FieldError::new("language", "invalid_value", "language is zh or en"));
        }
        am.language = Set(l.clone());
    }
    if let Some(a) = patch.active {
        am.active = Set(a);
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    am.updated_at = Set(now());
    let row = am.update(&tx).await?;
    if patch.active == Some(false) {
        super::auth::end_sessions(&tx, id).await?;
    }
    audit::record(
        &tx,
        actor,
        "user.update",
        "user",
        Some(id.to_string()),
        serde_json::json!({ "active": patch.active, "language": patch.language }),
    )
    .await?;
    tx.commit().await?;
    Ok(row.into())
}

/// Creates the first admin from the CLI, or resets the password of an existing admin login.
pub async fn create_admin(db: &DatabaseConnection, login: &str, password: &str) -> Result<UserView, DomainError> {
    if let Some(e) = check_password("password", password) {
        return Err(DomainError::Invalid(vec![e]));
    }
    let tx = db.begin().await?;
    let existing = user::Entity::find().filter(user::Column::Login.eq(login)).one(&tx).await?;
    let view = match existing {
        Some(u) if u.role == Role::Admin.as_str() => {
            let mut am: user::ActiveModel = u.into();
            am.password_hash = Set(Some(hash_password(password)?));
            am.active = Set(true);
            am.updated_at = Set(now());
            let u = am.update(&tx).await?;
            super::auth::end_sessions(&tx, u.id).await?;
            audit::record(
                &tx,
                &Actor::system(),
                "user.reset_password",
                "user",
                Some(u.id.to_string()),
                serde_json::json!({ "login": login }),
            )
            .await?;
            u.into()
        }
        Some(_) => return Err(DomainError::conflict("login_taken", "that login belongs to a non-admin user")),
        None => {
            create_unchecked(
                &tx,
                &Actor::system(),
                NewUser {
                    login: login.into(),
                    password: Some(password.into()),
                    display_name: login.into(),
                    email: None,
                    language: None,
                    role: Role::Admin,
                    school_id: None,
                    origin_id: None,
                    enterprise_id: None,
                    student_id: None,
                },
            )
            .await?
        }
    };
    tx.commit().await?;
    Ok(view)
}

//! Who is asking: the authenticated user, their role and the slice of the data they
//! may touch. Every service takes an `Actor` and scopes its queries by it.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The five roles of SPEC §6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Registrar,
    OriginOfficer,
    Enterprise,
    Student,
}

impl Role {
    /// The stored and serialized name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Registrar => "registrar",
            Role::OriginOfficer => "origin_officer",
            Role::Enterprise => "enterprise",
            Role::Student => "student",
        }
    }

    /// Parses a stored role name.
    pub fn parse(s: &str) -> Option<Role> {
        Some(match s {
            "admin" => Role::Admin,
            "registrar" => Role::Registrar,
            "origin_officer" => Role::OriginOfficer,
            "enterprise" => Role::Enterprise,
            "student" => Role::Student,
            _ => return None,
        })
    }
}

/// The data a caller may see, derived from the role and the user's anchor row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Admins.
    Everything,
    /// A registrar's school.
    School(Uuid),
    /// An origin officer's county.
    Origin(Uuid),
    /// An enterprise user's enterprise.
    Enterprise(Uuid),
    /// A student's own record.
    Student(Uuid),
    /// A user whose anchor is missing: sees nothing.
    Nothing,
}

/// The columns of a user row an actor is made of.
#[derive(Debug, Clone, sea_orm::FromQueryResult)]
pub struct ActorRow {
    pub id: Uuid,
    pub login: String,
    pub role: String,
    pub school_id: Option<Uuid>,
    pub origin_id: Option<Uuid>,
    pub enterprise_id: Option<Uuid>,
    pub student_id: Option<Uuid>,
}

/// The authenticated caller.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The user's id.
    pub user_id: Uuid,
    /// The user's login, kept in the audit trail.
    pub login: String,
    /// The role.
    pub role: Role,
    /// What the role may see.
    pub scope: Scope,
}

impl Actor {
    /// Builds the actor for a stored user row.
    pub fn from_user(u: &crate::entities::user::Model) -> Option<Actor> {
        Actor::from_row(ActorRow {
            id: u.id,
            login: u.login.clone(),
            role: u.role.clone(),
            school_id: u.school_id,
            origin_id: u.origin_id,
            enterprise_id: u.enterprise_id,
            student_id: u.student_id,
        })
    }

    /// Builds the actor from the columns of a user row it is made of (None for an
    /// unknown role).
    pub fn from_row(u: ActorRow) -> Option<Actor> {
        let role = Role::parse(&u.role)?;
        let scope = match role {
            Role::Admin => Scope::Everything,
            Role::Registrar => u.school_id.map(Scope::School).unwrap_or(Scope::Nothing),
            Role::OriginOfficer => u.origin_id.map(Scope::Origin).unwrap_or(Scope::Nothing),
            Role::Enterprise => u.enterprise_id.map(Scope::Enterprise).unwrap_or(Scope::Nothing),
            Role::Student => u.student_id.map(Scope::Student).unwrap_or(Scope::Nothing),
        };
        Some(Actor { user_id: u.id, login: u.login, role, scope })
    }

    /// A system actor for the CLI and demo loader (acts as admin, audited as `system`).
    pub fn system() -> Actor {
        Actor { user_id: Uuid::nil(), login: "system".into(), role: Role::Admin, scope: Scope::Everything }
    }

    /// Whether this actor has one of the given roles.
    pub fn is(&self, roles: &[Role]) -> bool {
        roles.contains(&self.role)
    }

    /// The audit trail's actor id (None for the system actor).
    pub fn audit_id(&self) -> Option<Uuid> {
        (!self.user_id.is_nil()).then_some(self.user_id)
    }
}

//! Remembered answers to `Idempotency-Key` requests (the API's middleware keeps them):
//! how long they live, and the job that forgets them.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::DomainError;
use crate::entities::idempotency_key;

/// How long a key and its answer are kept: a client retries within minutes, and a
/// day-old answer (encrypted as it is) is personal data kept for nothing.
pub const KEY_TTL: chrono::Duration = chrono::Duration::hours(24);

/// Deletes the keys older than [`KEY_TTL`] at `now`; returns how many.
pub async fn purge_expired<C: ConnectionTrait>(db: &C, now: chrono::DateTime<chrono::Utc>) -> Result<u64, DomainError> {
    let done = idempotency_key::Entity::delete_many()
        .filter(idempotency_key::Column::CreatedAt.lte(now - KEY_TTL))
        .exec(db)
        .await?;
    Ok(done.rows_affected)
}

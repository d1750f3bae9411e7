//! For the tests of key management only (they cannot reach the crate's own functions): a
//! case's data key made and used through the same code the case records use. Not for the
//! product; it checks no permission.

use super::{open, seal};
use crate::{App, ServiceError};
use preventkit_domain::sealed::{FieldPlace, Sealed};
use preventkit_domain::PartnershipId;

/// Make and store a data key for `owner`, and seal `plaintext` at `place` with it.
pub async fn seal_with_new_key(
    app: &App,
    owner: &str,
    partnership: PartnershipId,
    place: FieldPlace<'_>,
    plaintext: &str,
) -> Result<Sealed, ServiceError> {
    let mut tx = app.db().write().await?;
    let dk = app.case_key_new(&mut tx, owner, partnership).await?;
    let sealed = seal(&dk, place, plaintext)?;
    tx.commit().await?;
    Ok(sealed)
}

/// Open a value sealed at `place` with `owner`'s stored data key.
pub async fn open_with_stored_key(
    app: &App,
    owner: &str,
    place: FieldPlace<'_>,
    sealed: &Sealed,
) -> Result<String, ServiceError> {
    let mut tx = app.db().read().await?;
    let dk = app.case_key(&mut tx, owner).await?;
    tx.commit().await?;
    Ok(open(&dk, place, sealed)?)
}

/// The key-encryption key `owner`'s data key is wrapped under.
pub async fn kek_of(app: &App, owner: &str) -> Result<Option<String>, ServiceError> {
    let mut tx = app.db().read().await?;
    let record = preventkit_storage::keys::get(&mut tx, owner).await?;
    tx.commit().await?;
    Ok(record.map(|r| r.kek_id))
}

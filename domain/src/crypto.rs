//! Personal-data protection: AES-256-GCM for bank cards and national IDs at rest, a
//! keyed hash for duplicate lookup without decrypting, and argon2id for passwords.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::DomainError;

/// Ciphertexts carry their format version so keys can be rotated later.
const PREFIX: &str = "v1:";

/// Encrypts, decrypts and hashes personal data with the deployment's `DATA_KEY`.
#[derive(Clone)]
pub struct Vault {
    cipher: Aes256Gcm,
    hash_key: [u8; 32],
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Vault(..)")
    }
}

impl Vault {
    /// A vault for a 32-byte key. The hash key is derived from it so one secret serves both.
    pub fn new(key: &[u8; 32]) -> Vault {
        let cipher = Aes256Gcm::new(key.into());
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC accepts any key length");
        mac.update(b"yungui/national-id-hash/v1");
        let hash_key: [u8; 32] = mac.finalize().into_bytes().into();
        Vault { cipher, hash_key }
    }

    /// Encrypts a value: `v1:` + base64(nonce ‖ ciphertext).
    pub fn encrypt(&self, plaintext: &str) -> String {
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        // Encryption with a fresh nonce and an in-memory buffer cannot fail.
        let ct = self
            .cipher
            .encrypt(&Nonce::from(nonce), plaintext.as_bytes())
            .expect("AES-GCM encryption of an in-memory buffer");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        format!("{PREFIX}{}", B64.encode(out))
    }

    /// Decrypts a value written by [`Vault::encrypt`].
    pub fn decrypt(&self, stored: &str) -> Result<String, DomainError> {
        // A wrong key and a corrupt value look the same to AES-GCM: neither authenticates.
        let bad = || DomainError::Undecryptable;
        let raw = stored.strip_prefix(PREFIX).ok_or_else(bad)?;
        let bytes = B64.decode(raw).map_err(|_| bad())?;
        if bytes.len() < 12 {
            return Err(bad());
        }
        let (nonce, ct) = bytes.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| bad())?;
        let pt = self.cipher.decrypt(&Nonce::from(nonce), ct).map_err(|_| bad())?;
        String::from_utf8(pt).map_err(|_| bad())
    }

    /// A keyed hash of a national ID, for uniqueness checks and lookups.
    pub fn id_hash(&self, national_id: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.hash_key).expect("HMAC accepts any key length");
        mac.update(national_id.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

/// Hashes a password with argon2id and a random salt (PHC string).
pub fn hash_password(password: &str) -> Result<String, DomainError> {
    use argon2::password_hash::{PasswordHasher, SaltString, rand_core::OsRng};
    let salt = SaltString::generate(&mut OsRng);
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| DomainError::Internal(format!("password hashing failed: {e}")))
}

/// Checks a password against a stored PHC string; false for any malformed hash.
pub fn verify_password(password: &str, phc: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    match PasswordHash::new(phc) {
        Ok(parsed) => argon2::Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// A random opaque token (refresh tokens, activation links), URL-safe.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// SHA-256 of a token, as stored: tokens are never kept in clear.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encrypt_round_trips_and_is_randomised() {
        let v = Vault::new(&[7u8; 32]);
        let a = v.encrypt("6222021234567890123");
        let b = v.encrypt("6222021234567890123");
        assert_ne!(a, b);
        assert_eq!(v.decrypt(&a).unwrap(), "6222021234567890123");
        assert!(matches!(Vault::new(&[8u8; 32]).decrypt(&a), Err(DomainError::Undecryptable)));
    }

    #[test]
    fn id_hash_is_keyed() {
        let a = Vault::new(&[1u8; 32]).id_hash("11010519491231002X");
        let b = Vault::new(&[2u8; 32]).id_hash("11010519491231002X");
        assert_ne!(a, b);
        assert_eq!(a, Vault::new(&[1u8; 32]).id_hash("11010519491231002X"));
    }

    #[test]
    fn passwords_verify() {
        let h = hash_password("correct horse").unwrap();
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
    }
}

//! Console users and their roles. Passwords are kept only as argon2 PHC hashes; a login is
//! checked against the hash and nothing else.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// What a console user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// 管理员: everything, including members, seats and cards.
    Admin,
    /// 会务人员: runs the meeting (sign-in, leave entry, votes, reports).
    Clerk,
    /// 主持人: opens the session, decides leave, runs votes.
    Chair,
    /// 大屏 / observer: read-only.
    Display,
    /// 消防联动: the fire panel's integration; may only raise and clear the fire alarm
    /// (`POST /api/fire-alarm`), reads nothing.
    #[serde(rename = "fire_panel")]
    FirePanel,
}

impl Role {
    /// Parses the lowercase role name.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "clerk" => Some(Role::Clerk),
            "chair" => Some(Role::Chair),
            "display" => Some(Role::Display),
            "fire_panel" => Some(Role::FirePanel),
            _ => None,
        }
    }

    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Clerk => "clerk",
            Role::Chair => "chair",
            Role::Display => "display",
            Role::FirePanel => "fire_panel",
        }
    }

    /// All roles.
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Clerk,
        Role::Chair,
        Role::Display,
        Role::FirePanel,
    ];
}

/// A console user.
#[derive(Debug, Clone, Serialize)]
pub struct User {
    /// Login name; also the actor id written into the ledger.
    pub username: String,
    /// Name shown in the console.
    pub display_name: String,
    /// What the user may do.
    pub role: Role,
    #[serde(skip)]
    password_hash: String,
}

/// Why a user could not be added.
#[derive(Debug, thiserror::Error)]
pub enum UserError {
    /// The stored hash is not a PHC string.
    #[error("user {0}: password hash is not a valid argon2 PHC string")]
    BadHash(String),
    /// Hashing failed.
    #[error("could not hash the password: {0}")]
    Hash(String),
    /// Same login twice.
    #[error("user {0} is defined twice")]
    Duplicate(String),
}

/// Hashes a password with argon2id (default parameters, random salt) into a PHC string.
pub fn hash_password(password: &str) -> Result<String, UserError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| UserError::Hash(e.to_string()))
}

/// The known users, by login name.
#[derive(Debug, Default)]
pub struct UserDirectory {
    users: HashMap<String, User>,
}

impl UserDirectory {
    /// An empty directory (nobody can log in).
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a user whose password is given as an argon2 PHC hash (from configuration).
    pub fn add_hashed(
        &mut self,
        username: &str,
        display_name: &str,
        role: Role,
        password_hash: &str,
    ) -> Result<(), UserError> {
        PasswordHash::new(password_hash).map_err(|_| UserError::BadHash(username.to_owned()))?;
        if self.users.contains_key(username) {
            return Err(UserError::Duplicate(username.to_owned()));
        }
        self.users.insert(
            username.to_owned(),
            User {
                username: username.to_owned(),
                display_name: display_name.to_owned(),
                role,
                password_hash: password_hash.to_owned(),
            },
        );
        Ok(())
    }

    /// Adds a user with a clear-text password, hashing it first (demo logins, tests).
    pub fn add_with_password(
        &mut self,
        username: &str,
        display_name: &str,
        role: Role,
        password: &str,
    ) -> Result<(), UserError> {
        let hash = hash_password(password)?;
        self.add_hashed(username, display_name, role, &hash)
    }

    /// The user if the password matches its hash. Unknown users cost a hash too, so timing does
    /// not tell which logins exist.
    pub fn authenticate(&self, username: &str, password: &str) -> Option<&User> {
        let argon = Argon2::default();
        match self.users.get(username) {
            Some(user) => {
                let hash = PasswordHash::new(&user.password_hash).ok()?;
                argon.verify_password(password.as_bytes(), &hash).ok()?;
                Some(user)
            }
            None => {
                let _ = argon.hash_password(password.as_bytes());
                None
            }
        }
    }

    /// Looks a user up by login name.
    pub fn get(&self, username: &str) -> Option<&User> {
        self.users.get(username)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_accepts_the_right_password_only() {
        let mut dir = UserDirectory::new();
        dir.add_with_password("wang", "王秘书", Role::Clerk, "s3cret-pass")
            .unwrap();
        assert_eq!(
            dir.authenticate("wang", "s3cret-pass").map(|u| u.role),
            Some(Role::Clerk)
        );
        assert!(dir.authenticate("wang", "wrong").is_none());
        assert!(dir.authenticate("nobody", "s3cret-pass").is_none());
    }

    #[test]
    fn stored_hash_is_argon2id_not_the_password() {
        let hash = hash_password("pw").unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        // No field of the PHC string is the password itself. (Not `contains("pw$")`: the
        // random base64 salt ends in "pw" about once in 4,096 hashes.)
        assert!(hash.split('$').all(|field| field != "pw"), "{hash}");
    }

    #[test]
    fn malformed_hash_and_duplicates_are_refused() {
        let mut dir = UserDirectory::new();
        assert!(matches!(
            dir.add_hashed("a", "A", Role::Admin, "plaintext"),
            Err(UserError::BadHash(_))
        ));
        dir.add_with_password("a", "A", Role::Admin, "x").unwrap();
        assert!(matches!(
            dir.add_with_password("a", "A", Role::Admin, "x"),
            Err(UserError::Duplicate(_))
        ));
    }
}

//! The ledger's cryptography, chosen per hall: the chain hash and the checkpoint signature.
//!
//! Two suites exist:
//!
//! | suite            | chain hash | checkpoint signature                        |
//! |------------------|------------|---------------------------------------------|
//! | `sha256-ed25519` | SHA-256    | Ed25519 (RFC 8032), the default             |
//! | `sm3-sm2`        | SM3 (GB/T 32905) | SM2 (GB/T 32918, GM/T 0003), ID `1234567812345678` |
//!
//! Signing goes through the [`CheckpointSigner`] trait. [`SoftwareSigner`] holds the key in a
//! file; a certified cryptographic module (密码机 / 密码卡 behind the GM/T 0018 SDF interface)
//! implements the same trait with the key inside the module. A 商用密码应用安全性评估 (GB/T 39786)
//! needs such a certified module: the software signer is not a certified product.
//! Verification needs only the public key, so [`verify_signature`] is plain software for both.

use std::fmt;
use std::path::Path;

use rand::RngCore;
use sha2::Digest as _;
use sm2::dsa::signature::{Signer as _, Verifier as _};

/// SM2 distinguishing identifier (the GM/T 0009 default, `ENTL` = 128 bits).
const SM2_DISTID: &str = "1234567812345678";
/// First word of a secret-key file.
const SECRET_FILE_TAG: &str = "huitang-ledger-secret-key";
/// First word of a public-key file.
const PUBLIC_FILE_TAG: &str = "huitang-ledger-public-key";

/// The hash that chains the records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HashAlg {
    /// SHA-256 (FIPS 180-4), the default and the hash of every ledger written before suites.
    #[default]
    Sha256,
    /// SM3 (GB/T 32905-2016).
    Sm3,
}

/// The algorithm that signs checkpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignAlg {
    /// Ed25519.
    Ed25519,
    /// SM2 digital signature with SM3.
    Sm2,
}

/// A hall's ledger cryptography: chain hash plus checkpoint signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Suite {
    /// SHA-256 chain, Ed25519 checkpoints (default).
    #[default]
    Sha256Ed25519,
    /// SM3 chain, SM2 checkpoints (商用密码).
    Sm3Sm2,
}

impl Suite {
    /// The suite's name as written in hall.toml, key files and checkpoint records.
    pub fn as_str(self) -> &'static str {
        match self {
            Suite::Sha256Ed25519 => "sha256-ed25519",
            Suite::Sm3Sm2 => "sm3-sm2",
        }
    }

    /// Parses a suite name.
    pub fn parse(s: &str) -> Option<Suite> {
        match s {
            "sha256-ed25519" => Some(Suite::Sha256Ed25519),
            "sm3-sm2" => Some(Suite::Sm3Sm2),
            _ => None,
        }
    }

    /// The chain hash.
    pub fn hash(self) -> HashAlg {
        match self {
            Suite::Sha256Ed25519 => HashAlg::Sha256,
            Suite::Sm3Sm2 => HashAlg::Sm3,
        }
    }

    /// The signature.
    pub fn sign(self) -> SignAlg {
        match self {
            Suite::Sha256Ed25519 => SignAlg::Ed25519,
            Suite::Sm3Sm2 => SignAlg::Sm2,
        }
    }
}

impl fmt::Display for Suite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An incremental hash of either algorithm (32-byte output for both).
#[derive(Debug, Clone)]
pub enum Hasher {
    /// SHA-256 state.
    Sha256(sha2::Sha256),
    /// SM3 state.
    Sm3(sm3::Sm3),
}

impl Hasher {
    /// A fresh state.
    pub fn new(alg: HashAlg) -> Self {
        match alg {
            HashAlg::Sha256 => Hasher::Sha256(sha2::Sha256::new()),
            HashAlg::Sm3 => Hasher::Sm3(<sm3::Sm3 as sm3::Digest>::new()),
        }
    }

    /// Feeds bytes.
    pub fn update(&mut self, bytes: impl AsRef<[u8]>) {
        match self {
            Hasher::Sha256(h) => h.update(bytes.as_ref()),
            Hasher::Sm3(h) => sm3::Digest::update(h, bytes.as_ref()),
        }
    }

    /// The 32-byte digest.
    pub fn finalize(self) -> [u8; 32] {
        match self {
            Hasher::Sha256(h) => h.finalize().into(),
            Hasher::Sm3(h) => sm3::Digest::finalize(h).into(),
        }
    }
}

/// A cryptographic operation that failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// A public key of the wrong length or not on the curve.
    #[error("公钥无效 / invalid public key for {0}")]
    BadPublicKey(&'static str),
    /// A signature of the wrong shape or that does not verify.
    #[error("签名无效 / signature invalid")]
    BadSignature,
    /// The signer (software key or hardware module) could not sign.
    #[error("签名失败 / signing failed: {0}")]
    SignFailed(String),
    /// A key file that cannot be read or parsed.
    #[error("密钥文件错误 / key file {path}: {message}")]
    KeyFile {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
}

/// Signs checkpoint messages. Implemented in software by [`SoftwareSigner`]; a certified
/// hardware module (GM/T 0018 SDF: `SDF_InternalSign_ECC` with a key index) implements it with
/// the private key never leaving the module.
pub trait CheckpointSigner: Send + Sync + fmt::Debug {
    /// The suite whose signature this signer makes.
    fn suite(&self) -> Suite;
    /// The public key: Ed25519 32 bytes, SM2 65 bytes (SEC1 uncompressed).
    fn public_key(&self) -> Vec<u8>;
    /// Signs `message` (Ed25519 64 bytes; SM2 64 bytes r‖s over SM3(Z_A‖M)).
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, CryptoError>;
}

/// A signer whose private key is held in memory, loaded from a key file.
pub struct SoftwareSigner {
    suite: Suite,
    secret: [u8; 32],
    key: SoftKey,
}

enum SoftKey {
    Ed25519(ring::signature::Ed25519KeyPair),
    Sm2(Box<sm2::dsa::SigningKey>),
}

impl fmt::Debug for SoftwareSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SoftwareSigner")
            .field("suite", &self.suite)
            .field("fingerprint", &fingerprint(&self.public_key()))
            .finish_non_exhaustive()
    }
}

impl SoftwareSigner {
    /// A signer from 32 secret bytes (Ed25519 seed, or SM2 private scalar).
    pub fn from_secret(suite: Suite, secret: [u8; 32]) -> Result<Self, CryptoError> {
        let key = match suite.sign() {
            SignAlg::Ed25519 => SoftKey::Ed25519(
                ring::signature::Ed25519KeyPair::from_seed_unchecked(&secret)
                    .map_err(|e| CryptoError::SignFailed(e.to_string()))?,
            ),
            SignAlg::Sm2 => SoftKey::Sm2(Box::new(
                sm2::dsa::SigningKey::from_slice(SM2_DISTID, &secret)
                    .map_err(|_| CryptoError::SignFailed("SM2 scalar out of range".into()))?,
            )),
        };
        Ok(Self { suite, secret, key })
    }

    /// A new random key.
    pub fn generate(suite: Suite) -> Self {
        loop {
            let mut secret = [0u8; 32];
            rand::rng().fill_bytes(&mut secret);
            // An SM2 scalar must be in [1, n-1]; a random 256-bit value almost always is.
            if let Ok(s) = Self::from_secret(suite, secret) {
                return s;
            }
        }
    }

    /// Writes the secret key to `path` (mode 0600, refusing to overwrite) and the public key to
    /// `path.pub`.
    pub fn write_files(&self, path: &Path) -> Result<(), CryptoError> {
        use std::io::Write as _;
        let err = |p: &Path, e: std::io::Error| CryptoError::KeyFile {
            path: p.display().to_string(),
            message: e.to_string(),
        };
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut f = opts.open(path).map_err(|e| err(path, e))?;
        writeln!(
            f,
            "{SECRET_FILE_TAG} {} {}",
            self.suite,
            hex::encode(self.secret)
        )
        .and_then(|()| f.sync_all())
        .map_err(|e| err(path, e))?;
        let public = public_key_path(path);
        std::fs::write(&public, self.public_key_line() + "\n").map_err(|e| err(&public, e))
    }

    /// Reads a secret-key file written by [`SoftwareSigner::write_files`].
    pub fn read_file(path: &Path) -> Result<Self, CryptoError> {
        let bad = |message: String| CryptoError::KeyFile {
            path: path.display().to_string(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
        let mut words = text.split_whitespace();
        if words.next() != Some(SECRET_FILE_TAG) {
            return Err(bad(format!(
                "不是账本签名密钥 / not a ledger signing key (expected “{SECRET_FILE_TAG}”)"
            )));
        }
        let suite = words
            .next()
            .and_then(Suite::parse)
            .ok_or_else(|| bad("未知算法套件 / unknown suite".into()))?;
        let secret: [u8; 32] = words
            .next()
            .and_then(|h| hex::decode(h).ok())
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| bad("密钥不是 64 位十六进制 / key is not 64 hex digits".into()))?;
        Self::from_secret(suite, secret).map_err(|e| bad(e.to_string()))
    }

    /// `huitang-ledger-public-key SUITE HEX`: the line of the public-key file.
    pub fn public_key_line(&self) -> String {
        format!(
            "{PUBLIC_FILE_TAG} {} {}",
            self.suite,
            hex::encode(self.public_key())
        )
    }
}

impl CheckpointSigner for SoftwareSigner {
    fn suite(&self) -> Suite {
        self.suite
    }

    fn public_key(&self) -> Vec<u8> {
        match &self.key {
            SoftKey::Ed25519(k) => ring::signature::KeyPair::public_key(k).as_ref().to_vec(),
            SoftKey::Sm2(k) => k.verifying_key().to_sec1_bytes().to_vec(),
        }
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, CryptoError> {
        match &self.key {
            SoftKey::Ed25519(k) => Ok(k.sign(message).as_ref().to_vec()),
            SoftKey::Sm2(k) => {
                let sig: sm2::dsa::Signature = k
                    .try_sign(message)
                    .map_err(|e| CryptoError::SignFailed(e.to_string()))?;
                Ok(sig.to_bytes().to_vec())
            }
        }
    }
}

/// The public-key file next to a secret-key file: `PATH.pub`.
pub fn public_key_path(secret: &Path) -> std::path::PathBuf {
    let mut s = secret.as_os_str().to_owned();
    s.push(".pub");
    s.into()
}

/// Reads a trusted public key: a public-key file (`huitang-ledger-public-key SUITE HEX`).
pub fn read_public_key(path: &Path) -> Result<(Suite, Vec<u8>), CryptoError> {
    let bad = |message: String| CryptoError::KeyFile {
        path: path.display().to_string(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
    parse_public_key(&text).ok_or_else(|| {
        bad(format!(
            "应为 “{PUBLIC_FILE_TAG} SUITE HEX” / expected “{PUBLIC_FILE_TAG} SUITE HEX”"
        ))
    })
}

/// Parses `huitang-ledger-public-key SUITE HEX`.
pub fn parse_public_key(text: &str) -> Option<(Suite, Vec<u8>)> {
    let mut words = text.split_whitespace();
    if words.next() != Some(PUBLIC_FILE_TAG) {
        return None;
    }
    let suite = Suite::parse(words.next()?)?;
    let key = hex::decode(words.next()?).ok()?;
    Some((suite, key))
}

/// Checks `signature` over `message` under `public_key` with the suite's signature algorithm.
pub fn verify_signature(
    suite: Suite,
    public_key: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<(), CryptoError> {
    match suite.sign() {
        SignAlg::Ed25519 => {
            if public_key.len() != 32 {
                return Err(CryptoError::BadPublicKey("Ed25519"));
            }
            ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, public_key)
                .verify(message, signature)
                .map_err(|_| CryptoError::BadSignature)
        }
        SignAlg::Sm2 => {
            let key = sm2::dsa::VerifyingKey::from_sec1_bytes(SM2_DISTID, public_key)
                .map_err(|_| CryptoError::BadPublicKey("SM2"))?;
            let sig = sm2::dsa::Signature::from_slice(signature)
                .map_err(|_| CryptoError::BadSignature)?;
            key.verify(message, &sig)
                .map_err(|_| CryptoError::BadSignature)
        }
    }
}

/// Short fingerprint of a public key for paper: the first 8 bytes of its SHA-256, as
/// `XXXX-XXXX-XXXX-XXXX` (the same for both suites, so a clerk compares one kind of string).
pub fn fingerprint(public_key: &[u8]) -> String {
    short_hex(&sha2::Sha256::digest(public_key))
}

/// `XXXX-XXXX-XXXX-XXXX` from the first 8 bytes of `bytes` (upper-case hex).
pub fn short_hex(bytes: &[u8]) -> String {
    let h = hex::encode_upper(&bytes[..bytes.len().min(8)]);
    h.as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).unwrap_or(""))
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sm3_of_abc_is_the_gbt_32905_example() {
        // GB/T 32905-2016 Appendix A, example 1.
        let mut h = Hasher::new(HashAlg::Sm3);
        h.update(b"abc");
        assert_eq!(
            hex::encode(h.finalize()),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
    }

    #[test]
    fn sha256_of_abc_is_the_fips_example() {
        let mut h = Hasher::new(HashAlg::Sha256);
        h.update(b"abc");
        assert_eq!(
            hex::encode(h.finalize()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn both_suites_sign_and_verify_and_refuse_a_changed_message() {
        for suite in [Suite::Sha256Ed25519, Suite::Sm3Sm2] {
            let s = SoftwareSigner::generate(suite);
            let sig = s.sign(b"head").unwrap();
            assert_eq!(sig.len(), 64, "{suite}");
            verify_signature(suite, &s.public_key(), b"head", &sig).unwrap();
            assert_eq!(
                verify_signature(suite, &s.public_key(), b"heaD", &sig),
                Err(CryptoError::BadSignature)
            );
            let other = SoftwareSigner::generate(suite);
            assert!(verify_signature(suite, &other.public_key(), b"head", &sig).is_err());
        }
    }

    #[test]
    fn key_files_round_trip_and_are_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.key");
        let s = SoftwareSigner::generate(Suite::Sm3Sm2);
        s.write_files(&path).unwrap();
        let back = SoftwareSigner::read_file(&path).unwrap();
        assert_eq!(back.public_key(), s.public_key());
        assert_eq!(
            read_public_key(&public_key_path(&path)).unwrap(),
            (Suite::Sm3Sm2, s.public_key())
        );
        assert!(s.write_files(&path).is_err());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "secret key readable by others: {mode:o}");
        }
    }

    #[test]
    fn fingerprint_is_four_groups_of_four() {
        assert_eq!(short_hex(&[0xab; 32]), "ABAB-ABAB-ABAB-ABAB");
        assert_eq!(fingerprint(b"x").len(), 19);
    }
}

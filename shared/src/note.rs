//! C2SP signed notes (<https://c2sp.org/signed-note>) and transparency-log checkpoints
//! (<https://c2sp.org/tlog-checkpoint>) with Ed25519 keys.
//!
//! Parsing and formatting come from the `signed_note` and `tlog_tiles` crates; this module plugs in
//! our keys so that verification is strict Ed25519 (the crate's own verifier is not) and small-order
//! keys are refused, as everywhere else in KND.
//!
//! A verifier key string is `name+hex(key hash)+base64(0x01 ‖ public key)`, where the key hash is
//! the first 4 bytes of SHA-256(name ‖ `\n` ‖ 0x01 ‖ public key). A checkpoint's text is
//! `origin\nsize\nbase64(root)\n`.

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::Signer as _;
use ed25519_dalek::ed25519::signature;
use signed_note::{Note, VerificationError, Verifier, Verifiers};
use tlog_tiles::Checkpoint as TlogCheckpoint;

use crate::keys::{DeviceKey, KeyError, PublicKey, Sha256};

/// The algorithm byte of Ed25519 keys in signed notes.
const ALG_ED25519: u8 = 0x01;

/// Why a note, a key string or a checkpoint was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error("malformed verifier key: {0}")]
    VerifierKey(String),
    #[error("verifier key: {0}")]
    Key(#[from] KeyError),
    #[error("invalid key name {0:?}: it must be non-empty, without spaces or '+'")]
    KeyName(String),
    #[error("malformed note")]
    Malformed,
    #[error("the note is not signed by {0}")]
    NotSigned(String),
    #[error("bad signature by {0}")]
    BadSignature(String),
    #[error("malformed checkpoint")]
    MalformedCheckpoint,
    #[error("checkpoint origin is {got:?}, expected {expected:?}")]
    WrongOrigin { expected: String, got: String },
}

/// The 4-byte key hash of a named Ed25519 key.
pub fn key_hash(name: &str, key: &PublicKey) -> u32 {
    signed_note::key_id(name, &encoded_key(key))
}

fn encoded_key(key: &PublicKey) -> Vec<u8> {
    let mut k = Vec::with_capacity(33);
    k.push(ALG_ED25519);
    k.extend_from_slice(&key.to_bytes());
    k
}

fn check_name(name: &str) -> Result<(), NoteError> {
    if signed_note::is_key_name_valid(name) {
        Ok(())
    } else {
        Err(NoteError::KeyName(name.to_owned()))
    }
}

/// A named Ed25519 key that signs notes (the server's log key).
#[derive(Debug, Clone)]
pub struct NoteSigner {
    name: String,
    id: u32,
    key: DeviceKey,
}

impl NoteSigner {
    /// Names a key; the name is usually the log origin.
    pub fn new(name: &str, key: DeviceKey) -> Result<Self, NoteError> {
        check_name(name)?;
        let id = key_hash(name, &key.public_key());
        Ok(Self {
            name: name.to_owned(),
            id,
            key,
        })
    }

    /// The key's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The verifier key string to publish.
    pub fn verifier_key(&self) -> String {
        format!(
            "{}+{:08x}+{}",
            self.name,
            self.id,
            STANDARD.encode(encoded_key(&self.key.public_key()))
        )
    }

    /// Signs `text`, which must end in a newline; returns the whole note.
    pub fn sign(&self, text: &str) -> Result<String, NoteError> {
        let mut note = Note::new(text.as_bytes(), &[]).map_err(|_| NoteError::Malformed)?;
        note.add_sigs(&[self]).map_err(|_| NoteError::Malformed)?;
        String::from_utf8(note.to_bytes()).map_err(|_| NoteError::Malformed)
    }

    /// Signs a checkpoint of the log `origin` at `size` leaves with `root`.
    pub fn sign_checkpoint(&self, checkpoint: &Checkpoint) -> Result<String, NoteError> {
        self.sign(&checkpoint.to_text()?)
    }
}

impl signed_note::Signer for NoteSigner {
    fn name(&self) -> &str {
        &self.name
    }
    fn key_id(&self) -> u32 {
        self.id
    }
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, signature::Error> {
        Ok(self.key.as_dalek().sign(msg).to_bytes().to_vec())
    }
}

/// A named Ed25519 public key that verifies notes, parsed from a verifier key string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteVerifier {
    name: String,
    id: u32,
    key: PublicKey,
}

impl NoteVerifier {
    /// Parses `name+hex8+base64(0x01 ‖ key)`; refuses other algorithms, a wrong key hash and
    /// small-order keys.
    pub fn parse(vkey: &str) -> Result<Self, NoteError> {
        let bad = |why: &str| NoteError::VerifierKey(why.to_owned());
        let (name, rest) = vkey
            .split_once('+')
            .ok_or_else(|| bad("expected name+hash+key"))?;
        let (id_hex, key_b64) = rest
            .split_once('+')
            .ok_or_else(|| bad("expected name+hash+key"))?;
        check_name(name)?;
        if id_hex.len() != 8 {
            return Err(bad("the key hash is 8 hex digits"));
        }
        let id = u32::from_str_radix(id_hex, 16).map_err(|_| bad("the key hash is not hex"))?;
        let raw = STANDARD
            .decode(key_b64)
            .map_err(|_| bad("the key is not base64"))?;
        let Some((&ALG_ED25519, key_bytes)) = raw.split_first() else {
            return Err(bad("not an Ed25519 key"));
        };
        let key_bytes: [u8; 32] = key_bytes
            .try_into()
            .map_err(|_| bad("an Ed25519 key is 32 bytes"))?;
        let key = PublicKey::from_bytes(&key_bytes)?;
        if key_hash(name, &key) != id {
            return Err(bad("the key hash does not match the key"));
        }
        Ok(Self {
            name: name.to_owned(),
            id,
            key,
        })
    }

    /// The key's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.key
    }

    /// Checks `note` and returns its text, if this key signed it (other signatures are ignored).
    pub fn open(&self, note: &[u8]) -> Result<String, NoteError> {
        open_with(note, &One(self), &self.name).map(|(text, _)| text)
    }

    /// Opens a checkpoint note and checks its origin.
    pub fn open_checkpoint(&self, note: &[u8], origin: &str) -> Result<Checkpoint, NoteError> {
        let text = self.open(note)?;
        let cp = Checkpoint::parse(&text)?;
        if cp.origin != origin {
            return Err(NoteError::WrongOrigin {
                expected: origin.to_owned(),
                got: cp.origin,
            });
        }
        Ok(cp)
    }
}

impl Verifier for NoteVerifier {
    fn name(&self) -> &str {
        &self.name
    }
    fn key_id(&self) -> u32 {
        self.id
    }
    fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        <&[u8; 64]>::try_from(sig).is_ok_and(|sig| self.key.verify_strict(msg, sig))
    }
}

/// The single verifier a note is opened with.
struct One<'a>(&'a NoteVerifier);

impl Verifiers for One<'_> {
    fn verifier(&self, name: &str, id: u32) -> Result<&dyn Verifier, VerificationError> {
        if name == self.0.name && id == self.0.id {
            Ok(self.0)
        } else {
            Err(VerificationError::UnknownKey {
                name: name.to_owned(),
                id,
            })
        }
    }
}

/// Several verifiers, for a note signed by (some of) several keys: e.g. an agency's log key and
/// witnesses.
#[derive(Debug, Default)]
pub struct NoteVerifiers(HashMap<(String, u32), NoteVerifier>);

impl NoteVerifiers {
    /// Adds a verifier.
    pub fn add(&mut self, v: NoteVerifier) {
        self.0.insert((v.name.clone(), v.id), v);
    }

    /// Checks `note`; returns its text and the names of the keys that signed it. Fails if none of
    /// the known keys signed it or any known key's signature is bad.
    pub fn open(&self, note: &[u8]) -> Result<(String, Vec<String>), NoteError> {
        open_with(note, self, "any known key")
    }
}

/// Parses a note and checks it with `known`; returns its text and the names of the keys that
/// signed it. `expected` names the signer(s) for the error when none of them did.
fn open_with(
    note: &[u8],
    known: &impl Verifiers,
    expected: &str,
) -> Result<(String, Vec<String>), NoteError> {
    let parsed = Note::from_bytes(note).map_err(|_| NoteError::Malformed)?;
    match parsed.verify(known) {
        Ok((verified, _)) => {
            let text =
                String::from_utf8(parsed.text().to_vec()).map_err(|_| NoteError::Malformed)?;
            Ok((text, verified.iter().map(|s| s.name().to_owned()).collect()))
        }
        Err(signed_note::NoteError::InvalidSignature { name, .. }) => {
            Err(NoteError::BadSignature(name))
        }
        Err(signed_note::NoteError::UnverifiedNote) => {
            Err(NoteError::NotSigned(expected.to_owned()))
        }
        Err(_) => Err(NoteError::Malformed),
    }
}

impl Verifiers for NoteVerifiers {
    fn verifier(&self, name: &str, id: u32) -> Result<&dyn Verifier, VerificationError> {
        self.0
            .get(&(name.to_owned(), id))
            .map(|v| v as &dyn Verifier)
            .ok_or_else(|| VerificationError::UnknownKey {
                name: name.to_owned(),
                id,
            })
    }
}

/// A log checkpoint: the log's origin, its size and its root hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root: Sha256,
}

impl Checkpoint {
    /// `origin\nsize\nbase64(root)\n`.
    pub fn to_text(&self) -> Result<String, NoteError> {
        // An origin is one line of printable text; anything else would sign a different checkpoint.
        if self.origin.chars().any(char::is_control) {
            return Err(NoteError::MalformedCheckpoint);
        }
        let cp = TlogCheckpoint::new(
            &self.origin,
            self.size,
            tlog_tiles::Hash(*self.root.as_bytes()),
            "",
        )
        .map_err(|_| NoteError::MalformedCheckpoint)?;
        String::from_utf8(cp.to_bytes()).map_err(|_| NoteError::MalformedCheckpoint)
    }

    /// Parses a checkpoint text (without signatures). Extension lines are not used by KND and are
    /// refused.
    pub fn parse(text: &str) -> Result<Self, NoteError> {
        let cp = TlogCheckpoint::from_bytes(text.as_bytes())
            .map_err(|_| NoteError::MalformedCheckpoint)?;
        if !cp.extension().is_empty() {
            return Err(NoteError::MalformedCheckpoint);
        }
        Ok(Self {
            origin: cp.origin().to_owned(),
            size: cp.size(),
            root: Sha256::from_bytes(cp.hash().0),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cp_for_origin_test() -> Checkpoint {
        Checkpoint {
            origin: "knd.test/log".into(),
            size: 1,
            root: Sha256::digest(b"r"),
        }
    }

    #[test]
    fn sign_and_open_round_trip() {
        let signer = NoteSigner::new("knd.test/log", DeviceKey::generate()).unwrap();
        let verifier = NoteVerifier::parse(&signer.verifier_key()).unwrap();
        let cp = Checkpoint {
            origin: "knd.test/log".into(),
            size: 3,
            root: Sha256::digest(b"root"),
        };
        let note = signer.sign_checkpoint(&cp).unwrap();
        assert_eq!(
            verifier.open_checkpoint(note.as_bytes(), "knd.test/log"),
            Ok(cp)
        );
        assert!(matches!(
            verifier.open_checkpoint(note.as_bytes(), "other/log"),
            Err(NoteError::WrongOrigin { .. })
        ));
        let other = NoteSigner::new("knd.test/log", DeviceKey::generate()).unwrap();
        let stranger = NoteVerifier::parse(&other.verifier_key()).unwrap();
        assert!(matches!(
            stranger.open(note.as_bytes()),
            Err(NoteError::NotSigned(_))
        ));
        let tampered = note.replacen("\n3\n", "\n4\n", 1);
        assert!(matches!(
            verifier.open(tampered.as_bytes()),
            Err(NoteError::BadSignature(_))
        ));
        assert!(NoteSigner::new("bad name", DeviceKey::generate()).is_err());
        let two_lines = Checkpoint {
            origin: "knd.test/log\n4".into(),
            ..cp_for_origin_test()
        };
        assert_eq!(two_lines.to_text(), Err(NoteError::MalformedCheckpoint));
        assert!(NoteSigner::new("", DeviceKey::generate()).is_err());
    }

    #[test]
    fn several_verifiers() {
        let log = NoteSigner::new("knd.test/log", DeviceKey::generate()).unwrap();
        let witness = NoteSigner::new("witness.example", DeviceKey::generate()).unwrap();
        let once = log.sign("hello\n").unwrap();
        // A second signature is appended the way C2SP cosigning does: same text, one more line.
        let extra = witness.sign("hello\n").unwrap();
        let twice = format!("{once}{}", extra.rsplit_once("\n\n").unwrap().1);
        let mut both = NoteVerifiers::default();
        both.add(NoteVerifier::parse(&log.verifier_key()).unwrap());
        both.add(NoteVerifier::parse(&witness.verifier_key()).unwrap());
        let (text, mut names) = both.open(twice.as_bytes()).unwrap();
        names.sort();
        assert_eq!(text, "hello\n");
        assert_eq!(names, ["knd.test/log", "witness.example"]);
        let (_, names) = both.open(once.as_bytes()).unwrap();
        assert_eq!(names, ["knd.test/log"]);
        let mut none = NoteVerifiers::default();
        none.add(
            NoteVerifier::parse(
                &NoteSigner::new("x", DeviceKey::generate())
                    .unwrap()
                    .verifier_key(),
            )
            .unwrap(),
        );
        assert!(matches!(
            none.open(twice.as_bytes()),
            Err(NoteError::NotSigned(_))
        ));
        let forged = twice.replacen("hello", "hellO", 1);
        assert!(matches!(
            both.open(forged.as_bytes()),
            Err(NoteError::BadSignature(_))
        ));
    }
}

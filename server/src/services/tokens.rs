//! Random secrets (session tokens, device tokens, API keys, enrollment codes). Only their SHA-256
//! is stored; a prefix tells people and logs what kind of secret a string is.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use knd_shared::Sha256;
use rand_core::{OsRng, RngCore as _};

/// Kinds of bearer secrets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Session,
    Device,
    ApiKey,
}

impl TokenKind {
    pub fn prefix(self) -> &'static str {
        match self {
            TokenKind::Session => "kss_",
            TokenKind::Device => "kdt_",
            TokenKind::ApiKey => "kak_",
        }
    }

    pub fn of(token: &str) -> Option<TokenKind> {
        [TokenKind::Session, TokenKind::Device, TokenKind::ApiKey]
            .into_iter()
            .find(|k| token.starts_with(k.prefix()))
    }
}

/// A new random token of `kind` (256 bits) and its hash.
pub fn generate(kind: TokenKind) -> (String, Sha256) {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let token = format!("{}{}", kind.prefix(), URL_SAFE_NO_PAD.encode(bytes));
    let hash = hash(&token);
    (token, hash)
}

/// The stored form of a token.
pub fn hash(token: &str) -> Sha256 {
    Sha256::digest(token.as_bytes())
}

/// Letters and digits that cannot be mistaken for one another when typed from paper.
const CODE_ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// A one-time enrollment code, e.g. `K7QM-2XRT-HP9D` (60 bits), and its hash.
pub fn enrollment_code() -> (String, Sha256) {
    let mut bytes = [0u8; 12];
    OsRng.fill_bytes(&mut bytes);
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| char::from(CODE_ALPHABET[usize::from(b % 32)]))
        .collect();
    let code = chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-");
    let hash = code_hash(&code);
    (code, hash)
}

/// Codes are compared without case, spaces or dashes: people retype them.
pub fn code_hash(code: &str) -> Sha256 {
    Sha256::digest(format!("knd.enrollment.v1\n{}", normal_code(code)).as_bytes())
}

fn normal_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The first group of a code as typed (at most 4 characters, normalised): the key failed
/// enrollments are counted under besides the address, so guesses against one code are bounded
/// while nobody else's enrollment is touched.
pub fn code_prefix(code: &str) -> String {
    normal_code(code).chars().take(4).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_codes() {
        let (t, h) = generate(TokenKind::Device);
        assert!(t.starts_with("kdt_") && t.len() == 4 + 43);
        assert_eq!(hash(&t), h);
        assert_eq!(TokenKind::of(&t), Some(TokenKind::Device));
        let (code, h) = enrollment_code();
        assert_eq!(code.len(), 14);
        assert_eq!(code_hash(&code.to_lowercase().replace('-', " ")), h);
        assert_ne!(enrollment_code().0, code);
    }
}

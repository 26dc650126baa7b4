use crate::keys::Sha256;

/// Why a record was refused. [`RecordError::reason`] gives the machine-readable code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("record too large: {size} bytes, the limit is {limit}")]
    TooLarge { size: usize, limit: usize },
    #[error("malformed record: {0}")]
    Malformed(String),
    #[error("non-integer number: {0}")]
    NonIntegerNumber(String),
    #[error("number out of range (magnitude above 2^53-1): {0}")]
    NumberOutOfRange(String),
    #[error("bad signature")]
    BadSignature,
    #[error("record of device {got}, expected device {expected}")]
    WrongDevice { expected: String, got: String },
    #[error("seq gap: expected seq {expected}, got {got}")]
    SeqGap { expected: u64, got: u64 },
    #[error("chain break: prev is {got}, expected {expected}")]
    ChainBreak { expected: Sha256, got: Sha256 },
}

impl RecordError {
    /// Stable snake_case code for APIs and scripts (DESIGN.md section 5 uses the same words).
    pub fn reason(&self) -> &'static str {
        match self {
            RecordError::TooLarge { .. } => "too_large",
            RecordError::Malformed(_) => "malformed",
            RecordError::NonIntegerNumber(_) => "non_integer_number",
            RecordError::NumberOutOfRange(_) => "number_out_of_range",
            RecordError::BadSignature => "bad_signature",
            RecordError::WrongDevice { .. } => "wrong_device",
            RecordError::SeqGap { .. } => "seq_gap",
            RecordError::ChainBreak { .. } => "chain_break",
        }
    }
}

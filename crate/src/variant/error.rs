//! The one error type of the Variant codec.

use std::fmt;

/// A codec failure: a stable snake_case `code`, a human `message`, and the byte `offset` (into the
/// input for decode, into the output for encode) where it happened.
///
/// Codes: `truncated`, `unknown_type`, `invalid_utf8`, `invalid_length`, `invalid_data`,
/// `objects_not_allowed`, `too_deep`, `too_large`, `trailing_bytes`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct VariantError {
    pub code: &'static str,
    pub message: String,
    pub offset: usize,
}

impl VariantError {
    pub(crate) fn new(code: &'static str, offset: usize, message: impl Into<String>) -> Self {
        VariantError {
            code,
            message: message.into(),
            offset,
        }
    }
}

impl fmt::Display for VariantError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}: {}", self.code, self.offset, self.message)
    }
}

impl std::error::Error for VariantError {}

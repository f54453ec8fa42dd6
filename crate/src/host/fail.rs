//! `Fail`: an ABI error code plus its message, as every host function reports it.

use crate::abi::AbiError;
use std::fmt;

/// Why a host function refused: the code the guest sees and the message `last_error` gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fail {
    pub code: AbiError,
    pub message: String,
}

/// Longest error message kept, in bytes. Every message is copied into the error log (256
/// records) and, as `last_error`, out to the guest on request; names in messages are already
/// capped (`abi::MAX_NAME_LEN`), this bounds whatever else one embeds (a bridge's exception text).
pub const MAX_MESSAGE_LEN: usize = 1024;

impl Fail {
    pub fn new(code: AbiError, message: impl Into<String>) -> Self {
        Fail {
            code,
            message: bounded(message.into(), MAX_MESSAGE_LEN),
        }
    }
}

/// `s` cut to at most `max` bytes on a character boundary, ending in `…` when cut.
pub(super) fn bounded(mut s: String, max: usize) -> String {
    const ELLIPSIS: &str = "…";
    if s.len() > max {
        let mut cut = max.saturating_sub(ELLIPSIS.len());
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push_str(ELLIPSIS);
    }
    s
}

impl fmt::Display for Fail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.name(), self.message)
    }
}

impl std::error::Error for Fail {}

impl From<crate::handles::HandleError> for Fail {
    fn from(e: crate::handles::HandleError) -> Self {
        let code = match e.code {
            "stale_handle" => AbiError::StaleHandle,
            "handle_limit" => AbiError::HandleLimit,
            "wrong_type" => AbiError::WrongType,
            _ => AbiError::BadHandle,
        };
        Fail::new(code, e.message)
    }
}

/// Shorthand for the common case.
pub fn fail<T>(code: AbiError, message: impl Into<String>) -> Result<T, Fail> {
    Err(Fail::new(code, message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_bounded_on_a_character_boundary() {
        let short = Fail::new(AbiError::BadValue, "short");
        assert_eq!(short.message, "short");
        let long = Fail::new(AbiError::BadValue, "é".repeat(MAX_MESSAGE_LEN));
        assert!(long.message.len() <= MAX_MESSAGE_LEN);
        assert!(long.message.ends_with('…'));
        let exact = "x".repeat(MAX_MESSAGE_LEN);
        assert_eq!(Fail::new(AbiError::BadValue, exact.clone()).message, exact);
    }
}

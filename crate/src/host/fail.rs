//! `Fail`: an ABI error code plus its message, as every host function reports it.

use crate::abi::AbiError;
use std::fmt;

/// Why a host function refused: the code the guest sees and the message `last_error` gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fail {
    pub code: AbiError,
    pub message: String,
}

impl Fail {
    pub fn new(code: AbiError, message: impl Into<String>) -> Self {
        Fail {
            code,
            message: message.into(),
        }
    }
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

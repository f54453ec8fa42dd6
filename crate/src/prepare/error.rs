//! The one error type of `prepare`, and the mapping from wasmparser/reencode errors into it.

use std::fmt;

/// Why a module could not be prepared. `code` is stable snake_case, `offset` is a byte offset
/// into the input module when the problem has a location.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrepareError {
    pub code: &'static str,
    pub message: String,
    pub offset: Option<u64>,
}

impl PrepareError {
    pub(crate) fn new(code: &'static str, message: impl Into<String>, offset: Option<u64>) -> Self {
        Self {
            code,
            message: message.into(),
            offset,
        }
    }
}

impl fmt::Display for PrepareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.offset {
            Some(offset) => write!(f, "{} at offset {offset:#x}: {}", self.code, self.message),
            None => write!(f, "{}: {}", self.code, self.message),
        }
    }
}

impl std::error::Error for PrepareError {}

impl From<wasmparser::BinaryReaderError> for PrepareError {
    fn from(err: wasmparser::BinaryReaderError) -> Self {
        Self::new(
            "malformed_module",
            err.message().to_string(),
            Some(err.offset()),
        )
    }
}

impl From<wasm_encoder::reencode::Error<PrepareError>> for PrepareError {
    fn from(err: wasm_encoder::reencode::Error<PrepareError>) -> Self {
        use wasm_encoder::reencode::Error;
        match err {
            Error::UserError(err) => err,
            Error::ParseError(err) => err.into(),
            Error::UnexpectedNonCoreModuleSection => Self::new(
                "not_a_core_module",
                "components are not supported, only core modules",
                None,
            ),
            other => Self::new("unsupported_module", other.to_string(), None),
        }
    }
}

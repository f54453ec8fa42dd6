//! Typed errors: the negative status codes of docs/ABI.md.

use core::fmt;

/// Why a host function refused. The discriminants are the ABI's codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum Error {
    BadHandle = -1,
    StaleHandle = -2,
    WrongType = -3,
    BadPointer = -4,
    HandleLimit = -5,
    OutOfRange = -6,
    NotFound = -7,
    NotAllowed = -8,
    BadUtf8 = -9,
    BadValue = -10,
    ObjectGone = -11,
    /// A code this SDK does not know (a newer host).
    Unknown = i32::MIN,
}

impl Error {
    /// The error a negative status stands for.
    pub fn from_code(code: i32) -> Error {
        match code {
            -1 => Error::BadHandle,
            -2 => Error::StaleHandle,
            -3 => Error::WrongType,
            -4 => Error::BadPointer,
            -5 => Error::HandleLimit,
            -6 => Error::OutOfRange,
            -7 => Error::NotFound,
            -8 => Error::NotAllowed,
            -9 => Error::BadUtf8,
            -10 => Error::BadValue,
            -11 => Error::ObjectGone,
            _ => Error::Unknown,
        }
    }

    /// The stable snake_case name, as the host logs it.
    pub fn name(self) -> &'static str {
        match self {
            Error::BadHandle => "bad_handle",
            Error::StaleHandle => "stale_handle",
            Error::WrongType => "wrong_type",
            Error::BadPointer => "bad_pointer",
            Error::HandleLimit => "handle_limit",
            Error::OutOfRange => "out_of_range",
            Error::NotFound => "not_found",
            Error::NotAllowed => "not_allowed",
            Error::BadUtf8 => "bad_utf8",
            Error::BadValue => "bad_value",
            Error::ObjectGone => "object_gone",
            Error::Unknown => "unknown",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What every fallible SDK call returns.
pub type Result<T> = core::result::Result<T, Error>;

/// A status or handle from the host: negative is an error, anything else passes through.
#[inline]
pub fn check(code: i32) -> Result<i32> {
    if code < 0 {
        Err(Error::from_code(code))
    } else {
        Ok(code)
    }
}

/// Copies the host's message for the last error into `buf`; returns the (possibly truncated) text.
pub fn last_error_message(buf: &mut [u8]) -> &str {
    // SAFETY: the host writes at most `buf.len()` bytes into `buf`.
    let full = unsafe { crate::sys::last_error(buf.as_mut_ptr(), buf.len()) };
    let len = (full.max(0) as usize).min(buf.len());
    match core::str::from_utf8(&buf[..len]) {
        Ok(s) => s,
        // Truncation may have cut a character in half: keep the valid prefix.
        Err(e) => core::str::from_utf8(&buf[..e.valid_up_to()]).unwrap_or(""),
    }
}

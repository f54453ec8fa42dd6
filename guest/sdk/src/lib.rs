//! `ugc-guest`: write ugc-wasm scripts in Rust (`no_std`, no allocator, no wasm-bindgen).
//!
//! The raw `ugc` imports live in [`sys`]; everything else is a safe wrapper:
//! [`Variant`] (an owned handle, released on drop), [`Array`], [`Dictionary`], [`Object`],
//! plain value types ([`Vector3`], [`Color`], [`Transform3D`], …), [`log!`] and typed
//! [`Error`]s. Declare the ABI version and the manifest with [`script!`], and export lifecycle
//! functions with `#[no_mangle] pub extern "C" fn _process(delta: f64)`.
//!
//! ```ignore
//! ugc_guest::script!(r#"{ "properties": [ { "name": "speed", "type": "float", "default": 1.0 } ] }"#);
//!
//! #[no_mangle]
//! pub extern "C" fn _process(delta: f64) {
//!     let node = ugc_guest::Object::this().unwrap();
//!     // …
//! }
//! ```
#![no_std]

mod containers;
mod error;
mod object;
mod per_node;
pub mod sys;
mod types;
mod variant;

pub use containers::{Array, Dictionary};
pub use error::{check, last_error_message, Error, Result};
pub use object::{emit_signal, Object};
pub use per_node::{node_slot, Initial, PerNode, DEFAULT_CAPACITY};
pub use types::{
    type_id, Basis, Bindable, Color, Element, Pod, Quaternion, Raw, Transform3D, Vector2, Vector2i,
    Vector3, Vector3i, Vector4,
};
pub use variant::{Borrowed, FromValue, ToVariant, Variant};

/// The ABI version this SDK speaks (the `ugc_abi` custom section's payload).
pub const ABI_VERSION: u32 = 1;

/// Sends a message to the host log.
pub fn log_str(message: &str) {
    // SAFETY: `message` is a live slice of guest memory.
    unsafe { sys::log(message.as_ptr(), message.len()) }
}

/// A fixed-size `fmt::Write` target for [`log!`]: formats without an allocator, truncating at
/// 256 bytes (on a character boundary).
#[doc(hidden)]
pub struct LogBuffer {
    buf: [u8; 256],
    len: usize,
}

impl LogBuffer {
    pub const fn new() -> Self {
        LogBuffer {
            buf: [0; 256],
            len: 0,
        }
    }

    pub fn as_str(&self) -> &str {
        // Only whole `&str`s (or their char-boundary prefixes) are ever copied in.
        core::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
    }
}

impl Default for LogBuffer {
    fn default() -> Self {
        Self::new()
    }
}

impl core::fmt::Write for LogBuffer {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let room = self.buf.len() - self.len;
        let mut take = s.len().min(room);
        while !s.is_char_boundary(take) {
            take -= 1;
        }
        self.buf[self.len..self.len + take].copy_from_slice(&s.as_bytes()[..take]);
        self.len += take;
        Ok(())
    }
}

/// `log!("x = {}", x)`: formats (up to 256 bytes) and sends the message to the host log.
#[macro_export]
macro_rules! log {
    ($($arg:tt)*) => {{
        let mut buffer = $crate::LogBuffer::new();
        let _ = core::fmt::Write::write_fmt(&mut buffer, format_args!($($arg)*));
        $crate::log_str(buffer.as_str());
    }};
}

/// Copies a `&str` into a fixed-size array in a constant (for the manifest custom section).
#[doc(hidden)]
pub const fn str_to_array<const N: usize>(s: &str) -> [u8; N] {
    let bytes = s.as_bytes();
    let mut out = [0u8; N];
    let mut i = 0;
    while i < N {
        out[i] = bytes[i];
        i += 1;
    }
    out
}

/// Declares the script: the `ugc_abi` custom section (ABI version, little-endian `u32`) and, when
/// given, the `ugc_script` manifest (JSON, docs/ABI.md). Use once per script crate.
///
/// ```ignore
/// ugc_guest::script!();                    // no manifest
/// ugc_guest::script!(r#"{ "signals": [ { "name": "hit" } ] }"#);
/// ```
#[macro_export]
macro_rules! script {
    () => {
        #[used]
        #[link_section = "ugc_abi"]
        static __UGC_ABI_VERSION: [u8; 4] = $crate::ABI_VERSION.to_le_bytes();
    };
    ($manifest:expr) => {
        $crate::script!();
        const __UGC_MANIFEST_STR: &str = $manifest;
        #[used]
        #[link_section = "ugc_script"]
        static __UGC_MANIFEST: [u8; __UGC_MANIFEST_STR.len()] =
            $crate::str_to_array(__UGC_MANIFEST_STR);
    };
}

/// Traps: a no_std guest has nowhere to unwind to. The host reports the trap with the export's
/// name; use [`log!`] before panicking to say why.
#[cfg(all(feature = "panic-handler", target_arch = "wasm32", not(test)))]
#[panic_handler]
fn panic(_info: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

pub mod math;

/// A mutable global for script state (`static TIME: Global<f64> = Global::new(0.0);`).
///
/// Under `"instancing": "shared"` a global is shared by every node of the instance: keep per-node
/// state in a [`PerNode`] instead.
///
/// Sound because a guest instance is single-threaded: the `ugc` ABI has no threads, and the
/// validator refuses shared memory.
pub struct Global<T: Copy>(core::cell::Cell<T>);

// SAFETY: see the type's documentation: there is only ever one thread in a guest.
unsafe impl<T: Copy> Sync for Global<T> {}

impl<T: Copy> Global<T> {
    pub const fn new(value: T) -> Self {
        Global(core::cell::Cell::new(value))
    }

    pub fn get(&self) -> T {
        self.0.get()
    }

    pub fn set(&self, value: T) {
        self.0.set(value)
    }
}

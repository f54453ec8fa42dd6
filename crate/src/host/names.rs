//! The names a guest hands the host (property, method and signal names): how long they may be,
//! and what a name segment after a capability prefix (`blend_shapes/<segment>`) may contain.
//!
//! Every check here looks at the bytes only, so it runs before the host decodes, looks up, hashes
//! or copies the name: a hostile guest cannot make the host work in proportion to its memory.

use super::fail::{fail, Fail};
use crate::abi::{AbiError, MAX_NAME_LEN};

/// Longest segment a property prefix rule accepts after its prefix, in bytes (Blender caps shape
/// key names at 63 bytes; glTF morph target names rarely reach 64).
pub const MAX_SEGMENT_LEN: usize = 128;

/// Characters a segment may not contain besides control characters: `/` would make the segment a
/// path of several (`blend_shapes/a/b`), `:` separates a property from its sub-property in a
/// `NodePath` (`set_indexed`, animation tracks), so Godot could not address such a name by path.
pub const SEGMENT_FORBIDDEN: &[char] = &['/', ':'];

/// Refuses a name longer than [`MAX_NAME_LEN`] (`bad_value`). The message holds the length, not
/// the name, so what the error log keeps stays small.
pub fn check_len(name: &[u8]) -> Result<(), Fail> {
    if name.len() > MAX_NAME_LEN {
        return too_long(name.len());
    }
    Ok(())
}

/// The `bad_value` of a name of `len` bytes, past [`MAX_NAME_LEN`]: for glue that refuses a name
/// before copying it out of guest memory ([`super::ScriptHost::name_too_long`]).
pub fn too_long<T>(len: usize) -> Result<T, Fail> {
    fail(
        AbiError::BadValue,
        format!("a name is at most {MAX_NAME_LEN} bytes, got {len}"),
    )
}

/// Whether `segment` may follow a property prefix: 1 to [`MAX_SEGMENT_LEN`] bytes, no control
/// character (NUL would end the name early on the C++ side; newlines forge log lines) and none of
/// [`SEGMENT_FORBIDDEN`].
pub fn is_segment(segment: &str) -> bool {
    (1..=MAX_SEGMENT_LEN).contains(&segment.len())
        && !segment
            .chars()
            .any(|c| c.is_control() || SEGMENT_FORBIDDEN.contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_is_exact() {
        check_len(&[b'a'; MAX_NAME_LEN]).unwrap();
        let e = check_len(&[b'a'; MAX_NAME_LEN + 1]).unwrap_err();
        assert_eq!(e.code, AbiError::BadValue);
        assert!(e.message.contains(&(MAX_NAME_LEN + 1).to_string()));
        // Not UTF-8 and far too long: refused for its length, without decoding it.
        assert_eq!(
            check_len(&[0xff; 1 << 16]).unwrap_err().code,
            AbiError::BadValue
        );
    }

    #[test]
    fn segments_are_single_printable_path_segments() {
        for ok in [
            "smile",
            "mouthSmile_L",
            "Key 1.001",
            "ø",
            "a".repeat(MAX_SEGMENT_LEN).as_str(),
        ] {
            assert!(is_segment(ok), "{ok:?}");
        }
        let long = "a".repeat(MAX_SEGMENT_LEN + 1);
        for bad in [
            "",
            "a/b",
            "/",
            "a:b",
            "a\0b",
            "a\nb",
            "\u{7f}",
            "\u{85}",
            long.as_str(),
        ] {
            assert!(!is_segment(bad), "{bad:?}");
        }
        // A multi-byte character counts in bytes.
        assert!(!is_segment(&"é".repeat(MAX_SEGMENT_LEN / 2 + 1)));
    }
}

//! The start function becomes the export `__ugc_start` instead of running during instantiation.
//!
//! A start function runs inside `WebAssembly.instantiate`, before the host can set the fuel
//! counter, and if it traps there is no instance whose counter could say whether it ran out of
//! fuel. Exported, the host calls it like any other export: with a fresh budget, and a trap in it
//! is classified like a trap in any call.

use super::PrepareError;
use wasmparser::{Parser, Payload};

/// The start function's index, if the module has a start section.
pub(crate) fn start_function(bytes: &[u8]) -> Result<Option<u32>, PrepareError> {
    for payload in Parser::new(0).parse_all(bytes) {
        match payload? {
            Payload::StartSection { func, .. } => return Ok(Some(func)),
            // The start section precedes these: no need to walk the bodies.
            Payload::ElementSection(_)
            | Payload::DataCountSection { .. }
            | Payload::CodeSectionStart { .. }
            | Payload::DataSection(_)
            | Payload::End(_) => return Ok(None),
            _ => {}
        }
    }
    Ok(None)
}

/// `module` (well-formed: the encoder just wrote it) without its start section.
pub(crate) fn without_start_section(module: Vec<u8>) -> Vec<u8> {
    const HEADER: usize = 8;
    const START_SECTION_ID: u8 = 8;
    let mut out = Vec::with_capacity(module.len());
    out.extend_from_slice(&module[..HEADER]);
    let mut at = HEADER;
    while at < module.len() {
        let id = module[at];
        let (size, leb_len) = read_u32_leb(&module[at + 1..]);
        let end = at + 1 + leb_len + size as usize;
        if id != START_SECTION_ID {
            out.extend_from_slice(&module[at..end]);
        }
        at = end;
    }
    out
}

fn read_u32_leb(bytes: &[u8]) -> (u32, usize) {
    let mut value = 0u32;
    for (i, byte) in bytes.iter().take(5).enumerate() {
        value |= u32::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return (value, i + 1);
        }
    }
    unreachable!("the encoder writes well-formed section sizes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_start_function_and_drops_only_its_section() {
        let bytes = wat::parse_str(
            r#"(module (func $a) (func $b (export "b")) (start $b) (memory 1)
                (data (i32.const 0) "x"))"#,
        )
        .unwrap();
        assert_eq!(start_function(&bytes).unwrap(), Some(1));
        let stripped = without_start_section(bytes.clone());
        assert_eq!(start_function(&stripped).unwrap(), None);
        wasmparser::Validator::new()
            .validate_all(&stripped)
            .unwrap();
        assert_eq!(
            bytes.len() - stripped.len(),
            3,
            "id, size, index: nothing else removed"
        );
        let none = wat::parse_str("(module (func))").unwrap();
        assert_eq!(start_function(&none).unwrap(), None);
    }
}

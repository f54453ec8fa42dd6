//! Memory and table caps: the declared maximum becomes `min(declared, cap)` (the cap when none is
//! declared), so `memory.grow`/`table.grow` past the cap return -1 inside the guest.

use super::PrepareError;
use wasm_encoder::{MemoryType, TableType};

/// The largest maximum a memory may declare, in pages of its own size.
fn index_space_pages(memory64: bool, page_size_log2: u32) -> u64 {
    if memory64 {
        // 2^64 bytes; validators accept at most this many pages.
        1u64 << (64 - page_size_log2).min(63)
    } else {
        1u64 << (32 - page_size_log2)
    }
}

/// Lowers `ty`'s maximum to `max_pages` 64 KiB pages (converted to the memory's page size).
pub(crate) fn cap_memory(mut ty: MemoryType, max_pages: u32) -> Result<MemoryType, PrepareError> {
    let log2 = ty.page_size_log2.unwrap_or(16);
    if log2 > 16 {
        return Err(PrepareError::new(
            "malformed_module",
            format!("memory page size 2^{log2} is larger than 64 KiB"),
            None,
        ));
    }
    let cap_bytes = u64::from(max_pages) << 16;
    let cap = (cap_bytes >> log2).min(index_space_pages(ty.memory64, log2));
    if ty.minimum > cap {
        return Err(PrepareError::new(
            "memory_exceeds_cap",
            format!(
                "memory needs {} pages of 2^{log2} bytes initially, more than the cap of {cap}",
                ty.minimum
            ),
            None,
        ));
    }
    ty.maximum = Some(ty.maximum.map_or(cap, |declared| declared.min(cap)));
    Ok(ty)
}

/// Lowers `ty`'s maximum to `max_elements`.
pub(crate) fn cap_table(mut ty: TableType, max_elements: u32) -> Result<TableType, PrepareError> {
    let cap = u64::from(max_elements);
    if ty.minimum > cap {
        return Err(PrepareError::new(
            "table_exceeds_cap",
            format!(
                "table needs {} elements initially, more than the cap of {cap}",
                ty.minimum
            ),
            None,
        ));
    }
    ty.maximum = Some(ty.maximum.map_or(cap, |declared| declared.min(cap)));
    Ok(ty)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_encoder::RefType;

    fn memory(minimum: u64, maximum: Option<u64>) -> MemoryType {
        MemoryType {
            minimum,
            maximum,
            memory64: false,
            shared: false,
            page_size_log2: None,
        }
    }

    #[test]
    fn memory_maximum_is_the_smaller_of_declared_and_cap() {
        assert_eq!(cap_memory(memory(1, None), 16).unwrap().maximum, Some(16));
        assert_eq!(cap_memory(memory(1, Some(4)), 16).unwrap().maximum, Some(4));
        assert_eq!(
            cap_memory(memory(1, Some(400)), 16).unwrap().maximum,
            Some(16)
        );
    }

    #[test]
    fn memory32_cap_never_exceeds_the_index_space() {
        let capped = cap_memory(memory(0, None), u32::MAX).unwrap();
        assert_eq!(capped.maximum, Some(65536));
    }

    #[test]
    fn custom_page_sizes_are_capped_in_bytes() {
        let mut ty = memory(0, None);
        ty.page_size_log2 = Some(0);
        assert_eq!(cap_memory(ty, 2).unwrap().maximum, Some(2 << 16));
    }

    #[test]
    fn initial_size_above_cap_is_an_error() {
        let err = cap_memory(memory(17, None), 16).unwrap_err();
        assert_eq!(err.code, "memory_exceeds_cap");
        let table = TableType {
            element_type: RefType::FUNCREF,
            table64: false,
            minimum: 11,
            maximum: None,
            shared: false,
        };
        assert_eq!(cap_table(table, 10).unwrap_err().code, "table_exceeds_cap");
        assert_eq!(cap_table(table, 100).unwrap().maximum, Some(100));
    }
}

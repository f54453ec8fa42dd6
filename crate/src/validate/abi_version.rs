//! Custom sections: their total size, and the `ugc_abi` section in which a guest that imports
//! from the host module declares the ABI version it was built against (a little-endian u32).

use wasmparser::CustomSectionReader;

use super::{Scan, ViolationCode};
use crate::abi;
use crate::report::CustomSectionInfo;

impl Scan<'_> {
    pub(super) fn custom_section(&mut self, reader: &CustomSectionReader<'_>) {
        let offset = reader.range().start;
        let before = self.custom_sections_size;
        self.custom_sections_size =
            before.saturating_add(reader.range().end - reader.range().start);
        let max = self.policy.max_custom_sections_size;
        if before <= max && self.custom_sections_size > max {
            self.violate(
                ViolationCode::CustomSectionsTooLarge,
                format!(
                    "custom sections total {} bytes or more, the policy allows at most {max}",
                    self.custom_sections_size
                ),
                Some(offset),
            );
        }
        self.report.custom_sections.push(CustomSectionInfo {
            name: reader.name().to_owned(),
            size: reader.data().len() as u64,
        });
        if reader.name() == abi::ABI_SECTION {
            self.abi_section(reader);
        }
    }

    fn abi_section(&mut self, reader: &CustomSectionReader<'_>) {
        let offset = Some(reader.data_offset());
        if self.abi_section_seen {
            self.violate(
                ViolationCode::AbiVersionMalformed,
                format!("the `{}` section appears more than once", abi::ABI_SECTION),
                offset,
            );
            return;
        }
        self.abi_section_seen = true;
        let Ok(bytes) = <[u8; 4]>::try_from(reader.data()) else {
            self.violate(
                ViolationCode::AbiVersionMalformed,
                format!(
                    "the `{}` section must hold exactly 4 bytes (a little-endian u32), found {}",
                    abi::ABI_SECTION,
                    reader.data().len()
                ),
                offset,
            );
            return;
        };
        let version = u32::from_le_bytes(bytes);
        self.report.abi_version = Some(version);
        if !self.policy.abi_versions.contains(&version) {
            self.violate(
                ViolationCode::AbiVersionUnsupported,
                format!(
                    "ABI version {version} is not supported (accepted: {:?})",
                    self.policy.abi_versions
                ),
                offset,
            );
        }
    }

    /// A module that imports from the host must say which ABI it was built against.
    pub(super) fn check_abi_version_present(&mut self) {
        if let (Some(offset), false) = (self.host_import_offset, self.abi_section_seen) {
            self.violate(
                ViolationCode::AbiVersionMissing,
                format!(
                    "the module imports from `{}` but has no `{}` custom section declaring its ABI version",
                    abi::HOST_MODULE,
                    abi::ABI_SECTION
                ),
                Some(offset),
            );
        }
    }
}

//! Shared helpers for the WASI test programs: a tiny check reporter whose
//! output (`ok NAME` / `FAIL NAME: detail`) the browser tests parse.

use std::fmt::Debug;

/// Collects named checks; `finish` exits 1 if any failed so the exit code alone
/// tells the test whether the program saw what it expected.
#[derive(Default)]
pub struct Checks {
    failed: usize,
}

impl Checks {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn ok(&mut self, name: &str, cond: bool, detail: impl Debug) {
        if cond {
            println!("ok {name}");
        } else {
            self.failed += 1;
            println!("FAIL {name}: {detail:?}");
        }
    }

    pub fn eq<T: PartialEq + Debug>(&mut self, name: &str, got: T, want: T) {
        let cond = got == want;
        self.ok(name, cond, format_args!("got {got:?}, want {want:?}"));
    }

    pub fn finish(self) -> ! {
        println!("checks done, {} failed", self.failed);
        std::process::exit(if self.failed == 0 { 0 } else { 1 })
    }
}

/// Raw preview-1 calls for what std keeps unstable on this target
/// (`std::os::wasi::fs::{FileExt, symlink_path}`).
pub mod raw {
    #[link(wasm_import_module = "wasi_snapshot_preview1")]
    extern "C" {
        fn fd_pread(fd: u32, iovs: *const [usize; 2], n: usize, off: u64, out: *mut usize) -> u16;
        fn fd_pwrite(fd: u32, iovs: *const [usize; 2], n: usize, off: u64, out: *mut usize) -> u16;
        fn path_symlink(
            old: *const u8,
            old_len: usize,
            fd: u32,
            new: *const u8,
            new_len: usize,
        ) -> u16;
    }

    fn result(errno: u16, n: usize) -> Result<usize, u16> {
        if errno == 0 {
            Ok(n)
        } else {
            Err(errno)
        }
    }

    pub fn pread(fd: u32, buf: &mut [u8], offset: u64) -> Result<usize, u16> {
        let iov = [buf.as_mut_ptr() as usize, buf.len()];
        let mut n = 0;
        // SAFETY: one iovec describing `buf`, and a valid out-pointer.
        result(unsafe { fd_pread(fd, &iov, 1, offset, &mut n) }, n)
    }

    pub fn pwrite(fd: u32, buf: &[u8], offset: u64) -> Result<usize, u16> {
        let iov = [buf.as_ptr() as usize, buf.len()];
        let mut n = 0;
        // SAFETY: one iovec describing `buf`, and a valid out-pointer.
        result(unsafe { fd_pwrite(fd, &iov, 1, offset, &mut n) }, n)
    }

    /// Creates `link` (relative to the directory `dir_fd`) pointing at `target`.
    pub fn symlink(target: &str, dir_fd: u32, link: &str) -> Result<usize, u16> {
        // SAFETY: both strings are valid for their lengths.
        let errno = unsafe {
            path_symlink(
                target.as_ptr(),
                target.len(),
                dir_fd,
                link.as_ptr(),
                link.len(),
            )
        };
        result(errno, 0)
    }
}

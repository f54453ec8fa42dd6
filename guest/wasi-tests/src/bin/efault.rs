//! Calls every pointer-taking preview-1 import with out-of-bounds pointers and
//! prints `NAME ERRNO` per call. Run with the preopen `/` holding `/f.txt`; the
//! test checks each errno (EFAULT where the pointer is reached) and that the
//! program is still alive afterwards.

#![allow(clippy::too_many_arguments)]

use std::os::fd::AsRawFd;

#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    fn args_get(argv: u32, buf: u32) -> u16;
    fn args_sizes_get(argc: u32, size: u32) -> u16;
    fn environ_get(environ: u32, buf: u32) -> u16;
    fn environ_sizes_get(count: u32, size: u32) -> u16;
    fn clock_res_get(id: u32, out: u32) -> u16;
    fn clock_time_get(id: u32, precision: u64, out: u32) -> u16;
    fn fd_fdstat_get(fd: u32, out: u32) -> u16;
    fn fd_filestat_get(fd: u32, out: u32) -> u16;
    fn fd_pread(fd: u32, iovs: u32, iovs_len: u32, offset: u64, out: u32) -> u16;
    fn fd_prestat_get(fd: u32, out: u32) -> u16;
    fn fd_prestat_dir_name(fd: u32, path: u32, len: u32) -> u16;
    fn fd_pwrite(fd: u32, iovs: u32, iovs_len: u32, offset: u64, out: u32) -> u16;
    fn fd_read(fd: u32, iovs: u32, iovs_len: u32, out: u32) -> u16;
    fn fd_readdir(fd: u32, buf: u32, len: u32, cookie: u64, out: u32) -> u16;
    fn fd_seek(fd: u32, offset: i64, whence: u32, out: u32) -> u16;
    fn fd_tell(fd: u32, out: u32) -> u16;
    fn fd_write(fd: u32, iovs: u32, iovs_len: u32, out: u32) -> u16;
    fn path_create_directory(fd: u32, path: u32, len: u32) -> u16;
    fn path_filestat_get(fd: u32, flags: u32, path: u32, len: u32, out: u32) -> u16;
    fn path_filestat_set_times(
        fd: u32,
        flags: u32,
        path: u32,
        len: u32,
        a: u64,
        m: u64,
        f: u32,
    ) -> u16;
    fn path_link(
        fd: u32,
        flags: u32,
        old: u32,
        old_len: u32,
        new_fd: u32,
        new: u32,
        new_len: u32,
    ) -> u16;
    fn path_open(
        fd: u32,
        dirflags: u32,
        path: u32,
        len: u32,
        oflags: u32,
        base: u64,
        inheriting: u64,
        fdflags: u32,
        out: u32,
    ) -> u16;
    fn path_readlink(fd: u32, path: u32, len: u32, buf: u32, buf_len: u32, out: u32) -> u16;
    fn path_remove_directory(fd: u32, path: u32, len: u32) -> u16;
    fn path_rename(fd: u32, old: u32, old_len: u32, new_fd: u32, new: u32, new_len: u32) -> u16;
    fn path_symlink(old: u32, old_len: u32, fd: u32, new: u32, new_len: u32) -> u16;
    fn path_unlink_file(fd: u32, path: u32, len: u32) -> u16;
    fn poll_oneoff(input: u32, output: u32, n: u32, out: u32) -> u16;
    fn random_get(buf: u32, len: u32) -> u16;
    fn sock_accept(fd: u32, flags: u32, out: u32) -> u16;
    fn sock_recv(fd: u32, iovs: u32, len: u32, flags: u32, out0: u32, out1: u32) -> u16;
    fn sock_send(fd: u32, iovs: u32, len: u32, flags: u32, out: u32) -> u16;
    fn sock_shutdown(fd: u32, how: u32) -> u16;
    fn proc_raise(sig: u32) -> u16;
    fn sched_yield() -> u16;
}

/// Far past any memory this program will have.
const BAD: u32 = 0xFFFF_FFF0;

fn report(name: &str, errno: u16) {
    println!("{name} {errno}");
}

fn main() {
    let file = std::fs::File::create("/f.txt").expect("create /f.txt");
    let f = file.as_raw_fd() as u32;
    // Pointers into real memory: a path, a result slot, and iovecs whose
    // buffers point out of bounds or straddle the end of memory.
    let path = b"f.txt";
    let p = path.as_ptr() as u32;
    let mut slot = [0u64; 8];
    let ok = slot.as_mut_ptr() as u32;
    let mem_end = (core::arch::wasm32::memory_size(0) * 65536) as u32;
    let bad_iov = [BAD, 16u32];
    let straddle_iov = [mem_end - 4, 16u32];
    let iov_max = 1024u32;

    // SAFETY: every call below passes integers; the host must bounds-check them.
    unsafe {
        report("args_get", args_get(BAD, BAD));
        report("args_sizes_get", args_sizes_get(BAD, ok));
        report("environ_get", environ_get(BAD, BAD));
        report("environ_sizes_get", environ_sizes_get(ok, BAD));
        report("clock_res_get", clock_res_get(1, BAD));
        report("clock_time_get", clock_time_get(1, 0, BAD));
        report("clock_time_get_straddle", clock_time_get(0, 0, mem_end - 4));
        report("fd_fdstat_get", fd_fdstat_get(1, BAD));
        report("fd_filestat_get", fd_filestat_get(f, BAD));
        report("fd_pread", fd_pread(f, BAD, 1, 0, ok));
        report("fd_pwrite", fd_pwrite(f, bad_iov.as_ptr() as u32, 1, 0, ok));
        report("fd_prestat_get", fd_prestat_get(3, BAD));
        report("fd_prestat_dir_name", fd_prestat_dir_name(3, BAD, 1));
        report("fd_read", fd_read(f, BAD, 1, ok));
        report("fd_write_iovs", fd_write(1, BAD, 1, ok));
        report("fd_write_buf", fd_write(1, bad_iov.as_ptr() as u32, 1, ok));
        report(
            "fd_write_straddle",
            fd_write(1, straddle_iov.as_ptr() as u32, 1, ok),
        );
        report("fd_write_iovs_len", fd_write(1, mem_end - 64, iov_max, ok));
        report("fd_write_iov_max", fd_write(1, ok, iov_max + 1, ok));
        report("fd_write_result", fd_write(1, ok, 0, BAD));
        report("fd_readdir", fd_readdir(3, BAD, 128, 0, ok));
        report("fd_seek", fd_seek(f, 0, 0, BAD));
        report("fd_tell", fd_tell(f, BAD));
        report("path_create_directory", path_create_directory(3, BAD, 5));
        report("path_filestat_get", path_filestat_get(3, 0, p, 5, BAD));
        report(
            "path_filestat_set_times",
            path_filestat_set_times(3, 0, BAD, 5, 0, 0, 0),
        );
        report("path_link", path_link(3, 0, p, 5, 3, BAD, 5));
        report(
            "path_open_path",
            path_open(3, 0, BAD, 5, 0, u64::MAX, u64::MAX, 0, ok),
        );
        report(
            "path_open_result",
            path_open(3, 0, p, 5, 0, u64::MAX, u64::MAX, 0, BAD),
        );
        report("path_readlink", path_readlink(3, BAD, 5, ok, 8, ok));
        report("path_remove_directory", path_remove_directory(3, BAD, 5));
        report("path_rename", path_rename(3, p, 5, 3, BAD, 5));
        report("path_symlink", path_symlink(BAD, 5, 3, p, 5));
        report("path_unlink_file", path_unlink_file(3, BAD, 5));
        report("poll_oneoff", poll_oneoff(BAD, ok, 1, ok));
        report("random_get", random_get(BAD, 16));
        report("random_get_straddle", random_get(mem_end - 4, 16));
        report("sock_accept", sock_accept(f, 0, BAD));
        report("sock_recv", sock_recv(99, BAD, 1, 0, BAD, BAD));
        report("sock_send", sock_send(1, BAD, 1, 0, BAD));
        report("sock_shutdown", sock_shutdown(3, 3));
        report("proc_raise", proc_raise(6));
        report("sched_yield", sched_yield());
        report("bad_fd_close", fd_fdstat_get(1234, ok));
    }
    drop(file);
    println!("still alive");
}

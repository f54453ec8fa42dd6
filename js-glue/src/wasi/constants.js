// Numbers and layouts of wasi_snapshot_preview1 (WebAssembly/WASI
// legacy/preview1/witx/typenames.witx), plus the one table of import signatures.

export const ERRNO = Object.freeze({
  SUCCESS: 0,
  TOOBIG: 1,
  ACCES: 2,
  AGAIN: 6,
  BADF: 8,
  BUSY: 10,
  EXIST: 20,
  FAULT: 21,
  FBIG: 22,
  ILSEQ: 25,
  INVAL: 28,
  IO: 29,
  ISDIR: 31,
  LOOP: 32,
  MFILE: 33,
  NAMETOOLONG: 37,
  NOENT: 44,
  NOMEM: 48,
  NOSPC: 51,
  NOSYS: 52,
  NOTDIR: 54,
  NOTEMPTY: 55,
  NOTSOCK: 57,
  NOTSUP: 58,
  OVERFLOW: 61,
  PERM: 63,
  SPIPE: 70,
  XDEV: 75,
  NOTCAPABLE: 76,
});

export const FILETYPE = Object.freeze({
  UNKNOWN: 0,
  CHARACTER_DEVICE: 2,
  DIRECTORY: 3,
  REGULAR_FILE: 4,
  SYMBOLIC_LINK: 7,
});

export const CLOCK = Object.freeze({ REALTIME: 0, MONOTONIC: 1, PROCESS_CPUTIME: 2, THREAD_CPUTIME: 3 });
export const WHENCE = Object.freeze({ SET: 0, CUR: 1, END: 2 });
export const OFLAGS = Object.freeze({ CREAT: 1, DIRECTORY: 2, EXCL: 4, TRUNC: 8 });
export const FDFLAGS = Object.freeze({ APPEND: 1, DSYNC: 2, NONBLOCK: 4, RSYNC: 8, SYNC: 16 });
export const LOOKUP_SYMLINK_FOLLOW = 1;
export const FSTFLAGS = Object.freeze({ ATIM: 1, ATIM_NOW: 2, MTIM: 4, MTIM_NOW: 8 });
export const EVENTTYPE = Object.freeze({ CLOCK: 0, FD_READ: 1, FD_WRITE: 2 });
export const SUBCLOCK_ABSTIME = 1;
export const EVENTRW_HANGUP = 1;
export const PREOPENTYPE_DIR = 0;

// Rights are a u64 bitset in the ABI, but only bits 0..29 are defined: the host
// keeps them as small integers (no BigInt allocation on the per-call checks)
// and converts at the boundary.
const bit = (n) => 1 << n;
export const RIGHTS = Object.freeze({
  FD_DATASYNC: bit(0),
  FD_READ: bit(1),
  FD_SEEK: bit(2),
  FD_FDSTAT_SET_FLAGS: bit(3),
  FD_SYNC: bit(4),
  FD_TELL: bit(5),
  FD_WRITE: bit(6),
  FD_ADVISE: bit(7),
  FD_ALLOCATE: bit(8),
  PATH_CREATE_DIRECTORY: bit(9),
  PATH_CREATE_FILE: bit(10),
  PATH_LINK_SOURCE: bit(11),
  PATH_LINK_TARGET: bit(12),
  PATH_OPEN: bit(13),
  FD_READDIR: bit(14),
  PATH_READLINK: bit(15),
  PATH_RENAME_SOURCE: bit(16),
  PATH_RENAME_TARGET: bit(17),
  PATH_FILESTAT_GET: bit(18),
  PATH_FILESTAT_SET_SIZE: bit(19),
  PATH_FILESTAT_SET_TIMES: bit(20),
  FD_FILESTAT_GET: bit(21),
  FD_FILESTAT_SET_SIZE: bit(22),
  FD_FILESTAT_SET_TIMES: bit(23),
  PATH_SYMLINK: bit(24),
  PATH_REMOVE_DIRECTORY: bit(25),
  PATH_UNLINK_FILE: bit(26),
  POLL_FD_READWRITE: bit(27),
  SOCK_SHUTDOWN: bit(28),
  SOCK_ACCEPT: bit(29),
});

const R = RIGHTS;
export const RIGHTS_ALL = bit(30) - 1;
/** A guest-supplied u64 rights value as the host's integer form (undefined bits dropped). */
export const rightsFromU64 = (big) => Number(BigInt.asUintN(30, big));
export const RIGHTS_FILE =
  R.FD_DATASYNC |
  R.FD_READ |
  R.FD_SEEK |
  R.FD_FDSTAT_SET_FLAGS |
  R.FD_SYNC |
  R.FD_TELL |
  R.FD_WRITE |
  R.FD_ADVISE |
  R.FD_ALLOCATE |
  R.FD_FILESTAT_GET |
  R.FD_FILESTAT_SET_SIZE |
  R.FD_FILESTAT_SET_TIMES |
  R.POLL_FD_READWRITE;
export const RIGHTS_DIR =
  R.FD_FDSTAT_SET_FLAGS |
  R.FD_SYNC |
  R.FD_DATASYNC |
  R.PATH_CREATE_DIRECTORY |
  R.PATH_CREATE_FILE |
  R.PATH_LINK_SOURCE |
  R.PATH_LINK_TARGET |
  R.PATH_OPEN |
  R.FD_READDIR |
  R.PATH_READLINK |
  R.PATH_RENAME_SOURCE |
  R.PATH_RENAME_TARGET |
  R.PATH_FILESTAT_GET |
  R.PATH_FILESTAT_SET_SIZE |
  R.PATH_FILESTAT_SET_TIMES |
  R.FD_FILESTAT_GET |
  R.FD_FILESTAT_SET_TIMES |
  R.PATH_SYMLINK |
  R.PATH_REMOVE_DIRECTORY |
  R.PATH_UNLINK_FILE;
export const RIGHTS_STDIN = R.FD_READ | R.FD_FDSTAT_SET_FLAGS | R.FD_FILESTAT_GET | R.POLL_FD_READWRITE;
export const RIGHTS_STDOUT = R.FD_WRITE | R.FD_FDSTAT_SET_FLAGS | R.FD_FILESTAT_GET | R.POLL_FD_READWRITE;

// Struct sizes (bytes) from the witx layouts.
export const SIZE = Object.freeze({
  IOVEC: 8,
  FDSTAT: 24,
  FILESTAT: 64,
  PRESTAT: 8,
  DIRENT: 24,
  SUBSCRIPTION: 48,
  EVENT: 32,
});

/**
 * Every preview-1 function: [params, results] in core wasm types. The source of
 * truth for the host's import object and for checking a module's import types.
 */
export const SIGNATURES = Object.freeze({
  args_get: [['i32', 'i32'], ['i32']],
  args_sizes_get: [['i32', 'i32'], ['i32']],
  environ_get: [['i32', 'i32'], ['i32']],
  environ_sizes_get: [['i32', 'i32'], ['i32']],
  clock_res_get: [['i32', 'i32'], ['i32']],
  clock_time_get: [['i32', 'i64', 'i32'], ['i32']],
  fd_advise: [['i32', 'i64', 'i64', 'i32'], ['i32']],
  fd_allocate: [['i32', 'i64', 'i64'], ['i32']],
  fd_close: [['i32'], ['i32']],
  fd_datasync: [['i32'], ['i32']],
  fd_fdstat_get: [['i32', 'i32'], ['i32']],
  fd_fdstat_set_flags: [['i32', 'i32'], ['i32']],
  fd_fdstat_set_rights: [['i32', 'i64', 'i64'], ['i32']],
  fd_filestat_get: [['i32', 'i32'], ['i32']],
  fd_filestat_set_size: [['i32', 'i64'], ['i32']],
  fd_filestat_set_times: [['i32', 'i64', 'i64', 'i32'], ['i32']],
  fd_pread: [['i32', 'i32', 'i32', 'i64', 'i32'], ['i32']],
  fd_prestat_get: [['i32', 'i32'], ['i32']],
  fd_prestat_dir_name: [['i32', 'i32', 'i32'], ['i32']],
  fd_pwrite: [['i32', 'i32', 'i32', 'i64', 'i32'], ['i32']],
  fd_read: [['i32', 'i32', 'i32', 'i32'], ['i32']],
  fd_readdir: [['i32', 'i32', 'i32', 'i64', 'i32'], ['i32']],
  fd_renumber: [['i32', 'i32'], ['i32']],
  fd_seek: [['i32', 'i64', 'i32', 'i32'], ['i32']],
  fd_sync: [['i32'], ['i32']],
  fd_tell: [['i32', 'i32'], ['i32']],
  fd_write: [['i32', 'i32', 'i32', 'i32'], ['i32']],
  path_create_directory: [['i32', 'i32', 'i32'], ['i32']],
  path_filestat_get: [['i32', 'i32', 'i32', 'i32', 'i32'], ['i32']],
  path_filestat_set_times: [['i32', 'i32', 'i32', 'i32', 'i64', 'i64', 'i32'], ['i32']],
  path_link: [['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'], ['i32']],
  path_open: [['i32', 'i32', 'i32', 'i32', 'i32', 'i64', 'i64', 'i32', 'i32'], ['i32']],
  path_readlink: [['i32', 'i32', 'i32', 'i32', 'i32', 'i32'], ['i32']],
  path_remove_directory: [['i32', 'i32', 'i32'], ['i32']],
  path_rename: [['i32', 'i32', 'i32', 'i32', 'i32', 'i32'], ['i32']],
  path_symlink: [['i32', 'i32', 'i32', 'i32', 'i32'], ['i32']],
  path_unlink_file: [['i32', 'i32', 'i32'], ['i32']],
  poll_oneoff: [['i32', 'i32', 'i32', 'i32'], ['i32']],
  proc_exit: [['i32'], []],
  proc_raise: [['i32'], ['i32']],
  sched_yield: [[], ['i32']],
  random_get: [['i32', 'i32'], ['i32']],
  sock_accept: [['i32', 'i32', 'i32'], ['i32']],
  sock_recv: [['i32', 'i32', 'i32', 'i32', 'i32', 'i32'], ['i32']],
  sock_send: [['i32', 'i32', 'i32', 'i32', 'i32'], ['i32']],
  sock_shutdown: [['i32', 'i32'], ['i32']],
});

export const WASI_MODULE = 'wasi_snapshot_preview1';

// The wasi_snapshot_preview1 import object over a guest's WebAssembly.Memory.
// Pure ES module: runs in a worker, a page or node. Every guest pointer is
// bounds-checked against the memory's current size; every failure becomes an
// errno returned to the guest (only proc_exit unwinds, by design).

import {
  CLOCK,
  ERRNO,
  EVENTRW_HANGUP,
  EVENTTYPE,
  FDFLAGS,
  FILETYPE,
  FSTFLAGS,
  LOOKUP_SYMLINK_FOLLOW,
  OFLAGS,
  PREOPENTYPE_DIR,
  RIGHTS,
  RIGHTS_ALL,
  RIGHTS_DIR,
  RIGHTS_FILE,
  RIGHTS_STDIN,
  RIGHTS_STDOUT,
  SIGNATURES,
  SIZE,
  SUBCLOCK_ABSTIME,
  rightsFromU64,
  WASI_MODULE,
  WHENCE,
} from './constants.js';
import { WasiErrno, WasiExit, WasiRunError } from './errors.js';
import { MemFS, fileTimeNs } from './fs.js';
import { blockingSleep } from './sleep.js';

const MAX_FDS = 1024;
const MAX_IOVS = 1024; // IOV_MAX
const RANDOM_CHUNK = 65536; // crypto.getRandomValues' per-call limit
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
const fail = (errno) => {
  throw new WasiErrno(errno);
};
// timeOrigin is constant per context but its getter is slow in some engines (tens of µs in node): read it once.
const TIME_ORIGIN = performance.timeOrigin;
const nowNs = () => BigInt(Math.round((TIME_ORIGIN + performance.now()) * 1e6));
const monoNs = () => BigInt(Math.round(performance.now() * 1e6));
const has = (rights, needed) => (rights & needed) === needed;

/** A stdin source over bytes known up front (EOF after them). */
export function bytesStdin(bytes = new Uint8Array(0)) {
  const data = typeof bytes === 'string' ? encoder.encode(bytes) : bytes;
  let pos = 0;
  return {
    read(dest) {
      const n = Math.min(dest.length, data.length - pos);
      dest.set(data.subarray(pos, pos + n));
      pos += n;
      return n;
    },
    poll: () => true, // data or EOF: a read never blocks
  };
}

/**
 * Creates a WASI preview-1 host.
 *
 * @param {object} opts
 * @param {string[]} [opts.args] argv; args[0] is the program name
 * @param {Record<string,string>|string[]} [opts.env] environment ('K=V' strings or an object)
 * @param {MemFS} [opts.fs] the file system (default: empty)
 * @param {string[]} [opts.preopens] absolute directories given to the guest as fds 3, 4, … (default ['/'])
 * @param {{read(dest: Uint8Array): number, poll(): boolean, wait?(ms: number): void, ready?(): Promise<void>}
 *   |Uint8Array|string} [opts.stdin] read() returns 0 at EOF and may block; poll() tells whether read() would
 *   return without blocking; wait(ms) blocks until readable or ms passed; ready() resolves when readable (JSPI)
 * @param {(bytes: Uint8Array) => void} [opts.stdout] receives a view that is only valid during the call; may
 *   throw a WasiRunError to stop the guest
 * @param {(bytes: Uint8Array) => void} [opts.stderr] same, for fd 2
 * @param {(ms: number) => void} [opts.sleep] blocks the thread (default: Atomics.wait if allowed, else spin)
 * @param {(reason: 'stdin'|'sleep') => void} [opts.onBlock] called before the host blocks: flush output here.
 *   'stdin' = waiting for input with no timeout (the guest is idle until the page writes); else 'sleep'
 * @param {boolean} [opts.suspending] use JSPI: fd_read on stdin and poll_oneoff suspend the guest (stdin
 *   then needs `ready(): Promise`), and `start()` returns a Promise
 * @param {() => undefined|Promise<void>} [opts.outputGate] called after every fd_write to stdout/stderr; may
 *   block, or (suspending only) return a Promise the guest is suspended on before fd_write returns
 */
export function createWasiHost(opts = {}) {
  const args = (opts.args ?? ['main']).map((a) => encoder.encode(String(a) + '\0'));
  const envList = Array.isArray(opts.env)
    ? opts.env
    : Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`);
  const env = envList.map((e) => encoder.encode(e + '\0'));
  const fs = opts.fs ?? new MemFS();
  const stdin =
    opts.stdin && typeof opts.stdin.read === 'function' ? opts.stdin : bytesStdin(opts.stdin ?? undefined);
  const stdout = opts.stdout ?? (() => {});
  const stderr = opts.stderr ?? (() => {});
  const sleep = opts.sleep ?? blockingSleep;
  const onBlock = opts.onBlock ?? (() => {});

  // ---- fd table ----
  const fds = new Map();
  fds.set(0, new FdEntry('stdin', null, RIGHTS_STDIN, 0, 0));
  fds.set(1, new FdEntry('stdout', null, RIGHTS_STDOUT, 0, 0));
  fds.set(2, new FdEntry('stderr', null, RIGHTS_STDOUT, 0, 0));
  for (const path of opts.preopens ?? ['/']) {
    const dir = fs.mkdirp(path);
    const entry = new FdEntry('dir', dir, RIGHTS_DIR, RIGHTS_ALL, 0);
    entry.sandbox = dir;
    entry.preopen = encoder.encode(path);
    fds.set(fds.size, entry);
  }
  const allocFd = (entry) => {
    for (let fd = 0; fd < MAX_FDS; fd++) {
      if (!fds.has(fd)) {
        fds.set(fd, entry);
        return fd;
      }
    }
    fail(ERRNO.MFILE);
  };
  const getFd = (fd, rights = 0) => {
    const e = fds.get(fd);
    if (!e) fail(ERRNO.BADF);
    if (!has(e.rights, rights)) fail(ERRNO.NOTCAPABLE);
    return e;
  };
  const getFile = (fd, rights) => {
    const e = getFd(fd, rights);
    if (e.kind === 'dir') fail(ERRNO.ISDIR);
    if (e.kind !== 'file') fail(ERRNO.SPIPE);
    return e;
  };
  const getDir = (fd, rights) => {
    const e = getFd(fd, rights);
    if (e.kind !== 'dir') fail(ERRNO.NOTDIR);
    return e;
  };

  // ---- memory access: the views are refreshed lazily (in range()) because memory may grow between calls ----
  let memory = null;
  let buffer = null;
  let u8 = new Uint8Array(0);
  let dv = new DataView(new ArrayBuffer(0));
  let shared = false;
  const refresh = () => {
    if (!memory) fail(ERRNO.FAULT);
    const b = memory.buffer;
    if (b !== buffer) {
      buffer = b;
      u8 = new Uint8Array(b);
      dv = new DataView(b);
      shared = typeof SharedArrayBuffer !== 'undefined' && b instanceof SharedArrayBuffer;
    }
  };
  /** Checks [ptr, ptr+len) lies in memory; returns ptr as an unsigned number. */
  const range = (ptr, len) => {
    const p = ptr >>> 0;
    if (p + len > u8.length || u8.length === 0) {
      // Stale view (memory grew since we last looked: the old buffer is detached or shorter)?
      refresh();
      if (p + len > u8.length) fail(ERRNO.FAULT);
    }
    return p;
  };
  const u32 = (ptr) => dv.getUint32(range(ptr, 4), true);
  const setU32 = (ptr, v) => dv.setUint32(range(ptr, 4), v, true);
  const setU64 = (ptr, v) => dv.setBigUint64(range(ptr, 8), BigInt(v), true);
  const bytesAt = (ptr, len) => {
    const p = range(ptr, len >>> 0);
    return u8.subarray(p, p + (len >>> 0));
  };
  const str = (ptr, len) => {
    const view = bytesAt(ptr, len);
    try {
      return decoder.decode(shared ? view.slice() : view);
    } catch {
      return fail(ERRNO.ILSEQ);
    }
  };
  /** The iovec list as byte views (all bounds-checked before any I/O happens). */
  const iovecs = (ptr, count) => {
    const n = count >>> 0;
    if (n > MAX_IOVS) fail(ERRNO.INVAL);
    const base = range(ptr, n * SIZE.IOVEC);
    const out = new Array(n);
    for (let i = 0; i < n; i++) {
      out[i] = bytesAt(dv.getUint32(base + i * 8, true), dv.getUint32(base + i * 8 + 4, true));
    }
    return out;
  };
  const writeFilestat = (ptr, node) => {
    const p = range(ptr, SIZE.FILESTAT);
    u8.fill(0, p, p + SIZE.FILESTAT);
    dv.setBigUint64(p, 0n, true);
    if (!node) {
      dv.setUint8(p + 16, FILETYPE.CHARACTER_DEVICE);
      dv.setBigUint64(p + 24, 1n, true);
      return;
    }
    dv.setBigUint64(p + 8, node.ino, true);
    dv.setUint8(p + 16, filetype(node));
    dv.setBigUint64(p + 24, node.nlink, true);
    dv.setBigUint64(
      p + 32,
      BigInt(node.kind === 'file' ? node.size : node.kind === 'symlink' ? node.target.length : 0),
      true,
    );
    dv.setBigUint64(p + 40, node.atim, true);
    dv.setBigUint64(p + 48, node.mtim, true);
    dv.setBigUint64(p + 56, node.ctim, true);
  };
  const setTimes = (node, atim, mtim, flags) => {
    if (flags & ~0xf) fail(ERRNO.INVAL);
    if (
      (flags & FSTFLAGS.ATIM && flags & FSTFLAGS.ATIM_NOW) ||
      (flags & FSTFLAGS.MTIM && flags & FSTFLAGS.MTIM_NOW)
    ) {
      fail(ERRNO.INVAL);
    }
    const now = fileTimeNs();
    if (flags & FSTFLAGS.ATIM) node.atim = BigInt.asUintN(64, atim);
    if (flags & FSTFLAGS.ATIM_NOW) node.atim = now;
    if (flags & FSTFLAGS.MTIM) node.mtim = BigInt.asUintN(64, mtim);
    if (flags & FSTFLAGS.MTIM_NOW) node.mtim = now;
    node.ctim = now;
  };
  const toOffset = (big) => {
    if (big < 0n || big > BigInt(Number.MAX_SAFE_INTEGER)) fail(ERRNO.INVAL);
    return Number(big);
  };
  /** Resolves a guest path relative to a directory fd (after checking its right). */
  const lookup = (fd, rights, pathPtr, pathLen, follow) => {
    const dir = getDir(fd, rights);
    const path = str(pathPtr, pathLen);
    return fs.resolve(dir.node, dir.sandbox, path, follow);
  };

  // ---- I/O on fds ----
  const readFd = (e, views, at) => {
    let total = 0;
    if (e.kind === 'stdin') {
      for (const v of views) {
        if (v.length === 0) continue;
        if (total > 0 && !stdin.poll()) break; // return what we have rather than block again
        if (!stdin.poll()) onBlock('stdin');
        const n = stdin.read(v);
        total += n;
        if (n < v.length) break;
      }
      return total;
    }
    if (e.kind === 'file') {
      let pos = at ?? e.pos;
      for (const v of views) {
        const n = fs.readInto(e.node, pos, v);
        pos += n;
        total += n;
        if (n < v.length) break;
      }
      if (at === undefined) e.pos = pos;
      e.node.atim = fileTimeNs();
      return total;
    }
    if (e.kind === 'dir') fail(ERRNO.ISDIR);
    return fail(ERRNO.BADF);
  };
  const writeFd = (e, views, at) => {
    let total = 0;
    if (e.kind === 'stdout' || e.kind === 'stderr') {
      const sink = e.kind === 'stdout' ? stdout : stderr;
      for (const v of views) {
        if (v.length === 0) continue;
        sink(shared ? v.slice() : v);
        total += v.length;
      }
      return total;
    }
    if (e.kind === 'file') {
      let pos = at ?? (e.flags & FDFLAGS.APPEND ? e.node.size : e.pos);
      for (const v of views) {
        fs.write(e.node, pos, v); // copies into the file's own buffer
        pos += v.length;
        total += v.length;
      }
      if (at === undefined) e.pos = pos;
      return total;
    }
    if (e.kind === 'dir') fail(ERRNO.ISDIR);
    return fail(ERRNO.BADF);
  };

  // ---- the preview-1 functions ----
  const sizes = (list, countPtr, sizePtr) => {
    setU32(countPtr, list.length);
    setU32(
      sizePtr,
      list.reduce((n, b) => n + b.length, 0),
    );
  };
  const copyList = (list, ptrsPtr, bufPtr) => {
    const total = list.reduce((n, b) => n + b.length, 0);
    const ptrs = range(ptrsPtr, list.length * 4);
    let buf = range(bufPtr, total);
    for (let i = 0; i < list.length; i++) {
      dv.setUint32(ptrs + i * 4, buf, true);
      u8.set(list[i], buf);
      buf += list[i].length;
    }
  };

  const wasi = {
    args_get: (argv, buf) => copyList(args, argv, buf),
    args_sizes_get: (countPtr, sizePtr) => sizes(args, countPtr, sizePtr),
    environ_get: (environ, buf) => copyList(env, environ, buf),
    environ_sizes_get: (countPtr, sizePtr) => sizes(env, countPtr, sizePtr),

    clock_res_get(id, ptr) {
      if (id < 0 || id > CLOCK.THREAD_CPUTIME) fail(ERRNO.INVAL);
      setU64(ptr, 1000n); // performance.now() is coarsened to microseconds (or worse) in browsers
    },
    clock_time_get(id, _precision, ptr) {
      const p = range(ptr, 8);
      let ms;
      if (id === CLOCK.REALTIME) ms = TIME_ORIGIN + performance.now();
      else if (id >= CLOCK.MONOTONIC && id <= CLOCK.THREAD_CPUTIME) ms = performance.now();
      else fail(ERRNO.INVAL);
      // Two u32 halves from a double: no BigInt allocation on this hot path.
      const ns = Math.round(ms * 1e6);
      const hi = Math.floor(ns / 0x100000000);
      dv.setUint32(p, ns - hi * 0x100000000, true);
      dv.setUint32(p + 4, hi, true);
    },

    fd_advise(fd, _offset, _len, advice) {
      getFile(fd, RIGHTS.FD_ADVISE);
      if (advice < 0 || advice > 5) fail(ERRNO.INVAL);
    },
    fd_allocate(fd, offset, len) {
      const e = getFile(fd, RIGHTS.FD_ALLOCATE);
      const end = toOffset(offset + len);
      if (end > e.node.size) fs.setSize(e.node, end);
    },
    fd_close(fd) {
      getFd(fd);
      fds.delete(fd);
    },
    fd_datasync: (fd) => void getFd(fd, RIGHTS.FD_DATASYNC),
    fd_sync: (fd) => void getFd(fd, RIGHTS.FD_SYNC),
    fd_fdstat_get(fd, ptr) {
      const e = getFd(fd);
      const p = range(ptr, SIZE.FDSTAT);
      // Every byte of the 24-byte struct is written (padding included), without a fill() call.
      dv.setUint16(p, e.node ? filetype(e.node) : FILETYPE.CHARACTER_DEVICE, true);
      dv.setUint16(p + 2, e.flags, true);
      dv.setUint32(p + 4, 0, true);
      dv.setUint32(p + 12, 0, true);
      dv.setUint32(p + 20, 0, true);
      dv.setUint32(p + 8, e.rights, true); // high words stay 0: no rights above bit 29 exist
      dv.setUint32(p + 16, e.inheriting, true);
    },
    fd_fdstat_set_flags(fd, flags) {
      const e = getFd(fd, RIGHTS.FD_FDSTAT_SET_FLAGS);
      if (flags & ~0x1f) fail(ERRNO.INVAL);
      // Everything here is synchronous and in memory: the sync flags are accepted and have nothing to do.
      e.flags = flags;
    },
    fd_fdstat_set_rights(fd, base, inheriting) {
      const e = getFd(fd);
      const b = rightsFromU64(base);
      const i = rightsFromU64(inheriting);
      if (BigInt(b) !== BigInt.asUintN(64, base) || BigInt(i) !== BigInt.asUintN(64, inheriting)) {
        fail(ERRNO.NOTCAPABLE); // undefined rights bits are never held
      }
      if (!has(e.rights, b) || !has(e.inheriting, i)) fail(ERRNO.NOTCAPABLE);
      e.rights = b;
      e.inheriting = i;
    },
    fd_filestat_get(fd, ptr) {
      const e = getFd(fd, RIGHTS.FD_FILESTAT_GET);
      writeFilestat(ptr, e.node);
    },
    fd_filestat_set_size(fd, size) {
      const e = getFile(fd, RIGHTS.FD_FILESTAT_SET_SIZE);
      fs.setSize(e.node, toOffset(size));
    },
    fd_filestat_set_times(fd, atim, mtim, flags) {
      const e = getFd(fd, RIGHTS.FD_FILESTAT_SET_TIMES);
      if (!e.node) fail(ERRNO.BADF);
      setTimes(e.node, atim, mtim, flags);
    },
    fd_pread(fd, iovs, count, offset, retPtr) {
      const views = iovecs(iovs, count);
      range(retPtr, 4);
      const e = getFile(fd, RIGHTS.FD_READ);
      setU32(retPtr, readFd(e, views, toOffset(offset)));
    },
    fd_pwrite(fd, iovs, count, offset, retPtr) {
      const views = iovecs(iovs, count);
      range(retPtr, 4);
      const e = getFile(fd, RIGHTS.FD_WRITE);
      setU32(retPtr, writeFd(e, views, toOffset(offset)));
    },
    fd_read(fd, iovs, count, retPtr) {
      const views = iovecs(iovs, count);
      range(retPtr, 4);
      const e = getFd(fd, RIGHTS.FD_READ);
      setU32(retPtr, readFd(e, views, undefined));
    },
    fd_write(fd, iovs, count, retPtr) {
      const views = iovecs(iovs, count);
      range(retPtr, 4);
      const e = getFd(fd, RIGHTS.FD_WRITE);
      setU32(retPtr, writeFd(e, views, undefined));
    },
    fd_prestat_get(fd, ptr) {
      const e = getFd(fd);
      if (!e.preopen) fail(ERRNO.BADF);
      const p = range(ptr, SIZE.PRESTAT);
      dv.setUint32(p, PREOPENTYPE_DIR, true);
      dv.setUint32(p + 4, e.preopen.length, true);
    },
    fd_prestat_dir_name(fd, ptr, len) {
      const e = getFd(fd);
      if (!e.preopen) fail(ERRNO.BADF);
      const dest = bytesAt(ptr, len);
      if (dest.length < e.preopen.length) fail(ERRNO.NAMETOOLONG);
      dest.set(e.preopen);
    },
    fd_readdir(fd, buf, bufLen, cookie, retPtr) {
      const out = bytesAt(buf, bufLen);
      const base = buf >>> 0;
      range(retPtr, 4);
      const e = getDir(fd, RIGHTS.FD_READDIR);
      const dir = e.node;
      const list = [['.', dir], ['..', dir.parent], ...dir.entries];
      let used = 0;
      const first = BigInt.asUintN(64, cookie) < BigInt(list.length) ? Number(cookie) : list.length;
      for (let i = first; i < list.length && used < out.length; i++) {
        const [name, node] = list[i];
        const nameBytes = encoder.encode(name);
        const head = new Uint8Array(SIZE.DIRENT);
        const hv = new DataView(head.buffer);
        hv.setBigUint64(0, BigInt(i + 1), true);
        hv.setBigUint64(8, node.ino, true);
        hv.setUint32(16, nameBytes.length, true);
        hv.setUint8(20, filetype(node));
        const entry = new Uint8Array(SIZE.DIRENT + nameBytes.length);
        entry.set(head);
        entry.set(nameBytes, SIZE.DIRENT);
        // A truncated last entry tells the caller to retry with a bigger buffer.
        const n = Math.min(entry.length, out.length - used);
        u8.set(entry.subarray(0, n), base + used);
        used += n;
      }
      setU32(retPtr, used);
    },
    fd_renumber(from, to) {
      const e = getFd(from);
      getFd(to);
      if (from === to) return;
      fds.set(to, e);
      fds.delete(from);
    },
    fd_seek(fd, offset, whence, retPtr) {
      range(retPtr, 8);
      const e = getFd(fd);
      if (e.kind === 'dir') fail(ERRNO.ISDIR);
      if (e.kind !== 'file') fail(ERRNO.SPIPE);
      const tellOnly = offset === 0n && whence === WHENCE.CUR;
      if (!has(e.rights, tellOnly ? RIGHTS.FD_TELL : RIGHTS.FD_SEEK)) fail(ERRNO.NOTCAPABLE);
      let base;
      if (whence === WHENCE.SET) base = 0n;
      else if (whence === WHENCE.CUR) base = BigInt(e.pos);
      else if (whence === WHENCE.END) base = BigInt(e.node.size);
      else fail(ERRNO.INVAL);
      e.pos = toOffset(base + offset);
      setU64(retPtr, e.pos);
    },
    fd_tell(fd, retPtr) {
      range(retPtr, 8);
      const e = getFile(fd, RIGHTS.FD_TELL);
      setU64(retPtr, e.pos);
    },

    path_create_directory(fd, pathPtr, pathLen) {
      const r = lookup(fd, RIGHTS.PATH_CREATE_DIRECTORY, pathPtr, pathLen, false);
      if (r.node || r.name === null) fail(ERRNO.EXIST);
      fs.createDir(r.dir, r.name);
    },
    path_filestat_get(fd, flags, pathPtr, pathLen, ptr) {
      range(ptr, SIZE.FILESTAT);
      const r = lookup(fd, RIGHTS.PATH_FILESTAT_GET, pathPtr, pathLen, flags & LOOKUP_SYMLINK_FOLLOW);
      if (!r.node) fail(ERRNO.NOENT);
      writeFilestat(ptr, r.node);
    },
    path_filestat_set_times(fd, flags, pathPtr, pathLen, atim, mtim, fstFlags) {
      const r = lookup(fd, RIGHTS.PATH_FILESTAT_SET_TIMES, pathPtr, pathLen, flags & LOOKUP_SYMLINK_FOLLOW);
      if (!r.node) fail(ERRNO.NOENT);
      setTimes(r.node, atim, mtim, fstFlags);
    },
    path_link(oldFd, oldFlags, oldPtr, oldLen, newFd, newPtr, newLen) {
      const src = lookup(oldFd, RIGHTS.PATH_LINK_SOURCE, oldPtr, oldLen, oldFlags & LOOKUP_SYMLINK_FOLLOW);
      const dst = lookup(newFd, RIGHTS.PATH_LINK_TARGET, newPtr, newLen, false);
      if (!src.node) fail(ERRNO.NOENT);
      if (dst.node || dst.name === null) fail(ERRNO.EXIST);
      fs.hardLink(src.node, dst.dir, dst.name);
    },
    path_open(fd, dirFlags, pathPtr, pathLen, oflags, base, inheriting, fdflags, retPtr) {
      range(retPtr, 4);
      const dirEntry = getDir(fd, RIGHTS.PATH_OPEN);
      const follow = dirFlags & LOOKUP_SYMLINK_FOLLOW;
      const r = lookup(fd, RIGHTS.PATH_OPEN, pathPtr, pathLen, follow);
      let node = r.node;
      if (node?.kind === 'symlink') fail(ERRNO.LOOP); // O_NOFOLLOW on a symlink
      if (!node) {
        if (!(oflags & OFLAGS.CREAT)) fail(ERRNO.NOENT);
        if (oflags & OFLAGS.DIRECTORY) fail(ERRNO.INVAL);
        if (!has(dirEntry.rights, RIGHTS.PATH_CREATE_FILE)) fail(ERRNO.NOTCAPABLE);
        node = fs.createFile(r.dir, r.name);
      } else if (oflags & OFLAGS.CREAT && oflags & OFLAGS.EXCL) {
        fail(ERRNO.EXIST);
      }
      if (oflags & OFLAGS.DIRECTORY && node.kind !== 'dir') fail(ERRNO.NOTDIR);
      const isDir = node.kind === 'dir';
      // wasi-libc and Rust's std ask for FD_WRITE only when opening for writing.
      if (isDir && (oflags & OFLAGS.TRUNC || has(rightsFromU64(base), RIGHTS.FD_WRITE))) fail(ERRNO.ISDIR);
      if (!isDir && oflags & OFLAGS.TRUNC) fs.setSize(node, 0);
      const mask = isDir ? RIGHTS_DIR | RIGHTS.FD_READ : RIGHTS_FILE;
      const rights = rightsFromU64(base) & dirEntry.inheriting & mask;
      const entry = isDir
        ? new FdEntry('dir', node, rights, rightsFromU64(inheriting) & dirEntry.inheriting, fdflags)
        : new FdEntry('file', node, rights, 0, fdflags);
      if (isDir) entry.sandbox = dirEntry.sandbox;
      setU32(retPtr, allocFd(entry));
    },
    path_readlink(fd, pathPtr, pathLen, buf, bufLen, retPtr) {
      const out = bytesAt(buf, bufLen);
      range(retPtr, 4);
      const r = lookup(fd, RIGHTS.PATH_READLINK, pathPtr, pathLen, false);
      if (!r.node) fail(ERRNO.NOENT);
      if (r.node.kind !== 'symlink') fail(ERRNO.INVAL);
      const target = encoder.encode(r.node.target);
      const n = Math.min(target.length, out.length);
      out.set(target.subarray(0, n));
      setU32(retPtr, n);
    },
    path_remove_directory(fd, pathPtr, pathLen) {
      const r = lookup(fd, RIGHTS.PATH_REMOVE_DIRECTORY, pathPtr, pathLen, false);
      if (r.name === null) fail(r.node === getDir(fd).sandbox ? ERRNO.NOTCAPABLE : ERRNO.INVAL);
      fs.rmdir(r.dir, r.name);
    },
    path_rename(fd, oldPtr, oldLen, newFd, newPtr, newLen) {
      const src = lookup(fd, RIGHTS.PATH_RENAME_SOURCE, oldPtr, oldLen, false);
      const dst = lookup(newFd, RIGHTS.PATH_RENAME_TARGET, newPtr, newLen, false);
      if (src.name === null || dst.name === null) fail(ERRNO.BUSY);
      fs.rename(src.dir, src.name, dst.dir, dst.name);
    },
    path_symlink(oldPtr, oldLen, fd, newPtr, newLen) {
      const target = str(oldPtr, oldLen);
      const r = lookup(fd, RIGHTS.PATH_SYMLINK, newPtr, newLen, false);
      if (r.node || r.name === null) fail(ERRNO.EXIST);
      fs.createSymlink(r.dir, r.name, target);
    },
    path_unlink_file(fd, pathPtr, pathLen) {
      const r = lookup(fd, RIGHTS.PATH_UNLINK_FILE, pathPtr, pathLen, false);
      if (r.name === null) fail(ERRNO.ISDIR);
      fs.unlink(r.dir, r.name);
    },

    poll_oneoff(inPtr, outPtr, count, retPtr) {
      const n = count >>> 0;
      if (n === 0) fail(ERRNO.INVAL);
      const subs = range(inPtr, n * SIZE.SUBSCRIPTION);
      range(outPtr, n * SIZE.EVENT);
      range(retPtr, 4);
      return pollOneoff(subs, outPtr >>> 0, n, retPtr);
    },

    proc_exit(code) {
      throw new WasiExit(code >>> 0);
    },
    proc_raise: () => fail(ERRNO.NOSYS),
    sched_yield: () => {},
    random_get(buf, len) {
      const dest = bytesAt(buf, len);
      for (let off = 0; off < dest.length; off += RANDOM_CHUNK) {
        const part = dest.subarray(off, Math.min(off + RANDOM_CHUNK, dest.length));
        // getRandomValues refuses views of shared memory: fill a private buffer and copy.
        if (shared) part.set(crypto.getRandomValues(new Uint8Array(part.length)));
        else crypto.getRandomValues(part);
      }
    },

    // No network: no fd is ever a socket.
    sock_accept: (fd) => fail(fds.has(fd) ? ERRNO.NOTSOCK : ERRNO.BADF),
    sock_recv: (fd) => fail(fds.has(fd) ? ERRNO.NOTSOCK : ERRNO.BADF),
    sock_send: (fd) => fail(fds.has(fd) ? ERRNO.NOTSOCK : ERRNO.BADF),
    sock_shutdown: (fd) => fail(fds.has(fd) ? ERRNO.NOTSOCK : ERRNO.BADF),
  };

  /**
   * Parses the subscriptions once (relative timeouts start now) and returns `attempt()`, which writes the
   * ready events and returns null, or returns what to wait for: `{ ms, stdin }` (ms may be Infinity).
   */
  function pollOneoff(subs, outPtr, n, retPtr) {
    const now = monoNs();
    const clocks = [];
    const fdSubs = [];
    for (let i = 0; i < n; i++) {
      const p = subs + i * SIZE.SUBSCRIPTION;
      const userdata = dv.getBigUint64(p, true);
      const tag = dv.getUint8(p + 8);
      if (tag === EVENTTYPE.CLOCK) {
        const id = dv.getUint32(p + 16, true);
        const timeout = dv.getBigUint64(p + 24, true);
        const abs = dv.getUint16(p + 40, true) & SUBCLOCK_ABSTIME;
        let deadline;
        if (!abs) deadline = now + timeout;
        else if (id === CLOCK.REALTIME) deadline = now + (timeout - nowNs());
        else deadline = timeout;
        clocks.push({ userdata, deadline, error: id > CLOCK.THREAD_CPUTIME ? ERRNO.INVAL : 0 });
      } else if (tag === EVENTTYPE.FD_READ || tag === EVENTTYPE.FD_WRITE) {
        fdSubs.push({ userdata, tag, fd: dv.getUint32(p + 16, true) });
      } else {
        fail(ERRNO.INVAL);
      }
    }
    const fdReady = (s) => {
      const e = fds.get(s.fd);
      if (!e) return { error: ERRNO.BADF, nbytes: 0n, flags: 0 };
      if (!has(e.rights, RIGHTS.POLL_FD_READWRITE)) return { error: ERRNO.NOTCAPABLE, nbytes: 0n, flags: 0 };
      if (s.tag === EVENTTYPE.FD_READ) {
        if (e.kind === 'stdin') return stdin.poll() ? { error: 0, nbytes: 1n, flags: 0 } : null;
        if (e.kind === 'file')
          return { error: 0, nbytes: BigInt(Math.max(0, e.node.size - e.pos)), flags: 0 };
        if (e.kind === 'dir') return { error: ERRNO.ISDIR, nbytes: 0n, flags: 0 };
        return { error: 0, nbytes: 0n, flags: EVENTRW_HANGUP };
      }
      if (e.kind === 'stdin') return { error: ERRNO.BADF, nbytes: 0n, flags: 0 };
      return { error: e.kind === 'dir' ? ERRNO.ISDIR : 0, nbytes: 0n, flags: 0 };
    };
    const waitsOnStdin = fdSubs.some((s) => s.tag === EVENTTYPE.FD_READ && fds.get(s.fd)?.kind === 'stdin');
    return function attempt() {
      const events = [];
      for (const s of fdSubs) {
        const r = fdReady(s);
        if (r) events.push({ userdata: s.userdata, type: s.tag, ...r });
      }
      const t = monoNs();
      for (const c of clocks) {
        if (c.error || c.deadline <= t) {
          events.push({ userdata: c.userdata, type: EVENTTYPE.CLOCK, error: c.error, nbytes: 0n, flags: 0 });
        }
      }
      if (events.length > 0) {
        for (let i = 0; i < events.length; i++) {
          const p = range(outPtr + i * SIZE.EVENT, SIZE.EVENT);
          const ev = events[i];
          u8.fill(0, p, p + SIZE.EVENT);
          dv.setBigUint64(p, ev.userdata, true);
          dv.setUint16(p + 8, ev.error, true);
          dv.setUint8(p + 10, ev.type);
          dv.setBigUint64(p + 16, ev.nbytes, true);
          dv.setUint16(p + 24, ev.flags, true);
        }
        setU32(retPtr, events.length);
        return null;
      }
      const next = clocks.reduce((m, c) => (m === null || c.deadline < m ? c.deadline : m), null);
      return { ms: next === null ? Infinity : Number(next - t) / 1e6, stdin: waitsOnStdin };
    };
  }

  const errnoOf = (name, err) => {
    if (err instanceof WasiErrno) return err.errno;
    // proc_exit, and an embedder's policy stop (e.g. an output limit thrown by a sink), unwind the guest.
    if (err instanceof WasiExit || err instanceof WasiRunError) throw err;
    if (err instanceof RangeError) return ERRNO.FAULT;
    opts.onInternalError?.(name, err);
    return ERRNO.IO;
  };
  const blockSync = (w) => {
    if (w.stdin && stdin.wait) stdin.wait(w.ms);
    else if (Number.isFinite(w.ms)) sleep(w.ms);
    else fail(ERRNO.NOTSUP); // would block forever on a stdin that cannot be waited on
  };
  const blockAsync = (w) => {
    const waits = [];
    if (w.stdin && stdin.ready) waits.push(stdin.ready());
    if (Number.isFinite(w.ms)) waits.push(new Promise((ok) => setTimeout(ok, Math.max(0, w.ms))));
    if (waits.length === 0) fail(ERRNO.NOTSUP);
    return Promise.race(waits);
  };

  // Every import: run, map failures to errnos (memory views refresh lazily in range()).
  const imports = {};
  for (const name of Object.keys(SIGNATURES)) {
    const fn = wasi[name];
    imports[name] = (a, b, c, d, e, f, g, h, i) => {
      try {
        fn(a, b, c, d, e, f, g, h, i);
        return ERRNO.SUCCESS;
      } catch (err) {
        return errnoOf(name, err);
      }
    };
  }
  // proc_exit returns nothing (and must unwind); keep it out of the errno wrapper.
  imports.proc_exit = wasi.proc_exit;
  imports.poll_oneoff = (inPtr, outPtr, count, retPtr) => {
    try {
      const attempt = wasi.poll_oneoff(inPtr, outPtr, count, retPtr);
      for (let w = attempt(); w; w = attempt()) {
        onBlock(w.stdin && !Number.isFinite(w.ms) ? 'stdin' : 'sleep');
        blockSync(w);
      }
      return ERRNO.SUCCESS;
    } catch (err) {
      return errnoOf('poll_oneoff', err);
    }
  };

  // With JSPI, the two calls that may wait suspend the guest instead of blocking the thread: stdin can
  // then be fed by messages, and sleeping needs neither SharedArrayBuffer nor a spin loop.
  const suspending = opts.suspending === true;
  if (suspending) {
    if (typeof WebAssembly.Suspending !== 'function') {
      throw new WasiRunError('no_jspi', 'suspending mode needs WebAssembly JSPI (WebAssembly.Suspending)');
    }
    const syncRead = imports.fd_read;
    imports.fd_read = new WebAssembly.Suspending((fd, iovs, count, retPtr) => {
      if (fds.get(fd)?.kind === 'stdin' && !stdin.poll() && stdin.ready) {
        onBlock('stdin');
        return stdin.ready().then(() => syncRead(fd, iovs, count, retPtr));
      }
      return syncRead(fd, iovs, count, retPtr);
    });
    imports.poll_oneoff = new WebAssembly.Suspending((inPtr, outPtr, count, retPtr) => {
      let attempt;
      let w;
      try {
        attempt = wasi.poll_oneoff(inPtr, outPtr, count, retPtr);
        w = attempt();
        if (!w) return ERRNO.SUCCESS;
        onBlock(w.stdin && !Number.isFinite(w.ms) ? 'stdin' : 'sleep');
      } catch (err) {
        return errnoOf('poll_oneoff', err);
      }
      return (async () => {
        try {
          while (w) {
            await blockAsync(w);
            w = attempt();
          }
          return ERRNO.SUCCESS;
        } catch (err) {
          return errnoOf('poll_oneoff', err);
        }
      })();
    });
  }

  // Back-pressure on stdout/stderr: after the bytes are handed over, the embedder may hold the guest in its
  // fd_write (blocking, or suspending it with JSPI) until the reader has caught up.
  const outputGate = opts.outputGate;
  if (outputGate) {
    const syncWrite = imports.fd_write;
    const gated = (fd, iovs, count, retPtr) => {
      const kind = fds.get(fd)?.kind;
      const result = syncWrite(fd, iovs, count, retPtr);
      if (kind !== 'stdout' && kind !== 'stderr') return result;
      const wait = outputGate();
      if (!wait) return result;
      if (!suspending) throw new Error('outputGate returned a Promise but the host is not suspending');
      return wait.then(() => result);
    };
    imports.fd_write = suspending ? new WebAssembly.Suspending(gated) : gated;
  }

  return {
    imports: { [WASI_MODULE]: imports },
    fs,
    /** Binds the guest's memory (the `memory` export) without running anything; for reactors and tests. */
    bind(instanceOrMemory) {
      const mem =
        instanceOrMemory instanceof WebAssembly.Memory ? instanceOrMemory : instanceOrMemory.exports.memory;
      if (!(mem instanceof WebAssembly.Memory)) {
        throw new WasiRunError('missing_memory', 'a WASI module must export its memory as "memory"');
      }
      memory = mem;
      refresh();
    },
    /**
     * Runs a command's `_start`; returns its exit code (0 when `_start` returns), or a Promise of it in
     * suspending mode. Traps propagate (reject).
     */
    start(instance) {
      this.bind(instance);
      const entry = instance.exports._start;
      if (typeof entry !== 'function') {
        throw new WasiRunError('missing_start', 'a WASI command must export "_start"');
      }
      const exitCode = (err) => {
        if (err instanceof WasiExit) return err.exitCode;
        throw err;
      };
      // A prepared module's start function is exported as `__ugc_start` (it no longer runs during
      // instantiation, so it is metered like the rest): it runs first, as the start section would.
      const init = instance.exports.__ugc_start;
      if (suspending) {
        const run = async () => {
          if (typeof init === 'function') await WebAssembly.promising(init)();
          await WebAssembly.promising(entry)();
        };
        return run().then(() => 0, exitCode);
      }
      try {
        if (typeof init === 'function') init();
        entry();
        return 0;
      } catch (err) {
        return exitCode(err);
      }
    },
    /** Initializes a reactor (`_initialize`, if exported). */
    initialize(instance) {
      this.bind(instance);
      instance.exports._initialize?.();
    },
  };
}

/**
 * One open fd. Every kind shares this one shape so the per-call property loads stay monomorphic
 * (object literals of four shapes made fd_fdstat_get ~5x slower once a program had used files).
 */
class FdEntry {
  constructor(kind, node, rights, inheriting, flags) {
    this.kind = kind; // 'stdin' | 'stdout' | 'stderr' | 'file' | 'dir'
    this.node = node; // FileNode | DirNode | null (stdio)
    this.pos = 0; // files: the offset
    this.rights = rights;
    this.inheriting = inheriting;
    this.flags = flags;
    this.sandbox = null; // dirs: the preopen this fd may not leave
    this.preopen = null; // preopens: the name the guest sees (bytes)
  }
}

function filetype(node) {
  if (node.kind === 'dir') return FILETYPE.DIRECTORY;
  if (node.kind === 'file') return FILETYPE.REGULAR_FILE;
  return FILETYPE.SYMBOLIC_LINK;
}

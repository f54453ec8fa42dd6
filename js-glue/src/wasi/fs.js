// In-memory file system for the WASI host: one tree of directories, files and
// symlinks. Pure JS, usable in any context. Path resolution is sandboxed to a
// root directory (a preopen): `..` may not climb above it and absolute symlink
// targets are refused, as preview-1 requires.

import { ERRNO } from './constants.js';
import { WasiErrno } from './errors.js';

const MAX_SYMLINKS = 40;
const MAX_NAME = 255;
const fail = (errno) => {
  throw new WasiErrno(errno);
};
// File timestamps are taken on every read and write, so they use the cheap millisecond wall clock and
// reuse the BigInt while the millisecond has not changed (performance.now() costs up to ~1 µs per call in
// some browsers, and a BigInt per call adds GC work). Millisecond granularity is plenty for file times.
let lastMs = -1;
let lastNs = 0n;
export function fileTimeNs() {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastNs = BigInt(ms) * 1000000n;
  }
  return lastNs;
}
const nowNs = fileTimeNs;
const encoder = new TextEncoder();

class Node {
  constructor(fs, kind) {
    this.kind = kind;
    this.ino = BigInt(fs.nextIno++);
    this.nlink = 1n;
    this.atim = this.mtim = this.ctim = nowNs();
  }
}

export class FileNode extends Node {
  constructor(fs) {
    super(fs, 'file');
    this.data = new Uint8Array(0); // capacity may exceed size
    this.size = 0;
  }
  bytes() {
    return this.data.subarray(0, this.size);
  }
}

export class DirNode extends Node {
  constructor(fs, parent) {
    super(fs, 'dir');
    this.entries = new Map();
    this.parent = parent ?? this; // the root is its own parent
  }
}

export class SymlinkNode extends Node {
  constructor(fs, target) {
    super(fs, 'symlink');
    this.target = target;
  }
}

export class MemFS {
  /** @param {{ maxBytes?: number }} [opts] maxBytes caps the total size of all files (ENOSPC beyond). */
  constructor({ maxBytes = 256 * 1024 * 1024 } = {}) {
    this.nextIno = 1;
    this.maxBytes = maxBytes;
    this.usedBytes = 0;
    this.root = new DirNode(this, null);
  }

  /**
   * Builds a tree from `{ '/a/b.txt': bytesOrString, '/dir/': null }`; a key ending in '/' is a directory.
   * Parent directories are created as needed.
   */
  static fromFiles(files = {}, opts) {
    const fs = new MemFS(opts);
    for (const [path, content] of Object.entries(files)) {
      if (path.endsWith('/')) fs.mkdirp(path);
      else fs.writeFile(path, content ?? new Uint8Array(0));
    }
    return fs;
  }

  // ---- absolute-path helpers for the embedder (not sandboxed) ----

  mkdirp(absPath) {
    let dir = this.root;
    for (const name of splitAbs(absPath)) {
      let next = dir.entries.get(name);
      if (!next) next = this.createDir(dir, name);
      if (next.kind !== 'dir') fail(ERRNO.NOTDIR);
      dir = next;
    }
    return dir;
  }

  writeFile(absPath, content) {
    const parts = splitAbs(absPath);
    const name = parts.pop();
    if (!name) throw new TypeError(`not a file path: ${absPath}`);
    const dir = this.mkdirp('/' + parts.join('/'));
    const bytes = typeof content === 'string' ? encoder.encode(content) : toBytes(content);
    let file = dir.entries.get(name);
    if (!file) file = this.createFile(dir, name);
    if (file.kind !== 'file') fail(ERRNO.ISDIR);
    this.setSize(file, 0);
    this.write(file, 0, bytes);
    return file;
  }

  /** The node at an absolute path (symlinks followed), or undefined. */
  lookup(absPath) {
    try {
      return this.resolve(this.root, this.root, splitAbs(absPath).join('/') || '.', true).node ?? undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * The whole tree in the input format: `files` maps '/path' to a copy of its bytes and '/dir/' to null
   * (every directory); `symlinks` maps '/path' to the link's target.
   */
  toFiles() {
    const files = {};
    const symlinks = {};
    const walk = (dir, prefix) => {
      if (prefix !== '/') files[prefix] = null;
      for (const [name, node] of [...dir.entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        const path = prefix + name;
        if (node.kind === 'dir') walk(node, path + '/');
        else if (node.kind === 'file') files[path] = node.bytes().slice();
        else symlinks[path] = node.target;
      }
    };
    walk(this.root, '/');
    return { files, symlinks };
  }

  // ---- sandboxed resolution ----

  /**
   * Resolves `path` relative to `base`, never leaving `sandbox`. Returns `{ dir, name, node }`: the
   * directory holding the final component, its name (null for '.'/'..'), and the node there or null.
   * Intermediate symlinks are always followed; the final one only when `follow`.
   */
  resolve(base, sandbox, path, follow) {
    if (path.length === 0) fail(ERRNO.NOENT);
    if (path.includes('\0')) fail(ERRNO.INVAL);
    const mustBeDir = path.endsWith('/');
    let parts = path.split('/');
    if (parts[0] === '') fail(ERRNO.NOTCAPABLE); // absolute paths are not relative to a directory fd
    parts = parts.filter((p) => p !== '' && p !== '.');
    let dir = base;
    let links = 0;
    for (;;) {
      if (parts.length === 0) return { dir, name: null, node: dir };
      const name = parts.shift();
      if (name.length > MAX_NAME) fail(ERRNO.NAMETOOLONG);
      const last = parts.length === 0;
      if (name === '..') {
        if (dir === sandbox) fail(ERRNO.NOTCAPABLE);
        dir = dir.parent;
        if (last) return { dir, name: null, node: dir };
        continue;
      }
      const node = dir.entries.get(name) ?? null;
      if (node?.kind === 'symlink' && (!last || follow || mustBeDir)) {
        if (++links > MAX_SYMLINKS) fail(ERRNO.LOOP);
        if (node.target.startsWith('/')) fail(ERRNO.NOTCAPABLE);
        const expanded = node.target.split('/').filter((p) => p !== '' && p !== '.');
        if (node.target.endsWith('/') && last) expanded.push('.');
        parts = expanded.concat(parts);
        if (parts.length === 0) return { dir, name: null, node: dir };
        continue;
      }
      if (last) {
        if (mustBeDir && node && node.kind !== 'dir') fail(ERRNO.NOTDIR);
        return { dir, name, node };
      }
      if (!node) fail(ERRNO.NOENT);
      if (node.kind !== 'dir') fail(ERRNO.NOTDIR);
      dir = node;
    }
  }

  // ---- tree edits (callers have checked names and permissions) ----

  createFile(dir, name) {
    const file = new FileNode(this);
    this.#link(dir, name, file);
    return file;
  }

  createDir(dir, name) {
    const sub = new DirNode(this, dir);
    this.#link(dir, name, sub);
    return sub;
  }

  createSymlink(dir, name, target) {
    const link = new SymlinkNode(this, target);
    this.#link(dir, name, link);
    return link;
  }

  hardLink(node, dir, name) {
    if (node.kind === 'dir') fail(ERRNO.PERM);
    this.#link(dir, name, node);
    node.nlink++;
    node.ctim = nowNs();
  }

  unlink(dir, name) {
    const node = dir.entries.get(name);
    if (!node) fail(ERRNO.NOENT);
    if (node.kind === 'dir') fail(ERRNO.ISDIR);
    dir.entries.delete(name);
    this.#touch(dir);
    if (--node.nlink === 0n && node.kind === 'file') {
      // Open fds may still use the data; the quota is released now, as a real FS would on last close.
      this.usedBytes -= node.size;
    }
  }

  rmdir(dir, name) {
    const node = dir.entries.get(name);
    if (!node) fail(ERRNO.NOENT);
    if (node.kind !== 'dir') fail(ERRNO.NOTDIR);
    if (node.entries.size > 0) fail(ERRNO.NOTEMPTY);
    dir.entries.delete(name);
    node.nlink = 0n;
    this.#touch(dir);
  }

  rename(srcDir, srcName, dstDir, dstName) {
    const node = srcDir.entries.get(srcName);
    if (!node) fail(ERRNO.NOENT);
    const existing = dstDir.entries.get(dstName);
    if (existing === node) return;
    if (node.kind === 'dir') {
      // A directory may not move into its own subtree.
      for (let d = dstDir; ; d = d.parent) {
        if (d === node) fail(ERRNO.INVAL);
        if (d.parent === d) break;
      }
      if (existing && existing.kind !== 'dir') fail(ERRNO.NOTDIR);
      if (existing && existing.entries.size > 0) fail(ERRNO.NOTEMPTY);
    } else if (existing?.kind === 'dir') {
      fail(ERRNO.ISDIR);
    }
    if (existing) {
      if (existing.kind === 'dir') this.rmdir(dstDir, dstName);
      else this.unlink(dstDir, dstName);
    }
    srcDir.entries.delete(srcName);
    dstDir.entries.set(dstName, node);
    if (node.kind === 'dir') node.parent = dstDir;
    node.ctim = nowNs();
    this.#touch(srcDir);
    this.#touch(dstDir);
  }

  #link(dir, name, node) {
    if (name.length > MAX_NAME) fail(ERRNO.NAMETOOLONG);
    if (dir.entries.has(name)) fail(ERRNO.EXIST);
    dir.entries.set(name, node);
    this.#touch(dir);
  }

  #touch(node) {
    node.mtim = node.ctim = nowNs();
  }

  // ---- file contents ----

  /** Copies up to `len` bytes at `pos` into `dest` (a Uint8Array view); returns the count. */
  readInto(file, pos, dest) {
    if (pos >= file.size) return 0;
    const n = Math.min(dest.length, file.size - pos);
    dest.set(file.data.subarray(pos, pos + n));
    return n;
  }

  /** Writes `bytes` at `pos`, growing the file (a gap reads as zeros). */
  write(file, pos, bytes) {
    const end = pos + bytes.length;
    if (end > file.size) this.setSize(file, end);
    file.data.set(bytes, pos);
    file.mtim = file.ctim = nowNs();
    return bytes.length;
  }

  setSize(file, size) {
    if (!Number.isSafeInteger(size) || size < 0) fail(ERRNO.INVAL);
    const delta = size - file.size;
    if (delta > 0 && this.usedBytes + delta > this.maxBytes) fail(ERRNO.NOSPC);
    if (size > file.data.length) {
      // Geometric growth keeps appends amortised O(1).
      let cap = Math.max(size, Math.min(file.data.length * 2, size + 64 * 1024 * 1024), 256);
      const grown = new Uint8Array(cap);
      grown.set(file.data.subarray(0, file.size));
      file.data = grown;
    } else if (size < file.size) {
      file.data.fill(0, size, file.size); // so a later extension reads zeros
    }
    file.size = size;
    this.usedBytes += delta;
    file.mtim = file.ctim = nowNs();
  }
}

function splitAbs(absPath) {
  if (typeof absPath !== 'string' || !absPath.startsWith('/')) {
    throw new TypeError(`expected an absolute path, got ${JSON.stringify(absPath)}`);
  }
  const out = [];
  for (const p of absPath.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') out.pop();
    else out.push(p);
  }
  return out;
}

function toBytes(content) {
  if (content instanceof Uint8Array) return content;
  if (content instanceof ArrayBuffer) return new Uint8Array(content);
  if (ArrayBuffer.isView(content))
    return new Uint8Array(content.buffer, content.byteOffset, content.byteLength);
  throw new TypeError('file content must be a string, Uint8Array, ArrayBuffer or null');
}

export { splitAbs };

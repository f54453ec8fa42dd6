#!/usr/bin/env node
// Godot PCK writer (pack format version 3, Godot 4.4+), so tests and demos can ship a project to the web
// engine without the Godot editor. Mirrors what the editor's exporter writes
// (editor/export/editor_export_platform.cpp: _store_header, _save_pack_file, _encrypt_and_store_directory) and
// what the loader reads (core/io/file_access_pack.cpp: PackedSourcePCK::try_open_pack).
//
// Layout (little-endian; offsets from the start of the pack):
//   0x00 "GDPC"  0x04 u32 format version (3)  0x08 u32 major, minor, patch  0x14 u32 pack flags (2 = REL_FILEBASE)
//   0x18 u64 file_base  0x20 u64 dir_offset  0x28 16 x u32 reserved  (header ends at 0x68, zero-padded to 0x70)
//   file_base: file contents, each zero-padded to 16 bytes
//   dir_offset: u32 count, then per file sorted by UTF-8 path: u32 padded path length, path (no "res://") padded
//     with NULs to a multiple of 4, u64 offset from file_base, u64 size, 16-byte MD5, u32 flags (0)
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACK_HEADER_MAGIC = 0x43504447; // "GDPC"
export const PACK_FORMAT_VERSION = 3;
export const PACK_REL_FILEBASE = 1 << 1;
export const HEADER_SIZE = 0x68;
export const FILE_ALIGNMENT = 16;
export const DEFAULT_ENGINE_VERSION = Object.freeze([4, 6, 0]);
export const CLASS_CACHE_PATH = '.godot/global_script_class_cache.cfg';

/** A PCK-building failure with a stable `code`. */
export class PckError extends Error {
  constructor(code, message, where) {
    super(where ? `${message} (${where})` : message);
    this.name = 'PckError';
    this.code = code;
    this.where = where;
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

const padTo = (n, alignment) => (alignment - (n % alignment)) % alignment;

/**
 * Normalise a resource path to the form the pack directory stores: relative, `/`-separated, no `res://`.
 * Refuses anything the engine would resolve outside `res://` or could not look up.
 */
export function normalizePackPath(p) {
  if (typeof p !== 'string' || p.length === 0)
    throw new PckError('pck_bad_path', 'empty resource path', String(p));
  let rel = p.startsWith('res://') ? p.slice('res://'.length) : p;
  if (rel.includes('\\')) throw new PckError('pck_bad_path', 'backslash in resource path', p);
  if (rel.includes('\0')) throw new PckError('pck_bad_path', 'NUL in resource path', p);
  if (rel.startsWith('/')) throw new PckError('pck_bad_path', 'absolute resource path', p);
  const parts = rel.split('/');
  if (parts.some((s) => s === '' || s === '.' || s === '..'))
    throw new PckError('pck_bad_path', 'empty, "." or ".." segment in resource path', p);
  return rel;
}

function toBytes(content, where) {
  if (typeof content === 'string') return encoder.encode(content);
  if (content instanceof Uint8Array) return content;
  if (content instanceof ArrayBuffer) return new Uint8Array(content);
  throw new PckError('pck_bad_content', 'file content must be a string, Uint8Array or ArrayBuffer', where);
}

/**
 * Build a standalone PCK.
 *
 * @param {Map<string, Uint8Array|string> | Record<string, Uint8Array|string>} files resource path (with or
 *   without `res://`) -> contents (strings are written as UTF-8)
 * @param {{ engineVersion?: [number, number, number] }} [options] version stamped in the header; the engine
 *   refuses packs from a newer major.minor than itself
 * @returns {Uint8Array}
 */
export function buildPck(files, options = {}) {
  const [major, minor, patch] = options.engineVersion ?? DEFAULT_ENGINE_VERSION;
  const entries = [];
  const seen = new Set();
  const iterable = files instanceof Map ? files.entries() : Object.entries(files ?? {});
  for (const [rawPath, content] of iterable) {
    const rel = normalizePackPath(rawPath);
    if (seen.has(rel))
      throw new PckError('pck_duplicate_path', 'the same resource path was given twice', rel);
    seen.add(rel);
    const data = toBytes(content, rel);
    entries.push({ rel, pathBytes: encoder.encode(rel), data, md5: createHash('md5').update(data).digest() });
  }
  if (entries.length === 0) throw new PckError('pck_empty', 'a pack needs at least one file');
  // The exporter sorts its directory by the UTF-8 path bytes; contents are stored in the same order.
  entries.sort((a, b) => Buffer.compare(Buffer.from(a.pathBytes), Buffer.from(b.pathBytes)));

  const fileBase = HEADER_SIZE + padTo(HEADER_SIZE, FILE_ALIGNMENT);
  let cursor = 0;
  for (const e of entries) {
    e.offset = cursor; // relative to file_base (PACK_REL_FILEBASE)
    cursor += e.data.length + padTo(e.data.length, FILE_ALIGNMENT);
  }
  const dirOffset = fileBase + cursor;
  let dirSize = 4;
  for (const e of entries) {
    e.paddedLen = e.pathBytes.length + padTo(e.pathBytes.length, 4);
    dirSize += 4 + e.paddedLen + 8 + 8 + 16 + 4;
  }

  const out = new Uint8Array(dirOffset + dirSize); // zero-filled: padding and reserved words come for free
  const view = new DataView(out.buffer);
  view.setUint32(0x00, PACK_HEADER_MAGIC, true);
  view.setUint32(0x04, PACK_FORMAT_VERSION, true);
  view.setUint32(0x08, major, true);
  view.setUint32(0x0c, minor, true);
  view.setUint32(0x10, patch, true);
  view.setUint32(0x14, PACK_REL_FILEBASE, true);
  view.setBigUint64(0x18, BigInt(fileBase), true);
  view.setBigUint64(0x20, BigInt(dirOffset), true);

  for (const e of entries) out.set(e.data, fileBase + e.offset);

  let at = dirOffset;
  view.setUint32(at, entries.length, true);
  at += 4;
  for (const e of entries) {
    view.setUint32(at, e.paddedLen, true);
    out.set(e.pathBytes, at + 4);
    at += 4 + e.paddedLen;
    view.setBigUint64(at, BigInt(e.offset), true);
    view.setBigUint64(at + 8, BigInt(e.data.length), true);
    out.set(e.md5, at + 16);
    view.setUint32(at + 32, 0, true); // file flags: plain file
    at += 36;
  }
  return out;
}

/**
 * Parse a PCK (format 3, unencrypted) back into its parts. For tests and debugging.
 *
 * @param {Uint8Array} bytes
 * @returns {{ version: number, engine: number[], flags: number, fileBase: number, dirOffset: number,
 *   files: { path: string, offset: number, size: number, md5: string, flags: number, data: Uint8Array }[] }}
 */
export function readPck(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (at, n, what) => {
    if (at + n > bytes.length)
      throw new PckError('pck_truncated', `pack ends inside ${what}`, `offset ${at}`);
  };
  need(0, HEADER_SIZE, 'the header');
  if (view.getUint32(0, true) !== PACK_HEADER_MAGIC)
    throw new PckError('pck_bad_magic', 'not a PCK (no GDPC magic)', 'offset 0');
  const version = view.getUint32(4, true);
  if (version !== PACK_FORMAT_VERSION)
    throw new PckError('pck_bad_version', `unsupported pack format version ${version}`, 'offset 4');
  const engine = [view.getUint32(8, true), view.getUint32(12, true), view.getUint32(16, true)];
  const flags = view.getUint32(0x14, true);
  if (flags & 1)
    throw new PckError('pck_encrypted', 'encrypted pack directories are not supported', 'offset 0x14');
  // With PACK_REL_FILEBASE, file_base counts from the pack's start, which is 0 for a standalone pack.
  const fileBase = Number(view.getBigUint64(0x18, true));
  const dirOffset = Number(view.getBigUint64(0x20, true));
  need(dirOffset, 4, 'the directory');
  const count = view.getUint32(dirOffset, true);
  const files = [];
  let at = dirOffset + 4;
  for (let i = 0; i < count; i++) {
    need(at, 4, 'a directory entry');
    const len = view.getUint32(at, true);
    need(at + 4, len + 36, 'a directory entry');
    const raw = bytes.subarray(at + 4, at + 4 + len);
    const end = raw.indexOf(0);
    const p = decoder.decode(end === -1 ? raw : raw.subarray(0, end));
    at += 4 + len;
    const offset = Number(view.getBigUint64(at, true));
    const size = Number(view.getBigUint64(at + 8, true));
    const md5 = Buffer.from(bytes.subarray(at + 16, at + 32)).toString('hex');
    const fileFlags = view.getUint32(at + 32, true);
    at += 36;
    need(fileBase + offset, size, `the contents of ${p}`);
    files.push({
      path: p,
      offset,
      size,
      md5,
      flags: fileFlags,
      data: bytes.subarray(fileBase + offset, fileBase + offset + size),
    });
  }
  return { version, engine, flags, fileBase, dirOffset, files, end: at };
}

// ---------------------------------------------------------------------------------------------------------
// Global script class cache (.godot/global_script_class_cache.cfg)

/**
 * What the editor's scan learns from one GDScript file's top level: `class_name` (null when there is none),
 * `extends`, `@tool`, `@abstract`. A line scan, not a parser: enough for the scripts this project ships.
 *
 * @param {string} source
 * @returns {{ className: string|null, extends: { kind: 'name'|'path', value: string } | null, isTool: boolean, isAbstract: boolean }}
 */
export function scanGdscript(source) {
  const result = { className: null, extends: null, isTool: false, isAbstract: false };
  let pendingAbstract = false;
  for (const rawLine of source.split(/\r?\n/)) {
    if (/^\s/.test(rawLine)) continue; // only top-level statements; inner classes are indented or `class X`
    const line = rawLine.replace(/#.*$/, '').trim();
    if (!line) continue;
    let rest = line;
    // Annotations may share a line with the statement they annotate (`@abstract class_name Foo`).
    for (;;) {
      const m = /^@(\w+)(\([^)]*\))?\s*/.exec(rest);
      if (!m) break;
      if (m[1] === 'tool') result.isTool = true;
      if (m[1] === 'abstract') pendingAbstract = true;
      rest = rest.slice(m[0].length);
    }
    if (!rest) continue;
    const cls = /^class_name\s+([A-Za-z_]\w*)/.exec(rest);
    if (cls) {
      result.className = cls[1];
      if (pendingAbstract) result.isAbstract = true;
      rest = rest.slice(cls[0].length).trim();
      if (rest.startsWith(',')) rest = rest.slice(1).trim(); // 3.x-style `class_name X, "icon.svg"`
    }
    const ext = /^extends\s+(?:"([^"]*)"|'([^']*)'|([A-Za-z_]\w*))/.exec(rest);
    if (ext) {
      const quoted = ext[1] ?? ext[2];
      result.extends =
        quoted !== undefined ? { kind: 'path', value: quoted } : { kind: 'name', value: ext[3] };
    }
    if (!cls && !/^extends\b/.test(rest)) pendingAbstract = false;
  }
  return result;
}

function resolveScriptPath(fromRel, target) {
  if (target.startsWith('res://')) return target.slice('res://'.length);
  return path.posix.normalize(path.posix.join(path.posix.dirname(fromRel), target));
}

/**
 * The global class list the editor would write for these files: one entry per `.gd` file with a `class_name`,
 * sorted by class name, each `{ base, class, icon, is_abstract, is_tool, language, path }`. `base` is the
 * parent's class name: the identifier after `extends`, or for `extends "path.gd"` the first named ancestor
 * along that chain, or `RefCounted` when the chain ends without `extends` (GDScript's default base).
 *
 * @param {Map<string, Uint8Array|string>} files normalised pack paths -> contents
 */
export function globalClassList(files) {
  const scans = new Map();
  for (const [rel, content] of files) {
    if (!rel.endsWith('.gd')) continue;
    const text = typeof content === 'string' ? content : new TextDecoder().decode(toBytes(content, rel));
    scans.set(rel, scanGdscript(text));
  }
  const baseOf = (rel, seen = new Set()) => {
    const s = scans.get(rel);
    if (!s || !s.extends) return 'RefCounted';
    if (s.extends.kind === 'name') return s.extends.value;
    const parent = resolveScriptPath(rel, s.extends.value);
    if (seen.has(parent)) return 'RefCounted'; // a cycle: the engine reports it; don't loop here
    seen.add(parent);
    const ps = scans.get(parent);
    if (ps?.className) return ps.className;
    return baseOf(parent, seen);
  };
  const list = [];
  for (const [rel, s] of scans) {
    if (!s.className) continue;
    list.push({
      base: baseOf(rel, new Set([rel])),
      class: s.className,
      icon: '',
      is_abstract: s.isAbstract,
      is_tool: s.isTool,
      language: 'GDScript',
      path: `res://${rel}`,
    });
  }
  // Godot sorts with StringName::AlphCompare (plain code-point order).
  list.sort((a, b) => (a.class < b.class ? -1 : a.class > b.class ? 1 : 0));
  return list;
}

function gdString(s) {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/**
 * Render the class list as the ConfigFile text Godot writes (VariantWriter: dictionary keys sorted, StringNames
 * as `&"..."`, a typed `Array[Dictionary]`).
 */
export function renderClassCache(list) {
  const stringNameKeys = new Set(['base', 'class', 'language']);
  const dicts = list.map((entry) => {
    const body = Object.keys(entry)
      .sort()
      .map((k) => {
        const v = entry[k];
        const value =
          typeof v === 'boolean' ? String(v) : stringNameKeys.has(k) ? `&${gdString(v)}` : gdString(v);
        return `${gdString(k)}: ${value}`;
      })
      .join(',\n');
    return `{\n${body}\n}`;
  });
  return `list=Array[Dictionary]([${dicts.join(', ')}])\n`;
}

/** Return a copy of `files` with `.godot/global_script_class_cache.cfg` generated (unless already present). */
export function withClassCache(files) {
  const out = new Map();
  for (const [p, c] of files instanceof Map ? files : Object.entries(files)) out.set(normalizePackPath(p), c);
  if (!out.has(CLASS_CACHE_PATH)) out.set(CLASS_CACHE_PATH, renderClassCache(globalClassList(out)));
  return out;
}

/**
 * Read a project directory into pack paths -> bytes: every file except hidden files and directories (names
 * starting with `.`, as the editor skips them; `.godot/` is generated), directories holding a `.gdignore`, and
 * the editor-only `export_presets.cfg`.
 */
export function readProjectFiles(dir) {
  const root = path.resolve(dir);
  if (!statSync(root, { throwIfNoEntry: false })?.isDirectory())
    throw new PckError('pck_no_project', 'project directory does not exist', root);
  const files = new Map();
  const walk = (abs, rel) => {
    const names = readdirSync(abs).sort();
    if (rel && names.includes('.gdignore')) return;
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const childAbs = path.join(abs, name);
      const childRel = rel ? `${rel}/${name}` : name;
      const st = statSync(childAbs);
      if (st.isDirectory()) walk(childAbs, childRel);
      else if (st.isFile() && !(rel === '' && name === 'export_presets.cfg'))
        files.set(childRel, readFileSync(childAbs));
    }
  };
  walk(root, '');
  if (!files.has('project.godot'))
    throw new PckError('pck_no_project', 'no project.godot in the project directory', root);
  return files;
}

/** Pack a project directory (plus its generated global script class cache) into a PCK. */
export function packDirectory(dir, options = {}) {
  return buildPck(withClassCache(readProjectFiles(dir)), options);
}

function main(argv) {
  if (argv.length !== 2 || argv[0] === '-h' || argv[0] === '--help') {
    process.stderr.write('usage: node godot-web-export/tools/pck.mjs <project-dir> <out.pck>\n');
    return 2;
  }
  try {
    const bytes = packDirectory(argv[0]);
    writeFileSync(argv[1], bytes);
    const { files } = readPck(bytes);
    process.stdout.write(`wrote ${argv[1]}: ${bytes.length} bytes, ${files.length} files\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`pck: ${err.code ?? 'error'}: ${err.message}\n`);
    return 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}

// The PCK builder: byte layout checked field by field, then the real test — Godot 4.6 loads what it writes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  CLASS_CACHE_PATH,
  buildPck,
  globalClassList,
  packDirectory,
  readPck,
  readProjectFiles,
  renderClassCache,
  scanGdscript,
  withClassCache,
} from '../godot-web-export/tools/pck.mjs';
import { REPO_ROOT, bootGodot, launchBrowser } from './lib/godot.mjs';

const PROJECTS = path.join(REPO_ROOT, 'godot-web-export/test-projects');
const PCK_CLI = path.join(REPO_ROOT, 'godot-web-export/tools/pck.mjs');
const md5 = (bytes) => createHash('md5').update(bytes).digest('hex');
const u32 = (b, at) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).readUInt32LE(at);
const u64 = (b, at) => Number(Buffer.from(b.buffer, b.byteOffset, b.byteLength).readBigUInt64LE(at));

describe('buildPck layout', () => {
  const files = new Map([
    ['res://zeta.txt', 'z'], // given out of order and with res:// on purpose
    ['abcd', new Uint8Array([1, 2, 3, 4])], // path length 4: no NUL padding
    ['dir/é.bin', new Uint8Array(17).fill(7)], // 17 bytes: padded to 32; UTF-8 path of 10 bytes -> 12
    ['Alpha.txt', ''], // empty file; uppercase sorts before lowercase
  ]);
  const pck = buildPck(files);

  test('header: magic, format 3, engine 4.6.0, PACK_REL_FILEBASE, file_base 0x70, reserved zeros', () => {
    assert.equal(Buffer.from(pck.subarray(0, 4)).toString('latin1'), 'GDPC');
    assert.equal(u32(pck, 0x04), 3);
    assert.deepEqual([u32(pck, 0x08), u32(pck, 0x0c), u32(pck, 0x10)], [4, 6, 0]);
    assert.equal(u32(pck, 0x14), 2);
    assert.equal(u64(pck, 0x18), 0x70);
    assert.ok(
      pck.subarray(0x28, 0x70).every((b) => b === 0),
      'reserved words and header padding are zero',
    );
  });

  test('engine version is configurable', () => {
    const old = buildPck({ 'a.txt': 'x' }, { engineVersion: [4, 4, 1] });
    assert.deepEqual([u32(old, 0x08), u32(old, 0x0c), u32(old, 0x10)], [4, 4, 1]);
  });

  test('directory is sorted by UTF-8 path bytes, res:// stripped', () => {
    assert.deepEqual(
      readPck(pck).files.map((f) => f.path),
      ['Alpha.txt', 'abcd', 'dir/é.bin', 'zeta.txt'],
    );
  });

  test('contents follow the header in directory order, each 16-byte aligned and zero padded', () => {
    const { files: entries, fileBase, dirOffset } = readPck(pck);
    let expected = 0;
    for (const e of entries) {
      assert.equal(e.offset, expected, `${e.path} offset`);
      assert.equal((fileBase + e.offset) % 16, 0);
      const padded = Math.ceil(e.size / 16) * 16;
      assert.ok(
        pck.subarray(fileBase + e.offset + e.size, fileBase + e.offset + padded).every((b) => b === 0),
      );
      expected += padded;
    }
    assert.equal(dirOffset, fileBase + expected, 'directory starts right after the last padded file');
    assert.equal(u64(pck, 0x20), dirOffset);
  });

  test('sizes, MD5s, flags and contents match the input', () => {
    const byPath = new Map(readPck(pck).files.map((f) => [f.path, f]));
    const expect = {
      'Alpha.txt': Buffer.from(''),
      abcd: Buffer.from([1, 2, 3, 4]),
      'dir/é.bin': Buffer.alloc(17, 7),
      'zeta.txt': Buffer.from('z'),
    };
    for (const [p, data] of Object.entries(expect)) {
      const e = byPath.get(p);
      assert.equal(e.size, data.length, `${p} size`);
      assert.equal(e.md5, md5(data), `${p} md5`);
      assert.equal(e.flags, 0);
      assert.deepEqual(Buffer.from(e.data), data);
    }
  });

  test('path entries: u32 length rounded up to 4, NUL padded, nothing after the directory', () => {
    const dirOffset = u64(pck, 0x20);
    assert.equal(u32(pck, dirOffset), 4, 'file count');
    let at = dirOffset + 4;
    const seen = [];
    for (let i = 0; i < 4; i++) {
      const len = u32(pck, at);
      const raw = Buffer.from(pck.subarray(at + 4, at + 4 + len));
      const text = raw.toString('utf8').replace(/\0+$/, '');
      seen.push([text, len, raw.length - Buffer.byteLength(text)]);
      at += 4 + len + 8 + 8 + 16 + 4;
    }
    assert.deepEqual(seen, [
      ['Alpha.txt', 12, 3],
      ['abcd', 4, 0],
      ['dir/é.bin', 12, 2],
      ['zeta.txt', 8, 0],
    ]);
    assert.equal(at, pck.length, 'the directory is the end of a standalone pack');
  });

  test('strings are stored as UTF-8; objects work like maps', () => {
    const p = readPck(buildPck({ 'u.txt': '日本' }));
    assert.deepEqual(Buffer.from(p.files[0].data), Buffer.from('日本'));
  });

  test('bad input is refused with a typed error', () => {
    const cases = [
      [{}, 'pck_empty'],
      [{ '../x': 'a' }, 'pck_bad_path'],
      [{ '/abs': 'a' }, 'pck_bad_path'],
      [{ 'a\\b': 'a' }, 'pck_bad_path'],
      [{ 'a//b': 'a' }, 'pck_bad_path'],
      [{ '': 'a' }, 'pck_bad_path'],
      [{ 'a.txt': 42 }, 'pck_bad_content'],
      [
        new Map([
          ['a.txt', 'x'],
          ['res://a.txt', 'y'],
        ]),
        'pck_duplicate_path',
      ],
    ];
    for (const [input, code] of cases)
      assert.throws(() => buildPck(input), { code }, JSON.stringify([...Object.entries(input)]));
  });

  test('readPck refuses what is not a format-3 pack', () => {
    assert.throws(() => readPck(new Uint8Array(0x70)), { code: 'pck_bad_magic' });
    const v2 = buildPck({ 'a.txt': 'x' });
    v2[4] = 2;
    assert.throws(() => readPck(v2), { code: 'pck_bad_version' });
    assert.throws(() => readPck(pck.subarray(0, pck.length - 3)), { code: 'pck_truncated' });
  });
});

describe('global script class cache', () => {
  test('scanGdscript reads class_name, extends, @tool and @abstract from the top level only', () => {
    assert.deepEqual(scanGdscript('class_name Foo extends Node2D\n'), {
      className: 'Foo',
      extends: { kind: 'name', value: 'Node2D' },
      isTool: false,
      isAbstract: false,
    });
    assert.deepEqual(scanGdscript('@tool\n# class_name Nope\nclass_name Bar\nextends "res://x.gd"\n'), {
      className: 'Bar',
      extends: { kind: 'path', value: 'res://x.gd' },
      isTool: true,
      isAbstract: false,
    });
    assert.equal(scanGdscript('@abstract class_name Shape\nextends Resource\n').isAbstract, true);
    assert.equal(scanGdscript('extends Node\n\nclass Inner:\n\tclass_name Fake\n').className, null);
  });

  test('the list is sorted by class, bases resolve through unnamed parent scripts, RefCounted by default', () => {
    const list = globalClassList(readProjectFiles(path.join(PROJECTS, 'classes')));
    assert.deepEqual(
      list.map((e) => [e.class, e.base, e.path, e.is_tool, e.is_abstract]),
      [
        ['Derived', 'ToolBase', 'res://sub/derived.gd', false, false],
        ['Greeter', 'RefCounted', 'res://greeter.gd', false, false],
        ['Leaf', 'ToolBase', 'res://sub/leaf.gd', false, false],
        ['Plain', 'RefCounted', 'res://plain.gd', false, false],
        ['ShapeBase', 'Resource', 'res://sub/shape_base.gd', false, true],
        ['ToolBase', 'Node', 'res://tool_base.gd', true, false],
      ],
    );
  });

  test('an empty list renders as the editor writes it', () => {
    assert.equal(renderClassCache([]), 'list=Array[Dictionary]([])\n');
  });

  test('packDirectory adds the cache, skips hidden files and export_presets.cfg', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ugc-pck-'));
    try {
      cpSync(path.join(PROJECTS, 'hello'), dir, { recursive: true });
      writeFileSync(path.join(dir, '.hidden'), 'x');
      writeFileSync(path.join(dir, 'export_presets.cfg'), 'x');
      const paths = readPck(packDirectory(dir)).files.map((f) => f.path);
      assert.deepEqual(paths, [CLASS_CACHE_PATH, 'main.gd', 'main.tscn', 'project.godot']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('pck.mjs command line', () => {
  test('packs a project directory to a file identical to packDirectory()', () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'ugc-pck-')), 'game.pck');
    const r = spawnSync(process.execPath, [PCK_CLI, path.join(PROJECTS, 'hello'), out], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(readFileSync(out), Buffer.from(packDirectory(path.join(PROJECTS, 'hello'))));
    rmSync(path.dirname(out), { recursive: true, force: true });
  });

  test('usage errors exit 2, a missing project exits 1 with the error code', () => {
    assert.equal(spawnSync(process.execPath, [PCK_CLI]).status, 2);
    const r = spawnSync(process.execPath, [PCK_CLI, '/nonexistent-project', '/tmp/x.pck'], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /pck_no_project/);
  });
});

describe('Godot 4.6 loads the packs', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('a packed project runs: its scene loads and its script prints', async () => {
    const godot = await bootGodot({ projectDir: path.join(PROJECTS, 'hello'), browser });
    try {
      assert.match(await godot.waitForLine(/^hello from _ready/), /4\.6-stable/);
      assert.deepEqual(godot.scriptErrors(), []);
    } finally {
      await godot.close();
    }
  });

  test('the generated class cache is byte-identical to what Godot itself writes, and class_name works', async () => {
    const dir = path.join(PROJECTS, 'classes');
    const godot = await bootGodot({ projectDir: dir, browser });
    try {
      assert.equal(await godot.waitForExit(), 0);
      assert.deepEqual(godot.console.grep(/^UGC_GREETING /), ['UGC_GREETING hello classes']);
      assert.deepEqual(godot.console.grep(/^UGC_LEAF_IS_TOOLBASE /), ['UGC_LEAF_IS_TOOLBASE true']);
      const line = godot.console.lines.find((l) => l.startsWith('UGC_CLASS_LIST '));
      const fromEngine = JSON.parse(line.slice('UGC_CLASS_LIST '.length));
      const ours = withClassCache(readProjectFiles(dir)).get(CLASS_CACHE_PATH);
      assert.equal(ours, fromEngine);
      assert.deepEqual(godot.console.errors, []);
    } finally {
      await godot.close();
    }
  });

  test('without the cache, class_name scripts cannot be used (the cache is required, not cosmetic)', async () => {
    const files = readProjectFiles(path.join(PROJECTS, 'classes'));
    const godot = await bootGodot({ pckBytes: buildPck(files), browser });
    try {
      await godot.waitForLine(/Failed to load script "res:\/\/main\.gd"/);
      assert.ok(godot.console.grep(/Could not load global script cache/).length > 0);
      assert.ok(godot.console.grep(/Identifier "Greeter" not declared/).length > 0);
    } finally {
      await godot.close();
    }
  });
});

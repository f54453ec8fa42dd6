#!/usr/bin/env node
// Boot godot-web-export/test-projects/variants in the real Godot 4.6 web engine and write what it printed:
//   crate/tests/fixtures/godot-variants.json      var_to_bytes() of every encodable Variant type
//   crate/tests/fixtures/godot-bytes-to-var.json  bytes_to_var() of hand-made (often malformed) byte strings
// Usage: node scripts/gen-variant-fixtures.mjs [--check]   (--check: compare with the committed files instead)
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bootGodot, REPO_ROOT } from '../tests-web/lib/godot.mjs';

const PROJECT = path.join(REPO_ROOT, 'godot-web-export/test-projects/variants');
export const VARIANTS_OUT = path.join(REPO_ROOT, 'crate/tests/fixtures/godot-variants.json');
export const DECODES_OUT = path.join(REPO_ROOT, 'crate/tests/fixtures/godot-bytes-to-var.json');

/** Run the project; return the parsed variant and decode records in the order the engine printed them. */
export async function collectFixtures(options = {}) {
  const godot = await bootGodot({ projectDir: PROJECT, browser: options.browser });
  try {
    await godot.waitForLine(/^UGC_DONE /, { timeout: 60_000 });
    const bad = godot.console.grep(/UGC_BAD_EXPRESSION/);
    if (bad.length) throw new Error(`the variants project has bad expressions:\n${bad.join('\n')}`);
    return { ...parseLines(godot.console.messages), engine: godot.console.grep(/^Godot Engine v/)[0] ?? '' };
  } finally {
    await godot.close();
  }
}

const NODE_PATH = 22;

/**
 * Godot's encoder skips (does not write) the padding after each NodePath name, so var_to_bytes() leaves whatever
 * the buffer held there (seen: "a" + "080", different on every run). Return the hex with those padding bytes
 * zeroed, i.e. what a correct encoder writes; a decoder must ignore them.
 */
export function zeroNodePathPadding(hex) {
  const bytes = Buffer.from(hex, 'hex');
  const u32 = (at) => bytes.readUInt32LE(at);
  // header, name count | 0x80000000 (new format), subname count, flags
  const count = (u32(4) & 0x7fffffff) + u32(8);
  let at = 16;
  for (let i = 0; i < count; i++) {
    const len = u32(at);
    at += 4 + len;
    const pad = (4 - (len % 4)) % 4;
    bytes.fill(0, at, at + pad);
    at += pad;
  }
  if (at !== bytes.length) throw new Error(`NodePath encoding of unexpected length: ${hex}`);
  return bytes.toString('hex');
}

/** Turn the console messages into records; engine errors printed during a decode case are attached to it. */
export function parseLines(messages) {
  const variants = [];
  const decodes = [];
  let pendingErrors = null;
  for (const { type, text } of messages) {
    if (text.startsWith('UGC_VARIANT ')) {
      const v = JSON.parse(text.slice('UGC_VARIANT '.length));
      const hex = v.type === NODE_PATH ? zeroNodePathPadding(v.hex) : v.hex;
      const record = { name: v.name, gdscript: v.gdscript, hex, type: v.type, type_name: v.type_name };
      // The engine's own bytes differ from run to run in those padding bytes, so only the fact is recorded.
      if (v.type === NODE_PATH) record.engine_padding_uninitialized = true;
      record.text = v.text;
      record.roundtrip_equal = v.roundtrip_equal;
      if (!v.roundtrip_equal) record.roundtrip_type = v.roundtrip_type;
      if (v.object_id !== undefined) record.object_id = v.object_id;
      variants.push(record);
    } else if (text.startsWith('UGC_DECODE_BEGIN ')) {
      pendingErrors = [];
    } else if (text.startsWith('UGC_DECODE ')) {
      const d = JSON.parse(text.slice('UGC_DECODE '.length));
      decodes.push({
        name: d.name,
        hex: d.hex,
        result_type: d.result_type,
        result_type_name: d.result_type_name,
        result_text: d.result_text,
        errors: pendingErrors ?? [],
      });
      pendingErrors = null;
    } else if (pendingErrors && type === 'error') {
      pendingErrors.push(text.trim());
    }
  }
  return { variants, decodes };
}

function stableJson(records) {
  return `[\n${records.map((r) => `  ${JSON.stringify(r)}`).join(',\n')}\n]\n`;
}

/** The fixture files' exact text for these records: [[absolute path, text], ...]. */
export function renderFixtureFiles({ variants, decodes }) {
  const names = new Set();
  for (const v of [
    ...variants.map((r) => `var_to_bytes:${r.name}`),
    ...decodes.map((r) => `bytes_to_var:${r.name}`),
  ]) {
    if (names.has(v)) throw new Error(`duplicate fixture name ${v}`);
    names.add(v);
  }
  return [
    [VARIANTS_OUT, stableJson(variants)],
    [DECODES_OUT, stableJson(decodes)],
  ];
}

async function main() {
  const check = process.argv.includes('--check');
  const fixtures = await collectFixtures();
  let stale = false;
  for (const [file, text] of renderFixtureFiles(fixtures)) {
    if (!check) {
      writeFileSync(file, text);
      continue;
    }
    let old = '';
    try {
      old = readFileSync(file, 'utf8');
    } catch {}
    if (old !== text) {
      stale = true;
      process.stderr.write(`${path.relative(REPO_ROOT, file)} differs from what the engine prints now\n`);
    }
  }
  const { variants, decodes, engine } = fixtures;
  process.stdout.write(
    `${engine}: ${variants.length} var_to_bytes cases, ${decodes.length} bytes_to_var cases\n`,
  );
  if (stale) process.exitCode = 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    process.stderr.write(`${err.stack ?? err}\n`);
    process.exitCode = 1;
  });
}

// The committed Variant fixtures (crate/tests/fixtures/godot-*.json) are what the real engine prints today,
// and they cover every Variant type Godot 4.6 has.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  DECODES_OUT,
  VARIANTS_OUT,
  collectFixtures,
  renderFixtureFiles,
} from '../scripts/gen-variant-fixtures.mjs';

const VARIANT_MAX = 39; // NIL 0 … PACKED_VECTOR4_ARRAY 38

test('the committed fixtures match what Godot 4.6 prints now (regenerate: node scripts/gen-variant-fixtures.mjs)', async () => {
  const fixtures = await collectFixtures();
  for (const [file, text] of renderFixtureFiles(fixtures))
    assert.equal(readFileSync(file, 'utf8'), text, file);
});

test('var_to_bytes fixtures cover every Variant type, with well-formed hex and a matching header type', () => {
  const variants = JSON.parse(readFileSync(VARIANTS_OUT, 'utf8'));
  const types = new Set(variants.map((v) => v.type));
  // OBJECT-typed values that are null or freed encode as NIL; all other types appear as themselves.
  for (let t = 0; t < VARIANT_MAX; t++) assert.ok(types.has(t), `no fixture of Variant type ${t}`);
  for (const v of variants) {
    assert.match(v.hex, /^([0-9a-f]{8})+$/, `${v.name}: whole u32 words of lowercase hex`);
    const header = Buffer.from(v.hex, 'hex').readUInt32LE(0);
    if (v.name !== 'object_freed') assert.equal(header & 0xff, v.type, `${v.name}: header type`);
    assert.ok(v.gdscript.length > 0 && v.name.length > 0);
  }
  // An Object is encoded as its ObjectID (flag 0x10000 + u64): the recorded id is the one in the bytes.
  const node = variants.find((v) => v.name === 'object_node');
  assert.equal(Buffer.from(node.hex, 'hex').readUInt32LE(0), 24 | 0x10000);
  assert.equal(Buffer.from(node.hex, 'hex').readBigUInt64LE(4), BigInt(node.object_id));
  const decodes = JSON.parse(readFileSync(DECODES_OUT, 'utf8'));
  assert.ok(decodes.some((d) => d.errors.length > 0) && decodes.some((d) => d.errors.length === 0));
});

// The guest SDK examples (guest/out/*.wasm) running through dist/ugc-wasm.js in Chromium, with their
// ScriptHost wired to every `ugc` import, in both isolation modes.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { REPO_ROOT, arr, openRuntimePage } from './runtime-harness.mjs';

const EXAMPLES = ['avatar_bob', 'toggle_prop', 'face_driver', 'sphere_mesh', 'c_spinner'];

let harness;
before(async () => {
  const built = spawnSync('bash', ['scripts/build-guests.sh'], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(built.status, 0, `build-guests.sh failed:\n${built.stderr}`);
  harness = await openRuntimePage();
  const modules = Object.fromEntries(
    EXAMPLES.map((name) => [name, arr(readFileSync(join(REPO_ROOT, 'guest', 'out', `${name}.wasm`)))]),
  );
  await harness.page.evaluate((modules) => {
    window.EXAMPLES = Object.fromEntries(
      Object.entries(modules).map(([name, bytes]) => [name, window.bytes(bytes)]),
    );
  }, modules);
});
after(async () => {
  assert.deepEqual(harness.pageErrors, [], 'no uncaught errors on the page');
  await harness.close();
});

const SELF = 77;

for (const isolation of ['instance', 'worker']) {
  test(`${isolation}: avatar_bob bobs its node over frames, through the batch`, async () => {
    const r = await harness.page.evaluate(
      async ({ isolation, SELF }) => {
        const logs = [];
        const s = await rt.load(EXAMPLES.avatar_bob, {
          isolation,
          self: { id: SELF, class: 'Node3D' },
          onLog: (m) => logs.push(m),
        });
        // position as raw Variant bytes (an ArrayBuffer): Vector3(1, 2, 3).
        const v = new DataView(new ArrayBuffer(16));
        v.setUint32(0, 9, true);
        [1, 2, 3].forEach((c, i) => v.setFloat32(4 + 4 * i, c, true));
        await s.setNodeProperty('position', v.buffer);
        await s.call('_ready');
        await s.setProperty('amplitude', 0.5);
        const frames = [];
        for (let i = 0; i < 8; i++) {
          await s.call('_process', 1 / 30);
          frames.push(rt.decodeVariant(await s.takeBatch()));
        }
        const stats = s.stats();
        const amplitude = await s.getProperty('amplitude');
        s.dispose();
        return { frames, stats, logs, amplitude };
      },
      { isolation, SELF },
    );
    assert.deepEqual(r.logs, []);
    assert.equal(r.amplitude, 0.5);
    const ys = [];
    for (const batch of r.frames) {
      assert.equal(batch.length, 2, JSON.stringify(batch));
      const [set, obj, prop, value] = batch[0];
      assert.deepEqual([set, obj, prop], [0, SELF, 'position']);
      assert.equal(value.x, 1);
      assert.equal(value.z, 3);
      assert.ok(Math.abs(value.y - 2) <= 0.5 + 1e-6, `bob within amplitude: ${value.y}`);
      assert.equal(batch[1][2], 'rotation');
      ys.push(value.y);
    }
    // y = base + amplitude · sin(2π · frequency · t), frequency 1.5 Hz by default, t = k/30 s.
    ys.forEach((y, i) => {
      const expected = 2 + 0.5 * Math.sin(2 * Math.PI * 1.5 * ((i + 1) / 30));
      assert.ok(Math.abs(y - expected) < 1e-5, `frame ${i}: ${y} vs ${expected}`);
    });
    assert.equal(r.stats.abiErrors, 0);
    assert.equal(r.stats.liveHandles, 0, 'the SDK released every handle');
  });

  test(`${isolation}: toggle_prop emits toggled and rescales on a property change`, async () => {
    const r = await harness.page.evaluate(
      async ({ isolation, SELF }) => {
        const s = await rt.load(EXAMPLES.toggle_prop, { isolation, self: { id: SELF } });
        await s.setProperty('on', true);
        const on = rt.decodeVariant(await s.takeBatch());
        await s.setProperty('on', false);
        const off = rt.decodeVariant(await s.takeBatch());
        const bad = await attempt(() => s.setProperty('on', 'yes'));
        const missing = await attempt(() => s.setProperty('nope', 1));
        const stats = s.stats();
        await s.setProperty('on', true);
        await s.reset();
        // reset keeps the node's declared property values and drops the queued batch.
        const afterReset = { on: await s.getProperty('on'), batch: rt.decodeVariant(await s.takeBatch()) };
        s.dispose();
        return { on, off, bad, missing, stats, afterReset };
      },
      { isolation, SELF },
    );
    assert.deepEqual(r.on, [
      [0, SELF, 'scale', { x: 1.25, y: 1.25, z: 1.25 }],
      [2, SELF, 'toggled', [true]],
    ]);
    assert.deepEqual(r.off, [
      [0, SELF, 'scale', { x: 1, y: 1, z: 1 }],
      [2, SELF, 'toggled', [false]],
    ]);
    assert.equal(r.bad.error.code, 'abi_error');
    assert.match(r.bad.error.message, /wrong_type/);
    assert.equal(r.missing.error.code, 'abi_error');
    assert.match(r.missing.error.message, /not_found/);
    assert.equal(r.stats.liveHandles, 0);
    assert.deepEqual(r.afterReset, { on: true, batch: [] });
  });

  test(`${isolation}: face_driver.express maps a Dictionary to blend-shape weights`, async () => {
    const r = await harness.page.evaluate(
      async ({ isolation }) => {
        const logs = [];
        const s = await rt.load(EXAMPLES.face_driver, { isolation, onLog: (m) => logs.push(m) });
        const full = await s.callMethod('express', { smile: 1, jaw: 0.5 });
        const batch = rt.decodeVariant(await s.takeBatch());
        await s.setProperty('intensity', 0.5);
        const half = await s.callMethod('express', { smile: 1, jaw: 0.5 });
        const stats = s.stats();
        s.dispose();
        return { full, half, batch, logs, stats };
      },
      { isolation },
    );
    assert.deepEqual(r.logs, []);
    assert.equal(r.full.mouthSmileLeft, 1);
    assert.equal(r.full.eyeSquintLeft, 0.3);
    assert.equal(r.full.jawOpen, 0.5);
    assert.equal(r.full.mouthFrownLeft, 0);
    assert.equal(r.half.mouthSmileLeft, 0.5);
    assert.equal(r.half.jawOpen, 0.25);
    assert.equal(r.batch.length, Object.keys(r.full).length, 'one blend-shape write per weight');
    assert.equal(r.stats.liveHandles, 0);
  });

  test(`${isolation}: sphere_mesh.generate returns Packed arrays of consistent sizes`, async () => {
    const r = await harness.page.evaluate(
      async ({ isolation }) => {
        const s = await rt.load(EXAMPLES.sphere_mesh, { isolation });
        await s.setProperty('rings', 4);
        await s.setProperty('segments', 6);
        await s.setProperty('radius', 2);
        const mesh = await s.callMethod('generate');
        const stats = s.stats();
        s.dispose();
        const kind = (v) => v.constructor.name;
        let maxRadius = 0;
        for (let i = 0; i < mesh.vertices.length; i += 3) {
          maxRadius = Math.max(
            maxRadius,
            Math.hypot(mesh.vertices[i], mesh.vertices[i + 1], mesh.vertices[i + 2]),
          );
        }
        return {
          kinds: Object.fromEntries(Object.entries(mesh).map(([k, v]) => [k, kind(v)])),
          vertices: mesh.vertices.length / 3,
          normals: mesh.normals.length / 3,
          uvs: mesh.uvs.length / 2,
          indices: mesh.indices.length,
          maxIndex: Math.max(...mesh.indices),
          maxRadius,
          stats,
        };
      },
      { isolation },
    );
    assert.deepEqual(r.kinds, {
      vertices: 'Float32Array',
      normals: 'Float32Array',
      uvs: 'Float32Array',
      indices: 'Int32Array',
    });
    assert.equal(r.vertices, (4 + 1) * (6 + 1));
    assert.equal(r.normals, r.vertices);
    assert.equal(r.uvs, r.vertices);
    assert.equal(r.indices, 4 * 6 * 6);
    assert.ok(r.maxIndex < r.vertices);
    assert.ok(Math.abs(r.maxRadius - 2) < 1e-5, String(r.maxRadius));
    assert.equal(r.stats.liveHandles, 0);
  });

  test(`${isolation}: c_spinner queues rotate_y every frame and emits turned once per turn`, async () => {
    const r = await harness.page.evaluate(
      async ({ isolation, SELF }) => {
        const s = await rt.load(EXAMPLES.c_spinner, { isolation, self: { id: SELF } });
        await s.setProperty('speed', Math.PI);
        const batches = [];
        for (let i = 0; i < 5; i++) {
          await s.call('_process', 0.6);
          batches.push(rt.decodeVariant(await s.takeBatch()));
        }
        const stats = s.stats();
        s.dispose();
        return { batches, stats };
      },
      { isolation, SELF },
    );
    for (const batch of r.batches) {
      assert.equal(batch[0][0], 1);
      assert.equal(batch[0][2], 'rotate_y');
      assert.ok(Math.abs(batch[0][3][0] - 0.6 * Math.PI) < 1e-9);
    }
    // 0.6π per frame: the 4th frame completes the first turn.
    assert.deepEqual(
      r.batches.map((b) => b.length),
      [1, 1, 1, 2, 1],
    );
    assert.deepEqual(r.batches[3][1], [2, SELF, 'turned', [1]]);
    assert.equal(r.stats.abiErrors, 0);
    assert.equal(r.stats.liveHandles, 0);
  });
}

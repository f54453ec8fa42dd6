// A sample consumer of dist/ugc-wasm.js, type-checked (never run) by `npx tsc -p tests-web/types`
// (scripts/test.sh, after `npm run build`): it uses every declared API of dist/ugc-wasm.d.ts, and the
// `@ts-expect-error` lines prove misuse is rejected. See docs/JS-API.md "TypeScript".

import {
  createRuntime,
  ERROR_CODES,
  UgcError,
  ValidationError,
  type Bridge,
  type DeferredWasiProcess,
  type EffectivePolicy,
  type ErrorCode,
  type GroupFault,
  type HostMemoryStats,
  type Instancing,
  type LoadOptions,
  type Policy,
  type Runtime,
  type Script,
  type ScriptStats,
  type SharedGroup,
  type SharedView,
  type VariantValue,
  type WasiErrorCode,
  type WasiModule,
  type WasiOutputStats,
  type WasiProcess,
  type WasiRunError,
  type WasiRunResult,
} from '../../dist/ugc-wasm.js';

declare const bytes: Uint8Array;
declare const buffer: ArrayBuffer;
declare const signal: AbortSignal;

const policy: Policy = {
  fuel_per_call: 1_000_000,
  max_memory_pages: 64,
  max_host_memory: 4 << 20,
  max_live_handles: 1024,
  timeout_ms: 500,
  features: ['bulk_memory', 'multi_value'],
  abi_versions: [1],
  imports: [{ module: 'ugc', name: 'log', params: ['i32', 'i32'], results: [] }],
};

function codeName(code: ErrorCode): string {
  switch (code) {
    case 'validation':
    case 'fuel_exhausted':
    case 'timeout':
    case 'trap':
    case 'stack_overflow':
    case 'memory_limit':
    case 'bad_pointer':
    case 'faulted':
    case 'disposed':
    case 'unknown_export':
    case 'bad_argument':
    case 'load_failed':
    case 'abi_error':
    case 'reentrant':
      return code;
  }
}

function describe(error: unknown): string {
  if (error instanceof ValidationError) {
    const first = error.errors[0];
    return `${error.code}: ${first?.code ?? ''} at ${first?.offset ?? '-'} (${error.report?.sha256 ?? 'no report'})`;
  }
  if (error instanceof UgcError) {
    const parts: string[] = [codeName(error.code), error.message];
    if (error.export != null) parts.push(error.export);
    if (error.trap !== undefined) parts.push(error.trap);
    if (error.fault !== undefined) parts.push(error.fault);
    if (error.reason !== undefined) parts.push(error.reason);
    if (error.errors !== undefined) parts.push(String(error.errors.length));
    if (error.cause instanceof UgcError) parts.push(error.cause.code);
    return parts.join(' ');
  }
  if (error instanceof Error && error.name === 'WasiRunError') {
    const wasi = error as WasiRunError;
    const code: WasiErrorCode = wasi.code;
    const stderr = new TextDecoder().decode(wasi.stderr ?? new Uint8Array(0));
    return `${code} ${wasi.where ?? ''} ${wasi.status ?? ''} ${wasi.expected ?? ''} ${wasi.actual ?? ''} ${stderr}`;
  }
  return String(error);
}

const known: readonly ErrorCode[] = ERROR_CODES;
const reentrant: ErrorCode = 'reentrant';
const memoryLimit: ErrorCode = 'memory_limit';
const backlog: WasiErrorCode = 'output_backlog';
const outputLimit: WasiErrorCode = 'output_limit';
void [known, reentrant, memoryLimit, backlog, outputLimit];

async function runtimeApi(): Promise<Runtime> {
  const rt = await createRuntime({ policy, onLog: (message) => console.log(message), wasiPolicy: {} });
  await createRuntime();

  const verdict = rt.validate(bytes, { max_functions: 10 });
  if (!verdict.ok) for (const e of verdict.errors) console.log(e.code, e.message, e.offset);
  const report = verdict.report;
  if (report !== null) {
    const exported: string[] = report.exports.map(
      (e) => `${e.kind} ${e.name} ${e.signature?.params.join(',')}`,
    );
    console.log(exported, report.memories[0]?.effective.maximum, report.features_used, report.has_start);
  }
  rt.validate(new DataView(new ArrayBuffer(8)));

  const abi = rt.abi();
  console.log(
    abi.version,
    abi.imports.map((f) => `${f.module}.${f.name}(${f.params.join()})`),
  );
  const caps = rt.capabilities();
  const node3d = caps.classes['Node3D'];
  console.log(
    node3d?.parent,
    node3d?.properties['position'],
    node3d?.methods['rotate_y'],
    caps.always_refused,
  );
  const effective: EffectivePolicy = rt.policy();
  console.log(effective.max_host_memory, effective.fuel_per_call);
  const { liveScripts, cachedModules, cacheHits, compiles, coreMemoryBytes } = rt.stats();
  console.log(liveScripts + cachedModules + cacheHits + compiles + coreMemoryBytes);

  const encoded: Uint8Array = rt.encodeVariant({ a: [1, 2n, 'x', null, true], b: new Float32Array(3) });
  const decoded: VariantValue = rt.decodeVariant(encoded);
  console.log(decoded, rt.decodeVariant(buffer));
  const instancing: Instancing = rt.instancing(bytes);
  console.log(instancing === 'shared' ? 'loadShared' : 'load');
  return rt;
}

async function scriptApi(rt: Runtime): Promise<void> {
  const bridge: Bridge = {
    classOf: (id) => (id === 77n ? 'Node3D' : null),
    get: (_id, name) => (name === 'visible' ? rt.encodeVariant(true) : undefined),
    call: (_id, _name, argsBytes) => (argsBytes.length > 0 ? null : undefined),
  };
  const options: LoadOptions = {
    isolation: 'instance',
    fuel: 10_000_000n,
    maxMemoryPages: 256,
    onLog: (message: string) => console.log(message),
    self: { id: 77, class: 'Node3D' },
    bridge,
  };
  const script: Script = await rt.load(bytes, options);
  const worker = await rt.load(buffer, { isolation: 'worker', timeoutMs: 1000, fuel: 5_000 });

  const sum = await script.call('add', 2, 3);
  const wide = script.callSync('add64', 2n, 3n);
  if (typeof sum === 'number' && typeof wide === 'bigint') console.log(sum + Number(wide));
  console.log(await worker.call('add', 1, 2));

  const smiled: VariantValue = await script.callMethod('express', { smile: 1 }, [1, 2], 'x');
  await script.setProperty('on', true);
  await script.setProperty('raw', new ArrayBuffer(16));
  const on = await script.getProperty('on');
  await script.setNodeProperty('position', new Uint8Array(16).buffer);
  const batch: Uint8Array = await script.takeBatch();
  console.log(smiled, on, rt.decodeVariant(batch));

  const stats: ScriptStats = script.stats();
  const hostMemory: HostMemoryStats | null = stats.hostMemory;
  if (hostMemory !== null) console.log(hostMemory.bytes, hostMemory.peak, hostMemory.limit);
  console.log(
    stats.abiErrors,
    stats.liveHandles,
    stats.fuelUsed,
    stats.fuelLimit,
    stats.memoryBytes,
    stats.calls,
    stats.faulted,
    stats.lastError?.code,
    stats.logs,
    stats.isolation,
  );
  console.log(script.report.sha256, script.report.manifest.instancing, script.instancing, script.isolation);

  try {
    await script.call('missing');
  } catch (error) {
    console.log(describe(error));
  }
  await script.reset();
  script.dispose();
  worker.dispose();
}

async function sharedApi(rt: Runtime): Promise<void> {
  const group: SharedGroup = await rt.loadShared(bytes, {
    isolation: 'instance',
    fuel: 100_000,
    maxMemoryPages: 16,
    onLog: (message, self) => console.log(message, self?.id, self?.class),
    bridge: null,
  });
  await rt.loadShared(bytes);
  const view: SharedView = group.attach({ self: { id: 77n, class: 'Node3D' } });
  const other = group.attach();
  const fault: GroupFault | null = group.callEach([view, other], '_process', 0.016);
  if (fault !== null) console.log(fault.code, fault.message, fault.export, fault.trap);
  const frame: Uint8Array = group.takeBatch();
  console.log(frame, group.size, group.fault?.code, group.report.manifest.instancing, group.disposed);
  const g = group.stats();
  console.log(
    g.views,
    g.calls,
    g.fuelUsed,
    g.fuelLimit,
    g.memoryBytes,
    g.batchLen,
    g.faulted,
    g.lastError,
    g.logs,
  );
  console.log(group.isolation, group.instancing);

  console.log(view.callSync('tick', 1), await view.call('tick', 2));
  console.log(await view.callMethod('express', 1), view.callMethodBytes('express', rt.encodeVariant([1])));
  view.setPropertySync('on', true);
  await view.setProperty('on', false);
  const value: VariantValue = view.property('on');
  console.log(value, await view.getProperty('on'), view.propertyBytes('on'));
  view.setNodeProperty('position', { x: 1, y: 2, z: 3 });
  console.log(await view.takeBatch());
  const vs = view.stats();
  console.log(vs.slot, vs.instancing, vs.hostMemory?.limit, vs.liveHandles, vs.calls);
  console.log(
    view.slot,
    view.self.id,
    view.self.class,
    view.state,
    view.fault,
    view.group?.size,
    view.report,
  );
  await view.reset().catch((error: unknown) => describe(error));
  view.dispose();
  await group.reset();
  group.dispose();
}

async function wasiApi(rt: Runtime): Promise<void> {
  const r: WasiRunResult = await rt.runWasi(bytes, {
    args: ['prog', '-x'],
    env: { K: 'v' },
    files: { '/data/in.txt': 'text', '/data/bin': new Uint8Array(4), '/data/empty-dir/': null },
    preopens: ['/'],
    stdin: 'all of stdin',
    timeoutMs: null,
    fuel: 1e9,
    fuelPerInput: false,
    signal,
    maxFsBytes: 256 << 20,
    maxOutputBytes: 64 << 20,
    persist: { service: 'avatar', path: '/data' },
  });
  console.log(r.exitCode, r.stdout, r.stderr, r.files['/data/out.txt'], r.symlinks, r.fuelApplied);

  const p: WasiProcess = rt.spawnWasi(bytes, {
    maxUnreadOutputBytes: 1 << 20,
    outputMode: 'messages',
    stdinMode: 'pipe',
    timeoutMs: 5000,
  });
  const reader = p.stdout.getReader();
  const chunk = await reader.read();
  if (!chunk.done) console.log(chunk.value.byteLength);
  await p.stderr.cancel();
  p.write('line\n');
  p.write(new Uint8Array([1, 2]));
  p.closeStdin();
  const flow: WasiOutputStats = p.stats();
  console.log(
    flow.outputMode,
    flow.maxUnreadOutputBytes,
    flow.unreadBytes,
    flow.maxUnreadBytes,
    flow.receivedBytes,
    flow.readBytes,
    flow.writtenBytes,
    flow.paused,
    p.stdinMode,
    p.outputMode,
  );
  p.kill();
  const code: number = await p.exited;
  const exit = await p.result;
  console.log(code, exit.exitCode, exit.files, exit.symlinks, exit.fuelApplied);

  const m: WasiModule = await rt.fetchModule('/services/face.wasm', {
    sha256: 'ab'.repeat(32),
    onProgress: (progress) => console.log(progress.phase, progress.loaded, progress.total, progress.source),
    signal,
    metering: false,
    compileStreaming: true,
    refresh: false,
    persist: true,
  });
  console.log(m.module, m.sha256, m.size, m.metered, m.source, m.streamingCompile, m.url, m.timings.totalMs);
  await rt.runWasi(m, { args: ['face'], stdin: 'smile=1\n' });
  rt.spawnWasi(m).kill();
  await rt.runWasi({ url: '/x.wasm', sha256: 'ab'.repeat(32) }, { onProgress: (progress) => progress.phase });
  const deferred: DeferredWasiProcess = rt.spawnWasi({ url: new URL('https://example.com/x.wasm') });
  const later: WasiOutputStats | null = deferred.stats();
  console.log(later?.paused, deferred.stdinMode ?? 'not started', deferred.outputMode);
  await deferred.exited.catch((error: unknown) => describe(error));
  const { downloads, memoryHits, storageHits } = rt.wasiModuleStats();
  console.log(downloads + memoryHits + storageHits);
  await rt.clearWasiModules({ persistent: true });
  await rt.clearWasiModules();
}

async function misuse(rt: Runtime, script: Script, group: SharedGroup): Promise<void> {
  // @ts-expect-error: isolation is 'instance' or 'worker'
  await rt.load(bytes, { isolation: 'thread' });
  // @ts-expect-error: no such load option (it is maxMemoryPages)
  await rt.load(bytes, { maxPages: 16 });
  // @ts-expect-error: the policy is snake_case
  await createRuntime({ policy: { fuelPerCall: 10 } });
  // @ts-expect-error: shared instancing is instance isolation only
  await rt.loadShared(bytes, { isolation: 'worker' });
  // @ts-expect-error: loadShared takes no timeoutMs
  await rt.loadShared(bytes, { timeoutMs: 10 });
  // @ts-expect-error: Script has no such method
  script.invoke('add', 1);
  // @ts-expect-error: call arguments are numbers or BigInts
  await script.call('add', '2');
  // @ts-expect-error: callEach indexes its views: an array, not any iterable
  group.callEach(new Set([group.attach()]), '_process');
  // @ts-expect-error: a group has no callSync (its views do)
  group.callSync('tick');
  // @ts-expect-error: not a documented error code
  const code: ErrorCode = 'out_of_fuel';
  // @ts-expect-error: stats() fields are read-only numbers, not functions
  script.stats().calls();
  // @ts-expect-error: maxUnreadOutputBytes is a number
  rt.spawnWasi(bytes, { maxUnreadOutputBytes: '1MiB' });
  // @ts-expect-error: outputMode is 'pipe' | 'messages' | 'none'
  rt.spawnWasi(bytes, { outputMode: 'shared' });
  // @ts-expect-error: a bare WebAssembly.Module would skip validation
  await rt.runWasi(new WebAssembly.Module(bytes));
  // @ts-expect-error: a deferred handle's stats may be null
  const flow: WasiOutputStats = rt.spawnWasi({ url: '/x.wasm' }).stats();
  // @ts-expect-error: hostMemory may be null
  console.log(script.stats().hostMemory.bytes, code, flow);
}

export async function main(): Promise<void> {
  const rt = await runtimeApi();
  await scriptApi(rt);
  await sharedApi(rt);
  await wasiApi(rt);
  await misuse(rt, await rt.load(bytes), await rt.loadShared(bytes));
}

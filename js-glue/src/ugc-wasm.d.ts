// TypeScript declarations of the public JS API of dist/ugc-wasm.js (docs/JS-API.md, docs/WASI.md).
// Hand-written from the code in js-glue/src; kept true by `npx tsc -p tests-web/types` (scripts/test.sh),
// which type-checks tests-web/types/consumer.ts against dist/ugc-wasm.d.ts.

// ---------------------------------------------------------------------------------------------------------
// Inputs and values

/** Module bytes: an ArrayBuffer or any ArrayBuffer view (typed array, DataView). */
export type ModuleBytes = ArrayBuffer | ArrayBufferView;

/** An argument of `call`/`callSync`: a number for i32/f32/f64, a BigInt for i64. */
export type WasmArg = number | bigint;

/** What `call`/`callSync` return: one result, several as an array, `undefined` for none. */
export type WasmResult = number | bigint | Array<number | bigint> | undefined;

/** A Vector2/3/4 decoded from a Variant. */
export interface VariantVector {
  x: number;
  y: number;
  z?: number;
  w?: number;
}

/** A Color decoded from a Variant. */
export interface VariantColor {
  r: number;
  g: number;
  b: number;
  a: number;
}

/** A plain JS value as it comes back from a Variant (docs/JS-API.md "Values"). */
export type VariantValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | Int32Array
  | BigInt64Array
  | Float32Array
  | Float64Array
  | VariantVector
  | VariantColor
  | VariantValue[]
  | { [key: string]: VariantValue };

/** A plain JS value that can become a Variant (`undefined` is NIL). */
export type VariantInput =
  | undefined
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | Int32Array
  | BigInt64Array
  | Float32Array
  | Float64Array
  | VariantInput[]
  | { [key: string]: VariantInput };

/** A property value: a JS value, or an ArrayBuffer taken as Variant bytes as they are. */
export type PropertyValue = VariantInput | ArrayBuffer;

/** What the manifest's `instancing` asks for (docs/ABI.md "Instancing"). */
export type Instancing = 'node' | 'shared';

/** Where a script's guest runs. */
export type Isolation = 'instance' | 'worker';

// ---------------------------------------------------------------------------------------------------------
// Policy (crate/src/policy.rs; docs/POLICY.md): snake_case, every field optional (missing: the profile's)

export type WasmValType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128' | 'funcref' | 'externref';

/** A WebAssembly proposal a policy may allow. */
export type Feature =
  | 'mutable_global'
  | 'saturating_float_to_int'
  | 'sign_extension'
  | 'reference_types'
  | 'multi_value'
  | 'bulk_memory'
  | 'simd'
  | 'relaxed_simd'
  | 'threads'
  | 'shared_everything_threads'
  | 'tail_call'
  | 'multi_memory'
  | 'exceptions'
  | 'legacy_exceptions'
  | 'memory64'
  | 'extended_const'
  | 'function_references'
  | 'memory_control'
  | 'gc'
  | 'custom_page_sizes'
  | 'stack_switching'
  | 'wide_arithmetic'
  | 'custom_descriptors'
  | 'compact_imports'
  | 'acquire_release_atomics'
  | 'multibyte_array_access';

/** A host function: an allowed import of a policy, or an entry of `rt.abi().imports`. */
export interface HostFunction {
  module: string;
  name: string;
  params: WasmValType[];
  results: WasmValType[];
}

/** The effective policy, every field present (`rt.policy()`). */
export interface EffectivePolicy {
  max_module_size: number;
  max_functions: number;
  max_imports: number;
  max_exports: number;
  max_globals: number;
  max_data_segments: number;
  max_element_segments: number;
  max_locals_per_function: number;
  max_function_body_size: number;
  max_custom_sections_size: number;
  max_memories: number;
  max_memory_pages: number;
  max_tables: number;
  max_table_elements: number;
  features: Feature[];
  imports: HostFunction[];
  abi_versions: number[];
  fuel_per_call: number;
  max_live_handles: number;
  /** Most bytes of host-side memory one script may hold at once (past it: `memory_limit`). */
  max_host_memory: number;
  timeout_ms: number;
}

/** A partial policy: unknown fields are a `bad_argument`. */
export type Policy = Partial<EffectivePolicy>;

// ---------------------------------------------------------------------------------------------------------
// Validator report (crate/src/report.rs)

export interface Signature {
  params: string[];
  results: string[];
}

export type ExternKind = 'func' | 'table' | 'memory' | 'global' | 'tag';

export interface Limits {
  initial: number;
  maximum: number | null;
}

export interface ModuleReport {
  size: number;
  sha256: string;
  abi_version: number | null;
  imports: Array<{ module: string; name: string; kind: ExternKind; signature: Signature | null }>;
  exports: Array<{ name: string; kind: ExternKind; index: number; signature: Signature | null }>;
  memories: Array<{
    imported: boolean;
    memory64: boolean;
    shared: boolean;
    declared: Limits;
    effective: Limits;
    capped: boolean;
  }>;
  tables: Array<{
    imported: boolean;
    element_type: string;
    declared: Limits;
    effective: Limits;
    capped: boolean;
  }>;
  types: number;
  functions: number;
  imported_functions: number;
  globals: number;
  data_segments: number;
  element_segments: number;
  has_start: boolean;
  features_used: Feature[];
  custom_sections: Array<{ name: string; size: number }>;
  notes: string[];
}

/** The report of a loaded module: the validator's, plus what its manifest asks for. */
export interface LoadedReport extends ModuleReport {
  manifest: { instancing: Instancing };
}

/** One reason the validator refused a module. */
export interface ValidationIssue {
  code: string;
  message: string;
  offset: number | null;
}

export interface ValidateResult {
  ok: boolean;
  /** The report when accepted, the policy-free description when refused but parsed, null when unparsable. */
  report: ModuleReport | null;
  errors: ValidationIssue[];
}

// ---------------------------------------------------------------------------------------------------------
// Errors (js-glue/src/errors.js)

/** The stable codes of `UgcError` (`ERROR_CODES`). */
export type ErrorCode =
  | 'validation'
  | 'fuel_exhausted'
  | 'timeout'
  | 'trap'
  | 'stack_overflow'
  | 'memory_limit'
  | 'bad_pointer'
  | 'faulted'
  | 'disposed'
  | 'unknown_export'
  | 'bad_argument'
  | 'load_failed'
  | 'abi_error'
  | 'reentrant';

/** `.trap` of a `trap` error. */
export type TrapKind =
  | 'unreachable'
  | 'divide_by_zero'
  | 'integer_overflow'
  | 'invalid_conversion'
  | 'memory_out_of_bounds'
  | 'table_out_of_bounds'
  | 'indirect_call_mismatch'
  | 'null_reference'
  | 'bad_cast'
  | 'uncaught_exception'
  | 'out_of_bounds'
  | 'other';

export const ERROR_CODES: readonly ErrorCode[];

/** Every failure of the runtime; switch on `code`, never on the message. */
export class UgcError extends Error {
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>);
  code: ErrorCode;
  /** The export that was running (`fuel_exhausted`, `timeout`, `trap`, `stack_overflow`, `unknown_export`…). */
  export?: string | null;
  /** `trap`: what kind of trap. */
  trap?: TrapKind;
  /** `faulted`: the code of the earlier fault (the fault itself is `.cause`). */
  fault?: ErrorCode;
  /**
   * `memory_limit`, `load_failed` (`compile`, `worker`, `timeout`, prepare's code…), `abi_error` (the ABI
   * error name: `not_found`, `wrong_type`, `bad_value`…), `faulted` (`reset`).
   */
  reason?: string;
  /** `validation`: the validator's errors. */
  errors?: ValidationIssue[];
  /** `validation`: the validator's report (null when the module did not parse or was too large). */
  report?: ModuleReport | null;
}

/** A module the validator refused (`code: 'validation'`). */
export class ValidationError extends UgcError {
  constructor(errors: ValidationIssue[], report?: ModuleReport | null);
  code: 'validation';
  errors: ValidationIssue[];
  /** Absent when the refusal came from a worker. */
  report?: ModuleReport | null;
}

/** `.code` of a `WasiRunError` (docs/WASI.md). */
export type WasiErrorCode =
  | 'timeout'
  | 'trap'
  | 'fuel_exhausted'
  | 'compile_error'
  | 'link_error'
  | 'unknown_wasi_import'
  | 'wasi_import_signature'
  | 'wasi_import_kind'
  | 'missing_start'
  | 'missing_memory'
  | 'invalid_module'
  | 'invalid_option'
  | 'output_limit'
  | 'output_backlog'
  | 'aborted'
  | 'killed'
  | 'worker_error'
  | 'no_worker'
  | 'no_jspi'
  | 'stdin_closed'
  | 'process_ended'
  | 'stdin_needs_cross_origin_isolation'
  | 'fetch_failed'
  | 'sha256_mismatch'
  | 'too_large'
  | 'no_webcrypto';

/**
 * A failed WASI run or download (`name: 'WasiRunError'`). Not exported by dist/ugc-wasm.js (only the
 * type is): tell it from a UgcError by `name` or `code`.
 */
export interface WasiRunError extends Error {
  name: 'WasiRunError';
  code: WasiErrorCode;
  /** What the program wrote to stdout / stderr before it failed (runs). */
  stdout?: Uint8Array;
  stderr?: Uint8Array;
  /** `unknown_wasi_import`, `wasi_import_signature`, `wasi_import_kind`: the import. */
  where?: string;
  /** `fetch_failed`: the HTTP status. */
  status?: number;
  /** `sha256_mismatch`: the hashes. */
  expected?: string;
  actual?: string;
  url?: string;
}

// ---------------------------------------------------------------------------------------------------------
// Runtime

export interface RuntimeOptions {
  /** Partial policy; missing fields come from the `script` profile. */
  policy?: Policy;
  /** Default sink for guests' `ugc.log`. */
  onLog?: (message: string) => void;
  /** Partial overrides of the `wasi` profile used by runWasi/spawnWasi/fetchModule. */
  wasiPolicy?: Policy;
}

/** The node a script runs for: its ObjectID (default 1) and class (default: the manifest's `extends`). */
export interface NodeSelf {
  id?: number | bigint;
  class?: string;
}

/** The game's objects, for reads the script host cannot serve itself (instance isolation only). */
export interface Bridge {
  /** The object's class, or null when it was freed. */
  classOf(id: bigint): string | null;
  /** A property as Variant bytes; undefined: `not_found`; null: `object_gone`. */
  get(id: bigint, name: string): Uint8Array | null | undefined;
  /** A query method's result as Variant bytes (`argsBytes`: an Array); same conventions as `get`. */
  call(id: bigint, name: string, argsBytes: Uint8Array): Uint8Array | null | undefined;
}

export interface LoadOptions {
  /** Default 'instance'. */
  isolation?: Isolation;
  /** Per call; default: policy.fuel_per_call. Refused when the policy disables metering. */
  fuel?: number | bigint;
  /** Memory cap in 64 KiB pages; default and ceiling: policy.max_memory_pages. */
  maxMemoryPages?: number;
  /** Worker isolation: wall-clock limit of one call; default: policy.timeout_ms. */
  timeoutMs?: number;
  /** Where ugc.log goes; default: createRuntime's onLog (else dropped). */
  onLog?: ((message: string) => void) | null;
  /** ABI modules: the node's ObjectID and class. */
  self?: NodeSelf;
  /** Instance isolation only. */
  bridge?: Bridge | null;
}

export interface LoadSharedOptions {
  /** Must be 'instance' (anything else: `bad_argument`). */
  isolation?: 'instance';
  fuel?: number | bigint;
  maxMemoryPages?: number;
  /** Also gets the node that logged (null in the start function). */
  onLog?: ((message: string, self: { id: bigint; class: string } | null) => void) | null;
  bridge?: Bridge | null;
  /**
   * Which share of the memory budget (docs/JS-API.md "Memory budget") the group's memory counts against:
   * 'node' for a group of one serving a node-instanced script. Default 'shared'.
   */
  instancing?: Instancing;
}

export interface AbiDescription {
  version: number;
  imports: HostFunction[];
}

export type CapabilityAccess = 'r' | 'rw';

/** The default capability rules (docs/CAPABILITIES.md "As JSON"). */
export interface CapabilityRules {
  classes: {
    [className: string]: {
      parent?: string;
      properties: { [name: string]: CapabilityAccess };
      property_prefixes: { [prefix: string]: CapabilityAccess };
      methods: { [name: string]: 'command' | 'query' };
    };
  };
  always_refused: string[];
}

export interface WasmMemoryStats {
  /** Memories of node-instanced scripts (rt.load, loadShared with instancing 'node'). */
  node: number;
  /** Memories of shared groups. */
  shared: number;
  /** 96: node-instanced loads past it are refused (`memory_limit`, reason 'memory_budget'). */
  nodeBudget: number;
  /** 112: node + shared never exceeds it; the 16 above nodeBudget go to shared groups only. */
  budget: number;
  /** Loads refused by the budget so far. */
  refused: number;
}

export interface RuntimeStats {
  /** Scripts plus shared groups. */
  liveScripts: number;
  /** The Wasm memories scripts hold, counted when each load was called (docs/JS-API.md "Memory budget"). */
  wasmMemories: WasmMemoryStats;
  cachedModules: number;
  cacheHits: number;
  compiles: number;
  coreMemoryBytes: number;
}

export interface Runtime {
  /** Never throws for a bad module: rejection is data. Synchronous. */
  validate(bytes: ModuleBytes, policy?: Policy): ValidateResult;
  abi(): AbiDescription;
  capabilities(): CapabilityRules;
  policy(): EffectivePolicy;
  stats(): RuntimeStats;
  /** A plain JS value as Godot binary Variant bytes (`var_to_bytes`). */
  encodeVariant(value: VariantInput): Uint8Array;
  /** Godot binary Variant bytes as a plain JS value. */
  decodeVariant(bytes: ModuleBytes): VariantValue;
  load(bytes: ModuleBytes, options?: LoadOptions): Promise<Script>;
  /** What the module's manifest asks for; a malformed manifest is `load_failed`. */
  instancing(bytes: ModuleBytes): Instancing;
  loadShared(bytes: ModuleBytes, options?: LoadSharedOptions): Promise<SharedGroup>;

  runWasi(source: WasiSource, options?: WasiRunOptions): Promise<WasiRunResult>;
  spawnWasi(source: ModuleBytes | WasiModule, options?: WasiSpawnOptions): WasiProcess;
  /** With a URL the handle is returned at once; the process starts once the module is fetched. */
  spawnWasi(source: WasiUrlSource, options?: WasiSpawnOptions): DeferredWasiProcess;
  fetchModule(url: string | URL, options?: FetchModuleOptions): Promise<WasiModule>;
  wasiModuleStats(): WasiModuleStats;
  clearWasiModules(options?: { persistent?: boolean }): Promise<void>;
}

/** Loads the crate and returns a runtime. */
export function createRuntime(options?: RuntimeOptions): Promise<Runtime>;

// ---------------------------------------------------------------------------------------------------------
// Script

/** What the script's host holds now, its peak and its budget (the policy's max_host_memory). */
export interface HostMemoryStats {
  bytes: number;
  peak: number;
  limit: number;
}

export interface ScriptStats {
  abiErrors: number;
  liveHandles: number;
  /** Null without a script host (a module importing only `ugc.log`, or nothing). */
  hostMemory: HostMemoryStats | null;
  /** What the last call consumed (`fuelLimit` when it ran out). */
  fuelUsed: number;
  /** Null when the policy disables metering. */
  fuelLimit: number | null;
  memoryBytes: number;
  calls: number;
  faulted: boolean;
  lastError: { code: ErrorCode; message: string } | null;
  logs: number;
  isolation: Isolation;
}

export class Script {
  private constructor();
  /** The manifest's `instancing`; this script is one instance either way. */
  readonly instancing: Instancing;
  /** The validator's report of the module. */
  readonly report: LoadedReport;
  readonly isolation: Isolation;
  call(name: string, ...args: WasmArg[]): Promise<WasmResult>;
  /** Instance isolation only (else `bad_argument`). */
  callSync(name: string, ...args: WasmArg[]): WasmResult;
  /** ABI modules: a declared method, its args lent as an Array; resolves with its result. */
  callMethod(name: string, ...args: VariantInput[]): Promise<VariantValue>;
  setProperty(name: string, value: PropertyValue): Promise<void>;
  getProperty(name: string): Promise<VariantValue>;
  setNodeProperty(name: string, value: PropertyValue): Promise<void>;
  /** The frame's writes as one Godot Array in Variant bytes (`bytes_to_var`). */
  takeBatch(): Promise<Uint8Array>;
  stats(): ScriptStats;
  /** Fresh instance (memory, globals); clears a fault. */
  reset(): Promise<void>;
  /** Idempotent; later use fails `disposed`. */
  dispose(): void;
}

// ---------------------------------------------------------------------------------------------------------
// Shared instancing

/** `group.callEach`'s fault: the group's, shared by every view. */
export interface GroupFault {
  code: ErrorCode;
  message: string;
  export: string | null;
  trap: TrapKind | undefined;
}

export interface SharedGroupStats {
  views: number;
  calls: number;
  fuelUsed: number;
  fuelLimit: number | null;
  memoryBytes: number;
  batchLen: number;
  faulted: boolean;
  lastError: { code: ErrorCode; message: string } | null;
  logs: number;
  isolation: 'instance';
  instancing: 'shared';
}

/** Shaped like ScriptStats (counts of this node, memory of the instance), plus `slot`. */
export interface SharedViewStats extends ScriptStats {
  isolation: 'instance';
  instancing: 'shared';
  slot: number;
}

export class SharedGroup {
  private constructor();
  readonly report: LoadedReport;
  /** The group's fault, or null. */
  readonly fault: UgcError | null;
  readonly isolation: 'instance';
  readonly instancing: 'shared';
  /** Attached views. */
  readonly size: number;
  readonly disposed: boolean;
  /** One node, in the smallest free slot; class '' (or absent): the manifest's `extends`. */
  attach(options?: { self?: NodeSelf }): SharedView;
  /** Calls export `name` once per view, in order: null, or the group's fault. */
  callEach(views: ArrayLike<SharedView>, name: string, ...args: WasmArg[]): GroupFault | null;
  /** Every view's queued writes since the last take, as ONE Godot Array (Variant bytes). */
  takeBatch(): Uint8Array;
  stats(): SharedGroupStats;
  /** Fresh instance; every view stays attached in its slot. */
  reset(): Promise<void>;
  dispose(): void;
}

export class SharedView {
  private constructor();
  /** `{ id, class }` of the node. */
  readonly self: { id: bigint; class: string };
  readonly report: LoadedReport;
  readonly isolation: 'instance';
  readonly instancing: 'shared';
  /** The node's slot (`ugc.node_slot()`); -1 once detached. */
  readonly slot: number;
  /** The group, or null once detached. */
  readonly group: SharedGroup | null;
  readonly fault: UgcError | null;
  readonly state: 'running' | 'faulted' | 'disposed';
  callSync(name: string, ...args: WasmArg[]): WasmResult;
  call(name: string, ...args: WasmArg[]): Promise<WasmResult>;
  callMethod(name: string, ...args: VariantInput[]): Promise<VariantValue>;
  /** Synchronous, in bytes: Variant bytes of an Array in, the result's Variant bytes out. */
  callMethodBytes(name: string, argsBytes: Uint8Array): Uint8Array;
  setPropertySync(name: string, value: PropertyValue): void;
  setProperty(name: string, value: PropertyValue): Promise<void>;
  property(name: string): VariantValue;
  getProperty(name: string): Promise<VariantValue>;
  /** The property as Godot binary Variant bytes (a fresh Uint8Array). */
  propertyBytes(name: string): Uint8Array;
  setNodeProperty(name: string, value: PropertyValue): void;
  /** The GROUP's batch: prefer group.takeBatch(). */
  takeBatch(): Promise<Uint8Array>;
  stats(): SharedViewStats;
  /** Always rejects `bad_argument`: a shared instance resets as a whole (group.reset()). */
  reset(): Promise<never>;
  /** Detach: frees the slot and its handles. Idempotent. */
  dispose(): void;
}

// ---------------------------------------------------------------------------------------------------------
// WASI (docs/WASI.md)

/** A module from `rt.fetchModule`: checked and prepared already. */
export interface WasiModule {
  readonly kind: 'wasi-module';
  readonly module: WebAssembly.Module;
  readonly sha256: string;
  readonly size: number;
  /** Prepared with fuel metering. */
  readonly metered: boolean;
  /** How this fetch was served. */
  readonly source: 'network' | 'memory' | 'cache';
  /** Compiled with WebAssembly.compileStreaming from the teed response. */
  readonly streamingCompile: boolean;
  readonly url: string;
  readonly timings: {
    downloadMs?: number;
    hashMs?: number;
    validateMs?: number;
    prepareMs?: number;
    compileMs?: number;
    totalMs?: number;
  };
  /** The same module with other metadata. */
  with(extra: object): WasiModule;
}

export interface FetchProgress {
  url?: string;
  phase: 'download' | 'validate' | 'prepare' | 'compile' | 'done';
  loaded?: number;
  /** From Content-Length; null when absent or compressed. */
  total?: number | null;
  source?: 'network' | 'memory' | 'cache';
}

export interface FetchModuleOptions {
  /** Expected SHA-256 (64 hex digits); checked, and the cache key before any request. */
  sha256?: string;
  onProgress?: (progress: FetchProgress) => void;
  signal?: AbortSignal;
  /** False: timeout-only (no fuel). Default: the wasi policy's metering. */
  metering?: boolean;
  /** With metering: false, tee the response into WebAssembly.compileStreaming (default true). */
  compileStreaming?: boolean;
  /** Download again even when the URL's hash is known. */
  refresh?: boolean;
  /** False: no Cache Storage (memory cache only). */
  persist?: boolean;
}

/** A module to fetch first (fetchModule's options; `onProgress`/`signal` come from the run's options). */
export interface WasiUrlSource {
  url: string | URL;
  sha256?: string;
  metering?: boolean;
  compileStreaming?: boolean;
  refresh?: boolean;
  persist?: boolean;
}

/** Bytes, a fetched module, or a URL. A bare WebAssembly.Module is `bad_argument`. */
export type WasiSource = ModuleBytes | WasiModule | WasiUrlSource;

export type WasiTransport = 'pipe' | 'messages' | 'none';

export interface WasiRunOptions {
  /** args[0] is argv[0]; default ['main.wasm']. */
  args?: string[];
  env?: Record<string, string> | string[];
  /** Absolute paths; a key ending in '/' is a directory (null). */
  files?: Record<string, string | ArrayBuffer | ArrayBufferView | null>;
  /** Default ['/']. */
  preopens?: string[];
  /** All of stdin up front, then EOF (spawnWasi: first, before what write() sends). */
  stdin?: string | Uint8Array;
  /** Default: the wasi policy's timeout_ms; null: no wall-clock limit (fuel still applies). */
  timeoutMs?: number | null;
  /** Default: the wasi policy's fuel_per_call. Refused for a module fetched with metering: false. */
  fuel?: number | bigint;
  /** Top the fuel up whenever the program waits for stdin: `fuel` is a budget per request. */
  fuelPerInput?: boolean;
  signal?: AbortSignal;
  /** FS quota (ENOSPC beyond). */
  maxFsBytes?: number;
  /** stdout+stderr cap (runWasi default 64 MiB; beyond: `output_limit`). */
  maxOutputBytes?: number;
  /** IndexedDB persistence of a preopen (runWasi: loaded before, saved after a clean exit). */
  persist?: { service: string; path: string };
  workerUrl?: string | URL;
  /** The download's progress, for a `{ url }` source. */
  onProgress?: (progress: FetchProgress) => void;
}

export interface WasiSpawnOptions extends WasiRunOptions {
  /** How stdin reaches the worker; normally chosen for you. */
  stdinMode?: WasiTransport;
  /** How read credits reach the worker; normally chosen for you. */
  outputMode?: WasiTransport;
  /** Unread stdout+stderr in the page before the program is paused (default 1 MiB; Infinity: off). */
  maxUnreadOutputBytes?: number;
}

export interface WasiRunResult {
  exitCode: number;
  stdout: Uint8Array;
  stderr: Uint8Array;
  /** The whole tree after the run, every directory as `'/dir/': null`. */
  files: Record<string, Uint8Array | null>;
  symlinks: Record<string, string>;
  /** The module is metered and `fuel` was applied to it. */
  fuelApplied: boolean;
}

export interface WasiExitResult {
  exitCode: number;
  files: Record<string, Uint8Array | null>;
  symlinks: Record<string, string>;
  fuelApplied: boolean;
}

/** A spawned program's output flow. */
export interface WasiOutputStats {
  outputMode: WasiTransport;
  maxUnreadOutputBytes: number;
  unreadBytes: number;
  maxUnreadBytes: number;
  receivedBytes: number;
  readBytes: number;
  writtenBytes: number;
  paused: boolean;
}

export interface WasiProcess {
  readonly stdout: ReadableStream<Uint8Array>;
  readonly stderr: ReadableStream<Uint8Array>;
  readonly stdinMode: WasiTransport;
  readonly outputMode: WasiTransport;
  stats(): WasiOutputStats;
  write(bytes: Uint8Array | string): void;
  closeStdin(): void;
  /** `exited` rejects with `killed`. */
  kill(): void;
  /** The exit code; rejects with a WasiRunError. */
  readonly exited: Promise<number>;
  readonly result: Promise<WasiExitResult>;
}

/** `rt.spawnWasi({ url })`'s handle: modes and stats are null until the process has started. */
export interface DeferredWasiProcess extends Omit<WasiProcess, 'stdinMode' | 'outputMode' | 'stats'> {
  readonly stdinMode: WasiTransport | null;
  readonly outputMode: WasiTransport | null;
  stats(): WasiOutputStats | null;
}

export interface WasiModuleStats {
  downloads: number;
  memoryHits: number;
  storageHits: number;
}

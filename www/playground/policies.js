// The three policies the playground offers (docs/POLICY.md): the `script` profile as is, a strict one for
// scripts that must stay small and cheap (documented in www/README.md), and the `wasi` profile for services.

import { JsPolicy } from '../../dist/pkg/ugc_wasm.js';

/**
 * Strict: the script profile tightened for scripts that run on many nodes of a crowded world — a 1 MiB module,
 * 16 MiB of memory, one table, no SIMD, a tenth of the fuel and a quarter of the worker time per call. Missing
 * fields (imports, abi_versions, max_memories, max_live_handles) keep the script profile's values.
 */
export const STRICT_POLICY = Object.freeze({
  max_module_size: 1024 * 1024,
  max_functions: 2_000,
  max_imports: 100,
  max_exports: 100,
  max_globals: 100,
  max_data_segments: 100,
  max_element_segments: 100,
  max_locals_per_function: 1_000,
  max_function_body_size: 64 * 1024,
  max_custom_sections_size: 64 * 1024,
  max_memory_pages: 256,
  max_tables: 1,
  max_table_elements: 1_000,
  // WebAssembly 2.0 without SIMD; reference_types stays: LLVM's default call_indirect encoding needs it.
  features: [
    'mutable_global',
    'saturating_float_to_int',
    'sign_extension',
    'reference_types',
    'multi_value',
    'bulk_memory',
  ],
  fuel_per_call: 1_000_000,
  timeout_ms: 250,
});

/**
 * `[{ id, label, description, policy }]`: `policy` is the full policy object (for rt.validate and
 * createRuntime). Call after the crate is loaded (createRuntime), which initialises JsPolicy.
 */
export function policyChoices() {
  const full = (profile, overrides) => {
    const handle = JsPolicy.fromProfile(profile, overrides ? JSON.stringify(overrides) : undefined);
    try {
      return handle.toJSON();
    } finally {
      handle.free();
    }
  };
  return [
    {
      id: 'defaults',
      label: 'Defaults',
      description: 'the script profile: what a world accepts unless it says otherwise',
      policy: full('script'),
    },
    {
      id: 'strict',
      label: 'Strict',
      description: '1 MiB, 16 MiB memory, no SIMD, 1M fuel and 250 ms per call',
      policy: full('script', STRICT_POLICY),
    },
    {
      id: 'wasi',
      label: 'WASI service',
      description: 'the wasi profile: preview-1 imports only, large limits',
      policy: full('wasi'),
    },
  ];
}

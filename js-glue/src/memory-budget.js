// The runtime's own count of the Wasm memories its scripts hold, against a budget below the browser's cap
// (docs/JS-API.md "Memory budget", docs/ABI.md "Instancing").
//
// Why a count of our own: past the browser's cap (BROWSER_MEMORY_CAP) `new WebAssembly.Instance` throws, and
// WHICH load hits it depended on the order in which concurrent loads finished compiling — a shared group of
// 300 nodes could lose the race to 140 node-instanced loads of a module compiled a moment earlier, and fault
// all 300. A memory is counted when load/loadShared is CALLED (before its first await), so the outcome is a
// function of the order of the calls, never of compile or digest timing; and node-instanced scripts have a
// share of their own, so they can never take the memories shared groups need.

import { UgcError } from './errors.js';
import { BROWSER_MEMORY_CAP } from './guest.js';

/**
 * Memories node-instanced scripts (rt.load, and loadShared with `instancing: 'node'`) may hold at once.
 * Well below the cap: the page's other memories (the Godot engine's, this runtime's crate, its load worker's)
 * are not ours to count.
 */
export const NODE_MEMORY_BUDGET = 96;

/**
 * Memories all scripts and shared groups may hold at once. The 16 above NODE_MEMORY_BUDGET are only ever
 * given to shared groups: a shared group (one memory for any number of nodes) is never starved by nodes.
 */
export const SCRIPT_MEMORY_BUDGET = 112;

/** Section id 5 with at least one entry: the module defines a memory (the policy refuses imported ones). */
export function definesMemory(bytes) {
  if (bytes.length < 8) return false;
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at++];
    let size = 0;
    let shift = 0;
    for (;;) {
      if (at >= bytes.length || shift > 28) return false;
      const byte = bytes[at++];
      size += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if ((byte & 0x80) === 0) break;
    }
    if (id === 5) return size > 0 && at < bytes.length && bytes[at] !== 0;
    at += size;
  }
  return false;
}

export class MemoryBudget {
  node = 0;
  shared = 0;
  /** Loads refused by the budget so far. */
  refused = 0;

  get total() {
    return this.node + this.shared;
  }

  /**
   * Counts one memory for a script of `kind` ('node' or 'shared'), or throws `memory_limit` (nothing is
   * counted then). Returns the release function, which is idempotent.
   */
  take(kind) {
    const nodeFull = kind === 'node' && this.node >= NODE_MEMORY_BUDGET;
    if (nodeFull || this.total >= SCRIPT_MEMORY_BUDGET) {
      this.refused++;
      throw this.#refusal(kind, nodeFull);
    }
    this[kind]++;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this[kind]--;
    };
  }

  #refusal(kind, nodeFull) {
    const held = nodeFull
      ? `${this.node} "instancing": "node" scripts already hold the ${NODE_MEMORY_BUDGET} Wasm memories the ` +
        `runtime allows node-instanced scripts`
      : `scripts and shared groups already hold the ${SCRIPT_MEMORY_BUDGET} Wasm memories the runtime allows`;
    return new UgcError(
      'memory_limit',
      `cannot give this ${kind === 'node' ? 'script' : 'shared group'} a Wasm memory: ${held}. The browser ` +
        `caps the live Wasm memories of a page (about ${BROWSER_MEMORY_CAP} in Chromium, each reserving ~8 GiB ` +
        `of address space), and every "instancing": "node" script has its own. Give modules used by many ` +
        `nodes "instancing": "shared" (rt.loadShared) so one instance serves them all, or dispose scripts`,
      {
        export: 'instantiation',
        reason: 'memory_budget',
        budget: nodeFull ? NODE_MEMORY_BUDGET : SCRIPT_MEMORY_BUDGET,
      },
    );
  }

  /**
   * Gives the memory back when `owner` is garbage-collected without having been disposed: the browser
   * reclaims an unreachable script's memory then, so a page that drops scripts without disposing them
   * (as it could before this budget) is not refused forever.
   */
  follow(owner, release) {
    this.#collected.register(owner, release);
  }

  #collected = new FinalizationRegistry((release) => release());

  stats() {
    return {
      node: this.node,
      shared: this.shared,
      nodeBudget: NODE_MEMORY_BUDGET,
      budget: SCRIPT_MEMORY_BUDGET,
      refused: this.refused,
    };
  }
}

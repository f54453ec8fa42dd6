// WAT programs for the WASI output flow-control tests and benchmark (scripts/bench-wasi-flow.mjs): a
// writer whose output can be checked byte by byte, so order and completeness are asserted, not sampled.

import { wat } from '../scripts/lib/wasm-build.mjs';

/** Byte `k` of a flood program's stream (on each fd separately): a prime period catches misordered chunks. */
export const floodByte = (k) => k % 251;

/**
 * A program writing `count` writes of `size` bytes (count 0: forever), alternating over `fds`, each fd's
 * stream being floodByte(0), floodByte(1), …; a failed fd_write traps. The buffer is refilled before every
 * write unless `size` is a multiple of the pattern's period (then each write is the same bytes: the fastest
 * flood) or `refill` is false (any bytes will do: benchmarks).
 * @param {{ size?: number, count?: number, fds?: number[], refill?: boolean }} [opts]
 */
export function floodProgram({ size = 4096, count = 0, fds = [1], refill = size % 251 !== 0 } = {}) {
  const pages = Math.ceil((size + 1024) / 65536);
  const offsets = fds.map((_, i) => `(local $off${i} i32)`).join(' ');
  const branches = fds
    .map(
      (fd, i) => `(if (i32.eq (local.get $which) (i32.const ${i}))
          (then (local.set $base (local.get $off${i}))
                (local.set $off${i} (i32.add (local.get $off${i}) (i32.const ${size})))
                (local.set $fd (i32.const ${fd}))))`,
    )
    .join('\n        ');
  return wat(`(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") ${pages})
  (func $fill (param $base i32)
    (local $j i32)
    (loop $fill
      (i32.store8 (i32.add (i32.const 1024) (local.get $j))
        (i32.rem_u (i32.add (local.get $base) (local.get $j)) (i32.const 251)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br_if $fill (i32.lt_u (local.get $j) (i32.const ${size})))))
  (func (export "_start")
    (local $i i32) (local $which i32) (local $base i32) (local $fd i32) ${offsets}
    (i32.store (i32.const 0) (i32.const 1024))
    (i32.store (i32.const 4) (i32.const ${size}))
    (call $fill (i32.const 0))
    (loop $write
      (local.set $which (i32.rem_u (local.get $i) (i32.const ${fds.length})))
      ${branches}
      ${refill ? '(call $fill (local.get $base))' : ''}
      (if (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8)) (then unreachable))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $write ${count === 0 ? '(i32.const 1)' : `(i32.lt_u (local.get $i) (i32.const ${count}))`})))
)`);
}

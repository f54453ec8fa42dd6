#!/usr/bin/env bash
# Builds the guest SDK examples (Rust, wasm32-unknown-unknown, release) and the C example
# (Debian's clang), and copies every module to guest/out/<name>.wasm, the one place tests and
# demos read them from. Incremental: cargo and the clang step only redo what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=guest/out
mkdir -p "$OUT"

cargo build --manifest-path guest/Cargo.toml --target wasm32-unknown-unknown --release --quiet
for wasm in guest/target/wasm32-unknown-unknown/release/*.wasm; do
  cp "$wasm" "$OUT/$(basename "$wasm")"
done

# C examples: one directory per module under guest/examples/ holding a single .c file.
if ! command -v clang >/dev/null; then
  echo "build-guests: clang not found (scripts/setup.sh installs clang and lld)" >&2
  exit 1
fi
for src in guest/examples/*/*.c; do
  dir=$(dirname "$src")
  name=$(basename "$dir")
  # .incbin paths in the sources are relative to their own directory.
  (cd "$dir" && clang --target=wasm32 -O2 -Wall -Wextra -Werror -nostdlib \
    -Wl,--no-entry -Wl,--export-dynamic -Wl,--strip-debug \
    -o "../../out/$name.wasm" "$(basename "$src")")
done

ls -1 "$OUT"/*.wasm | sed 's/^/built /'

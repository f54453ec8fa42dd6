#!/usr/bin/env bash
# Installs everything the build and the tests need, from the package registries only.
# Idempotent: each step checks first and does nothing when its tool is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

WASM_PACK_VERSION=0.15.1
GDTOOLKIT_SPEC='gdtoolkit==4.5.0'
# wasm-bindgen's CLI must match the library version exactly: read it from Cargo.lock.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  log "installing Debian's chromium and chromium-driver"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi
# wabt's wat2wasm compiles the WAT fixtures of the browser tests and benchmarks.
if ! command -v wat2wasm >/dev/null; then
  log "installing Debian's wabt"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wabt >/dev/null
fi

# clang + lld build the C guest example (scripts/build-guests.sh).
if ! command -v clang >/dev/null || ! command -v wasm-ld >/dev/null; then
  log "installing Debian's clang and lld"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang lld >/dev/null
fi

if ! command -v cargo >/dev/null; then
  echo "cargo not found: install Rust with rustup first" >&2
  exit 1
fi
for target in wasm32-unknown-unknown wasm32-wasip1; do
  if ! rustup target list --installed | grep -qx "$target"; then
    log "adding rust target $target"
    rustup target add "$target"
  fi
done
rustup component list --installed | grep -q '^clippy' || rustup component add clippy
rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt

if ! wasm-pack --version 2>/dev/null | grep -q "$WASM_PACK_VERSION"; then
  log "installing wasm-pack $WASM_PACK_VERSION"
  cargo install wasm-pack --version "$WASM_PACK_VERSION"
fi
# Not --locked: its lock file pins a webpki-roots newer than the registry serves.
if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if ! command -v gdformat >/dev/null || ! gdformat --version 2>/dev/null | grep -q '^gdformat 4.5.0'; then
  log "installing gdtoolkit ($GDTOOLKIT_SPEC)"
  python3 -m pip install -q "$GDTOOLKIT_SPEC"
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi
log "ready"

#!/usr/bin/env bash
# The one test command: sets the machine up, then runs every check and test.
# Idempotent; safe to re-run. Exits non-zero on the first failing step.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

step() { printf '\n\033[1;32m==> %s\033[0m\n' "$1"; }

step "format: rust, js, gdscript"
cargo fmt --all -- --check
cargo fmt --manifest-path guest/Cargo.toml --all -- --check
cargo fmt --manifest-path guest/wasi-tests/Cargo.toml --all -- --check
npx prettier --check js-glue www tests-web scripts godot-web-export
gdformat --check godot-web-export
gdlint godot-web-export

step "lint: clippy -D warnings (host workspace, wasm32 build, guest workspace)"
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p ugc-wasm --target wasm32-unknown-unknown -- -D warnings
cargo clippy --manifest-path guest/Cargo.toml --target wasm32-unknown-unknown --release -- -D warnings
cargo clippy --manifest-path guest/wasi-tests/Cargo.toml --target wasm32-wasip1 --release --all-targets -- -D warnings

step "guest SDK and examples (wasm32), WASI test programs (wasm32-wasip1)"
bash scripts/build-guests.sh
bash scripts/build-wasi-tests.sh

step "native tests"
cargo test --workspace

step "fuzz target builds (stable; fuzzing itself is scripts/fuzz.sh)"
cargo check --manifest-path crate/fuzz/Cargo.toml

step "browser unit tests (wasm-pack test, headless chromium)"
# crate/tests/web_*.rs run in Chromium; native-only test files are cfg'd out of the wasm32 build.
wasm-pack test --headless --chrome crate

step "build dist/"
npm run build

step "typescript: dist/ugc-wasm.d.ts against a sample consumer (tsc --strict)"
npx tsc -p tests-web/types

step "end-to-end tests (playwright-core + /usr/bin/chromium)"
npm run test:web

#!/usr/bin/env bash
# Fuzz ugc_wasm::validate with cargo-fuzz (nightly). Not part of scripts/test.sh. Copy any crash
# input from crate/fuzz/artifacts/<target>/ into crate/fuzz/regressions/: it then runs as an
# ordinary test (crate/tests/validate_regressions.rs).
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default: 120 s, both targets)
set -euo pipefail
cd "$(dirname "$0")/../crate"
secs="${1:-120}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(validate validate_smith)
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz
for t in "${targets[@]}"; do
  echo "==> fuzzing $t for ${secs}s"
  # -rss_limit_mb guards against allocations driven by declared counts.
  # fuzz/seeds/*.wasm (built from the .wat next to them) give the raw-bytes target valid modules
  # to mutate; cargo-fuzz's own corpus/ dir (git-ignored) is the first corpus and grows.
  mkdir -p "fuzz/corpus/$t"
  cargo +nightly fuzz run "$t" "$PWD/fuzz/corpus/$t" "$PWD/fuzz/seeds" -- \
    -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10
done

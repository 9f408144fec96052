#!/usr/bin/env bash
# CI for the C ABI (crates/veltrix-ffi) and the Go package (clients/go/veltrix):
# the C test program against the static library and `veltrix route --explain`,
# `go test`, and the crate's tests under Miri. Installs what a fresh machine
# lacks (Go and yaml.v3 from Debian, the nightly Miri component). Every step
# is bounded in time; any failure exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
root=$PWD
start=$(date +%s)
step() { printf '\n==> ffi: %s (%ss)\n' "$1" "$(( $(date +%s) - start ))"; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

step "tools"
if ! command -v go >/dev/null 2>&1 || [ ! -d /usr/share/gocode/src/gopkg.in/yaml.v3 ] || ! command -v cc >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    timeout 600 bash -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq golang-go golang-gopkg-yaml.v3-dev gcc libc6-dev' >/dev/null
  fi
fi
for tool in go cc; do
  command -v "$tool" >/dev/null 2>&1 || { echo "ffi: $tool is missing and could not be installed" >&2; exit 1; }
done
[ -d /usr/share/gocode/src/gopkg.in/yaml.v3 ] || { echo "ffi: golang-gopkg-yaml.v3-dev is missing" >&2; exit 1; }
go version

step "build the library (dev profile, with the test-only panic probe) and the CLI"
# One build of the library serves the C test and the Go tests; the
# `panic-probe` feature lets both check VX_ERR_PANIC and poisoning.
timeout 900 cargo build -p veltrix-ffi --features panic-probe
timeout 900 cargo build -p veltrix-cli
lib=$root/target/debug
veltrix=$lib/veltrix

step "the header is current (cbindgen) and the Rust tests pass"
timeout 900 cargo test -p veltrix-ffi --features panic-probe

step "C test program"
routes=crates/veltrix-ffi/tests/c/routes.yaml
"$veltrix" gen --count 500 --seed 16 --format json >"$scratch/corpus.jsonl"
"$veltrix" gen --count 500 --seed 16 --format yaml >"$scratch/corpus.yaml"
"$veltrix" gen --count 500 --seed 16 --format proto >"$scratch/corpus.pb"
# Bad events after the corpus: a missing field, a wrong type, not JSON.
cp "$scratch/corpus.jsonl" "$scratch/all.jsonl"
cat >>"$scratch/all.jsonl" <<'BAD'
{"id":"bad-1","seq":1,"ts":5,"kind":"heartbeat","region":"eu"}
{"id":"bad-2","seq":"many","ts":5,"kind":"heartbeat","player_id":"p","region":"eu"}
{"id":
BAD
status=0
"$veltrix" route --config "$routes" --format json --explain --keep-going "$scratch/all.jsonl" \
  >"$scratch/explain.jsonl" 2>"$scratch/explain.err" || status=$?
if [ "$status" -ne 1 ]; then
  cat "$scratch/explain.err" >&2
  echo "ffi: veltrix route --explain exited $status, want 1 (three bad events)" >&2
  exit 1
fi
"$veltrix" route --config "$routes" --format json "$scratch/corpus.jsonl" >"$scratch/summary.json"
cc -std=c11 -O1 -g -Wall -Wextra -Werror -Icrates/veltrix-ffi/include \
  crates/veltrix-ffi/tests/c/vx_test.c "$lib/libveltrix.a" -lpthread -ldl -lm \
  -o "$scratch/vx_test"
timeout 120 "$scratch/vx_test" "$routes" "$scratch/all.jsonl" "$scratch/corpus.yaml" \
  "$scratch/corpus.pb" "$scratch/explain.jsonl" "$scratch/summary.json"

step "go test"
(
  cd clients/go/veltrix
  # Offline: yaml.v3 comes from Debian through go.mod's `replace`, nothing
  # from the module proxy.
  export GOPROXY=off GOFLAGS=-mod=readonly GOTOOLCHAIN=local
  export CGO_LDFLAGS="-L$lib -Wl,-rpath,$lib"
  test -z "$(gofmt -l .)" || { gofmt -l . >&2; echo "ffi: gofmt" >&2; exit 1; }
  timeout 300 go vet -tags veltrix_panic_probe .
  # cgocheck=2 also checks every pointer the package writes into C memory.
  GODEBUG=cgocheck=2 timeout 300 go test -count=1 -tags veltrix_panic_probe .
)

step "miri: the C ABI's entry points"
if ! rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  timeout 600 rustup toolchain install nightly --profile minimal >/dev/null
fi
rustup component add --toolchain nightly miri rust-src >/dev/null 2>&1 || true
if ! cargo +nightly miri --version >/dev/null 2>&1; then
  echo "ffi: the nightly miri component could not be installed" >&2
  exit 1
fi
# The entry-point tests (unit tests; under Miri their batches are small).
timeout 1800 cargo +nightly miri test -p veltrix-ffi --lib

step "done"

#!/usr/bin/env bash
# The README's two fresh-machine commands:
#   bash scripts/dev.sh demo   - install what is needed, then run the disaster-drill demo
#   bash scripts/dev.sh test   - install what is needed, then run the whole test suite
# Run from anywhere inside the repository. Exits with the demo's or the tests' exit code.
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-}"
case "$what" in
  demo)
    bash scripts/install-deps.sh demo
    exec deno task demo
    ;;
  test)
    bash scripts/install-deps.sh test
    log=$(mktemp)
    trap 'rm -f "$log"' EXIT
    status=0
    deno task codegen:check || status=1
    deno task kit:check || status=1
    deno task fmt:check || status=1
    deno task lint || status=1
    deno task check || status=1
    NO_COLOR=1 deno task test 2>&1 | tee "$log" || status=1
    # The closing line CI reads: "tests: N passed, N failed".
    summary=$(grep -E '^(ok|FAILED) \| [0-9]+ passed' "$log" | tail -n 1 || true)
    passed=$(sed -nE 's/.*\| ([0-9]+) passed.*/\1/p' <<<"$summary")
    failed=$(sed -nE 's/.*\| ([0-9]+) failed.*/\1/p' <<<"$summary")
    [ -z "$passed" ] && status=1
    echo "tests: ${passed:-0} passed, ${failed:-0} failed"
    exit "$status"
    ;;
  *)
    echo "usage: bash scripts/dev.sh demo|test" >&2
    exit 2
    ;;
esac

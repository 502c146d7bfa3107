#!/usr/bin/env bash
# Every contract tool, one after the other (npm run contract:tools; .ci/run's tools section):
#
#   breaking      the breaking-change gate (oasdiff + x-extensible-enum), released v1 → openapi.yaml
#   schemathesis  Schemathesis, all phases and checks, against a live server
#   prism         Prism validating proxies in front of a live server
#   newman        the generated Postman collection, with its contract assertions, via newman
#   planted       each tool shown to catch a planted contract bug (test/tools/planted/)
#
#   bash test/tools/run-all.sh [NAME...]     (default: all five, in that order)
#
# Runs every step even after a failure, prints each step's time, and ends with one line
# "tools: N passed, N failed"; exits 1 if any step failed. Needs the tools installed
# (bash test/tools/install.sh) and, for the live steps, PostgreSQL as the tests have it
# (embedded, or DATABASE_URL).
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

steps=("$@")
[ ${#steps[@]} -eq 0 ] && steps=(breaking schemathesis prism newman planted)

command_for() {
  case "$1" in
    breaking) echo "bash test/tools/breaking.sh" ;;
    schemathesis) echo "node test/tools/run-tool.mjs --timeout 900 -- bash test/tools/schemathesis.sh" ;;
    prism) echo "node test/tools/run-tool.mjs --timeout 300 -- node test/tools/prism.mjs" ;;
    newman) echo "node test/tools/run-tool.mjs --timeout 300 -- node test/tools/newman.mjs" ;;
    planted) echo "node --test --test-reporter=spec test/tools/planted/*.test.mjs" ;;
    *) return 1 ;;
  esac
}

passed=0
failed=0
summary=()
for step in "${steps[@]}"; do
  if ! cmd=$(command_for "$step"); then
    echo "run-all.sh: unknown step '$step' (breaking, schemathesis, prism, newman, planted)" >&2
    exit 2
  fi
  printf '\n--- contract tool: %s (%s)\n' "$step" "$cmd"
  started=$SECONDS
  if $cmd; then
    passed=$((passed + 1))
    summary+=("  ok    $step ($((SECONDS - started)) s)")
  else
    status=$?
    failed=$((failed + 1))
    summary+=("  FAIL  $step ($((SECONDS - started)) s, exit $status)")
  fi
done
printf '\n--- contract tools\n'
printf '%s\n' "${summary[@]}"
echo "tools: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/usr/bin/env bash
# Schemathesis against the live server that test/tools/run-tool.mjs started (MOJEEB_* variables).
#
#   node test/tools/run-tool.mjs -- bash test/tools/schemathesis.sh      (npm run contract:schemathesis)
#
# All four phases (examples, coverage, fuzzing, stateful) and every check (--checks all).
# schemathesis.toml sets the key, the seeded agent and numbers, and the one check option;
# schemathesis/hooks.py holds the three narrow adjustments, each explained there.
#
# Bounded: ST_MAX_EXAMPLES test cases per operation and phase (default 300: about 3 minutes on
# 2 cores), 10 s per request, and run-tool.mjs's overall time limit. ST_PHASES narrows the
# phases (the planted-bug tests use it). ST_SEED fixes the seed (default 1, so CI runs the same
# cases each time; with 2 workers the order still varies); ST_SEED=random draws one, and the
# run prints it. SPEC (default openapi.yaml) is the contract to test against. Extra arguments go
# to `schemathesis run`.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
st="$root/.cache/schemathesis-venv/bin/schemathesis"
if [ ! -x "$st" ]; then
  echo "schemathesis.sh: Schemathesis is not installed in .cache/schemathesis-venv: run 'bash test/tools/install.sh'" >&2
  exit 3
fi
: "${MOJEEB_BASE_URL:?run me through test/tools/run-tool.mjs}"
: "${MOJEEB_API_KEY:?run me through test/tools/run-tool.mjs}"
seed_args=(--seed "${ST_SEED:-1}")
[ "${ST_SEED:-}" = random ] && seed_args=()
exec "$st" --config-file test/tools/schemathesis/schemathesis.toml run "${SPEC:-openapi.yaml}" \
  --url "$MOJEEB_BASE_URL" \
  --phases "${ST_PHASES:-examples,coverage,fuzzing,stateful}" \
  --checks all \
  --max-examples "${ST_MAX_EXAMPLES:-300}" \
  --request-timeout 10 \
  --generation-database none \
  --workers "${ST_WORKERS:-2}" \
  --no-color \
  "${seed_args[@]}" \
  "$@"

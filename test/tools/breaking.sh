#!/usr/bin/env bash
# Breaking-change gate: the released v1 contract (base) against openapi.yaml (revision).
#
#   bash test/tools/breaking.sh [BASE] [REVISION]          (npm run contract:breaking)
#
# Defaults: BASE test/tools/released/openapi-v1.0.0.yaml (a byte copy of openapi.yaml as
# released), REVISION openapi.yaml. Two checks, both must pass:
#
# 1. oasdiff (Go, pinned, installed by test/tools/install.sh into .cache/go-bin) `breaking`,
#    failing at WARN and above: ERR is "breaks clients", WARN is "may break clients, oasdiff
#    cannot tell" (a changed pattern, a removed request property) — for a contract that is stable
#    forever, a person decides, and records a reviewed exception with --warn-ignore/--err-ignore.
#    Rules that oasdiff ranks lower but our stability promise names ("nothing existing is
#    renamed, removed, retyped or made required") are raised to ERR below.
# 2. test/tools/extensible-enums.mjs: no value of an `x-extensible-enum` (error codes, error
#    types, message error codes, message statuses and types, …), no value of a released `enum`
#    that became `x-extensible-enum`, and no entry of `x-error-catalog` disappears or changes
#    status/type. oasdiff does not look at response-side x-extensible-enum.
#
# Reviewed exceptions (test/tools/reviewed/err-ignore.txt, warn-ignore.txt; oasdiff matches a
# line when it names the operation, the path and the exact text of one change, so each line
# excuses that one change and nothing else). Each was decided once, against the released v1.0.0:
#   response-property-became-not-enum   message `status`/`type`, /healthz and /readyz states: the
#       closed response enums became x-extensible-enum (the same values, listed as known) so that
#       generated clients (Python, Java, C#, Ruby…) keep decoding a message when a value is added,
#       which /v1's additive promise already allowed. Values still may not disappear: check 2.
#   response-property-type-changed (format uuid → none)   `id`, `agent_id`, `conversation_id`:
#       `format: uuid` made generated clients return UUID objects they could not pass back as the
#       path's string; the wire value is unchanged (the same lower-case pattern).
#   request-property-pattern-changed (WARN)   `agent_id` now accepts upper case: the new pattern
#       is the old one with A-F added, a superset.
# Keep the files to these; a new change that needs an exception is a decision, not a line to add.
#
# Additive changes (new optional request fields, new response fields, new endpoints, new error
# codes) pass. Exit 0: no breaking change; 1: breaking changes (listed); other: the gate could
# not run.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
base=${1:-test/tools/released/openapi-v1.0.0.yaml}
revision=${2:-openapi.yaml}
oasdiff="$root/.cache/go-bin/oasdiff"
if [ ! -x "$oasdiff" ]; then
  echo "breaking.sh: oasdiff is not installed in .cache/go-bin: run 'bash test/tools/install.sh'" >&2
  exit 3
fi

levels=$(mktemp)
trap 'rm -f "$levels"' EXIT
# oasdiff's --severity-levels file takes no comments; the reasons are here.
#   request-property-removed            removing/renaming a request field: clients sending it get
#                                       422 unknown_field (request bodies are closed)
#   request-parameter-removed           removing a header parameter (Idempotency-Key, …)
#   response-optional-property-removed  removing an optional response field
#   optional-response-header-removed    removing a response header
#   response-property-enum-value-removed  removing a value of a response enum
#   response-non-success-status-removed removing a documented error status
#   api-operation-id-removed            renaming an operationId renames SDK methods
#   api-schema-removed                  renaming a component schema renames SDK types
cat > "$levels" <<'LEVELS'
request-property-removed ERR
request-parameter-removed ERR
response-optional-property-removed ERR
optional-response-header-removed ERR
response-property-enum-value-removed ERR
response-non-success-status-removed ERR
api-operation-id-removed ERR
api-schema-removed ERR
LEVELS

echo "breaking-change gate: $base (released) → $revision, oasdiff $(cat "$root/.cache/go-bin/oasdiff.version" 2>/dev/null || echo '(version unknown)')"
status=0
"$oasdiff" breaking "$base" "$revision" \
  --fail-on WARN \
  --severity-levels "$levels" \
  --err-ignore "$root/test/tools/reviewed/err-ignore.txt" \
  --warn-ignore "$root/test/tools/reviewed/warn-ignore.txt" \
  --allow-external-refs=false \
  --format text --color never || status=$?
if [ "$status" -ne 0 ] && [ "$status" -ne 1 ]; then
  echo "breaking.sh: oasdiff could not compare the documents (exit $status)" >&2
  exit "$status"
fi
enum_status=0
node "$root/test/tools/extensible-enums.mjs" "$base" "$revision" || enum_status=$?
if [ "$enum_status" -gt 1 ]; then exit "$enum_status"; fi
if [ "$status" -ne 0 ] || [ "$enum_status" -ne 0 ]; then
  echo "breaking-change gate: FAILED — $revision breaks the released contract (see above)"
  exit 1
fi
echo "breaking-change gate: passed — no breaking change against the released contract"

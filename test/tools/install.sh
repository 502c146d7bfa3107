#!/usr/bin/env bash
# Installs the contract tools that do not come from npm, at pinned versions, under .cache/
# (ignored by git). Idempotent: a tool already installed at its pinned version is kept.
#
#   bash test/tools/install.sh          (npm run contract:tools:install; .ci/run calls it)
#
# - Schemathesis (PyPI), in a virtualenv at .cache/schemathesis-venv, every package pinned in
#   test/tools/schemathesis/requirements.txt. Needs Python 3.10+ with venv.
# - oasdiff (Go module proxy), built with `go install` into .cache/go-bin. Needs Go.
# Prism, newman and openapi-to-postmanv2 are npm devDependencies (npm ci installs them).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

SCHEMATHESIS_VERSION=4.32.5
OASDIFF_MODULE=github.com/oasdiff/oasdiff
OASDIFF_VERSION=v1.36.0

install_schemathesis() {
  local venv="$root/.cache/schemathesis-venv"
  if [ -x "$venv/bin/schemathesis" ] && [ "$("$venv/bin/schemathesis" --version 2>/dev/null)" = "schemathesis, version $SCHEMATHESIS_VERSION" ]; then
    echo "Schemathesis $SCHEMATHESIS_VERSION: already in .cache/schemathesis-venv"
    return
  fi
  local python=${PYTHON:-python3}
  "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' || {
    echo "install.sh: Schemathesis needs Python 3.10+; $python is $("$python" --version 2>&1)" >&2
    return 1
  }
  echo "Schemathesis $SCHEMATHESIS_VERSION: installing into .cache/schemathesis-venv ($("$python" --version 2>&1))"
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input --require-virtualenv \
    -r test/tools/schemathesis/requirements.txt
  echo "Schemathesis: $("$venv/bin/schemathesis" --version)"
}

install_oasdiff() {
  local gobin="$root/.cache/go-bin"
  if ! command -v go >/dev/null && [ -x /usr/local/go/bin/go ]; then PATH="/usr/local/go/bin:$PATH"; fi
  if [ -x "$gobin/oasdiff" ] && [ "$(cat "$gobin/oasdiff.version" 2>/dev/null)" = "$OASDIFF_VERSION" ]; then
    echo "oasdiff $OASDIFF_VERSION: already in .cache/go-bin"
    return
  fi
  command -v go >/dev/null || { echo "install.sh: oasdiff is built with Go, which is not on PATH" >&2; return 1; }
  echo "oasdiff $OASDIFF_VERSION: go install into .cache/go-bin ($(go version))"
  mkdir -p "$gobin"
  rm -f "$gobin/oasdiff.version"
  GOBIN="$gobin" go install "$OASDIFF_MODULE@$OASDIFF_VERSION"
  echo "$OASDIFF_VERSION" > "$gobin/oasdiff.version"
  echo "oasdiff $OASDIFF_VERSION: installed"
}

# Both at once (a cold install is about a minute each on 2 cores).
install_schemathesis & schemathesis_pid=$!
install_oasdiff & oasdiff_pid=$!
status=0
wait "$schemathesis_pid" || { echo "install.sh: installing Schemathesis failed" >&2; status=1; }
wait "$oasdiff_pid" || { echo "install.sh: installing oasdiff failed" >&2; status=1; }
exit "$status"

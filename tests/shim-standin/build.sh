#!/bin/sh
# Builds the Kata-shim stand-in (tests/shim-standin/standin) with the shared offline recipe,
# tests/go-offline-build.sh; cached in tests/shim-standin/bin/ (or $SHIM_STANDIN_BIN_DIR). The last line of stdout
# is the binary's absolute path.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="${SHIM_STANDIN_BIN_DIR:-$here/bin}"
exec /bin/sh "$here/../go-offline-build.sh" "$here/standin" "$out/shim-standin" "$out/gopath" "$here/build.sh"

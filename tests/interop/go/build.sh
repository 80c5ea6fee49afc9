#!/bin/sh
# Builds the Go ttrpc interop peer (tests/interop/go/ttrpc-peer) with the shared offline recipe,
# tests/go-offline-build.sh; cached in tests/interop/go/bin/ (or $TTRPC_PEER_BIN_DIR). The last line of stdout is
# the binary's absolute path.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="${TTRPC_PEER_BIN_DIR:-$here/bin}"
exec /bin/sh "$here/../../go-offline-build.sh" "$here/ttrpc-peer" "$out/ttrpc-peer" "$here/gopath" "$here/build.sh"

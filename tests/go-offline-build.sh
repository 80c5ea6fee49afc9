#!/bin/sh
# Builds a Go test peer against Debian's golang-github-containerd-ttrpc-dev, offline, in GOPATH mode (no module
# proxy is reachable here). Used by tests/interop/go/build.sh (the ttrpc interop peer) and
# tests/shim-standin/build.sh (the Kata shim stand-in).
#   usage: go-offline-build.sh SOURCE_DIR OUTPUT_BINARY GOPATH_DIR [FILE...]
# The binary is rebuilt only when a .go file in SOURCE_DIR, this script or one of the FILEs (the caller's own
# script) is newer than it. On success the last line of stdout is the binary's absolute path; exit code 3 means go
# or the ttrpc sources are missing.
set -eu
[ $# -ge 3 ] || { echo "usage: $0 SOURCE_DIR OUTPUT_BINARY GOPATH_DIR [FILE...]" >&2; exit 2; }
src=$1
bin=$2
gopath=$3
shift 3

command -v go >/dev/null 2>&1 || { echo "go is not installed (Debian package golang-go)" >&2; exit 3; }
[ -d /usr/share/gocode/src/github.com/containerd/ttrpc ] || {
    echo "containerd/ttrpc sources are missing (Debian package golang-github-containerd-ttrpc-dev)" >&2; exit 3; }

stale=1
if [ -x "$bin" ]; then
    stale=0
    for f in "$src"/*.go "$0" "$@"; do
        [ "$f" -nt "$bin" ] && stale=1
    done
fi

if [ "$stale" = 1 ]; then
    mkdir -p "$(dirname "$bin")" "$gopath"
    cache="${GOCACHE:-$gopath/cache}"
    (cd "$src" && GOPATH="$gopath:/usr/share/gocode" GO111MODULE=off GOFLAGS= GOPROXY=off GOCACHE="$cache" \
        go build -o "$bin.tmp.$$" . )
    mv -f "$bin.tmp.$$" "$bin"
fi
echo "$bin"

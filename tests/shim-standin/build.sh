#!/bin/sh
# Builds the Kata-shim stand-in against Debian's golang-github-containerd-ttrpc-dev, offline, in GOPATH mode
# (the same recipe as tests/interop/go/build.sh). The binary is cached in tests/shim-standin/bin/ and rebuilt only
# when a source file is newer than it. On success the last line of stdout is the binary's absolute path.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src="$here/standin"
out="${SHIM_STANDIN_BIN_DIR:-$here/bin}"
bin="$out/shim-standin"

command -v go >/dev/null 2>&1 || { echo "go is not installed (Debian package golang-go)" >&2; exit 3; }
[ -d /usr/share/gocode/src/github.com/containerd/ttrpc ] || {
    echo "containerd/ttrpc sources are missing (Debian package golang-github-containerd-ttrpc-dev)" >&2; exit 3; }

stale=1
if [ -x "$bin" ]; then
    stale=0
    for f in "$src"/*.go "$here/build.sh"; do
        [ "$f" -nt "$bin" ] && stale=1
    done
fi

if [ "$stale" = 1 ]; then
    mkdir -p "$out/gopath"
    cache="${GOCACHE:-$out/gocache}"
    (cd "$src" && GOPATH="$out/gopath:/usr/share/gocode" GO111MODULE=off GOFLAGS= GOPROXY=off GOCACHE="$cache" \
        go build -o "$bin.tmp.$$" . )
    mv -f "$bin.tmp.$$" "$bin"
fi
echo "$bin"

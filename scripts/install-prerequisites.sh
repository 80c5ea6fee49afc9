#!/usr/bin/env bash
# Installs every Debian package PodVm needs to build, run and test. Idempotent: installs only what is missing.
# Usage: sudo scripts/install-prerequisites.sh
set -euo pipefail

packages=(
  # build: NativeAOT for the in-guest programs (OpenSSL linked in statically: cmake builds .NET's interop for it)
  clang zlib1g-dev cmake libssl-dev
  # local pod VMs: QEMU, image building, containers in the guest, vTPM
  qemu-system-x86 qemu-utils cpio kmod busybox-static crun swtpm swtpm-tools tpm2-tools xz-utils zstd lz4
  # interop peers and baselines: Go ttrpc, containerd, socat, Python RCAR client
  golang-go golang-github-containerd-ttrpc-dev golang-github-gogo-protobuf-dev golang-google-protobuf-dev
  socat python3 python3-jwcrypto python3-cryptography openssl iproute2
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "prerequisites: all ${#packages[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "prerequisites: missing ${missing[*]}; run this script as root (sudo $0)" >&2
  exit 1
fi

echo "prerequisites: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "prerequisites: done"

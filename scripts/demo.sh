#!/usr/bin/env bash
# PodVm's main job on its embedded default (local mode), from a fresh machine:
# install what is needed, build the pod VM image, then run a container in a pod VM of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
$sudo_cmd bash scripts/install-prerequisites.sh
scripts/podvm image build
# --attest: a key broker on loopback releases a demo secret only after checking the pod VM's (development TEE)
# launch report against the image's signed reference values; the container proves it got the secret.
exec scripts/podvm run --attest busybox -- sh -c \
  'echo "hello from a pod VM: $(uname -sr)"; echo "secret received, sha256 $(wget -qO- http://127.0.0.1:8006/cdh/resource/default/demo/secret | sha256sum | cut -d" " -f1)"'

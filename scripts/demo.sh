#!/usr/bin/env bash
# PodVm's main job on its embedded default (local mode), from a fresh machine:
# install what is needed, build the pod VM image, then run a container in a pod VM of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
$sudo_cmd bash scripts/install-prerequisites.sh
scripts/podvm image build
exec scripts/podvm run busybox -- sh -c 'echo "hello from a pod VM: $(uname -sr)"'

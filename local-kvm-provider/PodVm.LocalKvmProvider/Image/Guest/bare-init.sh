#!/bin/sh
# Baseline for `podvm bench boot`: the same kernel and QEMU settings, an init that only prints a marker and stops.
mount -t proc proc /proc
read -r up _ < /proc/uptime
echo "PODVM_BARE_READY $up"
reboot -f

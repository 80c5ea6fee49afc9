#!/bin/sh
# PodVm pod VM /init (run by busybox sh as PID 1). Written into the initramfs by `podvm image build`.
# Brings the VM up step by step and prints each step's guest uptime on the console ("podvm-init: <s> <step>").
# Paths and channels are documented in docs/designs/local-pod-vm-image.md.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
# Every command that is not a shell builtin costs a fork and an exec, 6-14 ms each under QEMU TCG: so builtins (read,
# echo, umask, redirections) where they do the job, one command for many items (mount -a, modprobe -a, mkdir, mkfifo)
# where busybox has one, and what the host's first calls do not need (the default route, lo, devpts, /dev/shm, the
# virtio-serial port names) right after ready instead of before it.

# proc, sysfs, devtmpfs, /run, /tmp and cgroup2 from /etc/podvm/fstab.early; devpts and /dev/shm live inside the
# devtmpfs, so their mount points exist only after it: /etc/podvm/fstab.dev.
mount -a -T /etc/podvm/fstab.early || { echo "podvm-init: mount -a -T /etc/podvm/fstab.early failed; powering off"; poweroff -f; }

# Module requests the kernel makes from now on run the image's modprobe (ImageBuilder.KernelModprobe: it is not at the
# kernel's default path, so the optional modules the kernel asks for while booting fail at once instead of starting
# busybox six times before /init).
echo /usr/sbin/modprobe > /proc/sys/kernel/modprobe

step() { read -r up _ < /proc/uptime; echo "podvm-init: $up $*"; }
fail() { step "FAILED: $*"; echo "podvm-init: boot stopped; powering off"; poweroff -f; sleep 60; }

read -r kernel < /proc/sys/kernel/osrelease
step "start: kernel $kernel"

# Under QEMU TCG (no KVM), QEMU 7.2 translates guest code for the virtual address it runs at, so with address-space
# randomisation every process that maps the same binary somewhere new has all its code translated again: a second
# start of the guest binary took 0.16-0.30 s with randomisation and 0.05-0.07 s without, and the forwarder, the
# agent and the attester are one binary. TCG gives no hardware isolation to defend (the host reads and writes guest
# memory at will), so /init starts its own programs with randomisation off and puts it back at ready: everything
# started later, containers included, gets it. With KVM (kvm-clock is offered) it stays on throughout.
read -r aslr < /proc/sys/kernel/randomize_va_space
read -r clocks < /sys/devices/system/clocksource/clocksource0/available_clocksource
case " $clocks " in
  *" kvm-clock "*) aslr_restore= ;;
  *) echo 0 > /proc/sys/kernel/randomize_va_space && aslr_restore=$aslr && step "address-space randomisation off until ready (no KVM: QEMU TCG)" ;;
esac
# /run is part of the initramfs (no tmpfs is mounted over it), and the image carries what is needed there before
# ready: /run/podvm (0700) with the notify FIFOs (0600), and /run/peerpod (0700), where the pod VM configuration (its
# secrets among it) is written. So no mkdir or mkfifo before ready; checked with builtins only (a missing FIFO would
# otherwise become a regular file at the first `exec 3<>`).
[ -p /run/podvm/forwarder.notify ] && [ -p /run/podvm/agent.notify ] && [ -d /run/peerpod ] ||
  fail "the image has no /run/podvm/forwarder.notify, /run/podvm/agent.notify or /run/peerpod (rebuild it with podvm image build)"

# /etc/podvm/modules: what boot needs, dependencies first; /etc/podvm/modules.late is loaded after ready. The image
# carries a modules.dep for exactly these modules, so one modprobe loads them all in dependency order.
modules() {
  list=$1
  set --
  while read -r module; do
    module=${module##*/}
    set -- "$@" "${module%.ko}"
  done < "$list"
  [ "$#" -eq 0 ] || modprobe -a "$@"
}
modules /etc/podvm/modules || fail "modprobe -a (the modules in /etc/podvm/modules)"
step modules

# QEMU user-mode networking always uses 10.0.2.0/24: guest .15, gateway .2, DNS .3. Static is faster than DHCP.
# Before ready only eth0's address, in one command: the host reaches the forwarder through QEMU's forward, from the
# on-link gateway, so no route is needed for that; the default route and lo follow right after ready, before the
# attester (which talks to the key broker and serves 127.0.0.1:8006) starts.
echo podvm > /proc/sys/kernel/hostname
ifconfig eth0 10.0.2.15 netmask 255.255.255.0 up || fail "network (eth0)"
echo "nameserver 10.0.2.3" > /etc/resolv.conf
step "network: eth0 10.0.2.15/24"

# The pod VM configuration (user data) arrives over fw_cfg. The forwarder reads it there (root-only): no copy of its
# secrets (the forwarder's TLS key) on a file system, and two forks fewer before ready. Images without a forwarder
# get a copy where podvm-config-processor looks: the directory is 0700 and the copy 0600 (umask 077).
userdata=/sys/firmware/qemu_fw_cfg/by_name/opt/podvm/userdata/raw
forwarder_userdata=
if [ ! -r "$userdata" ]; then
  step "config: no user data"
elif [ -x /usr/bin/podvm-forwarder ]; then
  forwarder_userdata=$userdata
  step "config: user data in $userdata (the forwarder reads it)"
else
  umask 077
  cat "$userdata" > /run/peerpod/userdata || fail "copy user data"
  umask 022
  step "config: $(wc -c < /run/peerpod/userdata) bytes of user data in /run/peerpod/userdata"
fi

# The forwarder processes the user data first, in its own process (what podvm-config-processor does: under emulation
# that saves a .NET process start and an OpenSSL initialisation), then listens on 15150. It reports each state as a
# line on a FIFO that /init holds open read-write (so neither side's open waits): CONFIGURED=1, READY=1, or FAILED=1.
# The guest agent reports READY=1 (or FAILED=1) the same way on a FIFO of its own: the pod VM is ready when both listen.
# One byte per read: busybox's `read -t` gives up at its deadline even in the middle of a line, and the bytes it took
# are gone, so a line that arrives as the deadline passes would be lost. A one-byte read either takes the byte or
# leaves it. Bounded: 60 one-second timeouts, 256 bytes; a program that exited without a word is noticed within a
# second. Arguments: FIFO descriptor, the line awaited, the program's name, its pid.
await_state() {
  n=0
  bytes=0
  pending=
  while [ "$n" -lt 60 ] && [ "$bytes" -lt 256 ]; do
    c=
    if read -r -t 1 -n 1 -u "$1" c; then
      bytes=$((bytes + 1))
      [ -n "$c" ] && { pending="$pending$c"; continue; }
      [ "$pending" = "$2" ] && return 0
      [ "$pending" = FAILED=1 ] && fail "$3 did not reach $2 (see the lines above)"
      pending=
    else
      n=$((n + 1))
      if [ ! -e "/proc/$4" ] || grep -q '^State:.*Z' "/proc/$4/status" 2>/dev/null; then
        fail "$3 exited before $2 (see the lines above)"
      fi
    fi
  done
  fail "$3: no $2 after 60 s"
}

# The programs run as plain background jobs, without setsid (an exec of busybox each): /init, PID 1, has no controlling
# terminal, so neither have they, and at shutdown busybox init signals every process whatever its session.
# With the multi-call guest binary the forwarder starts the guest agent in its own process once the user data is
# processed (-with-agent FORWARDER-ARGS -- AGENT-ARGS): a .NET process start fewer before ready. Each reports on its own
# FIFO all the same.
agent_inside=
[ -x /usr/bin/podvm-forwarder ] && [ -x /usr/bin/podvm-guest-agent ] && [ -e /usr/bin/podvm-guest ] && agent_inside=1
[ -x /usr/bin/podvm-guest-agent ] && { exec 4<>/run/podvm/agent.notify || fail "notify FIFO for the guest agent"; }
forwarder=
agent=
if [ -x /usr/bin/podvm-forwarder ]; then
  exec 3<>/run/podvm/forwarder.notify || fail "notify FIFO for the forwarder"
  /usr/bin/podvm-forwarder ${agent_inside:+-with-agent} -process-user-data-first ${forwarder_userdata:+-user-data "$forwarder_userdata"} -notify /run/podvm/forwarder.notify ${agent_inside:+-- --notify /run/podvm/agent.notify} < /dev/null > /dev/console 2>&1 3<&- 4<&- &
  forwarder=$!
  step "forwarder started (it processes the user data first${agent_inside:+, then starts the guest agent})"
  await_state 3 CONFIGURED=1 podvm-forwarder "$forwarder"
  step "config processed (by the forwarder)"
  [ -n "$agent_inside" ] && agent=$forwarder
elif [ -x /usr/bin/podvm-config-processor ]; then
  /usr/bin/podvm-config-processor || fail "podvm-config-processor (see the lines above)"
  step "config processor"
fi

if [ -x /usr/bin/podvm-guest-agent ] && [ -z "$agent" ]; then
  /usr/bin/podvm-guest-agent --notify /run/podvm/agent.notify < /dev/null > /dev/console 2>&1 3<&- 4<&- &
  agent=$!
  step "guest agent started"
fi

if [ -n "$forwarder" ]; then
  await_state 3 READY=1 podvm-forwarder "$forwarder"
  exec 3<&-
else
  httpd -p 15150 -h /usr/share/podvm/www || fail "ready responder"
  step "ready responder on :15150 (no forwarder in this image)"
fi
if [ -n "$agent" ]; then
  await_state 4 READY=1 podvm-guest-agent "$agent"
  exec 4<&-
fi

if [ -n "$aslr_restore" ]; then
  echo "$aslr_restore" > /proc/sys/kernel/randomize_va_space || fail "address-space randomisation not restored"
  step "address-space randomisation back to $aslr_restore"
fi
step ready
echo "PODVM_READY"
# The local provider waits for this line on the side channel, the virtio-serial port named podvm.side, so it goes
# first, found with builtins only. A write to a virtio port blocks until the host end is open: in the background.
side=
for port in /sys/class/virtio-ports/*; do
  [ -r "$port/name" ] && read -r name < "$port/name" && [ "$name" = podvm.side ] && side=/dev/${port##*/}
done
[ -n "$side" ] && ( printf '{"type":"status","step":"ready","uptime":"%s"}\n' "$up" > "$side" ) &

# What the host's first calls do not need, in the order the rest needs it: the default route and lo (the attester's
# key broker and its 127.0.0.1:8006), devpts and /dev/shm (containers), the virtio-serial port names (the attester's
# side channel, /dev/virtio-ports/podvm.side, root-only; no udev here).
{ ip route add default via 10.0.2.2 && ip link set lo up; } || step "FAILED after ready: default route via 10.0.2.2 or lo up"
umask 077
mkdir -p /dev/virtio-ports /dev/pts /dev/shm || step "FAILED after ready: mkdir /dev/virtio-ports /dev/pts /dev/shm"
umask 022
mount -a -T /etc/podvm/fstab.dev || step "FAILED after ready: devpts and /dev/shm (/etc/podvm/fstab.dev)"
for port in /sys/class/virtio-ports/*; do
  [ -r "$port/name" ] && read -r name < "$port/name" && ln -sf "/dev/${port##*/}" "/dev/virtio-ports/$name"
done
[ -n "$side" ] && step "after ready: side channel $side (/dev/virtio-ports/podvm.side)" || step "after ready: no side channel"

# After ready, what nothing before ready needs. First the attester and KBS client: evidence for this VM's TEE, the
# RCAR handshake, and the confidential-data-hub endpoint (127.0.0.1:8006) through which containers ask for secrets.
# The agent holds a container's start until that endpoint accepts (ConfidentialDataHubGate), and started earlier
# (at nice 19, sessions 7-8) it got no CPU before ready on the one emulated vCPU anyway: only the shell, renice and
# setsid it took to launch it were left in front of ready.
if [ -x /usr/bin/podvm-attester ]; then
  /usr/bin/podvm-attester < /dev/null > /dev/console 2>&1 &
fi
modules /etc/podvm/modules.late || step "modprobe -a (the modules in /etc/podvm/modules.late) failed (after ready)"
if [ -e /dev/input/event0 ] && [ -x /etc/acpi/PWRF/00000080 ]; then
  acpid -c /etc/acpi -l /dev/null
fi
step "after ready: late modules loaded"

# busybox init takes over PID 1: it reaps orphans and turns poweroff into an orderly shutdown.
exec /bin/busybox init

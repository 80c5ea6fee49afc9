using System.Globalization;
using PodVm.CloudApiAdaptor.Providers;

namespace PodVm.LocalKvmProvider.Qemu;

/// <summary>
/// Builds QEMU's arguments. <c>-M pc</c> with the PVH vmlinux was measured fastest under TCG here; no default devices,
/// no firmware option ROMs, serial console to a file, user-mode networking with one host forward, virtio-serial side
/// channel, QMP on a unix socket, user data on fw_cfg.
/// </summary>
public static class QemuCommandLine
{
    public const string SidePortName = "podvm.side";
    public const string UserDataFwCfgName = "opt/podvm/userdata";

    /// <summary>The CPU model under TCG: QEMU's default, qemu64, plus RDRAND (see <see cref="Build"/>).</summary>
    public const string TcgCpu = "qemu64,+rdrand";

    public static IReadOnlyList<string> Build(QemuLaunchSpec spec)
    {
        var args = new List<string>
        {
            "-name", "podvm,process=podvm-qemu",
            "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
            // A vTPM needs ACPI and the TPM CRB device: q35 (with the bzImage; PVH + TPM garbles ACPI in QEMU 7.2).
            "-M", spec.TpmSocket is null ? "pc" : "q35",
        };
        if (spec.Accelerator == Accelerator.Kvm)
        {
            args.AddRange(["-accel", "kvm", "-cpu", "host"]);
        }
        else
        {
            // TCG keeps every translated block in one buffer (1 GiB by default in QEMU 7.2) that only grows until it
            // is full: after a pod VM's boot it held 112 MiB of the QEMU's RSS. A capped buffer is flushed and refilled.
            // KVM has no translation buffer, so this applies to TCG only.
            args.AddRange(["-accel", spec.TcgTranslationBufferMiB > 0
                ? string.Create(CultureInfo.InvariantCulture, $"tcg,tb-size={spec.TcgTranslationBufferMiB}")
                : "tcg"]);

            // QEMU's default TCG CPU (qemu64) has no RDRAND, so the guest kernel's random pool is not ready until its
            // jitter-entropy loop has run, and the first process that asks for random bytes (every .NET process does
            // at start) waited ~1 s for it under emulation. TCG's RDRAND returns the host's random bytes, and the
            // kernel (RANDOM_TRUST_CPU) is ready before /init runs. Under emulation the host sees the whole guest
            // anyway; with KVM `-cpu host` passes the real instruction through.
            args.AddRange(["-cpu", TcgCpu]);
        }

        args.AddRange([
            "-smp", spec.VCpus.ToString(CultureInfo.InvariantCulture),
            "-m", spec.MemoryMiB.ToString(CultureInfo.InvariantCulture),
            "-kernel", spec.Kernel,
            "-initrd", spec.Initrd,
            "-append", spec.CommandLine,
            "-chardev", $"file,id=console,path={Escape(spec.ConsoleLog)}",
            "-serial", "chardev:console",
            "-netdev", string.Create(CultureInfo.InvariantCulture, $"user,id=net0,hostfwd=tcp:127.0.0.1:{spec.HostForwardPort}-:{InstanceAddress.ForwarderPort}"),
            "-device", "virtio-net-pci,netdev=net0,romfile=",
            "-device", "virtio-serial-pci",
            "-chardev", $"socket,id=side,path={Escape(spec.SideChannelSocket)},server=on,wait=off",
            "-device", $"virtserialport,chardev=side,name={SidePortName}",
            "-qmp", $"unix:{Escape(spec.QmpSocket)},server=on,wait=off",
            "-pidfile", spec.PidFile,
        ]);
        if (spec.UserDataFile is { } userData)
        {
            args.AddRange(["-fw_cfg", $"name={UserDataFwCfgName},file={Escape(userData)}"]);
        }

        if (spec.TpmSocket is { } tpm)
        {
            args.AddRange([
                "-chardev", $"socket,id=tpm,path={Escape(tpm)}",
                "-tpmdev", "emulator,id=tpm0,chardev=tpm",
                "-device", "tpm-crb,tpmdev=tpm0",
            ]);
        }

        args.AddRange(spec.ExtraArguments);
        return args;
    }

    /// <summary>QEMU option values use ',' as separator; a literal comma is written twice.</summary>
    private static string Escape(string value) => value.Replace(",", ",,", StringComparison.Ordinal);
}

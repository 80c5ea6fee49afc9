namespace PodVm.LocalKvmProvider.Vms;

/// <summary>The files of one VM, all in one directory named after its id.</summary>
public sealed record VmDirectory(string Path)
{
    public string Id => System.IO.Path.GetFileName(Path);
    public string StateFile => System.IO.Path.Combine(Path, "state.json");
    public string QmpSocket => System.IO.Path.Combine(Path, "qmp.sock");
    public string SideChannelSocket => System.IO.Path.Combine(Path, "side.sock");
    public string ConsoleLog => System.IO.Path.Combine(Path, "console.log");
    public string QemuLog => System.IO.Path.Combine(Path, "qemu.log");
    public string PidFile => System.IO.Path.Combine(Path, "qemu.pid");
    public string UserDataFile => System.IO.Path.Combine(Path, "userdata.bin");
    /// <summary>swtpm's state directory (only for a VM with a vTPM).</summary>
    public string TpmStateDirectory => System.IO.Path.Combine(Path, "tpm");
    /// <summary>swtpm's control socket, which QEMU's TPM emulator backend connects to.</summary>
    public string TpmSocket => System.IO.Path.Combine(Path, "swtpm.sock");
    public string TpmLog => System.IO.Path.Combine(Path, "swtpm.log");
}

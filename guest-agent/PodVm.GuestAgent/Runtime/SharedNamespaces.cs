using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using PodVm.GuestAgent.Interop;

namespace PodVm.GuestAgent.Runtime;

/// <summary>
/// The sandbox's IPC and UTS namespaces, kept alive without a process by bind-mounting their nsfs files (as the
/// Kata agent does). Made on a dedicated thread, because unshare(2) applies to the calling thread only.
/// </summary>
internal sealed class SharedNamespaces(string ipcPath, string utsPath)
{
    public string IpcPath { get; } = ipcPath;

    public string UtsPath { get; } = utsPath;

    /// <summary>Creates the namespaces under <paramref name="directory"/> with <paramref name="hostname"/>.</summary>
    public static SharedNamespaces Create(string directory, string hostname)
    {
        Directory.CreateDirectory(directory);
        var ipc = Path.Combine(directory, "ipc");
        var uts = Path.Combine(directory, "uts");
        File.WriteAllBytes(ipc, []);
        File.WriteAllBytes(uts, []);
        string? error = null;
        var thread = new Thread(() => error = CreateOnThisThread(ipc, uts, hostname)) { Name = "sandbox-ns" };
        thread.Start();
        thread.Join();
        if (error is not null)
        {
            throw new AgentException(AgentErrorReason.RuntimeFailed, "cannot create the sandbox namespaces: " + error);
        }

        return new SharedNamespaces(ipc, uts);
    }

    /// <summary>Unmounts and removes the namespace files.</summary>
    public void Destroy()
    {
        foreach (var path in new[] { IpcPath, UtsPath })
        {
            _ = LibC.Umount2(path, LibC.MNT_DETACH);
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
                // Still busy; the tmpfs goes with the VM.
            }
        }
    }

    private static unsafe string? CreateOnThisThread(string ipc, string uts, string hostname)
    {
        if (LibC.Unshare(LibC.CLONE_NEWIPC | LibC.CLONE_NEWUTS) != 0)
        {
            return "unshare: errno " + Marshal.GetLastPInvokeError().ToString(CultureInfo.InvariantCulture);
        }

        if (hostname.Length > 0)
        {
            var bytes = Encoding.UTF8.GetBytes(hostname);
            fixed (byte* p = bytes)
            {
                if (LibC.SetHostName(p, (nuint)bytes.Length) != 0)
                {
                    return "sethostname: errno " + Marshal.GetLastPInvokeError().ToString(CultureInfo.InvariantCulture);
                }
            }
        }

        var tid = LibC.GetTid().ToString(CultureInfo.InvariantCulture);
        foreach (var (kind, target) in new[] { ("ipc", ipc), ("uts", uts) })
        {
            if (LibC.Mount($"/proc/self/task/{tid}/ns/{kind}", target, null, LibC.MS_BIND, 0) != 0)
            {
                return $"bind {kind}: errno " + Marshal.GetLastPInvokeError().ToString(CultureInfo.InvariantCulture);
            }
        }

        return null;
    }
}

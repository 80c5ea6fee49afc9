using System.Globalization;
using System.Runtime.InteropServices;

namespace PodVm.LocalKvmProvider.Hosting;

/// <summary>
/// Keeps the file descriptors this process inherited (numbers above 2) out of the QEMU and swtpm processes it starts.
/// Those outlive the process that started them (they run in a session of their own), so a descriptor they inherit
/// stays open as long as the VM runs: a lock taken around <c>podvm vm create</c> (<c>flock LOCK podvm …</c>) would be
/// held by the VM until it is deleted, and a pipe a CI runner or a script reads to its end would never reach it.
/// .NET opens its own descriptors close-on-exec and passes only the three standard streams; descriptors inherited
/// from the parent are the ones that leak, so they are marked close-on-exec (once, before the first start).
/// </summary>
internal static partial class InheritedDescriptors
{
    private const int GetDescriptorFlags = 1; // F_GETFD
    private const int SetDescriptorFlags = 2; // F_SETFD
    private const int CloseOnExec = 1; // FD_CLOEXEC

    private static int _done;

    /// <summary>Marks every open descriptor above 2 close-on-exec, the first time it is called in this process.</summary>
    public static void MarkCloseOnExecOnce()
    {
        if (Interlocked.Exchange(ref _done, 1) == 0)
        {
            MarkCloseOnExec();
        }
    }

    /// <summary>Marks every open descriptor above 2 close-on-exec; returns how many were not already.</summary>
    public static int MarkCloseOnExec()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        var marked = 0;
        // The listing is taken first: enumerating /proc/self/fd opens a descriptor of its own (close-on-exec already).
        foreach (var entry in Directory.GetFiles("/proc/self/fd"))
        {
            if (!int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var fd) || fd <= 2)
            {
                continue;
            }

            var flags = Fcntl(fd, GetDescriptorFlags, 0);
            if (flags >= 0 && (flags & CloseOnExec) == 0 && Fcntl(fd, SetDescriptorFlags, flags | CloseOnExec) == 0)
            {
                marked++;
            }
        }

        return marked;
    }

    // fcntl is variadic in C; with int arguments the x86-64 and arm64 Linux calling conventions pass them as a
    // fixed three-argument call would.
    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);
}

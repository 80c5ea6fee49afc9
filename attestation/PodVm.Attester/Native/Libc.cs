using System.Runtime.InteropServices;

namespace PodVm.Attester.Native;

/// <summary>The few libc calls the attester needs for /dev/sev-guest (the ioctl ABI has no managed wrapper).</summary>
internal static partial class Libc
{
    public const int ORdWr = 0x2;
    public const int OCloExec = 0x80000;
    public const int EIntr = 4;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static unsafe partial int Ioctl(int fd, nuint request, void* argument);
}

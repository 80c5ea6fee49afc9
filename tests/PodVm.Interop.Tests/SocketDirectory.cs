namespace PodVm.Interop.Tests;

/// <summary>A private temporary directory for a test's unix sockets (kept short: sun_path holds 108 bytes).</summary>
internal sealed class SocketDirectory : IDisposable
{
    public SocketDirectory()
    {
        Path = Directory.CreateTempSubdirectory("podvm-interop-").FullName;
    }

    public string Path { get; }

    public string Socket(string name) => System.IO.Path.Combine(Path, name + ".sock");

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A socket still bound by a peer that is exiting; the OS temp cleaner removes the directory later.
        }
    }
}

using System.Globalization;
using System.Text;

namespace PodVm.LocalKvmProvider.Image;

/// <summary>
/// Writes a cpio archive in the "newc" format the kernel unpacks into its initramfs (070701, ASCII hex fields).
/// Every entry gets mtime 0, uid 0, gid 0 and a sequential inode number, so the same entries written in the same
/// order give the same bytes on every machine.
/// </summary>
internal sealed class CpioWriter
{
    public const string TrailerName = "TRAILER!!!";
    private const int HeaderLength = 110;
    private const int TypeDirectory = 0x4000;
    private const int TypeRegular = 0x8000;
    private const int TypeSymlink = 0xA000;
    private const int TypeCharDevice = 0x2000;
    private const int TypeFifo = 0x1000;

    private readonly Stream _output;
    private uint _nextInode = 1;
    private bool _finished;

    public CpioWriter(Stream output)
    {
        _output = output;
    }

    public void WriteDirectory(string path, int permissions) =>
        WriteHeader(path, TypeDirectory | (permissions & 0xFFF), nlink: 2, fileSize: 0, 0, 0);

    public void WriteFile(string path, int permissions, ReadOnlySpan<byte> content)
    {
        WriteHeader(path, TypeRegular | (permissions & 0xFFF), nlink: 1, fileSize: content.Length, 0, 0);
        _output.Write(content);
        Pad(content.Length);
    }

    public void WriteFile(string path, int permissions, Stream content, long length)
    {
        WriteHeader(path, TypeRegular | (permissions & 0xFFF), nlink: 1, fileSize: length, 0, 0);
        var copied = CopyExactly(content, length);
        Pad(copied);
    }

    public void WriteSymlink(string path, string target)
    {
        var bytes = Encoding.UTF8.GetBytes(target);
        WriteHeader(path, TypeSymlink | 0x1FF, nlink: 1, fileSize: bytes.Length, 0, 0);
        _output.Write(bytes);
        Pad(bytes.Length);
    }

    public void WriteCharDevice(string path, int permissions, int major, int minor) =>
        WriteHeader(path, TypeCharDevice | (permissions & 0xFFF), nlink: 1, fileSize: 0, major, minor);

    public void WriteFifo(string path, int permissions) =>
        WriteHeader(path, TypeFifo | (permissions & 0xFFF), nlink: 1, fileSize: 0, 0, 0);

    /// <summary>Writes the end-of-archive entry. Nothing may be written after it.</summary>
    public void WriteTrailer()
    {
        _nextInode = 0;
        WriteHeader(TrailerName, 0, nlink: 1, fileSize: 0, 0, 0);
        _finished = true;
    }

    private void WriteHeader(string path, int mode, int nlink, long fileSize, int rdevMajor, int rdevMinor)
    {
        if (_finished)
        {
            throw new InvalidOperationException("The cpio trailer has been written.");
        }

        ValidatePath(path);
        if (fileSize > uint.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(fileSize), fileSize, "newc cpio entries are limited to 4 GiB.");
        }

        var name = Encoding.UTF8.GetBytes(path);
        var header = new StringBuilder(HeaderLength);
        header.Append("070701");
        var inode = _nextInode == 0 ? 0u : _nextInode++;
        foreach (var field in new[]
                 {
                     inode, (uint)mode, 0u, 0u, (uint)nlink, 0u, (uint)fileSize, 0u, 0u, (uint)rdevMajor,
                     (uint)rdevMinor, (uint)(name.Length + 1), 0u,
                 })
        {
            header.Append(field.ToString("X8", CultureInfo.InvariantCulture));
        }

        _output.Write(Encoding.ASCII.GetBytes(header.ToString()));
        _output.Write(name);
        _output.WriteByte(0);
        Pad(HeaderLength + name.Length + 1);
    }

    private static void ValidatePath(string path)
    {
        if (path.Length == 0 || path.StartsWith('/') || path.Contains('\0', StringComparison.Ordinal)
            || path.Split('/').Any(part => part is "" or "." or ".."))
        {
            if (path != TrailerName && path != ".")
            {
                throw new ArgumentException($"'{path}' is not a relative archive path.", nameof(path));
            }
        }
    }

    private long CopyExactly(Stream content, long length)
    {
        var buffer = new byte[81920];
        long remaining = length;
        while (remaining > 0)
        {
            var read = content.Read(buffer, 0, (int)Math.Min(buffer.Length, remaining));
            if (read == 0)
            {
                throw new EndOfStreamException($"The content ended {remaining} bytes before its declared length.");
            }

            _output.Write(buffer, 0, read);
            remaining -= read;
        }

        return length;
    }

    private void Pad(long written)
    {
        var padding = (int)((4 - (written % 4)) % 4);
        for (var i = 0; i < padding; i++)
        {
            _output.WriteByte(0);
        }
    }
}

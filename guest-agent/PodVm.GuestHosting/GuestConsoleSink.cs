using System.Text;

namespace PodVm.GuestHosting;

/// <summary>
/// Writes whole lines to one stream (the guest console) under a lock, so lines of concurrent writers never
/// interleave. Writes are synchronous: guest programs log little, and a background queue thread is exactly the
/// start-up code this type exists to avoid.
/// </summary>
public sealed class GuestConsoleSink
{
    private readonly Stream _stream;
    private readonly Lock _gate = new();

    /// <summary>
    /// A sink over the process's standard output (descriptor 1, not closed with the sink). A plain file stream, not
    /// <c>Console.OpenStandardOutput()</c>: System.Console sets the terminal up on its first write when the output is
    /// one (/dev/console in a pod VM is), reading terminfo and installing terminal signal handling, code that QEMU
    /// TCG translates before the pod VM is ready and that nothing here needs.
    /// </summary>
    public static GuestConsoleSink ForStandardOutput() =>
        new(new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0));

    /// <summary>A sink over <paramref name="stream"/> (standard output for the guest programs).</summary>
    public GuestConsoleSink(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
    }

    /// <summary>Writes <paramref name="line"/> and a newline; a console that went away (EPIPE) loses the line, not the program.</summary>
    public void WriteLine(string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line + "\n");
        lock (_gate)
        {
            try
            {
                _stream.Write(bytes);
                _stream.Flush();
            }
            catch (IOException)
            {
                // Nobody reads the console any more; logging must not take the program down.
            }
        }
    }
}

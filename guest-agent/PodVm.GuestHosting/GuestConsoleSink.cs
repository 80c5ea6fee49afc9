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

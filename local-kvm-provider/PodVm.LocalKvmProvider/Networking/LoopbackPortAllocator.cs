using System.Net;
using System.Net.Sockets;

namespace PodVm.LocalKvmProvider.Networking;

/// <summary>
/// Hands out free 127.0.0.1 ports for host forwards. The kernel picks a free port; ports handed out and not yet
/// released are never handed out again, so concurrent creates do not collide with each other.
/// </summary>
public sealed class LoopbackPortAllocator
{
    private readonly HashSet<int> _reserved = [];
    private readonly Lock _gate = new();

    public int Reserve()
    {
        for (var attempt = 0; attempt < 64; attempt++)
        {
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
            lock (_gate)
            {
                if (_reserved.Add(port))
                {
                    return port;
                }
            }
        }

        throw new InvalidOperationException("No free loopback port found.");
    }

    /// <summary>Marks a port as in use (an adopted VM's forward).</summary>
    public void MarkInUse(int port)
    {
        lock (_gate)
        {
            _reserved.Add(port);
        }
    }

    public void Release(int port)
    {
        lock (_gate)
        {
            _reserved.Remove(port);
        }
    }

    public bool IsReserved(int port)
    {
        lock (_gate)
        {
            return _reserved.Contains(port);
        }
    }
}

using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PodVm.Attester.Tests.Cdh;

/// <summary>Sends raw bytes to the endpoint and reads the whole answer (the server closes after one request).</summary>
internal static class RawHttp
{
    public static async Task<(int Status, string Head, byte[] Body)> SendAsync(IPEndPoint endpoint, byte[] request, bool closeSend = true)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endpoint).DefaultTimeout();
        await socket.SendAsync(request).DefaultTimeout();
        if (closeSend)
        {
            socket.Shutdown(SocketShutdown.Send);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await socket.ReceiveAsync(chunk).DefaultTimeout()) > 0)
        {
            buffer.Write(chunk, 0, read);
        }

        var all = buffer.ToArray();
        var split = all.AsSpan().IndexOf("\r\n\r\n"u8);
        var head = Encoding.ASCII.GetString(all, 0, split);
        var status = int.Parse(head.Split(' ')[1]);
        return (status, head, all[(split + 4)..]);
    }

    public static Task<(int Status, string Head, byte[] Body)> SendAsync(IPEndPoint endpoint, string request, bool closeSend = true) =>
        SendAsync(endpoint, Encoding.ASCII.GetBytes(request), closeSend);
}

using System.Globalization;

namespace PodVm.Kubernetes.Tests.Hosting;

/// <summary>Writes a kubeconfig file naming one API server, as a user's ~/.kube/config would.</summary>
internal static class Kubeconfig
{
    public static string Write(string directory, Uri server)
    {
        var path = Path.Combine(directory, "kubeconfig");
        File.WriteAllText(path, string.Create(CultureInfo.InvariantCulture, $"""
            apiVersion: v1
            kind: Config
            clusters:
              - name: fake
                cluster:
                  server: {server.GetLeftPart(UriPartial.Authority)}
            users:
              - name: adaptor
                user:
                  token: test-token
            contexts:
              - name: fake
                context:
                  cluster: fake
                  user: adaptor
            current-context: fake

            """));
        return path;
    }

    /// <summary>A loopback address where nothing listens (the API server is down).</summary>
    public static Uri Unreachable()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}");
    }
}

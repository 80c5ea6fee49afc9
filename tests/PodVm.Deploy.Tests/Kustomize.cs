using System.Collections.Concurrent;
using System.Diagnostics;

namespace PodVm.Deploy.Tests;

/// <summary>Renders deploy/ overlays with the real <c>kubectl kustomize</c> (skips when kubectl is missing).</summary>
internal static class Kustomize
{
    public static readonly string[] Overlays = ["local", "aws", "azure"];

    private static readonly ConcurrentDictionary<string, Lazy<Task<string>>> Cache = new();

    public static string DeployDir => Path.Combine(RepoPaths.RepoRoot, "deploy");

    public static async Task<string> RenderAsync(string relativeDir)
    {
        Requires.Tool("kubectl", "kubernetes-client (or the kubectl binary)");
        return await Cache.GetOrAdd(relativeDir, dir => new Lazy<Task<string>>(() => RunAsync(Path.Combine(DeployDir, dir)))).Value.DefaultTimeout();
    }

    private static async Task<string> RunAsync(string dir)
    {
        var psi = new ProcessStartInfo("kubectl", ["kustomize", dir])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"kubectl kustomize {dir} failed ({process.ExitCode}): {await stderr}");
        }

        return await stdout;
    }
}

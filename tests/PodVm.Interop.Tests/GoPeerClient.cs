using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace PodVm.Interop.Tests;

/// <summary>Runs the Go peer's <c>call</c> mode (the upstream Go ttrpc client) against a server and parses its JSON lines.</summary>
internal static class GoPeerClient
{
    public static async Task<IReadOnlyList<GoCallResult>> CallAsync(
        string peerPath,
        string socketPath,
        string service,
        string method,
        string data = "{}",
        TimeSpan? timeout = null,
        IEnumerable<(string Key, string Value)>? metadata = null,
        int count = 1,
        int concurrency = 1)
    {
        // Linux limits one command-line argument to 128 KiB, so a large request goes through a file.
        string? dataFile = null;
        if (data.Length > 64 * 1024)
        {
            dataFile = Path.Combine(Path.GetDirectoryName(socketPath)!, $"data-{Guid.NewGuid():N}.json");
            await File.WriteAllTextAsync(dataFile, data);
            data = "@" + dataFile;
        }

        var start = new ProcessStartInfo(peerPath) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "call", "-socket", socketPath, "-service", service, "-method", method, "-data", data })
        {
            start.ArgumentList.Add(arg);
        }

        if (timeout is { } t)
        {
            start.ArgumentList.Add("-timeout");
            start.ArgumentList.Add(((long)t.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms");
        }

        foreach (var (key, value) in metadata ?? [])
        {
            start.ArgumentList.Add("-meta");
            start.ArgumentList.Add(key + "=" + value);
        }

        start.ArgumentList.Add("-count");
        start.ArgumentList.Add(count.ToString(CultureInfo.InvariantCulture));
        start.ArgumentList.Add("-concurrency");
        start.ArgumentList.Add(concurrency.ToString(CultureInfo.InvariantCulture));

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {peerPath}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().DefaultTimeout();
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var output = await stdout;
        if (dataFile is not null)
        {
            File.Delete(dataFile);
        }

        Assert.True(process.ExitCode == 0, $"Go client exited with {process.ExitCode}:\n{await stderr}\n{output}");

        var results = new List<GoCallResult>();
        var done = false;
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Contains("\"event\":\"done\"", StringComparison.Ordinal))
            {
                done = true;
                continue;
            }

            results.Add(JsonSerializer.Deserialize<GoCallResult>(line) ?? throw new InvalidOperationException($"bad line: {line}"));
        }

        Assert.True(done, $"Go client did not finish:\n{output}\n{await stderr}");
        Assert.Equal(count, results.Count);
        return results.OrderBy(r => r.Index).ToList();
    }

    public static async Task<GoCallResult> CallOneAsync(
        string peerPath,
        string socketPath,
        string service,
        string method,
        string data = "{}",
        TimeSpan? timeout = null,
        IEnumerable<(string Key, string Value)>? metadata = null) =>
        (await CallAsync(peerPath, socketPath, service, method, data, timeout, metadata))[0];
}

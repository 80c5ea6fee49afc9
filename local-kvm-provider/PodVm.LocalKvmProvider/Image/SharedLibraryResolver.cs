using PodVm.LocalKvmProvider.Tools;

namespace PodVm.LocalKvmProvider.Image;

/// <summary>The shared libraries a dynamically linked program needs, as <c>ldd</c> reports them.</summary>
internal static class SharedLibraryResolver
{
    public static async Task<IReadOnlyList<string>> ResolveAsync(string binary, CancellationToken cancellationToken)
    {
        var result = await HostTool.Ldd.RunAsync([binary], cancellationToken, throwOnFailure: false);
        if (result.ExitCode != 0)
        {
            // "not a dynamic executable": statically linked, nothing to add.
            return [];
        }

        return Parse(result.StandardOutput, binary);
    }

    /// <summary>Parses ldd output: "name =&gt; /path (0x...)" and "/lib64/ld-linux-x86-64.so.2 (0x...)".</summary>
    public static IReadOnlyList<string> Parse(string lddOutput, string binary)
    {
        var paths = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var raw in lddOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (raw.Contains("not found", StringComparison.Ordinal))
            {
                throw new ImageBuildException(ImageBuildErrorReason.InvalidInput, $"{binary} needs a library that is not installed: {raw}");
            }

            var arrow = raw.IndexOf("=>", StringComparison.Ordinal);
            var path = (arrow >= 0 ? raw[(arrow + 2)..] : raw).Trim().Split(' ')[0];
            if (path.StartsWith('/'))
            {
                paths.Add(path);
            }
        }

        return [.. paths];
    }
}

namespace PodVm.LocalKvmProvider.Image;

/// <summary>
/// Turns module names into the .ko files to insmod, dependencies first, from modules.dep (after depmod).
/// Modules listed in modules.builtin are skipped: they are in the kernel already.
/// </summary>
internal sealed class KernelModuleResolver
{
    private readonly Dictionary<string, (string Path, string[] Dependencies)> _modules = new(StringComparer.Ordinal);
    private readonly HashSet<string> _builtin = new(StringComparer.Ordinal);

    public KernelModuleResolver(string modulesDep, string? modulesBuiltin)
    {
        foreach (var line in modulesDep.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var path = line[..colon].Trim();
            var dependencies = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            _modules[NameOf(path)] = (path, dependencies);
        }

        foreach (var line in (modulesBuiltin ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            _builtin.Add(NameOf(line.Trim()));
        }
    }

    public static KernelModuleResolver Load(string modulesDirectory)
    {
        var builtin = Path.Combine(modulesDirectory, "modules.builtin");
        return new KernelModuleResolver(
            File.ReadAllText(Path.Combine(modulesDirectory, "modules.dep")),
            File.Exists(builtin) ? File.ReadAllText(builtin) : null);
    }

    /// <summary>The relative .ko paths to load, in an order where every module follows its dependencies.</summary>
    public IReadOnlyList<string> Resolve(IEnumerable<string> moduleNames)
    {
        var order = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in moduleNames)
        {
            var normalized = name.Replace('-', '_');
            if (_builtin.Contains(normalized))
            {
                continue;
            }

            if (!_modules.TryGetValue(normalized, out var module))
            {
                throw new ImageBuildException(ImageBuildErrorReason.InvalidInput, $"Kernel module '{name}' is neither in modules.dep nor built in.");
            }

            Visit(module.Path, order, seen, depth: 0);
        }

        return order;
    }

    /// <summary>
    /// A modules.dep for the image: one line per module it carries, in <paramref name="paths"/> order, each with its
    /// dependencies as depmod wrote them. busybox modprobe reads it, so /init loads a whole list with one process. The
    /// paths must be closed under dependencies (what <see cref="Resolve"/> returns).
    /// </summary>
    public string DependencyFile(IEnumerable<string> paths)
    {
        var included = paths.ToList();
        var set = new HashSet<string>(included, StringComparer.Ordinal);
        var text = new System.Text.StringBuilder();
        foreach (var path in included)
        {
            var dependencies = _modules.TryGetValue(NameOf(path), out var module) ? module.Dependencies : [];
            var missing = dependencies.FirstOrDefault(d => !set.Contains(d));
            if (missing is not null)
            {
                throw new ImageBuildException(ImageBuildErrorReason.InvalidInput, $"{path} needs {missing}, which the image does not carry.");
            }

            text.Append(path).Append(':');
            foreach (var dependency in dependencies)
            {
                text.Append(' ').Append(dependency);
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    private void Visit(string path, List<string> order, HashSet<string> seen, int depth)
    {
        if (depth > 64)
        {
            throw new ImageBuildException(ImageBuildErrorReason.InvalidInput, $"modules.dep has a dependency cycle at {path}.");
        }

        if (!seen.Add(path))
        {
            return;
        }

        if (_modules.TryGetValue(NameOf(path), out var module))
        {
            foreach (var dependency in module.Dependencies)
            {
                Visit(dependency, order, seen, depth + 1);
            }
        }

        order.Add(path);
    }

    private static string NameOf(string path)
    {
        var file = Path.GetFileName(path);
        var dot = file.IndexOf(".ko", StringComparison.Ordinal);
        return (dot > 0 ? file[..dot] : file).Replace('-', '_');
    }
}

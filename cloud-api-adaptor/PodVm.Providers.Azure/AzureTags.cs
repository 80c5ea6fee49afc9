namespace PodVm.Providers.Azure;

/// <summary>
/// ARM forbids '/' (and &lt; &gt; % &amp; \ ?) in tag names, so the shared tag keys ("podvm.io/sandbox-id") are
/// written with ':' in place of '/' ("podvm.io:sandbox-id") and read back to the shared form. Only keys under
/// "podvm.io" are translated back, so other tags keep their names.
/// </summary>
internal static class AzureTags
{
    private const string Prefix = "podvm.io";

    public static string ToAzure(string key)
    {
        var mapped = key.Replace('/', ':');
        return mapped.IndexOfAny(['<', '>', '%', '&', '\\', '?']) >= 0
            ? throw new ArgumentException($"tag key '{key}' has a character ARM forbids (< > % & \\ ?)", nameof(key))
            : mapped;
    }

    public static string FromAzure(string key) =>
        key.StartsWith(Prefix + ":", StringComparison.Ordinal) ? Prefix + "/" + key[(Prefix.Length + 1)..] : key;

    public static Dictionary<string, string> FromAzure(IDictionary<string, string>? tags) =>
        (tags ?? new Dictionary<string, string>()).ToDictionary(t => FromAzure(t.Key), t => t.Value, StringComparer.Ordinal);
}

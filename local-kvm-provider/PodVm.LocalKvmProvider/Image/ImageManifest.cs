using System.Text.Json;
using System.Text.Json.Serialization;

namespace PodVm.LocalKvmProvider.Image;

/// <summary>
/// manifest.json in an image directory. It holds no time and no host name, so it is as reproducible as the
/// artefacts it describes. <see cref="LaunchDigests"/> has one entry per boot path: "pvh" (vmlinux, the fast path)
/// and "bzimage" (vmlinuz, used when a TPM is attached).
/// </summary>
public sealed record ImageManifest
{
    public const string FileName = "manifest.json";
    public const string CurrentSchema = "podvm-image/v1";
    public const string PvhBoot = "pvh";
    public const string BzImageBoot = "bzimage";

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string Schema { get; init; } = CurrentSchema;

    /// <summary>SHA-256 over every input (kernel package, initramfs contents, command line, builder version): the cache key.</summary>
    public required string InputDigest { get; init; }

    public required KernelComponent Kernel { get; init; }

    /// <summary>Versions of everything else that went in (busybox-static, crun, builder).</summary>
    public required IReadOnlyDictionary<string, string> Components { get; init; }

    /// <summary>Kernel modules in the order /init loads them (paths relative to lib/modules/RELEASE).</summary>
    public required IReadOnlyList<string> Modules { get; init; }

    public required IReadOnlyList<GuestProgramEntry> GuestPrograms { get; init; }

    /// <summary>SHA-256 of each artefact in the image directory except this manifest.</summary>
    public required IReadOnlyDictionary<string, string> Files { get; init; }

    /// <summary>SHA-256 of every regular file inside the initramfs, by guest path.</summary>
    public required IReadOnlyDictionary<string, string> InitramfsFiles { get; init; }

    public required IReadOnlyDictionary<string, LaunchDigest> LaunchDigests { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions) + "\n";

    public static ImageManifest Parse(string json) =>
        JsonSerializer.Deserialize<ImageManifest>(json, JsonOptions)
        ?? throw new JsonException("The manifest is empty.");

    /// <summary>Reads manifest.json from an image directory.</summary>
    public static ImageManifest Load(string imageDirectory) =>
        Parse(File.ReadAllText(Path.Combine(imageDirectory, FileName)));
}

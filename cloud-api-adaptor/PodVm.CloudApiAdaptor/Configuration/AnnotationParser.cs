using System.Globalization;
using PodVm.PodVmConfig;

namespace PodVm.CloudApiAdaptor.Configuration;

/// <summary>
/// Parses CreateVM annotations. The shim always sends all nine keys, often empty; empty means "not asked". Unlike
/// upstream, which turns a malformed number into 0, every malformed value is an error naming the key.
/// </summary>
public static class AnnotationParser
{
    public static PodAnnotations Parse(string sandboxId, IReadOnlyDictionary<string, string> annotations)
    {
        ArgumentNullException.ThrowIfNull(annotations);
        var errors = new List<string>();
        var sandboxName = Get(annotations, PodAnnotations.SandboxNameKey);
        var podNamespace = Get(annotations, PodAnnotations.SandboxNamespaceKey);
        if (sandboxName is null)
        {
            errors.Add($"{PodAnnotations.SandboxNameKey} is missing or empty");
        }

        if (podNamespace is null)
        {
            errors.Add($"{PodAnnotations.SandboxNamespaceKey} is missing or empty");
        }

        var vcpus = ParseCount(annotations, PodAnnotations.VCpusKey, errors);
        var memory = ParseCount(annotations, PodAnnotations.MemoryKey, errors);
        var gpus = ParseCount(annotations, PodAnnotations.GpusKey, errors);

        InitData? initData = null;
        if (Get(annotations, PodAnnotations.InitDataKey) is { } encoded)
        {
            try
            {
                initData = InitDataCodec.Decode(encoded);
            }
            catch (InitDataException ex)
            {
                errors.Add($"{PodAnnotations.InitDataKey} is not valid initdata (gzip+base64 TOML with version, algorithm and [data]): {ex.Message}");
            }
        }

        var tpm = false;
        if (Get(annotations, PodAnnotations.TpmKey) is { } tpmText)
        {
            if (!bool.TryParse(tpmText, out tpm))
            {
                errors.Add($"{PodAnnotations.TpmKey} must be \"true\" or \"false\" (got '{tpmText}')");
            }
        }

        if (errors.Count > 0)
        {
            throw new AdaptorException(
                AdaptorErrorReason.InvalidRequest,
                $"CreateVM for sandbox {sandboxId}: bad annotations: {string.Join("; ", errors)}");
        }

        return new PodAnnotations
        {
            PodName = PodNameOf(sandboxName!),
            PodNamespace = podNamespace!,
            MachineType = Get(annotations, PodAnnotations.MachineTypeKey),
            Image = Get(annotations, PodAnnotations.ImageKey),
            VCpus = vcpus,
            MemoryMiB = memory,
            Gpus = gpus,
            GpuModel = Get(annotations, PodAnnotations.GpuModelKey),
            InitData = initData,
            Tpm = tpm,
        };
    }

    /// <summary>CRI-O names sandboxes k8s_&lt;pod&gt;_&lt;namespace&gt;_&lt;uid&gt;_&lt;attempt&gt;; Kubernetes names never contain '_'.</summary>
    public static string PodNameOf(string sandboxName)
    {
        if (sandboxName.StartsWith("k8s_", StringComparison.Ordinal))
        {
            var parts = sandboxName.Split('_');
            if (parts.Length >= 5 && parts[1].Length > 0)
            {
                return parts[1];
            }
        }

        return sandboxName;
    }

    private static string? Get(IReadOnlyDictionary<string, string> annotations, string key) =>
        annotations.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    private static int ParseCount(IReadOnlyDictionary<string, string> annotations, string key, List<string> errors)
    {
        if (Get(annotations, key) is not { } text)
        {
            return 0;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value > 1_000_000)
        {
            errors.Add($"{key} must be a whole number from 0 to 1000000 (got '{text}')");
            return 0;
        }

        return value;
    }
}

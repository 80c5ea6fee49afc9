using System.Globalization;
using PodVm.CloudApiAdaptor.Providers;

namespace PodVm.CloudApiAdaptor.Configuration;

/// <summary>
/// Upstream's selection rules: the machine_type annotation wins; else with GPUs the smallest allowed type by
/// (GPUs, memory, vCPUs) that fits; else with a vCPU or memory request the smallest allowed non-GPU type by
/// (memory, vCPUs) that fits (upstream needs both; here either is enough, the other counts as no constraint);
/// else the default. The result must be in the allow-list (only the default when the list is empty). Errors name
/// every type considered.
/// </summary>
public sealed class InstanceTypeSelector
{
    private readonly IReadOnlyList<InstanceType> _allowed;
    private readonly string _defaultName;

    public InstanceTypeSelector(IEnumerable<InstanceType> catalogue, IEnumerable<string> allowedNames, string defaultName)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        ArgumentNullException.ThrowIfNull(allowedNames);
        var names = allowedNames.ToHashSet(StringComparer.Ordinal);
        if (names.Count == 0)
        {
            names.Add(defaultName);
        }

        var byName = catalogue.GroupBy(t => t.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        _allowed = names.Select(n => byName.TryGetValue(n, out var spec) ? spec : new InstanceType(n, 0, 0)).ToList();
        _defaultName = defaultName;
    }

    public IReadOnlyList<InstanceType> Allowed => _allowed;

    public InstanceTypeSelection Select(PodAnnotations request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.MachineType is { } asked)
        {
            var named = _allowed.FirstOrDefault(t => t.Name == asked)
                ?? throw new AdaptorException(AdaptorErrorReason.NoInstanceType,
                    $"pod {request.PodNamespace}/{request.PodName} asks for instance type '{asked}', which is not allowed; allowed: {Describe(_allowed)}");
            return new InstanceTypeSelection(WithRequest(named, request), []);
        }

        if (request.Gpus > 0)
        {
            var fits = _allowed
                .Where(t => t.Gpus >= request.Gpus && t.VCpus >= request.VCpus && t.MemoryMiB >= request.MemoryMiB)
                .Where(t => request.GpuModel is null || string.Equals(t.GpuModel, request.GpuModel, StringComparison.OrdinalIgnoreCase))
                .OrderBy(t => t.Gpus).ThenBy(t => t.MemoryMiB).ThenBy(t => t.VCpus).ToList();
            return Pick(fits, request, $"{request.Gpus} GPU{(request.GpuModel is null ? "" : " " + request.GpuModel)}, ");
        }

        if (request.VCpus > 0 || request.MemoryMiB > 0)
        {
            var fits = _allowed
                .Where(t => t.Gpus == 0 && t.VCpus >= request.VCpus && t.MemoryMiB >= request.MemoryMiB)
                .OrderBy(t => t.MemoryMiB).ThenBy(t => t.VCpus).ToList();
            return Pick(fits, request, string.Empty);
        }

        var fallback = _allowed.FirstOrDefault(t => t.Name == _defaultName)
            ?? throw new AdaptorException(AdaptorErrorReason.NoInstanceType,
                $"the default instance type '{_defaultName}' is not in the allow-list ({Describe(_allowed)}); fix Adaptor:DefaultInstanceType or Adaptor:AllowedInstanceTypes");
        return new InstanceTypeSelection(fallback, []);
    }

    private static InstanceType WithRequest(InstanceType type, PodAnnotations request) =>
        type.VCpus == 0 && type.MemoryMiB == 0 ? type with { VCpus = Math.Max(1, request.VCpus), MemoryMiB = Math.Max(256, request.MemoryMiB) } : type;

    private InstanceTypeSelection Pick(List<InstanceType> fits, PodAnnotations request, string gpuText)
    {
        if (fits.Count == 0)
        {
            throw new AdaptorException(
                AdaptorErrorReason.NoInstanceType,
                string.Create(CultureInfo.InvariantCulture,
                    $"no allowed instance type fits pod {request.PodNamespace}/{request.PodName} ({gpuText}{request.VCpus} vCPU, {request.MemoryMiB} MiB); considered: {Describe(_allowed)}"));
        }

        return new InstanceTypeSelection(fits[0], fits.Skip(1).ToList());
    }

    private static string Describe(IEnumerable<InstanceType> types) => string.Join(", ", types.Select(t => t.ToString()));
}

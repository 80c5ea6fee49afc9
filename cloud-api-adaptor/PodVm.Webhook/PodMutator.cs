using System.Globalization;
using System.Text.Json.Nodes;

namespace PodVm.Webhook;

/// <summary>
/// Turns a pod of the PodVm runtime class into what the scheduler and the adaptor need: the summed resources as
/// Kata hypervisor annotations (the VM's size), every container's resources removed (the node does not run the
/// pod), and one extended resource per pod on the first container (requests and limits), which the adaptor
/// advertises per node. Annotations the user set explicitly are kept. The result is idempotent: a pod that was
/// already mutated yields no operations (reinvocationPolicy IfNeeded).
/// </summary>
internal sealed class PodMutator
{
    private readonly WebhookOptions _options;
    private readonly PodResourceCalculator _calculator;

    public PodMutator(WebhookOptions options)
    {
        _options = options;
        _calculator = new PodResourceCalculator(options.GpuResourceName);
    }

    /// <summary>True when the pod asks for the PodVm runtime class.</summary>
    public bool Targets(JsonObject pod) =>
        string.Equals((string?)pod["spec"]?["runtimeClassName"], _options.RuntimeClassName, StringComparison.Ordinal);

    public IReadOnlyList<JsonPatchOperation> Mutate(JsonObject pod)
    {
        if (pod["spec"] is not JsonObject spec)
        {
            throw new AdmissionException("the pod has no spec");
        }

        var containers = PodResourceCalculator.Containers(spec, "containers").ToList();
        if (containers.Count == 0)
        {
            throw new AdmissionException("the pod has no containers");
        }

        var totals = _calculator.Calculate(spec);
        var operations = new List<JsonPatchOperation>();
        AddAnnotations(pod, totals, operations);

        for (var i = 0; i < containers.Count; i++)
        {
            var path = $"/spec/containers/{i}/resources";
            var current = containers[i]["resources"];
            if (i == 0)
            {
                var wanted = ExtendedResourceOnly();
                if (current is null || !JsonNode.DeepEquals(current, wanted))
                {
                    operations.Add(new JsonPatchOperation("add", path, wanted));
                }
            }
            else if (current is not null)
            {
                operations.Add(new JsonPatchOperation("remove", path));
            }
        }

        var initContainers = PodResourceCalculator.Containers(spec, "initContainers").ToList();
        for (var i = 0; i < initContainers.Count; i++)
        {
            if (initContainers[i]["resources"] is not null)
            {
                operations.Add(new JsonPatchOperation("remove", $"/spec/initContainers/{i}/resources"));
            }
        }

        return operations;
    }

    private static void AddAnnotations(JsonObject pod, PodResources totals, List<JsonPatchOperation> operations)
    {
        var wanted = new List<(string Key, long Value)>();
        if (totals.Vcpus > 0)
        {
            wanted.Add((PodVmAnnotations.DefaultVcpus, totals.Vcpus));
        }

        if (totals.MemoryMiB > 0)
        {
            wanted.Add((PodVmAnnotations.DefaultMemory, totals.MemoryMiB));
        }

        if (totals.Gpus > 0)
        {
            wanted.Add((PodVmAnnotations.DefaultGpus, totals.Gpus));
        }

        var existing = pod["metadata"]?["annotations"] as JsonObject;
        var missing = wanted.Where(a => existing is null || !existing.ContainsKey(a.Key)).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        if (pod["metadata"] is null)
        {
            operations.Add(new JsonPatchOperation("add", "/metadata", new JsonObject()));
        }

        if (existing is null)
        {
            var all = new JsonObject();
            foreach (var (key, value) in missing)
            {
                all[key] = value.ToString(CultureInfo.InvariantCulture);
            }

            operations.Add(new JsonPatchOperation("add", "/metadata/annotations", all));
            return;
        }

        foreach (var (key, value) in missing)
        {
            operations.Add(new JsonPatchOperation(
                "add", "/metadata/annotations/" + JsonPatchOperation.Escape(key), value.ToString(CultureInfo.InvariantCulture)));
        }
    }

    private JsonObject ExtendedResourceOnly() => new()
    {
        ["limits"] = new JsonObject { [_options.ExtendedResourceName] = "1" },
        ["requests"] = new JsonObject { [_options.ExtendedResourceName] = "1" },
    };
}

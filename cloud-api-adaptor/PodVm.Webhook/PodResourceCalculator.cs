using System.Text.Json.Nodes;
using k8s.Models;

namespace PodVm.Webhook;

/// <summary>
/// Sums what a pod asks for the way Kubernetes sizes a pod: app containers and sidecars (init containers with
/// <c>restartPolicy: Always</c>) add up; a plain init container runs alone (beside the sidecars started before it),
/// so the pod needs the larger of the two. Per container the limit wins when it is at least the request, as
/// upstream's webhook does, since the VM must hold the most a container may use.
/// </summary>
internal sealed class PodResourceCalculator
{
    private readonly string _gpuResourceName;

    public PodResourceCalculator(string gpuResourceName)
    {
        _gpuResourceName = gpuResourceName;
    }

    public PodResources Calculate(JsonObject podSpec)
    {
        var running = PodResources.Zero;
        foreach (var container in Containers(podSpec, "containers"))
        {
            running += ForContainer(container);
        }

        var sidecarsSoFar = PodResources.Zero;
        var initPeak = PodResources.Zero;
        foreach (var container in Containers(podSpec, "initContainers"))
        {
            var own = ForContainer(container);
            if (string.Equals((string?)container["restartPolicy"], "Always", StringComparison.Ordinal))
            {
                sidecarsSoFar += own;
                running += own;
                initPeak = PodResources.Max(initPeak, sidecarsSoFar);
            }
            else
            {
                initPeak = PodResources.Max(initPeak, own + sidecarsSoFar);
            }
        }

        return PodResources.Max(running, initPeak);
    }

    internal static IEnumerable<JsonObject> Containers(JsonObject podSpec, string field) =>
        podSpec[field] is JsonArray array ? array.OfType<JsonObject>() : [];

    private PodResources ForContainer(JsonObject container)
    {
        var resources = container["resources"] as JsonObject;
        var requests = resources?["requests"] as JsonObject;
        var limits = resources?["limits"] as JsonObject;
        return new PodResources(
            Effective(requests, limits, "cpu", milli: true),
            Effective(requests, limits, "memory", milli: false),
            Effective(requests, limits, _gpuResourceName, milli: false));
    }

    private static long Effective(JsonObject? requests, JsonObject? limits, string name, bool milli) =>
        Math.Max(Parse(requests?[name], name, milli), Parse(limits?[name], name, milli));

    private static long Parse(JsonNode? value, string name, bool milli)
    {
        if (value is null)
        {
            return 0;
        }

        var text = value.GetValueKind() == System.Text.Json.JsonValueKind.Number ? value.ToJsonString() : (string?)value;
        if (string.IsNullOrWhiteSpace(text))
        {
            return 0;
        }

        decimal amount;
        try
        {
            amount = new ResourceQuantity(text).ToDecimal();
        }
        catch (FormatException ex)
        {
            throw new AdmissionException($"resource '{name}' has the malformed quantity '{text}'", ex);
        }

        if (amount <= 0)
        {
            return 0;
        }

        return (long)Math.Ceiling(milli ? amount * 1000m : amount);
    }
}

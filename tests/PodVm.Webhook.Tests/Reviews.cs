using System.Text.Json.Nodes;

namespace PodVm.Webhook.Tests;

internal static class Reviews
{
    public static JsonObject Container(string name, object? requests = null, object? limits = null, string? restartPolicy = null)
    {
        var container = new JsonObject { ["name"] = name, ["image"] = "busybox" };
        if (requests is not null || limits is not null)
        {
            var resources = new JsonObject();
            if (requests is not null)
            {
                resources["requests"] = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(requests));
            }

            if (limits is not null)
            {
                resources["limits"] = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(limits));
            }

            container["resources"] = resources;
        }

        if (restartPolicy is not null)
        {
            container["restartPolicy"] = restartPolicy;
        }

        return container;
    }

    public static JsonObject Pod(string? runtimeClass, JsonObject[] containers, JsonObject[]? initContainers = null, JsonObject? annotations = null)
    {
        var spec = new JsonObject { ["containers"] = new JsonArray(containers) };
        if (runtimeClass is not null)
        {
            spec["runtimeClassName"] = runtimeClass;
        }

        if (initContainers is not null)
        {
            spec["initContainers"] = new JsonArray(initContainers);
        }

        var metadata = new JsonObject { ["name"] = "web", ["namespace"] = "default" };
        if (annotations is not null)
        {
            metadata["annotations"] = annotations;
        }

        return new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Pod", ["metadata"] = metadata, ["spec"] = spec };
    }

    public static JsonObject Review(JsonObject pod, string operation = "CREATE", string kind = "Pod") => new()
    {
        ["apiVersion"] = "admission.k8s.io/v1",
        ["kind"] = "AdmissionReview",
        ["request"] = new JsonObject
        {
            ["uid"] = "705ab4f5-6393-11e8-b7cc-42010a800002",
            ["kind"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["kind"] = kind },
            ["resource"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["resource"] = "pods" },
            ["namespace"] = "default",
            ["operation"] = operation,
            ["object"] = pod,
        },
    };
}

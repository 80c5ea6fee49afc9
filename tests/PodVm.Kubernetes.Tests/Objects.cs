using System.Text.Json.Nodes;
using PodVm.CloudApiAdaptor.Providers;

namespace PodVm.Kubernetes.Tests;

internal static class Objects
{
    public static JsonObject Pod(string ns, string name, string? phase = "Running") => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Pod",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
        ["spec"] = new JsonObject
        {
            ["runtimeClassName"] = "kata-remote",
            ["containers"] = new JsonArray(new JsonObject { ["name"] = "app", ["image"] = "busybox" }),
        },
        ["status"] = phase is null ? null : new JsonObject { ["phase"] = phase },
    };

    public static JsonObject Node(string name) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Node",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["status"] = new JsonObject
        {
            ["capacity"] = new JsonObject { ["cpu"] = "4", ["memory"] = "8Gi", ["pods"] = "110" },
            ["allocatable"] = new JsonObject { ["cpu"] = "4", ["memory"] = "8Gi", ["pods"] = "110" },
        },
    };

    public static Dictionary<string, string> Tags(string cluster, string? ns = null, string? pod = null, string? node = null)
    {
        var tags = new Dictionary<string, string>
        {
            [InstanceTags.ManagedBy] = InstanceTags.ManagedByValue,
            [InstanceTags.Cluster] = cluster,
        };
        if (ns is not null)
        {
            tags[InstanceTags.PodNamespace] = ns;
        }

        if (pod is not null)
        {
            tags[InstanceTags.PodName] = pod;
        }

        if (node is not null)
        {
            tags[InstanceTags.Node] = node;
        }

        return tags;
    }
}

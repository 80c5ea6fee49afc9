using System.Text;
using System.Text.Json.Nodes;

namespace PodVm.Webhook.Tests;

/// <summary>An independent RFC 6902 applier (add/remove/replace) so tests check the patch's effect, not its text.</summary>
internal static class JsonPatch
{
    public static JsonNode Apply(JsonNode document, string base64Patch)
    {
        var patch = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(base64Patch)))!.AsArray();
        var result = document.DeepClone();
        foreach (var op in patch)
        {
            var kind = (string)op!["op"]!;
            var path = (string)op["path"]!;
            var segments = path.Split('/').Skip(1).Select(s => s.Replace("~1", "/").Replace("~0", "~")).ToArray();
            var parent = result;
            foreach (var segment in segments[..^1])
            {
                parent = parent is JsonArray array ? array[int.Parse(segment)]! : parent[segment] ?? throw new InvalidOperationException($"{path}: missing {segment}");
            }

            var last = segments[^1];
            switch (kind)
            {
                case "add" or "replace" when parent is JsonObject obj:
                    if (kind == "replace" && !obj.ContainsKey(last))
                    {
                        throw new InvalidOperationException($"replace of missing {path}");
                    }

                    obj[last] = op["value"]?.DeepClone();
                    break;
                case "remove" when parent is JsonObject obj:
                    if (!obj.Remove(last))
                    {
                        throw new InvalidOperationException($"remove of missing {path}");
                    }

                    break;
                default:
                    throw new InvalidOperationException($"unsupported {kind} at {path}");
            }
        }

        return result;
    }
}

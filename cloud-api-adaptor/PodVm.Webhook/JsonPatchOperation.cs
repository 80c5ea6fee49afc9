using System.Text.Json.Nodes;

namespace PodVm.Webhook;

/// <summary>One RFC 6902 operation ("add", "remove", "replace") of the patch the webhook returns.</summary>
internal sealed record JsonPatchOperation(string Op, string Path, JsonNode? Value = null)
{
    public JsonObject ToJson()
    {
        var node = new JsonObject { ["op"] = Op, ["path"] = Path };
        if (Op != "remove")
        {
            node["value"] = Value?.DeepClone();
        }

        return node;
    }

    /// <summary>Escapes one member name for a JSON pointer (RFC 6901: '~' becomes "~0", '/' becomes "~1").</summary>
    public static string Escape(string segment) =>
        segment.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
}

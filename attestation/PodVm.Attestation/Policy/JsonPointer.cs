using System.Globalization;
using System.Text.Json.Nodes;

namespace PodVm.Attestation.Policy;

/// <summary>RFC 6901 JSON pointers over <see cref="JsonNode"/> trees (policy claim references).</summary>
public static class JsonPointer
{
    /// <summary>The node at <paramref name="pointer"/>, or null when absent. "" is the root.</summary>
    public static JsonNode? Resolve(JsonNode? root, string pointer)
    {
        if (pointer.Length == 0)
        {
            return root;
        }

        if (pointer[0] != '/')
        {
            return null;
        }

        var node = root;
        foreach (var raw in pointer[1..].Split('/'))
        {
            var token = raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            node = node switch
            {
                JsonObject obj => obj.TryGetPropertyValue(token, out var child) ? child : null,
                JsonArray arr when int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < arr.Count => arr[i],
                _ => null,
            };
            if (node is null)
            {
                return null;
            }
        }

        return node;
    }
}

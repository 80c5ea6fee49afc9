using System.Text.Json;
using System.Text.Json.Nodes;

namespace PodVm.Deploy.Tests;

/// <summary>
/// Validates a JSON value against the subset of a CRD's structural schema that PodVm uses, the way the API server
/// treats a create with strict field validation: <c>type</c>, <c>required</c>, <c>properties</c>,
/// <c>additionalProperties</c> (false, or a schema for map values), <c>x-kubernetes-preserve-unknown-fields</c>,
/// <c>enum</c>, <c>minLength</c>/<c>maxLength</c>, <c>items</c>. Unknown fields are errors unless preserved.
/// The root's <c>metadata</c> is ObjectMeta, which the API server validates itself.
/// </summary>
internal static class StructuralSchemaValidator
{
    public static IReadOnlyList<string> Validate(JsonNode? value, JsonNode schema)
    {
        var errors = new List<string>();
        Check(value, schema, "", errors, root: true);
        return errors;
    }

    private static void Check(JsonNode? value, JsonNode schema, string path, List<string> errors, bool root = false)
    {
        var display = path.Length == 0 ? "<root>" : path;
        if (value is null)
        {
            if (schema["nullable"]?.GetValue<bool>() != true)
            {
                errors.Add($"{display}: null is not allowed");
            }

            return;
        }

        var type = (string?)schema["type"];
        if (type is not null && !HasType(value, type))
        {
            errors.Add($"{display}: expected {type}, got {value.GetValueKind()}");
            return;
        }

        if (schema["enum"] is JsonArray allowed && !allowed.Any(a => JsonNode.DeepEquals(a, value)))
        {
            errors.Add($"{display}: {value.ToJsonString()} is not one of {allowed.ToJsonString()}");
        }

        if (value.GetValueKind() == JsonValueKind.String)
        {
            var length = value.GetValue<string>().Length;
            if (schema["minLength"] is JsonNode min && length < min.GetValue<int>())
            {
                errors.Add($"{display}: shorter than {min}");
            }

            if (schema["maxLength"] is JsonNode max && length > max.GetValue<int>())
            {
                errors.Add($"{display}: longer than {max}");
            }
        }

        if (value is JsonArray array && schema["items"] is JsonNode items)
        {
            for (var i = 0; i < array.Count; i++)
            {
                Check(array[i], items, $"{path}[{i}]", errors);
            }
        }

        if (value is not JsonObject obj)
        {
            return;
        }

        foreach (var required in schema["required"]?.AsArray() ?? [])
        {
            if (!obj.ContainsKey((string)required!))
            {
                errors.Add($"{display}: missing required field '{required}'");
            }
        }

        var properties = schema["properties"] as JsonObject;
        var preserve = schema["x-kubernetes-preserve-unknown-fields"]?.GetValue<bool>() == true;
        foreach (var (name, child) in obj)
        {
            var childPath = path.Length == 0 ? name : $"{path}.{name}";
            if (root && name == "metadata")
            {
                continue;
            }

            if (properties?[name] is JsonNode childSchema)
            {
                Check(child, childSchema, childPath, errors);
            }
            else if (schema["additionalProperties"] is JsonObject valueSchema)
            {
                Check(child, valueSchema, childPath, errors);
            }
            else if (!preserve)
            {
                errors.Add($"{childPath}: unknown field");
            }
        }
    }

    private static bool HasType(JsonNode value, string type) => (type, value.GetValueKind()) switch
    {
        ("object", JsonValueKind.Object) => true,
        ("array", JsonValueKind.Array) => true,
        ("string", JsonValueKind.String) => true,
        ("boolean", JsonValueKind.True or JsonValueKind.False) => true,
        ("integer", JsonValueKind.Number) => value.GetValue<decimal>() == decimal.Truncate(value.GetValue<decimal>()),
        ("number", JsonValueKind.Number) => true,
        _ => false,
    };
}

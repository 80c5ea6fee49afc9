using System.Text.Json;

namespace PodVm.LocalKvmProvider.Qmp;

/// <summary>
/// One line from QEMU's monitor: the greeting <c>{"QMP":...}</c>, a command result <c>{"return":...,"id":...}</c>, an
/// error <c>{"error":{"class","desc"},"id":...}</c>, or an event <c>{"event","data","timestamp"}</c>.
/// </summary>
public sealed record QmpMessage(QmpMessageKind Kind)
{
    public string? Id { get; init; }
    public JsonElement Payload { get; init; }
    public string? EventName { get; init; }
    public string? ErrorClass { get; init; }
    public string? ErrorDescription { get; init; }

    /// <summary>Parses one JSON object; throws <see cref="QmpException"/> for anything QMP does not send.</summary>
    public static QmpMessage Parse(ReadOnlySpan<byte> json)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(json.ToArray());
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new QmpException($"QMP sent malformed JSON: {e.Message}", e);
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new QmpException("QMP sent a JSON value that is not an object.");
        }

        var id = root.TryGetProperty("id", out var idElement) && idElement.ValueKind == JsonValueKind.String ? idElement.GetString() : null;
        if (root.TryGetProperty("QMP", out var greeting))
        {
            return new QmpMessage(QmpMessageKind.Greeting) { Payload = greeting };
        }

        if (root.TryGetProperty("return", out var result))
        {
            return new QmpMessage(QmpMessageKind.Return) { Id = id, Payload = result };
        }

        if (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
        {
            return new QmpMessage(QmpMessageKind.Error)
            {
                Id = id,
                Payload = error,
                ErrorClass = error.TryGetProperty("class", out var c) ? c.GetString() : null,
                ErrorDescription = error.TryGetProperty("desc", out var d) ? d.GetString() : null,
            };
        }

        if (root.TryGetProperty("event", out var name) && name.ValueKind == JsonValueKind.String)
        {
            return new QmpMessage(QmpMessageKind.Event)
            {
                EventName = name.GetString(),
                Payload = root.TryGetProperty("data", out var data) ? data : default,
            };
        }

        throw new QmpException("QMP sent an object that is neither greeting, return, error nor event.");
    }
}

using System.Text.Json.Serialization;

namespace PodVm.CloudApiAdaptor.Lifecycle;

[JsonSourceGenerationOptions(WriteIndented = true, UseStringEnumConverter = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(PodRecord))]
internal sealed partial class PodRecordJsonContext : JsonSerializerContext;

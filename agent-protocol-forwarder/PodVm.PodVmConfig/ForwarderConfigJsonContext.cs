using System.Text.Json.Serialization;

namespace PodVm.PodVmConfig;

/// <summary>Source-generated JSON for <see cref="ForwarderConfig"/> (NativeAOT: no reflection).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = true)]
[JsonSerializable(typeof(ForwarderConfig))]
internal sealed partial class ForwarderConfigJsonContext : JsonSerializerContext;

using System.Text.Json.Serialization;

namespace PodVm.Cli.Run;

[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class RunJsonContext : JsonSerializerContext;

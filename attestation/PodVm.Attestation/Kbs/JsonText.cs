using System.Text.Encodings.Web;
using System.Text.Json;

namespace PodVm.Attestation.Kbs;

/// <summary>Compact JSON as Rust's serde_json writes it (no escaping of '+', '&lt;' etc.), for headers and bodies.</summary>
public static class JsonText
{
    public static readonly JsonSerializerOptions Compact = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    };
}

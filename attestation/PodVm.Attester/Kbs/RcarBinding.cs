using System.Security.Cryptography;
using System.Text;

namespace PodVm.Attester.Kbs;

/// <summary>
/// The RCAR report data: SHA-384 over the JCS (RFC 8785) form of
/// <c>{"additional-evidence":"","nonce":…,"tee-pubkey":{"alg","crv","kty","x","y"}}</c>, followed by 16 zero bytes
/// (64 bytes: SNP REPORT_DATA, TDX REPORTDATA, the local development TEE's report_data).
/// </summary>
internal static class RcarBinding
{
    public static string CanonicalRuntimeData(string nonce, TeeJwk key)
    {
        // Members in JCS order (UTF-16 code unit order of the names); values are strings only.
        var sb = new StringBuilder(256);
        sb.Append("{\"additional-evidence\":\"\",\"nonce\":");
        AppendString(sb, nonce);
        sb.Append(",\"tee-pubkey\":{\"alg\":");
        AppendString(sb, key.Alg);
        sb.Append(",\"crv\":");
        AppendString(sb, key.Crv);
        sb.Append(",\"kty\":");
        AppendString(sb, key.Kty);
        sb.Append(",\"x\":");
        AppendString(sb, key.X);
        sb.Append(",\"y\":");
        AppendString(sb, key.Y);
        sb.Append("}}");
        return sb.ToString();
    }

    public static byte[] ReportData(string nonce, TeeJwk key)
    {
        var reportData = new byte[64];
        SHA384.HashData(Encoding.UTF8.GetBytes(CanonicalRuntimeData(nonce, key)), reportData);
        return reportData;
    }

    /// <summary>A JSON string with JCS's minimal escapes (", \, and control characters).</summary>
    internal static void AppendString(StringBuilder sb, string value)
    {
        sb.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    sb.Append("\\\"");
                    break;
                case '\\':
                    sb.Append("\\\\");
                    break;
                case '\b':
                    sb.Append("\\b");
                    break;
                case '\f':
                    sb.Append("\\f");
                    break;
                case '\n':
                    sb.Append("\\n");
                    break;
                case '\r':
                    sb.Append("\\r");
                    break;
                case '\t':
                    sb.Append("\\t");
                    break;
                case < ' ':
                    sb.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    break;
                default:
                    sb.Append(c);
                    break;
            }
        }

        sb.Append('"');
    }
}

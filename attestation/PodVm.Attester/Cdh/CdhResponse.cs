using System.Text;
using System.Text.Json;

namespace PodVm.Attester.Cdh;

/// <summary>An answer of the CDH endpoint. Bodies of 200 resource answers are secrets: never logged, zeroed after sending.</summary>
internal sealed record CdhResponse(int Status, string ContentType, byte[] Body, bool IsSecret = false)
{
    public static CdhResponse Error(int status, string message) =>
        new(status, "application/json", JsonSerializer.SerializeToUtf8Bytes(new CdhErrorBody(message), AttesterJsonContext.Relaxed.CdhErrorBody));

    public static string ReasonPhrase(int status) => status switch
    {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    };

    public byte[] EncodeHead()
    {
        var head = new StringBuilder(160)
            .Append("HTTP/1.1 ").Append(Status).Append(' ').Append(ReasonPhrase(Status)).Append("\r\n")
            .Append("Content-Type: ").Append(ContentType).Append("\r\n")
            .Append("Content-Length: ").Append(Body.Length).Append("\r\n");
        if (Status == 405)
        {
            head.Append("Allow: GET\r\n");
        }

        head.Append("Cache-Control: no-store\r\nConnection: close\r\n\r\n");
        return Encoding.ASCII.GetBytes(head.ToString());
    }
}

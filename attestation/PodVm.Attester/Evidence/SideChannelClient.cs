using System.Security.Cryptography;
using System.Text.Json;

namespace PodVm.Attester.Evidence;

/// <summary>
/// Asks the local QEMU provider (the local development TEE) for a signed report over the side channel: open,
/// write one <c>tee-report</c> request line, read lines until the reply with the same id, close. Requests are
/// serialised; lines of another type or id are skipped; the wait and the line length are bounded.
/// </summary>
internal sealed class SideChannelClient(ISideChannelTransport transport, TimeProvider time) : IDisposable
{
    public const int ReportDataLength = 64;
    public const int MaxLineBytes = 1024 * 1024;

    private readonly SemaphoreSlim _gate = new(1, 1);

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The COSE_Sign1 report the host signed over <paramref name="reportData"/>.</summary>
    public async Task<byte[]> RequestReportAsync(ReadOnlyMemory<byte> reportData, ReadOnlyMemory<byte> tpmAkSpki, CancellationToken cancellationToken)
    {
        if (reportData.Length != ReportDataLength)
        {
            throw new ArgumentException($"report data must be exactly {ReportDataLength} bytes", nameof(reportData));
        }

        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var request = new SideChannelRequest
        {
            Id = id,
            ReportData = Convert.ToBase64String(reportData.Span),
            TpmAkSpki = tpmAkSpki.IsEmpty ? null : Convert.ToBase64String(tpmAkSpki.Span),
        };
        var line = JsonSerializer.SerializeToUtf8Bytes(request, AttesterJsonContext.Default.SideChannelRequest);

        // Queueing behind an earlier request is bounded by the caller's token; the deadline covers this exchange.
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        using var deadline = new CancellationTokenSource(Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var token = linked.Token;
        try
        {
            var stream = await transport.OpenAsync(token).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var framed = new byte[line.Length + 1];
                line.CopyTo(framed, 0);
                framed[^1] = (byte)'\n';
                await stream.WriteAsync(framed, token).AsTask().WaitAsync(token).ConfigureAwait(false);
                await stream.FlushAsync(token).WaitAsync(token).ConfigureAwait(false);
                var reader = new LineReader(stream, MaxLineBytes);
                while (true)
                {
                    var replyLine = await reader.ReadLineAsync(token).ConfigureAwait(false)
                        ?? throw new EvidenceException(EvidenceErrorReason.IoError, "the side channel closed before the host answered the report request");
                    var reply = TryParse(replyLine);
                    if (reply is null
                        || !string.Equals(reply.Type, SideChannelRequest.TeeReportType, StringComparison.Ordinal)
                        || !string.Equals(reply.Id, id, StringComparison.Ordinal))
                    {
                        continue;
                    }

                    if (reply.Error is { } error)
                    {
                        throw new EvidenceException(EvidenceErrorReason.Refused, $"the host refused the report request: {Truncate(error)}");
                    }

                    if (string.IsNullOrEmpty(reply.Report))
                    {
                        throw new EvidenceException(EvidenceErrorReason.Malformed, "the host's tee-report reply has neither report nor error");
                    }

                    try
                    {
                        return Convert.FromBase64String(reply.Report);
                    }
                    catch (FormatException ex)
                    {
                        throw new EvidenceException(EvidenceErrorReason.Malformed, "the host's report is not valid base64", ex);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw TimedOut("the host's reply");
        }
        catch (IOException ex)
        {
            throw new EvidenceException(EvidenceErrorReason.IoError, $"side channel I/O failed: {ex.Message}", ex);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    private static SideChannelReply? TryParse(byte[] line)
    {
        try
        {
            return JsonSerializer.Deserialize(line, AttesterJsonContext.Default.SideChannelReply);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Truncate(string text) => text.Length > 512 ? text[..512] + "…" : text;

    private EvidenceException TimedOut(string what) =>
        new(EvidenceErrorReason.Timeout, $"no answer on the side channel within {Timeout.TotalSeconds:0.#} s ({what}); is the local provider's side-channel handler running?");
}

namespace PodVm.Attester.Evidence;

/// <summary>
/// Retries an open that fails with EBUSY: a virtio-serial port has one opener at a time, and /init writes its own
/// status lines to the same port.
/// </summary>
internal static class BusyRetry
{
    public const int EBusy = 16;

    public static bool IsBusy(Exception ex) => ex is IOException { HResult: EBusy };

    public static async ValueTask<T> OpenAsync<T>(Func<T> open, int maxAttempts, TimeSpan delay, TimeProvider time, string what, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                return open();
            }
            catch (IOException ex) when (IsBusy(ex))
            {
                if (attempt >= maxAttempts)
                {
                    throw new EvidenceException(EvidenceErrorReason.Busy, $"{what} stayed busy (EBUSY) through {maxAttempts} attempts {delay.TotalMilliseconds} ms apart", ex);
                }
            }

            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
        }
    }
}

using System.Net.Http.Headers;
using PodVm.PodVmConfig;

namespace PodVm.AgentProtocolForwarder.ConfigProcessing;

/// <summary>
/// Fetches the user data: the local provider's file, AWS IMDSv2 (PUT /latest/api/token, then GET /latest/user-data
/// with the token) or Azure IMDS (GET /metadata/instance/compute/userData?api-version=2021-01-01&amp;format=text with
/// <c>Metadata: true</c>; the reply is base64).
/// </summary>
internal sealed class UserDataSource(ConfigProcessorOptions options, HttpMessageHandler? handler = null)
{
    /// <summary>
    /// The user data. The local file is read synchronously, with no timer: in the pod VM this runs before ready, where
    /// an asynchronous read would start the thread pool's threads and a timeout the timer thread, for a read of a few
    /// KiB from QEMU's fw_cfg. The metadata services are bounded by <see cref="ConfigProcessorOptions.Timeout"/> plus
    /// 10 s overall.
    /// </summary>
    public async Task<byte[]> FetchAsync(CancellationToken cancellationToken)
    {
        var source = options.Source == "auto" ? Detect() : options.Source;
        if (source == "local")
        {
            return ReadLocal();
        }

        using var overall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        overall.CancelAfter(options.Timeout + TimeSpan.FromSeconds(10));
        return source == "aws"
            ? await RetryAsync(FetchAwsAsync, overall.Token).ConfigureAwait(false)
            : await RetryAsync(FetchAzureAsync, overall.Token).ConfigureAwait(false);
    }

    private string Detect()
    {
        if (File.Exists(options.LocalPath))
        {
            return "local";
        }

        var vendor = ReadDmi("sys_vendor") + " " + ReadDmi("bios_vendor") + " " + ReadDmi("product_name");
        if (vendor.Contains("Amazon", StringComparison.OrdinalIgnoreCase))
        {
            return "aws";
        }

        if (vendor.Contains("Microsoft", StringComparison.OrdinalIgnoreCase))
        {
            return "azure";
        }

        throw new UserDataException(UserDataErrorReason.Unavailable,
            $"no user data: {options.LocalPath} does not exist and the cloud is neither AWS nor Azure (DMI: '{vendor.Trim()}')");
    }

    /// <summary>
    /// The local file, read to its end and refused as soon as it passes the limit. The size on record says nothing:
    /// QEMU's fw_cfg files in sysfs report 0 bytes (their content comes through the device as it is read), so a
    /// check of the size before reading let any amount through to <see cref="CloudConfig.Parse"/>.
    /// </summary>
    private byte[] ReadLocal()
    {
        FileStream file;
        try
        {
            file = new FileStream(options.LocalPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new UserDataException(UserDataErrorReason.Unavailable, $"no user data at {options.LocalPath}", e);
        }

        using (file)
        {
            using var content = new MemoryStream();
            var buffer = new byte[16384];
            int n;
            while ((n = file.Read(buffer)) > 0)
            {
                AppendLimited(content, buffer.AsSpan(0, n), options.LocalPath);
            }

            return content.ToArray();
        }
    }

    private async Task<byte[]> FetchAwsAsync(HttpClient http, CancellationToken cancellationToken)
    {
        using var tokenRequest = new HttpRequestMessage(HttpMethod.Put, new Uri(options.AwsEndpoint, "/latest/api/token"));
        tokenRequest.Headers.Add("X-aws-ec2-metadata-token-ttl-seconds", "21600");
        using var tokenResponse = await http.SendAsync(tokenRequest, cancellationToken).ConfigureAwait(false);
        tokenResponse.EnsureSuccessStatusCode();
        var token = await tokenResponse.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(options.AwsEndpoint, "/latest/user-data"));
        request.Headers.Add("X-aws-ec2-metadata-token", token);
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            throw new UserDataException(UserDataErrorReason.Unavailable, "the instance has no user data (IMDS 404)");
        }

        response.EnsureSuccessStatusCode();
        return await ReadLimitedAsync(response, cancellationToken).ConfigureAwait(false);
    }

    private async Task<byte[]> FetchAzureAsync(HttpClient http, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get,
            new Uri(options.AzureEndpoint, "/metadata/instance/compute/userData?api-version=2021-01-01&format=text"));
        request.Headers.Add("Metadata", "true");
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        var text = System.Text.Encoding.ASCII.GetString(await ReadLimitedAsync(response, cancellationToken).ConfigureAwait(false)).Trim();
        if (text.Length == 0)
        {
            throw new UserDataException(UserDataErrorReason.Unavailable, "the VM has no user data (Azure IMDS returned nothing)");
        }

        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException ex)
        {
            throw new UserDataException(UserDataErrorReason.BadEncoding, "Azure user data is not base64", ex);
        }
    }

    private async Task<byte[]> ReadLimitedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var max = options.Limits.MaxDocumentBytes * 2L;
        if (response.Content.Headers.ContentLength is long l && l > max)
        {
            throw new UserDataException(UserDataErrorReason.TooLarge, $"user data is {l} bytes; the limit is {options.Limits.MaxDocumentBytes}");
        }

        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var content = new MemoryStream();
            var buffer = new byte[16384];
            int n;
            while ((n = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                AppendLimited(content, buffer.AsSpan(0, n), "user data");
            }

            return content.ToArray();
        }
    }

    /// <summary>
    /// Appends what was read, or refuses the user data once it passes twice the document limit (the cloud-config may
    /// be base64 or gzip; <see cref="CloudConfig.Parse"/> enforces the limit itself on the decoded document).
    /// </summary>
    private void AppendLimited(MemoryStream content, ReadOnlySpan<byte> read, string what)
    {
        var max = options.Limits.MaxDocumentBytes * 2L;
        if (content.Length + read.Length > max)
        {
            throw new UserDataException(UserDataErrorReason.TooLarge, $"{what} is larger than {max} bytes (the limit is {options.Limits.MaxDocumentBytes} bytes)");
        }

        content.Write(read);
    }

    private async Task<byte[]> RetryAsync(Func<HttpClient, CancellationToken, Task<byte[]>> fetch, CancellationToken cancellationToken)
    {
        using var http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        http.Timeout = TimeSpan.FromSeconds(5);
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("podvm-config-processor", "1"));
        var deadline = DateTime.UtcNow + options.Timeout;
        while (true)
        {
            try
            {
                return await fetch(http, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                if (DateTime.UtcNow >= deadline)
                {
                    throw new UserDataException(UserDataErrorReason.Unavailable, $"metadata service unreachable for {options.Timeout.TotalSeconds:0}s: {ex.Message}", ex);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static string ReadDmi(string name)
    {
        try
        {
            var path = "/sys/class/dmi/id/" + name;
            return File.Exists(path) ? File.ReadAllText(path).Trim() : string.Empty;
        }
        catch (IOException)
        {
            return string.Empty;
        }
        catch (UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }
}

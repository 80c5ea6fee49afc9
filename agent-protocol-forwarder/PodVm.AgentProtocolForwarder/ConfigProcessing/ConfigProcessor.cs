using System.Text;
using PodVm.PodVmConfig;

namespace PodVm.AgentProtocolForwarder.ConfigProcessing;

/// <summary>
/// Boot-time processing of the pod VM configuration: everything is validated first (document, whitelist, apf.json,
/// initdata), and only then written; a bad document writes nothing, so the VM is never half configured.
/// Then the initdata digest is written and, with a TPM, its first 32 bytes are extended into PCR8.
/// </summary>
internal sealed class ConfigProcessor(ConfigProcessorOptions options)
{
    /// <summary>What was done, for the console.</summary>
    public sealed record Result(IReadOnlyList<string> Written, string? InitDataDigest, bool PcrExtended);

    public Result Process(ReadOnlySpan<byte> userData)
    {
        var document = CloudConfig.Parse(userData, options.Limits);
        if (document.Find(PodVmPaths.ForwarderConfig) is not { } apf)
        {
            throw new UserDataException(UserDataErrorReason.InvalidContent, $"user data has no {PodVmPaths.ForwarderConfig}");
        }

        _ = ForwarderConfig.FromJson(apf.Content.Span);
        if (document.Find(PodVmPaths.RegistryAuth) is { } auth)
        {
            try
            {
                using var _ = System.Text.Json.JsonDocument.Parse(auth.Content);
            }
            catch (System.Text.Json.JsonException ex)
            {
                throw new UserDataException(UserDataErrorReason.InvalidContent, $"{PodVmPaths.RegistryAuth} is not JSON", ex);
            }
        }

        InitData? initData = null;
        if (document.Find(PodVmPaths.InitData) is { } encoded)
        {
            try
            {
                initData = InitDataCodec.Decode(Encoding.ASCII.GetString(encoded.Content.Span));
            }
            catch (InitDataException ex)
            {
                throw new UserDataException(UserDataErrorReason.InvalidContent, $"{PodVmPaths.InitData}: {ex.Message}", ex);
            }
        }

        var written = new List<string>();
        foreach (var file in document.Files)
        {
            Write(file.Path, file.Content.Span, file.Mode);
            written.Add(file.Path);
        }

        string? digestHex = null;
        var extended = false;
        if (initData is not null)
        {
            foreach (var (key, path) in PodVmPaths.InitDataFiles)
            {
                if (initData.Data.TryGetValue(key, out var text))
                {
                    Write(path, Encoding.UTF8.GetBytes(text), (UnixFileMode)Convert.ToInt32("0644", 8));
                    written.Add(path);
                }
            }

            var digest = initData.Digest();
            digestHex = Convert.ToHexStringLower(digest);
            Write(PodVmPaths.InitDataDigest, Encoding.ASCII.GetBytes(digestHex), (UnixFileMode)Convert.ToInt32("0644", 8));
            written.Add(PodVmPaths.InitDataDigest);
            if (File.Exists(options.TpmDevice))
            {
                using var tpm = new FileStream(options.TpmDevice, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, 0);
                TpmPcrExtender.Extend(tpm, TpmPcrExtender.InitDataPcr, digest.AsSpan(0, 32));
                extended = true;
            }
        }

        return new Result(written, digestHex, extended);
    }

    private void Write(string path, ReadOnlySpan<byte> content, UnixFileMode mode)
    {
        var target = Path.Combine(options.OutputRoot, path.TrimStart('/'));
        var directory = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(directory);
        var temp = target + ".tmp";
        using (var stream = new FileStream(temp, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = mode }))
        {
            stream.Write(content);
        }

        File.SetUnixFileMode(temp, mode);
        File.Move(temp, target, overwrite: true);
    }
}

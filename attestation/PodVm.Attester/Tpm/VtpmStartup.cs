using System.Globalization;
using Microsoft.Extensions.Logging;
using PodVm.Attester.Configuration;

namespace PodVm.Attester.Tpm;

/// <summary>
/// At attester start: when the VM has a vTPM, binds the initdata digest into PCR8 and creates the AK. A failure is
/// logged and the attester runs without vTPM evidence (a KBS that requires the vTPM then refuses, saying why).
/// </summary>
internal static class VtpmStartup
{
    public static async Task<VtpmAttester?> TryStartAsync(AttesterOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        if (options.TpmDevicePath is not { } device || !File.Exists(device))
        {
            return null;
        }

        try
        {
            var digest = ReadDigest(options.InitDataDigestPath);
            var vtpm = await VtpmAttester.StartAsync(new TpmDeviceTransport(device), digest, cancellationToken).ConfigureAwait(false);
            AttesterLog.VtpmReady(logger, device, vtpm.Binding.ToString(), Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(vtpm.AkSubjectPublicKeyInfo)));
            return vtpm;
        }
        catch (Exception ex) when (ex is TpmException or IOException or UnauthorizedAccessException or FormatException)
        {
            AttesterLog.VtpmUnusable(logger, device, ex.Message);
            return null;
        }
    }

    /// <summary>The digest bytes from the hex file, or empty when the VM has no initdata.</summary>
    internal static byte[] ReadDigest(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        var text = File.ReadAllText(path).Trim();
        return text.Length == 0 ? [] : Convert.FromHexString(text.Length > 128 ? throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"{path} holds {text.Length} hex digits, more than a SHA-512 digest")) : text);
    }
}

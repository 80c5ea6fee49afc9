using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using PodVm.Attestation.ReferenceValues;
using PodVm.CloudApiAdaptor;
using PodVm.LocalKvmProvider.Keys;

namespace PodVm.LocalKvmProvider.Image;

/// <summary>
/// The image's expected measurements as reference values, written next to the image: <c>reference-values.json</c>
/// (the RVPS value list, for operators who sign with their own key: <c>podvm kbs sign-reference-values</c>) and
/// <c>reference-values.cose</c>, a PodVm bundle signed with the local image signing key, which
/// <c>podvm kbs import-reference-values</c> sends to a KBS that trusts that key (kid <see cref="SignerKeyId"/>).
/// Neither is part of the manifest: the bundle carries its signing time, and the image stays reproducible.
/// </summary>
public static class ReferenceValueExport
{
    /// <summary>The reference value the local development TEE's measurement claim is compared with.</summary>
    public const string MeasurementName = "local_dev_measurement";

    public const string ValuesFile = "reference-values.json";

    public const string BundleFile = "reference-values.cose";

    /// <summary>The COSE key id of the local image signing key, as a KBS's Kbs:ReferenceValueSigners names it.</summary>
    public const string SignerKeyId = "podvm-image-build";

    /// <summary>The local image signing key (P-384); its public half is reference-signer.pub.pem beside it.</summary>
    public static string DefaultSigningKeyFile => Path.Combine(PodVmPaths.Home, "keys", "reference-signer.pem");

    /// <summary>Writes both files into <paramref name="imageDirectory"/>; returns the bundle's path.</summary>
    public static string Write(string imageDirectory, ImageManifest manifest, string signingKeyFile, DateTimeOffset now, TimeSpan validity)
    {
        var expiration = now + validity;
        var value = new ReferenceValue
        {
            Name = MeasurementName,
            Values = [.. manifest.LaunchDigests.Values.Select(d => (JsonNode)JsonValue.Create(d.Sha384))],
            Expiration = expiration,
            Source = "podvm image build",
        };
        var list = new JsonArray(value.ToJson());
        AtomicFile.Write(Path.Combine(imageDirectory, ValuesFile), Encoding.UTF8.GetBytes(list.ToJsonString() + "\n"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        using var key = EcKeyFile.LoadOrCreateP384(signingKeyFile);
        var producer = string.Create(CultureInfo.InvariantCulture, $"podvm image build (input {manifest.InputDigest[..16]})");
        var bundle = PodVmReferenceBundle.Sign([value], key, SignerKeyId, producer, now, expiration);
        var path = Path.Combine(imageDirectory, BundleFile);
        AtomicFile.Write(path, bundle, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        return path;
    }
}

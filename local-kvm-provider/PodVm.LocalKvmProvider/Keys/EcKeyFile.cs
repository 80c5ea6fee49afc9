using System.Security.Cryptography;
using System.Text;
using PodVm.CloudApiAdaptor;

namespace PodVm.LocalKvmProvider.Keys;

/// <summary>
/// An ECDSA key kept in a file of local mode (the development TEE's platform key, the image build's reference value
/// signing key): PKCS#8 PEM, mode 0600, made on first use; its public half is written beside it as
/// <c>&lt;name&gt;.pub.pem</c> ("PUBLIC KEY" PEM), which is what a KBS is configured to trust.
/// </summary>
public static class EcKeyFile
{
    /// <summary>The public key file that belongs to <paramref name="privateKeyFile"/>.</summary>
    public static string PublicKeyFile(string privateKeyFile) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(privateKeyFile))!, Path.GetFileNameWithoutExtension(privateKeyFile) + ".pub.pem");

    /// <summary>Loads the key, or creates a P-384 key and stores it when the file does not exist.</summary>
    /// <exception cref="CryptographicException">The file holds something other than a P-384 EC private key.</exception>
    public static ECDsa LoadOrCreateP384(string privateKeyFile)
    {
        var key = ECDsa.Create();
        try
        {
            if (File.Exists(privateKeyFile))
            {
                key.ImportFromPem(File.ReadAllText(privateKeyFile));
                if (key.KeySize != 384)
                {
                    throw new CryptographicException($"{privateKeyFile} holds a {key.KeySize}-bit key; a P-384 EC key is expected");
                }
            }
            else
            {
                key.GenerateKey(ECCurve.NamedCurves.nistP384);
                AtomicFile.Write(privateKeyFile, Encoding.ASCII.GetBytes(key.ExportPkcs8PrivateKeyPem() + "\n"));
            }

            var publicPem = Encoding.ASCII.GetBytes(key.ExportSubjectPublicKeyInfoPem() + "\n");
            var publicFile = PublicKeyFile(privateKeyFile);
            if (!File.Exists(publicFile) || !File.ReadAllBytes(publicFile).AsSpan().SequenceEqual(publicPem))
            {
                AtomicFile.Write(publicFile, publicPem, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            }

            return key;
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }
}

using System.Buffers.Binary;
using System.Text;
using PodVm.LocalKvmProvider.Image;

namespace PodVm.LocalKvmProvider.Tests.Image;

public sealed class ModuleSignatureTests
{
    private static byte[] Signed(byte[] body, int signatureLength)
    {
        var info = new byte[12];
        info[2] = 2; // PKEY_ID_PKCS7
        BinaryPrimitives.WriteUInt32BigEndian(info.AsSpan(8), (uint)signatureLength);
        return [.. body, .. new byte[signatureLength], .. info, .. Encoding.ASCII.GetBytes("~Module signature appended~\n")];
    }

    [Fact]
    public void Strip_SignedModule_ReturnsTheUnsignedBody()
    {
        byte[] body = [0x7F, (byte)'E', (byte)'L', (byte)'F', 1, 2, 3];
        Assert.Equal(body, ModuleSignature.Strip(Signed(body, 681)));
    }

    [Fact]
    public void Strip_UnsignedModule_Unchanged()
    {
        byte[] body = [0x7F, (byte)'E', (byte)'L', (byte)'F', 1, 2, 3];
        Assert.Same(body, ModuleSignature.Strip(body));
    }

    [Fact]
    public void Strip_SignatureLongerThanModule_Throws()
    {
        var corrupt = Signed([1, 2], 10);
        BinaryPrimitives.WriteUInt32BigEndian(corrupt.AsSpan(corrupt.Length - 28 - 4), 100_000);
        Assert.Throws<ImageBuildException>(() => ModuleSignature.Strip(corrupt));
    }
}

using System.Text;
using System.Text.Json;
using PodVm.Attestation.Verifiers.Common;

namespace PodVm.Attestation.Tests.Verifiers.Common;

/// <summary>The text fast path of JsonEvidence.ByteArray accepts exactly what the element-by-element reader accepts.</summary>
public sealed class JsonEvidenceByteArrayTests
{
    public static TheoryData<string, int?> Arrays => new()
    {
        { "[]", null },
        { "[ ]", 0 },
        { "[0,1,255]", 3 },
        { "[0,1,255]", 4 },
        { "[ 0 , 1 ,\n255\t]", null },
        { "[256]", null },
        { "[1000]", null },
        { "[-0]", null },
        { "[1.0]", null },
        { "[1e2]", null },
        { "[\"1\"]", null },
        { "[null]", null },
        { "[[1]]", null },
        { "[0.5,1]", 2 },
        { "[12,34,56,78,90,123,200,9]", 8 },
    };

    [Theory]
    [MemberData(nameof(Arrays))]
    public void ByteArray_AnyArray_SameResultAsElementByElement(string json, int? length)
    {
        using var document = JsonDocument.Parse(json);
        byte[]? expected = null;
        string? expectedError = null;
        try
        {
            expected = ElementByElement(document.RootElement, length);
        }
        catch (VerificationException e)
        {
            expectedError = e.Message;
        }

        var fast = JsonEvidence.TryReadPlainByteArray(Encoding.UTF8.GetBytes(json.Trim()), length, out var plain);
        if (fast)
        {
            Assert.Equal(expected, plain);
        }

        if (expectedError is null)
        {
            Assert.Equal(expected, JsonEvidence.ByteArray(document.RootElement, "x", length));
        }
        else
        {
            Assert.False(fast);
            Assert.Equal(expectedError, Assert.Throws<VerificationException>(() => JsonEvidence.ByteArray(document.RootElement, "x", length)).Message);
        }
    }

    [Fact]
    public void TryReadPlainByteArray_EveryByteValue_ReadsIt()
    {
        var json = "[" + string.Join(',', Enumerable.Range(0, 256)) + "]";

        Assert.True(JsonEvidence.TryReadPlainByteArray(Encoding.UTF8.GetBytes(json), 256, out var bytes));
        Assert.Equal(Enumerable.Range(0, 256).Select(i => (byte)i), bytes);
    }

    // The reader as it was before the fast path: each element must be a number that fits a byte.
    private static byte[] ElementByElement(JsonElement element, int? length)
    {
        var count = element.GetArrayLength();
        if (length is { } expected && count != expected)
        {
            throw VerificationException.Malformed($"x has {count} bytes, expected {expected}");
        }

        var bytes = new byte[count];
        var i = 0;
        foreach (var item in element.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetByte(out bytes[i++]))
            {
                throw VerificationException.Malformed("x holds a value that is not a byte");
            }
        }

        return bytes;
    }
}

using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using PodVm.Attestation.Kbs;
using PodVm.Attestation.Verifiers.Common;

namespace PodVm.Attestation.Tests.Verifiers.Common;

/// <summary>
/// MaskedJsonDocument masks exactly the strict JSON byte arrays, parses every text as JsonDocument does (same document,
/// same refusal with the same message), and gives every element's original text.
/// </summary>
public sealed class MaskedJsonDocumentTests
{
    public static TheoryData<string, int> ScannedArrays => new()
    {
        { "[0,1,255]", 3 },
        { "[ 0 , 1 ,\n255\t]", 3 },
        { "[\r\n 7 \r\n]", 1 },
        { "[]", 0 },
        { "[ \n ]", 0 },
        { "[10,200,99,0]", 4 },
        { "[01]", -1 },
        { "[00]", -1 },
        { "[1,007]", -1 },
        { "[256]", -1 },
        { "[1000]", -1 },
        { "[2550]", -1 },
        { "[-1]", -1 },
        { "[-0]", -1 },
        { "[1.0]", -1 },
        { "[1e2]", -1 },
        { "[1E2]", -1 },
        { "[1,2", -1 },
        { "[1,", -1 },
        { "[", -1 },
        { "[1 2]", -1 },
        { "[1,]", -1 },
        { "[,1]", -1 },
        { "[[1]]", -1 },
        { "[\"1\"]", -1 },
        { "[null]", -1 },
        { "[true]", -1 },
        { "[{}]", -1 },
        { "[1\f]", -1 },
        { "[1\v]", -1 },
        { "[1\u00A0]", -1 },
    };

    public static TheoryData<string> InvalidJson => new()
    {
        "[01,2,3,4]",
        "{[1,2,3,4]:1}",
        "{\"a\" [1,2,3,4]}",
        "{\"a\":[1,2,3,4] \"b\":1}",
        "{\"a\":[1,2,3,4],}",
        "{\"a\":tru[1,2,3,4]}",
        "{\"a\":fals[1,2,3,4]}",
        "{\"a\":[1,2,3,4]",
        "{\"a\":[1,2,3,4]}}",
        "{\"a\":[1,2,3,4]}[5,6,7,8]",
        "{\"a\":[1,\n2,\n3,\n4],\n\"b\":[1,2,3,4],\n\"c\":x}",
        "{\"a\":\"[1,2,3,4]\n\"}",
        "{\"a\":\"\\q[1,2,3,4]\"}",
        "[[[[[[[[[[1,2,3,4]]]]]]]]]]",
        "",
        "   ",
        "[1,2,3,4] [1,2,3,4]",
    };

    [Theory]
    [MemberData(nameof(ScannedArrays))]
    public void PlainByteArrayEnd_Array_OnlyStrictJsonIntegersZeroTo255(string json, int expectedCount)
    {
        var bytes = Encoding.UTF8.GetBytes(json);

        var end = MaskedJsonDocument.PlainByteArrayEnd(bytes, 0, out var count);

        Assert.Equal(expectedCount < 0 ? -1 : bytes.Length - 1, end);
        if (expectedCount >= 0)
        {
            Assert.Equal(expectedCount, count);
        }
    }

    [Theory]
    [InlineData("""{"s":"[1,2,3]","a":[1,2,3]}""", """{"s":"[1,2,3]","a":[     ]}""")]
    [InlineData("""{"s":"\"[1,2,3]","a":[1,2,3]}""", """{"s":"\"[1,2,3]","a":[     ]}""")]
    [InlineData("""{"s":"\\","a":[1,2,3]}""", """{"s":"\\","a":[     ]}""")]
    [InlineData("[[1,2],[3,4]]", "[[   ],[   ]]")]
    [InlineData("[[1,2],[3,4.5]]", "[[   ],[3,4.5]]")]
    [InlineData("[1,\n 2,\r\n\t3]", "[  \n   \r\n\t ]")]
    [InlineData("[1,2,01]", null)]
    [InlineData("""{"a":"b"}""", null)]
    public void Mask_Text_BlanksDigitsAndCommasOfByteArraysOutsideStrings(string json, string? expected)
    {
        var masked = MaskedJsonDocument.Mask(Encoding.UTF8.GetBytes(json), minElements: 1);

        Assert.Equal(expected, masked is null ? null : Encoding.UTF8.GetString(masked));
    }

    [Theory]
    [InlineData("{}", 1, true)]
    [InlineData("[[1]]", 2, true)]
    [InlineData("{\"a\":[[1,2,3,4]],\"b\":{\"c\":[]}}", 3, true)]
    [InlineData("{ \"a\":1}", 1, false)]
    [InlineData("{\"a\":\"\\n\"}", 1, false)]
    [InlineData("{\"a\":\"\u00E9\"}", 1, false)]
    [InlineData("{\"a\":[1, 2,3,4]}", 2, false)]
    [InlineData("{\"a\":\"[[[[{{{\"}", 1, true)]
    public void Parse_Text_DepthAndCompactnessOfTheWholeText(string json, int depth, bool compact)
    {
        using var document = MaskedJsonDocument.Parse(Encoding.UTF8.GetBytes(json), minMaskedElements: 1);

        Assert.Equal(depth, document.MaxDepth);
        Assert.Equal(compact, document.IsCompact);
        Assert.Equal(CompactJson.IsCompact(Encoding.UTF8.GetBytes(json)), document.IsCompact);
    }

    [Fact]
    public void Mask_ShortArrays_LeftToTheParser()
    {
        var json = "{\"short\":[" + string.Join(',', Enumerable.Range(0, MaskedJsonDocument.MinMaskedElements - 1)) + "],\"long\":[" + string.Join(',', Enumerable.Range(0, MaskedJsonDocument.MinMaskedElements)) + "]}";
        using var document = MaskedJsonDocument.Parse(Encoding.UTF8.GetBytes(json));

        Assert.False(document.IsMasked(document.RootElement.GetProperty("short")));
        Assert.True(document.IsMasked(document.RootElement.GetProperty("long")));
        Assert.Equal(MaskedJsonDocument.MinMaskedElements - 1, document.RootElement.GetProperty("short").GetArrayLength());
        Assert.Equal(0, document.RootElement.GetProperty("long").GetArrayLength());
    }

    [Fact]
    public void Parse_GenoaEvidence_SameDocumentAndOriginalTextOfEveryElement()
    {
        var bytes = Vectors.Bytes("trustee-snp/e2e-genoa-evidence.json");
        using var plain = JsonDocument.Parse(bytes);
        using var masked = MaskedJsonDocument.Parse(bytes);

        Assert.True(masked.HasMaskedArrays);
        AssertSame(plain.RootElement, masked, masked.RootElement);
    }

    [Theory]
    [MemberData(nameof(InvalidJson))]
    public void Parse_InvalidJson_SameErrorAsJsonDocument(string json) =>
        AssertParsesAsJsonDocument(Encoding.UTF8.GetBytes(json), default, minElements: 1);

    [Fact]
    public void Parse_DepthLimit_SameErrorAsJsonDocument()
    {
        var json = Encoding.UTF8.GetBytes("{\"a\":{\"b\":[[1,2,3,4]]}}");

        AssertParsesAsJsonDocument(json, new JsonDocumentOptions { MaxDepth = 3 }, minElements: 1);
        AssertParsesAsJsonDocument(json, new JsonDocumentOptions { MaxDepth = 4 }, minElements: 1);
    }

    [Fact]
    public void Parse_MutatedJson_SameResultAsJsonDocument()
    {
        // Fuzz-ish: valid documents with byte arrays, then single-byte deletions, insertions and replacements.
        var random = new Random(6);
        const string Alphabet = "[]{},:\"0123456789-.eE \n\t\\atrufl";
        for (var n = 0; n < 3000; n++)
        {
            var text = new StringBuilder(RandomValue(random, 0));
            for (var m = random.Next(0, 3); m > 0 && text.Length > 0; m--)
            {
                var at = random.Next(text.Length);
                switch (random.Next(3))
                {
                    case 0:
                        text.Remove(at, 1);
                        break;
                    case 1:
                        text.Insert(at, Alphabet[random.Next(Alphabet.Length)]);
                        break;
                    default:
                        text[at] = Alphabet[random.Next(Alphabet.Length)];
                        break;
                }
            }

            var options = new JsonDocumentOptions { MaxDepth = random.Next(2) == 0 ? 0 : random.Next(2, 6) };
            AssertParsesAsJsonDocument(Encoding.UTF8.GetBytes(text.ToString()), options, minElements: random.Next(1, 4));
        }
    }

    [Fact]
    public void ByteArray_MaskedArrayOfTheWrongLength_SameRefusalAsUnmasked()
    {
        var json = Encoding.UTF8.GetBytes("{\"a\":[" + string.Join(',', Enumerable.Range(0, 20)) + "]}");
        using var plain = JsonDocument.Parse(json);
        using var masked = MaskedJsonDocument.Parse(json);
        var element = masked.RootElement.GetProperty("a");

        Assert.True(masked.IsMasked(element));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (byte)i), JsonEvidence.ByteArray(masked, element, "a", 20));
        var expected = Assert.Throws<VerificationException>(() => JsonEvidence.ByteArray(plain.RootElement.GetProperty("a"), "a", 21)).Message;
        Assert.Equal(expected, Assert.Throws<VerificationException>(() => JsonEvidence.ByteArray(masked, element, "a", 21)).Message);
    }

    [Fact]
    public void TextOf_ElementOfAnotherDocument_Refused()
    {
        using var one = MaskedJsonDocument.Parse(Encoding.UTF8.GetBytes("{\"a\":1}"));
        using var other = JsonDocument.Parse("{\"a\":1}");

        Assert.Throws<ArgumentException>(() => one.TextOf(other.RootElement.GetProperty("a")));
    }

    private static void AssertParsesAsJsonDocument(byte[] json, JsonDocumentOptions options, int minElements)
    {
        JsonDocument? plain = null;
        string? plainError = null;
        try
        {
            plain = JsonDocument.Parse(json, options);
        }
        catch (JsonException e)
        {
            plainError = e.Message;
        }

        using (plain)
        {
            MaskedJsonDocument? masked = null;
            string? maskedError = null;
            try
            {
                masked = MaskedJsonDocument.Parse(json, options, minElements);
            }
            catch (JsonException e)
            {
                maskedError = e.Message;
            }

            using (masked)
            {
                Assert.True(plainError == maskedError, $"{Encoding.UTF8.GetString(json)}: '{plainError}' vs '{maskedError}'");
                if (plain is not null)
                {
                    AssertSame(plain.RootElement, masked!, masked!.RootElement);
                    Assert.Equal(Depth(plain.RootElement), masked.MaxDepth);
                    Assert.Equal(CompactJson.IsCompact(json), masked.IsCompact);
                }
            }
        }
    }

    // Same structure; every element's original text equals the plain element's text; masked arrays hold what the plain ones hold.
    private static void AssertSame(JsonElement plain, MaskedJsonDocument document, JsonElement masked)
    {
        Assert.Equal(JsonMarshal.GetRawUtf8Value(plain).ToArray(), document.TextOf(masked).ToArray());
        Assert.Equal(plain.ValueKind, masked.ValueKind);
        switch (plain.ValueKind)
        {
            case JsonValueKind.Object:
                var plainMembers = plain.EnumerateObject().ToList();
                var maskedMembers = masked.EnumerateObject().ToList();
                Assert.Equal(plainMembers.Select(p => p.Name), maskedMembers.Select(p => p.Name));
                for (var i = 0; i < plainMembers.Count; i++)
                {
                    AssertSame(plainMembers[i].Value, document, maskedMembers[i].Value);
                }

                break;
            case JsonValueKind.Array when document.IsMasked(masked) && masked.GetArrayLength() == 0:
                Assert.All(plain.EnumerateArray(), e => Assert.True(e.ValueKind == JsonValueKind.Number && e.TryGetByte(out _)));
                Assert.Equal(plain.EnumerateArray().Select(e => e.GetByte()), document.MaskedBytes(masked));
                break;
            case JsonValueKind.Array:
                var plainItems = plain.EnumerateArray().ToList();
                var maskedItems = masked.EnumerateArray().ToList();
                Assert.Equal(plainItems.Count, maskedItems.Count);
                for (var i = 0; i < plainItems.Count; i++)
                {
                    AssertSame(plainItems[i], document, maskedItems[i]);
                }

                break;
        }
    }

    private static int Depth(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => 1 + element.EnumerateObject().Select(p => Depth(p.Value)).DefaultIfEmpty(0).Max(),
        JsonValueKind.Array => 1 + element.EnumerateArray().Select(Depth).DefaultIfEmpty(0).Max(),
        _ => 0,
    };

    private static string RandomValue(Random random, int depth)
    {
        switch (random.Next(depth > 3 ? 4 : 7))
        {
            case 0:
                return random.Next(300).ToString(System.Globalization.CultureInfo.InvariantCulture);
            case 1:
                return "\"s" + (random.Next(4) == 0 ? "\\\"[1,2]" : "") + "\"";
            case 2:
                return random.Next(2) == 0 ? "true" : "null";
            case 3:
                return random.Next(2) == 0 ? "-1.5e2" : "0";
            case 4:
            case 5:
                var count = random.Next(0, 6);
                var separator = random.Next(3) == 0 ? ", " : ",";
                return random.Next(3) == 0
                    ? "[" + string.Join(separator, Enumerable.Range(0, count).Select(_ => RandomValue(random, depth + 1))) + "]"
                    : "[" + string.Join(separator, Enumerable.Range(0, count).Select(_ => random.Next(256).ToString(System.Globalization.CultureInfo.InvariantCulture))) + (random.Next(2) == 0 ? "\n" : "") + "]";
            default:
                var members = random.Next(0, 4);
                return "{" + string.Join(",", Enumerable.Range(0, members).Select(i => "\"m" + i + "\":" + RandomValue(random, depth + 1))) + "}";
        }
    }
}

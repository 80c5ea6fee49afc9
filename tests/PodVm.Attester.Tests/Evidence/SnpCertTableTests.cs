using System.Buffers.Binary;
using PodVm.Attester.Evidence;

namespace PodVm.Attester.Tests.Evidence;

public sealed class SnpCertTableTests
{
    [Fact]
    public void Parse_BuiltTable_RoundTripsNamesAndData()
    {
        var table = SnpCertTable.Build([(SnpCertTable.GuidOf("VCEK"), new byte[] { 1, 2 }), (SnpCertTable.GuidOf("ASK"), new byte[] { 3 }), (SnpCertTable.GuidOf("ARK"), new byte[] { 4, 5, 6 })]);

        var certs = SnpCertTable.Parse(table);

        Assert.Equal(["VCEK", "ASK", "ARK"], certs.Select(c => c.Type));
        Assert.Equal(new byte[] { 4, 5, 6 }, certs[2].Data);
    }

    [Fact]
    public void Parse_MixedEndianGuid_IsStillNamed()
    {
        var table = SnpCertTable.Build([(SnpCertTable.GuidOf("VLEK"), new byte[] { 1 })]);
        _ = SnpCertTable.GuidOf("VLEK").TryWriteBytes(table.AsSpan(0, 16), bigEndian: false, out _);

        Assert.Equal("VLEK", SnpCertTable.Parse(table)[0].Type);
    }

    [Fact]
    public void Parse_UnknownGuid_IsOther()
    {
        var table = SnpCertTable.Build([(Guid.Parse("00112233-4455-6677-8899-aabbccddeeff"), new byte[] { 1 })]);

        Assert.Equal("OTHER(00112233-4455-6677-8899-aabbccddeeff)", SnpCertTable.Parse(table)[0].Type);
    }

    [Fact]
    public void Write_UnknownCertificate_IsTheSerdeNewtypeVariant()
    {
        var json = System.Text.Json.JsonDocument.Parse(SnpEvidenceWriter.Write(new byte[1184], [new SnpCertificate("OTHER(00112233-4455-6677-8899-aabbccddeeff)", [1]), new SnpCertificate("ASK", [2])]));
        var chain = json.RootElement.GetProperty("cert_chain");

        Assert.Equal("00112233-4455-6677-8899-aabbccddeeff", chain[0].GetProperty("cert_type").GetProperty("OTHER").GetString());
        Assert.Equal("ASK", chain[1].GetProperty("cert_type").GetString());
    }

    [Fact]
    public void Parse_EntryOutsideTable_IsMalformed()
    {
        var table = SnpCertTable.Build([(SnpCertTable.GuidOf("VCEK"), new byte[] { 1, 2 })]);
        BinaryPrimitives.WriteUInt32LittleEndian(table.AsSpan(20), 1000);

        Assert.Equal(EvidenceErrorReason.Malformed, Assert.Throws<EvidenceException>(() => SnpCertTable.Parse(table)).Reason);
    }

    [Fact]
    public void Parse_NoTerminator_IsMalformed()
    {
        var table = SnpCertTable.Build([(SnpCertTable.GuidOf("VCEK"), new byte[] { 1 })]);

        Assert.Throws<EvidenceException>(() => SnpCertTable.Parse(table.AsSpan(0, 30)));
    }

    [Fact]
    public void Parse_EmptyTable_IsEmpty() => Assert.Empty(SnpCertTable.Parse(new byte[24]));
}

using PodVm.Attestation.Verifiers.Common;
using PodVm.Attestation.Verifiers.Tpm;

namespace PodVm.Attestation.Tests.Verifiers.Tpm;

public sealed class TcgEventLogTests
{
    [Fact]
    public void Replay_SyntheticLog_ExtendsPerPcr()
    {
        var log = TcgEventLog.Parse(TpmTestEvidence.EventLog((0, "a"u8.ToArray()), (7, "b"u8.ToArray()), (0, "c"u8.ToArray())));

        var replayed = log.Replay()[TpmHash.Sha256];

        Assert.Equal(TpmTestEvidence.Replay("a"u8.ToArray(), "c"u8.ToArray()), replayed[0]);
        Assert.Equal(TpmTestEvidence.Replay("b"u8.ToArray()), replayed[7]);
        Assert.Equal(4, log.Events.Count);
    }

    [Theory]
    [InlineData("trustee-tdx/CCEL_data")]
    [InlineData("trustee-tdx/CCEL_data_ovmf")]
    public void Parse_RealCcelLogs_ReplaysSha384Registers(string path)
    {
        var log = TcgEventLog.Parse(Vectors.Bytes(path));

        var replayed = log.Replay();

        Assert.Contains(TpmHash.Sha384, log.Banks);
        Assert.True(log.Events.Count > 5);
        Assert.NotEmpty(replayed[TpmHash.Sha384]);
        Assert.All(replayed[TpmHash.Sha384].Values, v => Assert.Equal(48, v.Length));
    }

    [Fact]
    public void Parse_TruncatedLog_ThrowsMalformedOnly()
    {
        var full = TpmTestEvidence.EventLog((0, "a"u8.ToArray()), (7, "b"u8.ToArray()));

        for (var length = 1; length < full.Length; length++)
        {
            try
            {
                TcgEventLog.Parse(full.AsSpan(0, length));
            }
            catch (VerificationException)
            {
            }
        }
    }
}

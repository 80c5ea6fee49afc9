using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Grpc.Core;
using Grpc.Net.Client;
using PodVm.Attestation.Kbs;
using PodVm.Kbs.Grpc.Attestation;
using PodVm.Kbs.Grpc.Reference;

namespace PodVm.Attestation.Tests.Kbs;

public sealed class KbsGrpcTests
{
    private static Metadata Auth(string token = KbsTestHost.GrpcToken) => new() { { "authorization", "Bearer " + token } };

    [Fact]
    public async Task AttestationEvaluate_SampleEvidenceWithStructuredRuntimeData_ReturnsEar()
    {
        await using var host = await KbsTestHost.StartAsync(grpc: true);
        using var channel = GrpcChannel.ForAddress(host.GrpcUri);
        var client = new AttestationService.AttestationServiceClient(channel);
        using var tee = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var p = tee.ExportParameters(false);
        var runtimeData = new JsonObject
        {
            ["nonce"] = "abc",
            ["tee-pubkey"] = new JsonObject { ["kty"] = "EC", ["crv"] = "P-256", ["alg"] = "ECDH-ES+A256KW", ["x"] = Base64UrlText.Encode(p.Q.X), ["y"] = Base64UrlText.Encode(p.Q.Y) },
        };
        var digest = SHA384.HashData(Jcs.Canonicalize(runtimeData));
        var evidence = new JsonObject { ["svn"] = "1", ["report_data"] = Convert.ToBase64String(digest) };

        await client.SetAttestationPolicyAsync(new SetPolicyRequest { PolicyId = "default", Policy = Base64UrlText.Encode(Encoding.UTF8.GetBytes(KbsAdminClient.SamplePolicy)) }, Auth()).ResponseAsync.DefaultTimeout();
        var response = await client.AttestationEvaluateAsync(
            new AttestationRequest
            {
                VerificationRequests =
                {
                    new IndividualAttestationRequest
                    {
                        Tee = "sample",
                        Evidence = Base64UrlText.Encode(Encoding.UTF8.GetBytes(evidence.ToJsonString())),
                        StructuredRuntimeData = runtimeData.ToJsonString(),
                        RuntimeDataHashAlgorithm = "sha384",
                    },
                },
            },
            Auth()).ResponseAsync.DefaultTimeout();

        var claims = EarTokenIssuer.ReadUnverifiedPayload(response.AttestationToken);
        Assert.Equal("abc", (string?)claims["submods"]!["cpu0"]!["ear.veraison.annotated-evidence"]!["runtime_data_claims"]!["nonce"]);
        // The sample policy needs reference value sample_svn, which is not registered: contraindicated.
        Assert.Equal("contraindicated", (string?)claims["submods"]!["cpu0"]!["ear.status"]);
    }

    [Fact]
    public async Task GetAttestationChallenge_ReturnsFreshNonce()
    {
        await using var host = await KbsTestHost.StartAsync(grpc: true);
        using var channel = GrpcChannel.ForAddress(host.GrpcUri);
        var client = new AttestationService.AttestationServiceClient(channel);
        var request = new ChallengeRequest { Inner = { ["tee"] = "snp" } };

        var a = await client.GetAttestationChallengeAsync(request, Auth()).ResponseAsync.DefaultTimeout();
        var b = await client.GetAttestationChallengeAsync(request, Auth()).ResponseAsync.DefaultTimeout();

        Assert.Equal(32, Convert.FromBase64String(a.AttestationChallenge).Length);
        Assert.NotEqual(a.AttestationChallenge, b.AttestationChallenge);
    }

    [Fact]
    public async Task Call_WrongToken_Unauthenticated()
    {
        await using var host = await KbsTestHost.StartAsync(grpc: true);
        using var channel = GrpcChannel.ForAddress(host.GrpcUri);
        var client = new AttestationService.AttestationServiceClient(channel);

        var ex = await Assert.ThrowsAsync<RpcException>(() => client.GetAttestationChallengeAsync(new ChallengeRequest(), Auth("wrong")).ResponseAsync.DefaultTimeout());

        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
    }

    [Fact]
    public async Task RegisterThenQueryReferenceValue_RoundTrips()
    {
        await using var host = await KbsTestHost.StartAsync(grpc: true);
        using var channel = GrpcChannel.ForAddress(host.GrpcUri);
        var client = new ReferenceValueProviderService.ReferenceValueProviderServiceClient(channel);
        var message = new JsonObject { ["version"] = "0.1.0", ["type"] = "sample", ["payload"] = Convert.ToBase64String("""{"mr_td":["aa","bb"]}"""u8) };

        await client.RegisterReferenceValueAsync(new ReferenceValueRegisterRequest { Message = message.ToJsonString() }, Auth()).ResponseAsync.DefaultTimeout();
        var result = await client.QueryReferenceValueAsync(new ReferenceValueQueryRequest { ReferenceValueId = "mr_td" }, Auth()).ResponseAsync.DefaultTimeout();

        Assert.Equal("""{"mr_td":["aa","bb"]}""", result.ReferenceValueResults);
    }
}

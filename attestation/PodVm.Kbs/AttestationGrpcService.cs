using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Grpc.Core;
using PodVm.Attestation.Kbs;
using PodVm.Attestation.Policy;
using PodVm.Kbs.Grpc.Attestation;

namespace PodVm.Kbs;

/// <summary>Trustee's attestation.AttestationService over gRPC, backed by the local attestation service.</summary>
internal sealed class AttestationGrpcService(IAttestationService attestation) : AttestationService.AttestationServiceBase
{
    public override async Task<AttestationResponse> AttestationEvaluate(AttestationRequest request, ServerCallContext context)
    {
        if (request.VerificationRequests.Count != 1)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "exactly one verification request is supported"));
        }

        var individual = request.VerificationRequests[0];
        var policyId = request.PolicyIds.Count > 0 && request.PolicyIds[0].Length > 0 ? request.PolicyIds[0] : "default";
        var teeClass = string.IsNullOrEmpty(individual.TeeClass) ? "cpu" : individual.TeeClass;
        try
        {
            var evaluation = new AttestationEvaluationRequest
            {
                Tee = individual.Tee,
                TeeClass = teeClass,
                Evidence = Base64UrlText.Decode(individual.Evidence.TrimEnd('='), KbsErrorKind.RcarAttestFailed, "evidence"),
                StructuredRuntimeData = individual.RuntimeDataCase == IndividualAttestationRequest.RuntimeDataOneofCase.StructuredRuntimeData
                    ? ParseObject(individual.StructuredRuntimeData, "structured_runtime_data")
                    : null,
                RawRuntimeData = individual.RuntimeDataCase == IndividualAttestationRequest.RuntimeDataOneofCase.RawRuntimeData
                    ? Base64UrlText.Decode(individual.RawRuntimeData.TrimEnd('='), KbsErrorKind.RcarAttestFailed, "raw_runtime_data")
                    : ReadOnlyMemory<byte>.Empty,
                RuntimeDataHashAlgorithm = HashName(individual.RuntimeDataHashAlgorithm),
                InitData = individual.InitDataCase switch
                {
                    IndividualAttestationRequest.InitDataOneofCase.RawInitData => Base64UrlText.Decode(individual.RawInitData.TrimEnd('='), KbsErrorKind.RcarAttestFailed, "raw_init_data"),
                    IndividualAttestationRequest.InitDataOneofCase.StructuredInitData => Jcs.Canonicalize(ParseObject(individual.StructuredInitData, "structured_init_data")),
                    _ => ReadOnlyMemory<byte>.Empty,
                },
                InitDataHashAlgorithm = string.IsNullOrEmpty(individual.InitDataHashAlgorithm) ? null : HashName(individual.InitDataHashAlgorithm),
                PolicyId = policyId,
            };
            var outcome = await attestation.EvaluateAsync(evaluation, context.CancellationToken).ConfigureAwait(false);
            return new AttestationResponse { AttestationToken = outcome.Token };
        }
        catch (KbsException ex)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, ex.Message));
        }
    }

    public override async Task<SetPolicyResponse> SetAttestationPolicy(SetPolicyRequest request, ServerCallContext context)
    {
        try
        {
            var document = request.Policy.TrimStart().StartsWith('{')
                ? request.Policy
                : Encoding.UTF8.GetString(Base64UrlText.Decode(request.Policy.TrimEnd('='), KbsErrorKind.ParsePolicyError, "policy"));
            await attestation.SetPolicyAsync(string.IsNullOrEmpty(request.PolicyId) ? "default" : request.PolicyId, document, context.CancellationToken).ConfigureAwait(false);
            return new SetPolicyResponse();
        }
        catch (Exception ex) when (ex is KbsException or PolicyException)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, ex.Message));
        }
    }

    public override Task<ChallengeResponse> GetAttestationChallenge(ChallengeRequest request, ServerCallContext context) =>
        Task.FromResult(new ChallengeResponse { AttestationChallenge = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) });

    private static string HashName(string name) => string.IsNullOrEmpty(name) ? "sha384" : name.ToLowerInvariant();

    private static JsonObject ParseObject(string json, string field)
    {
        try
        {
            return JsonNode.Parse(json) as JsonObject ?? throw new RpcException(new Status(StatusCode.InvalidArgument, $"{field} must be a JSON object"));
        }
        catch (JsonException ex)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"{field} is not JSON: {ex.Message}"));
        }
    }
}

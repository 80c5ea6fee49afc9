using System.Text.Json.Nodes;
using Grpc.Core;
using PodVm.Attestation.Kbs;
using PodVm.Attestation.ReferenceValues;
using PodVm.Kbs.Grpc.Reference;

namespace PodVm.Kbs;

/// <summary>Trustee's reference.ReferenceValueProviderService over gRPC, on the KBS's reference value store.</summary>
internal sealed class ReferenceValueGrpcService(IReferenceValueStore store, ReferenceValueImporter importer) : ReferenceValueProviderService.ReferenceValueProviderServiceBase
{
    public override async Task<ReferenceValueQueryResponse> QueryReferenceValue(ReferenceValueQueryRequest request, ServerCallContext context)
    {
        var result = new JsonObject();
        foreach (var v in await store.ListAsync(context.CancellationToken).ConfigureAwait(false))
        {
            if (request.ReferenceValueId.Length == 0 || string.Equals(v.Name, request.ReferenceValueId, StringComparison.Ordinal))
            {
                result[v.Name] = new JsonArray([.. v.Values.Select(x => x.DeepClone())]);
            }
        }

        return new ReferenceValueQueryResponse { ReferenceValueResults = result.ToJsonString(JsonText.Compact) };
    }

    public override async Task<ReferenceValueRegisterResponse> RegisterReferenceValue(ReferenceValueRegisterRequest request, ServerCallContext context)
    {
        try
        {
            var values = importer.ImportRvpsMessage(request.Message);
            await store.SetAsync(values, context.CancellationToken).ConfigureAwait(false);
            return new ReferenceValueRegisterResponse();
        }
        catch (ReferenceValueException ex)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"{ex.Error}: {ex.Message}"));
        }
    }
}

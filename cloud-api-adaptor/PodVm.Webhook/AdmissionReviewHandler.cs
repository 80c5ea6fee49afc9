using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace PodVm.Webhook;

/// <summary>
/// Answers one AdmissionReview (admission.k8s.io/v1): pods of the PodVm runtime class get a JSONPatch, everything
/// else is allowed unchanged. A pod the webhook cannot size is denied with the reason, so the user sees it at
/// <c>kubectl apply</c> time instead of as a VM of the wrong size.
/// </summary>
internal sealed class AdmissionReviewHandler
{
    private const string ApiVersion = "admission.k8s.io/v1";

    private readonly PodMutator _mutator;
    private readonly ILogger _logger;

    public AdmissionReviewHandler(WebhookOptions options, ILogger logger)
    {
        _mutator = new PodMutator(options);
        _logger = logger;
    }

    /// <summary>Builds the response review; throws <see cref="AdmissionException"/> when the request is not a review.</summary>
    public JsonObject Handle(JsonNode? review)
    {
        if (review is not JsonObject root
            || !string.Equals((string?)root["apiVersion"], ApiVersion, StringComparison.Ordinal)
            || !string.Equals((string?)root["kind"], "AdmissionReview", StringComparison.Ordinal)
            || root["request"] is not JsonObject request
            || string.IsNullOrEmpty((string?)request["uid"]))
        {
            throw new AdmissionException($"expected an {ApiVersion} AdmissionReview with a request.uid");
        }

        var uid = (string)request["uid"]!;
        var response = new JsonObject { ["uid"] = uid, ["allowed"] = true };
        var result = new JsonObject { ["apiVersion"] = ApiVersion, ["kind"] = "AdmissionReview", ["response"] = response };

        var isPod = string.Equals((string?)request["kind"]?["kind"], "Pod", StringComparison.Ordinal)
            && string.IsNullOrEmpty((string?)request["kind"]?["group"])
            && string.IsNullOrEmpty((string?)request["subResource"]);
        var operation = (string?)request["operation"];
        if (!isPod || !string.Equals(operation, "CREATE", StringComparison.Ordinal) || request["object"] is not JsonObject pod)
        {
            return result;
        }

        var name = (string?)pod["metadata"]?["name"] ?? (string?)pod["metadata"]?["generateName"] ?? "";
        var ns = (string?)request["namespace"] ?? "";
        if (!_mutator.Targets(pod))
        {
            WebhookLog.PodSkipped(_logger, ns, name);
            return result;
        }

        IReadOnlyList<JsonPatchOperation> operations;
        try
        {
            operations = _mutator.Mutate(pod);
        }
        catch (AdmissionException ex)
        {
            WebhookLog.PodDenied(_logger, ns, name, ex.Message);
            response["allowed"] = false;
            response["status"] = new JsonObject
            {
                ["code"] = 400,
                ["reason"] = "BadRequest",
                ["message"] = $"PodVm webhook: pod {ns}/{name}: {ex.Message}",
            };
            return result;
        }

        WebhookLog.PodMutated(_logger, ns, name, operations.Count);
        if (operations.Count > 0)
        {
            var patch = new JsonArray(operations.Select(o => (JsonNode)o.ToJson()).ToArray());
            response["patchType"] = "JSONPatch";
            response["patch"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(patch.ToJsonString()));
        }

        return result;
    }
}

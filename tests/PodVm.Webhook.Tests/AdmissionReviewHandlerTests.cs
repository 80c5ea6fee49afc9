using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using static PodVm.Webhook.Tests.Reviews;

namespace PodVm.Webhook.Tests;

public sealed class AdmissionReviewHandlerTests
{
    private const string Vcpus = "io.katacontainers.config.hypervisor.default_vcpus";
    private const string Memory = "io.katacontainers.config.hypervisor.default_memory";
    private const string Gpus = "io.katacontainers.config.hypervisor.default_gpus";

    private static readonly AdmissionReviewHandler Handler = new(new WebhookOptions(), NullLogger.Instance);

    private static (JsonObject Response, JsonNode? Mutated) Run(JsonObject pod, AdmissionReviewHandler? handler = null)
    {
        var review = (handler ?? Handler).Handle(Review(pod));
        Assert.Equal("admission.k8s.io/v1", (string?)review["apiVersion"]);
        Assert.Equal("AdmissionReview", (string?)review["kind"]);
        var response = review["response"]!.AsObject();
        Assert.Equal("705ab4f5-6393-11e8-b7cc-42010a800002", (string?)response["uid"]);
        if (response["patch"] is null)
        {
            Assert.Null(response["patchType"]);
            return (response, null);
        }

        Assert.Equal("JSONPatch", (string?)response["patchType"]);
        return (response, JsonPatch.Apply(pod, (string)response["patch"]!));
    }

    private static void AssertOnlyExtendedResource(JsonNode pod)
    {
        var containers = pod["spec"]!["containers"]!.AsArray();
        Assert.Equal("1", (string?)containers[0]!["resources"]!["requests"]!["kata.peerpods.io/vm"]);
        Assert.Equal("1", (string?)containers[0]!["resources"]!["limits"]!["kata.peerpods.io/vm"]);
        Assert.Single(containers[0]!["resources"]!["requests"]!.AsObject());
        Assert.Single(containers[0]!["resources"]!["limits"]!.AsObject());
        foreach (var other in containers.Skip(1))
        {
            Assert.Null(other!["resources"]);
        }

        foreach (var init in pod["spec"]!["initContainers"]?.AsArray() ?? [])
        {
            Assert.Null(init!["resources"]);
        }
    }

    [Fact]
    public void Handle_ContainersWithRequestsAndLimits_SumsIntoAnnotationsAndReplacesResources()
    {
        var pod = Pod("kata-remote", [
            Container("a", requests: new { cpu = "500m", memory = "256Mi" }, limits: new { cpu = "1", memory = "512Mi" }),
            Container("b", requests: new { cpu = "250m", memory = "1Gi" }),
        ]);

        var (response, mutated) = Run(pod);

        Assert.True((bool)response["allowed"]!);
        var annotations = mutated!["metadata"]!["annotations"]!;
        Assert.Equal("2", (string?)annotations[Vcpus]); // 1 + 0.25 = 1.25 -> 2 vCPUs
        Assert.Equal("1536", (string?)annotations[Memory]); // 512Mi + 1Gi
        Assert.Null(annotations[Gpus]);
        AssertOnlyExtendedResource(mutated);
    }

    [Fact]
    public void Handle_InitContainerLargerThanApps_UsesInitMaximum()
    {
        var pod = Pod("kata-remote",
            [Container("app", requests: new { cpu = "1", memory = "128Mi" }), Container("app2", limits: new { cpu = "1", memory = "128Mi" })],
            [Container("init1", requests: new { cpu = "3", memory = "64Mi" }), Container("init2", limits: new { cpu = "500m", memory = "2Gi" })]);

        var (_, mutated) = Run(pod);

        var annotations = mutated!["metadata"]!["annotations"]!;
        Assert.Equal("3", (string?)annotations[Vcpus]); // max(1+1, 3, 0.5)
        Assert.Equal("2048", (string?)annotations[Memory]); // max(256Mi, 64Mi, 2Gi)
        AssertOnlyExtendedResource(mutated);
    }

    [Fact]
    public void Handle_SidecarInitContainer_AddsToAppsAndToLaterInitContainers()
    {
        var pod = Pod("kata-remote",
            [Container("app", requests: new { cpu = "1", memory = "1Gi" })],
            [
                Container("sidecar", requests: new { cpu = "1", memory = "512Mi" }, restartPolicy: "Always"),
                Container("migrate", requests: new { cpu = "2", memory = "256Mi" }),
            ]);

        var (_, mutated) = Run(pod);

        var annotations = mutated!["metadata"]!["annotations"]!;
        Assert.Equal("3", (string?)annotations[Vcpus]); // max(app 1 + sidecar 1, migrate 2 + sidecar 1)
        Assert.Equal("1536", (string?)annotations[Memory]); // max(1Gi + 512Mi, 256Mi + 512Mi)
    }

    [Fact]
    public void Handle_NoResources_AddsOnlyTheExtendedResource()
    {
        var pod = Pod("kata-remote", [Container("a"), Container("b")]);

        var (response, mutated) = Run(pod);

        Assert.True((bool)response["allowed"]!);
        Assert.Null(mutated!["metadata"]!["annotations"]);
        AssertOnlyExtendedResource(mutated);
    }

    [Fact]
    public void Handle_Gpus_SetsDefaultGpus()
    {
        var pod = Pod("kata-remote", [
            Container("a", limits: new Dictionary<string, string> { ["nvidia.com/gpu"] = "1", ["cpu"] = "4", ["memory"] = "8G" }),
            Container("b", limits: new Dictionary<string, string> { ["nvidia.com/gpu"] = "2" }),
        ]);

        var (_, mutated) = Run(pod);

        var annotations = mutated!["metadata"]!["annotations"]!;
        Assert.Equal("3", (string?)annotations[Gpus]);
        Assert.Equal("4", (string?)annotations[Vcpus]);
        Assert.Equal("7630", (string?)annotations[Memory]); // 8e9 bytes = 7629.39 MiB, rounded up
    }

    [Fact]
    public void Handle_ExistingAnnotations_AddsEscapedKeysAndKeepsUserValues()
    {
        var pod = Pod("kata-remote",
            [Container("a", requests: new { cpu = "2", memory = "1Gi" })],
            annotations: new JsonObject { [Vcpus] = "8", ["team"] = "payments" });

        var (response, mutated) = Run(pod);

        var patch = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String((string)response["patch"]!));
        Assert.Contains("/metadata/annotations/io.katacontainers.config.hypervisor.default_memory", patch, StringComparison.Ordinal);
        var annotations = mutated!["metadata"]!["annotations"]!;
        Assert.Equal("8", (string?)annotations[Vcpus]);
        Assert.Equal("1024", (string?)annotations[Memory]);
        Assert.Equal("payments", (string?)annotations["team"]);
    }

    [Fact]
    public void Handle_ExtendedResourceNameWithSlash_IsEscapedInPointer()
    {
        var handler = new AdmissionReviewHandler(new WebhookOptions { RuntimeClassName = "podvm" }, NullLogger.Instance);
        var pod = Pod("podvm", [Container("a", requests: new { cpu = "1" })], annotations: new JsonObject());

        var (_, mutated) = Run(pod, handler);

        Assert.Equal("1", (string?)mutated!["metadata"]!["annotations"]![Vcpus]);
        AssertOnlyExtendedResource(mutated);
    }

    [Fact]
    public void Handle_AlreadyMutatedPod_ReturnsNoPatch()
    {
        var pod = Pod("kata-remote", [Container("a", requests: new { cpu = "1500m", memory = "100M" }), Container("b", limits: new { memory = "1Gi" })]);
        var (_, mutated) = Run(pod);

        var (response, again) = Run(mutated!.AsObject());

        Assert.True((bool)response["allowed"]!);
        Assert.Null(again);
    }

    [Theory]
    [InlineData("kata")]
    [InlineData("runc")]
    [InlineData(null)]
    public void Handle_OtherRuntimeClass_AllowsUnchanged(string? runtimeClass)
    {
        var pod = Pod(runtimeClass, [Container("a", requests: new { cpu = "1", memory = "1Gi" })]);

        var (response, mutated) = Run(pod);

        Assert.True((bool)response["allowed"]!);
        Assert.Null(mutated);
    }

    [Theory]
    [InlineData("UPDATE", "Pod")]
    [InlineData("CREATE", "Deployment")]
    public void Handle_NotAPodCreate_AllowsUnchanged(string operation, string kind)
    {
        var review = Handler.Handle(Review(Pod("kata-remote", [Container("a", requests: new { cpu = "1" })]), operation, kind));

        Assert.True((bool)review["response"]!["allowed"]!);
        Assert.Null(review["response"]!["patch"]);
    }

    [Fact]
    public void Handle_MalformedQuantity_DeniesWithReason()
    {
        var pod = Pod("kata-remote", [Container("a", requests: new { cpu = "lots" })]);

        var review = Handler.Handle(Review(pod));

        Assert.False((bool)review["response"]!["allowed"]!);
        var message = (string)review["response"]!["status"]!["message"]!;
        Assert.Contains("default/web", message, StringComparison.Ordinal);
        Assert.Contains("'cpu'", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("[]")]
    [InlineData("""{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"uid":"x"}}""")]
    [InlineData("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{}}""")]
    public void Handle_NotAReview_Throws(string body)
    {
        Assert.Throws<AdmissionException>(() => Handler.Handle(JsonNode.Parse(body)));
    }
}

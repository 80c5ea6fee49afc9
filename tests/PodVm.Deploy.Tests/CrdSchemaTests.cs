using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using PodVm.Kubernetes.PeerPods;

namespace PodVm.Deploy.Tests;

public sealed class CrdSchemaTests
{
    private static async Task<(V1CustomResourceDefinition Crd, JsonNode Schema)> LoadAsync()
    {
        var manifests = Manifests.Load(await Kustomize.RenderAsync("base"));
        var crd = manifests.Single<V1CustomResourceDefinition>("peerpods.confidentialcontainers.org");
        var version = Assert.Single(crd.Spec.Versions);
        return (crd, JsonNode.Parse(KubernetesJson.Serialize(version.Schema.OpenAPIV3Schema))!);
    }

    private static PeerPodRecord Record(string provider, string? node = "worker-1") => new()
    {
        PodNamespace = "default",
        PodName = "web-7c9d",
        SandboxId = "3f2a9c1d5e6b7a8c9d0e1f2a3b4c5d6e",
        CloudProvider = provider,
        InstanceId = provider == "aws" ? "i-0abc123def4567890" : "/subscriptions/x/resourceGroups/y/providers/Microsoft.Compute/virtualMachines/podvm-web-3f2a9c1d",
        NodeName = node,
    };

    [Fact]
    public async Task Crd_NamesAndVersion_MatchTheModel()
    {
        var (crd, _) = await LoadAsync();

        Assert.Equal(PeerPodNames.Group, crd.Spec.Group);
        Assert.Equal(PeerPodNames.Kind, crd.Spec.Names.Kind);
        Assert.Equal(PeerPodNames.Plural, crd.Spec.Names.Plural);
        Assert.Equal("Namespaced", crd.Spec.Scope);
        var version = Assert.Single(crd.Spec.Versions);
        Assert.Equal(PeerPodNames.Version, version.Name);
        Assert.True(version.Served && version.Storage);
        Assert.NotNull(version.Subresources.Status);
    }

    [Theory]
    [InlineData("aws", "worker-1")]
    [InlineData("azure", null)]
    [InlineData("local", "kind-worker")]
    public async Task Schema_PeerPodTheAdaptorWrites_IsAccepted(string provider, string? node)
    {
        var (_, schema) = await LoadAsync();
        var peerPod = PeerPodRecorder.Build(Record(provider, node), "0d2e3f4a-1111-2222-3333-444455556666");
        peerPod.Status = new PeerPodStatus { Cleaned = false };

        var json = JsonNode.Parse(KubernetesJson.Serialize(peerPod))!;

        Assert.Empty(StructuralSchemaValidator.Validate(json, schema));
        Assert.Equal(peerPod.Spec.InstanceId, (string?)json["spec"]!["instanceID"]);
        Assert.Equal(provider, (string?)json["spec"]!["cloudProvider"]);
        Assert.Equal("peer.pod/finalizer", (string?)json["metadata"]!["finalizers"]![0]);
        Assert.True((bool)json["metadata"]!["ownerReferences"]![0]!["controller"]!);
    }

    [Fact]
    public async Task Schema_UpstreamShapedPeerPod_IsAccepted()
    {
        var (_, schema) = await LoadAsync();
        var upstream = JsonNode.Parse("""
            {"apiVersion":"confidentialcontainers.org/v1alpha1","kind":"PeerPod",
             "metadata":{"name":"nginx-resource-x7k2p","namespace":"default","finalizers":["peer.pod/finalizer"]},
             "spec":{"cloudProvider":"aws","instanceID":"i-0123456789abcdef0"},"status":{"cleand":true}}
            """);

        Assert.Empty(StructuralSchemaValidator.Validate(upstream, schema));
    }

    [Theory]
    [InlineData("""{"apiVersion":"confidentialcontainers.org/v1alpha1","kind":"PeerPod","metadata":{"name":"a"}}""", "missing required field 'spec'")]
    [InlineData("""{"spec":{"cloudProvider":"aws"}}""", "missing required field 'instanceID'")]
    [InlineData("""{"spec":{"cloudProvider":"aws","instanceID":42}}""", "spec.instanceID: expected string")]
    [InlineData("""{"spec":{"cloudProvider":"aws","instanceID":""}}""", "spec.instanceID: shorter than 1")]
    [InlineData("""{"spec":{"cloudProvider":"gcp","instanceID":"x"}}""", "spec.cloudProvider: \"gcp\" is not one of")]
    [InlineData("""{"spec":{"cloudProvider":"aws","instanceId":"x"}}""", "spec.instanceId: unknown field")]
    [InlineData("""{"spec":{"cloudProvider":"aws","instanceID":"x"},"status":{"cleand":"yes"}}""", "status.cleand: expected boolean")]
    [InlineData("""{"spec":{"cloudProvider":"aws","instanceID":"x"},"extra":{}}""", "extra: unknown field")]
    [InlineData("""{"spec":"aws/i-1"}""", "spec: expected object")]
    public async Task Schema_MalformedPeerPod_IsRejected(string json, string expectedError)
    {
        var (_, schema) = await LoadAsync();

        var errors = StructuralSchemaValidator.Validate(JsonNode.Parse(json), schema);

        Assert.Contains(errors, e => e.Contains(expectedError, StringComparison.Ordinal));
    }

    [Fact]
    public void Validator_PreserveUnknownFieldsAndAdditionalProperties_AreHonoured()
    {
        var schema = JsonNode.Parse("""
            {"type":"object","properties":{
              "free":{"type":"object","x-kubernetes-preserve-unknown-fields":true},
              "labels":{"type":"object","additionalProperties":{"type":"string"}},
              "list":{"type":"array","items":{"type":"integer"}}}}
            """)!;

        Assert.Empty(StructuralSchemaValidator.Validate(JsonNode.Parse("""{"free":{"a":1},"labels":{"x":"y"},"list":[1,2]}"""), schema));
        Assert.Contains("labels.x: expected string, got Number", StructuralSchemaValidator.Validate(JsonNode.Parse("""{"labels":{"x":1}}"""), schema));
        Assert.Contains("list[1]: expected integer, got Number", StructuralSchemaValidator.Validate(JsonNode.Parse("""{"list":[1,1.5]}"""), schema));
    }
}

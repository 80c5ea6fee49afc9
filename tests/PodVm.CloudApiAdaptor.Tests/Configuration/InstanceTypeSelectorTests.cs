using PodVm.CloudApiAdaptor.Configuration;
using PodVm.CloudApiAdaptor.Providers;

namespace PodVm.CloudApiAdaptor.Tests.Configuration;

public sealed class InstanceTypeSelectorTests
{
    private static readonly InstanceType[] Catalogue =
    [
        new("small", 1, 256),
        new("medium", 2, 512),
        new("large", 2, 1024),
        new("xlarge", 4, 1024),
        new("huge", 8, 8192),
        new("gpu1", 4, 4096, 1, "a100"),
        new("gpu1-big", 8, 16384, 1, "a100"),
        new("gpu1-t4", 4, 2048, 1, "t4"),
        new("gpu2", 8, 8192, 2, "a100"),
    ];

    private static readonly string[] All = Catalogue.Select(t => t.Name).ToArray();

    private static PodAnnotations Request(string? machineType = null, int vcpus = 0, int memory = 0, int gpus = 0, string? gpuModel = null) => new()
    {
        PodName = "web",
        PodNamespace = "default",
        MachineType = machineType,
        VCpus = vcpus,
        MemoryMiB = memory,
        Gpus = gpus,
        GpuModel = gpuModel,
    };

    [Fact]
    public void Select_AnnotationNamesAllowedType_AnnotationWinsOverFit()
    {
        var selector = new InstanceTypeSelector(Catalogue, All, "small");

        var selection = selector.Select(Request("huge", vcpus: 1, memory: 128));

        Assert.Equal("huge", selection.Chosen.Name);
        Assert.Empty(selection.Fallbacks);
    }

    [Fact]
    public void Select_AnnotationNamesDisallowedType_NoInstanceTypeListingAllowed()
    {
        var selector = new InstanceTypeSelector(Catalogue, ["small", "medium"], "small");

        var ex = Assert.Throws<AdaptorException>(() => selector.Select(Request("huge")));

        Assert.Equal(AdaptorErrorReason.NoInstanceType, ex.Reason);
        Assert.Contains("'huge'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("small (1 vCPU, 256 MiB)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("medium (2 vCPU, 512 MiB)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Select_AnnotationNamesAllowedTypeUnknownToCatalogue_SizedFromRequest()
    {
        var selector = new InstanceTypeSelector(Catalogue, ["custom"], "custom");

        var selection = selector.Select(Request("custom", vcpus: 3, memory: 2048));

        Assert.Equal(new InstanceType("custom", 3, 2048), selection.Chosen);
    }

    [Fact]
    public void Select_GpuRequest_SmallestByGpusThenMemoryThenVcpus()
    {
        var selector = new InstanceTypeSelector(Catalogue, All, "small");

        var selection = selector.Select(Request(gpus: 1));

        Assert.Equal("gpu1-t4", selection.Chosen.Name);
        Assert.Equal(["gpu1", "gpu1-big", "gpu2"], selection.Fallbacks.Select(t => t.Name));
    }

    [Fact]
    public void Select_GpuRequestWithModel_OnlyThatModel()
    {
        var selector = new InstanceTypeSelector(Catalogue, All, "small");

        var selection = selector.Select(Request(gpus: 1, gpuModel: "A100", memory: 5000));

        Assert.Equal("gpu1-big", selection.Chosen.Name);
        Assert.Equal(["gpu2"], selection.Fallbacks.Select(t => t.Name));
    }

    [Fact]
    public void Select_MemoryRequest_SmallestByMemoryThenVcpusWithoutGpus()
    {
        var selector = new InstanceTypeSelector(Catalogue, All, "small");

        var selection = selector.Select(Request(memory: 600));

        Assert.Equal("large", selection.Chosen.Name);
        Assert.Equal(["xlarge", "huge"], selection.Fallbacks.Select(t => t.Name));
    }

    [Fact]
    public void Select_VcpuRequest_SmallestFittingByMemory()
    {
        var selector = new InstanceTypeSelector(Catalogue, All, "small");

        var selection = selector.Select(Request(vcpus: 3));

        Assert.Equal("xlarge", selection.Chosen.Name);
        Assert.Equal(["huge"], selection.Fallbacks.Select(t => t.Name));
    }

    [Fact]
    public void Select_VcpuAndMemoryRequest_BothMustFit()
    {
        var selector = new InstanceTypeSelector(Catalogue, All, "small");

        var selection = selector.Select(Request(vcpus: 2, memory: 300));

        Assert.Equal("medium", selection.Chosen.Name);
        Assert.Equal(["large", "xlarge", "huge"], selection.Fallbacks.Select(t => t.Name));
    }

    [Fact]
    public void Select_NothingAsked_Default()
    {
        var selector = new InstanceTypeSelector(Catalogue, All, "medium");

        var selection = selector.Select(Request());

        Assert.Equal("medium", selection.Chosen.Name);
        Assert.Empty(selection.Fallbacks);
    }

    [Fact]
    public void Select_EmptyAllowList_OnlyTheDefaultIsAllowed()
    {
        var selector = new InstanceTypeSelector(Catalogue, [], "small");

        Assert.Equal(["small"], selector.Allowed.Select(t => t.Name));
        Assert.Equal("small", selector.Select(Request()).Chosen.Name);
        var ex = Assert.Throws<AdaptorException>(() => selector.Select(Request(memory: 512)));
        Assert.Equal(AdaptorErrorReason.NoInstanceType, ex.Reason);
        Assert.Throws<AdaptorException>(() => selector.Select(Request("large")));
    }

    [Fact]
    public void Select_DefaultNotAllowed_NoInstanceTypeNamingSettings()
    {
        var selector = new InstanceTypeSelector(Catalogue, ["medium"], "small");

        var ex = Assert.Throws<AdaptorException>(() => selector.Select(Request()));

        Assert.Contains("Adaptor:DefaultInstanceType", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Select_NothingFits_NoInstanceTypeNamingConsideredTypes()
    {
        var selector = new InstanceTypeSelector(Catalogue, ["small", "medium"], "small");

        var ex = Assert.Throws<AdaptorException>(() => selector.Select(Request(vcpus: 16, memory: 65536)));

        Assert.Equal(AdaptorErrorReason.NoInstanceType, ex.Reason);
        Assert.Equal(Grpc.Core.StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("default/web", ex.Message, StringComparison.Ordinal);
        Assert.Contains("considered: small (1 vCPU, 256 MiB), medium (2 vCPU, 512 MiB)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Select_GpuNothingFits_ErrorMentionsGpus()
    {
        var selector = new InstanceTypeSelector(Catalogue, ["small", "gpu1"], "small");

        var ex = Assert.Throws<AdaptorException>(() => selector.Select(Request(gpus: 4)));

        Assert.Contains("4 GPU", ex.Message, StringComparison.Ordinal);
        Assert.Contains("gpu1 (4 vCPU, 4096 MiB, 1 GPU)", ex.Message, StringComparison.Ordinal);
    }
}

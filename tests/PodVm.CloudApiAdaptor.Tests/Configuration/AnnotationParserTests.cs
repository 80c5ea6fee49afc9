using PodVm.CloudApiAdaptor.Configuration;
using PodVm.CloudApiAdaptor.Tests.Fakes;

namespace PodVm.CloudApiAdaptor.Tests.Configuration;

public sealed class AnnotationParserTests
{
    [Fact]
    public void Parse_AllNineKeysSet_EveryValueParsed()
    {
        var annotations = AdaptorHarness.Annotations("web", "shop");
        annotations[PodAnnotations.MachineTypeKey] = "m6a.large";
        annotations[PodAnnotations.ImageKey] = "ami-123";
        annotations[PodAnnotations.VCpusKey] = "2";
        annotations[PodAnnotations.MemoryKey] = "4096";
        annotations[PodAnnotations.GpusKey] = "1";
        annotations[PodAnnotations.GpuModelKey] = "a100";

        var parsed = AnnotationParser.Parse("sb1", annotations);

        Assert.Equal("web", parsed.PodName);
        Assert.Equal("shop", parsed.PodNamespace);
        Assert.Equal("m6a.large", parsed.MachineType);
        Assert.Equal("ami-123", parsed.Image);
        Assert.Equal(2, parsed.VCpus);
        Assert.Equal(4096, parsed.MemoryMiB);
        Assert.Equal(1, parsed.Gpus);
        Assert.Equal("a100", parsed.GpuModel);
    }

    [Fact]
    public void Parse_EmptyValues_MeanNotAsked()
    {
        var parsed = AnnotationParser.Parse("sb1", AdaptorHarness.Annotations());

        Assert.Null(parsed.MachineType);
        Assert.Null(parsed.Image);
        Assert.Equal(0, parsed.VCpus);
        Assert.Equal(0, parsed.MemoryMiB);
        Assert.Equal(0, parsed.Gpus);
        Assert.Null(parsed.GpuModel);
        Assert.Null(parsed.InitData);
    }

    [Fact]
    public void Parse_OnlySandboxKeys_MissingOthersMeanNotAsked()
    {
        var parsed = AnnotationParser.Parse("sb1", new Dictionary<string, string>
        {
            [PodAnnotations.SandboxNameKey] = "web",
            [PodAnnotations.SandboxNamespaceKey] = "default",
        });

        Assert.Equal("web", parsed.PodName);
        Assert.Equal(0, parsed.VCpus);
    }

    [Theory]
    [InlineData("k8s_nginx_default_0a1b2c3d-uid_0", "nginx")]
    [InlineData("k8s_web-1_shop_uid_3", "web-1")]
    [InlineData("plain-pod", "plain-pod")]
    [InlineData("k8s_short_name", "k8s_short_name")]
    [InlineData("k8s__ns_uid_0", "k8s__ns_uid_0")]
    public void PodNameOf_CriONames_ReducedToPodName(string sandboxName, string expected) =>
        Assert.Equal(expected, AnnotationParser.PodNameOf(sandboxName));

    [Fact]
    public void Parse_CriOSandboxName_PodNameExtracted()
    {
        var parsed = AnnotationParser.Parse("sb1", AdaptorHarness.Annotations("k8s_nginx_default_uid-1_0"));

        Assert.Equal("nginx", parsed.PodName);
    }

    [Theory]
    [InlineData(PodAnnotations.VCpusKey, "two")]
    [InlineData(PodAnnotations.VCpusKey, "-1")]
    [InlineData(PodAnnotations.MemoryKey, "1.5")]
    [InlineData(PodAnnotations.MemoryKey, "99999999999")]
    [InlineData(PodAnnotations.GpusKey, "0x1")]
    [InlineData(PodAnnotations.InitDataKey, "not-base64!")]
    [InlineData(PodAnnotations.InitDataKey, "aGVsbG8=")]
    [InlineData(PodAnnotations.InitDataKey, "H4sIAAAAAAAA")]
    public void Parse_MalformedValue_InvalidRequestNamingTheKey(string key, string value)
    {
        var annotations = AdaptorHarness.Annotations();
        annotations[key] = value;

        var ex = Assert.Throws<AdaptorException>(() => AnnotationParser.Parse("sb1", annotations));

        Assert.Equal(AdaptorErrorReason.InvalidRequest, ex.Reason);
        Assert.Equal(Grpc.Core.StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains(key, ex.Message, StringComparison.Ordinal);
        Assert.Contains("sb1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SeveralBadValues_AllNamedInOneError()
    {
        var annotations = AdaptorHarness.Annotations();
        annotations[PodAnnotations.VCpusKey] = "x";
        annotations[PodAnnotations.MemoryKey] = "y";

        var ex = Assert.Throws<AdaptorException>(() => AnnotationParser.Parse("sb1", annotations));

        Assert.Contains(PodAnnotations.VCpusKey, ex.Message, StringComparison.Ordinal);
        Assert.Contains(PodAnnotations.MemoryKey, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(PodAnnotations.SandboxNameKey)]
    [InlineData(PodAnnotations.SandboxNamespaceKey)]
    public void Parse_MissingSandboxKey_InvalidRequestNamingIt(string key)
    {
        var annotations = AdaptorHarness.Annotations();
        annotations.Remove(key);

        var ex = Assert.Throws<AdaptorException>(() => AnnotationParser.Parse("sb1", annotations));

        Assert.Equal(AdaptorErrorReason.InvalidRequest, ex.Reason);
        Assert.Contains(key, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_EmptySandboxName_InvalidRequest()
    {
        var annotations = AdaptorHarness.Annotations(" ");

        var ex = Assert.Throws<AdaptorException>(() => AnnotationParser.Parse("sb1", annotations));

        Assert.Contains(PodAnnotations.SandboxNameKey, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("true", true)]
    [InlineData("false", false)]
    [InlineData("True", true)]
    public void Parse_TpmAnnotation_ParsedAsBoolean(string? value, bool expected)
    {
        var annotations = AdaptorHarness.Annotations();
        if (value is not null)
        {
            annotations[PodAnnotations.TpmKey] = value;
        }

        Assert.Equal(expected, AnnotationParser.Parse("sb1", annotations).Tpm);
    }

    [Theory]
    [InlineData("yes")]
    [InlineData("1")]
    public void Parse_TpmAnnotationNotABoolean_InvalidArgumentNamingTheKey(string value)
    {
        var annotations = AdaptorHarness.Annotations();
        annotations[PodAnnotations.TpmKey] = value;

        var ex = Assert.Throws<AdaptorException>(() => AnnotationParser.Parse("sb1", annotations));

        Assert.Equal(Grpc.Core.StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains(PodAnnotations.TpmKey, ex.Message, StringComparison.Ordinal);
        Assert.Contains(value, ex.Message, StringComparison.Ordinal);
    }
}

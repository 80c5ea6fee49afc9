namespace PodVm.LocalKvmProvider.Image;

/// <summary>Closed set of reasons an image build fails.</summary>
public enum ImageBuildErrorReason
{
    Internal = 0,
    /// <summary>A host tool (xz, depmod, dpkg, apt-get, dotnet...) is not installed.</summary>
    MissingTool,
    /// <summary>A Debian package could not be found or downloaded.</summary>
    MissingPackage,
    /// <summary>A host tool ran and failed.</summary>
    ToolFailed,
    /// <summary>A guest program could not be published NativeAOT.</summary>
    PublishFailed,
    /// <summary>An input is malformed (kernel without xz payload, module missing from modules.dep...).</summary>
    InvalidInput,
}

namespace PodVm.GuestAgent.Images;

/// <summary>OCI (and the Docker equivalents accepted on read) media types.</summary>
public static class OciMediaTypes
{
    public const string Index = "application/vnd.oci.image.index.v1+json";
    public const string Manifest = "application/vnd.oci.image.manifest.v1+json";
    public const string Config = "application/vnd.oci.image.config.v1+json";
    public const string LayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
    public const string Layer = "application/vnd.oci.image.layer.v1.tar";
    public const string DockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    public const string RefNameAnnotation = "org.opencontainers.image.ref.name";
}

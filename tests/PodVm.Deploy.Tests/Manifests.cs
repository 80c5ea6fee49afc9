using k8s;
using k8s.Models;

namespace PodVm.Deploy.Tests;

/// <summary>Rendered objects loaded into KubernetesClient's typed models, strictly (unknown fields throw).</summary>
internal sealed class Manifests
{
    private Manifests(IReadOnlyList<object> objects)
    {
        Objects = objects;
    }

    public IReadOnlyList<object> Objects { get; }

    public static Manifests Load(string yaml) => new(KubernetesYaml.LoadAllFromString(yaml, typeMap: null, strict: true));

    public static async Task<Manifests> RenderAsync(string overlay) => Load(await Kustomize.RenderAsync(Path.Combine("overlays", overlay)));

    public IEnumerable<T> All<T>() => Objects.OfType<T>();

    public T Single<T>(string name)
        where T : IKubernetesObject<V1ObjectMeta> => Assert.Single(All<T>(), o => o.Metadata.Name == name);
}

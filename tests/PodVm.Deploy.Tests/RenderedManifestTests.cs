using System.Text.Json.Nodes;
using k8s.Models;
using PodVm.Kubernetes;
using PodVm.Webhook;

namespace PodVm.Deploy.Tests;

public sealed class RenderedManifestTests
{
    public static TheoryData<string> Overlays => [.. Kustomize.Overlays];

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Render_Overlay_EveryObjectLoadsStrictlyIntoTypedModels(string overlay)
    {
        var yaml = await Kustomize.RenderAsync(Path.Combine("overlays", overlay));

        var manifests = Manifests.Load(yaml);

        var documents = yaml.Split("\n---\n").Length;
        Assert.Equal(documents, manifests.Objects.Count);
        Assert.All(manifests.Objects, o => Assert.Equal("k8s.Models", o.GetType().Namespace));
        Assert.All(manifests.All<k8s.IKubernetesObject<V1ObjectMeta>>().Where(o => o is not V1Namespace and not V1ClusterRole
            and not V1ClusterRoleBinding and not V1CustomResourceDefinition and not V1RuntimeClass and not V1MutatingWebhookConfiguration),
            o => Assert.Equal("podvm-system", o.Metadata.NamespaceProperty));
    }

    [Theory]
    [InlineData("mountPropagation: HostToContainer", "mountPropogation: HostToContainer")]
    [InlineData("hostNetwork: true", "hostNetwrok: true")]
    [InlineData("  failurePolicy: Fail\n", "  failurePolicy: Fail\n  timeoutSecond: 5\n")]
    public async Task Load_MisspelledOrUnknownField_IsRejected(string good, string bad)
    {
        var yaml = await Kustomize.RenderAsync(Path.Combine("overlays", "local"));
        Assert.Contains(good, yaml, StringComparison.Ordinal);

        var broken = yaml.Replace(good, bad, StringComparison.Ordinal);

        Assert.ThrowsAny<Exception>(() => Manifests.Load(broken));
        // The same text loads when unknown fields are ignored: the rejection is the strictness, not bad YAML.
        Assert.Equal(Manifests.Load(yaml).Objects.Count, k8s.KubernetesYaml.LoadAllFromString(broken, typeMap: null, strict: false).Count);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Adaptor_DaemonSet_HasHostPathsProbesResourcesAndProvider(string overlay)
    {
        var manifests = await Manifests.RenderAsync(overlay);

        var ds = manifests.Single<V1DaemonSet>("podvm-adaptor");
        var pod = ds.Spec.Template.Spec;
        var container = Assert.Single(pod.Containers);
        Assert.True(pod.HostNetwork);
        Assert.Equal("podvm-adaptor", pod.ServiceAccountName);
        var runPeerPod = Assert.Single(pod.Volumes, v => v.HostPath?.Path == "/run/peerpod");
        Assert.Contains(container.VolumeMounts, m => m.Name == runPeerPod.Name && m.MountPath == "/run/peerpod");
        Assert.Equal("/healthz", container.LivenessProbe.HttpGet.Path);
        Assert.Equal("/readyz", container.ReadinessProbe.HttpGet.Path);
        Assert.NotNull(container.Resources.Requests["cpu"]);
        Assert.NotNull(container.Resources.Requests["memory"]);
        var args = container.Args.ToList();
        Assert.Equal(["caa", "serve"], args[..2]);
        Assert.Equal(overlay, args[args.IndexOf("--provider") + 1]);
        Assert.Equal(ds.Spec.Selector.MatchLabels, ds.Spec.Template.Metadata.Labels.Where(l => ds.Spec.Selector.MatchLabels.ContainsKey(l.Key)).ToDictionary());

        var config = manifests.All<V1ConfigMap>().Single(c => pod.Volumes.Any(v => v.ConfigMap?.Name == c.Metadata.Name));
        var json = JsonNode.Parse(config.Data["adaptor.json"])!;
        Assert.Equal(overlay, (string?)json["Adaptor"]!["Provider"]);
        Assert.False(string.IsNullOrEmpty((string?)json["Kubernetes"]!["ClusterName"]));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task RuntimeClass_KataRemote_IsDefined(string overlay)
    {
        var manifests = await Manifests.RenderAsync(overlay);

        var runtimeClass = manifests.Single<V1RuntimeClass>("kata-remote");
        Assert.Equal("kata-remote", runtimeClass.Handler);
        Assert.NotNull(runtimeClass.Overhead.PodFixed["memory"]);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Webhook_ConfigurationServiceAndDeployment_AreWiredTogether(string overlay)
    {
        var manifests = await Manifests.RenderAsync(overlay);

        var configuration = manifests.Single<V1MutatingWebhookConfiguration>("podvm-webhook");
        var hook = Assert.Single(configuration.Webhooks);
        Assert.Equal(["v1"], hook.AdmissionReviewVersions);
        Assert.Equal("None", hook.SideEffects);
        Assert.Equal(WebhookHost.MutatePath, hook.ClientConfig.Service.Path);
        Assert.Equal(["CREATE"], Assert.Single(hook.Rules).Operations);
        Assert.Equal(["pods"], Assert.Single(hook.Rules).Resources);

        var service = manifests.Single<V1Service>(hook.ClientConfig.Service.Name);
        Assert.Equal(service.Metadata.NamespaceProperty, hook.ClientConfig.Service.NamespaceProperty);
        var port = Assert.Single(service.Spec.Ports, p => p.Port == (hook.ClientConfig.Service.Port ?? 443));
        var deployment = Assert.Single(manifests.All<V1Deployment>(), d => service.Spec.Selector.All(s => d.Spec.Template.Metadata.Labels.TryGetValue(s.Key, out var v) && v == s.Value));
        var container = Assert.Single(deployment.Spec.Template.Spec.Containers);
        var containerPort = Assert.Single(container.Ports, p => p.Name == port.TargetPort.Value);
        Assert.Equal(["webhook", "serve"], container.Args.Take(2));
        Assert.Equal("HTTPS", container.ReadinessProbe.HttpGet.Scheme);
        Assert.Equal("/readyz", container.ReadinessProbe.HttpGet.Path);

        var configMap = manifests.All<V1ConfigMap>().Single(c => c.Data?.ContainsKey("webhook.json") == true);
        var settings = JsonNode.Parse(configMap.Data["webhook.json"])!["Webhook"]!;
        Assert.Equal(containerPort.ContainerPort, (int)settings["Port"]!);
        var runtimeClass = (string)settings["RuntimeClassName"]!;
        Assert.Contains($"== '{runtimeClass}'", Assert.Single(hook.MatchConditions).Expression, StringComparison.Ordinal);
        var tls = Assert.Single(deployment.Spec.Template.Spec.Volumes, v => v.Secret is not null);
        var mount = Assert.Single(container.VolumeMounts, m => m.Name == tls.Name);
        Assert.Equal(Path.GetDirectoryName((string)settings["CertificatePath"]!), mount.MountPath);
        Assert.Equal(Path.GetDirectoryName((string)settings["KeyPath"]!), mount.MountPath);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Kbs_DeploymentAndService_Match(string overlay)
    {
        var manifests = await Manifests.RenderAsync(overlay);

        var service = manifests.Single<V1Service>("podvm-kbs");
        var deployment = manifests.Single<V1Deployment>("podvm-kbs");
        Assert.All(service.Spec.Selector, s => Assert.Equal(s.Value, deployment.Spec.Template.Metadata.Labels[s.Key]));
        var container = Assert.Single(deployment.Spec.Template.Spec.Containers);
        Assert.Contains(container.Ports, p => p.Name == Assert.Single(service.Spec.Ports).TargetPort.Value);
        Assert.False(deployment.Spec.Template.Spec.AutomountServiceAccountToken);
        Assert.Equal(["kbs", "serve"], container.Args.Take(2));
        Assert.Equal("/healthz", container.ReadinessProbe.HttpGet.Path);
        var claim = Assert.Single(deployment.Spec.Template.Spec.Volumes, v => v.PersistentVolumeClaim is not null).PersistentVolumeClaim.ClaimName;
        manifests.Single<V1PersistentVolumeClaim>(claim);

        var settings = JsonNode.Parse(manifests.All<V1ConfigMap>().Single(c => c.Data?.ContainsKey("kbs.json") == true).Data["kbs.json"])!["Kbs"]!;
        var url = new Uri((string)settings["Urls"]![0]!);
        Assert.Equal(Assert.Single(container.Ports).ContainerPort, url.Port);
        var database = (string)settings["DatabasePath"]!;
        Assert.Contains(container.VolumeMounts, m => m.Name == "data" && database.StartsWith(m.MountPath + "/", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Rbac_AdaptorRole_GrantsExactlyWhatTheCodeCalls(string overlay)
    {
        var manifests = await Manifests.RenderAsync(overlay);

        var role = manifests.Single<V1ClusterRole>("podvm-adaptor");
        var granted = role.Rules
            .SelectMany(r => r.ApiGroups.SelectMany(g => r.Resources.Select(res => (Group: g, Resource: res, Verbs: string.Join(",", r.Verbs.Order(StringComparer.Ordinal))))))
            .OrderBy(r => r.Resource, StringComparer.Ordinal).ToList();
        var used = KubernetesPermissions.Adaptor
            .Select(p => (Group: p.ApiGroup, p.Resource, Verbs: string.Join(",", p.Verbs.Order(StringComparer.Ordinal))))
            .OrderBy(r => r.Resource, StringComparer.Ordinal).ToList();
        Assert.Equal(used, granted);
        Assert.DoesNotContain(role.Rules, r => r.Verbs.Contains("*") || r.Resources.Contains("*") || r.ApiGroups.Contains("*"));

        var binding = manifests.Single<V1ClusterRoleBinding>("podvm-adaptor");
        Assert.Equal("podvm-adaptor", binding.RoleRef.Name);
        var subject = Assert.Single(binding.Subjects);
        Assert.Equal(("ServiceAccount", "podvm-adaptor", "podvm-system"), (subject.Kind, subject.Name, subject.NamespaceProperty));
        Assert.Single(manifests.All<V1ClusterRoleBinding>());
        Assert.Empty(manifests.All<V1RoleBinding>());
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task References_ConfigMapsSecretsAndServiceAccounts_Exist(string overlay)
    {
        var manifests = await Manifests.RenderAsync(overlay);
        // Created outside kustomize (docs/install.md): the webhook certificate and the KBS admin key.
        var external = new HashSet<string> { "podvm-webhook-tls", "podvm-kbs-admin" };
        var configMaps = manifests.All<V1ConfigMap>().Select(c => c.Metadata.Name).ToHashSet();
        var accounts = manifests.All<V1ServiceAccount>().Select(c => c.Metadata.Name).ToHashSet();
        var specs = manifests.All<V1DaemonSet>().Select(d => d.Spec.Template.Spec)
            .Concat(manifests.All<V1Deployment>().Select(d => d.Spec.Template.Spec)).ToList();

        foreach (var spec in specs)
        {
            Assert.Contains(spec.ServiceAccountName, accounts);
            foreach (var volume in spec.Volumes ?? [])
            {
                if (volume.ConfigMap is { } cm)
                {
                    Assert.True(configMaps.Contains(cm.Name) || cm.Optional == true, $"ConfigMap {cm.Name} is missing");
                }

                if (volume.Secret is { } secret)
                {
                    Assert.True(external.Contains(secret.SecretName) || secret.Optional == true, $"Secret {secret.SecretName} is missing");
                }
            }

            foreach (var container in spec.Containers)
            {
                Assert.Equal("ghcr.io/podvm/podvm", container.Image.Split(':')[0]);
                foreach (var mount in container.VolumeMounts ?? [])
                {
                    Assert.Contains(spec.Volumes ?? [], v => v.Name == mount.Name);
                }
            }
        }
    }
}

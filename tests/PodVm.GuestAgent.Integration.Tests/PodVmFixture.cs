using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Grpc.Core;
using Microsoft.Extensions.Options;
using PodVm.CloudApiAdaptor.Providers;
using PodVm.CloudApiAdaptor.Tls;
using PodVm.LocalKvmProvider.Image;
using PodVm.LocalKvmProvider.Provider;
using PodVm.PodVmConfig;
using PodVm.Protocols.Agent;
using PodVm.Protocols.Ttrpc;
using Provider = PodVm.LocalKvmProvider.Provider.LocalKvmProvider;

namespace PodVm.GuestAgent.Integration.Tests;

/// <summary>
/// One real pod VM for the whole test run: the image is built (with the guest programs of this checkout, NativeAOT
/// publishes cached by source digest) into this project's own directory, booted by the local provider with user data
/// made as the adaptor makes it (a server certificate from a forwarder CA, the CA as the trusted client CA), and the
/// agent is reached through the forwarder's TLS 1.3 port with the CA's client certificate. A sandbox is created.
/// </summary>
public sealed class PodVmFixture : IAsyncLifetime
{
    public const string InstanceName = "podvm-guest-it";
    public const string SandboxHostname = "guest-it";

    private static readonly TimeSpan BuildDeadline = TimeSpan.FromMinutes(25);
    private static readonly TimeSpan BootDeadline = TimeSpan.FromMinutes(5);
    private readonly string _work = Directory.CreateTempSubdirectory("podvm-guest-it-").FullName;
    private Provider? _provider;
    private ProviderInstance? _instance;

    public string? SkipReason { get; private set; }

    public ForwarderCertificateAuthority? Ca { get; private set; }

    public string ForwarderHost { get; private set; } = "127.0.0.1";

    public int ForwarderPort { get; private set; }

    public TtrpcClient? Client { get; private set; }

    public AgentService.AgentServiceClient Agent => new(Require().CreateCallInvoker());

    public Health.HealthClient Health => new(Require().CreateCallInvoker());

    /// <summary>The VM's serial console so far (guest /init, agent and forwarder logs), for failure messages.</summary>
    public string ConsoleLog
    {
        get
        {
            try
            {
                return _provider is not null && _instance is not null ? File.ReadAllText(_provider.ConsoleLogPath(_instance.Id)) : string.Empty;
            }
            catch (IOException)
            {
                return string.Empty;
            }
        }
    }

    public static string Home => PodVm.LocalKvmProvider.PodVmPaths.HomeOrTemp;

    public async ValueTask InitializeAsync()
    {
        if (Requires.FindOnPath("qemu-system-x86_64") is null)
        {
            SkipReason = "qemu-system-x86_64 is not installed (Debian package qemu-system-x86; run scripts/install-prerequisites.sh)";
            return;
        }

        ImageBuildResult image;
        try
        {
            using var buildDeadline = new CancellationTokenSource(BuildDeadline);
            image = await new ImageBuilder().BuildAsync(
                new ImageBuildOptions
                {
                    OutputDirectory = Path.Combine(Home, "images", "guest-agent-integration-tests"),
                    CacheDirectory = Path.Combine(Home, "cache"),
                    RepositoryRoot = RepoPaths.RepoRoot,
                },
                buildDeadline.Token);
        }
        catch (ImageBuildException e) when (e.Reason is ImageBuildErrorReason.MissingTool or ImageBuildErrorReason.MissingPackage)
        {
            SkipReason = $"the pod VM image cannot be built here: {e.Message}";
            return;
        }

        Ca = ForwarderCertificateAuthority.LoadOrCreate(Path.Combine(_work, "ca"), TimeProvider.System);
        var (certificate, key) = Ca.IssueServerCertificate(InstanceName);
        var userData = PodVmUserData.ToCloudConfig(PodVmUserData.Build(
            new ForwarderConfig
            {
                PodName = "guest-it",
                PodNamespace = "default",
                TlsServerCert = certificate,
                TlsServerKey = key,
                TlsClientCa = Ca.CaCertificatePem,
                TlsMinVersion = "1.3",
            },
            null));

        _provider = new Provider(Options.Create(new LocalKvmProviderOptions
        {
            StateDirectory = Path.Combine(_work, "vms"),
            LogDirectory = Path.Combine(_work, "logs"),
            ImageDirectory = image.OutputDirectory,
            BootTimeout = BootDeadline,
        }));
        using (var bootDeadline = new CancellationTokenSource(BootDeadline))
        {
            _instance = await _provider.CreateInstanceAsync(
                new CreateInstanceRequest
                {
                    SandboxId = "guest-it-" + Guid.NewGuid().ToString("N"),
                    InstanceName = InstanceName,
                    InstanceType = new InstanceType("local.guest-it", 1, 1024),
                    UserData = Encoding.UTF8.GetBytes(userData),
                    Tags = new Dictionary<string, string>(StringComparer.Ordinal),
                },
                bootDeadline.Token);
        }

        var address = _instance.Addresses[0];
        ForwarderHost = address.Host;
        ForwarderPort = address.Port;
        Client = await ConnectWhenReadyAsync();
        await Agent.CreateSandboxAsync(new CreateSandboxRequest { Hostname = SandboxHostname, SandboxId = "guest-it" }).ResponseAsync.WithTimeout(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        if (Client is not null)
        {
            await Client.DisposeAsync();
        }

        if (_provider is not null)
        {
            if (_instance is not null)
            {
                using var deleteDeadline = new CancellationTokenSource(TimeSpan.FromMinutes(1));
                await _provider.DeleteInstanceAsync(_instance.Id, deleteDeadline.Token);
            }

            await _provider.DisposeAsync();
        }

        Ca?.Dispose();
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
            // A VM directory still being released; /tmp is cleaned eventually.
        }
    }

    /// <summary>Skips the calling test when there is no VM on this machine; otherwise the agent connection.</summary>
    public TtrpcClient Require()
    {
        if (SkipReason is { } reason)
        {
            Assert.Skip(reason);
        }

        return Client ?? throw new InvalidOperationException("the pod VM fixture did not start");
    }

    /// <summary>A TLS 1.3 connection to the VM's forwarder presenting <paramref name="clientCertificate"/>.</summary>
    public async Task<SslStream> ConnectTlsAsync(X509Certificate2 clientCertificate, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(ForwarderHost, ForwarderPort, cancellationToken);
            var ssl = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
            await ssl.AuthenticateAsClientAsync(
                new SslClientAuthenticationOptions
                {
                    TargetHost = InstanceName,
                    EnabledSslProtocols = SslProtocols.Tls13,
                    ClientCertificates = [clientCertificate],
                    CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                    RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                        certificate is not null && Ca!.ValidateServerCertificate(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()), InstanceName),
                },
                cancellationToken);
            return ssl;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>A new ttrpc connection to the agent through the forwarder, with the adaptor's client certificate.</summary>
    public async Task<TtrpcClient> ConnectAgentAsync(CancellationToken cancellationToken) =>
        new(await ConnectTlsAsync(Ca!.ClientCertificate, cancellationToken));

    // The provider returns once /init reported ready; the agent and forwarder may still be a moment behind it.
    private async Task<TtrpcClient> ConnectWhenReadyAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        Exception? last = null;
        while (!deadline.IsCancellationRequested)
        {
            TtrpcClient? client = null;
            try
            {
                client = await ConnectAgentAsync(deadline.Token);
                var health = await new Health.HealthClient(client.CreateCallInvoker())
                    .CheckAsync(new CheckRequest(), deadline: DateTime.UtcNow.AddSeconds(20), cancellationToken: deadline.Token).ResponseAsync;
                if (health.Status == HealthCheckResponse.Types.ServingStatus.Serving)
                {
                    return client;
                }
            }
            catch (Exception e) when (e is SocketException or IOException or AuthenticationException or RpcException or OperationCanceledException)
            {
                last = e;
            }

            if (client is not null)
            {
                await client.DisposeAsync();
            }

            // Retry pacing only: the forwarder gives no readiness signal the host could wait on.
            await Task.Delay(TimeSpan.FromMilliseconds(500), CancellationToken.None);
        }

        throw new InvalidOperationException($"the agent did not answer Health.Check through the forwarder at {ForwarderHost}:{ForwarderPort} within 120 s: {last?.Message}\n{ConsoleLog}");
    }
}

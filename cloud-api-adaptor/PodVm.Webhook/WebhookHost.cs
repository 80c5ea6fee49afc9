using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PodVm.Webhook;

/// <summary>
/// The webhook's HTTPS server: <c>POST /mutate-v1-pod</c> (the path upstream uses), <c>GET /healthz</c> and
/// <c>GET /readyz</c>. Start it, read <see cref="Address"/>, dispose it to stop.
/// </summary>
public sealed class WebhookHost : IAsyncDisposable
{
    public const string MutatePath = "/mutate-v1-pod";

    /// <summary>An AdmissionReview holds one pod; the API server caps objects at about 3 MiB.</summary>
    private const long MaxReviewBytes = 8 * 1024 * 1024;

    private readonly WebApplication _app;
    private readonly CertificateReloader _certificates;

    private WebhookHost(WebApplication app, CertificateReloader certificates)
    {
        _app = app;
        _certificates = certificates;
    }

    /// <summary>The bound https address (meaningful once started; port 0 resolves to the chosen port).</summary>
    public Uri Address => new(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    /// <summary>Validates the options (a bad setting stops here with a message that names it) and builds the server.</summary>
    public static WebhookHost Create(WebhookOptions options, Action<ILoggingBuilder>? configureLogging = null, TimeProvider? timeProvider = null)
    {
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("Invalid webhook configuration: " + string.Join(" ", errors));
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        configureLogging?.Invoke(builder.Logging);
        var loggerFactory = LoggerFactory.Create(b => configureLogging?.Invoke(b));
        var logger = loggerFactory.CreateLogger("PodVm.Webhook");
        var certificates = new CertificateReloader(options.CertificatePath, options.KeyPath, timeProvider ?? TimeProvider.System, logger);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = MaxReviewBytes;
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Parse(options.ListenAddress), options.Port, listen =>
                listen.UseHttps(https => https.ServerCertificateSelector = (_, _) => certificates.Current));
        });

        var app = builder.Build();
        var handler = new AdmissionReviewHandler(options, logger);
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/readyz", () => Results.Text("ok"));
        app.MapPost(MutatePath, async (HttpContext context) =>
        {
            JsonNode? review;
            try
            {
                review = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            }
            catch (JsonException ex)
            {
                WebhookLog.BadRequest(logger, ex.Message);
                return Results.Text($"the body is not JSON: {ex.Message}", statusCode: StatusCodes.Status400BadRequest);
            }

            try
            {
                return Results.Text(handler.Handle(review).ToJsonString(), "application/json");
            }
            catch (AdmissionException ex)
            {
                WebhookLog.BadRequest(logger, ex.Message);
                return Results.Text(ex.Message, statusCode: StatusCodes.Status400BadRequest);
            }
        });
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var urls = string.Join(", ", app.Urls);
            WebhookLog.Listening(logger, urls, options.RuntimeClassName);
        });
        return new WebhookHost(app, certificates);
    }

    public Task StartAsync(CancellationToken cancellationToken) => _app.StartAsync(cancellationToken);

    /// <summary>Runs until <paramref name="cancellationToken"/> fires, then shuts down gracefully.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await _app.StartAsync(cancellationToken);
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Requested shutdown.
        }

        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(grace.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _certificates.Dispose();
    }
}

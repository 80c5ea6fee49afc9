using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PodVm.Kbs;

namespace PodVm.Attestation.Tests.Kbs;

/// <summary>How KbsHost builds the service.</summary>
public sealed class KbsHostTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("podvm-kbs-host-test").FullName;

    private string DatabaseArgument => $"--Kbs:DatabasePath={Path.Combine(_directory, "kbs.db")}";

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Build_AnyConfiguration_NoFileSourceReloadsOnChange()
    {
        var configFile = Path.Combine(_directory, "kbs.json");
        await File.WriteAllTextAsync(configFile, """{"Kbs":{"RateLimitPerSecond":7}}""", TestContext.Current.CancellationToken);

        await using var app = KbsHost.Build([DatabaseArgument], configFile);

        var files = ((IConfigurationRoot)app.Configuration).Providers.OfType<FileConfigurationProvider>().ToList();
        Assert.Contains(files, f => f.Source.Path == "appsettings.json");
        Assert.Contains(files, f => f.Source.Path == "kbs.json");
        Assert.All(files, f => Assert.False(f.Source.ReloadOnChange, $"{f.Source.Path} reloads on change"));
        Assert.Equal("7", app.Configuration["Kbs:RateLimitPerSecond"]);
    }

    [Fact]
    public async Task Build_DefaultConfiguration_AspNetCoreLogsWarningsKbsLogsInformation()
    {
        await using var app = KbsHost.Build([DatabaseArgument]);

        var loggers = app.Services.GetRequiredService<ILoggerFactory>();
        foreach (var category in new[] { "Microsoft.AspNetCore.Hosting.Diagnostics", "Microsoft.AspNetCore.Routing.EndpointMiddleware", "Microsoft.AspNetCore.Server.Kestrel" })
        {
            var logger = loggers.CreateLogger(category);
            Assert.False(logger.IsEnabled(LogLevel.Information), category);
            Assert.True(logger.IsEnabled(LogLevel.Warning), category);
            Assert.True(logger.IsEnabled(LogLevel.Error), category);
        }

        Assert.True(app.Services.GetRequiredService<ILogger<PodVm.Attestation.Kbs.RcarService>>().IsEnabled(LogLevel.Information));
        Assert.True(loggers.CreateLogger("Microsoft.Hosting.Lifetime").IsEnabled(LogLevel.Information));
    }

    [Fact]
    public async Task Build_AspNetCoreLogLevelConfigured_OverridesDefault()
    {
        var configFile = Path.Combine(_directory, "kbs.json");
        await File.WriteAllTextAsync(configFile, """{"Logging":{"LogLevel":{"Microsoft.AspNetCore.Routing":"Debug"}}}""", TestContext.Current.CancellationToken);

        await using var app = KbsHost.Build(
            [DatabaseArgument, "--Logging:LogLevel:Microsoft.AspNetCore=Information"],
            configFile);

        var loggers = app.Services.GetRequiredService<ILoggerFactory>();
        Assert.True(loggers.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Information));
        Assert.True(loggers.CreateLogger("Microsoft.AspNetCore.Routing.EndpointMiddleware").IsEnabled(LogLevel.Debug));
    }
}

using Microsoft.Extensions.Configuration;
using PodVm.Kbs;

namespace PodVm.Attestation.Tests.Kbs;

/// <summary>How KbsHost builds the service.</summary>
public sealed class KbsHostTests
{
    [Fact]
    public async Task Build_AnyConfiguration_NoFileSourceReloadsOnChange()
    {
        var directory = Directory.CreateTempSubdirectory("podvm-kbs-host-test").FullName;
        try
        {
            var configFile = Path.Combine(directory, "kbs.json");
            await File.WriteAllTextAsync(configFile, """{"Kbs":{"RateLimitPerSecond":7}}""", TestContext.Current.CancellationToken);

            await using var app = KbsHost.Build([$"--Kbs:DatabasePath={Path.Combine(directory, "kbs.db")}"], configFile);

            var files = ((IConfigurationRoot)app.Configuration).Providers.OfType<FileConfigurationProvider>().ToList();
            Assert.Contains(files, f => f.Source.Path == "appsettings.json");
            Assert.Contains(files, f => f.Source.Path == "kbs.json");
            Assert.All(files, f => Assert.False(f.Source.ReloadOnChange, $"{f.Source.Path} reloads on change"));
            Assert.Equal("7", app.Configuration["Kbs:RateLimitPerSecond"]);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}

namespace PodVm.Webhook.Tests;

public sealed class WebhookOptionsTests
{
    [Fact]
    public void Validate_BadSettings_NamesEachSetting()
    {
        var options = new WebhookOptions
        {
            RuntimeClassName = " ",
            ExtendedResourceName = "vm",
            ListenAddress = "localhost",
            Port = 70000,
            CertificatePath = "/nonexistent/tls.crt",
            KeyPath = "/nonexistent/tls.key",
        };

        var errors = options.Validate();

        foreach (var setting in new[] { "RuntimeClassName", "ExtendedResourceName", "ListenAddress", "Port", "CertificatePath", "KeyPath" })
        {
            Assert.Contains(errors, e => e.Contains("Webhook:" + setting, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Load_JsonFileAndOverrides_BindsSection()
    {
        var file = Path.Combine(Path.GetTempPath(), $"podvm-webhook-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, """{ "Webhook": { "RuntimeClassName": "kata-remote-aws", "Port": 9443 } }""");
        try
        {
            var options = WebhookConfiguration.Load(file, new Dictionary<string, string?> { ["Webhook:Port"] = "10443" });

            Assert.Equal("kata-remote-aws", options.RuntimeClassName);
            Assert.Equal(10443, options.Port);
            Assert.Equal("kata.peerpods.io/vm", options.ExtendedResourceName);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Load_MisspelledSetting_Throws()
    {
        var ex = Assert.Throws<InvalidOperationException>(() =>
            WebhookConfiguration.Load(null, new Dictionary<string, string?> { ["Webhook:RuntimeClasName"] = "x" }));

        Assert.Contains("RuntimeClasName", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFile_Throws()
    {
        Assert.Throws<FileNotFoundException>(() => WebhookConfiguration.Load("/nonexistent/webhook.json"));
    }
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace PodVm.Providers.Aws;

/// <summary>
/// Derives the RunInstances ClientToken from the sandbox id, so that every retry of one pod's create (by the SDK, by
/// the provider, or by the adaptor after a restart) carries the same token and EC2 returns the first launch instead of
/// starting a second VM. The generation moves on only when the launch the token names is already terminated.
/// </summary>
internal static class ClientTokens
{
    public const int MaxGenerations = 3;

    public static string For(string sandboxId, int generation)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sandboxId)));
        var token = "podvm-" + hash[..48];
        return generation == 0 ? token : token + "-" + generation.ToString(CultureInfo.InvariantCulture);
    }
}

namespace PodVm.CloudApiAdaptor.Providers;

/// <summary>
/// Marks an options property whose value is a secret (a key, a password, a token). Every dump of configuration goes
/// through <see cref="RedactedDump"/>, which prints such a property as "***" (or "(unset)" when it has no value).
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
public sealed class SecretAttribute : Attribute
{
}

namespace PodVm.LocalKvmProvider.Tee;

/// <summary>A report request the development TEE refuses; the message goes back to the guest.</summary>
internal sealed class DevelopmentTeeException(string message) : Exception(message);

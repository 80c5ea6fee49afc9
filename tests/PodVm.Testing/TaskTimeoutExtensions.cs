namespace PodVm.Testing;

/// <summary>Every awaited task in a test gets a deadline, so a broken test fails instead of hanging CI.</summary>
public static class TaskTimeoutExtensions
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(Environment.GetEnvironmentVariable("CI") == "true" ? 30 : 15);

    public static Task DefaultTimeout(this Task task) => task.WaitAsync(Default);

    public static Task<T> DefaultTimeout<T>(this Task<T> task) => task.WaitAsync(Default);

    public static Task DefaultTimeout(this ValueTask task) => task.AsTask().WaitAsync(Default);

    public static Task<T> DefaultTimeout<T>(this ValueTask<T> task) => task.AsTask().WaitAsync(Default);

    public static Task WithTimeout(this Task task, TimeSpan timeout) => task.WaitAsync(timeout);

    public static Task<T> WithTimeout<T>(this Task<T> task, TimeSpan timeout) => task.WaitAsync(timeout);
}

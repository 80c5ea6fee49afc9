using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using PodVm.Kbs;

namespace PodVm.Attestation.Tests.Kbs;

/// <summary>The SQLite nonce ledger on the attest hot path: one use per nonce, expired nonces swept once a minute.</summary>
public sealed class SqliteKbsStoreNonceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("podvm-nonce-tests").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private string DatabasePath => Path.Combine(_dir, "kbs.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task TryConsumeAsync_SameNonceTwice_SecondRejected()
    {
        var store = new SqliteKbsStore(DatabasePath, _time);

        var first = await store.TryConsumeAsync("n1", _time.GetUtcNow().AddMinutes(5), CancellationToken.None);
        var second = await store.TryConsumeAsync("n1", _time.GetUtcNow().AddMinutes(5), CancellationToken.None);

        Assert.True(first);
        Assert.False(second);
    }

    [Fact]
    public async Task TryConsumeAsync_AnotherStoreOnTheSameFile_SeesTheConsumedNonce()
    {
        var first = new SqliteKbsStore(DatabasePath, _time);
        await first.TryConsumeAsync("n1", _time.GetUtcNow().AddMinutes(5), CancellationToken.None);

        var replica = new SqliteKbsStore(DatabasePath, _time);

        Assert.False(await replica.TryConsumeAsync("n1", _time.GetUtcNow().AddMinutes(5), CancellationToken.None));
    }

    [Fact]
    public async Task TryConsumeAsync_ConcurrentSameNonce_ExactlyOneWins()
    {
        var store = new SqliteKbsStore(DatabasePath, _time);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () => await store.TryConsumeAsync("n1", _time.GetUtcNow().AddMinutes(5), CancellationToken.None)))).DefaultTimeout();

        Assert.Equal(1, results.Count(r => r));
    }

    [Fact]
    public async Task TryConsumeAsync_AMinuteAfterTheLastSweep_ExpiredNoncesRemoved()
    {
        var store = new SqliteKbsStore(DatabasePath, _time);
        await store.TryConsumeAsync("short", _time.GetUtcNow().AddSeconds(10), CancellationToken.None);
        await store.TryConsumeAsync("long", _time.GetUtcNow().AddMinutes(5), CancellationToken.None);

        _time.Advance(TimeSpan.FromSeconds(30));
        await store.TryConsumeAsync("a", _time.GetUtcNow().AddMinutes(5), CancellationToken.None);
        var beforeSweep = NonceCount();
        _time.Advance(TimeSpan.FromSeconds(31));
        await store.TryConsumeAsync("b", _time.GetUtcNow().AddMinutes(5), CancellationToken.None);

        Assert.Equal(3, beforeSweep);
        Assert.Equal(3, NonceCount()); // "short" swept; "long", "a", "b" kept
    }

    private long NonceCount()
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM nonces";
        return (long)command.ExecuteScalar()!;
    }
}

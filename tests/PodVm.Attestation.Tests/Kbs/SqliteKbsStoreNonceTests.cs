using Microsoft.Data.Sqlite;
using PodVm.Kbs;

namespace PodVm.Attestation.Tests.Kbs;

/// <summary>The SQLite nonce ledger on the attest hot path: one use per nonce, expired nonces swept once a minute.</summary>
public sealed class SqliteKbsStoreNonceTests : IDisposable
{
    private readonly SqliteStoreDirectory _db = new("podvm-nonce-tests");

    public void Dispose()
    {
        _db.Dispose();
    }

    [Fact]
    public async Task TryConsumeAsync_SameNonceTwice_SecondRejected()
    {
        var store = new SqliteKbsStore(_db.DatabasePath, _db.Time);

        var first = await store.TryConsumeAsync("n1", _db.Time.GetUtcNow().AddMinutes(5), CancellationToken.None);
        var second = await store.TryConsumeAsync("n1", _db.Time.GetUtcNow().AddMinutes(5), CancellationToken.None);

        Assert.True(first);
        Assert.False(second);
    }

    [Fact]
    public async Task TryConsumeAsync_AnotherStoreOnTheSameFile_SeesTheConsumedNonce()
    {
        var first = new SqliteKbsStore(_db.DatabasePath, _db.Time);
        await first.TryConsumeAsync("n1", _db.Time.GetUtcNow().AddMinutes(5), CancellationToken.None);

        var replica = new SqliteKbsStore(_db.DatabasePath, _db.Time);

        Assert.False(await replica.TryConsumeAsync("n1", _db.Time.GetUtcNow().AddMinutes(5), CancellationToken.None));
    }

    [Fact]
    public async Task TryConsumeAsync_ConcurrentSameNonce_ExactlyOneWins()
    {
        var store = new SqliteKbsStore(_db.DatabasePath, _db.Time);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () => await store.TryConsumeAsync("n1", _db.Time.GetUtcNow().AddMinutes(5), CancellationToken.None)))).DefaultTimeout();

        Assert.Equal(1, results.Count(r => r));
    }

    [Fact]
    public async Task TryConsumeAsync_AMinuteAfterTheLastSweep_ExpiredNoncesRemoved()
    {
        var store = new SqliteKbsStore(_db.DatabasePath, _db.Time);
        await store.TryConsumeAsync("short", _db.Time.GetUtcNow().AddSeconds(10), CancellationToken.None);
        await store.TryConsumeAsync("long", _db.Time.GetUtcNow().AddMinutes(5), CancellationToken.None);

        _db.Time.Advance(TimeSpan.FromSeconds(30));
        await store.TryConsumeAsync("a", _db.Time.GetUtcNow().AddMinutes(5), CancellationToken.None);
        var beforeSweep = NonceCount();
        _db.Time.Advance(TimeSpan.FromSeconds(31));
        await store.TryConsumeAsync("b", _db.Time.GetUtcNow().AddMinutes(5), CancellationToken.None);

        Assert.Equal(3, beforeSweep);
        Assert.Equal(3, NonceCount()); // "short" swept; "long", "a", "b" kept
    }

    private long NonceCount()
    {
        using var connection = new SqliteConnection($"Data Source={_db.DatabasePath}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM nonces";
        return (long)command.ExecuteScalar()!;
    }
}

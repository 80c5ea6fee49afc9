using PodVm.Kbs;

namespace PodVm.Attestation.Tests.Kbs;

/// <summary>
/// The SQLite store's kept-open connections with prepared hot statements (resource read, nonce insert, generation
/// check): each statement still sees every write made meanwhile, by this store or another on the same file, and
/// concurrent callers each get their own connection.
/// </summary>
public sealed class SqliteKbsStorePreparedTests : IDisposable
{
    private readonly SqliteStoreDirectory _db = new("podvm-store-prepared-tests");

    public void Dispose()
    {
        _db.Dispose();
    }

    [Fact]
    public async Task GetResourceAsync_RewrittenAndDeletedByReplica_NextReadSeesEachChange()
    {
        using var store = new SqliteKbsStore(_db.DatabasePath, _db.Time);
        using var replica = new SqliteKbsStore(_db.DatabasePath, _db.Time);
        await replica.SetResourceAsync("default/key/1", new byte[] { 1 }, CancellationToken.None);
        var first = await store.GetResourceAsync("default/key/1", CancellationToken.None);

        await replica.SetResourceAsync("default/key/1", new byte[] { 2, 2 }, CancellationToken.None);
        var rewritten = await store.GetResourceAsync("default/key/1", CancellationToken.None);
        await replica.DeleteResourceAsync("default/key/1", CancellationToken.None);
        var deleted = await store.GetResourceAsync("default/key/1", CancellationToken.None);

        Assert.Equal([1], first);
        Assert.Equal([2, 2], rewritten);
        Assert.Null(deleted);
        Assert.Equal(1, store.IdlePreparedConnections);
    }

    [Fact]
    public async Task GetResourceAsync_OtherPathAfterPreparedRead_ReturnsThatPathsValue()
    {
        using var store = new SqliteKbsStore(_db.DatabasePath, _db.Time);
        await store.SetResourceAsync("a/b/c", new byte[] { 1 }, CancellationToken.None);
        await store.SetResourceAsync("a/b/d", new byte[] { 2 }, CancellationToken.None);

        var c = await store.GetResourceAsync("a/b/c", CancellationToken.None);
        var d = await store.GetResourceAsync("a/b/d", CancellationToken.None);
        var missing = await store.GetResourceAsync("a/b/e", CancellationToken.None);

        Assert.Equal([1], c);
        Assert.Equal([2], d);
        Assert.Null(missing);
    }

    [Fact]
    public async Task HotStatements_ManyConcurrentCallers_EachGetsItsOwnResult()
    {
        using var store = new SqliteKbsStore(_db.DatabasePath, _db.Time);
        for (var i = 0; i < 16; i++)
        {
            await store.SetResourceAsync($"r/k/{i}", new[] { (byte)i }, CancellationToken.None);
        }

        var reads = Enumerable.Range(0, 64).Select(i => Task.Run(async () => (i, await store.GetResourceAsync($"r/k/{i % 16}", CancellationToken.None))));
        var consumes = Enumerable.Range(0, 64).Select(i => Task.Run(async () => await store.TryConsumeAsync($"n{i % 32}", _db.Time.GetUtcNow().AddMinutes(5), CancellationToken.None)));
        var policies = Enumerable.Range(0, 16).Select(_ => Task.Run(async () => await store.GetResourcePolicyAsync(CancellationToken.None)));

        var readResults = await Task.WhenAll(reads).DefaultTimeout();
        var consumeResults = await Task.WhenAll(consumes).DefaultTimeout();
        var policyResults = await Task.WhenAll(policies).DefaultTimeout();

        Assert.All(readResults, r => Assert.Equal(new[] { (byte)(r.i % 16) }, r.Item2));
        Assert.Equal(32, consumeResults.Count(consumed => consumed));
        Assert.All(policyResults, Assert.Null);
        Assert.InRange(store.IdlePreparedConnections, 1, 8);
    }

    [Fact]
    public async Task TryConsumeAsync_NonceConsumedByReplicaAfterPreparedInsert_Refused()
    {
        using var store = new SqliteKbsStore(_db.DatabasePath, _db.Time);
        using var replica = new SqliteKbsStore(_db.DatabasePath, _db.Time);
        Assert.True(await store.TryConsumeAsync("n1", _db.Time.GetUtcNow().AddMinutes(5), CancellationToken.None));

        var replicaFirst = await replica.TryConsumeAsync("n2", _db.Time.GetUtcNow().AddMinutes(5), CancellationToken.None);
        var storeSecond = await store.TryConsumeAsync("n2", _db.Time.GetUtcNow().AddMinutes(5), CancellationToken.None);
        var replicaReplay = await replica.TryConsumeAsync("n1", _db.Time.GetUtcNow().AddMinutes(5), CancellationToken.None);

        Assert.True(replicaFirst);
        Assert.False(storeSecond);
        Assert.False(replicaReplay);
    }

    [Fact]
    public async Task Dispose_AfterHotStatements_ClosesKeptConnectionsAndLaterCallsStillWork()
    {
        var store = new SqliteKbsStore(_db.DatabasePath, _db.Time);
        await store.SetResourceAsync("a/b/c", new byte[] { 7 }, CancellationToken.None);
        await store.GetResourceAsync("a/b/c", CancellationToken.None);
        Assert.Equal(1, store.IdlePreparedConnections);

        store.Dispose();
        var afterDispose = await store.GetResourceAsync("a/b/c", CancellationToken.None);

        Assert.Equal(0, store.IdlePreparedConnections);
        Assert.Equal([7], afterDispose);
    }
}

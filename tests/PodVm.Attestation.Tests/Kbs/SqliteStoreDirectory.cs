using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace PodVm.Attestation.Tests.Kbs;

/// <summary>
/// What the SQLite store's tests share: a scratch directory holding the database file (the same path for a "replica"
/// store), a fake clock at a fixed start, and on dispose the pools cleared and the directory deleted.
/// </summary>
internal sealed class SqliteStoreDirectory(string name) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory(name).FullName;

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public string DatabasePath => Path.Combine(_directory, "kbs.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}

using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using PodVm.Attestation.Kbs;
using PodVm.Attestation.ReferenceValues;

namespace PodVm.Kbs;

/// <summary>
/// The default KBS persistence: one SQLite file holding resources, policies, reference values (with expiry), used
/// nonces and generated keys. Every operation opens a pooled connection, so replicas on the same host (or a shared
/// volume) see one another's writes; another store can implement the same interfaces.
/// </summary>
/// <remarks>
/// Policies and reference values are read on every handshake, so reads are served from an in-memory
/// <see cref="StoreSnapshot"/> tagged with the store generation: a counter row that SQLite triggers bump on every
/// insert, update or delete of either table, whichever replica (or tool) writes. Each read first runs one cheap query
/// for the generation and reloads both tables (in one read transaction) only when it changed, so a write on any
/// replica is visible to the very next read here: there is no TTL.
/// The statements of the handshake's path (the generation check, the nonce insert, the resource read) run on
/// connections the store keeps open with those statements compiled (<see cref="SqlitePreparedConnection"/>), not parsed
/// and planned again per request; everything else opens a pooled connection per operation.
/// </remarks>
public sealed class SqliteKbsStore : IResourceStore, IPolicyStore, INonceLedger, IReferenceValueStore, IAppraisalInputSource, IDisposable
{
    private const string GenerationSql = "SELECT value FROM store_generation WHERE id = 0";
    private const string NonceInsertSql = "INSERT OR IGNORE INTO nonces(nonce, expires) VALUES($k, $x)";
    private const string ResourceSql = "SELECT value FROM resources WHERE path = $k";
    private const int MaxIdlePreparedConnections = 8;
    private const string ResourcePolicyId = "\u0000resource-policy";
    private const long NonceSweepSeconds = 60;
    private static readonly ConditionalWeakTable<SQLitePCL.sqlite3, SqliteConnectionState> PhysicalConnections = new();
    private readonly string _connectionString;
    private readonly TimeProvider _time;
    private long _lastNonceSweep = long.MinValue / 2;
    private readonly ConcurrentStack<SqlitePreparedConnection> _idle = new();
    private StoreSnapshot? _snapshot;
    private bool _disposed;

    public SqliteKbsStore(string databasePath, TimeProvider timeProvider)
    {
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 10,
        }.ToString();
        _time = timeProvider;
        using var connection = Open();
        Execute(connection, """
            PRAGMA journal_mode=WAL;
            CREATE TABLE IF NOT EXISTS resources (path TEXT PRIMARY KEY, value BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS policies (id TEXT PRIMARY KEY, document TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS reference_values (name TEXT PRIMARY KEY, json TEXT NOT NULL, expires INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS nonces (nonce TEXT PRIMARY KEY, expires INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS secrets (name TEXT PRIMARY KEY, value BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS store_generation (id INTEGER PRIMARY KEY CHECK (id = 0), value INTEGER NOT NULL);
            INSERT OR IGNORE INTO store_generation(id, value) VALUES(0, random());
            CREATE TRIGGER IF NOT EXISTS policies_ai AFTER INSERT ON policies BEGIN UPDATE store_generation SET value = value + 1 WHERE id = 0; END;
            CREATE TRIGGER IF NOT EXISTS policies_au AFTER UPDATE ON policies BEGIN UPDATE store_generation SET value = value + 1 WHERE id = 0; END;
            CREATE TRIGGER IF NOT EXISTS policies_ad AFTER DELETE ON policies BEGIN UPDATE store_generation SET value = value + 1 WHERE id = 0; END;
            CREATE TRIGGER IF NOT EXISTS reference_values_ai AFTER INSERT ON reference_values BEGIN UPDATE store_generation SET value = value + 1 WHERE id = 0; END;
            CREATE TRIGGER IF NOT EXISTS reference_values_au AFTER UPDATE ON reference_values BEGIN UPDATE store_generation SET value = value + 1 WHERE id = 0; END;
            CREATE TRIGGER IF NOT EXISTS reference_values_ad AFTER DELETE ON reference_values BEGIN UPDATE store_generation SET value = value + 1 WHERE id = 0; END;
            """);
    }

    /// <summary>Prepared connections kept open for the next request (tests).</summary>
    internal int IdlePreparedConnections => _idle.Count;

    /// <summary>The policy and the reference values of one appraisal, validated with a single generation query.</summary>
    public async ValueTask<AppraisalInputs> GetAppraisalInputsAsync(string policyId, CancellationToken cancellationToken)
    {
        var snapshot = await GetSnapshotAsync(cancellationToken).ConfigureAwait(false);
        return new AppraisalInputs(snapshot.GetPolicy(policyId), snapshot);
    }

    public ValueTask<byte[]?> GetResourceAsync(string path, CancellationToken cancellationToken) =>
        WithPreparedAsync(synchronousNormal: null, path, static async (connection, path, cancellationToken) =>
        {
            var command = connection.Command(ResourceSql, "$k");
            command.Parameters[0].Value = path;
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as byte[];
        }, cancellationToken);

    public async ValueTask SetResourceAsync(string path, ReadOnlyMemory<byte> value, CancellationToken cancellationToken) =>
        await NonQueryAsync("INSERT INTO resources(path, value) VALUES($k, $v) ON CONFLICT(path) DO UPDATE SET value = excluded.value", path, value.ToArray(), null, cancellationToken).ConfigureAwait(false);

    public async ValueTask<bool> DeleteResourceAsync(string path, CancellationToken cancellationToken) =>
        await NonQueryAsync("DELETE FROM resources WHERE path = $k", path, null, null, cancellationToken).ConfigureAwait(false) > 0;

    public async ValueTask<string?> GetAttestationPolicyAsync(string policyId, CancellationToken cancellationToken) =>
        (await GetSnapshotAsync(cancellationToken).ConfigureAwait(false)).GetPolicy(policyId);

    public async ValueTask SetAttestationPolicyAsync(string policyId, string document, CancellationToken cancellationToken) =>
        await NonQueryAsync("INSERT INTO policies(id, document) VALUES($k, $v) ON CONFLICT(id) DO UPDATE SET document = excluded.document", policyId, document, null, cancellationToken).ConfigureAwait(false);

    public ValueTask<string?> GetResourcePolicyAsync(CancellationToken cancellationToken) => GetAttestationPolicyAsync(ResourcePolicyId, cancellationToken);

    public ValueTask SetResourcePolicyAsync(string document, CancellationToken cancellationToken) => SetAttestationPolicyAsync(ResourcePolicyId, document, cancellationToken);

    /// <remarks>
    /// On the handshake's hot path, so one write per attest: expired nonces are swept at most once a minute (as
    /// Trustee sweeps expired sessions), and the insert commits with <c>synchronous=NORMAL</c> (WAL: durable across a
    /// process crash, not fsynced per commit; the last commits may be lost on power loss, which at worst re-admits the
    /// attest of a session still inside its timeout, whose token is bound to that session's TEE key anyway). Every
    /// other write keeps SQLite's default FULL: the pragma is per connection and <see cref="Prepare"/> restores it.
    /// </remarks>
    public ValueTask<bool> TryConsumeAsync(string nonce, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        WithPreparedAsync(synchronousNormal: true, (Store: this, Nonce: nonce, Expires: expiresAt.ToUnixTimeSeconds(), Now: _time.GetUtcNow().ToUnixTimeSeconds()), static async (connection, state, cancellationToken) =>
        {
            var lastSweep = Interlocked.Read(ref state.Store._lastNonceSweep);
            if (state.Now - lastSweep >= NonceSweepSeconds && Interlocked.CompareExchange(ref state.Store._lastNonceSweep, state.Now, lastSweep) == lastSweep)
            {
                await using var sweep = connection.Connection.CreateCommand();
                sweep.CommandText = "DELETE FROM nonces WHERE expires <= $x";
                sweep.Parameters.AddWithValue("$x", state.Now);
                await sweep.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            var insert = connection.Command(NonceInsertSql, "$k", "$x");
            insert.Parameters[0].Value = state.Nonce;
            insert.Parameters[1].Value = state.Expires;
            return await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        }, cancellationToken);

    public async ValueTask<ReferenceValue?> GetAsync(string name, CancellationToken cancellationToken) =>
        (await GetSnapshotAsync(cancellationToken).ConfigureAwait(false)).Get(name);

    public async ValueTask<IReadOnlyList<ReferenceValue>> ListAsync(CancellationToken cancellationToken) =>
        (await GetSnapshotAsync(cancellationToken).ConfigureAwait(false)).List();

    public async ValueTask SetAsync(IReadOnlyList<ReferenceValue> values, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(synchronousNormal: false, cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var v in values)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "INSERT INTO reference_values(name, json, expires) VALUES($k, $v, $x) ON CONFLICT(name) DO UPDATE SET json = excluded.json, expires = excluded.expires";
            command.Parameters.AddWithValue("$k", v.Name);
            command.Parameters.AddWithValue("$v", v.ToJson().ToJsonString());
            command.Parameters.AddWithValue("$x", v.Expiration.ToUnixTimeSeconds());
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<bool> RemoveAsync(string name, CancellationToken cancellationToken) =>
        await NonQueryAsync("DELETE FROM reference_values WHERE name = $k", name, null, null, cancellationToken).ConfigureAwait(false) > 0;

    /// <summary>A named secret (session key, token key), created with <paramref name="create"/> by the first replica to ask.</summary>
    public byte[] GetOrCreateSecret(string name, Func<byte[]> create)
    {
        using var connection = Open();
        using (var insert = connection.CreateCommand())
        {
            insert.CommandText = "INSERT OR IGNORE INTO secrets(name, value) VALUES($k, $v)";
            insert.Parameters.AddWithValue("$k", name);
            insert.Parameters.AddWithValue("$v", create());
            insert.ExecuteNonQuery();
        }

        using var select = connection.CreateCommand();
        select.CommandText = "SELECT value FROM secrets WHERE name = $k";
        select.Parameters.AddWithValue("$k", name);
        return (byte[])select.ExecuteScalar()!;
    }

    /// <summary>The cached snapshot when the store generation still matches it, else a fresh load of both tables.</summary>
    private async ValueTask<StoreSnapshot> GetSnapshotAsync(CancellationToken cancellationToken)
    {
        var cached = Volatile.Read(ref _snapshot);
        if (cached is not null
            && await WithPreparedAsync(synchronousNormal: null, 0, static async (connection, _, cancellationToken) =>
                (long)(await connection.Command(GenerationSql).ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!, cancellationToken).ConfigureAwait(false) == cached.Generation)
        {
            return cached;
        }

        await using var connection = await OpenAsync(synchronousNormal: null, cancellationToken).ConfigureAwait(false);

        // A read transaction (WAL snapshot) keeps the generation and both tables consistent with one another.
        await using var transaction = connection.BeginTransaction(deferred: true);
        var generation = await ReadGenerationAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        var policies = new Dictionary<string, string>(StringComparer.Ordinal);
        await using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = "SELECT id, document FROM policies";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                policies[reader.GetString(0)] = reader.GetString(1);
            }
        }

        var referenceValues = new Dictionary<string, ReferenceValue>(StringComparer.Ordinal);
        await using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = "SELECT json FROM reference_values";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var value = PodVmReferenceBundle.ParseRvpsValue(JsonNode.Parse(reader.GetString(0)), "sqlite");
                referenceValues[value.Name] = value;
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        var loaded = new StoreSnapshot(generation, policies, referenceValues, _time);
        Volatile.Write(ref _snapshot, loaded);
        return loaded;
    }

    private static async ValueTask<long> ReadGenerationAsync(SqliteConnection connection, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = GenerationSql;
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>Closes the connections the store keeps open; one in use is closed when it comes back.</summary>
    public void Dispose()
    {
        Volatile.Write(ref _disposed, true);
        CloseIdle();
    }

    /// <summary>
    /// Runs <paramref name="work"/> on a rented prepared connection: given back for the next request when the work
    /// completes, closed when it throws (its statement may be left mid-step). <paramref name="state"/> carries what the
    /// work needs, so the lambdas stay static.
    /// </summary>
    private async ValueTask<TResult> WithPreparedAsync<TState, TResult>(
        bool? synchronousNormal,
        TState state,
        Func<SqlitePreparedConnection, TState, CancellationToken, ValueTask<TResult>> work,
        CancellationToken cancellationToken)
    {
        var connection = await RentAsync(synchronousNormal, cancellationToken).ConfigureAwait(false);
        TResult result;
        try
        {
            result = await work(connection, state, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        Return(connection);
        return result;
    }

    /// <summary>An idle prepared connection (the most recently used), or a new one; give it back with <see cref="Return"/>.</summary>
    private async ValueTask<SqlitePreparedConnection> RentAsync(bool? synchronousNormal, CancellationToken cancellationToken)
    {
        if (_idle.TryPop(out var connection))
        {
            Prepare(connection.Connection, synchronousNormal);
            return connection;
        }

        return new SqlitePreparedConnection(await OpenAsync(synchronousNormal, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Keeps a connection whose statement completed for the next request (at most a few idle ones).</summary>
    private void Return(SqlitePreparedConnection connection)
    {
        if (_idle.Count >= MaxIdlePreparedConnections)
        {
            connection.Dispose();
            return;
        }

        _idle.Push(connection);
        if (Volatile.Read(ref _disposed))
        {
            CloseIdle();
        }
    }

    private void CloseIdle()
    {
        while (_idle.TryPop(out var connection))
        {
            connection.Dispose();
        }
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Prepare(connection, synchronousNormal: false);
        return connection;
    }

    /// <param name="synchronousNormal">null for reads (durability irrelevant), false for FULL, true for NORMAL.</param>
    private async Task<SqliteConnection> OpenAsync(bool? synchronousNormal, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        Prepare(connection, synchronousNormal);
        return connection;
    }

    // Each PRAGMA statement costs about as much as the query itself (20-40 us here), and several run per handshake:
    // set busy_timeout once per physical connection, synchronous only when a write needs the other mode.
    private static void Prepare(SqliteConnection connection, bool? synchronousNormal)
    {
        var state = PhysicalConnections.GetValue(connection.Handle!, _ => new SqliteConnectionState());
        if (!state.Initialized)
        {
            Execute(connection, "PRAGMA busy_timeout=10000; PRAGMA synchronous=FULL;");
            state.Initialized = true;
            state.SynchronousNormal = false;
        }

        if (synchronousNormal is { } normal && normal != state.SynchronousNormal)
        {
            Execute(connection, normal ? "PRAGMA synchronous=NORMAL;" : "PRAGMA synchronous=FULL;");
            state.SynchronousNormal = normal;
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private async Task<int> NonQueryAsync(string sql, string key, object? value, long? number, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(synchronousNormal: false, cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$k", key);
        if (value is not null)
        {
            command.Parameters.AddWithValue("$v", value);
        }

        if (number is not null)
        {
            command.Parameters.AddWithValue("$x", number.Value);
        }

        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}

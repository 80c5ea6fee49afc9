namespace PodVm.Kbs;

/// <summary>
/// What <see cref="SqliteKbsStore"/> has set on one physical SQLite connection. PRAGMAs are per connection and the pool
/// hands the same physical connection out again, so each is executed once, or again only when a write needs the
/// other durability mode.
/// </summary>
internal sealed class SqliteConnectionState
{
    public bool Initialized { get; set; }

    /// <summary>True while the connection runs with <c>synchronous=NORMAL</c> (else FULL).</summary>
    public bool SynchronousNormal { get; set; }
}

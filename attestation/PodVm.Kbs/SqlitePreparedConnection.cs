using Microsoft.Data.Sqlite;

namespace PodVm.Kbs;

/// <summary>
/// An open SQLite connection that <see cref="SqliteKbsStore"/> keeps between requests with its hot statements (the
/// generation check, the nonce insert, the resource read) compiled once: Microsoft.Data.Sqlite prepares a command's
/// statements on its first execution and, while the command and its connection stay open, only resets and rebinds
/// them afterwards. Used by one caller at a time (rented from the store and returned). Each statement runs in
/// autocommit mode, so each reads the database as it is when it starts: another replica's writes are seen exactly as
/// with a freshly opened connection.
/// </summary>
internal sealed class SqlitePreparedConnection : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    public SqlitePreparedConnection(SqliteConnection connection)
    {
        Connection = connection;
    }

    public SqliteConnection Connection { get; }

    /// <summary>The command for <paramref name="sql"/>, created with its parameters (values null) on first use.</summary>
    public SqliteCommand Command(string sql, params ReadOnlySpan<string> parameterNames)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = Connection.CreateCommand();
            command.CommandText = sql;
            foreach (var name in parameterNames)
            {
                command.Parameters.Add(new SqliteParameter(name, null));
            }

            _commands.Add(sql, command);
        }

        return command;
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        _commands.Clear();
        Connection.Dispose();
    }
}

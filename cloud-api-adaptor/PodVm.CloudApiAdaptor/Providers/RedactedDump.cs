using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text;

namespace PodVm.CloudApiAdaptor.Providers;

/// <summary>
/// Renders an options object as "Name = value" lines for logs and `podvm config show`, with every property marked
/// <see cref="SecretAttribute"/> replaced by "***". Nested records and collections are rendered recursively, so a
/// secret inside a nested options type is redacted too.
/// </summary>
public static class RedactedDump
{
    public const string Redacted = "***";

    private const int MaxDepth = 8;

    public static string Format(object options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new StringBuilder();
        Append(builder, options, options.GetType().Name, 0);
        return builder.ToString();
    }

    private static void Append(StringBuilder builder, object? value, string path, int depth)
    {
        if (value is null)
        {
            builder.Append(CultureInfo.InvariantCulture, $"{path} = (unset)\n");
            return;
        }

        var type = value.GetType();
        if (IsScalar(type) || depth >= MaxDepth)
        {
            builder.Append(CultureInfo.InvariantCulture, $"{path} = {FormatScalar(value)}\n");
            return;
        }

        if (value is IDictionary dictionary)
        {
            foreach (DictionaryEntry entry in dictionary)
            {
                Append(builder, entry.Value, $"{path}[{entry.Key}]", depth + 1);
            }

            return;
        }

        if (value is IEnumerable sequence)
        {
            var index = 0;
            foreach (var item in sequence)
            {
                Append(builder, item, $"{path}[{index++}]", depth + 1);
            }

            if (index == 0)
            {
                builder.Append(CultureInfo.InvariantCulture, $"{path} = []\n");
            }

            return;
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.GetMethod is null)
            {
                continue;
            }

            var propertyValue = property.GetValue(value);
            var propertyPath = $"{path}.{property.Name}";
            if (property.IsDefined(typeof(SecretAttribute), inherit: true))
            {
                var shown = propertyValue is null || (propertyValue is string s && s.Length == 0) ? "(unset)" : Redacted;
                builder.Append(CultureInfo.InvariantCulture, $"{propertyPath} = {shown}\n");
                continue;
            }

            Append(builder, propertyValue, propertyPath, depth + 1);
        }
    }

    private static bool IsScalar(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
        || type == typeof(DateTimeOffset) || type == typeof(DateTime) || type == typeof(Uri) || type == typeof(Guid);

    private static string FormatScalar(object value) => value switch
    {
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}

using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using SharpSignals.Server.Configuration;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.Configuration;

/// <summary>
/// docs/CONFIGURATION.md lists every setting the server reads, and no setting it no longer reads: the
/// keys of the options it binds (<see cref="KnownSettings"/>) against the keys the page's tables name.
/// </summary>
public sealed partial class ConfigurationDocTests : IDisposable
{
    private readonly TemporaryDirectory _data = new();

    [Fact]
    public async Task ConfigurationDoc_EverySettingTheServerReads_IsDocumented()
    {
        var (settings, documented) = await KeysAsync();

        var undocumented = settings.Except(documented, StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToList();

        Assert.True(undocumented.Count == 0, $"docs/CONFIGURATION.md does not document: {string.Join(", ", undocumented)}");
    }

    [Fact]
    public async Task ConfigurationDoc_EveryDocumentedSetting_IsOneTheServerReads()
    {
        var (settings, documented) = await KeysAsync();

        var stale = documented.Except(settings, StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToList();

        Assert.True(stale.Count == 0, $"docs/CONFIGURATION.md documents settings the server does not read: {string.Join(", ", stale)}");
    }

    public void Dispose() => _data.Dispose();

    /// <summary>
    /// The settings as leaves of the known keys (a list of values counts as one setting), and the keys
    /// in the first cell of the page's table rows; an index or a dictionary key (<c>N</c>,
    /// <c>{project}</c>) stands for any key in its place.
    /// </summary>
    private async Task<(HashSet<string> Settings, HashSet<string> Documented)> KeysAsync()
    {
        await using var factory = new ServerFactory(_data.Path);
        var all = factory.Services.GetRequiredService<KnownSettings>().All().ToList();
        var settings = all
            .Where(key => !all.Any(other => other.StartsWith(key + ":", StringComparison.OrdinalIgnoreCase)))
            .Select(key => key.EndsWith(":" + KnownSettings.AnyKey, StringComparison.Ordinal) ? key[..^2] : key)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);

        var text = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "docs", "CONFIGURATION.md"));
        var documented = DocumentedKey().Matches(text)
            .Select(m => Placeholder().Replace(m.Groups["key"].Value, ":" + KnownSettings.AnyKey))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);

        Assert.NotEmpty(settings);
        return (settings, documented);
    }

    private static string RepositoryRoot()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "SharpSignals.sln")))
        {
            root = root.Parent;
        }

        return root?.FullName ?? throw new InvalidOperationException("No SharpSignals.sln above " + AppContext.BaseDirectory);
    }

    /// <summary>A table row whose first cell is a <c>SharpSignals:</c> key in backticks.</summary>
    [GeneratedRegex(@"^\|\s*`(?<key>SharpSignals:[^`]+)`", RegexOptions.Multiline)]
    private static partial Regex DocumentedKey();

    [GeneratedRegex(@":(?:N|\{[^}]+\})(?=:|$)")]
    private static partial Regex Placeholder();
}

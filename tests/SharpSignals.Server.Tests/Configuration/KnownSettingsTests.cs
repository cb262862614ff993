using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using SharpSignals.Server.Configuration;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.Configuration;

/// <summary>
/// The check of unknown settings knows every key that is legitimately used: each key the README,
/// the docs, the samples, the bench and CI name (the tests' own keys pass it on every start), and
/// each options section the server declares.
/// </summary>
public sealed partial class KnownSettingsTests : IDisposable
{
    private static readonly string[] Scanned = ["README.md", "docs", "samples", "bench", ".ci"];

    private readonly TemporaryDirectory _data = new();

    [Fact]
    public async Task Unknown_EveryKeyTheRepositoryNames_IsNone()
    {
        var keys = RepositoryKeys();
        await using var factory = new ServerFactory(_data.Path);
        var known = factory.Services.GetRequiredService<KnownSettings>();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(keys.Select(k => new KeyValuePair<string, string?>(k, "1"))).Build();

        var unknown = known.Unknown(configuration).ToList();

        Assert.True(keys.Count >= 40, $"Only {keys.Count} keys found: {string.Join(", ", keys)}");
        Assert.Empty(unknown);
    }

    [Fact]
    public async Task All_EverySectionTheServerDeclares_IsKnown()
    {
        var sections = typeof(Program).Assembly.GetTypes()
            .Select(KnownSettings.SectionOf)
            .OfType<string>()
            .Where(s => s != KnownSettings.Root)
            .ToList();
        await using var factory = new ServerFactory(_data.Path);

        var all = factory.Services.GetRequiredService<KnownSettings>().All().ToHashSet(StringComparer.OrdinalIgnoreCase);

        Assert.NotEmpty(sections);
        Assert.All(sections, s => Assert.Contains(s, all));
    }

    public void Dispose() => _data.Dispose();

    /// <summary>
    /// Every <c>SharpSignals:...</c> or <c>SharpSignals__...</c> key in the scanned files, as a
    /// configuration key, and each <c>`:Name`</c> a file writes, after such a key, for another key of
    /// the section it named last.
    /// </summary>
    private static HashSet<string> RepositoryKeys()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "SharpSignals.sln")))
        {
            root = root.Parent;
        }

        Assert.NotNull(root);
        var files = Scanned
            .Select(p => Path.Combine(root.FullName, p))
            .SelectMany(p => File.Exists(p) ? [p] : Directory.Exists(p) ? Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories) : [])
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && Path.GetExtension(f) is ".md" or ".cs" or ".json" or ".sh" or "");
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var file in files)
        {
            string? section = null;
            // A line that shows the server's answer to a misspelt key names that key.
            var text = string.Join('\n', File.ReadLines(file).Where(l => !l.Contains("is not a setting", StringComparison.Ordinal)));
            foreach (Match match in Key().Matches(text))
            {
                var sibling = match.Groups["sibling"];
                if (sibling.Success && section is null)
                {
                    continue;
                }

                var key = sibling.Success ? section + ":" + sibling.Value : match.Value.Replace("__", ":", StringComparison.Ordinal).TrimEnd(':');
                section = key[..key.LastIndexOf(':')];

                // "SharpSignals:X" is how the docs write any key.
                if (key is not "SharpSignals:X")
                {
                    keys.Add(key);
                }
            }
        }

        return keys;
    }

    [GeneratedRegex(@"SharpSignals(?::|__)[A-Za-z0-9]+(?:(?::|__)[A-Za-z0-9]+)*|`:(?<sibling>[A-Za-z]+)`")]
    private static partial Regex Key();
}

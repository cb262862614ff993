using System.Reflection;
using Microsoft.Extensions.DependencyInjection;

namespace SharpSignals.Server.Tests.Architecture;

/// <summary>
/// The server's feature folders point one way (docs/ARCHITECTURE.md): a folder's types use only
/// those of the folders before it in <see cref="Order"/>. A reference the other way, in a
/// signature or anywhere in a method body, fails with the two namespaces and the types named.
/// </summary>
public sealed class FolderOrderTests
{
    private const string Server = "SharpSignals.Server";

    /// <summary>The folders of the server, bottom to top: the one place the order is written down.</summary>
    private static readonly string[] Order =
    [
        "Configuration",
        "Telemetry",
        "Http",
        "Outbound",
        "Storage",
        "Cluster",
        "Keys",
        "Tenancy",
        "Auth",
        "Streams",
        "Routing",
        "Delivery",
        "Intake",
        "Sources",
        "StreamApi",
        "Realtime",
        "Discovery",
        "Retention",
        "Health",
        "Admin",
        "ApiDocs",
        "OperatorConsole",
    ];

    private static readonly Assembly ServerAssembly = typeof(Program).Assembly;

    [Fact]
    public void EveryFolder_HasItsPlaceInTheOrder()
    {
        var unplaced = ServerAssembly.GetTypes()
            .Select(type => Folder(type.Namespace))
            .OfType<string>()
            .Distinct()
            .Where(folder => !Order.Contains(folder))
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.True(unplaced.Count == 0, $"Folders missing from {nameof(FolderOrderTests)}.{nameof(Order)}: {string.Join(", ", unplaced)}");
    }

    [Fact]
    public void EveryFolder_UsesOnlyTheFoldersBeforeIt()
    {
        var upward = TypeReferences.Read(ServerAssembly)
            .Where(reference => Folder(reference.FromNamespace) is { } from && Folder(reference.ToNamespace) is { } to
                && Array.IndexOf(Order, to) > Array.IndexOf(Order, from))
            .ToList();

        var failures = upward
            .GroupBy(reference => (reference.FromNamespace, reference.ToNamespace))
            .OrderBy(edge => edge.Key.FromNamespace, StringComparer.Ordinal)
            .ThenBy(edge => edge.Key.ToNamespace, StringComparer.Ordinal)
            .Select(edge => $"{edge.Key.FromNamespace} -> {edge.Key.ToNamespace}, which comes after it: "
                + string.Join("; ", edge.Select(reference => $"{reference.From} uses {reference.To}").Order(StringComparer.Ordinal)))
            .ToList();
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, ["", .. failures]));
    }

    [Fact]
    public void NoServerType_TakesTheServiceProvider()
    {
        // A type that resolves its dependencies at run time hides them from the order above.
        var locators = ServerAssembly.GetTypes()
            .Where(type => type.GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)
                .Any(constructor => constructor.GetParameters().Any(parameter => parameter.ParameterType == typeof(IServiceProvider))))
            .Select(type => type.FullName!)
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Empty(locators);
    }

    [Fact]
    public void TheReader_SeesReferencesInsideMethodBodies()
    {
        var references = TypeReferences.Read(typeof(FolderOrderTests).Assembly);

        Assert.Contains(references, reference => reference.From == typeof(BodyOnlyProbe).FullName && reference.To == typeof(UsedInAsyncBody).FullName);
        Assert.Contains(references, reference => reference.From == typeof(BodyOnlyProbe).FullName && reference.To == typeof(UsedInLambda).FullName);
        Assert.Contains(references, reference => reference.From == typeof(BodyOnlyProbe).FullName && reference.To == typeof(UsedAsGenericArgument).FullName);
    }

    /// <summary>The feature folder of a server namespace, or null outside the server's folders.</summary>
    private static string? Folder(string? ns) =>
        ns is not null && ns.StartsWith(Server + ".", StringComparison.Ordinal) ? ns[(Server.Length + 1)..].Split('.')[0] : null;
}

/// <summary>Names the three types below only inside its method bodies (a check of <see cref="TypeReferences"/>).</summary>
internal static class BodyOnlyProbe
{
    public static async Task<object?> InAsyncBodyAsync()
    {
        await Task.Yield();
        return new UsedInAsyncBody();
    }

    public static Func<object> InLambda() => () => new UsedInLambda();

    public static object? AsGenericArgument(IServiceProvider services) => services.GetService<UsedAsGenericArgument>();
}

internal sealed class UsedInAsyncBody;

internal sealed class UsedInLambda;

internal sealed class UsedAsGenericArgument;

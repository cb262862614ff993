using System.ComponentModel;
using System.Reflection;
using Microsoft.Extensions.Options;

namespace SharpSignals.Server.Configuration;

/// <summary>
/// Every key under <c>SharpSignals:</c> that the server reads: the properties of each options type
/// bound to a section (found among the registered services, so that a new options type needs no
/// list kept by hand; its section is its <c>Section</c> constant), walked into nested objects,
/// arrays and dictionaries, and the keys read directly with <see cref="IConfiguration"/> that a
/// feature declares (<see cref="SettingKeys"/>). A key outside them is a typo that would otherwise
/// be ignored in silence, the setting it meant left at its default.
/// </summary>
internal sealed class KnownSettings
{
    public const string Root = ServerOptions.Section;

    /// <summary>Any key in this place (an array index, a dictionary key).</summary>
    public const string AnyKey = "*";

    private const int MaxDepth = 8;

    private readonly Node _root = new();

    private KnownSettings()
    {
    }

    /// <summary>The settings of the options types bound in <paramref name="services"/> and the keys it declares.</summary>
    public static KnownSettings From(IServiceCollection services)
    {
        var known = new KnownSettings();
        foreach (var descriptor in services)
        {
            if (descriptor.ServiceType.IsGenericType
                && descriptor.ServiceType.GetGenericTypeDefinition() == typeof(IOptionsChangeTokenSource<>)
                && SectionOf(descriptor.ServiceType.GenericTypeArguments[0]) is { } section)
            {
                known.AddType(known.At(section), descriptor.ServiceType.GenericTypeArguments[0], 0);
            }
            else if (descriptor.ServiceType == typeof(SettingKeys) && descriptor.ImplementationInstance is SettingKeys keys)
            {
                foreach (var key in keys.Keys)
                {
                    known.At(key);
                }
            }
        }

        return known;
    }

    /// <summary>The <c>Section</c> constant of an options type bound under <see cref="Root"/>; null for any other type.</summary>
    public static string? SectionOf(Type options) =>
        options.GetField("Section", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field
        && field.GetRawConstantValue() is string section
        && (section.Equals(Root, StringComparison.OrdinalIgnoreCase) || section.StartsWith(Root + ":", StringComparison.OrdinalIgnoreCase))
            ? section
            : null;

    /// <summary>Each key under <see cref="Root"/> in <paramref name="configuration"/> that no setting reads, as a message naming the nearest known key.</summary>
    public IEnumerable<string> Unknown(IConfiguration configuration)
    {
        var known = Paths(_root, Root).ToList();
        foreach (var unknown in UnknownPaths(configuration.GetSection(Root), _root))
        {
            yield return $"{unknown} is not a setting (did you mean {Nearest(unknown, known)}?).";
        }
    }

    /// <summary>Every known key and section, with <see cref="AnyKey"/> where any key may stand.</summary>
    public IEnumerable<string> All() => Paths(_root, Root);

    private static IEnumerable<string> UnknownPaths(IConfigurationSection section, Node node)
    {
        foreach (var child in section.GetChildren())
        {
            var known = node.Children.GetValueOrDefault(child.Key) ?? node.Children.GetValueOrDefault(AnyKey);
            if (known is null)
            {
                yield return child.Path;
                continue;
            }

            foreach (var path in UnknownPaths(child, known))
            {
                yield return path;
            }
        }
    }

    private static IEnumerable<string> Paths(Node node, string path)
    {
        foreach (var (key, child) in node.Children)
        {
            var childPath = path + ":" + key;
            yield return childPath;
            foreach (var deeper in Paths(child, childPath))
            {
                yield return deeper;
            }
        }
    }

    /// <summary>A known key with the same last part (a setting put in the wrong section), else the closest in spelling.</summary>
    private static string Nearest(string unknown, IReadOnlyList<string> known)
    {
        var name = unknown[(unknown.LastIndexOf(':') + 1)..];
        var sameName = known.Where(k => k.EndsWith(":" + name, StringComparison.OrdinalIgnoreCase)).MinBy(k => k.Length);
        return sameName ?? known.MinBy(k => Spelling.Distance(unknown, k)) ?? Root;
    }

    /// <summary>A value the configuration binder sets from one string.</summary>
    private static bool IsSimple(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(object)
        || TypeDescriptor.GetConverter(type).CanConvertFrom(typeof(string));

    private static Type? ElementType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }

        var generic = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IEnumerable<>)
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>));

        // A dictionary is a sequence of key-value pairs: its keys are free, its values the elements.
        return generic?.GenericTypeArguments[0] is { IsGenericType: true } pair && pair.GetGenericTypeDefinition() == typeof(KeyValuePair<,>)
            ? pair.GenericTypeArguments[1]
            : generic?.GenericTypeArguments[0];
    }

    private Node At(string path)
    {
        var node = _root;
        foreach (var part in path.Split(':').Skip(1))
        {
            node = node.Child(part);
        }

        return node;
    }

    private void AddType(Node node, Type type, int depth)
    {
        if (depth > MaxDepth)
        {
            return;
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;

            // The binder sets a value through a public setter (init included); a collection or an
            // object it can also fill in place, behind a getter alone.
            if (property.GetIndexParameters().Length > 0 || (property.SetMethod is not { IsPublic: true } && IsSimple(propertyType)))
            {
                continue;
            }

            var name = property.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? property.Name;
            AddValue(node.Child(name), propertyType, depth + 1);
        }
    }

    private void AddValue(Node node, Type type, int depth)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (IsSimple(type))
        {
            return;
        }

        if (ElementType(type) is { } element)
        {
            AddValue(node.Child(AnyKey), element, depth + 1);
        }
        else
        {
            AddType(node, type, depth);
        }
    }

    private sealed class Node
    {
        public Dictionary<string, Node> Children { get; } = new(StringComparer.OrdinalIgnoreCase);

        public Node Child(string key)
        {
            if (!Children.TryGetValue(key, out var child))
            {
                child = new Node();
                Children.Add(key, child);
            }

            return child;
        }
    }
}

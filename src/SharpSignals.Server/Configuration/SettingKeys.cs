namespace SharpSignals.Server.Configuration;

/// <summary>
/// Keys under <c>SharpSignals:</c> that a feature reads directly with <see cref="IConfiguration"/>
/// rather than through a bound options type, so that <see cref="KnownSettings"/> knows them;
/// <see cref="KnownSettings.AnyKey"/> stands for any key in its place (an array index).
/// </summary>
internal sealed record SettingKeys(IReadOnlyList<string> Keys);

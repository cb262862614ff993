namespace SharpSignals.Cli.Servers;

/// <summary>A server profile resolved for one command: its name, base URL and credential (if logged in).</summary>
internal sealed record ServerProfile(string Name, Uri BaseUrl, Credential? Credential);

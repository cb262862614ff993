namespace SharpSignals.Server.Realtime;

/// <summary>A verified topic token: the topics it names, its scopes and when it expires.</summary>
internal sealed record TopicToken(IReadOnlyList<string> Topics, IReadOnlyList<string> Scopes, DateTimeOffset ExpiresAt);

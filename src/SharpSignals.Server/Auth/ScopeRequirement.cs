using Microsoft.AspNetCore.Authorization;

namespace SharpSignals.Server.Auth;

/// <summary>The caller must hold <paramref name="Scope"/>.</summary>
internal sealed record ScopeRequirement(string Scope) : IAuthorizationRequirement;

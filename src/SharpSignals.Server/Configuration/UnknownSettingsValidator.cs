using Microsoft.Extensions.Options;

namespace SharpSignals.Server.Configuration;

/// <summary>A key under <c>SharpSignals:</c> that no setting reads stops the start, with the known key nearest to it.</summary>
internal sealed class UnknownSettingsValidator(KnownSettings known, IConfiguration configuration) : IValidateOptions<ServerOptions>
{
    public ValidateOptionsResult Validate(string? name, ServerOptions options)
    {
        var unknown = known.Unknown(configuration).ToList();
        return unknown.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(unknown);
    }
}

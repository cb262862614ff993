using SharpSignals.Tokens.Keys;
using SharpSignals.Tokens.Validation;

namespace SharpSignals.Tokens.Tests.Support;

/// <summary>A receiver that trusts one issuer key through its published JWK, as a real one would.</summary>
internal static class SetRoundTrip
{
    public static SetValidator Validator(SetSigningKey key) => new(new SetValidationOptions
    {
        Keys = new StaticKeySource([key.PublicJwk]),
        ValidIssuers = [Samples.Issuer],
        ValidAudiences = [Samples.Audience],
        TimeProvider = new FakeTimeProvider(Samples.Now),
    });
}

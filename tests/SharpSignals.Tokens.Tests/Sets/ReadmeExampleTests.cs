using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Keys;
using SharpSignals.Tokens.Sets;
using SharpSignals.Tokens.Subjects;
using SharpSignals.Tokens.Validation;

namespace SharpSignals.Tokens.Tests.Sets;

/// <summary>The example of docs/TOKENS.md, kept compiling and true.</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public async Task ReadmeExample_SignsAndValidates()
    {
        var cancellationToken = CancellationToken.None;
        var key = SetSigningKey.Generate();
        var token = new SetSigner(key).Sign(new SecurityEventToken
        {
            Issuer = "https://tx.example.com",
            Audience = ["https://rx.example.net"],
            IssuedAt = DateTimeOffset.UtcNow,
            Jti = SetIds.NewJti(),
            Subject = new EmailSubject("alice@example.com"),
            Events = [new SessionRevoked { InitiatingEntity = "admin" }],
        });

        var validator = new SetValidator(new SetValidationOptions
        {
            Keys = StaticKeySource.FromJwks(new KeyRing(key).ToPublicJwks()),
            ValidIssuers = ["https://tx.example.com"],
            ValidAudiences = ["https://rx.example.net"],
        });
        var result = await validator.ValidateAsync(token, cancellationToken);

        Assert.True(result.IsValid, result.Error?.Description);
        Assert.Equal("admin", Assert.IsType<SessionRevoked>(result.Set!.Event).InitiatingEntity);
    }
}

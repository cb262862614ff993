using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Keys;
using SharpSignals.Tokens.Sets;
using SharpSignals.Tokens.Tests.Support;

namespace SharpSignals.Tokens.Tests.Sets;

/// <summary>
/// The signer's output, pinned against <c>JsonWebTokenHandler.CreateToken</c> over the same claims: the
/// JOSE header and the claims set byte for byte, and the whole token where the signature is
/// deterministic (RS256, RFC 8017 §8.2).
/// </summary>
public sealed class SetSignerTests
{
    [Theory]
    [MemberData(nameof(TestKeys.Algorithms), MemberType = typeof(TestKeys))]
    public void Sign_EveryCatalogEvent_WritesTheHandlersHeaderAndClaims(string algorithm)
    {
        var key = TestKeys.For(algorithm);
        var signer = new SetSigner(key);

        foreach (var (securityEvent, subject) in Samples.Events())
        {
            var set = Samples.Set(securityEvent, subject);

            var token = signer.Sign(set);

            var reference = TokenFactory.Sign(SetPayload.ToJson(set), key);
            Assert.Equal(reference.Split('.')[..2], token.Split('.')[..2]);
            Assert.Equal(3, token.Split('.').Length);
            if (algorithm == SigningAlgorithms.RS256)
            {
                Assert.Equal(reference, token);
            }
        }
    }

    [Fact]
    public void Sign_TextOutsideAscii_WritesTheHandlersToken()
    {
        var key = TestKeys.For(SigningAlgorithms.RS256);
        var signer = new SetSigner(key);
        var reason = new Dictionary<string, string> { ["de"] = "Richtlinienverstoß", ["ja"] = "ポリシー違反 😀" };
        var sets = new[]
        {
            // Escaped by the writer's encoder.
            Samples.Set(new SessionRevoked { InitiatingEntity = "policy", ReasonAdmin = reason }),
            Samples.Set(new SessionRevoked(), new SharpSignals.Tokens.Subjects.EmailSubject("zoë@example.com")),

            // Raw JSON values carried through, which the writer escapes again.
            Samples.Set(new TokenClaimsChange { Claims = new Dictionary<string, System.Text.Json.JsonElement> { ["name"] = Samples.Json("\"Zoë ポ\"") } }, new SharpSignals.Tokens.Subjects.JwtIdSubject(Samples.Issuer, "24c63fb5")),
            Samples.Set(new TokenClaimsChange { Claims = new Dictionary<string, System.Text.Json.JsonElement> { ["name"] = Samples.Json("\"Zo\\u00eb\"") } }, new SharpSignals.Tokens.Subjects.JwtIdSubject(Samples.Issuer, "24c63fb5")),
        };

        foreach (var set in sets)
        {
            Assert.Equal(TokenFactory.Sign(SetPayload.ToJson(set), key), signer.Sign(set));
        }
    }

    [Theory]
    [MemberData(nameof(TestKeys.Algorithms), MemberType = typeof(TestKeys))]
    public void SignPayload_ClaimsOfASet_WritesWhatSignWrites(string algorithm)
    {
        var key = TestKeys.For(algorithm);
        var signer = new SetSigner(key);
        var set = Samples.SessionRevokedSet();

        var fromPayload = signer.SignPayload(SetPayload.ToJson(set));
        var fromSet = signer.Sign(set);

        Assert.Equal(fromSet.Split('.')[..2], fromPayload.Split('.')[..2]);
        Assert.Equal(TokenFactory.Sign(SetPayload.ToJson(set), key).Split('.')[..2], fromPayload.Split('.')[..2]);
    }

    [Theory]
    [MemberData(nameof(TestKeys.Algorithms), MemberType = typeof(TestKeys))]
    public void SignUnsecured_EveryCatalogEvent_WritesWhatSignWrites(string algorithm)
    {
        var key = TestKeys.For(algorithm);
        var signer = new SetSigner(key);

        foreach (var (securityEvent, subject) in Samples.Events())
        {
            var set = Samples.Set(securityEvent, subject);

            var unsecured = SetSigner.Unsecured(set);

            // RFC 7519 §6.1: {"alg":"none"}, the claims as Sign encodes them, an empty signature.
            var parts = unsecured.Split('.');
            Assert.Equal(["eyJhbGciOiJub25lIn0", TokenFactory.Sign(SetPayload.ToJson(set), key).Split('.')[1], ""], parts);
            Assert.True(SetSigner.IsUnsecured(unsecured));
            var signed = signer.SignUnsecured(unsecured);
            Assert.False(SetSigner.IsUnsecured(signed));
            Assert.Equal(signer.Sign(set).Split('.')[..2], signed.Split('.')[..2]);
        }
    }

    [Fact]
    public void SignUnsecured_ASignedToken_Throws()
    {
        var signer = new SetSigner(TestKeys.For(SigningAlgorithms.ES256));
        var signed = signer.Sign(Samples.SessionRevokedSet());

        Assert.Throws<ArgumentException>(() => signer.SignUnsecured(signed));
    }

    [Fact]
    public void Sign_TwoUnrelatedEvents_ThrowsNamingTheRule()
    {
        var signer = new SetSigner(TestKeys.For(SigningAlgorithms.ES256));
        var set = Samples.SessionRevokedSet() with
        {
            Events = [new SessionRevoked(), new CredentialChange { CredentialType = "password", ChangeType = "update" }],
        };

        var error = Assert.Throws<ArgumentException>(() => signer.Sign(set));

        Assert.Equal("set", error.ParamName);
        Assert.Contains("The SET is not valid: events must hold exactly one event", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sign_InvalidEventPayloadAndSubject_ReportsEveryProblem()
    {
        var signer = new SetSigner(TestKeys.For(SigningAlgorithms.ES256));
        var set = Samples.Set(new CredentialChange { CredentialType = "password", ChangeType = "rotate" }, new EmailSubjectWithoutAddress());

        var error = Assert.Throws<ArgumentException>(() => signer.Sign(set));

        Assert.Contains("credential-change: change_type must be one of", error.Message, StringComparison.Ordinal);
        Assert.Contains("sub_id.email is required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sign_NullSet_Throws()
    {
        var signer = new SetSigner(TestKeys.For(SigningAlgorithms.ES256));

        Assert.Throws<ArgumentNullException>(() => signer.Sign(null!));
    }

    [Theory]
    [MemberData(nameof(TestKeys.Algorithms), MemberType = typeof(TestKeys))]
    public async Task Sign_FromManyThreadsAtOnce_EveryTokenValidates(string algorithm)
    {
        var key = TestKeys.For(algorithm);
        var signer = new SetSigner(key);
        var sets = Enumerable.Range(0, 64).Select(_ => Samples.SessionRevokedSet()).ToArray();

        var tokens = new string[sets.Length];
        Parallel.For(0, sets.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => tokens[i] = signer.Sign(sets[i]));

        var validator = SetRoundTrip.Validator(key);
        for (var i = 0; i < sets.Length; i++)
        {
            var result = await validator.ValidateAsync(tokens[i], CancellationToken.None);
            Assert.True(result.IsValid, result.Error?.Description);
            Assert.Equal(sets[i].Jti, result.Set!.Jti);
        }
    }

    private sealed record EmailSubjectWithoutAddress : SharpSignals.Tokens.Subjects.SubjectIdentifier
    {
        public override string Format => SharpSignals.Tokens.Subjects.SubjectFormats.Email;

        protected override void WriteMembers(System.Text.Json.Utf8JsonWriter writer)
        {
        }

        protected override void CollectErrors(List<string> errors, string path) => Require(errors, path, "email", null);
    }
}

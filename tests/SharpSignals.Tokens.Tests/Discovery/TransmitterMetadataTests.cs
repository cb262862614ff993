using System.Text.Json;
using SharpSignals.Tokens.Discovery;

namespace SharpSignals.Tokens.Tests.Discovery;

public sealed class TransmitterMetadataTests
{
    [Fact]
    public void Parse_ReadsTheMembersAReceiverUses_AndIgnoresTheRest()
    {
        var metadata = TransmitterMetadata.Parse("""
            {"spec_version":"1_0","issuer":"https://tx.example","jwks_uri":"https://tx.example/jwks.json",
             "delivery_methods_supported":["urn:ietf:rfc:8935","urn:ietf:rfc:8936"],
             "configuration_endpoint":"https://tx.example/ssf/streams","status_endpoint":"https://tx.example/ssf/status",
             "add_subject_endpoint":"https://tx.example/ssf/subjects:add","remove_subject_endpoint":"https://tx.example/ssf/subjects:remove",
             "verification_endpoint":"https://tx.example/ssf/verify","authorization_schemes":[{"spec_urn":"urn:ietf:rfc:6749"}]}
            """);

        Assert.NotNull(metadata);
        Assert.Equal("https://tx.example", metadata.Issuer);
        Assert.Equal("https://tx.example/jwks.json", metadata.JwksUri);
        Assert.Equal(["urn:ietf:rfc:8935", "urn:ietf:rfc:8936"], metadata.DeliveryMethodsSupported);
        Assert.Equal("https://tx.example/ssf/streams", metadata.ConfigurationEndpoint);
        Assert.Equal("https://tx.example/ssf/status", metadata.StatusEndpoint);
        Assert.Equal("https://tx.example/ssf/subjects:add", metadata.AddSubjectEndpoint);
        Assert.Equal("https://tx.example/ssf/subjects:remove", metadata.RemoveSubjectEndpoint);
        Assert.Equal("https://tx.example/ssf/verify", metadata.VerificationEndpoint);
    }

    [Fact]
    public void Parse_SomethingElseThanAnObject_Throws()
    {
        Assert.Throws<JsonException>(() => TransmitterMetadata.Parse("[1, 2]"));
        Assert.Null(TransmitterMetadata.Parse("null"));
    }
}

using System.Text;
using SharpSignals.Tokens.Sets;
using SharpSignals.Tokens.Tests.Support;

namespace SharpSignals.Tokens.Tests.Sets;

/// <summary>How the claims-set reader treats the text around and instead of one JSON object.</summary>
public sealed class SetPayloadReadTests
{
    private static readonly string Valid = SetPayload.ToJson(Samples.SessionRevokedSet());

    public static TheoryData<string, string?> Texts() => new()
    {
        { Valid, null },
        { $"  \n{Valid}\t ", null },

        // The first JSON value is the claims set; what follows it is not looked at.
        { $"{Valid} trailing text", null },
        { $"{Valid}{{\"iss\":1}}", null },
        { "{not json", "the claims set is not valid JSON" },
        { "", "the claims set is not valid JSON" },
        { "[1, 2]", "the claims set must be a JSON object" },
        { "\"text\"", "the claims set must be a JSON object" },
        { Valid.Replace("\"iss\":", "\"iss\":1,\"x\":", StringComparison.Ordinal), "iss must be a string" },
    };

    [Theory]
    [MemberData(nameof(Texts))]
    public void Read_Text_ReadsTheFirstValue(string json, string? expectedError)
    {
        var result = SetPayload.Read(Encoding.UTF8.GetBytes(json));

        if (expectedError is null)
        {
            Assert.Empty(result.Errors);
            Assert.Equal(Valid, SetPayload.ToJson(result.Set!));
        }
        else
        {
            Assert.Null(result.Set);
            Assert.Equal(expectedError, result.Errors[0]);
        }
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using SharpSignals.Tokens.Subjects;

namespace SharpSignals.Receiver.SecurityState;

/// <summary>The security state of one subject, named by the members of its identifier in the query (RFC 9493 §3).</summary>
internal static class SecurityStateEndpoint
{
    public static Results<Ok<SubjectSecurityState>, NotFound<ProblemDetails>, ProblemHttpResult> Get(HttpRequest request, SubjectSecurityStates states)
    {
        var identifier = new JsonObject();
        foreach (var (name, value) in request.Query)
        {
            identifier[name] = value.ToString();
        }

        if (identifier.Count == 0)
        {
            return TypedResults.Problem("Name the subject in the query: format and its members, such as ?format=email&email=alice@example.com.", statusCode: StatusCodes.Status400BadRequest);
        }

        using var document = JsonDocument.Parse(identifier.ToJsonString());
        var read = SubjectIdentifier.Read(document.RootElement, "query");
        if (read.Subject is not { } subject)
        {
            return TypedResults.Problem($"The query is not a subject identifier: {string.Join("; ", read.Errors)}.", statusCode: StatusCodes.Status400BadRequest);
        }

        return states.Get(subject) is { } state
            ? TypedResults.Ok(state)
            : TypedResults.NotFound(new ProblemDetails { Title = "Nothing was reported about this subject.", Status = StatusCodes.Status404NotFound });
    }
}

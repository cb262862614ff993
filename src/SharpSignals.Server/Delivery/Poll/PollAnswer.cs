using System.Text.Json;
using SharpSignals.Storage.Deliveries;

namespace SharpSignals.Server.Delivery.Poll;

/// <summary>
/// The RFC 8936 §2.3 poll response, <c>{"sets": {jti: SET, ...}, "moreAvailable": bool}</c>, written
/// straight into the response body. A batch of a thousand SETs is about 700 kB: writing it from the
/// entries, flushed as it goes, spares the serializer's copy of every token into a dictionary and one
/// buffer of the whole answer. The bytes are the ones the serializer wrote (same default encoder).
/// </summary>
internal sealed class PollAnswer(IReadOnlyList<DeliveryEntry> entries, int count, bool moreAvailable) : IResult, IStatusCodeHttpResult, IContentTypeHttpResult
{
    /// <summary>Flush to the connection about this often, so the answer is never buffered whole.</summary>
    private const int FlushBytes = 64 * 1024;

    private static readonly JsonEncodedText SetsName = JsonEncodedText.Encode("sets");
    private static readonly JsonEncodedText MoreAvailableName = JsonEncodedText.Encode("moreAvailable");

    public int? StatusCode => StatusCodes.Status200OK;

    public string ContentType => "application/json; charset=utf-8";

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;

        var body = response.BodyWriter;
        await using var writer = new Utf8JsonWriter(body);
        writer.WriteStartObject();
        writer.WriteStartObject(SetsName);
        for (var i = 0; i < count; i++)
        {
            var entry = entries[i];
            writer.WriteString(entry.Jti, entry.Token ?? entry.EventToken);
            if (writer.BytesPending >= FlushBytes)
            {
                writer.Flush();
                await body.FlushAsync(httpContext.RequestAborted);
            }
        }

        writer.WriteEndObject();
        writer.WriteBoolean(MoreAvailableName, moreAvailable);
        writer.WriteEndObject();
        writer.Flush();
        await body.FlushAsync(httpContext.RequestAborted);
    }
}

using System.Text.Json;
using Microsoft.AspNetCore.Http;
using SharpSignals.Server.Delivery.Poll;
using SharpSignals.Storage.Deliveries;

namespace SharpSignals.Server.Tests.Delivery.Poll;

public sealed class PollAnswerTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_600_000);

    public static TheoryData<int, bool> Sizes => new() { { 0, false }, { 1, true }, { 3, false }, { 2000, true } };

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task ExecuteAsync_WritesTheSameBytesAsTheSerializer(int count, bool moreAvailable)
    {
        // Jtis the default encoder escapes, a stream token and an event token, and one entry past count.
        var entries = Enumerable.Range(0, count + 1)
            .Select(i => Entry(i % 3 == 0 ? $"jti-\u00e9<{i}>\"" : $"jti-{i}", i % 2 == 0 ? $"stream.{new string('a', 700)}.{i}" : null))
            .ToList();
        var expected = JsonSerializer.SerializeToUtf8Bytes(new
        {
            sets = entries.Take(count).ToDictionary(e => e.Jti, e => e.Token ?? e.EventToken),
            moreAvailable,
        });

        var context = new DefaultHttpContext();
        using var body = new MemoryStream();
        context.Response.Body = body;
        await new PollAnswer(entries, count, moreAvailable).ExecuteAsync(context);

        Assert.Equal(200, context.Response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", context.Response.ContentType);
        Assert.Equal(System.Text.Encoding.UTF8.GetString(expected), System.Text.Encoding.UTF8.GetString(body.ToArray()));
    }

    private static DeliveryEntry Entry(string jti, string? token) =>
        new(1, "s1", 1, jti, token, $"event.{jti}", DeliveryState.Pending, 0, null, null, T0);
}

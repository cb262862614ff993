using System.Text;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Server.Delivery.Push;
using SharpSignals.Storage.Deliveries;

namespace SharpSignals.Server.Tests.Delivery;

public sealed class PushLanesTests
{
    [Fact]
    public void Split_KeepsEachSubjectInOneLaneInOrder_AndUsesNoMoreLanesThanTheBacklogNeeds()
    {
        // Sixteen subjects: the hash is seeded per process, and with five all of them fell in one of
        // the four lanes about once in 256 runs; with sixteen, about once in a billion.
        const int Subjects = 16;
        var batch = Enumerable.Range(0, 64).Select(i => Entry(i, $$"""{"sub_id":{"format":"email","email":"u{{i % Subjects}}@example.com"},"n":{{i}}}""")).ToList();

        var lanes = PushLanes.Split(batch, maxLanes: 4);
        var few = PushLanes.Split(batch.Take(PushLanes.MinEntriesPerLane + 1).ToList(), maxLanes: 4);

        Assert.InRange(lanes.Count, 2, 4);
        Assert.Equal(64, lanes.Sum(l => l.Count));
        Assert.All(lanes, lane => Assert.Equal(lane.OrderBy(e => e.Id), lane));
        Assert.All(Enumerable.Range(0, Subjects), subject => Assert.Single(lanes, lane => lane.Any(e => e.Id % Subjects == subject)));
        Assert.Single(few);
    }

    [Theory]
    [InlineData("""{"iss":"a","sub_id":{"format":"email","email":"x@example.com"}}""", """{"sub_id":{"format":"email","email":"x@example.com"},"jti":"b"}""", true)]
    [InlineData("""{"sub_id":{"format":"email","email":"x@example.com"}}""", """{"sub_id":{"format":"email","email":"y@example.com"}}""", false)]
    public void SubjectHash_FollowsTheSubIdMember(string first, string second, bool same)
    {
        Assert.Equal(same, PushLanes.SubjectHash(Token(first)) == PushLanes.SubjectHash(Token(second)));
    }

    [Theory]
    [InlineData("not a token")]
    [InlineData("a.%%%.c")]
    public void SubjectHash_NoReadableSubject_IsZero(string token)
    {
        Assert.Equal(0, PushLanes.SubjectHash(token));
        Assert.Equal(0, PushLanes.SubjectHash(Token("""{"iss":"a","events":{}}""")));
        Assert.Equal(0, PushLanes.SubjectHash(Token("[1,2]")));
    }

    private static string Token(string payload) => "eyJhbGciOiJFUzI1NiJ9." + Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(payload)) + ".c2ln";

    private static DeliveryEntry Entry(long id, string payload) =>
        new(id, "s1", id, $"jti-{id}", Token(payload), Token(payload), DeliveryState.Pending, 0, null, null, DateTimeOffset.UnixEpoch);
}

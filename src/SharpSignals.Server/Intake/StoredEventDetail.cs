using System.Text.Json;
using SharpSignals.Storage.Deliveries;
using SharpSignals.Storage.Events;

namespace SharpSignals.Server.Intake;

/// <summary>
/// An event as <c>GET /events/{jti}</c> and the operator console's event page show it: the stored
/// event, its decoded claims and every stream it was queued for.
/// </summary>
internal sealed record StoredEventDetail(StoredEvent Event, JsonElement Claims, IReadOnlyList<EventDelivery> Deliveries)
{
    /// <summary>The event with this <c>jti</c> (its own, or a delivered SET's) in <paramref name="project"/>, or any project when null.</summary>
    public static async Task<StoredEventDetail?> FindAsync(IEventLog log, IDeliveryStore deliveries, string? project, string jti, CancellationToken cancellationToken)
    {
        var stored = await log.FindByJtiAsync(project, jti, cancellationToken);
        if (stored is null)
        {
            return null;
        }

        var payload = stored.Token.Split('.') is [_, var encoded, ..] ? Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(encoded) : "{}";
        using var claims = JsonDocument.Parse(payload);
        var went = await deliveries.ReadEventDeliveriesAsync(stored.Position, cancellationToken);
        return new StoredEventDetail(stored, claims.RootElement.Clone(), went);
    }
}

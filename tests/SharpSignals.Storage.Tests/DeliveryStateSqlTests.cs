using System.Globalization;
using SharpSignals.Storage.Deliveries;

namespace SharpSignals.Storage.Tests;

/// <summary>The SQL literals of the delivery states are the enum's numbers, which the state column holds.</summary>
public sealed class DeliveryStateSqlTests
{
    [Theory]
    [InlineData(DeliveryStateSql.Pending, DeliveryState.Pending)]
    [InlineData(DeliveryStateSql.Delivered, DeliveryState.Delivered)]
    [InlineData(DeliveryStateSql.DeadLetter, DeliveryState.DeadLetter)]
    public void Literal_IsTheStatesNumber(string literal, DeliveryState state) =>
        Assert.Equal(((int)state).ToString(CultureInfo.InvariantCulture), literal);

    [Fact]
    public void EveryState_HasALiteral() =>
        Assert.Equal(3, Enum.GetValues<DeliveryState>().Length);
}

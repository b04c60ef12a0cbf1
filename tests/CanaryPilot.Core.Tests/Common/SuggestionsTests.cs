using CanaryPilot.Core.Common;

namespace CanaryPilot.Core.Tests.Common;

public sealed class SuggestionsTests
{
    [Theory]
    [InlineData("wieght", "weight")]
    [InlineData("stagez", "stages")]
    [InlineData("Weight", "weight")]
    [InlineData("interval", "interval")]
    public void Closest_NearMiss_FindsTheIntendedName(string input, string expected) =>
        Assert.Equal(expected, Suggestions.Closest(input, ["weight", "stages", "interval", "iterations"]));

    [Fact]
    public void Closest_NothingNear_SuggestsNothing() =>
        Assert.Null(Suggestions.Closest("replicas", ["weight", "stages"]));
}

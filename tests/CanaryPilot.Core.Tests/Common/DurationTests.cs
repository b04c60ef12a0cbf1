using CanaryPilot.Core.Common;

namespace CanaryPilot.Core.Tests.Common;

public sealed class DurationTests
{
    public static TheoryData<string, double> Valid() => new()
    {
        { "0", 0 },
        { "500ms", 0.5 },
        { "30s", 30 },
        { "1m30s", 90 },
        { "2h", 7200 },
        { "1.5h", 5400 },
        { "1h2m3s", 3723 },
        { "250us", 0.00025 },
        { "0.1s", 0.1 },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void TryParse_KubernetesStyle_Accepts(string text, double seconds)
    {
        Assert.True(Duration.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromSeconds(seconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("1d")]
    [InlineData("5 s")]
    [InlineData("5min")]
    [InlineData("s")]
    [InlineData("1m30")]
    [InlineData("PT5M")]
    public void TryParse_OtherText_Refuses(string text) => Assert.False(Duration.TryParse(text, out _));

    [Theory]
    [InlineData(90, "1m30s")]
    [InlineData(7200, "2h")]
    [InlineData(0.5, "500ms")]
    [InlineData(0, "0s")]
    public void Format_WritesWhatUsersWrite(double seconds, string expected) =>
        Assert.Equal(expected, Duration.Format(TimeSpan.FromSeconds(seconds)));
}

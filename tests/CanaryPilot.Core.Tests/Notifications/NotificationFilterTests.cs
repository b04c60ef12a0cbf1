using CanaryPilot.Core.Diagnostics;
using CanaryPilot.Core.Notifications;
using CanaryPilot.Core.Plans;

namespace CanaryPilot.Core.Tests.Notifications;

public sealed class NotificationFilterTests
{
    private static readonly NotificationSpec Everything = new() { Name = "all", Webhook = new WebhookSpec { Url = "http://127.0.0.1/" } };

    public static TheoryData<RolloutEventType, Severity> AllEvents() => new()
    {
        { RolloutEventType.Started, Severity.Info },
        { RolloutEventType.AnalysisFailed, Severity.Warning },
        { RolloutEventType.RolledBack, Severity.Error },
    };

    [Theory]
    [MemberData(nameof(AllEvents))]
    public void Accepts_NoEventsListedAndInfo_TakesEveryEvent(RolloutEventType type, Severity severity) =>
        Assert.True(NotificationFilter.Accepts(Everything, type, severity));

    [Fact]
    public void Accepts_EventsListed_TakesOnlyThose()
    {
        var spec = Everything with { Events = [RolloutEventType.Promoted, RolloutEventType.RolledBack] };

        Assert.True(NotificationFilter.Accepts(spec, RolloutEventType.Promoted, Severity.Info));
        Assert.True(NotificationFilter.Accepts(spec, RolloutEventType.RolledBack, Severity.Error));
        Assert.False(NotificationFilter.Accepts(spec, RolloutEventType.StageAdvanced, Severity.Info));
    }

    [Theory]
    [InlineData(Severity.Error, Severity.Error, true)]
    [InlineData(Severity.Error, Severity.Warning, false)]
    [InlineData(Severity.Error, Severity.Info, false)]
    [InlineData(Severity.Warning, Severity.Error, true)]
    [InlineData(Severity.Warning, Severity.Warning, true)]
    [InlineData(Severity.Warning, Severity.Info, false)]
    [InlineData(Severity.Info, Severity.Info, true)]
    public void Accepts_MinSeverity_DropsLessSevereEvents(Severity minimum, Severity severity, bool accepted) =>
        Assert.Equal(accepted, NotificationFilter.Accepts(Everything with { MinSeverity = minimum }, RolloutEventType.AnalysisFailed, severity));

    [Fact]
    public void Accepts_EventsAndSeverity_BothMustHold()
    {
        var spec = Everything with { Events = [RolloutEventType.AnalysisFailed], MinSeverity = Severity.Error };

        Assert.False(NotificationFilter.Accepts(spec, RolloutEventType.AnalysisFailed, Severity.Warning));
        Assert.False(NotificationFilter.Accepts(spec, RolloutEventType.RolledBack, Severity.Error));
    }
}

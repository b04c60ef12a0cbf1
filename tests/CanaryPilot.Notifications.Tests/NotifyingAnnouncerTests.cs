using CanaryPilot.Core.Plans;
using CanaryPilot.Notifications.Delivery;
using Microsoft.Extensions.Time.Testing;

namespace CanaryPilot.Notifications.Tests;

/// <summary>
/// The announcer the engine calls: filters, a bounded queue per notifier drained in the background, and
/// a rollout that never waits for a receiver.
/// </summary>
public sealed class NotifyingAnnouncerTests
{
    private static IEnumerable<string?> Types(Receiver receiver) => receiver.Requests.Select(r => (string?)r.Json["type"]);

    [Fact]
    public async Task AnnounceAsync_EachNotificationGetsTheEventsItsFilterAccepts()
    {
        await using var everything = await Receiver.StartAsync();
        await using var pager = await Receiver.StartAsync();
        await using var approvals = await Receiver.StartAsync();
        using var senders = new Senders();
        var announcer = senders.Announcer();
        var plan = TestPlans.Plan(
            TestPlans.Webhook("everything", everything.Url("/")),
            TestPlans.Webhook("pager", pager.Url("/")) with { MinSeverity = Core.Diagnostics.Severity.Error },
            TestPlans.Webhook("approvals", approvals.Url("/")) with { Events = [RolloutEventType.AwaitingApproval] });

        await announcer.AnnounceAsync(plan, TestPlans.Progressing(), TestPlans.StageAdvanced, CancellationToken.None);
        await announcer.AnnounceAsync(plan, TestPlans.Progressing(), TestPlans.AnalysisFailed, CancellationToken.None);
        await announcer.AnnounceAsync(plan, TestPlans.RolledBack(), TestPlans.RollBack, CancellationToken.None);
        await announcer.DisposeAsync();

        Assert.Equal(["io.canarypilot.rollout.stageAdvanced", "io.canarypilot.rollout.analysisFailed", "io.canarypilot.rollout.rolledBack"], Types(everything));
        Assert.Equal(["io.canarypilot.rollout.rolledBack"], Types(pager));
        Assert.Empty(approvals.Requests);
    }

    [Fact]
    public async Task AnnounceAsync_SlowReceiver_NeverWaits_OthersAreServed_AndItIsGivenUpAfterItsAttemptTimeouts()
    {
        var clock = new FakeTimeProvider(TestPlans.Now);
        var release = new TaskCompletionSource();
        await using var slow = await Receiver.StartAsync(Receiver.Hang(release));
        await using var healthy = await Receiver.StartAsync();
        using var senders = new Senders(new NotificationOptions { AttemptTimeout = TimeSpan.FromSeconds(5), MaxRetryAttempts = 1, RetryDelay = TimeSpan.Zero }, clock);
        var announcer = senders.Announcer();
        var plan = TestPlans.Plan(TestPlans.Webhook("slow", slow.Url("/")), TestPlans.Webhook("healthy", healthy.Url("/")));

        var announced = announcer.AnnounceAsync(plan, TestPlans.Progressing(), TestPlans.StageAdvanced, CancellationToken.None);

        Assert.True(announced.IsCompletedSuccessfully, "announcing waited for a receiver");
        // The receiver counts a request when it arrives; the delivery counts once its answer is read.
        await Eventually.TrueAsync(
            () => healthy.Count == 1 && slow.Count == 1 && senders.Metrics.Delivered("webhook", RolloutEventType.StageAdvanced) == 1,
            "the healthy receiver served while the slow one hangs");

        clock.Advance(TimeSpan.FromSeconds(5));
        await Eventually.TrueAsync(() => slow.Count == 2, "a second attempt after the first timed out");
        clock.Advance(TimeSpan.FromSeconds(5));
        await Eventually.TrueAsync(() => senders.Metrics.Failed("webhook", RolloutEventType.StageAdvanced, DeliveryFailure.TimedOut) == 1, "giving up after the second timeout");

        release.SetResult();
        Assert.True(announcer.AnnounceAsync(plan, TestPlans.Progressing(), TestPlans.AnalysisFailed, CancellationToken.None).IsCompletedSuccessfully);
        await Eventually.TrueAsync(() => senders.Metrics.Delivered("webhook", RolloutEventType.AnalysisFailed) == 2, "the next event delivered to both");
        await announcer.DisposeAsync();
    }

    [Fact]
    public async Task AnnounceAsync_QueueFull_DropsTheOldestWaitingEvent_AndCountsIt()
    {
        var release = new TaskCompletionSource();
        await using var receiver = await Receiver.StartAsync((n, context) => n == 1 ? Receiver.Hang(release)(n, context) : Receiver.Always(200)(n, context));
        using var senders = new Senders(new NotificationOptions { QueueCapacity = 1, RetryDelay = TimeSpan.Zero }, new FakeTimeProvider(TestPlans.Now));
        var announcer = senders.Announcer();
        var plan = TestPlans.Plan(TestPlans.Webhook("audit", receiver.Url("/")));
        await announcer.AnnounceAsync(plan, TestPlans.Progressing(), new(RolloutEventType.Started, Core.Diagnostics.Severity.Info, "Started", "rolling out"), CancellationToken.None);
        await Eventually.TrueAsync(() => receiver.Count == 1, "the first event in flight");

        await announcer.AnnounceAsync(plan, TestPlans.Progressing(), TestPlans.StageAdvanced, CancellationToken.None);
        await announcer.AnnounceAsync(plan, TestPlans.Progressing(), TestPlans.AnalysisFailed, CancellationToken.None);

        Assert.Equal(1, senders.Metrics.Failed("webhook", RolloutEventType.StageAdvanced, DeliveryFailure.Dropped));
        release.SetResult();
        await Eventually.TrueAsync(() => receiver.Count == 2, "the newest event delivered");
        Assert.Equal(["io.canarypilot.rollout.started", "io.canarypilot.rollout.analysisFailed"], Types(receiver));
        await announcer.DisposeAsync();
    }

    [Fact]
    public async Task DisposeAsync_WaitsForTheLastEventOfAnEndedRollout()
    {
        var release = new TaskCompletionSource();
        await using var receiver = await Receiver.StartAsync(Receiver.Hang(release));
        using var senders = new Senders(time: new FakeTimeProvider(TestPlans.Now));
        var announcer = senders.Announcer();
        await announcer.AnnounceAsync(TestPlans.Plan(TestPlans.Webhook("audit", receiver.Url("/"))), TestPlans.RolledBack(), TestPlans.RollBack, CancellationToken.None);
        await Eventually.TrueAsync(() => receiver.Count == 1, "the rollback event in flight");

        var disposing = announcer.DisposeAsync().AsTask();

        Assert.False(disposing.IsCompleted, "shutdown did not wait for the event in flight");
        release.SetResult();
        await disposing;
        Assert.Equal(1, senders.Metrics.Delivered("webhook", RolloutEventType.RolledBack));
    }

    [Fact]
    public async Task DisposeAsync_ReceiverNeverAnswers_StopsAfterTheGrace_CountingTheRestCanceled()
    {
        var clock = new FakeTimeProvider(TestPlans.Now);
        await using var receiver = await Receiver.StartAsync(Receiver.Hang(new TaskCompletionSource()));
        using var senders = new Senders(new NotificationOptions { AttemptTimeout = TimeSpan.FromMinutes(1), ShutdownGrace = TimeSpan.FromSeconds(10), RetryDelay = TimeSpan.Zero }, clock);
        var announcer = senders.Announcer();
        var plan = TestPlans.Plan(TestPlans.Webhook("audit", receiver.Url("/")));
        await announcer.AnnounceAsync(plan, TestPlans.Progressing(), TestPlans.StageAdvanced, CancellationToken.None);
        await announcer.AnnounceAsync(plan, TestPlans.Progressing(), TestPlans.AnalysisFailed, CancellationToken.None);
        await Eventually.TrueAsync(() => receiver.Count == 1, "the first event in flight");

        var disposing = announcer.DisposeAsync().AsTask();
        clock.Advance(TimeSpan.FromSeconds(10));
        await disposing.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(1, senders.Metrics.Failed("webhook", RolloutEventType.StageAdvanced, DeliveryFailure.Canceled));
        Assert.Equal(1, senders.Metrics.Failed("webhook", RolloutEventType.AnalysisFailed, DeliveryFailure.Canceled));
        Assert.Equal(1, receiver.Count);
    }
}

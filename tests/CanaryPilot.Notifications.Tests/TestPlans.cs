using CanaryPilot.Core.Diagnostics;
using CanaryPilot.Core.Notifications;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;

namespace CanaryPilot.Notifications.Tests;

/// <summary>A bookinfo/reviews plan with the notifications a test gives, and statuses to announce.</summary>
internal static class TestPlans
{
    public static readonly DateTimeOffset Now = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);

    public static RolloutPlan Plan(params NotificationSpec[] notifications) => new()
    {
        ApiVersion = RolloutPlan.CurrentApiVersion,
        Kind = RolloutPlan.ResourceKind,
        Metadata = new ObjectMeta { Name = "reviews", Namespace = "bookinfo" },
        Spec = new RolloutPlanSpec
        {
            Service = new ServiceTarget
            {
                Name = "reviews",
                VirtualServices = [new VirtualServiceRef { Name = "reviews" }],
                Stable = new Destination { Host = "reviews", Subset = "v1", Workload = "reviews-v1" },
                Canary = new Destination { Host = "reviews", Subset = "v2", Workload = "reviews-v2" },
            },
            Stages = [new Stage { Weight = 5 }, new Stage { Weight = 25 }, new Stage { Weight = 50 }, new Stage { Weight = 100 }],
            Analysis = new AnalysisSpec
            {
                Metrics =
                [
                    new MetricSpec { Name = "success-rate", Template = "istio-success-rate" },
                    new MetricSpec { Name = "latency-p99", Template = "istio-request-duration-p99" },
                ],
            },
            Notifications = notifications,
        },
    };

    public static NotificationSpec Webhook(string name, Uri url, SecretSource? signingSecret = null) =>
        new() { Name = name, Webhook = new WebhookSpec { Url = url.ToString(), SigningSecret = signingSecret } };

    public static NotificationSpec Slack(string name, string env, string? channel = null) =>
        new() { Name = name, Slack = new SlackSpec { WebhookUrl = new SecretSource { Env = env }, Channel = channel } };

    /// <summary>At stage 2 of 4 (25%), one metric passing and one failing.</summary>
    public static RolloutStatus Progressing() => new()
    {
        Phase = RolloutPhase.Progressing,
        Stage = 1,
        StageName = "25%",
        CanaryWeight = 25,
        StableWeight = 75,
        Attempt = 1,
        Metrics =
        [
            new MetricStatus { Name = "success-rate", Verdict = "pass", Value = 99.52, Threshold = ">= 99", MeasuredAt = Now },
            new MetricStatus { Name = "latency-p99", Verdict = "fail", Value = 612.4, StableValue = 410, Threshold = "<= 500, at most 20% above stable", MeasuredAt = Now },
        ],
    };

    public static RolloutStatus RolledBack() => Progressing() with
    {
        Phase = RolloutPhase.RolledBack,
        CanaryWeight = 0,
        StableWeight = 100,
        Cause = RollbackCause.AnalysisFailed,
    };

    public static Announce StageAdvanced => new(RolloutEventType.StageAdvanced, Severity.Info, "StageAdvanced", "stage 2 of 4: 25%");

    public static Announce AnalysisFailed => new(RolloutEventType.AnalysisFailed, Severity.Warning, "AnalysisFailed", "analysis failed (1 of 1 failures allowed): latency-p99: 612.4 is above 500");

    public static Announce RollBack => new(RolloutEventType.RolledBack, Severity.Error, "RolledBack", "rolled back: all traffic on reviews subset v1. latency-p99: 612.4 is above 500");

    public static RolloutNotification Notification(Announce announce, RolloutStatus? status = null) =>
        RolloutNotification.Of(Plan(), status ?? Progressing(), announce, Now);
}

using System.CommandLine;
using System.Security.Cryptography;
using CanaryPilot.Cli;
using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Diagnostics;
using CanaryPilot.Core.Documents;
using CanaryPilot.Core.Notifications;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;
using CanaryPilot.Core.Secrets;
using CanaryPilot.Core.Validation;
using CanaryPilot.Kubernetes;
using CanaryPilot.Notifications;
using CanaryPilot.Notifications.Delivery;
using CanaryPilot.Secrets;
using Microsoft.Extensions.Logging.Abstractions;
using k8s;
using k8s.Exceptions;

namespace CanaryPilot.Commands;

/// <summary>
/// <c>canarypilot notify-test [-f PLAN] [--slack-url URL] [--webhook-url URL] [--webhook-secret-file F]</c>:
/// sends one sample event to every notifier of the plan and of the flags, the way a rollout would
/// (same payloads, signature and retries), and reports each delivery. Exit 0 all delivered, 1 any not,
/// 2 invalid input. URLs, keys and header values are used, never printed.
/// </summary>
internal static class NotifyTestCommand
{
    /// <summary>Fewer, shorter retries than a rollout's: a person is waiting for the answer.</summary>
    private static readonly NotificationOptions Delivery = new() { MaxRetryAttempts = 2, RetryDelay = TimeSpan.FromMilliseconds(500), AttemptTimeout = TimeSpan.FromSeconds(10) };

    public static Command Create(CliConsole console)
    {
        var files = new Option<string[]>("--file", "-f") { Description = "A RolloutPlan whose spec.notifications are tested (and AnalysisTemplates it uses). Repeatable.", Arity = ArgumentArity.OneOrMore };
        var slackUrl = new Option<string?>("--slack-url") { Description = "A Slack incoming-webhook URL to test.", HelpName = "URL" };
        var webhookUrl = new Option<string?>("--webhook-url") { Description = "A webhook URL to test; it receives a CloudEvent.", HelpName = "URL" };
        var secretFile = new Option<string?>("--webhook-secret-file") { Description = "A file holding the shared secret that signs the --webhook-url event.", HelpName = "FILE" };
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "A kubeconfig for reading the Secrets the plan's secretKeyRefs name.", HelpName = "FILE" };
        var command = new Command("notify-test", "Send one sample event to every notifier of a plan or of the flags, and report each delivery. Exit 0 all delivered, 1 any not, 2 invalid input.")
        {
            files, slackUrl, webhookUrl, secretFile, kubeconfig,
        };
        command.SetAction((result, cancellationToken) => RunAsync(
            new NotifyTestRequest(result.GetValue(files) ?? [], result.GetValue(slackUrl), result.GetValue(webhookUrl), result.GetValue(secretFile), result.GetValue(kubeconfig)),
            console,
            TimeProvider.System,
            cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(NotifyTestRequest request, CliConsole console, TimeProvider time, CancellationToken cancellationToken)
    {
        RolloutPlan? plan = null;
        if (request.Files.Count > 0)
        {
            var report = PlanValidation.Validate(new InputLoader().Load(request.Files), TemplateCatalog.BuiltIn());
            if (!report.IsValid)
            {
                DiagnosticPrinter.WriteText(console.Error, report.Diagnostics);
                return ExitCodes.InvalidInput;
            }

            if (report.ValidPlans is not [var one])
            {
                return Refuse(console, $"notify-test reads one RolloutPlan; the files hold {report.ValidPlans.Count}: give one plan file");
            }

            plan = one;
        }

        var flagged = new FlagSecrets();
        if (Receivers(plan, request, flagged) is not { } receivers)
        {
            return Refuse(console, Problem(plan, request));
        }

        k8s.Kubernetes? cluster = null;
        try
        {
            cluster = request.Kubeconfig is { } kubeconfig ? KubernetesClients.Create(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig)) : null;
            flagged.Inner = CliSecrets.For(cluster, time);
            if (request.WebhookSecretFile is { } file)
            {
                await flagged.Inner.ResolveAsync(new SecretSource { File = file }, "default", cancellationToken);
            }

            return await SendAsync(plan ?? SamplePlan, receivers, flagged, console, time, cancellationToken);
        }
        catch (Exception e) when (e is SecretUnavailableException or KubeConfigException or IOException or CryptographicException or UnauthorizedAccessException)
        {
            return Refuse(console, OneLine(e.Message));
        }
        finally
        {
            cluster?.Dispose();
        }
    }

    private static async Task<int> SendAsync(RolloutPlan plan, IReadOnlyList<NotificationSpec> receivers, ISecretResolver secrets, CliConsole console, TimeProvider time, CancellationToken cancellationToken)
    {
        using var http = NotificationServices.CreateHttpClient();
        var sender = new NotificationSender(
            new NotifierFactory(secrets, http),
            NotificationResilience.Delivery(Delivery, time),
            new NotificationMetrics(global::Prometheus.Metrics.NewCustomRegistry()),
            NullLogger<NotificationSender>.Instance);
        var notification = Sample(plan, time.GetUtcNow());
        var reports = await Task.WhenAll(receivers.Select(r => sender.SendAsync(r, plan.Namespace, notification, cancellationToken)));
        foreach (var report in reports)
        {
            var attempts = report.Attempts == 1 ? "1 attempt" : $"{report.Attempts} attempts";
            console.Out.WriteLine(report.Delivered
                ? $"{report.Notification} ({report.Kind}): delivered ({report.Detail}, {attempts})"
                : $"{report.Notification} ({report.Kind}): not delivered: {OneLine(report.Detail)}{(report.Attempts > 0 ? $" after {attempts}" : "")}");
        }

        var delivered = reports.Count(r => r.Delivered);
        console.Out.WriteLine($"{delivered} of {reports.Length} notifiers delivered the sample event");
        return delivered == reports.Length ? ExitCodes.Success : ExitCodes.Failed;
    }

    /// <summary>The plan's notifications, then the flags'; null when that makes none, or a flag is wrong.</summary>
    private static List<NotificationSpec>? Receivers(RolloutPlan? plan, NotifyTestRequest request, FlagSecrets flagged)
    {
        if (!IsUrl(request.SlackUrl) || !IsUrl(request.WebhookUrl) || (request.WebhookSecretFile is not null && request.WebhookUrl is null))
        {
            return null;
        }

        var receivers = new List<NotificationSpec>(plan?.Spec.Notifications ?? []);
        if (request.SlackUrl is { } slackUrl)
        {
            var source = new SecretSource { Env = "--slack-url" };
            flagged.Values[source] = slackUrl;
            receivers.Add(new NotificationSpec { Name = "--slack-url", Slack = new SlackSpec { WebhookUrl = source } });
        }

        if (request.WebhookUrl is { } webhookUrl)
        {
            var signing = request.WebhookSecretFile is { } file ? new SecretSource { File = file } : null;
            receivers.Add(new NotificationSpec { Name = "--webhook-url", Webhook = new WebhookSpec { Url = webhookUrl, SigningSecret = signing } });
        }

        return receivers.Count > 0 ? receivers : null;
    }

    private static string Problem(RolloutPlan? plan, NotifyTestRequest request) => request switch
    {
        { SlackUrl: { } url } when !IsUrl(url) => "--slack-url is not an absolute http or https URL",
        { WebhookUrl: { } url } when !IsUrl(url) => "--webhook-url is not an absolute http or https URL",
        { WebhookSecretFile: not null, WebhookUrl: null } => "--webhook-secret-file signs the --webhook-url event: give --webhook-url too",
        _ when plan is not null => $"RolloutPlan {plan.Namespace}/{plan.Metadata.Name} has no spec.notifications: add one, or pass --slack-url or --webhook-url",
        _ => "nothing to test: give -f PLAN with spec.notifications, --slack-url URL or --webhook-url URL",
    };

    private static bool IsUrl(string? text) =>
        text is null || (Uri.TryCreate(text, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps));

    /// <summary>A sample that says what it is, at the plan's first stage; receivers see the CloudEvent type <c>io.canarypilot.rollout.test</c>.</summary>
    private static RolloutNotification Sample(RolloutPlan plan, DateTimeOffset now)
    {
        var first = plan.Spec.EffectiveStages() is [var stage, ..] ? stage : null;
        var status = new RolloutStatus
        {
            Phase = RolloutPhase.Progressing,
            Stage = first is null ? null : 0,
            StageName = first is null ? null : RolloutMachine.Describe(first),
            CanaryWeight = first?.CanaryWeight ?? 0,
            StableWeight = 100 - (first?.CanaryWeight ?? 0),
            Attempt = 1,
        };
        var announce = new Announce(RolloutEventType.Started, Severity.Info, "NotifyTest", "a test notification from canarypilot notify-test; no rollout is running");
        return RolloutNotification.Of(plan, status, announce, now) with { IsTest = true };
    }

    private static readonly RolloutPlan SamplePlan = new()
    {
        ApiVersion = RolloutPlan.CurrentApiVersion,
        Kind = RolloutPlan.ResourceKind,
        Metadata = new ObjectMeta { Name = "sample", Namespace = "default" },
        Spec = new RolloutPlanSpec
        {
            Service = new ServiceTarget
            {
                Name = "sample",
                VirtualServices = [new VirtualServiceRef { Name = "sample" }],
                Stable = new Destination { Host = "sample", Subset = "stable" },
                Canary = new Destination { Host = "sample", Subset = "canary" },
            },
            Stages = [new Stage { Weight = 10 }, new Stage { Weight = 50 }, new Stage { Weight = 100 }],
            Analysis = new AnalysisSpec { Metrics = [] },
        },
    };

    private static int Refuse(CliConsole console, string message)
    {
        console.Error.WriteLine($"canarypilot: {message}");
        return ExitCodes.InvalidInput;
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");

    /// <summary>Secrets given as flags, by their placeholder source; every other source goes to the usual resolver.</summary>
    private sealed class FlagSecrets : ISecretResolver
    {
        public Dictionary<SecretSource, string> Values { get; } = new(ReferenceEqualityComparer.Instance);

        public ISecretResolver Inner { get; set; } = new LocalSecretResolver();

        public ValueTask<string> ResolveAsync(SecretSource source, string namespaceName, CancellationToken cancellationToken) =>
            Values.TryGetValue(source, out var value) ? ValueTask.FromResult(value) : Inner.ResolveAsync(source, namespaceName, cancellationToken);
    }
}

/// <summary>What <c>notify-test</c> was asked to do.</summary>
internal sealed record NotifyTestRequest(IReadOnlyList<string> Files, string? SlackUrl, string? WebhookUrl, string? WebhookSecretFile, string? Kubeconfig);

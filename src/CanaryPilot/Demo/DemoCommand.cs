using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using CanaryPilot.Cli;
using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Documents;
using CanaryPilot.Core.Rollouts;
using CanaryPilot.Core.Validation;
using CanaryPilot.Hosting;
using CanaryPilot.Kubernetes.Rollouts;
using CanaryPilot.Sandbox.Prometheus;
using Microsoft.Extensions.DependencyInjection;

namespace CanaryPilot.Demo;

/// <summary>
/// <c>canarypilot demo</c>: a complete rollout on this machine — the API emulator, a simulated bookinfo
/// reviews service and a real Prometheus — driven by the real engine with the same live view as
/// <c>run</c>, ending as the chosen scenario should.
/// </summary>
internal static class DemoCommand
{
    public static Command Create(CliConsole console)
    {
        var scenario = new Option<string>("--scenario")
        {
            Description = "What the canary does: healthy (promoted), error-spike and latency (rolled back), no-traffic and flaky-prometheus (rolled back for lack of evidence), sequential (rolled back by the sequential judge), unready-canary (held until its pods are ready, then promoted), resilience (rolled back: it copes badly with a slow dependency).",
            DefaultValueFactory = _ => "healthy",
            HelpName = string.Join('|', DemoScenario.All.Select(s => s.Name)),
        };
        scenario.AcceptOnlyFromAmong([.. DemoScenario.All.Select(s => s.Name)]);
        var mesh = new Option<string>("--mesh")
        {
            Description = "The data plane: sidecar (a VirtualService and DestinationRule subsets) or ambient (an HTTPRoute through a waypoint, one Service per version, the waypoint's telemetry).",
            DefaultValueFactory = _ => "sidecar",
            HelpName = "sidecar|ambient",
        };
        mesh.AcceptOnlyFromAmong("sidecar", "ambient");
        var keep = new Option<bool>("--keep") { Description = "Leave the sandbox running afterwards, for kubectl and the Prometheus UI, until Ctrl-C." };
        var output = CommonOptions.Output();
        var command = new Command("demo", "Watch a whole rollout on this machine: an emulated cluster, a simulated bookinfo reviews service and a real Prometheus. Exit 0 when the scenario ended as it should.")
        {
            scenario, mesh, keep, output,
        };
        command.SetAction((result, cancellationToken) => RunAsync(
            DemoScenario.Find(result.GetValue(scenario)!)!,
            result.GetValue(mesh) == "ambient" ? DemoMesh.Ambient : DemoMesh.Sidecar,
            result.GetValue(keep),
            result.GetValue(output) == "json" ? OutputFormat.Json : OutputFormat.Text,
            console,
            cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(DemoScenario scenario, DemoMesh mesh, bool keep, OutputFormat format, CliConsole console, CancellationToken cancellationToken)
    {
        using var interrupted = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal => Interrupt(signal, interrupted));
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, signal => Interrupt(signal, interrupted));
        var time = TimeProvider.System;
        var view = new RunView(console, format, time, color: format == OutputFormat.Text && !Console.IsOutputRedirected && console.Out == Console.Out);
        if (mesh == DemoMesh.Ambient && scenario.SidecarOnly is { } why)
        {
            console.Error.WriteLine($"canarypilot: the {scenario.Name} scenario runs with --mesh sidecar only: {why}");
            return ExitCodes.InvalidInput;
        }

        view.Note($"scenario {scenario.Name}{(mesh == DemoMesh.Ambient ? " in ambient mode" : "")}: {scenario.Story}");

        DemoEnvironment environment;
        try
        {
            environment = await DemoEnvironment.StartAsync(scenario, interrupted.Token, mesh);
        }
        catch (PrometheusNotInstalledException e)
        {
            console.Error.WriteLine($"canarypilot: {e.Message}");
            return ExitCodes.InfrastructureFailure;
        }

        await using (environment)
        {
            var route = mesh == DemoMesh.Ambient ? "HTTPRoute reviews through the namespace's waypoint" : "VirtualService reviews";
            view.Note($"sandbox up: Kubernetes API {environment.Cluster.Server.Address}, Prometheus {environment.Prometheus.Address}, {scenario.RequestsPerSecond} requests/s to reviews by the {route}");
            var input = new InputLoader().LoadText("demo-plan.yaml", mesh == DemoMesh.Ambient ? DemoPlan.OnHttpRoute(scenario.Plan) : scenario.Plan);
            var plan = PlanValidation.Validate(input, TemplateCatalog.BuiltIn()).ValidPlans.Single();
            var services = new ServiceCollection();
            services.AddLogging(builder => Logging.ForCli(builder));
            services.AddRolloutEngine(new EngineSettings { Cluster = environment.Cluster.Configuration, Prometheus = environment.Prometheus.Address, Rule = DrivingRule.ForCli(), Component = "demo", Time = time });
            services.AddSingleton<IRolloutObserver>(view);
            int exit;
            var holds = 0;
            var ratingsBefore = scenario.Canary.Calls is null ? null : (await environment.RatingsAsync(interrupted.Token)).ToJsonString();
            var faultShown = false;
            RolloutSession session;
            // The engine, and the dashboard over it, stay up until the end: with --keep, the page still shows the rollout.
            await using var engine = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
            await using var dashboard = await DemoDashboard.StartAsync(engine, interrupted.Token);
            view.Note($"dashboard: {dashboard.SignedIn} (signed in as operator by the link; the token is this run's alone)");
            {
                session = new RolloutSession(engine, plan, view, async status =>
                {
                    dashboard.Publish(plan.Namespace, plan.Metadata.Name, status);
                    if (scenario.TurnsBad(status) && !environment.Mesh.HasTurned(scenario.Canary.Workload))
                    {
                        environment.Mesh.TurnToLater(scenario.Canary.Workload);
                        view.Note($"reviews v2 turns bad at stage {status.StageName}");
                    }

                    if (status.WorkloadHold is not null && scenario.CanaryBecomesReady(++holds))
                    {
                        await environment.CanaryBecomesReadyAsync(interrupted.Token);
                        view.Note("reviews v2's pods are ready: 2 of 2 available");
                    }

                    if (ratingsBefore is not null && !faultShown && status.Phase == RolloutPhase.Progressing && FaultRoutes(await environment.RatingsAsync(interrupted.Token)) is { Length: > 0 } faults)
                    {
                        faultShown = true;
                        view.Note($"VirtualService ratings: CanaryPilot added {faults}");
                    }

                    if (scenario.StopsPrometheus(status) && environment.Prometheus.IsRunning)
                    {
                        await environment.Prometheus.StopAsync();
                        view.Note("Prometheus stopped: from now on nothing can be measured");
                    }
                });
                exit = await session.RunAsync(input.Documents[0], untilApproval: false, interrupted.Token);
            }

            if (exit == ExitCodes.Interrupted)
            {
                return exit;
            }

            var asExpected = session.Final is { } final && scenario.EndedAsExpected(final);
            view.Note(Summary(session));
            if (ratingsBefore is not null)
            {
                var restored = (await environment.RatingsAsync(interrupted.Token)).ToJsonString() == ratingsBefore;
                view.Note(restored ? "VirtualService ratings is exactly as its team wrote it" : "VirtualService ratings differs from what its team wrote");
                asExpected &= restored;
            }

            view.Note(asExpected
                ? $"the {scenario.Name} scenario ended as it should: {scenario.Expected}"
                : $"the {scenario.Name} scenario should have ended {scenario.Expected}, but ended {session.Final?.Phase}");
            if (keep)
            {
                view.Note($"the sandbox keeps running until Ctrl-C: the dashboard at {dashboard.SignedIn}; kubectl --kubeconfig {environment.Cluster.KubeconfigPath} get rolloutplans,{(mesh == DemoMesh.Ambient ? "httproutes" : "virtualservices")} -n bookinfo; Prometheus UI at {environment.Prometheus.Address}");
                await WaitAsync(interrupted.Token);
            }

            return asExpected ? ExitCodes.Success : ExitCodes.Failed;
        }
    }

    /// <summary>The fault routes in the ratings VirtualService, as people read them; empty when there are none.</summary>
    private static string FaultRoutes(JsonObject ratings) => string.Join("; ", (ratings["spec"]?["http"] as JsonArray ?? [])
        .OfType<JsonObject>()
        .Where(r => r["name"]?.GetValue<string>()?.StartsWith("canarypilot-", StringComparison.Ordinal) == true && r["fault"] is not null)
        .Select(r =>
        {
            var labels = r["match"]?[0]?["sourceLabels"] as JsonObject ?? [];
            var delay = r["fault"]!["delay"];
            var abort = r["fault"]!["abort"];
            var what = string.Join(" and ", new[]
            {
                delay is null ? null : $"a {delay["fixedDelay"]} delay on {delay["percentage"]?["value"]}%",
                abort is null ? null : $"{abort["httpStatus"] ?? abort["grpcStatus"]} on {abort["percentage"]?["value"]}%",
            }.OfType<string>());
            return $"route {r["name"]} for the pods labelled {string.Join(", ", labels.Select(l => $"{l.Key}={l.Value}"))}: {what} of their calls";
        }));

    /// <summary>How long each stage lasted, and the values the last analysis saw.</summary>
    private static string Summary(RolloutSession session)
    {
        var entered = session.History.Where(h => h.Status.Stage is not null).DistinctBy(h => h.Status.Stage).ToList();
        var end = session.History.Count > 0 ? session.History[^1].At : DateTimeOffset.MinValue;
        var stages = entered.Select((stage, i) =>
            $"{stage.Status.StageName} {((i + 1 < entered.Count ? entered[i + 1].At : end) - stage.At).TotalSeconds.ToString("0", CultureInfo.InvariantCulture)}s").ToList();
        var values = session.Final?.Metrics.Select(m => $"{m.Name} {m.Value?.ToString("0.###", CultureInfo.InvariantCulture) ?? "-"} ({m.Threshold}) {m.Verdict}") ?? [];
        return $"summary: stages {string.Join(", ", stages)}; last analysis {string.Join(", ", values)}";
    }

    private static async Task WaitAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static void Interrupt(PosixSignalContext signal, CancellationTokenSource interrupted)
    {
        signal.Cancel = true;
        interrupted.Cancel();
    }
}

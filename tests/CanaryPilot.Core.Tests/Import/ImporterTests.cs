using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Documents;
using CanaryPilot.Core.Import;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Validation;

namespace CanaryPilot.Core.Tests.Import;

/// <summary>Flagger and Argo Rollouts manifests, written as their users write them, through <see cref="Importer"/>.</summary>
public sealed class ImporterTests
{
    public static TheoryData<string> Manifests() =>
        [.. Directory.EnumerateFiles(Fixture.Path("import"), "*.yaml", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Fixture.Path("import"), f)).Order(StringComparer.Ordinal)];

    private static ImportResult Import(string fixture) => Importer.Import(new InputLoader().Load([Fixture.Path("import", fixture)]));

    /// <summary>The written documents, read back as <c>validate</c> reads files.</summary>
    private static ValidationReport Validate(ImportResult result) => PlanValidation.Validate(
        new InputLoader().LoadText("imported.yaml", string.Join("---\n", result.Documents.Select(d => d.Document.ToYaml()))),
        TemplateCatalog.BuiltIn());

    private static RolloutPlan Plan(ImportResult result, string name) => Validate(result).ValidPlans.Single(p => p.Metadata.Name == name);

    private static IEnumerable<string> Lines(ImportResult result) => result.NotCarriedOver.Select(d => d.ToString());

    [Theory]
    [MemberData(nameof(Manifests))]
    public void EveryManifest_ImportsIntoPlansThatValidate(string fixture)
    {
        var result = Import(fixture);

        Assert.Empty(result.Errors);
        var report = Validate(result);
        Assert.True(report.IsValid, string.Join("\n", report.Diagnostics));
        Assert.NotEmpty(report.ValidPlans);
        Assert.All(result.NotCarriedOver, line => Assert.StartsWith("not carried over: ", line.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void FlaggerProgressive_StepsToMaxWeightThenPromotes_WithItsChecksGatesAndAlerts()
    {
        var result = Import(Path.Combine("flagger", "podinfo-progressive.yaml"));
        var plan = Plan(result, "podinfo");

        Assert.Equal([10, 20, 30, 40, 50], plan.Spec.Stages.Select(s => s.Weight ?? 0));
        Assert.All(plan.Spec.Stages, s => Assert.Equal(1, s.Iterations));
        Assert.True(plan.Spec.Promotion.AfterLastStage);
        Assert.Equal(("podinfo-primary", "podinfo-primary", "podinfo-canary", "podinfo"), (plan.Spec.Service.Stable.Host, plan.Spec.Service.Stable.Workload, plan.Spec.Service.Canary.Host, plan.Spec.Service.Canary.Workload));
        Assert.Equal((4, FailureCounting.Cumulative, TimeSpan.FromMinutes(10)), (plan.Spec.Analysis.FailureLimit, plan.Spec.Analysis.FailureCounting, plan.Spec.Analysis.ProgressDeadline!.Value));
        Assert.Equal(
            [("request-success-rate", "istio-success-rate", 99.0, (double?)null), ("request-duration", "istio-request-duration-p99", null, 500), ("404s-percentage", "not-found-percentage", null, 5)],
            plan.Spec.Analysis.Metrics.Select(m => (m.Name, m.Template, m.Thresholds!.Min, m.Thresholds.Max)));
        Assert.Equal([(GateType.PreRollout, "acceptance-test"), (GateType.ConfirmPromotion, "confirm-promotion")], plan.Spec.Gates.Select(g => (g.Type, g.Name)));
        Assert.Equal(["send-to-ops", "on-call-slack"], plan.Spec.Notifications.Select(n => n.Name));
        Assert.Equal("http://prometheus.istio-system:9090", plan.Spec.Analysis.Prometheus.Address);

        var template = result.Documents.Single(d => d.Kind == "AnalysisTemplate").Document.ToYaml();
        Assert.Contains("destination_workload=\"{{ workload }}\"", template, StringComparison.Ordinal);
        Assert.DoesNotContain("target", template, StringComparison.Ordinal);
        Assert.Contains(Lines(result), l => l.EndsWith(":57:9: not carried over: spec.analysis.webhooks[1] of type 'rollout': CanaryPilot generates no load and runs no tests during a stage; run the load generator beside the rollout (the same URL and command keep working)", StringComparison.Ordinal));
        Assert.Contains(Lines(result), l => l.Contains("spec.analysis.webhooks[3] of type 'event': CanaryPilot announces through notifications; it became spec.notifications[0]", StringComparison.Ordinal));
        Assert.Contains(Lines(result), l => l.Contains("spec.autoscalerRef", StringComparison.Ordinal));
    }

    [Fact]
    public void FlaggerABTest_BecomesAnAbTestStage_WithTheCookieFlaggerMatchesByRegex()
    {
        var result = Import(Path.Combine("flagger", "ab-testing.yaml"));
        var plan = Plan(result, "frontend");

        var stage = Assert.Single(plan.Spec.Stages);
        Assert.Equal((StageKind.ABTest, 10), (stage.Kind, stage.Iterations));
        Assert.Equal(".*insider.*", stage.Match[0].Headers["x-canary"].Regex);
        Assert.Equal(("canary", "always"), (stage.Match[1].Cookie!.Name, stage.Match[1].Cookie!.Value));
        Assert.Empty(stage.Match[1].Headers);
        Assert.Equal(80, plan.Spec.Readiness.MinReady);
        Assert.Equal([GateType.PreRollout, GateType.ConfirmTrafficIncrease], plan.Spec.Gates.Select(g => g.Type));
        Assert.Equal([99.0, (double?)null], plan.Spec.Analysis.Metrics.Select(m => m.Thresholds!.Min));
        Assert.Contains(Lines(result), l => l.Contains("spec.analysis.webhooks[2] of type 'rollback'", StringComparison.Ordinal));
        Assert.Contains(Lines(result), l => l.Contains("spec.analysis.sessionAffinity", StringComparison.Ordinal));
    }

    [Fact]
    public void FlaggerBlueGreenWithMirroring_MirrorsThenPromotes_AndNamesTheMetricsItCannotRead()
    {
        var result = Import(Path.Combine("flagger", "blue-green-mirror.yaml"));
        var plan = Plan(result, "api");

        var stage = Assert.Single(plan.Spec.Stages);
        Assert.Equal((StageKind.Mirror, 100.0, 5), (stage.Kind, stage.MirrorPercentage!.Value, stage.Iterations));
        Assert.Equal(DeletionPolicy.RestoreStable, plan.Spec.OnDelete);
        Assert.Equal(["request-success-rate", "route-errors"], plan.Spec.Analysis.Metrics.Select(m => m.Name));
        Assert.Equal("/api/charge", plan.Spec.Analysis.Metrics[1].Args["path"]);
        Assert.Contains(Lines(result), l => l.Contains("the datadog provider of MetricTemplate dd-latency has no counterpart, so metric datadog-latency was left out", StringComparison.Ordinal));
        Assert.Contains(Lines(result), l => l.Contains("spec.analysis.alerts[0]: CanaryPilot posts to Slack and to webhooks; the msteams provider", StringComparison.Ordinal));
    }

    [Fact]
    public void ArgoSubsets_StepsBecomeStages_AndTheAnalysisTemplateATemplateWithItsArgument()
    {
        var result = Import(Path.Combine("argo", "rollouts-demo-subsets.yaml"));
        var plan = Plan(result, "reviews");

        Assert.Equal([(20, TimeSpan.FromMinutes(2), (int?)null), (50, (TimeSpan?)null, 2), (100, TimeSpan.FromMinutes(2), null)], plan.Spec.Stages.Select(s => (s.Weight ?? 0, s.MinDuration, s.Iterations)));
        Assert.False(plan.Spec.Promotion.AfterLastStage);
        Assert.Equal(("reviews", "v1", "v2"), (plan.Spec.Service.Stable.Host, plan.Spec.Service.Stable.Subset, plan.Spec.Service.Canary.Subset));
        Assert.Equal(["primary"], plan.Spec.Service.VirtualServices.Single().Routes);
        var metric = Assert.Single(plan.Spec.Analysis.Metrics);
        Assert.Equal(("success-rate", 0.95, "reviews.bookinfo.svc.cluster.local", 0), (metric.Template, metric.Thresholds!.Min!.Value, metric.Args["service-name"], plan.Spec.Analysis.FailureLimit));
        var template = result.Documents.Single(d => d.Kind == "AnalysisTemplate").Document.ToYaml();
        Assert.Contains("destination_service=~\"{{ args.service-name }}\"", template, StringComparison.Ordinal);
    }

    [Fact]
    public void ArgoHeaderAndMirror_MirrorTestersApprovalThenWeights_AndTheBackgroundAnalysis()
    {
        var result = Import(Path.Combine("argo", "header-and-mirror.yaml"));
        var plan = Plan(result, "checkout");

        Assert.Equal([StageKind.Mirror, StageKind.ABTest, StageKind.Canary, StageKind.Canary], plan.Spec.Stages.Select(s => s.Kind));
        Assert.Equal((50.0, TimeSpan.FromMinutes(10)), (plan.Spec.Stages[0].MirrorPercentage!.Value, plan.Spec.Stages[0].MinDuration!.Value));
        Assert.Equal(("true", Approval.Required), (plan.Spec.Stages[1].Match.Single().Headers["x-tester"].Exact, plan.Spec.Stages[1].Approval));
        Assert.Equal([TimeSpan.FromMinutes(5), TimeSpan.FromHours(1)], plan.Spec.Stages.Skip(2).Select(s => s.MinDuration!.Value));
        Assert.True(plan.Spec.Promotion.AfterLastStage);
        Assert.Equal(("checkout-stable", "checkout-canary"), (plan.Spec.Service.Stable.Host, plan.Spec.Service.Canary.Host));
        Assert.Equal([("error-rate", null, 0.01), ("latency", 0, (double?)300)], plan.Spec.Analysis.Metrics.Select(m => (m.Name, m.Thresholds!.Min, m.Thresholds.Max)));
        Assert.Equal(2, plan.Spec.Analysis.FailureLimit);
        Assert.Contains(Lines(result), l => l.Contains("steps[8].setCanaryScale", StringComparison.Ordinal));
        Assert.Contains(Lines(result), l => l.Contains("spec.strategy.canary.analysis.args[1] (namespace): its value comes from the running Rollout (valueFrom); give the metric's args.namespace a value by hand", StringComparison.Ordinal));
        Assert.Contains(Lines(result), l => l.Contains("spec.metrics[0].inconclusiveLimit", StringComparison.Ordinal));
    }

    [Fact]
    public void ArgoWhatCannotMap_IsNamed_AndTheRestStillImports()
    {
        var result = Import(Path.Combine("argo", "datadog-and-bluegreen.yaml"));

        Assert.Equal(["search"], result.Documents.Where(d => d.Kind == "RolloutPlan").Select(d => d.Name));
        Assert.Equal([25, 75], Plan(result, "search").Spec.Stages.Select(s => s.Weight ?? 0));
        Assert.Equal(TimeSpan.FromSeconds(30), Plan(result, "search").Spec.Stages[1].MinDuration);
        var lines = Lines(result).ToList();
        Assert.Contains(lines, l => l.EndsWith(":10:5: not carried over: spec.strategy.blueGreen: the importer maps the canary strategy only; write the plan's stages by hand (a blueGreen stage switches all traffic at once)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("metric errors reads the datadog provider", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("\"len(result) == 0 || result[0] < 200\" is not a comparison of result[0] with numbers, so metric p50 was left out", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("steps[3].experiment", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("steps[0].pause", StringComparison.Ordinal));
    }

    [Fact]
    public void AStepWeightThatIsNotANumber_IsInvalidInput_WithItsPosition()
    {
        var input = new InputLoader().LoadText("canary.yaml", """
            apiVersion: flagger.app/v1beta1
            kind: Canary
            metadata: {name: podinfo}
            spec:
              targetRef: {kind: Deployment, name: podinfo}
              analysis:
                stepWeight: ten
            """);

        var result = Importer.Import(input);

        Assert.Equal(["canary.yaml:7:17: spec.analysis.stepWeight: expected an integer, found ten"], result.Errors.Select(e => e.ToString()));
        Assert.Empty(result.Documents);
    }

    [Fact]
    public void InputWithoutACanaryOrRollout_IsInvalidInput()
    {
        var result = Importer.Import(new InputLoader().LoadText("vs.yaml", "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: reviews}\n"));

        Assert.Equal(["vs.yaml: no Flagger Canary (flagger.app) or Argo Rollouts Rollout (argoproj.io) among the inputs"], result.Errors.Select(e => e.ToString()));
    }

    [Theory]
    [InlineData("result[0] >= 0.95", false, 0.95, null)]
    [InlineData("result >= 99", false, 99.0, null)]
    [InlineData("result[0] <= 300 && result[0] >= 0", false, 0.0, 300.0)]
    [InlineData("result[0] > 0.01", true, null, 0.01)]
    [InlineData("result[0] < 0.9", true, 0.9, null)]
    public void Conditions_BecomeThresholds(string condition, bool failure, double? min, double? max)
    {
        var key = failure ? "failureCondition" : "successCondition";
        var input = new InputLoader().LoadText("rollout.yaml", $$"""
            apiVersion: argoproj.io/v1alpha1
            kind: Rollout
            metadata: {name: web}
            spec:
              strategy:
                canary:
                  canaryService: web-canary
                  stableService: web-stable
                  trafficRouting: {istio: {virtualService: {name: web} } }
                  steps: [{setWeight: 50}, {analysis: {templates: [{templateName: t}] } }]
            ---
            apiVersion: argoproj.io/v1alpha1
            kind: AnalysisTemplate
            metadata: {name: t}
            spec:
              metrics:
                - name: m
                  {{key}}: "{{condition}}"
                  provider: {prometheus: {query: "vector(1)"} }
            """);

        var plan = Plan(Importer.Import(input), "web");

        Assert.Equal((min, max), (plan.Spec.Analysis.Metrics[0].Thresholds!.Min, plan.Spec.Analysis.Metrics[0].Thresholds!.Max));
    }
}

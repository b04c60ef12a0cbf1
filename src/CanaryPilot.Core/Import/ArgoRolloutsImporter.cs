using System.Globalization;
using System.Text.RegularExpressions;
using CanaryPilot.Core.Documents;

namespace CanaryPilot.Core.Import;

/// <summary>
/// An Argo Rollouts <c>Rollout</c> (argoproj.io/v1alpha1) with <c>strategy.canary</c> as a RolloutPlan: its steps
/// become stages, its Istio traffic routing the plan's VirtualServices and subsets, and the Prometheus metrics of its
/// AnalysisTemplates and ClusterAnalysisTemplates AnalysisTemplates of CanaryPilot's.
/// </summary>
internal sealed partial class ArgoRolloutsImporter(ImportSession session)
{
    public const string Group = "argoproj.io";

    private static readonly string[] PodFields = ["replicas", "selector", "template", "workloadRef", "revisionHistoryLimit", "minReadySeconds", "paused", "restartAt", "rollbackWindow", "progressDeadlineAbort", "analysis"];

    private static readonly string[] ScalingFields =
        ["maxSurge", "maxUnavailable", "canaryMetadata", "stableMetadata", "scaleDownDelaySeconds", "scaleDownDelayRevisionLimit", "abortScaleDownDelaySeconds", "dynamicStableScale", "antiAffinity", "pingPong", "minPodsPerReplicaSet"];

    /// <summary>The metrics the plan judges by: every analysis's, once each.</summary>
    private readonly List<YamlMap> _metrics = [];

    private readonly YamlMap _analysis = [];

    public void Import(SourceDocument rollout)
    {
        var root = rollout.Root;
        if (rollout.Name is not { } name)
        {
            session.Invalid(rollout, root, "metadata.name", "a Rollout needs a name");
            return;
        }

        var spec = root.Mapping("spec");
        var strategy = spec?.Mapping("strategy");
        var canary = strategy?.Mapping("canary");
        if (canary is null)
        {
            var which = strategy is { Entries.Count: > 0 } ? strategy.Entries[0].Key : null;
            session.NotCarriedOver(rollout, which ?? (SourceNode?)strategy ?? root, $"spec.strategy{(which is null ? "" : "." + which.Value)}", "the importer maps the canary strategy only; write the plan's stages by hand (a blueGreen stage switches all traffic at once)");
            return;
        }

        var plan = CanaryPilotDocuments.Plan(name, rollout.Namespace, $"argoproj.io Rollout {rollout.Namespace ?? "default"}/{name}");
        var planSpec = plan.Child("spec");
        if (Service(rollout, name, canary) is not { } service)
        {
            return;
        }

        planSpec["service"] = service;
        var present = spec!.Entries.Where(e => PodFields.Contains(e.Key.Value)).Select(e => $"spec.{e.Key.Value}").ToList();
        var stableWorkload = ((YamlMap)service["stable"]!)["workload"];
        var canaryWorkload = ((YamlMap)service["canary"]!)["workload"];
        session.NotCarriedOver(rollout, present.Count > 0 ? spec[present[0][5..]] : spec, present.Count > 0 ? string.Join(", ", present) : "the Rollout's pods", $"CanaryPilot does not run the pods: each version runs as its own Deployment and the plan moves traffic between them; it names them {stableWorkload} and {canaryWorkload} (spec.service.stable.workload, canary.workload), which the readiness checks and the built-in templates use: rename them to yours");
        if (session.Integer(rollout, spec, "progressDeadlineSeconds", "spec") is { } deadline)
        {
            _analysis["progressDeadline"] = Common.Duration.Format(TimeSpan.FromSeconds(deadline));
        }

        session.RestNotCarriedOver(rollout, spec, "spec", [.. PodFields, "strategy", "progressDeadlineSeconds"], "not known to the importer");
        session.RestNotCarriedOver(rollout, strategy, "spec.strategy", ["canary"], "not known to the importer");
        var scaling = canary.Entries.Where(e => ScalingFields.Contains(e.Key.Value)).Select(e => $"spec.strategy.canary.{e.Key.Value}").ToList();
        if (scaling.Count > 0)
        {
            session.NotCarriedOver(rollout, canary, string.Join(", ", scaling), "these shape the ReplicaSets Argo Rollouts runs; CanaryPilot leaves the workloads to their own controllers");
        }

        session.RestNotCarriedOver(rollout, canary, "spec.strategy.canary", ["canaryService", "stableService", "trafficRouting", "steps", "analysis", .. ScalingFields], "not known to the importer");
        var stages = Steps(rollout, canary);
        if (canary.Mapping("analysis") is { } background)
        {
            AnalysisRun(rollout, background, "spec.strategy.canary.analysis", stage: null);
            if (background["startingStep"] is { } startingStep)
            {
                session.NotCarriedOver(rollout, startingStep, "spec.strategy.canary.analysis.startingStep", "CanaryPilot judges every stage by all the plan's metrics, from the first");
            }
        }

        if (stages.Count == 0)
        {
            session.Invalid(rollout, canary, "spec.strategy.canary.steps", "no step sends traffic to the canary (setWeight, setHeaderRoute or setMirrorRoute)");
            return;
        }

        planSpec["stages"] = stages;
        if (stages[^1] is not YamlMap last || !Equals(last.GetValueOrDefault("weight"), 100))
        {
            // Argo Rollouts promotes to 100% once the last step is done.
            planSpec["promotion"] = new YamlMap { ["afterLastStage"] = true };
        }

        if (_metrics.Count == 0)
        {
            _metrics.Add(new YamlMap { ["name"] = "success-rate", ["template"] = "istio-success-rate", ["thresholds"] = new YamlMap { ["min"] = 99 } });
            session.NotCarriedOver(rollout, canary, "spec.strategy.canary", "no analysis of the Rollout could be carried over, and CanaryPilot never promotes without evidence: the plan checks the canary's success rate (at least 99%), which needs canary.workload");
        }

        _analysis["metrics"] = _metrics.Cast<object?>().ToList();

        planSpec["analysis"] = _analysis;
        session.Write(CanaryPilotDocuments.Written(plan, name, rollout.Namespace, rollout.File));
    }

    /// <summary>The routing: the VirtualServices and the DestinationRule's subsets, or the stable and canary Services.</summary>
    private YamlMap? Service(SourceDocument rollout, string name, MappingNode canary)
    {
        const string Path = "spec.strategy.canary.trafficRouting";
        var routing = canary.Mapping("trafficRouting");
        var istio = routing?.Mapping("istio");
        if (istio is null)
        {
            session.Invalid(rollout, routing ?? canary, $"{Path}.istio", "CanaryPilot drives Istio: the Rollout needs trafficRouting.istio");
            return null;
        }

        session.RestNotCarriedOver(rollout, routing, Path, ["istio", "managedRoutes"], "CanaryPilot drives Istio VirtualServices and Gateway API HTTPRoutes");
        session.RestNotCarriedOver(rollout, istio, $"{Path}.istio", ["virtualService", "virtualServices", "destinationRule"], "not known to the importer");
        var references = new List<(MappingNode Node, string Path)>();
        if (istio.Mapping("virtualService") is { } single)
        {
            references.Add((single, $"{Path}.istio.virtualService"));
        }

        var many = istio.Sequence("virtualServices");
        for (var i = 0; i < many.Count; i++)
        {
            if (many[i] is MappingNode item)
            {
                references.Add((item, $"{Path}.istio.virtualServices[{i}]"));
            }
        }

        var virtualServices = new List<object?>();
        foreach (var (node, path) in references)
        {
            if (node.Scalar("name") is not { } vsName)
            {
                session.Invalid(rollout, node, $"{path}.name", "name the VirtualService");
                continue;
            }

            // Argo writes "name" or "name.namespace".
            var dot = vsName.IndexOf('.', StringComparison.Ordinal);
            var reference = new YamlMap { ["name"] = dot < 0 ? vsName : vsName[..dot] }.Set("namespace", dot < 0 ? null : vsName[(dot + 1)..]);
            var routes = node.Sequence("routes").OfType<ScalarNode>().Select(r => (object?)r.Value).ToList();
            virtualServices.Add(reference.Set("routes", routes));
            if (node["tlsRoutes"] is { } tls || node["tcpRoutes"] is { } tcp)
            {
                session.NotCarriedOver(rollout, node, $"{path}.tlsRoutes, tcpRoutes", "CanaryPilot splits HTTP routes");
            }
        }

        if (virtualServices.Count == 0)
        {
            session.Invalid(rollout, istio, $"{Path}.istio.virtualService", "name the VirtualService Argo Rollouts drives");
            return null;
        }

        var service = new YamlMap { ["name"] = name, ["virtualServices"] = virtualServices };
        if (istio.Mapping("destinationRule") is { } rule)
        {
            var stableSubset = rule.Scalar("stableSubsetName") ?? "stable";
            var canarySubset = rule.Scalar("canarySubsetName") ?? "canary";
            var host = Host(rollout, rule, references, stableSubset);
            service["name"] = host.Split('.')[0];
            service["stable"] = new YamlMap { ["host"] = host, ["subset"] = stableSubset, ["workload"] = $"{name}-{stableSubset}" };
            service["canary"] = new YamlMap { ["host"] = host, ["subset"] = canarySubset, ["workload"] = $"{name}-{canarySubset}" };
        }
        else if (canary.Scalar("stableService") is { } stable && canary.Scalar("canaryService") is { } canaryService)
        {
            service["stable"] = new YamlMap { ["host"] = stable, ["workload"] = stable };
            service["canary"] = new YamlMap { ["host"] = canaryService, ["workload"] = canaryService };
        }
        else
        {
            session.Invalid(rollout, canary, "spec.strategy.canary.canaryService", "with Istio host-level splitting, set canaryService and stableService (or a destinationRule with subsets)");
            return null;
        }

        return service;
    }

    /// <summary>The host the subsets belong to: from the VirtualService or DestinationRule among the inputs, else the DestinationRule's name.</summary>
    private string Host(SourceDocument rollout, MappingNode rule, List<(MappingNode Node, string Path)> references, string stableSubset)
    {
        foreach (var (node, _) in references)
        {
            var name = node.Scalar("name")?.Split('.')[0];
            var vs = name is null ? null : session.Find("networking.istio.io", "VirtualService", name);
            foreach (var http in vs?.Root.Mapping("spec")?.Sequence("http").OfType<MappingNode>() ?? [])
            {
                foreach (var destination in http.Sequence("route").OfType<MappingNode>().Select(r => r.Mapping("destination")))
                {
                    if (destination?.Scalar("subset") == stableSubset && destination.Scalar("host") is { } host)
                    {
                        return host;
                    }
                }
            }
        }

        var ruleName = rule.Scalar("name") ?? "";
        if (session.Find("networking.istio.io", "DestinationRule", ruleName)?.Root.Mapping("spec")?.Scalar("host") is { } ruleHost)
        {
            return ruleHost;
        }

        session.NotCarriedOver(rollout, rule, "spec.strategy.canary.trafficRouting.istio.destinationRule", $"its host is not among the inputs, so the plan takes \"{ruleName}\"; give the VirtualService or the DestinationRule with -f to take theirs");
        return ruleName;
    }

    private List<object?> Steps(SourceDocument rollout, MappingNode canary)
    {
        var stages = new List<object?>();
        YamlMap? current = null;
        var steps = canary.Sequence("steps");
        for (var i = 0; i < steps.Count; i++)
        {
            var path = $"spec.strategy.canary.steps[{i}]";
            if (steps[i] is not MappingNode step || step.Entries.Count != 1)
            {
                session.Invalid(rollout, steps[i], path, "a step is a mapping with one key, such as setWeight or pause");
                continue;
            }

            var (key, value) = step.Entries[0];
            switch (key.Value)
            {
                case "setWeight":
                    var weight = session.Integer(rollout, step, "setWeight", path);
                    if (weight is > 0)
                    {
                        current = new YamlMap { ["weight"] = weight };
                        stages.Add(current);
                    }
                    else
                    {
                        session.NotCarriedOver(rollout, value, $"{path}.setWeight", "a stage sends some traffic to the canary; weight 0 is where every rollout starts");
                    }

                    break;
                case "pause":
                    Pause(rollout, value as MappingNode, path, current);
                    break;
                case "analysis" when value is MappingNode analysis:
                    if (current is null)
                    {
                        session.NotCarriedOver(rollout, value, $"{path}.analysis", "an analysis before any traffic has nothing of the canary's to measure; its metrics judge every stage");
                    }

                    AnalysisRun(rollout, analysis, $"{path}.analysis", current);
                    break;
                case "setHeaderRoute" when value is MappingNode route:
                    if (HeaderRoute(rollout, route, $"{path}.setHeaderRoute") is { } ab)
                    {
                        current = ab;
                        stages.Add(current);
                    }

                    break;
                case "setMirrorRoute" when value is MappingNode mirror:
                    if (stages.OfType<YamlMap>().Any(s => s.ContainsKey("weight")))
                    {
                        session.NotCarriedOver(rollout, value, $"{path}.setMirrorRoute", "CanaryPilot mirrors only before the canary takes live traffic");
                        break;
                    }

                    if (mirror["match"] is { } match)
                    {
                        session.NotCarriedOver(rollout, match, $"{path}.setMirrorRoute.match", "CanaryPilot mirrors the driven routes' requests, all of them");
                    }

                    if (mirror["percentage"] is null && mirror["match"] is null)
                    {
                        break; // removes the mirror route: the next stage does that here
                    }

                    current = new YamlMap { ["name"] = ImportSession.DnsLabel(mirror.Scalar("name") ?? "mirror"), ["kind"] = "mirror", ["mirrorPercentage"] = session.Number(rollout, mirror, "percentage", $"{path}.setMirrorRoute") ?? 100 };
                    stages.Add(current);
                    break;
                case "setCanaryScale":
                    session.NotCarriedOver(rollout, value, $"{path}.setCanaryScale", "CanaryPilot does not scale the canary; its readiness checks (spec.readiness.capacity) hold a stage until the canary has the replicas for its share");
                    break;
                case "experiment":
                    session.NotCarriedOver(rollout, value, $"{path}.experiment", "CanaryPilot runs no experiments of extra ReplicaSets; a stage judges the canary against the stable with compareToStable");
                    break;
                default:
                    session.NotCarriedOver(rollout, key, $"{path}.{key.Value}", "not a step the importer knows");
                    break;
            }
        }

        return stages;
    }

    private void Pause(SourceDocument rollout, MappingNode? pause, string path, YamlMap? current)
    {
        var duration = session.Duration(rollout, pause, "duration", $"{path}.pause");
        if (current is null)
        {
            session.NotCarriedOver(rollout, (SourceNode?)pause ?? rollout.Root, $"{path}.pause", duration is null
                ? "a pause before any traffic became nothing: a preRollout gate or `canarypilot run --until-approval` holds a rollout before it starts"
                : "a wait before any traffic has no stage to belong to");
            return;
        }

        if (duration is null)
        {
            current["approval"] = "required";
            return;
        }

        if (current.ContainsKey("iterations"))
        {
            session.NotCarriedOver(rollout, pause, $"{path}.pause.duration", "the stage already runs its analysis a number of times; a stage lasts a duration or a number of checks, not both");
            return;
        }

        var added = Common.Duration.TryParse(duration, out var parsed) ? parsed : TimeSpan.Zero;
        var total = current.GetValueOrDefault("minDuration") is string earlier && Common.Duration.TryParse(earlier, out var before) ? before + added : added;
        current["minDuration"] = Common.Duration.Format(total);
    }

    private YamlMap? HeaderRoute(SourceDocument rollout, MappingNode route, string path)
    {
        var matches = route.Sequence("match");
        if (matches.Count == 0)
        {
            return null; // removes the header route: the next stage does that here
        }

        var headers = new YamlMap();
        for (var i = 0; i < matches.Count; i++)
        {
            if (matches[i] is not MappingNode match || match.Scalar("headerName") is not { } header || match.Mapping("headerValue") is not { } condition)
            {
                session.Invalid(rollout, matches[i], $"{path}.match[{i}]", "a header match has headerName and headerValue");
                continue;
            }

            var ours = new YamlMap();
            foreach (var kind in new[] { "exact", "prefix", "regex" })
            {
                ours.Set(kind, condition.Scalar(kind));
            }

            // Istio compares header names in lower case.
            headers[header.ToLowerInvariant()] = ours;
        }

        return new YamlMap { ["name"] = ImportSession.DnsLabel(route.Scalar("name") ?? "header-route"), ["kind"] = "abTest", ["match"] = new List<object?> { new YamlMap { ["headers"] = headers } } };
    }

    /// <summary>An analysis (a step's or the background one): each template's metrics join the plan's; a step's count becomes its stage's iterations.</summary>
    private void AnalysisRun(SourceDocument rollout, MappingNode analysis, string path, YamlMap? stage)
    {
        var args = new Dictionary<string, string>(StringComparer.Ordinal);
        var argNodes = analysis.Sequence("args");
        for (var i = 0; i < argNodes.Count; i++)
        {
            if (argNodes[i] is MappingNode arg && arg.Scalar("name") is { } argName)
            {
                if (arg.Scalar("value") is { } value)
                {
                    args[argName] = value;
                }
                else
                {
                    session.NotCarriedOver(rollout, arg, $"{path}.args[{i}] ({argName})", $"its value comes from the running Rollout (valueFrom); give the metric's args.{argName} a value by hand");
                }
            }
        }

        var templates = analysis.Sequence("templates");
        for (var i = 0; i < templates.Count; i++)
        {
            if (templates[i] is not MappingNode reference || reference.Scalar("templateName") is not { } templateName)
            {
                continue;
            }

            var clusterScope = reference.Scalar("clusterScope") == "true";
            var template = clusterScope
                ? session.Find(Group, "ClusterAnalysisTemplate", templateName)
                : session.Find(Group, "AnalysisTemplate", templateName, rollout.Namespace);
            if (template is null)
            {
                session.NotCarriedOver(rollout, reference, $"{path}.templates[{i}]", $"the {(clusterScope ? "ClusterAnalysisTemplate" : "AnalysisTemplate")} {templateName} is not among the inputs; give it with -f");
                continue;
            }

            Template(template, templateName, args, stage);
        }

        session.RestNotCarriedOver(rollout, analysis, path, ["templates", "args", "startingStep"], "not known to the importer");
    }

    private void Template(SourceDocument template, string templateName, Dictionary<string, string> args, YamlMap? stage)
    {
        var spec = template.Root.Mapping("spec");
        var declared = new List<YamlMap>();
        foreach (var arg in spec?.Sequence("args").OfType<MappingNode>() ?? [])
        {
            if (arg.Scalar("name") is { } argName)
            {
                declared.Add(new YamlMap { ["name"] = argName }.Set("default", arg.Scalar("value")));
                if (arg["valueFrom"] is { } valueFrom && !args.ContainsKey(argName))
                {
                    session.NotCarriedOver(template, valueFrom, $"spec.args ({argName}).valueFrom", "CanaryPilot reads no Secrets or fields into a query; give the metric's args a value");
                }
            }
        }

        foreach (var field in new[] { "dryRun", "measurementRetention" })
        {
            if (spec?[field] is { } node)
            {
                session.NotCarriedOver(template, node, $"spec.{field}", "every metric of a plan counts, and its checks are kept in the rollout's status history");
            }
        }

        session.RestNotCarriedOver(template, spec, "spec", ["args", "metrics", "dryRun", "measurementRetention"], "not known to the importer");
        var metrics = spec?.Sequence("metrics").OfType<MappingNode>().ToList() ?? [];
        for (var i = 0; i < metrics.Count; i++)
        {
            var metric = metrics[i];
            var metricName = metric.Scalar("name") ?? $"metric-{i}";
            var path = $"spec.metrics[{i}]";
            var ours = metrics.Count == 1 ? ImportSession.DnsLabel(templateName) : ImportSession.DnsLabel($"{templateName}-{metricName}");
            if (Metric(template, metric, path, ours, declared, args) is { } converted)
            {
                if (_metrics.Any(m => Equals(m["name"], converted["name"])))
                {
                    continue; // the same template again, at another step
                }

                _metrics.Add(converted);
                if (stage is not null && session.Integer(template, metric, "count", path) is { } count and > 0 && !stage.ContainsKey("minDuration"))
                {
                    stage["iterations"] = Math.Max(count, stage.GetValueOrDefault("iterations") as int? ?? 0);
                }
            }
        }
    }

    private YamlMap? Metric(SourceDocument template, MappingNode metric, string path, string name, List<YamlMap> declared, Dictionary<string, string> args)
    {
        var prometheus = metric.Mapping("provider")?.Mapping("prometheus");
        if (prometheus is null)
        {
            var provider = metric.Mapping("provider") is { Entries.Count: > 0 } given ? given.Entries[0].Key.Value : "none";
            session.NotCarriedOver(template, metric, path, $"metric {metric.Scalar("name")} reads the {provider} provider; CanaryPilot reads Prometheus");
            return null;
        }

        if (prometheus.Scalar("query") is not { } query)
        {
            session.Invalid(template, prometheus, $"{path}.provider.prometheus.query", "a Prometheus metric needs a query");
            return null;
        }

        var (rewritten, untranslated) = Placeholders.Rewrite(query, variable =>
            variable.StartsWith("args.", StringComparison.Ordinal) && declared.Any(a => Equals(a["name"], variable[5..])) ? variable : null);
        if (rewritten is null)
        {
            session.NotCarriedOver(template, prometheus["query"], $"{path}.provider.prometheus.query", $"{{{{ {untranslated} }}}} is not an argument the template declares, so metric {metric.Scalar("name")} was left out");
            return null;
        }

        var thresholds = Conditions(template, metric, path);
        if (thresholds is null)
        {
            return null;
        }

        if (prometheus.Scalar("address") is { } address)
        {
            var ours = _analysis.Child("prometheus");
            if (ours.GetValueOrDefault("address") is string other && other != address)
            {
                session.NotCarriedOver(template, prometheus["address"], $"{path}.provider.prometheus.address", $"the plan reads one Prometheus, {other}");
            }
            else
            {
                ours["address"] = address;
            }
        }

        if (prometheus.Scalar("insecure") == "true")
        {
            _analysis.Child("prometheus").Child("tls")["insecureSkipVerify"] = true;
        }

        session.RestNotCarriedOver(template, prometheus, $"{path}.provider.prometheus", ["address", "query", "insecure"], "set spec.analysis.prometheus (timeout, headers, credentials) by hand");
        Limits(template, metric, path);
        var used = Placeholders.Names(rewritten).Where(n => n.StartsWith("args.", StringComparison.Ordinal)).Select(n => n[5..]).ToHashSet(StringComparer.Ordinal);
        var templateArgs = declared.Where(a => used.Contains((string)a["name"]!)).ToList();
        session.Write(new ImportedDocument("AnalysisTemplate", name, null, CanaryPilotDocuments.Template(name, $"Imported from Argo Rollouts {template.Kind} {template.Name}, metric {metric.Scalar("name")}.", rewritten, templateArgs), template.File));
        var values = new YamlMap();
        foreach (var arg in templateArgs)
        {
            if (args.TryGetValue((string)arg["name"]!, out var value))
            {
                values[(string)arg["name"]!] = value;
            }
        }

        return new YamlMap { ["name"] = name, ["template"] = name }.Set("args", values).Set("thresholds", thresholds);
    }

    /// <summary>The failure and inconclusive limits and the interval, which are the plan's, not each metric's.</summary>
    private void Limits(SourceDocument template, MappingNode metric, string path)
    {
        var failureLimit = session.Integer(template, metric, "failureLimit", path) ?? 0;
        if (_analysis.GetValueOrDefault("failureLimit") is int earlier && earlier != failureLimit)
        {
            session.NotCarriedOver(template, metric["failureLimit"] ?? metric, $"{path}.failureLimit", $"the plan has one failure limit for all its metrics; it keeps the lower, {Math.Min(earlier, failureLimit)}");
        }

        _analysis["failureLimit"] = _analysis.GetValueOrDefault("failureLimit") is int kept ? Math.Min(kept, failureLimit) : failureLimit;
        if (metric["inconclusiveLimit"] is { } inconclusive)
        {
            session.NotCarriedOver(template, inconclusive, $"{path}.inconclusiveLimit", "inconclusive checks hold a stage until spec.analysis.missingData.maxDuration or the progress deadline, not for a count");
        }

        if (session.Duration(template, metric, "interval", path) is { } interval)
        {
            if (_analysis.GetValueOrDefault("interval") is string other && other != interval)
            {
                session.NotCarriedOver(template, metric["interval"], $"{path}.interval", $"the plan checks all its metrics at one interval; it keeps {Shorter(other, interval)}");
                _analysis["interval"] = Shorter(other, interval);
            }
            else
            {
                _analysis["interval"] = interval;
            }
        }

        foreach (var field in new[] { "initialDelay", "consecutiveErrorLimit", "consecutiveSuccessLimit" })
        {
            if (metric[field] is { } node)
            {
                session.NotCarriedOver(template, node, $"{path}.{field}", field == "initialDelay"
                    ? "a stage's first check comes one interval after its traffic is in force"
                    : "when Prometheus fails, a check is inconclusive and the stage holds; missingData.maxDuration bounds how long");
            }
        }

        session.RestNotCarriedOver(template, metric, path, ["name", "provider", "successCondition", "failureCondition", "failureLimit", "inconclusiveLimit", "interval", "count", "initialDelay", "consecutiveErrorLimit", "consecutiveSuccessLimit"], "not known to the importer");
    }

    private static string Shorter(string a, string b) =>
        Common.Duration.TryParse(a, out var x) && Common.Duration.TryParse(b, out var y) && y < x ? b : a;

    /// <summary>
    /// <c>successCondition</c> (and <c>failureCondition</c>) as a threshold range, for the comparisons of the first
    /// result with numbers that Prometheus metrics use: <c>result[0] &gt;= 0.95</c>, <c>result[0] &lt; 500 &amp;&amp; result[0] &gt; 0</c>.
    /// </summary>
    private YamlMap? Conditions(SourceDocument template, MappingNode metric, string path)
    {
        var success = metric.Scalar("successCondition");
        var failure = metric.Scalar("failureCondition");
        if (success is null && failure is null)
        {
            session.NotCarriedOver(template, metric, path, $"metric {metric.Scalar("name")} has neither successCondition nor failureCondition, and CanaryPilot judges a metric against limits");
            return null;
        }

        if (success is not null)
        {
            if (Range(success, negate: false) is not { } range)
            {
                session.NotCarriedOver(template, metric["successCondition"], $"{path}.successCondition", $"\"{success}\" is not a comparison of result[0] with numbers, so metric {metric.Scalar("name")} was left out");
                return null;
            }

            if (failure is not null)
            {
                session.NotCarriedOver(template, metric["failureCondition"], $"{path}.failureCondition", "a check outside the thresholds (from successCondition) fails; values between the two conditions, inconclusive in Argo Rollouts, fail here");
            }

            return range;
        }

        if (Range(failure!, negate: true) is not { } negated)
        {
            session.NotCarriedOver(template, metric["failureCondition"], $"{path}.failureCondition", $"\"{failure}\" is not a comparison of result[0] with one number, so metric {metric.Scalar("name")} was left out");
            return null;
        }

        return negated;
    }

    /// <summary>The range a condition passes (or, negated, the range where a one-comparison failure condition does not hold).</summary>
    private static YamlMap? Range(string condition, bool negate)
    {
        var parts = condition.Split("&&", StringSplitOptions.TrimEntries);
        if (negate && parts.Length != 1)
        {
            return null;
        }

        var range = new YamlMap();
        foreach (var part in parts)
        {
            var match = Comparison().Match(part);
            if (!match.Success || !double.TryParse(match.Groups["number"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                return null;
            }

            var op = match.Groups["op"].Value;
            var lower = op is ">=" or ">";
            var bound = negate ? (lower ? "max" : "min") : (lower ? "min" : "max");
            if (range.ContainsKey(bound))
            {
                return null;
            }

            range[bound] = number;
        }

        return new YamlMap().Set("min", range.GetValueOrDefault("min")).Set("max", range.GetValueOrDefault("max"));
    }

    [GeneratedRegex(@"^\(?\s*result(\[0\])?\s*(?<op>>=|<=|>|<)\s*(?<number>-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?)\s*\)?$")]
    private static partial Regex Comparison();
}

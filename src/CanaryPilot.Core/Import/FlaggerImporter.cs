using System.Globalization;
using CanaryPilot.Core.Documents;

namespace CanaryPilot.Core.Import;

/// <summary>
/// A Flagger <c>Canary</c> (flagger.app/v1beta1) as a RolloutPlan. Flagger runs the new version in the Deployment its
/// <c>targetRef</c> names and the old one in <c>NAME-primary</c>, behind the Services <c>NAME-primary</c> and
/// <c>NAME-canary</c>, and routes between them with the VirtualService it generated; the plan adopts that
/// VirtualService and moves its weights, and Flagger's checks become stages and metrics.
/// </summary>
internal sealed class FlaggerImporter(ImportSession session)
{
    public const string Group = "flagger.app";

    private static readonly string[] GeneratedServiceFields =
        ["port", "portName", "targetPort", "portDiscovery", "appProtocol", "gateways", "hosts", "trafficPolicy", "retries", "headers", "corsPolicy", "match", "rewrite", "timeout", "delegation", "apex", "primary", "canary", "backends", "gatewayRefs", "mirror"];

    public void Import(SourceDocument canary)
    {
        var root = canary.Root;
        var name = canary.Name;
        if (name is null)
        {
            session.Invalid(canary, root, "metadata.name", "a Canary needs a name");
            return;
        }

        var spec = root.Mapping("spec");
        var target = spec?.Mapping("targetRef");
        var targetName = target?.Scalar("name");
        if (targetName is null)
        {
            session.Invalid(canary, target ?? (SourceNode?)spec ?? root, "spec.targetRef.name", "a Canary names the Deployment it rolls out in spec.targetRef.name");
            return;
        }

        if (target!.Scalar("kind") is { } kind and not "Deployment")
        {
            session.NotCarriedOver(canary, target["kind"], "spec.targetRef.kind", $"CanaryPilot shifts traffic between versions that run side by side; a {kind} was taken as the canary's workload {targetName}, with {targetName}-primary as the stable's");
        }

        var plan = CanaryPilotDocuments.Plan(name, canary.Namespace, $"flagger.app Canary {canary.Namespace ?? "default"}/{name}");
        var planSpec = plan.Child("spec");
        var serviceSpec = spec!.Mapping("service");
        var service = serviceSpec?.Scalar("name") ?? targetName;
        planSpec["service"] = new YamlMap
        {
            ["name"] = service,
            ["virtualServices"] = new List<object?> { new YamlMap { ["name"] = service } },
            ["stable"] = new YamlMap { ["host"] = $"{service}-primary", ["workload"] = $"{targetName}-primary" },
            ["canary"] = new YamlMap { ["host"] = $"{service}-canary", ["workload"] = targetName },
        };
        var generated = serviceSpec?.Entries.Where(e => GeneratedServiceFields.Contains(e.Key.Value)).Select(e => $"spec.service.{e.Key.Value}").ToList() ?? [];
        if (generated.Count > 0)
        {
            session.NotCarriedOver(canary, serviceSpec, string.Join(", ", generated), $"Flagger generates the Services and the VirtualService from them; CanaryPilot adopts the VirtualService {service} as it is in the cluster and changes only its weights, so they stay as Flagger last wrote them");
        }

        session.RestNotCarriedOver(canary, serviceSpec, "spec.service", ["name", .. GeneratedServiceFields], "not known to the importer");

        var analysis = new YamlMap();
        if (session.Integer(canary, spec, "progressDeadlineSeconds", "spec") is { } deadline)
        {
            analysis["progressDeadline"] = Common.Duration.Format(TimeSpan.FromSeconds(deadline));
        }

        if (spec["autoscalerRef"] is { } autoscaler)
        {
            session.NotCarriedOver(canary, autoscaler, "spec.autoscalerRef", "CanaryPilot does not create or scale the primary's HorizontalPodAutoscaler; keep one for each Deployment");
        }

        if (spec.Scalar("skipAnalysis") == "true")
        {
            session.NotCarriedOver(canary, spec["skipAnalysis"], "spec.skipAnalysis", "CanaryPilot never promotes without evidence; to promote at once, run `canarypilot promote` on the rollout");
        }

        if (spec.Scalar("revertOnDeletion") == "true")
        {
            planSpec["onDelete"] = "restoreStable";
        }

        session.RestNotCarriedOver(canary, spec, "spec", ["targetRef", "service", "analysis", "progressDeadlineSeconds", "autoscalerRef", "skipAnalysis", "revertOnDeletion", "ingressRef", "upstreamRef", "provider", "suspend"], "not known to the importer");
        foreach (var field in new[] { "ingressRef", "upstreamRef" })
        {
            if (spec[field] is { } node)
            {
                session.NotCarriedOver(canary, node, $"spec.{field}", "CanaryPilot drives Istio VirtualServices and Gateway API HTTPRoutes, not ingress controllers");
            }
        }

        if (spec.Scalar("provider") is { } provider and not "istio")
        {
            session.NotCarriedOver(canary, spec["provider"], "spec.provider", $"CanaryPilot drives Istio; the {provider} mesh provider has no counterpart");
        }

        if (spec.Scalar("suspend") == "true")
        {
            session.NotCarriedOver(canary, spec["suspend"], "spec.suspend", "a suspended Canary becomes a plan that rolls out when applied; run `canarypilot pause` to hold it");
        }

        var flaggerAnalysis = spec.Mapping("analysis") ?? spec.Mapping("canaryAnalysis");
        if (flaggerAnalysis is null)
        {
            session.Invalid(canary, spec, "spec.analysis", "a Canary without an analysis has nothing to roll out by");
            return;
        }

        var path = spec.Mapping("analysis") is null ? "spec.canaryAnalysis" : "spec.analysis";
        Stages(canary, flaggerAnalysis, path, planSpec);
        Analysis(canary, flaggerAnalysis, path, analysis, service);
        planSpec["analysis"] = analysis;
        Webhooks(canary, flaggerAnalysis, path, planSpec);
        Alerts(canary, flaggerAnalysis, path, planSpec);
        session.RestNotCarriedOver(canary, flaggerAnalysis, path, AnalysisFields, "not known to the importer");
        session.Write(CanaryPilotDocuments.Written(plan, name, canary.Namespace, canary.File));
    }

    private static readonly string[] AnalysisFields =
        ["interval", "threshold", "maxWeight", "stepWeight", "stepWeights", "stepWeightPromotion", "iterations", "match", "mirror", "mirrorWeight", "metrics", "webhooks", "alerts", "sessionAffinity", "primaryReadyThreshold", "canaryReadyThreshold"];

    private void Stages(SourceDocument canary, MappingNode analysis, string path, YamlMap planSpec)
    {
        var stepWeight = session.Integer(canary, analysis, "stepWeight", path);
        var maxWeight = session.Integer(canary, analysis, "maxWeight", path);
        var iterations = session.Integer(canary, analysis, "iterations", path);
        var stepWeights = analysis.Sequence("stepWeights");
        var stages = new List<object?>();
        planSpec["stages"] = stages;
        var mirror = analysis.Scalar("mirror") == "true";
        if (mirror && (stepWeight is not null || stepWeights.Count > 0))
        {
            var weight = session.Integer(canary, analysis, "mirrorWeight", path) ?? 100;
            stages.Add(new YamlMap { ["name"] = "mirror", ["kind"] = "mirror", ["mirrorPercentage"] = weight, ["iterations"] = 1 });
            session.NotCarriedOver(canary, analysis["mirror"], $"{path}.mirror", $"Flagger mirrors {weight}% of requests alongside each step; CanaryPilot mirrors before the canary takes live traffic, so it became a first stage mirroring {weight}% for one interval");
        }

        if (stepWeights.Count > 0)
        {
            for (var i = 0; i < stepWeights.Count; i++)
            {
                if (stepWeights[i] is ScalarNode s && int.TryParse(s.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var w))
                {
                    stages.Add(new YamlMap { ["weight"] = w, ["iterations"] = 1 });
                }
                else
                {
                    session.Invalid(canary, stepWeights[i], $"{path}.stepWeights[{i}]", $"expected an integer weight, found {stepWeights[i].Describe()}");
                }
            }

            Promote(planSpec, stages);
        }
        else if (stepWeight is { } step)
        {
            var max = maxWeight ?? 100;
            // Flagger adds stepWeight each interval and stops at maxWeight.
            for (var weight = Math.Min(step, max); ; weight = Math.Min(weight + step, max))
            {
                stages.Add(new YamlMap { ["weight"] = weight, ["iterations"] = 1 });
                if (weight >= max || step <= 0)
                {
                    break;
                }
            }

            Promote(planSpec, stages);
        }
        else if (iterations is { } count)
        {
            var match = Matches(canary, analysis, path);
            if (match.Count > 0)
            {
                stages.Add(new YamlMap { ["name"] = "ab-test", ["kind"] = "abTest", ["match"] = match, ["iterations"] = count });
                planSpec["promotion"] = new YamlMap { ["afterLastStage"] = true };
            }
            else if (mirror)
            {
                stages.Add(new YamlMap { ["name"] = "mirror", ["kind"] = "mirror", ["mirrorPercentage"] = session.Integer(canary, analysis, "mirrorWeight", path) ?? 100, ["iterations"] = count });
                planSpec["promotion"] = new YamlMap { ["afterLastStage"] = true };
            }
            else
            {
                stages.Add(new YamlMap { ["name"] = "switch", ["kind"] = "blueGreen", ["iterations"] = count });
                session.NotCarriedOver(canary, analysis["iterations"], $"{path}.iterations", $"Flagger's blue/green checks the canary {count} times before any traffic reaches it; it became a blueGreen stage, which switches all traffic to the canary and judges it {count} times with stable ready for an instant rollback");
            }
        }
        else if (analysis["stepWeight"] is null && analysis["iterations"] is null)
        {
            session.Invalid(canary, analysis, $"{path}.stepWeight", "set stepWeight, stepWeights or iterations: without them the Canary has no steps");
        }

        if (analysis["stepWeightPromotion"] is { } promotion)
        {
            session.NotCarriedOver(canary, promotion, $"{path}.stepWeightPromotion", "CanaryPilot promotes in one switch once the last stage passes");
        }

        if (analysis["primaryReadyThreshold"] is { } primaryReady)
        {
            session.NotCarriedOver(canary, primaryReady, $"{path}.primaryReadyThreshold", "CanaryPilot checks the stable's readiness only for capacity (spec.readiness.capacity)");
        }

        if (session.Integer(canary, analysis, "canaryReadyThreshold", path) is { } canaryReady)
        {
            planSpec["readiness"] = new YamlMap { ["minReady"] = canaryReady };
        }

        if (analysis.Mapping("sessionAffinity") is { } affinity)
        {
            if (stages.OfType<YamlMap>().Any(s => s.ContainsKey("weight")))
            {
                planSpec["sessionAffinity"] = new YamlMap().Set("cookieName", affinity.Scalar("cookieName")).Set("maxAge", session.Duration(canary, affinity, "maxAge", $"{path}.sessionAffinity"));
            }
            else
            {
                session.NotCarriedOver(canary, affinity, $"{path}.sessionAffinity", "sticky sessions keep users on the canary at weighted stages, and this plan has none: its match already sends the same users to the canary every time");
            }
        }

        if (analysis["match"] is { } matchNode && (stepWeight is not null || stepWeights.Count > 0))
        {
            session.NotCarriedOver(canary, matchNode, $"{path}.match", "Flagger sends matching requests to the canary at every step; CanaryPilot's matches belong to an abTest stage, which a weighted plan does not have");
        }
    }

    /// <summary>Flagger promotes once the last step passes, whatever its weight.</summary>
    private static void Promote(YamlMap planSpec, List<object?> stages)
    {
        if (stages.LastOrDefault() is YamlMap last && !Equals(last.GetValueOrDefault("weight"), 100))
        {
            planSpec["promotion"] = new YamlMap { ["afterLastStage"] = true };
        }
    }

    /// <summary>Flagger's <c>match</c> (Istio HTTPMatchRequests) as CanaryPilot's: headers, and the cookie Flagger matches by a Cookie header regex.</summary>
    private List<object?> Matches(SourceDocument canary, MappingNode analysis, string path)
    {
        var matches = new List<object?>();
        var items = analysis.Sequence("match");
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is not MappingNode match)
            {
                session.Invalid(canary, items[i], $"{path}.match[{i}]", $"expected a mapping, found {items[i].Describe()}");
                continue;
            }

            var headers = new YamlMap();
            YamlMap? cookie = null;
            foreach (var (header, value) in match.Mapping("headers")?.Entries ?? [])
            {
                if (value is not MappingNode condition)
                {
                    continue;
                }

                if (header.Value.Equals("cookie", StringComparison.OrdinalIgnoreCase) && condition.Scalar("regex") is { } regex && CookieRegex.Parse(regex) is var (cookieName, cookieValue))
                {
                    cookie = new YamlMap { ["name"] = cookieName, ["value"] = cookieValue };
                    continue;
                }

                var ours = new YamlMap();
                foreach (var kind in new[] { "exact", "prefix", "regex" })
                {
                    ours.Set(kind, condition.Scalar(kind));
                }

                headers[header.Value.ToLowerInvariant()] = ours;
            }

            matches.Add(new YamlMap().Set("headers", headers).Set("cookie", cookie));
            session.RestNotCarriedOver(canary, match, $"{path}.match[{i}]", ["headers"], "an abTest stage matches headers and cookies only");
        }

        return matches;
    }

    private void Analysis(SourceDocument canary, MappingNode analysis, string path, YamlMap ours, string service)
    {
        if (session.Duration(canary, analysis, "interval", path) is { } interval)
        {
            ours["interval"] = interval;
        }

        if (session.Integer(canary, analysis, "threshold", path) is { } threshold)
        {
            // Flagger rolls back at the threshold-th failed check of the rollout; CanaryPilot tolerates failureLimit.
            ours["failureLimit"] = Math.Max(0, threshold - 1);
            ours["failureCounting"] = "cumulative";
        }

        var metrics = new List<object?>();
        var items = analysis.Sequence("metrics");
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is MappingNode metric && Metric(canary, metric, $"{path}.metrics[{i}]", ours) is { } converted)
            {
                metrics.Add(converted);
            }
        }

        if (metrics.Count == 0)
        {
            // A plan promotes on evidence only: give it Flagger's own default checks.
            metrics.Add(new YamlMap { ["name"] = "request-success-rate", ["template"] = "istio-success-rate", ["thresholds"] = new YamlMap { ["min"] = 99 } });
            session.NotCarriedOver(canary, analysis, $"{path}.metrics", $"no metric of the Canary could be carried over, and CanaryPilot never promotes without evidence: the plan checks {service}'s success rate (at least 99%)");
        }

        ours["metrics"] = metrics;
    }

    private YamlMap? Metric(SourceDocument canary, MappingNode metric, string path, YamlMap analysis)
    {
        var name = metric.Scalar("name") ?? "metric";
        var ours = new YamlMap { ["name"] = ImportSession.DnsLabel(name) };
        var range = metric.Mapping("thresholdRange");
        var thresholds = new YamlMap().Set("min", session.Number(canary, range, "min", $"{path}.thresholdRange")).Set("max", session.Number(canary, range, "max", $"{path}.thresholdRange"));
        var legacy = session.Number(canary, metric, "threshold", path);
        if (metric.Mapping("templateRef") is { } templateRef)
        {
            if (Template(canary, templateRef, metric, path, analysis) is not { } template)
            {
                return null;
            }

            ours["template"] = template.Name;
            ours.Set("args", template.Args);
        }
        else if (name == "request-success-rate")
        {
            ours["template"] = "istio-success-rate";
            if (legacy is { } min)
            {
                thresholds["min"] = min;
            }
        }
        else if (name == "request-duration")
        {
            ours["template"] = "istio-request-duration-p99";
            if (legacy is { } max)
            {
                thresholds["max"] = max;
            }
        }
        else
        {
            session.NotCarriedOver(canary, metric, path, $"metric \"{name}\" is neither a built-in (request-success-rate, request-duration) nor has a templateRef");
            return null;
        }

        if (thresholds.Count == 0)
        {
            session.NotCarriedOver(canary, metric, path, $"metric \"{name}\" has no thresholdRange, and CanaryPilot judges a metric against limits");
            return null;
        }

        ours.Set("window", session.Duration(canary, metric, "interval", path));
        ours["thresholds"] = thresholds;
        session.RestNotCarriedOver(canary, metric, path, ["name", "templateRef", "thresholdRange", "threshold", "interval", "templateVariables"], "not known to the importer");
        return ours;
    }

    /// <summary>A Flagger MetricTemplate as an AnalysisTemplate; its <c>templateVariables</c> become the metric's args.</summary>
    private (string Name, YamlMap? Args)? Template(SourceDocument canary, MappingNode templateRef, MappingNode metric, string path, YamlMap analysis)
    {
        var name = templateRef.Scalar("name");
        var found = name is null ? null : session.Find(Group, "MetricTemplate", name, templateRef.Scalar("namespace") ?? canary.Namespace);
        if (found is null)
        {
            session.NotCarriedOver(canary, templateRef, $"{path}.templateRef", $"the MetricTemplate {name} is not among the inputs; give it with -f");
            return null;
        }

        var spec = found.Root.Mapping("spec");
        var provider = spec?.Mapping("provider");
        if (provider?.Scalar("type") is { } type and not "prometheus")
        {
            session.NotCarriedOver(found, provider["type"], "spec.provider.type", $"CanaryPilot reads Prometheus; the {type} provider of MetricTemplate {name} has no counterpart, so metric {metric.Scalar("name")} was left out");
            return null;
        }

        if (provider?.Scalar("address") is { } address)
        {
            var prometheus = analysis.Child("prometheus");
            if (prometheus.GetValueOrDefault("address") is string other && other != address)
            {
                session.NotCarriedOver(found, provider["address"], "spec.provider.address", $"the plan reads one Prometheus, {other}; this template's {address} is not it");
            }
            else
            {
                prometheus["address"] = address;
            }
        }

        if (provider?["secretRef"] is { } secretRef)
        {
            session.NotCarriedOver(found, secretRef, "spec.provider.secretRef", "set spec.analysis.prometheus.basicAuth or bearerToken from the Secret's keys: their names are not known here");
        }

        if (provider?.Scalar("insecureSkipVerify") == "true")
        {
            analysis.Child("prometheus").Child("tls")["insecureSkipVerify"] = true;
        }

        var query = spec?.Scalar("query");
        if (query is null)
        {
            session.Invalid(found, spec ?? found.Root, "spec.query", "a MetricTemplate needs a query");
            return null;
        }

        var variables = new List<string>();
        var (rewritten, untranslated) = Placeholders.Rewrite(query, variable => variable switch
        {
            "namespace" => "namespace",
            "target" => "workload",
            "service" => "service",
            "interval" => "interval",
            _ when variable.StartsWith("variables.", StringComparison.Ordinal) => Declare(variables, variable["variables.".Length..]),
            _ => null,
        });
        if (rewritten is null)
        {
            session.NotCarriedOver(found, spec!["query"], "spec.query", $"{{{{ {untranslated} }}}} has no counterpart among CanaryPilot's template variables, so metric {metric.Scalar("name")} was left out");
            return null;
        }

        var args = variables.Select(v => new YamlMap { ["name"] = v }).ToList();
        session.Write(new ImportedDocument("AnalysisTemplate", name!, null, CanaryPilotDocuments.Template(name!, $"Imported from Flagger MetricTemplate {found.Namespace ?? "default"}/{name}.", rewritten, args), found.File));
        session.RestNotCarriedOver(found, spec, "spec", ["provider", "query"], "not known to the importer");
        var values = new YamlMap();
        foreach (var (key, value) in metric.Mapping("templateVariables")?.Entries ?? [])
        {
            if (value is ScalarNode scalar)
            {
                values[key.Value] = scalar.Value;
            }
        }

        return (name!, values);
    }

    private static string Declare(List<string> variables, string name)
    {
        if (!variables.Contains(name))
        {
            variables.Add(name);
        }

        return $"args.{name}";
    }

    private void Webhooks(SourceDocument canary, MappingNode analysis, string path, YamlMap planSpec)
    {
        var gates = new List<object?>();
        var notifications = planSpec.GetValueOrDefault("notifications") as List<object?> ?? [];
        var items = analysis.Sequence("webhooks");
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is not MappingNode hook)
            {
                continue;
            }

            var field = $"{path}.webhooks[{i}]";
            var type = hook.Scalar("type") ?? "rollout";
            var name = ImportSession.DnsLabel(hook.Scalar("name") ?? type);
            var url = hook.Scalar("url");
            var gateType = type switch
            {
                "confirm-rollout" or "pre-rollout" => "preRollout",
                "confirm-traffic-increase" => "confirmTrafficIncrease",
                "confirm-promotion" => "confirmPromotion",
                _ => null,
            };
            if (gateType is not null && url is not null)
            {
                var gate = new YamlMap { ["name"] = name, ["type"] = gateType, ["url"] = url }.Set("timeout", session.Duration(canary, hook, "timeout", field));
                if (type == "pre-rollout")
                {
                    gate["onTimeout"] = "fail";
                    session.NotCarriedOver(canary, hook["type"], $"{field} of type 'pre-rollout'", "Flagger calls it once and counts a failure toward the threshold; it became a preRollout gate that must answer 200 before traffic moves, failing the rollout if it does not within its timeout");
                }

                var metadata = new YamlMap();
                foreach (var (key, value) in hook.Mapping("metadata")?.Entries ?? [])
                {
                    if (value is ScalarNode scalar)
                    {
                        metadata[key.Value] = scalar.Value;
                    }
                }

                gates.Add(gate.Set("metadata", metadata));
                session.RestNotCarriedOver(canary, hook, field, ["name", "type", "url", "timeout", "metadata"], "a gate has a name, a type, a URL, a timeout and metadata");
                continue;
            }

            switch (type)
            {
                case "event" when url is not null:
                    notifications.Add(new YamlMap { ["name"] = name, ["webhook"] = new YamlMap { ["url"] = url } });
                    session.NotCarriedOver(canary, hook["type"], $"{field} of type 'event'", $"CanaryPilot announces through notifications; it became spec.notifications[{notifications.Count - 1}], a webhook receiving CloudEvents rather than Flagger's event payload");
                    break;
                case "rollout":
                    session.NotCarriedOver(canary, hook, $"{field} of type 'rollout'", "CanaryPilot generates no load and runs no tests during a stage; run the load generator beside the rollout (the same URL and command keep working)");
                    break;
                case "post-rollout":
                    session.NotCarriedOver(canary, hook, $"{field} of type 'post-rollout'", "CanaryPilot calls nothing after the rollout; a webhook notification for the promoted and rolledBack events tells the same URL");
                    break;
                case "rollback":
                    session.NotCarriedOver(canary, hook, $"{field} of type 'rollback'", "CanaryPilot rolls back by its metrics or a person's `canarypilot abort`, not by polling a URL");
                    break;
                default:
                    session.NotCarriedOver(canary, hook, $"{field} of type '{type}'", "not a webhook type the importer knows");
                    break;
            }
        }

        planSpec.Set("gates", gates);
        planSpec.Set("notifications", notifications);
    }

    /// <summary>Flagger's alerts name an AlertProvider; a Slack provider whose address is in a Secret becomes a Slack notification.</summary>
    private void Alerts(SourceDocument canary, MappingNode analysis, string path, YamlMap planSpec)
    {
        var notifications = planSpec.GetValueOrDefault("notifications") as List<object?> ?? [];
        var items = analysis.Sequence("alerts");
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is not MappingNode alert)
            {
                continue;
            }

            var field = $"{path}.alerts[{i}]";
            var providerRef = alert.Mapping("providerRef");
            var providerName = providerRef?.Scalar("name");
            var provider = providerName is null ? null : session.Find(Group, "AlertProvider", providerName, providerRef!.Scalar("namespace") ?? canary.Namespace);
            var providerSpec = provider?.Root.Mapping("spec");
            var secret = providerSpec?.Mapping("secretRef")?.Scalar("name");
            if (provider is null || providerSpec?.Scalar("type") != "slack" || secret is null)
            {
                var why = provider is null
                    ? $"the AlertProvider {providerName} is not among the inputs; give it with -f"
                    : providerSpec?.Scalar("type") != "slack"
                        ? $"CanaryPilot posts to Slack and to webhooks; the {providerSpec?.Scalar("type")} provider became nothing: add a webhook notification"
                        : "the provider's address is written in it, and CanaryPilot reads a Slack webhook URL from a Secret: put it in one and name it in spec.notifications";
                session.NotCarriedOver(canary, alert, field, why);
                continue;
            }

            var slack = new YamlMap { ["webhookUrl"] = new YamlMap { ["secretKeyRef"] = new YamlMap { ["name"] = secret, ["key"] = "address" } } }.Set("channel", providerSpec.Scalar("channel"));
            var notification = new YamlMap { ["name"] = ImportSession.DnsLabel(alert.Scalar("name") ?? providerName!), ["slack"] = slack };
            notification.Set("minSeverity", alert.Scalar("severity") switch
            {
                "warn" => "warning",
                "error" => "error",
                _ => null,
            });
            notifications.Add(notification);
        }

        planSpec.Set("notifications", notifications);
    }
}

/// <summary>The Cookie header regex Flagger's documentation writes for a cookie match: <c>^(.*?;)?(canary=always)(;.*)?$</c>.</summary>
internal static class CookieRegex
{
    public static (string Name, string Value)? Parse(string regex)
    {
        const string Head = "^(.*?;)?(";
        const string Tail = ")(;.*)?$";
        if (!regex.StartsWith(Head, StringComparison.Ordinal) || !regex.EndsWith(Tail, StringComparison.Ordinal))
        {
            return null;
        }

        var pair = regex[Head.Length..^Tail.Length];
        var equals = pair.IndexOf('=', StringComparison.Ordinal);
        return equals <= 0 || pair.IndexOfAny(['(', ')', '*', '|', '[', '\\', ';']) >= 0 ? null : (pair[..equals], pair[(equals + 1)..]);
    }
}

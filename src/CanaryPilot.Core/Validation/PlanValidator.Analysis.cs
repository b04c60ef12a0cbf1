using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Common;
using CanaryPilot.Core.Plans;

namespace CanaryPilot.Core.Validation;

public sealed partial class PlanValidator
{
    /// <summary>The template the minimum-traffic rule measures with.</summary>
    public const string RequestVolumeTemplate = MetricQueries.RequestVolumeTemplate;

    private const string MinimumTrafficRule = "the minimum-traffic rule (missingData.minRequestVolume)";

    private void CheckAnalysis()
    {
        var analysis = plan.Spec.Analysis;
        if (analysis.Interval < TimeSpan.FromSeconds(1))
        {
            Error("spec.analysis.interval", $"{Format(analysis.Interval)} is too short; use 1s or more");
        }

        if (analysis.FailureLimit < 0)
        {
            Error("spec.analysis.failureLimit", $"{analysis.FailureLimit} is negative; 0 rolls back on the first failed check");
        }

        if (analysis.ProgressDeadline is { } deadline && deadline <= analysis.Interval)
        {
            Error("spec.analysis.progressDeadline", $"{Format(deadline)} is not longer than one analysis interval ({Format(analysis.Interval)}), so no stage could ever pass");
        }

        if (analysis.MissingData.MinRequestVolume < 0)
        {
            Error("spec.analysis.missingData.minRequestVolume", "must not be negative");
        }

        if (analysis.MissingData.MaxDuration < TimeSpan.Zero)
        {
            Error("spec.analysis.missingData.maxDuration", "must not be negative");
        }

        CheckConfidence(analysis.Confidence, "spec.analysis.confidence");

        CheckPrometheus(analysis.Prometheus, "spec.analysis.prometheus");

        if (analysis.Metrics.Count == 0)
        {
            Error("spec.analysis.metrics", "name at least one metric: CanaryPilot never promotes without evidence");
        }

        for (var i = 0; i < analysis.Metrics.Count; i++)
        {
            CheckUnique(analysis.Metrics.Take(i).Select(m => m.Name), analysis.Metrics[i].Name, $"spec.analysis.metrics[{i}].name", "metric");
            CheckMetric(analysis.Metrics[i], $"spec.analysis.metrics[{i}]");
        }

        CheckIdentities();
        CheckRendering();
    }

    /// <summary>
    /// Once everything else holds, every query must render: a value that cannot stand where its template
    /// puts it (say, a name with spaces outside quotes) is refused here rather than sent to Prometheus.
    /// </summary>
    private void CheckRendering()
    {
        if (_diagnostics.HasErrors)
        {
            return;
        }

        var metrics = plan.Spec.Analysis.Metrics;
        for (var i = 0; i < metrics.Count; i++)
        {
            foreach (var problem in MetricQueries.Render(plan, metrics[i], templates).Problems)
            {
                Error($"spec.analysis.metrics[{i}]", problem);
            }
        }
    }

    private void CheckPrometheus(PrometheusSpec prometheus, string path)
    {
        if (prometheus.Address is { } address)
        {
            CheckUrl(address, $"{path}.address");
        }

        if (prometheus.ScrapeInterval <= TimeSpan.Zero)
        {
            Error($"{path}.scrapeInterval", "must be longer than 0s");
        }

        if (prometheus.Timeout <= TimeSpan.Zero)
        {
            Error($"{path}.timeout", "must be longer than 0s");
        }

        if (prometheus is { BearerToken: not null, BasicAuth: not null })
        {
            Error(path, "set at most one of bearerToken or basicAuth");
        }

        if (prometheus.BearerToken is { } token)
        {
            CheckSecret(token, $"{path}.bearerToken");
        }

        if (prometheus.BasicAuth is { } basic)
        {
            CheckSecret(basic.Password, $"{path}.basicAuth.password");
            if (basic.Username.Contains(':', StringComparison.Ordinal))
            {
                Error($"{path}.basicAuth.username", "may not contain ':' (basic authentication separates the user name from the password with it)");
            }
        }

        CheckHeaders(prometheus.Headers, $"{path}.headers");
        for (var i = 0; i < prometheus.Headers.Count; i++)
        {
            var name = prometheus.Headers[i].Name;
            if (!HeaderName().IsMatch(name))
            {
                Error($"{path}.headers[{i}].name", $"\"{name}\" is not an HTTP header name");
            }
            else if ((prometheus.BearerToken is not null || prometheus.BasicAuth is not null) && name.Equals("Authorization", StringComparison.OrdinalIgnoreCase))
            {
                Error($"{path}.headers[{i}].name", "an Authorization header conflicts with bearerToken or basicAuth; set one of them");
            }
        }

        if (prometheus.Tls is { } tls && (tls.CertFile is null) != (tls.KeyFile is null))
        {
            Error($"{path}.tls", "set certFile and keyFile together: a client certificate needs its key");
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^[!#$%&'*+.^_`|~0-9A-Za-z-]+\z")]
    private static partial System.Text.RegularExpressions.Regex HeaderName();

    private void CheckMetric(MetricSpec metric, string path)
    {
        var analysis = plan.Spec.Analysis;
        var window = metric.Window ?? analysis.Interval;
        var scrape = analysis.Prometheus.ScrapeInterval;
        if (window < 2 * scrape && scrape > TimeSpan.Zero)
        {
            var field = metric.Window is null ? "spec.analysis.interval" : $"{path}.window";
            Error(field, $"window {Format(window)} of metric \"{metric.Name}\" is shorter than two scrape intervals ({Format(2 * scrape)}): rate() needs two samples in its window, so the query would return no data");
        }

        CheckRange(metric.Thresholds, $"{path}.thresholds");
        CheckRange(metric.Critical, $"{path}.critical");
        // Every value that passes the thresholds must also be inside the critical range.
        if (metric is { Thresholds: { } normal, Critical: { } critical }
            && ((critical.Min is { } criticalMin && !(normal.Min >= criticalMin)) || (critical.Max is { } criticalMax && !(normal.Max <= criticalMax))))
        {
            Error($"{path}.critical", $"critical range {critical} does not contain the thresholds {normal}: a value that passes them would roll back at once");
        }

        if (metric.CompareToStable is { } comparison)
        {
            if (comparison.MaxIncrease is null && comparison.MaxDecrease is null)
            {
                Error($"{path}.compareToStable", "set maxIncrease, maxDecrease or both");
            }

            if (comparison.MaxIncrease < 0 || comparison.MaxDecrease < 0)
            {
                Error($"{path}.compareToStable", "maxIncrease and maxDecrease must not be negative");
            }

            if (comparison.PromoteWithin is { } within)
            {
                if (within < 0)
                {
                    Error($"{path}.compareToStable.promoteWithin", "must not be negative");
                }
                else if (MetricQueries.JudgeOf(analysis, metric) != Judge.Sequential)
                {
                    Error($"{path}.compareToStable.promoteWithin", "is the sequential judge's promotion margin; set judge: sequential, or leave it out");
                }
            }
        }

        if (metric.Thresholds is null && metric.CompareToStable is null)
        {
            Error(path, $"metric \"{metric.Name}\" judges nothing; set thresholds, compareToStable or both");
        }

        if (templates.Find(metric.Template, plan) is not { } template)
        {
            Error($"{path}.template", $"unknown template \"{metric.Template}\"{Suggestions.DidYouMean(metric.Template, templates.Names)}; known templates are {string.Join(", ", templates.Names.Order(StringComparer.Ordinal))}");
            return;
        }

        CheckArguments(metric, template, path);
        CheckConfidence(metric.Confidence, $"{path}.confidence");
        if (MetricQueries.JudgeOf(analysis, metric) == Judge.Sequential)
        {
            CheckSequential(metric, template, path);
        }
    }

    private void CheckConfidence(double? confidence, string path)
    {
        if (confidence is { } c && !(c is > 0.5 and < 1))
        {
            Error(path, $"{c.ToString(System.Globalization.CultureInfo.InvariantCulture)} is not a confidence; use a number between 0.5 and 1, such as 0.99");
        }
    }

    /// <summary>The sequential judge compares counts with a tolerance: the template must count, the metric must say how much worse is too much.</summary>
    private void CheckSequential(MetricSpec metric, AnalysisTemplate template, string path)
    {
        var field = metric.Judge is null ? "spec.analysis.judge" : $"{path}.judge";
        if (metric.CompareToStable is null)
        {
            if (metric.Judge is not null)
            {
                Error(field, $"metric \"{metric.Name}\" has no compareToStable: the sequential judge compares the canary with stable, within compareToStable's tolerance");
            }

            return;
        }

        if (template.Spec.Counts is null)
        {
            Error(field, $"template \"{template.Name}\" has no counts (spec.counts.events and spec.counts.requests), which the sequential judge of metric \"{metric.Name}\" tests; use a template that counts, such as istio-error-rate-5xx");
        }
    }

    private void CheckRange(ValueRange? range, string path)
    {
        if (range is null)
        {
            return;
        }

        if (range.Min is null && range.Max is null)
        {
            Error(path, "set min, max or both");
        }
        else if (range.Min > range.Max)
        {
            Error($"{path}.min", $"min {range.Min} is greater than max {range.Max}, so no value can pass");
        }
    }

    private void CheckArguments(MetricSpec metric, AnalysisTemplate template, string path)
    {
        var declared = template.Spec.Args.Select(a => a.Name).ToList();
        foreach (var name in metric.Args.Keys.Where(a => !declared.Contains(a, StringComparer.Ordinal)))
        {
            var known = declared.Count == 0 ? "it takes no arguments" : $"it takes {string.Join(", ", declared)}";
            Error($"{path}.args.{name}", $"template \"{template.Name}\" has no argument \"{name}\"{Suggestions.DidYouMean(name, declared)}; {known}");
        }

        foreach (var missing in template.Spec.Args.Where(a => a.Default is null && !metric.Args.ContainsKey(a.Name)))
        {
            Error($"{path}.args", $"template \"{template.Name}\" needs argument \"{missing.Name}\"{(missing.Description is null ? "" : $" ({missing.Description})")}");
        }
    }

    /// <summary>Each side the metrics measure must say how metrics name it; one finding per missing field.</summary>
    private void CheckIdentities()
    {
        var service = plan.Spec.Service;
        var needs = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var measured = plan.Spec.Analysis.Metrics.Select(m => (m.Name, m.Template, Compare: m.CompareToStable is not null)).ToList();
        if (plan.Spec.Analysis.MissingData.MinRequestVolume > 0)
        {
            measured.Add((MinimumTrafficRule, RequestVolumeTemplate, false));
        }

        foreach (var metric in measured)
        {
            if (templates.Find(metric.Template, plan) is not { } template)
            {
                continue;
            }

            var variables = QueryTemplate.Variables(template.Spec.Query).ToHashSet(StringComparer.Ordinal);
            var sides = metric.Compare || variables.Overlaps(["stableWorkload", "stableVersion"])
                ? new[] { "canary", "stable" }
                : ["canary"];
            foreach (var side in sides)
            {
                foreach (var field in new[] { "workload", "version" })
                {
                    if (variables.Contains(field) || variables.Contains(side + char.ToUpperInvariant(field[0]) + field[1..]))
                    {
                        var key = $"{side}.{field}";
                        needs.TryAdd(key, []);
                        needs[key].Add(metric.Name);
                    }
                }
            }
        }

        foreach (var (key, metrics) in needs)
        {
            var side = key.StartsWith("canary", StringComparison.Ordinal) ? service.Canary : service.Stable;
            var field = key[(key.IndexOf('.', StringComparison.Ordinal) + 1)..];
            var given = field == "workload" ? side.Workload : side.Version;
            if (given is null)
            {
                var what = field == "workload" ? "workload (its Deployment name)" : "version label";
                var names = metrics.Select(m => m == MinimumTrafficRule ? m : $"metric \"{m}\"");
                Error($"spec.service.{key}", $"{string.Join(", ", names)} {(metrics.Count == 1 ? "measures" : "measure")} by {field}; set the {key[..key.IndexOf('.', StringComparison.Ordinal)]}'s {what}");
            }
        }
    }
}

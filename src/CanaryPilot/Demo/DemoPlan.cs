namespace CanaryPilot.Demo;

/// <summary>The bookinfo rollout with the minutes of the example made seconds, so the demo takes well under a minute.</summary>
internal static class DemoPlan
{
    /// <summary>The reviews service both plans roll out, from v1 to v2; each adds its stages and analysis.</summary>
    private const string Service = """
        apiVersion: canarypilot.io/v1alpha1
        kind: RolloutPlan
        metadata:
          name: reviews
          namespace: bookinfo
        spec:
          service:
            name: reviews
            virtualServices:
              - name: reviews
            stable: {host: reviews, subset: v1, workload: reviews-v1, version: v1}
            canary: {host: reviews, subset: v2, workload: reviews-v2, version: v2}

        """;

    /// <summary>The same service in ambient mode: the "main" rule of the reviews HTTPRoute, one Service per version.</summary>
    private const string AmbientService = """
        apiVersion: canarypilot.io/v1alpha1
        kind: RolloutPlan
        metadata:
          name: reviews
          namespace: bookinfo
        spec:
          service:
            name: reviews
            httpRoutes:
              - {name: reviews, rule: main}
            stable: {host: reviews-v1, port: 9080, workload: reviews-v1, version: v1}
            canary: {host: reviews-v2, port: 9080, workload: reviews-v2, version: v2}

        """;

    /// <summary><paramref name="plan"/> (one of this class's) on the ambient example's HTTPRoute; its metrics then read the waypoint's telemetry.</summary>
    public static string OnHttpRoute(string plan) =>
        plan.StartsWith(Service, StringComparison.Ordinal) ? AmbientService + plan[Service.Length..] : throw new ArgumentException("not a demo plan", nameof(plan));

    public const string Yaml = Service + """
          stages:
            - {weight: 5, minDuration: 4s}
            - {weight: 25, minDuration: 4s}
            - {weight: 50, minDuration: 4s}
            - {weight: 100, iterations: 2}
          analysis:
            interval: 2s
            progressDeadline: 3m
            failureLimit: 1
            missingData: {minRequestVolume: 5, maxDuration: 20s}
            prometheus: {scrapeInterval: 1s}
            metrics:
              - name: success-rate
                template: istio-success-rate
                thresholds: {min: 99}
                critical: {min: 90}
              - name: latency-p99
                template: istio-request-duration-p99
                thresholds: {max: 500}
                compareToStable: {maxIncrease: 20, mode: relative}
        """;

    /// <summary>
    /// The bookinfo plan with a resilience stage after 25%: for 6 s, half of reviews v2's calls to ratings wait 2 s. It is
    /// judged by the thresholds, the stage's own for latency: a p99 under 1 s.
    /// </summary>
    public const string Resilience = Service + """
          stages:
            - {weight: 5, minDuration: 4s}
            - {weight: 25, minDuration: 4s}
            - name: ratings-slow
              kind: resilience
              minDuration: 6s
              sourceLabels: {app: reviews, version: v2}
              faults:
                - host: ratings
                  delay: {fixedDelay: 2s, percentage: 50}
              thresholds:
                - {metric: latency-p99, max: 1000}
            - {weight: 50, minDuration: 4s}
            - {weight: 100, iterations: 2}
          analysis:
            interval: 2s
            progressDeadline: 3m
            failureLimit: 1
            missingData: {minRequestVolume: 5, maxDuration: 20s}
            prometheus: {scrapeInterval: 1s}
            metrics:
              - name: success-rate
                template: istio-success-rate
                thresholds: {min: 99}
                critical: {min: 90}
              - name: latency-p99
                template: istio-request-duration-p99
                thresholds: {max: 500}
                compareToStable: {maxIncrease: 20, mode: relative}
        """;

    /// <summary>
    /// The sequential judge on the 5xx counts, its continuous guard watching every scrape: a canary shown
    /// worse than stable (beyond 20%, with 99% confidence) is rolled back at the first scrape that shows it.
    /// </summary>
    public const string Sequential = Service + """
          stages:
            - {weight: 25, minDuration: 1m}
            - {weight: 100}
          analysis:
            interval: 5s
            progressDeadline: 3m
            judge: sequential
            confidence: 0.99
            missingData: {minRequestVolume: 5, maxDuration: 2m}
            prometheus: {scrapeInterval: 1s}
            metrics:
              - name: errors
                template: istio-error-rate-5xx
                compareToStable: {maxIncrease: 20, promoteWithin: 100}
        """;
}

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

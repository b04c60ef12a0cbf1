namespace CanaryPilot.Benchmarks.Judgement;

/// <summary>
/// A fixed-threshold policy as Flagger's documentation sets one up: every interval, the canary's success rate
/// and p99 latency over the last interval are checked against fixed limits (≥ 99%, ≤ 500 ms); a passing
/// check moves the weight up a step (10% to 50%) and a pass at the top promotes; failed checks are
/// counted over the whole run and the fifth rolls back. Re-implemented from that description, on the
/// same requests as CanaryPilot's runs.
/// </summary>
internal sealed class FixedThresholdPolicy : IPolicy
{
    private const int StepWeight = 10;
    private const int MaxWeight = 50;
    private const int Threshold = 5;
    private const int IntervalSeconds = 60;
    private const double MinSuccessRate = 99;
    private const double MaxP99Ms = 500;

    public string Name => "fixed thresholds (Flagger-style)";

    public string Rules => "success rate ≥ 99% and p99 ≤ 500 ms over the last 1m; +10% per passing check up to 50%; the 5th failed check (counted over the run) rolls back";

    public Task<Outcome> RunAsync(RequestStream stream, Scenario scenario)
    {
        var traffic = new RoutedTraffic(stream, scenario) { Weight = StepWeight };
        var failed = 0;
        for (var t = IntervalSeconds; t <= stream.Seconds; t += IntervalSeconds)
        {
            var counts = traffic.Sum(canary: true, t - IntervalSeconds, t);
            var passed = counts.SuccessRate >= MinSuccessRate && counts.Quantile(0.99) <= MaxP99Ms;
            if (!passed && ++failed >= Threshold)
            {
                return Task.FromResult(new Outcome(false, true, TimeSpan.FromSeconds(t)));
            }

            if (passed && traffic.Weight >= MaxWeight)
            {
                return Task.FromResult(new Outcome(true, false, TimeSpan.FromSeconds(t)));
            }

            if (passed)
            {
                traffic.Weight += StepWeight;
            }
        }

        return Task.FromResult(new Outcome(false, false, TimeSpan.FromSeconds(stream.Seconds)));
    }
}

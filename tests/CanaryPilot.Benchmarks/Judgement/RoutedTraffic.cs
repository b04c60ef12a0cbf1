namespace CanaryPilot.Benchmarks.Judgement;

/// <summary>
/// What the mesh reports for one policy's run: the trial's requests routed by the weights the policy
/// set, aggregated per second and side as Istio's counters and latency histogram would count them.
/// Seconds are aggregated when first asked for, with the weight in force then.
/// </summary>
internal sealed class RoutedTraffic(RequestStream stream, Scenario scenario)
{
    /// <summary>Istio's default request-duration buckets, in milliseconds (the last is +Inf).</summary>
    public static readonly double[] Buckets = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000, double.PositiveInfinity];

    private static readonly double Mu = Math.Log(Scenario.MedianMs);

    private readonly List<Counts> _canary = [];
    private readonly List<Counts> _stable = [];

    /// <summary>The canary's share of traffic now, in percent; the policy's router sets it.</summary>
    public int Weight { get; set; }

    /// <summary>The side's counts over the seconds [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public Counts Sum(bool canary, int from, int to)
    {
        Fill(to);
        var seconds = canary ? _canary : _stable;
        var sum = new Counts();
        for (var s = Math.Max(0, from); s < to; s++)
        {
            sum.Add(seconds[s]);
        }

        return sum;
    }

    private void Fill(int to)
    {
        for (var s = _canary.Count; s < Math.Min(to, stream.Seconds); s++)
        {
            var (canary, stable) = (new Counts(), new Counts());
            var share = Weight / 100.0;
            foreach (var request in stream.At(s))
            {
                var toCanary = request.Route < share;
                var side = toCanary ? canary : stable;
                var errorRate = toCanary ? scenario.CanaryErrorRate : Scenario.StableErrorRate;
                var latency = Math.Exp(Mu + Scenario.Sigma * request.Latency) * (toCanary ? scenario.CanaryLatencyFactor : 1);
                side.Record(request.Fail < errorRate, latency);
            }

            _canary.Add(canary);
            _stable.Add(stable);
        }
    }

    /// <summary>Requests, failures and the latency histogram (per bucket, not cumulative) of a span of seconds.</summary>
    internal sealed class Counts
    {
        public long Requests { get; private set; }

        public long Errors { get; private set; }

        public long[] Histogram { get; } = new long[Buckets.Length];

        public void Record(bool failed, double latencyMs)
        {
            Requests++;
            Errors += failed ? 1 : 0;
            var bucket = Array.BinarySearch(Buckets, latencyMs);
            Histogram[bucket >= 0 ? bucket : ~bucket]++;
        }

        public void Add(Counts other)
        {
            Requests += other.Requests;
            Errors += other.Errors;
            for (var b = 0; b < Histogram.Length; b++)
            {
                Histogram[b] += other.Histogram[b];
            }
        }

        /// <summary>Requests slower than <paramref name="bound"/>, one of the buckets' bounds: the count minus bucket{le=bound}.</summary>
        public long Above(double bound)
        {
            long atOrBelow = 0;
            for (var b = 0; b < Buckets.Length && Buckets[b] <= bound; b++)
            {
                atOrBelow += Histogram[b];
            }

            return Requests - atOrBelow;
        }

        /// <summary>The success rate in percent; NaN without requests (0/0, as Prometheus answers).</summary>
        public double SuccessRate => Requests == 0 ? double.NaN : 100.0 * (Requests - Errors) / Requests;

        /// <summary>
        /// The quantile as Prometheus's histogram_quantile computes it: find the bucket holding the rank,
        /// interpolate linearly within it; the highest finite bound when the rank falls in +Inf.
        /// </summary>
        public double Quantile(double q)
        {
            if (Requests == 0)
            {
                return double.NaN;
            }

            var rank = q * Requests;
            long below = 0;
            for (var b = 0; b < Buckets.Length; b++)
            {
                var inBucket = Histogram[b];
                if (below + inBucket >= rank && inBucket > 0)
                {
                    if (double.IsPositiveInfinity(Buckets[b]))
                    {
                        return Buckets[b - 1];
                    }

                    var lower = b == 0 ? 0 : Buckets[b - 1];
                    return lower + (Buckets[b] - lower) * ((rank - below) / inBucket);
                }

                below += inBucket;
            }

            return Buckets[^2];
        }
    }
}

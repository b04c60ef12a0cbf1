namespace CanaryPilot.Benchmarks.Judgement;

/// <summary>
/// The requests one trial offers a service, second by second, before any routing: each request has a
/// uniform draw that routes it (to the canary when below the canary's weight), one that decides whether
/// it fails, and a standard normal that sets its latency. Drawn once per trial and shared by every
/// scenario and policy (common random numbers): two policies that route a second with the same weight
/// see exactly the same requests, and a higher weight moves more of the same requests to the canary.
/// </summary>
internal sealed class RequestStream
{
    private readonly Request[][] _seconds;

    public RequestStream(int trial, double requestsPerSecond, int seconds)
        : this(trial, _ => requestsPerSecond, seconds)
    {
    }

    /// <summary>A stream whose rate changes over time: <paramref name="requestsPerSecond"/> of the second.</summary>
    public RequestStream(int trial, Func<int, double> requestsPerSecond, int seconds)
    {
        var random = new Random(unchecked((trial + 1) * 40503)); // a fixed seed per trial: runs repeat exactly
        _seconds = new Request[seconds][];
        for (var s = 0; s < seconds; s++)
        {
            var count = Poisson(random, requestsPerSecond(s));
            var requests = new Request[count];
            for (var i = 0; i < count; i++)
            {
                requests[i] = new Request(random.NextDouble(), random.NextDouble(), StandardNormal(random));
            }

            _seconds[s] = requests;
        }
    }

    public int Seconds => _seconds.Length;

    public ReadOnlySpan<Request> At(int second) => _seconds[second];

    private static int Poisson(Random random, double mean)
    {
        // Knuth's method is exact and fast enough for a few hundred per second; a normal
        // approximation would do above that, but exactness costs nothing here.
        if (mean > 500)
        {
            return Math.Max(0, (int)Math.Round(mean + Math.Sqrt(mean) * StandardNormal(random)));
        }

        var limit = Math.Exp(-mean);
        var count = 0;
        for (var product = random.NextDouble(); product > limit; product *= random.NextDouble())
        {
            count++;
        }

        return count;
    }

    private static double StandardNormal(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    internal readonly record struct Request(double Route, double Fail, double Latency);
}

using CanaryPilot.Core.Analysis.Statistics;

namespace CanaryPilot.Core.Tests.Analysis.Statistics;

/// <summary>
/// The confidence sequence on the canary's event-rate ratio, against SciPy (the reference values come from
/// rate_ratio_reference.py beside this file; its header says how to run it), and under the null over many looks.
/// </summary>
public sealed class RateRatioSequenceTests
{
    // /usr/bin/python3 tests/CanaryPilot.Core.Tests/Analysis/Statistics/rate_ratio_reference.py (SciPy 1.10.1)
    private const double LogLikelihoodAt1 = -40.34540516080871;
    private const double LogLikelihoodAt2 = -49.17816104247607;
    private const double EValueAbove1 = 0.15967700323913858;
    private const double EValueBelow1 = 5.8971879351303205;
    private const double EValueAbove12 = 0.12721712519914566;
    private const double EValueBelow03 = 0.20791314970053434;
    private const double Estimate = 0.5394960509544809;
    private const double Lower05 = 0.21627185237270205;
    private const double Upper05 = 1.1885022274370176;
    private const double Lower01 = 0.16982436524617447;
    private const double Upper01 = 1.428893958511102;

    private static RateRatioSequence Reference()
    {
        var sequence = new RateRatioSequence();
        sequence.Add(new IntervalCounts(3, 100, 12, 900));
        sequence.Add(new IntervalCounts(5, 480, 20, 520));
        sequence.Add(new IntervalCounts(0, 200, 7, 800));
        sequence.Add(new IntervalCounts(9, 500, 11, 500));
        return sequence;
    }

    [Fact]
    public void LikelihoodAndOneSidedEValues_MatchSciPy()
    {
        var sequence = Reference();

        Assert.Equal(LogLikelihoodAt1, sequence.LogLikelihood(0), 1e-9);
        Assert.Equal(LogLikelihoodAt2, sequence.LogLikelihood(Math.Log(2)), 1e-9);
        Assert.Equal(EValueAbove1, sequence.EValueAbove(1), 1e-9);
        Assert.Equal(EValueBelow1, sequence.EValueBelow(1), 1e-9);
        Assert.Equal(EValueAbove12, sequence.EValueAbove(1.2), 1e-9);
        Assert.Equal(EValueBelow03, sequence.EValueBelow(0.3), 1e-9);
    }

    [Theory]
    [InlineData(0.05, Lower05, Upper05)]
    [InlineData(0.01, Lower01, Upper01)]
    public void Interval_MatchesSciPy(double alpha, double lower, double upper)
    {
        var interval = Reference().Interval(alpha);

        Assert.Equal(Estimate, interval.Estimate, 1e-6);
        Assert.Equal(lower, interval.Lower, 1e-9);
        Assert.Equal(upper, interval.Upper, 1e-9);
    }

    [Fact]
    public void NoEvents_LeaveTheRatioUnbounded()
    {
        var sequence = new RateRatioSequence();
        sequence.Add(new IntervalCounts(0, 100, 0, 900));

        var interval = sequence.Interval(0.05);

        Assert.Equal((0.0, double.PositiveInfinity), (interval.Lower, interval.Upper));
        Assert.False(interval.Above(1) || interval.Below(1.1));
        Assert.Equal((100.0, 900.0), (sequence.CanaryRequests, sequence.StableRequests));
    }

    [Fact]
    public void OnlyStableErrors_BoundTheRatioFromAboveOnly()
    {
        var sequence = new RateRatioSequence();
        for (var i = 0; i < 30; i++)
        {
            sequence.Add(new IntervalCounts(0, 100, 9, 900));
        }

        var interval = sequence.Interval(0.05);

        Assert.Equal(0, interval.Lower);
        Assert.True(interval.Below(1), $"with 270 stable errors and none of the canary's, the ratio is below 1: {interval}");
    }

    [Fact]
    public void IntervalWithoutTrafficOnOneSide_IsLeftOut()
    {
        var sequence = new RateRatioSequence();
        sequence.Add(new IntervalCounts(4, 50, 0, 0));

        Assert.Equal(0, sequence.CanaryEvents);
        Assert.True(double.IsNaN(sequence.Interval(0.05).Estimate));
    }

    [Theory]
    [InlineData(-1, 0, 1, 1)]
    [InlineData(0, double.NaN, 1, 1)]
    [InlineData(0, 0, double.PositiveInfinity, 1)]
    public void NegativeOrNonFiniteCounts_AreRefused(double canary, double stable, double canaryRequests, double stableRequests) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new RateRatioSequence().Add(new IntervalCounts(canary, canaryRequests, stable, stableRequests)));

    /// <summary>
    /// The guarantee itself: identical canary and stable (0.5% errors, canary at 10%, 100 requests a second),
    /// looked at after every 10 s interval for 40 minutes; the share of streams in which the test ever
    /// says "worse than 1" stays within α.
    /// </summary>
    [Fact]
    public void UnderTheNull_FalseAlarmsOverEveryLook_StayWithinAlpha()
    {
        const double alpha = 0.05;
        const int streams = 400;
        var random = new Random(20261201);
        var alarms = 0;
        for (var stream = 0; stream < streams; stream++)
        {
            var sequence = new RateRatioSequence();
            for (var look = 0; look < 240; look++)
            {
                var canaryRequests = Poisson(random, 100);
                var stableRequests = Poisson(random, 900);
                sequence.Add(new IntervalCounts(Binomial(random, canaryRequests, 0.005), canaryRequests, Binomial(random, stableRequests, 0.005), stableRequests));
                if (sequence.Worse(1, alpha))
                {
                    alarms++;
                    break;
                }
            }
        }

        // Ville's inequality bounds the rate by α at every look at once (and conservatively).
        Assert.InRange(alarms / (double)streams, 0, alpha);
    }

    /// <summary>
    /// The other side: a canary with exactly twice stable's errors is "better than 2×" (the promotion margin
    /// of the example plan) in at most α of the streams, over every look.
    /// </summary>
    [Fact]
    public void AtThePromotionMargin_PassesOverEveryLook_StayWithinAlpha()
    {
        const double alpha = 0.05;
        const int streams = 400;
        var random = new Random(20261202);
        var passes = 0;
        for (var stream = 0; stream < streams; stream++)
        {
            var sequence = new RateRatioSequence();
            for (var look = 0; look < 240; look++)
            {
                var canaryRequests = Poisson(random, 100);
                var stableRequests = Poisson(random, 900);
                sequence.Add(new IntervalCounts(Binomial(random, canaryRequests, 0.01), canaryRequests, Binomial(random, stableRequests, 0.005), stableRequests));
                if (sequence.Better(2, alpha))
                {
                    passes++;
                    break;
                }
            }
        }

        Assert.InRange(passes / (double)streams, 0, alpha);
    }

    [Theory]
    [InlineData(0.05)]
    [InlineData(0.01)]
    public void TheDecisions_AreTheBounds(double alpha)
    {
        var sequence = Reference();
        var interval = sequence.Interval(alpha);

        foreach (var ratio in new[] { 0.1, 0.16, 0.17, 0.2, 0.2162, 0.2163, 0.5, 1, 1.18, 1.19, 1.42, 1.43, 3 })
        {
            Assert.Equal(interval.Above(ratio), sequence.Worse(ratio, alpha));
            Assert.Equal(interval.Below(ratio), sequence.Better(ratio, alpha));
            Assert.True(!sequence.Worse(ratio, alpha) || sequence.EValueAbove(ratio) >= 1 / alpha);
            Assert.True(!sequence.Better(ratio, alpha) || sequence.EValueBelow(ratio) >= 1 / alpha);
        }
    }

    [Fact]
    public void ACanaryWithTwiceTheErrors_IsFoundWorse()
    {
        var random = new Random(7);
        var sequence = new RateRatioSequence();
        var looks = 0;
        while (!sequence.Worse(1, 0.05) && looks < 1000)
        {
            var canaryRequests = Poisson(random, 500);
            var stableRequests = Poisson(random, 500);
            sequence.Add(new IntervalCounts(Binomial(random, canaryRequests, 0.01), canaryRequests, Binomial(random, stableRequests, 0.005), stableRequests));
            looks++;
        }

        Assert.InRange(looks, 1, 999);
        Assert.InRange(sequence.Interval(0.05).Estimate, 1.2, 4);
    }

    private static int Poisson(Random random, double mean)
    {
        // Knuth's method, in steps of 50 so exp(−mean) does not underflow.
        var count = 0;
        for (var left = mean; left > 0; left -= 50)
        {
            var limit = Math.Exp(-Math.Min(left, 50));
            var product = random.NextDouble();
            while (product > limit)
            {
                count++;
                product *= random.NextDouble();
            }
        }

        return count;
    }

    private static int Binomial(Random random, int trials, double p)
    {
        var count = 0;
        for (var i = 0; i < trials; i++)
        {
            if (random.NextDouble() < p)
            {
                count++;
            }
        }

        return count;
    }
}

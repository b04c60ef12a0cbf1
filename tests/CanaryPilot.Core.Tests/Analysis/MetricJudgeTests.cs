using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Plans;

namespace CanaryPilot.Core.Tests.Analysis;

public sealed class MetricJudgeTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private static readonly MetricSpec SuccessRate = new()
    {
        Name = "success-rate",
        Template = "istio-success-rate",
        Thresholds = new ValueRange { Min = 99 },
        Critical = new ValueRange { Min = 90 },
    };

    private static readonly MetricSpec Latency = new()
    {
        Name = "latency-p99",
        Template = "istio-request-duration-p99",
        Thresholds = new ValueRange { Max = 500 },
        CompareToStable = new StableComparison { MaxIncrease = 20, Mode = ComparisonMode.Relative },
    };

    private static Measurement Value(params double[] values) =>
        Measurement.Of("q", [.. values.Select(Sample.Scalar)]);

    private static Measurement Down() => Measurement.Failed("q", ProviderErrorKind.Unreachable, "connection refused");

    private static MetricVerdict Judge(MetricSpec metric, Measurement canary, Measurement? stable = null, Measurement? volume = null, int minVolume = 0) =>
        MetricJudge.Judge(metric, new MetricMeasurements(canary, stable, volume), minVolume, Window);

    [Theory]
    [InlineData(99.5, Verdict.Pass, false)]
    [InlineData(99, Verdict.Pass, false)]
    [InlineData(98.9, Verdict.Fail, false)]
    [InlineData(90, Verdict.Fail, false)]
    [InlineData(89.9, Verdict.Fail, true)]
    public void Judge_Thresholds_PassInsideFailOutsideCriticalBelowCritical(double value, Verdict expected, bool critical)
    {
        var verdict = Judge(SuccessRate, Value(value));

        Assert.Equal((expected, critical, value), (verdict.Verdict, verdict.CriticalBreached, verdict.Value));
    }

    [Fact]
    public void Judge_BelowThreshold_ReasonGivesValueAndThreshold()
    {
        Assert.Equal("98.5 is below 99 (thresholds >= 99)", Judge(SuccessRate, Value(98.5)).Reason);
    }

    [Theory]
    [InlineData(400, 340, Verdict.Pass)]   // +17.6%
    [InlineData(408, 340, Verdict.Pass)]   // +20% exactly
    [InlineData(420, 340, Verdict.Fail)]   // +23.5%
    [InlineData(200, 340, Verdict.Pass)]   // faster: no limit on a decrease
    [InlineData(510, 500, Verdict.Fail)]   // +2% but above the threshold of 500
    public void Judge_RelativeComparison_LimitsTheRiseAbovePercentOfStable(double canary, double stable, Verdict expected)
    {
        var verdict = Judge(Latency, Value(canary), Value(stable));

        Assert.Equal((expected, stable), (verdict.Verdict, verdict.StableValue));
    }

    [Fact]
    public void Judge_RelativeRiseTooLarge_ReasonGivesThePercentage()
    {
        var verdict = Judge(Latency, Value(420), Value(300));

        Assert.Equal("420 is within <= 500; 420 is 40% above stable 300 (more than the limit of 20%)", verdict.Reason);
    }

    [Theory]
    [InlineData(0.03, 0.02, Verdict.Pass)]
    [InlineData(0.031, 0.02, Verdict.Fail)]
    [InlineData(0.01, 0.0, Verdict.Pass)]
    public void Judge_AbsoluteComparison_LimitsTheRiseInTheMetricsUnit(double canary, double stable, Verdict expected)
    {
        var metric = new MetricSpec
        {
            Name = "errors",
            Template = "istio-error-rate-5xx",
            CompareToStable = new StableComparison { MaxIncrease = 0.01, Mode = ComparisonMode.Absolute },
        };

        Assert.Equal(expected, Judge(metric, Value(canary), Value(stable)).Verdict);
    }

    [Theory]
    [InlineData(97.0, 99.5, Verdict.Fail)]   // 2.5% below
    [InlineData(98.6, 99.5, Verdict.Pass)]   // 0.9% below
    public void Judge_MaxDecrease_LimitsTheFallBelowStable(double canary, double stable, Verdict expected)
    {
        var metric = new MetricSpec
        {
            Name = "success-rate",
            Template = "istio-success-rate",
            CompareToStable = new StableComparison { MaxDecrease = 1, Mode = ComparisonMode.Relative },
        };

        Assert.Equal(expected, Judge(metric, Value(canary), Value(stable)).Verdict);
    }

    [Theory]
    [InlineData(0.0, Verdict.Pass)]
    [InlineData(0.001, Verdict.Fail)]
    public void Judge_RelativeComparisonWithStableZero_PassesOnlyNoChange(double canary, Verdict expected)
    {
        var metric = new MetricSpec
        {
            Name = "errors",
            Template = "istio-error-rate-5xx",
            CompareToStable = new StableComparison { MaxIncrease = 50 },
        };

        Assert.Equal(expected, Judge(metric, Value(canary), Value(0)).Verdict);
    }

    public static TheoryData<Measurement, Verdict> NoUsableCanaryValue() => new()
    {
        { Value(), Verdict.Inconclusive },
        { Value(double.NaN), Verdict.Inconclusive },
        { Value(double.PositiveInfinity), Verdict.Inconclusive },
        { Value(double.NegativeInfinity), Verdict.Inconclusive },
        { Value(99.9, 99.8), Verdict.Inconclusive },
        { Down(), Verdict.Error },
    };

    [Theory]
    [MemberData(nameof(NoUsableCanaryValue))]
    public void Judge_NoUsableCanaryValue_IsNeverPass(Measurement canary, Verdict expected)
    {
        var verdict = Judge(SuccessRate, canary);

        Assert.Equal((expected, (double?)null), (verdict.Verdict, verdict.Value));
    }

    [Fact]
    public void Judge_NaN_SaysThereIsNoData()
    {
        Assert.Equal("no data: the canary value is NaN (0/0: no requests in the window?)", Judge(SuccessRate, Value(double.NaN)).Reason);
    }

    [Theory]
    [MemberData(nameof(NoUsableCanaryValue))]
    public void Judge_NoUsableStableValue_CannotPassTheComparison(Measurement stable, Verdict expected)
    {
        var verdict = Judge(Latency, Value(300), stable);

        Assert.Equal((expected, 300.0), (verdict.Verdict, verdict.Value));
    }

    [Fact]
    public void Judge_ThresholdFailsWhileStableIsDown_IsStillFail()
    {
        Assert.Equal(Verdict.Fail, Judge(Latency, Value(900), Down()).Verdict);
    }

    [Theory]
    [InlineData(19, Verdict.Inconclusive)]
    [InlineData(20, Verdict.Pass)]
    public void Judge_MinRequestVolume_HoldsJudgementUntilEnoughTraffic(double requests, Verdict expected)
    {
        var verdict = Judge(SuccessRate, Value(99.9), volume: Value(requests), minVolume: 20);

        Assert.Equal((expected, requests), (verdict.Verdict, verdict.RequestCount));
    }

    [Fact]
    public void Judge_TooLittleTraffic_WinsOverACriticalValue()
    {
        var verdict = Judge(SuccessRate, Value(10), volume: Value(3), minVolume: 20);

        Assert.Equal((Verdict.Inconclusive, false), (verdict.Verdict, verdict.CriticalBreached));
        Assert.Equal("too little traffic: the canary served 3 requests in 1m; at least 20 are needed to judge", verdict.Reason);
    }

    [Theory]
    [InlineData(double.NaN, Verdict.Inconclusive)]
    [InlineData(double.PositiveInfinity, Verdict.Inconclusive)]
    public void Judge_RequestVolumeWithoutValue_IsInconclusive(double requests, Verdict expected)
    {
        Assert.Equal(expected, Judge(SuccessRate, Value(99.9), volume: Value(requests), minVolume: 20).Verdict);
    }

    [Fact]
    public void Judge_RequestVolumeQueryFailed_IsError()
    {
        Assert.Equal(Verdict.Error, Judge(SuccessRate, Value(99.9), volume: Down(), minVolume: 20).Verdict);
    }

    [Fact]
    public void Judge_RuleOff_IgnoresTheVolume()
    {
        Assert.Equal(Verdict.Pass, Judge(SuccessRate, Value(99.9), volume: Value(0), minVolume: 0).Verdict);
    }

    [Fact]
    public void Verdict_OfAnalysis_FailBeatsErrorBeatsInconclusiveBeatsPass()
    {
        MetricVerdict Of(Verdict verdict) => Judge(SuccessRate, Value(99.9)) with { Verdict = verdict };
        var at = DateTimeOffset.UnixEpoch;

        Assert.Equal(
            [Verdict.Inconclusive, Verdict.Pass, Verdict.Fail, Verdict.Error, Verdict.Inconclusive],
            new[]
            {
                new AnalysisResult(at, []),
                new AnalysisResult(at, [Of(Verdict.Pass), Of(Verdict.Pass)]),
                new AnalysisResult(at, [Of(Verdict.Error), Of(Verdict.Fail), Of(Verdict.Inconclusive)]),
                new AnalysisResult(at, [Of(Verdict.Inconclusive), Of(Verdict.Error), Of(Verdict.Pass)]),
                new AnalysisResult(at, [Of(Verdict.Pass), Of(Verdict.Inconclusive)]),
            }.Select(r => r.Verdict));
    }
}

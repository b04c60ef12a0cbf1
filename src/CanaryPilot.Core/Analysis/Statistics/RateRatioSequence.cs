namespace CanaryPilot.Core.Analysis.Statistics;

/// <summary>
/// An anytime-valid confidence sequence on ρ, the ratio of the canary's event rate (errors, or requests
/// slower than a bound) to stable's, from counts per interval.
/// </summary>
/// <remarks>
/// <para>
/// The model (see docs/judgement.md): each version's events are a Poisson process whose rate is its
/// traffic times its event rate, so given the <c>n</c> events of an interval in which the canary served the
/// share <c>s</c> of the requests, the canary's count is Binomial(n, θ) with θ = sρ / (sρ + 1 − s), that is
/// θ = σ(log ρ + logit s). A load pattern both versions see cancels; every interval brings its own share,
/// so stage changes and load changes are exact.
/// </para>
/// <para>
/// The likelihood of x = log ρ is mixed over a normal prior N(0, <see cref="PriorScale"/>²) on a grid. For
/// every ρ₀ the mixture over the likelihood at ρ₀ is a nonnegative martingale under ρ₀ (its expectation is
/// one), so by Ville's inequality the set { ρ : L(ρ) &gt; α·∫L dπ } covers the true ratio at every look at
/// once with probability at least 1 − α. The log-likelihood is concave in log ρ, so the set is an interval,
/// whose ends are found by bisection on the exact likelihood (the grid serves the mixture only).
/// </para>
/// </remarks>
public sealed class RateRatioSequence
{
    /// <summary>The mixture's grid spans ratios from 1/<see cref="GridRange"/> to <see cref="GridRange"/>.</summary>
    public const double GridRange = 1000;

    private const int GridPoints = 601;
    private static readonly double GridLimit = Math.Log(GridRange);

    private readonly double[] _gridX = new double[GridPoints];
    private readonly double[] _gridLogWeight = new double[GridPoints];
    private readonly double[] _gridLogLikelihood = new double[GridPoints];
    private readonly List<(double Canary, double Stable, double LogitShare)> _intervals = [];

    public RateRatioSequence(double priorScale = 1.0)
    {
        if (!(priorScale > 0) || !double.IsFinite(priorScale))
        {
            throw new ArgumentOutOfRangeException(nameof(priorScale), priorScale, "the prior's scale must be a positive number");
        }

        PriorScale = priorScale;
        var logWeights = new double[GridPoints];
        for (var k = 0; k < GridPoints; k++)
        {
            var x = -GridLimit + (2 * GridLimit * k / (GridPoints - 1));
            _gridX[k] = x;
            logWeights[k] = -0.5 * (x / priorScale) * (x / priorScale);
        }

        var normalizer = LogSumExp(logWeights);
        for (var k = 0; k < GridPoints; k++)
        {
            _gridLogWeight[k] = logWeights[k] - normalizer;
        }
    }

    /// <summary>The standard deviation of the mixing prior on log ρ: the effects found fastest are near it.</summary>
    public double PriorScale { get; }

    /// <summary>The canary's events counted so far (in intervals where both versions served requests).</summary>
    public double CanaryEvents { get; private set; }

    /// <summary>Stable's events counted so far (in intervals where both versions served requests).</summary>
    public double StableEvents { get; private set; }

    public double CanaryRequests { get; private set; }

    public double StableRequests { get; private set; }

    /// <summary>
    /// Adds one interval. An interval in which either version served no requests says nothing about the
    /// ratio and is left out; so is one without events.
    /// </summary>
    public void Add(IntervalCounts counts)
    {
        counts.Check();
        if (counts.CanaryRequests <= 0 || counts.StableRequests <= 0)
        {
            return;
        }

        CanaryRequests += counts.CanaryRequests;
        StableRequests += counts.StableRequests;
        if (counts.CanaryEvents + counts.StableEvents <= 0)
        {
            return;
        }

        var logitShare = Math.Log(counts.CanaryRequests) - Math.Log(counts.StableRequests);
        _intervals.Add((counts.CanaryEvents, counts.StableEvents, logitShare));
        CanaryEvents += counts.CanaryEvents;
        StableEvents += counts.StableEvents;
        for (var k = 0; k < GridPoints; k++)
        {
            _gridLogLikelihood[k] += Term(counts.CanaryEvents, counts.StableEvents, _gridX[k] + logitShare);
        }
    }

    /// <summary>The log-likelihood of ρ = e^<paramref name="logRatio"/> given every interval so far (zero before any event).</summary>
    public double LogLikelihood(double logRatio)
    {
        var sum = 0.0;
        foreach (var (canary, stable, logitShare) in _intervals)
        {
            sum += Term(canary, stable, logRatio + logitShare);
        }

        return sum;
    }

    /// <summary>log ∫ L(ρ) dπ(ρ): the mixture's log-likelihood.</summary>
    public double LogMixture()
    {
        var terms = new double[GridPoints];
        for (var k = 0; k < GridPoints; k++)
        {
            terms[k] = _gridLogWeight[k] + _gridLogLikelihood[k];
        }

        return LogSumExp(terms);
    }

    /// <summary>The e-value against ρ = <paramref name="ratio"/>: the mixture's likelihood over the likelihood at it.</summary>
    public double EValue(double ratio) => Math.Exp(LogMixture() - LogLikelihood(Math.Log(ratio)));

    /// <summary>
    /// The estimate of ρ (the likelihood's maximum) and the confidence sequence's bounds at level
    /// 1 − <paramref name="alpha"/>; a bound is 0 or +∞ while the counts cannot set it.
    /// </summary>
    public RatioInterval Interval(double alpha)
    {
        if (!(alpha is > 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha must lie between 0 and 1");
        }

        if (_intervals.Count == 0)
        {
            return new RatioInterval(double.NaN, 0, double.PositiveInfinity);
        }

        var threshold = Math.Log(alpha) + LogMixture();
        var best = Maximum();
        var top = LogLikelihood(best);
        if (top <= threshold)
        {
            // Cannot happen (the mixture never exceeds the maximum), but rounding must not invert the interval.
            return new RatioInterval(Math.Exp(best), Math.Exp(best), Math.Exp(best));
        }

        var lower = Bound(best, -2 * GridLimit, threshold);
        var upper = Bound(best, 2 * GridLimit, threshold);
        return new RatioInterval(Math.Exp(best), lower is { } l ? Math.Exp(l) : 0, upper is { } u ? Math.Exp(u) : double.PositiveInfinity);
    }

    /// <summary>One interval's binomial log-likelihood (without its constant), θ = σ(z).</summary>
    private static double Term(double canary, double stable, double z) => (canary * LogSigmoid(z)) + (stable * LogSigmoid(-z));

    /// <summary>log σ(z), stable at both ends.</summary>
    private static double LogSigmoid(double z) => z >= 0 ? -Math.Log(1 + Math.Exp(-z)) : z - Math.Log(1 + Math.Exp(z));

    /// <summary>The maximum of the concave log-likelihood, searched within twice the grid's range.</summary>
    private double Maximum()
    {
        double low = -2 * GridLimit, high = 2 * GridLimit;
        for (var i = 0; i < 200 && high - low > 1e-10; i++)
        {
            var middle = (low + high) / 2;
            if (Slope(middle) > 0)
            {
                low = middle;
            }
            else
            {
                high = middle;
            }
        }

        return (low + high) / 2;
    }

    /// <summary>d/dx of the log-likelihood: Σ c·(1 − θ) − s·θ.</summary>
    private double Slope(double logRatio)
    {
        var sum = 0.0;
        foreach (var (canary, stable, logitShare) in _intervals)
        {
            var theta = 1 / (1 + Math.Exp(-(logRatio + logitShare)));
            sum += (canary * (1 - theta)) - (stable * theta);
        }

        return sum;
    }

    /// <summary>Where the log-likelihood falls to <paramref name="threshold"/> between the maximum and <paramref name="far"/>; null if it does not.</summary>
    private double? Bound(double best, double far, double threshold)
    {
        if (LogLikelihood(far) > threshold)
        {
            return null;
        }

        double inside = best, outside = far;
        for (var i = 0; i < 200 && Math.Abs(outside - inside) > 1e-10; i++)
        {
            var middle = (inside + outside) / 2;
            if (LogLikelihood(middle) > threshold)
            {
                inside = middle;
            }
            else
            {
                outside = middle;
            }
        }

        // The outer end: the interval is never narrower than the exact one.
        return outside;
    }

    private static double LogSumExp(double[] values)
    {
        var max = values.Max();
        if (double.IsNegativeInfinity(max))
        {
            return max;
        }

        var sum = 0.0;
        foreach (var value in values)
        {
            sum += Math.Exp(value - max);
        }

        return max + Math.Log(sum);
    }
}

/// <summary>
/// One interval's counts for both versions (a stage's, for the sequential judge): their events (errors, or
/// requests slower than a bound) and their requests. Counters' increases, so never negative.
/// </summary>
public readonly record struct IntervalCounts(double CanaryEvents, double CanaryRequests, double StableEvents, double StableRequests)
{
    /// <summary>The counts of two adjacent intervals as one.</summary>
    public static IntervalCounts operator +(IntervalCounts a, IntervalCounts b) =>
        new(a.CanaryEvents + b.CanaryEvents, a.CanaryRequests + b.CanaryRequests, a.StableEvents + b.StableEvents, a.StableRequests + b.StableRequests);

    internal void Check()
    {
        foreach (var (value, name) in new[] { (CanaryEvents, nameof(CanaryEvents)), (StableEvents, nameof(StableEvents)), (CanaryRequests, nameof(CanaryRequests)), (StableRequests, nameof(StableRequests)) })
        {
            if (!(value >= 0) || !double.IsFinite(value))
            {
                throw new ArgumentOutOfRangeException(name, value, "a count is a finite number, zero or more");
            }
        }
    }
}

/// <summary>An estimate of the rate ratio ρ and its confidence bounds (0 and +∞ when not yet set).</summary>
public readonly record struct RatioInterval(double Estimate, double Lower, double Upper)
{
    /// <summary>Confident that the canary is worse than <paramref name="tolerance"/> allows: every ratio up to it is excluded.</summary>
    public bool Above(double tolerance) => Lower > tolerance;

    /// <summary>Confident that the canary is not worse than <paramref name="tolerance"/> allows (non-inferiority).</summary>
    public bool Below(double tolerance) => Upper < tolerance;
}

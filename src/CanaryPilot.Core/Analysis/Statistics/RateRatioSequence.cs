namespace CanaryPilot.Core.Analysis.Statistics;

/// <summary>
/// Anytime-valid one-sided tests and confidence bounds on ρ, the ratio of the canary's event rate (errors,
/// or requests slower than a bound) to stable's, from counts per interval.
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
/// Two one-sided tests, one per decision. "Worse than ρ₀" mixes the likelihood ratios L(ρ)/L(ρ₀) over
/// ratios above ρ₀ only, log ρ − log ρ₀ = δ with δ half-normal of scale <see cref="PriorScale"/>
/// (discretized on the grid's steps, the weights summing to one); "better than ρ₀" mixes those below. The
/// binomial family has a monotone likelihood ratio, so for every ρ at or below ρ₀ each L(ρ₀e^δ)/L(ρ₀) is a
/// nonnegative supermartingale, and so is their mixture: by Ville's inequality it reaches 1/α with
/// probability at most α, at any look, however many. The composite null "ρ ≤ ρ₀" is tested, not a point.
/// </para>
/// <para>
/// The log-likelihood is concave in log ρ, so the e-value for "worse than ρ₀" falls as ρ₀ rises: the ρ₀
/// it rejects form a range below the lower bound, which is found by bisection over the grid and reported
/// at the rejected grid point nearest to it (never above the exact bound; within one step, 1.2%, of it).
/// The upper bound likewise. Each bound holds at level 1 − α on its own.
/// </para>
/// </remarks>
public sealed class RateRatioSequence
{
    /// <summary>The grid spans ratios from 1/<see cref="GridRange"/> to <see cref="GridRange"/>.</summary>
    public const double GridRange = 1000;

    /// <summary>The default scale of the half-normal mixing prior on log ρ − log ρ₀, chosen with the judgement suite.</summary>
    public const double DefaultPriorScale = 0.5;

    private const int GridPoints = 1201;
    private static readonly double GridLimit = Math.Log(GridRange);
    private static readonly double Step = 2 * GridLimit / (GridPoints - 1);

    private readonly double[] _gridLogLikelihood = new double[GridPoints];
    private readonly double[] _offsetLogWeight;
    private readonly List<(double Canary, double Stable, double LogitShare)> _intervals = [];

    public RateRatioSequence(double priorScale = DefaultPriorScale)
    {
        if (!(priorScale > 0) || !double.IsFinite(priorScale))
        {
            throw new ArgumentOutOfRangeException(nameof(priorScale), priorScale, "the prior's scale must be a positive number");
        }

        PriorScale = priorScale;
        // Offsets of 1 to ⌈6τ/step⌉ steps: the half-normal beyond six scales weighs nothing.
        var offsets = Math.Max(1, (int)Math.Ceiling(6 * priorScale / Step));
        var logWeights = new double[offsets];
        for (var k = 0; k < offsets; k++)
        {
            var delta = (k + 1) * Step;
            logWeights[k] = -0.5 * (delta / priorScale) * (delta / priorScale);
        }

        var normalizer = LogSumExp(logWeights);
        _offsetLogWeight = [.. logWeights.Select(w => w - normalizer)];
    }

    /// <summary>The scale of the half-normal mixing prior on log ρ − log ρ₀: effects near it are found fastest.</summary>
    public double PriorScale { get; }

    /// <summary>The canary's events counted so far (in intervals where both versions served requests).</summary>
    public double CanaryEvents { get; private set; }

    /// <summary>Stable's events counted so far (in intervals where both versions served requests).</summary>
    public double StableEvents { get; private set; }

    public double CanaryRequests { get; private set; }

    public double StableRequests { get; private set; }

    /// <summary>The grid's log ratios: log ρ at point <paramref name="index"/>.</summary>
    private static double GridLogRatio(int index) => -GridLimit + (index * Step);

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
            _gridLogLikelihood[k] += Term(counts.CanaryEvents, counts.StableEvents, GridLogRatio(k) + logitShare);
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

    /// <summary>The e-value for "ρ is above <paramref name="ratio"/>" (against every ratio at or below it); 1/α or more is conclusive at level α.</summary>
    public double EValueAbove(double ratio) => Math.Exp(LogEValue(Math.Log(ratio), +1));

    /// <summary>The e-value for "ρ is below <paramref name="ratio"/>" (against every ratio at or above it).</summary>
    public double EValueBelow(double ratio) => Math.Exp(LogEValue(Math.Log(ratio), -1));

    /// <summary>
    /// Whether the test is confident at level 1 − <paramref name="alpha"/> that ρ is above <paramref name="ratio"/>:
    /// the first grid point above the ratio is rejected, exactly when the lower bound of <see cref="Interval"/>
    /// is above it. By the monotone e-value, the ratio itself is then rejected too.
    /// </summary>
    public bool Worse(double ratio, double alpha) =>
        _intervals.Count > 0 && GridAbove(Math.Log(ratio)) is { } j && LogEValueAtGrid(j, +1) >= -Math.Log(alpha);

    /// <summary>Whether the test is confident at level 1 − <paramref name="alpha"/> that ρ is below <paramref name="ratio"/>; the mirror of <see cref="Worse"/>.</summary>
    public bool Better(double ratio, double alpha) =>
        _intervals.Count > 0 && GridBelow(Math.Log(ratio)) is { } j && LogEValueAtGrid(j, -1) >= -Math.Log(alpha);

    /// <summary>The first grid point strictly above <paramref name="x"/>; null past the grid.</summary>
    private static int? GridAbove(double x)
    {
        var j = (int)Math.Floor((x + GridLimit) / Step) + 1;
        while (j > 0 && GridLogRatio(j - 1) > x)
        {
            j--;
        }

        return j is >= 0 and < GridPoints ? j : j < 0 ? 0 : null;
    }

    /// <summary>The last grid point strictly below <paramref name="x"/>; null before the grid.</summary>
    private static int? GridBelow(double x)
    {
        var j = (int)Math.Ceiling((x + GridLimit) / Step) - 1;
        while (j < GridPoints - 1 && GridLogRatio(j + 1) < x)
        {
            j++;
        }

        return j is >= 0 and < GridPoints ? j : j >= GridPoints ? GridPoints - 1 : null;
    }

    /// <summary>
    /// The estimate of ρ (the likelihood's maximum) and its one-sided bounds, each at level 1 − <paramref name="alpha"/>;
    /// a bound is 0 or +∞ while the counts cannot set it.
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

        var threshold = -Math.Log(alpha);
        var lower = Bound(+1, threshold);
        var upper = Bound(-1, threshold);
        return new RatioInterval(
            Math.Exp(Maximum()),
            lower is { } l ? Math.Exp(GridLogRatio(l)) : 0,
            upper is { } u ? Math.Exp(GridLogRatio(u)) : double.PositiveInfinity);
    }

    /// <summary>
    /// log of the one-sided mixture at x₀ = log ρ₀: Σ w_k L(x₀ ± kΔ)/L(x₀) over the grid's steps Δ, exact at
    /// any x₀ (the likelihood is computed, not looked up).
    /// </summary>
    private double LogEValue(double x0, int direction)
    {
        if (_intervals.Count == 0)
        {
            return 0;
        }

        var at = LogLikelihood(x0);
        var terms = new double[_offsetLogWeight.Length];
        for (var k = 0; k < terms.Length; k++)
        {
            terms[k] = _offsetLogWeight[k] + LogLikelihood(x0 + (direction * (k + 1) * Step)) - at;
        }

        return LogSumExp(terms);
    }

    /// <summary>The same mixture at grid point <paramref name="index"/>, from the grid's likelihoods; offsets beyond the grid are left out, which only lowers it.</summary>
    private double LogEValueAtGrid(int index, int direction)
    {
        var terms = new List<double>(_offsetLogWeight.Length);
        for (var k = 0; k < _offsetLogWeight.Length; k++)
        {
            var j = index + (direction * (k + 1));
            if (j is < 0 or >= GridPoints)
            {
                break;
            }

            terms.Add(_offsetLogWeight[k] + _gridLogLikelihood[j] - _gridLogLikelihood[index]);
        }

        return terms.Count == 0 ? double.NegativeInfinity : LogSumExp([.. terms]);
    }

    /// <summary>
    /// The lower bound (direction +1: the highest grid point whose "above" e-value reaches the threshold) or
    /// the upper (−1: the lowest whose "below" e-value does); null when no grid point is rejected. The
    /// e-value is monotone along the grid (the likelihood is concave), so bisection finds it.
    /// </summary>
    private int? Bound(int direction, double threshold)
    {
        bool Rejected(int index) => LogEValueAtGrid(index, direction) >= threshold;

        var (first, last) = direction > 0 ? (0, GridPoints - 1) : (GridPoints - 1, 0);
        if (!Rejected(first))
        {
            return null;
        }

        if (Rejected(last))
        {
            return last;
        }

        // Rejected at `inside`, not at `outside`.
        int inside = first, outside = last;
        while (Math.Abs(outside - inside) > 1)
        {
            var middle = (inside + outside) / 2;
            if (Rejected(middle))
            {
                inside = middle;
            }
            else
            {
                outside = middle;
            }
        }

        return inside;
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

/// <summary>An estimate of the rate ratio ρ and its one-sided confidence bounds (0 and +∞ when not yet set).</summary>
public readonly record struct RatioInterval(double Estimate, double Lower, double Upper)
{
    /// <summary>Confident that the canary is worse than <paramref name="tolerance"/> allows: every ratio up to it is excluded.</summary>
    public bool Above(double tolerance) => Lower > tolerance;

    /// <summary>Confident that the canary is not worse than <paramref name="tolerance"/> allows (non-inferiority).</summary>
    public bool Below(double tolerance) => Upper < tolerance;
}

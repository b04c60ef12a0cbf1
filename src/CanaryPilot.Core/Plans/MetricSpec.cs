namespace CanaryPilot.Core.Plans;

/// <summary>One metric that must hold: a template, its arguments, and how its value is judged.</summary>
public sealed record MetricSpec
{
    /// <summary>Unique within the plan; shown in every decision.</summary>
    public required string Name { get; init; }

    /// <summary>An AnalysisTemplate: shipped in <c>analysis-templates/</c>, given with <c>-f</c>, or in the cluster.</summary>
    public required string Template { get; init; }

    /// <summary>Values for the template's declared arguments.</summary>
    public IReadOnlyDictionary<string, string> Args { get; init; } = new Dictionary<string, string>();

    /// <summary>The range window of the query (<c>{{ interval }}</c>); defaults to the analysis interval.</summary>
    public TimeSpan? Window { get; init; }

    /// <summary>The canary's value must lie within this range.</summary>
    public ValueRange? Thresholds { get; init; }

    /// <summary>The canary's value may differ from the stable's by at most this much.</summary>
    public StableComparison? CompareToStable { get; init; }

    /// <summary>A value outside this range rolls back at once, whatever the failure limit.</summary>
    public ValueRange? Critical { get; init; }

    /// <summary>How <c>compareToStable</c> is judged; the analysis's <c>judge</c> unless set.</summary>
    public Judge? Judge { get; init; }

    /// <summary>The sequential judge's confidence (0.5 to 1, exclusive); the analysis's <c>confidence</c> unless set.</summary>
    public double? Confidence { get; init; }
}

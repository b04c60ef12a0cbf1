namespace CanaryPilot.Core.Analysis;

/// <summary>A rendered query, or why the template could not be rendered with the values given.</summary>
public sealed record QueryRendering(string? Query, string? Problem)
{
    public static QueryRendering Of(string query) => new(query, null);

    public static QueryRendering Failed(string problem) => new(null, problem);
}

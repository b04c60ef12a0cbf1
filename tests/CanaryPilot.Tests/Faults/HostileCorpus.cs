namespace CanaryPilot.Tests.Faults;

/// <summary>
/// One file of tests/corpus/hostile: what it attacks, which commands must refuse it, and the one line
/// they must print (see the corpus's README).
/// </summary>
internal sealed record HostileCorpus(string Path, string Attacks, IReadOnlyList<string> Commands, string Expected, string LintSummary)
{
    public const string DefaultLintSummary = "0 resources checked: 1 error, 0 warnings";

    public static string Directory { get; } = Repository.Path("tests", "corpus", "hostile");

    /// <summary>The corpus's files, by name.</summary>
    public static IEnumerable<string> Names(string subdirectory = "") =>
        System.IO.Directory.EnumerateFiles(System.IO.Path.Combine(Directory, subdirectory))
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".json", StringComparison.Ordinal))
            .Select(f => System.IO.Path.GetFileName(f))
            .Order(StringComparer.Ordinal);

    public static HostileCorpus Read(string name)
    {
        var path = System.IO.Path.Combine(Directory, name);
        var header = Header(File.Exists(path + ".expect") ? path + ".expect" : path);
        return new HostileCorpus(
            path,
            header["attacks"],
            header["commands"].Split(' ', StringSplitOptions.RemoveEmptyEntries),
            System.IO.Path.Combine(Directory, header["expect"]),
            header.GetValueOrDefault("lint-summary", DefaultLintSummary));
    }

    /// <summary>The <c># key: value</c> lines a file starts with.</summary>
    public static Dictionary<string, string> Header(string path) =>
        File.ReadLines(path)
            .TakeWhile(l => l.StartsWith("# ", StringComparison.Ordinal))
            .Select(l => l[2..].Split(": ", 2))
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
}

using System.Text;

namespace CanaryPilot.Tests.Commands;

/// <summary>
/// Whatever a user points the commands at, they answer with exit 2 and one short line per
/// problem: never a stack trace, a hang or a crash.
/// </summary>
public sealed class BadInputTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("canarypilot-bad-input-");

    public void Dispose() => _directory.Delete(recursive: true);

    public static TheoryData<string, string> Cases() => new()
    {
        { "missing", "missing.yaml: no such file or directory" },
        { "empty", "empty.yaml: file is empty" },
        { "binary", "binary.yaml: binary file (a NUL byte at offset 8); expected YAML or JSON text" },
        { "huge", "huge.yaml: file is 10 MiB; input files may be at most 4 MiB (a Kubernetes object is at most 1.5 MiB)" },
        { "alias-bomb", "alias-bomb.yaml:7:10: document expands to more than 1,000,000 nodes (aliases repeated without bound?)" },
        { "deep", "deep.yaml:1:101: nesting deeper than 100 levels" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Validate_BadFile_ExitsTwoWithOneLine(string kind, string expected)
    {
        var run = CliRun.Of("validate", "-f", Make(kind));

        Assert.Equal(2, run.ExitCode);
        Assert.Equal([Prefixed(expected)], run.ErrorLines);
        Assert.Empty(run.Out);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Lint_BadFile_ExitsTwoWithOneLine(string kind, string expected)
    {
        var run = CliRun.Of("lint", "-f", Make(kind));

        Assert.Equal(2, run.ExitCode);
        Assert.Equal([Prefixed(expected), "0 resources checked: 1 error, 0 warnings"], run.OutLines);
    }

    [Theory]
    [InlineData("validate")]
    [InlineData("lint")]
    public void DirectoryOfMixedFiles_ReportsEveryBadFileAndExitsTwo(string command)
    {
        var examples = Repository.Path("deploy", "examples", "bookinfo");
        foreach (var file in Directory.EnumerateFiles(examples))
        {
            File.Copy(file, Path.Combine(_directory.FullName, Path.GetFileName(file)));
        }

        Make("binary");
        Make("empty");
        File.WriteAllText(Path.Combine(_directory.FullName, "broken.yml"), "spec: [oops\n");
        File.WriteAllText(Path.Combine(_directory.FullName, "notes.txt"), "skipped: not a .yaml file");

        var run = CliRun.Of(command, "-f", _directory.FullName);

        Assert.Equal(2, run.ExitCode);
        var problems = (command == "validate" ? run.ErrorLines : run.OutLines).Where(l => l.StartsWith(_directory.FullName, StringComparison.Ordinal));
        Assert.Equal(
            [
                Prefixed("binary.yaml: binary file (a NUL byte at offset 8); expected YAML or JSON text"),
                Prefixed("broken.yml:2:1: invalid YAML: While parsing a flow sequence, did not find expected ',' or ']'."),
                Prefixed("empty.yaml: file is empty"),
            ],
            problems);
        Assert.DoesNotContain("   at ", run.Out + run.Error, StringComparison.Ordinal);
    }

    private string Prefixed(string message) => Path.Combine(_directory.FullName, message);

    private string Make(string kind)
    {
        var path = Path.Combine(_directory.FullName, kind + ".yaml");
        switch (kind)
        {
            case "missing":
                break;
            case "empty":
                File.WriteAllText(path, "");
                break;
            case "binary":
                File.WriteAllBytes(path, [0x7F, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 3, 0, 0, 0]);
                break;
            case "huge":
                var line = Encoding.UTF8.GetBytes("# padding padding padding padding padding padding padding padding\n");
                using (var stream = File.Create(path))
                {
                    while (stream.Length < 10 * 1024 * 1024)
                    {
                        stream.Write(line);
                    }

                    stream.SetLength(10 * 1024 * 1024);
                }

                break;
            case "alias-bomb":
                var lines = new List<string> { "a0: &a0 [x, x, x, x, x, x, x, x, x]" };
                for (var i = 1; i < 10; i++)
                {
                    lines.Add($"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 9))}]");
                }

                File.WriteAllLines(path, lines);
                break;
            case "deep":
                File.WriteAllText(path, new string('[', 100_000) + new string(']', 100_000));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }

        return path;
    }
}

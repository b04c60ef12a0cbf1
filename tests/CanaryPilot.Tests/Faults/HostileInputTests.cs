using System.Text.Json.Nodes;
using CanaryPilot.Sandbox.KubeApi;
using CanaryPilot.Tests.EndToEnd;
using k8s;

namespace CanaryPilot.Tests.Faults;

/// <summary>
/// Every file of the hostile corpus (and those too big or binary to keep there, made here) is refused
/// by every command that reads it with exit 2 and exactly one line naming the file — never a stack
/// trace — and <c>run</c> writes nothing to the cluster: no RolloutPlan, the VirtualService byte for byte
/// as it was.
/// </summary>
public sealed class HostileInputTests(HostileInputTests.Cluster cluster) : IClassFixture<HostileInputTests.Cluster>, IDisposable
{
    private readonly DirectoryInfo _generated = Directory.CreateTempSubdirectory("canarypilot-hostile-");

    /// <summary>The cluster and Prometheus <c>run</c> and <c>analyze</c> are pointed at, one for the class.</summary>
    public sealed class Cluster : IAsyncLifetime
    {
        internal RolloutTestBed Bed { get; private set; } = null!;

        public async Task InitializeAsync() => Bed = await RolloutTestBed.StartAsync(RolloutTestBed.Healthy, api: new KubeApiOptions { Audit = true });

        public async Task DisposeAsync() => await Bed.DisposeAsync();
    }

    public void Dispose() => _generated.Delete(recursive: true);

    public static TheoryData<string> Corpus(string command) => [.. HostileCorpus.Names().Where(n => HostileCorpus.Read(n).Commands.Contains(command))];

    /// <summary>Files made at run time: their name, the line every command prints, and whether lint reads them (it skips plans).</summary>
    public static TheoryData<string, string, bool> Generated() => new()
    {
        { "huge.yaml", "huge.yaml: file is 10 MiB; input files may be at most 4 MiB (a Kubernetes object is at most 1.5 MiB)", true },
        { "binary.yaml", "binary.yaml: binary file (a NUL byte at offset 8); expected YAML or JSON text", true },
        { "nul-byte.yaml", "nul-byte.yaml: binary file (a NUL byte at offset 74); expected YAML or JSON text", true },
        { "invalid-utf8.yaml", "invalid-utf8.yaml: not UTF-8 text (invalid byte at offset 71); expected YAML or JSON", true },
        { "name-of-3-mib.yaml", "name-of-3-mib.yaml:3:18: metadata.name: \"rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr…\" (3,145,728 characters) is not a valid name: use at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit", false },
    };

    [Fact]
    public void Corpus_EveryFileSaysWhatItAttacksWhoRefusesItAndHow()
    {
        var files = HostileCorpus.Names().Select(HostileCorpus.Read).ToList();

        Assert.NotEmpty(files);
        Assert.All(files, f =>
        {
            Assert.NotEmpty(f.Attacks);
            Assert.NotEmpty(f.Commands);
            Assert.Subset(new HashSet<string>(["validate", "lint", "run", "analyze"]), f.Commands.ToHashSet());
            Assert.StartsWith(f.Path, f.Expected, StringComparison.Ordinal);
        });
        // Kept small: what is big is made at run time.
        Assert.All(Directory.EnumerateFiles(HostileCorpus.Directory, "*", SearchOption.AllDirectories), f => Assert.True(new FileInfo(f).Length < 16 * 1024, f));
    }

    [Theory]
    [MemberData(nameof(Corpus), "validate")]
    public void Validate_CorpusFile_ExitsTwoWithOneLine(string name)
    {
        var file = HostileCorpus.Read(name);

        AssertRefused(CliRun.Of("validate", "-f", file.Path), file.Expected);
    }

    [Theory]
    [MemberData(nameof(Corpus), "lint")]
    public void Lint_CorpusFile_ExitsTwoWithTheFindingAndTheSummary(string name)
    {
        var file = HostileCorpus.Read(name);

        var run = CliRun.Of("lint", "-f", file.Path);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(file.Expected + Environment.NewLine + file.LintSummary + Environment.NewLine, run.Out);
        Assert.Empty(run.Error);
    }

    [Theory]
    [MemberData(nameof(Corpus), "run")]
    public async Task Run_CorpusFile_ExitsTwoWithOneLine_AndWritesNothing(string name)
    {
        var file = HostileCorpus.Read(name);

        await AssertRunRefusedAsync(file.Path, file.Expected);
    }

    [Theory]
    [MemberData(nameof(Corpus), "analyze")]
    public void Analyze_CorpusFile_ExitsTwoWithOneLine(string name)
    {
        var file = HostileCorpus.Read(name);

        AssertRefused(CliRun.Of("analyze", "-f", file.Path, "--prometheus", cluster.Bed.Prometheus.Address.ToString()), file.Expected);
    }

    [Theory]
    [MemberData(nameof(Generated))]
    public async Task EveryCommand_GeneratedFile_ExitsTwoWithOneLine_AndRunWritesNothing(string name, string expected, bool linted)
    {
        var path = Make(name);
        expected = Path.Combine(_generated.FullName, expected);

        AssertRefused(CliRun.Of("validate", "-f", path), expected);
        AssertRefused(CliRun.Of("analyze", "-f", path, "--prometheus", cluster.Bed.Prometheus.Address.ToString()), expected);
        await AssertRunRefusedAsync(path, expected);
        if (linted)
        {
            var lint = CliRun.Of("lint", "-f", path);
            Assert.Equal((2, expected + Environment.NewLine + HostileCorpus.DefaultLintSummary + Environment.NewLine), (lint.ExitCode, lint.Out));
        }
    }

    /// <summary>
    /// <c>run</c> refuses the file as <see cref="AssertRefused"/> says, and writes nothing: no request of its
    /// own reaches the cluster, no RolloutPlan appears, the VirtualService is byte for byte as it was.
    /// </summary>
    private async Task AssertRunRefusedAsync(string path, string expected)
    {
        var bed = cluster.Bed;
        var requests = bed.Cluster.Server.Audit.Records.Count;
        var (plans, virtualService) = (await PlansAsync(), await VirtualServiceAsync());

        var run = await Task.Run(() => CliRun.Of("run", "-f", path, "--kubeconfig", bed.Cluster.KubeconfigPath, "--prometheus", bed.Prometheus.Address.ToString()));

        AssertRefused(run, expected);
        Assert.DoesNotContain(bed.Cluster.Server.Audit.Records.Skip(requests), r => r.UserAgent.EndsWith("(run)", StringComparison.Ordinal) || r.Verb is not ("get" or "list" or "watch"));
        Assert.Equal(plans, await PlansAsync());
        Assert.Equal(virtualService, await VirtualServiceAsync());
    }

    /// <summary>Exit 2; on standard error exactly one line, <paramref name="expected"/>; nothing on standard output.</summary>
    private static void AssertRefused(CliRun run, string expected)
    {
        Assert.Equal(2, run.ExitCode);
        Assert.Equal(expected + Environment.NewLine, run.Error);
        Assert.Empty(run.Out);
    }

    /// <summary>The names of every RolloutPlan in the cluster (there are none unless a run wrote one).</summary>
    private async Task<string> PlansAsync()
    {
        var list = await cluster.Bed.Cluster.Client.CustomObjects.ListClusterCustomObjectAsync("canarypilot.io", "v1alpha1", "rolloutplans");
        return string.Join(", ", JsonNode.Parse(list.ToString()!)!["items"]!.AsArray().Select(p => (string?)p!["metadata"]!["name"]));
    }

    /// <summary>The VirtualService exactly as the API serves it, resourceVersion included.</summary>
    private async Task<string> VirtualServiceAsync() =>
        (await cluster.Bed.Cluster.Client.CustomObjects.GetNamespacedCustomObjectAsync("networking.istio.io", "v1", "bookinfo", "virtualservices", "reviews")).ToString()!;

    private string Make(string name)
    {
        var path = Path.Combine(_generated.FullName, name);
        switch (name)
        {
            case "huge.yaml":
                using (var stream = File.Create(path))
                {
                    var line = "# padding padding padding padding padding padding padding padding\n"u8.ToArray();
                    while (stream.Length < 10 * 1024 * 1024)
                    {
                        stream.Write(line);
                    }

                    stream.SetLength(10 * 1024 * 1024);
                }

                break;
            case "binary.yaml":
                File.WriteAllBytes(path, [0x7F, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 3, 0, 0, 0]);
                break;
            case "nul-byte.yaml":
                File.WriteAllBytes(path, [.. "apiVersion: canarypilot.io/v1alpha1\nkind: RolloutPlan\nmetadata: {name: rev"u8, 0, .. "iews}\n"u8]);
                break;
            case "invalid-utf8.yaml":
                File.WriteAllBytes(path, [.. "apiVersion: canarypilot.io/v1alpha1\nkind: RolloutPlan\nmetadata: {name: "u8, 0xC3, 0x28, .. "reviews}\n"u8]);
                break;
            case "name-of-3-mib.yaml":
                File.WriteAllText(path, RolloutTestBed.Plan.Replace("{name: reviews,", "{name: " + new string('r', 3 * 1024 * 1024) + ",", StringComparison.Ordinal));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(name), name, null);
        }

        return path;
    }
}

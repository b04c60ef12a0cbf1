using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using CanaryPilot.Demo;
using CanaryPilot.Testing;

namespace CanaryPilot.Benchmarks.Faults;

/// <summary>
/// Hostile input: every file of the corpus in tests/corpus/hostile (and a few made here, too big or too binary
/// to keep) given to the commands its header names, each as its own <c>canarypilot</c> process against the
/// sandbox; then 1,000 malformed requests at once to a <c>serve</c> process's API. Right means exit 2 with one
/// line and no stack trace, nothing applied to the cluster; the API answers every request 4xx and is still up.
/// </summary>
internal static class HostileSuite
{
    private const int Flood = 1000;

    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(1);

    public static async Task<string> RunAsync(TextWriter progress)
    {
        await using var bed = await FaultBed.StartAsync(DemoScenario.Healthy);
        var cases = Corpus(bed.Directory);
        var before = await bed.ClusterStateAsync();
        var outcomes = new List<(string File, string Command, string? Wrong)>();
        await Parallel.ForEachAsync(cases.SelectMany(c => c.Commands.Select(command => (c.Path, command))), new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (run, _) =>
        {
            var wrong = await RefusedAsync(bed, run.Path, run.command);
            lock (outcomes)
            {
                outcomes.Add((Path.GetFileName(run.Path), run.command, wrong));
            }
        });

        var applied = await bed.ClusterStateAsync() != before;
        await progress.WriteLineAsync($"hostile: {outcomes.Count(o => o.Wrong is null)} of {outcomes.Count} refused right; the cluster {(applied ? "changed" : "is as it was")}");
        var flood = await FloodAsync(bed);
        await progress.WriteLineAsync($"hostile: {Flood} malformed requests: {flood.ClientErrors} answered 4xx, {flood.Accepted} accepted, {flood.ServerErrors} 5xx, {flood.Unanswered} unanswered; up after: {flood.UpAfter}");
        var leaks = await bed.LeaksAsync();

        var table = new Table("input", "cases", "runs", "right", "exit other than 2", "more than one line", "stack traces", "cluster changed");
        foreach (var command in new[] { "validate", "lint", "run", "analyze" })
        {
            var list = outcomes.Where(o => o.Command == command).ToList();
            table.Add(
                $"`{command}`",
                N(list.Select(o => o.File).Distinct().Count()),
                N(list.Count),
                N(list.Count(o => o.Wrong is null)),
                N(list.Count(o => o.Wrong?.Contains("exited", StringComparison.Ordinal) == true)),
                N(list.Count(o => o.Wrong?.Contains("lines", StringComparison.Ordinal) == true)),
                N(list.Count(o => o.Wrong?.Contains("stack trace", StringComparison.Ordinal) == true)),
                command == "run" ? (applied ? "yes" : "no") : "—");
        }

        var api = new Table("requests at once", "answered 4xx", "accepted (2xx, 3xx)", "answered 5xx", "unanswered", "API and /healthz after", "tokens shown");
        api.Add(N(Flood), N(flood.ClientErrors), N(flood.Accepted), N(flood.ServerErrors), N(flood.Unanswered), flood.UpAfter ? "up" : "down", N(leaks.Count));
        var wrong = outcomes.Where(o => o.Wrong is not null).ToList();
        return $"""
            The corpus is `tests/corpus/hostile` (its README says what each file attacks, and the line expected):
            YAML alias bombs, deep nesting, duplicate keys, documents that are not mappings, tabs, malformed and
            truncated JSON, wrong kinds and API versions, overflowing numbers and durations, names that are too
            long or traverse paths, PromQL injection through a namespace and template arguments, CR/LF in
            webhook and Prometheus headers, terminal escapes; made here: a 10 MiB file, a binary file and one of
            invalid UTF-8. Each file goes to every command its header names (`lint` reads Istio resources only),
            each run its own process against the sandbox (`run` with its kubeconfig and Prometheus). Right: exit 2,
            one line (`lint`: its finding and its summary), no stack trace; and after all of them the cluster's
            VirtualService and RolloutPlans are byte for byte as before.

            {table.ToMarkdown()}

            Then {N(Flood)} malformed requests at once to a `serve` process's API (on the deployment's 15 s Lease, once
            it leads: a standby answers operator actions 503), in ten kinds: a missing, a wrong and a
            malformed bearer token, a viewer's token on an operator's action, and with the operator's token a
            trigger with malformed JSON, with a body over the 64 KiB limit (sent as curl sends one, with
            `Expect: 100-continue`) and with a form body, path traversal (`..%2f`), a query string of 8 KiB, an unknown route.

            {api.ToMarkdown()}
            {(flood.Unanswerable.Count == 0 ? "" : "\nNot answered 4xx: " + string.Join("; ", flood.Unanswerable.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Key} ({k.Value})")) + ".\n")}
            {(wrong.Count == 0 ? "" : "\nWrong:\n\n" + string.Join("\n", wrong.Select(o => $"- `{o.Command}` {o.File}: {o.Wrong}")))}
            """;
    }

    private static string N(int value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>The corpus's files with the commands their headers name, and the files too big or binary to keep.</summary>
    private static List<(string Path, string[] Commands)> Corpus(string scratch)
    {
        var directory = Repository.Path("tests", "corpus", "hostile");
        var cases = new List<(string, string[])>();
        foreach (var file in Directory.EnumerateFiles(directory).Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".json", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var header = File.Exists(file + ".expect") ? File.ReadAllLines(file + ".expect") : File.ReadLines(file).TakeWhile(l => l.StartsWith('#')).ToArray();
            var commands = header.FirstOrDefault(l => l.StartsWith("# commands:", StringComparison.Ordinal))?["# commands:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            cases.Add((file, commands ?? ["validate", "lint", "run", "analyze"]));
        }

        string Made(string name, byte[] content)
        {
            var path = Path.Combine(scratch, name);
            File.WriteAllBytes(path, content);
            return path;
        }

        string[] all = ["validate", "lint", "run", "analyze"];
        cases.Add((Made("huge.yaml", Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("key: value\n", 1 << 20)))), all));
        cases.Add((Made("binary.yaml", [.. "kind: "u8, 0, 1, 2, 0xfe, 0, .. "\n"u8]), all));
        cases.Add((Made("invalid-utf8.yaml", [.. "apiVersion: canarypilot.io/v1alpha1\nkind: RolloutPlan\nmetadata: {name: "u8, 0xc3, 0x28, 0xff, .. "}\n"u8]), all));
        return cases;
    }

    /// <summary>Null when <paramref name="command"/> refused the file as it must; otherwise what it did instead.</summary>
    private static async Task<string?> RefusedAsync(FaultBed bed, string file, string command)
    {
        var environment = bed.Environment;
        string[] args = command switch
        {
            "run" => ["run", "-f", file, "--kubeconfig", environment.Cluster.KubeconfigPath, "--prometheus", environment.Prometheus.Address.ToString()],
            "analyze" => ["analyze", "-f", file, "--prometheus", environment.Prometheus.Address.ToString()],
            _ => [command, "-f", file],
        };
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "canarypilot.dll"), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(Patience);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return "no answer within a minute";
        }

        var (stdout, stderr) = (Lines(await output), Lines(await error));
        bed.Collect(string.Join('\n', stdout.Concat(stderr)));
        var problems = new List<string>();
        if (process.ExitCode != 2)
        {
            problems.Add($"exited {process.ExitCode}");
        }

        var said = command == "lint" ? stdout : stderr;
        var expected = command == "lint" ? 2 : 1;
        if (said.Count != expected || (command == "lint" ? stderr : stdout).Count != 0)
        {
            problems.Add($"{said.Count} lines: {string.Join(" | ", said.Take(3))}");
        }

        if (stdout.Concat(stderr).Any(l => l.StartsWith("at ", StringComparison.Ordinal) || l.Contains("Exception:", StringComparison.Ordinal)))
        {
            problems.Add("a stack trace");
        }

        return problems.Count == 0 ? null : string.Join("; ", problems);
    }

    private static List<string> Lines(string text) => [.. text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)];

    private sealed record FloodOutcome(int Accepted, int ClientErrors, int ServerErrors, int Unanswered, bool UpAfter)
    {
        /// <summary>The kinds of the requests answered 5xx or not at all, with how many.</summary>
        public IReadOnlyDictionary<string, int> Unanswerable { get; init; } = new Dictionary<string, int>();
    }

    /// <summary>Malformed requests at once to a <c>serve</c> process's API, then a good one.</summary>
    private static async Task<FloodOutcome> FloodAsync(FaultBed bed)
    {
        var tokens = Path.Combine(bed.Directory, "tokens");
        await File.WriteAllTextAsync(tokens, $"{bed.AuthorizationToken}:operator\nviewer-{bed.SigningSecret}:viewer\n");
        var port = FaultBed.FreePort();
        var serve = bed.StartServe("hostile", TimeSpan.FromSeconds(15), port, tokens);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            // Once it leads: a standby answers operator actions 503, whatever they carry.
            if (!await FaultBed.WaitForAsync(async () => await ReadyAsync(http) && await LeadsAsync(http, bed.AuthorizationToken), Patience))
            {
                return new FloodOutcome(0, 0, 0, Flood, false);
            }

            var (accepted, client, server, unanswered) = (0, 0, 0, 0);
            var missed = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
            await Parallel.ForEachAsync(Enumerable.Range(0, Flood), new ParallelOptions { MaxDegreeOfParallelism = Flood }, async (i, token) =>
            {
                try
                {
                    using var request = Malformed(i, bed);
                    using var response = await http.SendAsync(request, token);
                    var code = (int)response.StatusCode;
                    Interlocked.Increment(ref code is >= 400 and < 500 ? ref client : ref code >= 500 ? ref server : ref accepted);
                    if (code is < 400 or >= 500)
                    {
                        var body = await response.Content.ReadAsStringAsync(token);
                        missed.AddOrUpdate($"{Kinds[i % Kinds.Length]} answered {code} ({body[..Math.Min(body.Length, 160)]})", 1, (_, n) => n + 1);
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    Interlocked.Increment(ref unanswered);
                    missed.AddOrUpdate($"{Kinds[i % Kinds.Length]}: {e.GetType().Name}", 1, (_, n) => n + 1);
                }
            });

            using var good = new HttpRequestMessage(HttpMethod.Get, "/api/v1/rollouts/");
            good.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bed.AuthorizationToken);
            using var answer = await http.SendAsync(good);
            var up = answer.StatusCode == HttpStatusCode.OK && await ReadyAsync(http);
            return new FloodOutcome(accepted, client, server, unanswered, up) { Unanswerable = missed };
        }
        finally
        {
            serve.Kill(entireProcessTree: true);
        }
    }

    /// <summary>Whether the replica takes operator actions: the leader answers one on no rollout 404, a standby 503.</summary>
    private static async Task<bool> LeadsAsync(HttpClient http, string token)
    {
        using var probe = Authorized(new HttpRequestMessage(HttpMethod.Post, "/api/v1/rollouts/bookinfo/no-such-rollout/pause"), token);
        using var answer = await http.SendAsync(probe);
        return answer.StatusCode == HttpStatusCode.NotFound;
    }

    private static async Task<bool> ReadyAsync(HttpClient http)
    {
        try
        {
            using var answer = await http.GetAsync("/healthz");
            return answer.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static readonly string[] Kinds =
    [
        "no token", "a wrong token", "a malformed Authorization header", "a viewer's token on abort", "malformed JSON",
        "a body over 64 KiB", "a form body", "path traversal", "an 8 KiB query string", "an unknown route",
    ];

    /// <summary>The <paramref name="i"/>th malformed request, of ten kinds in turn.</summary>
    private static HttpRequestMessage Malformed(int i, FaultBed bed)
    {
        // Bodies go where a body is read, a trigger; the rest to an action (the bed has no rollout to change).
        var action = "/api/v1/rollouts/bookinfo/reviews/abort";
        var trigger = "/api/v1/rollouts/bookinfo/reviews/trigger";
        var request = (i % 10) switch
        {
            0 => new HttpRequestMessage(HttpMethod.Post, action),
            1 => Authorized(new HttpRequestMessage(HttpMethod.Post, action), "not-a-token"),
            2 => new HttpRequestMessage(HttpMethod.Post, action) { Headers = { { "Authorization", "Bearer" } } },
            3 => Authorized(new HttpRequestMessage(HttpMethod.Post, action), $"viewer-{bed.SigningSecret}"),
            4 => Authorized(new HttpRequestMessage(HttpMethod.Post, trigger) { Content = new StringContent("{\"reason\": ", Encoding.UTF8, "application/json") }, bed.AuthorizationToken),
            // As curl sends a large body: asking first (Expect: 100-continue), so the 413 comes before the body.
            5 => Authorized(new HttpRequestMessage(HttpMethod.Post, trigger) { Content = new StringContent($"{{\"reason\": \"{new string('x', 80 * 1024)}\"}}", Encoding.UTF8, "application/json"), Headers = { ExpectContinue = true } }, bed.AuthorizationToken),
            6 => Authorized(new HttpRequestMessage(HttpMethod.Post, trigger) { Content = new StringContent("reason=now", Encoding.UTF8, "application/x-www-form-urlencoded") }, bed.AuthorizationToken),
            7 => Authorized(new HttpRequestMessage(HttpMethod.Get, "/api/v1/rollouts/..%2f..%2fkube-system/secrets"), bed.AuthorizationToken),
            8 => Authorized(new HttpRequestMessage(HttpMethod.Get, $"/api/v1/rollouts/?{new string('q', 8 * 1024)}=1"), bed.AuthorizationToken),
            _ => Authorized(new HttpRequestMessage(HttpMethod.Delete, "/api/v1/nothing-here"), bed.AuthorizationToken),
        };
        return request;
    }

    private static HttpRequestMessage Authorized(HttpRequestMessage request, string token)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }
}

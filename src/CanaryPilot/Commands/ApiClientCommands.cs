using System.CommandLine;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CanaryPilot.Cli;

namespace CanaryPilot.Commands;

/// <summary>
/// <c>status</c>, <c>trigger</c>, <c>promote</c>, <c>abort</c>, <c>approve</c>, <c>pause</c>, <c>resume</c>
/// and <c>retry</c>: the CLI as a client of a running <c>canarypilot serve</c>, with <c>--server</c> and
/// <c>--token</c> (or CANARYPILOT_SERVER and CANARYPILOT_TOKEN). Exit codes as <c>run</c>.
/// </summary>
internal static class ApiClientCommands
{
    private static readonly string[] Plain = ["promote", "abort", "approve", "pause", "resume", "retry"];

    public static IEnumerable<Command> Create(CliConsole console)
    {
        yield return Status(console);
        yield return Trigger(console);
        foreach (var name in Plain)
        {
            var (rollout, server, token) = Common();
            var command = new Command(name, $"Ask the server to {name} the rollout. Exit 0 done, 1 it does not apply now, 2 refused, 3 the server failed.") { rollout, server, token };
            command.SetAction((result, cancellationToken) => PostAsync(console, result.GetValue(server), result.GetValue(token), result.GetValue(rollout)!, name, null, cancellationToken));
            yield return command;
        }
    }

    private static (Argument<string> Rollout, Option<string?> Server, Option<string?> Token) Common() => (
        new Argument<string>("rollout") { Description = "NAMESPACE/NAME of the RolloutPlan." },
        new Option<string?>("--server") { Description = "The canarypilot serve base URL; $CANARYPILOT_SERVER by default." },
        new Option<string?>("--token") { Description = "A bearer token; $CANARYPILOT_TOKEN by default." });

    private static Command Status(CliConsole console)
    {
        var (rollout, server, token) = Common();
        var wait = new Option<bool>("--wait") { Description = "Wait until the rollout ends (or awaits approval), then exit as run does." };
        var timeout = new Option<TimeSpan?>("--timeout")
        {
            Description = "Give up waiting after this long (exit 3): 30m, 1h30m, or 00:30:00.",
            CustomParser = ParseTimeout,
        };
        var command = new Command("status", "Show a rollout's status from the server; with --wait, exit 0 promoted, 1 rolled back or aborted, 4 awaiting approval.") { rollout, server, token, wait, timeout };
        command.SetAction((result, cancellationToken) => StatusAsync(console, result.GetValue(server), result.GetValue(token), result.GetValue(rollout)!, result.GetValue(wait), result.GetValue(timeout), cancellationToken));
        return command;
    }

    private static Command Trigger(CliConsole console)
    {
        var (rollout, server, token) = Common();
        var revision = new Option<string?>("--revision") { Description = "What is rolled out: an image tag, a commit." };
        var subset = new Option<string?>("--subset") { Description = "The canary's DestinationRule subset." };
        var workload = new Option<string?>("--workload") { Description = "The canary's workload, as Istio's metrics name it (destination_workload)." };
        var version = new Option<string?>("--version") { Description = "The canary's version label, as Istio's metrics name it (destination_version)." };
        var key = new Option<string?>("--key") { Description = "Idempotency key; a retried call with the same key starts nothing new. Defaults to the revision." };
        var command = new Command(
            "trigger",
            "Start a rollout of a new canary on the server. After a promotion, the promoted canary becomes the stable and, unless --subset says otherwise, the old stable's destination the canary.")
        {
            rollout, server, token, revision, subset, workload, version, key,
        };
        command.SetAction((result, cancellationToken) =>
        {
            var body = new JsonObject { ["idempotencyKey"] = result.GetValue(key) ?? result.GetValue(revision) };
            if (result.GetValue(revision) is { } r)
            {
                body["revision"] = r;
            }

            var canary = new JsonObject();
            foreach (var (field, option) in new[] { ("subset", subset), ("workload", workload), ("version", version) })
            {
                if (result.GetValue(option) is { } value)
                {
                    canary[field] = value;
                }
            }

            if (canary.Count > 0)
            {
                body["canary"] = canary;
            }

            return PostAsync(console, result.GetValue(server), result.GetValue(token), result.GetValue(rollout)!, "trigger", body, cancellationToken);
        });
        return command;
    }

    private static async Task<int> PostAsync(CliConsole console, string? server, string? token, string rollout, string command, JsonObject? body, CancellationToken cancellationToken)
    {
        if (Client(console, server, token, rollout) is not var (http, path))
        {
            return ExitCodes.InvalidInput;
        }

        using (http)
        {
            try
            {
                using var response = await http.PostAsync($"{path}/{command}", body is null ? null : JsonContent.Create(body), cancellationToken);
                var text = await BodyAsync(response, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    console.Out.WriteLine($"{command}: {(int)response.StatusCode} {Summary(text)}");
                    return ExitCodes.Success;
                }

                console.Error.WriteLine($"canarypilot: {command} {rollout}: {(int)response.StatusCode} {Detail(text)}");
                return response.StatusCode switch
                {
                    HttpStatusCode.Conflict => ExitCodes.Failed,
                    >= HttpStatusCode.InternalServerError => ExitCodes.InfrastructureFailure,
                    _ => ExitCodes.InvalidInput,
                };
            }
            catch (Exception e) when (Unanswered(e, cancellationToken))
            {
                return ServerFailed(console, http, e);
            }
        }
    }

    private static async Task<int> StatusAsync(CliConsole console, string? server, string? token, string rollout, bool wait, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        if (Client(console, server, token, rollout) is not var (http, path))
        {
            return ExitCodes.InvalidInput;
        }

        using (http)
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            deadline.CancelAfter(timeout ?? Timeout.InfiniteTimeSpan);
            string? last = null;
            try
            {
                while (true)
                {
                    using var response = await http.GetAsync(path, deadline.Token);
                    var text = await BodyAsync(response, deadline.Token);
                    if (!response.IsSuccessStatusCode)
                    {
                        console.Error.WriteLine($"canarypilot: status {rollout}: {(int)response.StatusCode} {Detail(text)}");
                        return response.StatusCode >= HttpStatusCode.InternalServerError ? ExitCodes.InfrastructureFailure : ExitCodes.InvalidInput;
                    }

                    var rolloutJson = JsonNode.Parse(text);
                    var status = rolloutJson?["status"];
                    var phase = status?["phase"]?.GetValue<string>() ?? "Pending";
                    var line = $"{phase} {status?["stageName"]?.GetValue<string>()} canary {status?["canaryWeight"]}%: {status?["message"]?.GetValue<string>()}";
                    if (line != last)
                    {
                        console.Out.WriteLine(line);
                        last = line;
                    }

                    // Until the controller has taken up the plan as it is now (after a trigger, say), the
                    // phase is the previous rollout's verdict, not this one's.
                    var current = rolloutJson?["generation"] is not { } generation || status?["observedGeneration"]?.GetValue<long>() == generation.GetValue<long>();
                    var exit = !current ? null : phase switch
                    {
                        "Succeeded" => ExitCodes.Success,
                        "RolledBack" or "Aborted" => ExitCodes.Failed,
                        "AwaitingApproval" => ExitCodes.AwaitingApproval,
                        _ => (int?)null,
                    };
                    if (!wait || exit is not null)
                    {
                        return exit ?? ExitCodes.Success;
                    }

                    await Task.Delay(TimeSpan.FromSeconds(2), deadline.Token);
                }
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                console.Error.WriteLine($"canarypilot: {rollout} did not end within {timeout}");
                return ExitCodes.InfrastructureFailure;
            }
            catch (Exception e) when (Unanswered(e, cancellationToken))
            {
                return ServerFailed(console, http, e);
            }
        }
    }

    private static (HttpClient Http, string Path)? Client(CliConsole console, string? server, string? token, string rollout)
    {
        server ??= Environment.GetEnvironmentVariable("CANARYPILOT_SERVER");
        token ??= Environment.GetEnvironmentVariable("CANARYPILOT_TOKEN");
        if (!Uri.TryCreate(server, UriKind.Absolute, out var address))
        {
            console.Error.WriteLine("canarypilot: give the server with --server URL or CANARYPILOT_SERVER");
            return null;
        }

        if (rollout.Split('/') is not [var ns, var name] || ns.Length == 0 || name.Length == 0)
        {
            console.Error.WriteLine($"canarypilot: \"{rollout}\" is not NAMESPACE/NAME");
            return null;
        }

        var http = new HttpClient(new ServerRetryHandler(TimeProvider.System) { InnerHandler = new SocketsHttpHandler() }) { BaseAddress = address, Timeout = Timeout.InfiniteTimeSpan };
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return (http, $"/api/v1/rollouts/{Uri.EscapeDataString(ns)}/{Uri.EscapeDataString(name)}");
    }

    /// <summary>The server could not be reached, or gave no answer in time (not the user interrupting).</summary>
    private static bool Unanswered(Exception e, CancellationToken cancellationToken) =>
        e is HttpRequestException or Polly.Timeout.TimeoutRejectedException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    private static int ServerFailed(CliConsole console, HttpClient http, Exception e)
    {
        console.Error.WriteLine(e is HttpRequestException
            ? $"canarypilot: cannot reach {http.BaseAddress}: {e.Message}"
            : $"canarypilot: {http.BaseAddress} did not answer within {ServerRetryHandler.AttemptTimeout.TotalSeconds:0} s");
        return ExitCodes.InfrastructureFailure;
    }

    /// <summary>The response's body, within one attempt's timeout: a server that stops mid-body does not hang the CLI.</summary>
    private static async Task<string> BodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(ServerRetryHandler.AttemptTimeout);
        return await response.Content.ReadAsStringAsync(limit.Token);
    }

    private static TimeSpan? ParseTimeout(System.CommandLine.Parsing.ArgumentResult result)
    {
        var text = result.Tokens.Single().Value;
        if (Core.Common.Duration.TryParse(text, out var duration) || TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out duration))
        {
            return duration;
        }

        result.AddError($"--timeout: \"{text}\" is not a duration; {Core.Common.Duration.Hint}");
        return null;
    }

    private static string Summary(string text) => JsonNode.Parse(text) is JsonObject o && o["status"]?["phase"] is { } phase ? $"the rollout is {phase}" : text;

    private static string Detail(string text)
    {
        try
        {
            return JsonNode.Parse(text)?["detail"]?.GetValue<string>() ?? text;
        }
        catch (System.Text.Json.JsonException)
        {
            return text;
        }
    }
}

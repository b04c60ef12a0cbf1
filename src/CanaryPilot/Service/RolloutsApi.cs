using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CanaryPilot.Core.Rollouts;
using CanaryPilot.Kubernetes;
using CanaryPilot.Kubernetes.Rollouts;
using k8s.Autorest;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Polly.Timeout;

namespace CanaryPilot.Service;

/// <summary>
/// <c>/api/v1/rollouts</c>: read rollouts, follow one as server-sent events, and command one (trigger,
/// promote, abort, approve, pause, resume, retry). Bearer tokens: viewers read, operators also write.
/// Errors are ProblemDetails; a refused request changes nothing.
/// </summary>
public static class RolloutsApi
{
    /// <summary>Marks a standby replica's refusal of a write: it did nothing, so the write may be sent again.</summary>
    public const string StandbyHeader = "CanaryPilot-Standby";

    private static readonly Dictionary<string, Func<string, RolloutInput>> Commands = new(StringComparer.Ordinal)
    {
        ["promote"] = by => new PromoteCommand(by),
        ["abort"] = by => new AbortCommand($"by {by}"),
        ["approve"] = by => new ApproveCommand(by),
        ["pause"] = by => new PauseCommand($"by {by}"),
        ["resume"] = _ => new ResumeCommand(),
        ["retry"] = _ => new RetryCommand(),
    };

    public static RouteGroupBuilder MapRolloutsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/rollouts").AddEndpointFilter(Authorize(ApiRole.Viewer)).AddEndpointFilter(ClusterErrors);
        api.MapGet("/", ListAsync);
        api.MapGet("/events", AllEventsAsync);
        api.MapGet("/{namespace}/{name}", GetAsync);
        api.MapGet("/{namespace}/{name}/events", EventsAsync);
        var writes = api.MapGroup("/{namespace}/{name}").AddEndpointFilter(Authorize(ApiRole.Operator)).AddEndpointFilter(LeaderOnly);
        writes.MapPost("/trigger", TriggerAsync);
        writes.MapPost("/{command}", CommandAsync);
        app.MapGroup("/api/v1/me").AddEndpointFilter(Authorize(ApiRole.Viewer)).MapGet("/", (HttpContext context) =>
            Results.Json(new { role = ((ApiRole)context.Items[nameof(ApiRole)]!).ToString().ToLowerInvariant() }));
        return api;
    }

    private static async Task<IResult> ListAsync(IRolloutStore store, CancellationToken cancellationToken)
    {
        var rollouts = await store.ListAsync(cancellationToken);
        return Results.Json(rollouts.Select(r => Summary(r.Namespace, r.Name, r.Status, r.Plan is not null)));
    }

    /// <summary>A rollout in a line: what the list of rollouts shows.</summary>
    private static JsonObject Summary(string ns, string name, RolloutStatus status, bool valid) => new()
    {
        ["namespace"] = ns,
        ["name"] = name,
        ["valid"] = valid,
        ["phase"] = status.Phase.ToString(),
        ["stage"] = status.StageName,
        ["canaryWeight"] = status.CanaryWeight,
        ["lastAnalysis"] = status.LastAnalysis?.Verdict,
        ["lastAnalysisTime"] = status.LastAnalysis?.Time,
        ["startedAt"] = status.StartedAt,
        ["finishedAt"] = status.FinishedAt,
        ["message"] = status.Message,
    };

    /// <summary>Every rollout's changes, each as a server-sent event named <c>rollout</c> holding its line of the list.</summary>
    private static async Task AllEventsAsync(HttpContext context, RolloutEventHub hub, CancellationToken cancellationToken)
    {
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        var updates = hub.SubscribeAll(out var subscription);
        using (subscription)
        {
            await context.Response.Body.WriteAsync(": following every rollout\n\n"u8.ToArray(), cancellationToken);
            await context.Response.Body.FlushAsync(cancellationToken);
            try
            {
                await foreach (var update in updates.ReadAllAsync(cancellationToken))
                {
                    var line = $"event: rollout\ndata: {Summary(update.Namespace, update.Name, update.Status, valid: true).ToJsonString()}\n\n";
                    await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(line), cancellationToken);
                    await context.Response.Body.FlushAsync(cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
        }
    }

    private static async Task<IResult> GetAsync(string @namespace, string name, IRolloutStore store, CancellationToken cancellationToken)
    {
        var rollout = await store.GetAsync(@namespace, name, cancellationToken);
        return rollout is null ? NotFound(@namespace, name) : Results.Json(Describe(rollout));
    }

    private static async Task<IResult> CommandAsync(string @namespace, string name, string command, HttpContext context, RolloutReconciler reconciler, IRolloutStore store, CancellationToken cancellationToken)
    {
        if (!Commands.TryGetValue(command, out var input))
        {
            return Results.Problem(statusCode: 404, title: "Unknown command", detail: $"\"{command}\" is not a command; use trigger, {string.Join(", ", Commands.Keys)}");
        }

        if (await store.GetAsync(@namespace, name, cancellationToken) is null)
        {
            return NotFound(@namespace, name);
        }

        var result = await reconciler.ReconcileAsync(@namespace, name, input(Caller(context)), cancellationToken);
        return result.Rejection is { } rejection
            ? Results.Problem(statusCode: 409, title: $"{command} does not apply now", detail: rejection)
            : Results.Json(new { status = StatusJson.Write(result.Status!) });
    }

    private static async Task<IResult> TriggerAsync(string @namespace, string name, HttpContext context, RolloutTriggers triggers, IRolloutStore store, CancellationToken cancellationToken)
    {
        if (!context.Request.HasJsonContentType())
        {
            return Results.Problem(statusCode: 415, title: "Unsupported media type", detail: "send the trigger request as application/json");
        }

        TriggerRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync<TriggerRequest>(context.Request.Body, JsonSerializerOptions.Web, cancellationToken);
        }
        catch (JsonException e)
        {
            return Results.Problem(statusCode: 400, title: "Malformed body", detail: $"the body is not a trigger request: {e.Message.Split('\n')[0]}");
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Results.Problem(statusCode: 413, title: "Body too large", detail: e.Message);
        }

        if (request?.IdempotencyKey is not { Length: > 0 and <= 128 } || (request.Canary is null && request.Revision is null))
        {
            return Results.Problem(statusCode: 400, title: "Malformed body", detail: "give an idempotencyKey (1-128 characters) and a canary, a revision or both");
        }

        if (await store.GetAsync(@namespace, name, cancellationToken) is null)
        {
            return NotFound(@namespace, name);
        }

        var outcome = await triggers.TriggerAsync(@namespace, name, request, cancellationToken);
        if (outcome.NotDriven is { } notDriven)
        {
            return Results.Problem(statusCode: 409, title: "trigger does not apply here", detail: notDriven);
        }

        if (outcome.Problem is { } problem)
        {
            return Results.Problem(statusCode: 400, title: "The plan would be invalid", detail: problem);
        }

        return Results.Json(new { triggered = !outcome.Duplicate, duplicate = outcome.Duplicate }, statusCode: outcome.Duplicate ? 200 : 202);
    }

    /// <summary>The rollout's status now, then every change, as server-sent events named <c>status</c>.</summary>
    private static async Task EventsAsync(string @namespace, string name, HttpContext context, IRolloutStore store, RolloutEventHub hub, CancellationToken cancellationToken)
    {
        var rollout = await store.GetAsync(@namespace, name, cancellationToken);
        if (rollout is null)
        {
            await NotFound(@namespace, name).ExecuteAsync(context);
            return;
        }

        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        var updates = hub.Subscribe(@namespace, name, out var subscription);
        using (subscription)
        {
            await SendAsync(context, rollout.Status, cancellationToken);
            try
            {
                await foreach (var status in updates.ReadAllAsync(cancellationToken))
                {
                    await SendAsync(context, status, cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
        }
    }

    private static async Task SendAsync(HttpContext context, RolloutStatus status, CancellationToken cancellationToken)
    {
        var line = $"event: status\ndata: {StatusJson.Write(status).ToJsonString()}\n\n";
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(line), cancellationToken);
        await context.Response.Body.FlushAsync(cancellationToken);
    }

    private static JsonObject Describe(StoredRollout rollout) => new()
    {
        ["namespace"] = rollout.Namespace,
        ["name"] = rollout.Name,
        ["generation"] = rollout.Generation,
        ["valid"] = rollout.Plan is not null,
        ["problems"] = new JsonArray([.. rollout.Problems.Select(p => (JsonNode)p.ToString())]),
        ["stages"] = rollout.Plan is { } plan ? new JsonArray([.. plan.Spec.EffectiveStages().Select(s => (JsonNode)RolloutMachine.Describe(s))]) : null,
        // What a metric's chart draws its limits from.
        ["metrics"] = rollout.Plan is { } judged ? new JsonArray([.. judged.Spec.Analysis.Metrics.Select(m => (JsonNode)new JsonObject
        {
            ["name"] = m.Name,
            ["min"] = m.Thresholds?.Min,
            ["max"] = m.Thresholds?.Max,
            ["criticalMin"] = m.Critical?.Min,
            ["criticalMax"] = m.Critical?.Max,
            ["compareToStable"] = m.CompareToStable is { } c ? $"{(c.MaxIncrease is { } up ? $"at most {up}{(c.Mode == Core.Plans.ComparisonMode.Relative ? "%" : "")} above stable" : "")}{(c.MaxIncrease is not null && c.MaxDecrease is not null ? ", " : "")}{(c.MaxDecrease is { } down ? $"at most {down}{(c.Mode == Core.Plans.ComparisonMode.Relative ? "%" : "")} below stable" : "")}" : null,
        })]) : null,
        ["status"] = StatusJson.Write(rollout.Status),
    };

    private static IResult NotFound(string ns, string name) =>
        Results.Problem(statusCode: 404, title: "No such rollout", detail: $"there is no RolloutPlan {ns}/{name}");

    private static string Caller(HttpContext context) => context.Items[nameof(ApiRole)] is ApiRole role ? $"an {role.ToString().ToLowerInvariant()} of the API" : "the API";

    private static Func<EndpointFilterInvocationContext, EndpointFilterDelegate, ValueTask<object?>> Authorize(ApiRole needed) => async (invocation, next) =>
    {
        var tokens = invocation.HttpContext.RequestServices.GetService(typeof(TokenStore)) as TokenStore;
        var role = tokens?.Authenticate(invocation.HttpContext.Request.Headers.Authorization);
        if (role is null)
        {
            invocation.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
            return Results.Problem(statusCode: 401, title: "Unauthorized", detail: "send a valid bearer token");
        }

        if (needed == ApiRole.Operator && role != ApiRole.Operator)
        {
            return Results.Problem(statusCode: 403, title: "Forbidden", detail: "this token may read but not change rollouts");
        }

        invocation.HttpContext.Items[nameof(ApiRole)] = role;
        return await next(invocation);
    };

    /// <summary>The cluster failing under a request is a 503 that says what to do; never a stack trace, never the cluster's own words.</summary>
    private static async ValueTask<object?> ClusterErrors(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        try
        {
            return await next(invocation);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            // A single object that is missing reads as null; a 404 that escapes is a list of a kind the cluster does not serve.
            return Results.Problem(statusCode: 503, title: "RolloutPlans are not served", detail: CanaryPilotResources.CrdMissingHint);
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException or TimeoutRejectedException)
        {
            invocation.HttpContext.Response.Headers.RetryAfter = "5";
            var answer = e is HttpOperationException { Response: { } response } ? $"it answered HTTP {(int)response.StatusCode}" : "it did not answer";
            return Results.Problem(statusCode: 503, title: "Kubernetes API unavailable", detail: $"the Kubernetes API failed this request ({answer}); try again");
        }
    }

    private static async ValueTask<object?> LeaderOnly(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var leader = invocation.HttpContext.RequestServices.GetService(typeof(LeaderService)) as LeaderService;
        if (leader is { IsLeader: false })
        {
            invocation.HttpContext.Response.Headers.RetryAfter = "1";
            invocation.HttpContext.Response.Headers[StandbyHeader] = "true";
            return Results.Problem(statusCode: 503, title: "Standby replica", detail: "this replica is on standby; send changes to the leader");
        }

        return await next(invocation);
    }
}

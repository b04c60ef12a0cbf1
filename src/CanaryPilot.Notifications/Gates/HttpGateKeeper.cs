using System.Net.Mime;
using System.Text.Json;
using CanaryPilot.Core.Common;
using CanaryPilot.Core.Notifications;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;
using Polly;
using Polly.Timeout;

namespace CanaryPilot.Notifications.Gates;

/// <summary>
/// Asks a gate by POSTing the rollout's context as JSON to its URL: a 2xx answer opens it, any other
/// closes it, no answer within the gate's timeout times it out. The gate's answer (its first 200
/// characters) is kept as the reason, so people see why it is closed.
/// </summary>
public sealed class HttpGateKeeper(HttpClient http, ResiliencePipeline pipeline, TimeProvider time) : IGateKeeper
{
    private readonly ResiliencePipeline _pipeline = pipeline;

    public async Task<GateOutcome> AskAsync(GateSpec gate, RolloutPlan plan, RolloutStatus status, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(GateRequest.Of(gate, plan, status, time.GetUtcNow()), NotificationJson.Options);
        var url = new Uri(gate.Url);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(NotificationResilience.GateTimeout, gate.Timeout);
        try
        {
            var reply = await _pipeline.ExecuteAsync(
                async (context, state) => await HttpReply.PostAsync(http, url, HttpReply.Content(state, MediaTypeNames.Application.Json), [], context.CancellationToken).ConfigureAwait(false),
                context,
                body).ConfigureAwait(false);
            var answer = reply.Body.Length > 0 ? $": {reply.Body}" : "";
            return reply switch
            {
                { IsSuccess: true } => new GateOutcome(GateVerdict.Open, $"gate {gate.Name} is open ({reply.Detail}{answer})"),
                { StatusCode: null } => new GateOutcome(GateVerdict.Failed, $"gate {gate.Name} could not be asked: {reply.Detail}"),
                _ => new GateOutcome(GateVerdict.Closed, $"gate {gate.Name} is closed ({reply.Detail}{answer})"),
            };
        }
        catch (TimeoutRejectedException)
        {
            return new GateOutcome(GateVerdict.TimedOut, $"gate {gate.Name} did not answer within {Duration.Format(gate.Timeout)}");
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }
}

using System.Net;
using System.Net.Sockets;
using Polly;
using Polly.Retry;

namespace CanaryPilot.Commands;

/// <summary>
/// How the CLI talks to <c>canarypilot serve</c> behind a Kubernetes Service: every request on a new
/// connection, so each attempt may reach another replica. Tried again, after the server's Retry-After or
/// a short backoff: a write a standby replica refused (it did nothing), any 503 to a read, a refused
/// connection. Nothing else, so a command the server may have carried out is never sent twice. Each
/// attempt has its own timeout (<see cref="Polly.Timeout.TimeoutRejectedException"/> when it runs out).
/// </summary>
internal sealed class ServerRetryHandler(TimeProvider time) : DelegatingHandler
{
    private static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(5);

    /// <summary>How long one attempt may take; a timed-out attempt is not repeated, as the server may have acted.</summary>
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(30);

    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time }
        .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
        {
            // Behind a Service of two replicas, half the connections reach the standby: ten retries
            // make eleven misses in a row a one-in-two-thousand event.
            MaxRetryAttempts = 10,
            Delay = TimeSpan.FromSeconds(1),
            BackoffType = DelayBackoffType.Exponential,
            MaxDelay = LongestWait,
            ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                .HandleResult(r => r.StatusCode == HttpStatusCode.ServiceUnavailable
                    && (r.RequestMessage?.Method == HttpMethod.Get || r.Headers.Contains(Service.RolloutsApi.StandbyHeader)))
                .Handle<HttpRequestException>(e => e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused }),
            DelayGenerator = args => ValueTask.FromResult(
                args.Outcome.Result?.Headers.RetryAfter?.Delta is { } after ? (TimeSpan?)(after < LongestWait ? after : LongestWait) : null),
            OnRetry = args =>
            {
                args.Outcome.Result?.Dispose();
                return ValueTask.CompletedTask;
            },
        })
        .AddTimeout(AttemptTimeout)
        .Build();

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.ConnectionClose = true;
        return _pipeline.ExecuteAsync(async token => await base.SendAsync(request, token), cancellationToken).AsTask();
    }
}

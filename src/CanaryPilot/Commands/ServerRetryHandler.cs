using System.Net;
using System.Net.Sockets;
using Polly;
using Polly.Retry;

namespace CanaryPilot.Commands;

/// <summary>
/// How the CLI talks to <c>canarypilot serve</c> behind a Kubernetes Service: every request on a new
/// connection, so each attempt may reach another replica, and a 503 (a standby replica, a replica
/// not ready, the cluster briefly unavailable: the server did nothing) or a refused connection is
/// tried again, after the server's Retry-After or a short backoff. Nothing else is retried, so a
/// command the server may have carried out is never sent twice. Each attempt has its own timeout
/// (<see cref="Polly.Timeout.TimeoutRejectedException"/> when it runs out).
/// </summary>
internal sealed class ServerRetryHandler(TimeProvider time) : DelegatingHandler
{
    private static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(5);

    /// <summary>How long one attempt may take; a timed-out attempt is not repeated, as the server may have acted.</summary>
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(30);

    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time }
        .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
        {
            MaxRetryAttempts = 5,
            Delay = TimeSpan.FromSeconds(1),
            BackoffType = DelayBackoffType.Exponential,
            MaxDelay = LongestWait,
            ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                .HandleResult(r => r.StatusCode == HttpStatusCode.ServiceUnavailable)
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

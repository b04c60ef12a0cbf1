using System.Net;

namespace CanaryPilot.Prometheus;

/// <summary>One HTTP answer, read whole inside the attempt so that the timeout covers a slow body too.</summary>
internal sealed record HttpAnswer(HttpStatusCode Status, byte[] Body, TimeSpan? RetryAfter)
{
    public bool IsTransient => (int)Status >= 500 || Status == HttpStatusCode.TooManyRequests;
}

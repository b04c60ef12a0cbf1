using CanaryPilot.Core.Secrets;
using CanaryPilot.Notifications.Delivery;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Prometheus;

namespace CanaryPilot.Notifications.Tests;

/// <summary>The delivery parts wired as the engine wires them, with the test's options, clock, secrets and logs.</summary>
internal sealed class Senders : IDisposable
{
    private readonly HttpClient _http = NotificationServices.CreateHttpClient();

    public Senders(NotificationOptions? options = null, TimeProvider? time = null, ISecretResolver? secrets = null, ILoggerFactory? logs = null)
    {
        Options = (options ?? new NotificationOptions { RetryDelay = TimeSpan.Zero }).Validated();
        Time = time ?? TimeProvider.System;
        Logs = logs ?? NullLoggerFactory.Instance;
        Metrics = new NotificationMetrics(Registry);
        Sender = new NotificationSender(
            new NotifierFactory(secrets ?? new FakeSecrets(), _http),
            NotificationResilience.Delivery(Options, Time),
            Metrics,
            Logs.CreateLogger<NotificationSender>());
    }

    public NotificationOptions Options { get; }

    public TimeProvider Time { get; }

    public ILoggerFactory Logs { get; }

    public CollectorRegistry Registry { get; } = Prometheus.Metrics.NewCustomRegistry();

    public NotificationMetrics Metrics { get; }

    public NotificationSender Sender { get; }

    public NotifyingAnnouncer Announcer() => new(Sender, Options, Time, Logs.CreateLogger<NotifyingAnnouncer>());

    /// <summary>What <c>/metrics</c> would show.</summary>
    public async Task<string> ExportAsync()
    {
        using var stream = new MemoryStream();
        await Registry.CollectAndExportAsTextAsync(stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    public void Dispose() => _http.Dispose();
}

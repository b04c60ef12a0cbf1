using System.Collections.Concurrent;
using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Diagnostics;
using CanaryPilot.Core.Rollouts;
using CanaryPilot.Hosting;
using Microsoft.Extensions.Logging;

namespace CanaryPilot.Scheduling;

/// <summary>
/// Watches every progressing rollout between its analysis ticks, once a scrape interval, and rolls it
/// back as soon as the sequential test is confident the canary is worse than stable beyond the tolerance,
/// or the canary's value over a metric's window is outside its critical range.
/// </summary>
/// <remarks>
/// <para>Its cost does not grow with rollouts × scrapes: every rollout looks at the same instants (multiples
/// of its plan's scrape interval), and a template's totals query is one query for every workload
/// (<see cref="TemplateTotals"/>), so one request per template, Prometheus and instant serves them all.
/// Each rollout's counts are the differences of its series between the instant its stage began (read once
/// per stage) and now, with the stages it left (<see cref="RolloutStatus.Counted"/>): the same sequence the
/// tick tests, at the same level, read more often — which an anytime-valid test allows.</para>
/// <para>It only ever rolls back: passing and holding stay the tick's, with the plan's other rules.</para>
/// <para>Given <c>versionOf</c> (a plan's resourceVersion as the watch cache holds it, without parsing it),
/// it reads again only the plans that changed since its last look.</para>
/// </remarks>
internal sealed partial class ContinuousGuard(
    GuardCandidates candidates,
    IRolloutStore store,
    AnalyzerFactory analyzers,
    RolloutReconciler reconciler,
    RolloutProgress progress,
    EngineSettings settings,
    ILogger<ContinuousGuard> logger,
    Func<string, string, string?>? versionOf = null)
{
    /// <summary>How often the guard wakes; each rollout looks only when its own scrape interval has passed.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, Watch> _watches = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StoredRollout> _read = new(StringComparer.Ordinal);
    private readonly Func<StoredRollout, string?> _refuse = EngineServices.Refusal(settings.Rule);

    private long _requests;
    private long _looks;

    /// <summary>The queries the guard has sent so far (one per query and instant, whatever the number of rollouts).</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>The looks at one rollout the guard has taken so far.</summary>
    public long Looks => Interlocked.Read(ref _looks);

    /// <summary>One look at each rollout the ticks handed over (<see cref="GuardCandidates"/>) that is due one.</summary>
    public async Task LookAsync(CancellationToken cancellationToken)
    {
        var now = settings.Time.GetUtcNow();
        var driven = candidates.All();
        var rollouts = new List<StoredRollout>(driven.Count);
        foreach (var (ns, name) in driven)
        {
            // `serve` reads a plan from its watch cache only when it changed; `run` drives one rollout and reads it.
            var key = $"{ns}/{name}";
            if (versionOf?.Invoke(ns, name) is { } version && _read.TryGetValue(key, out var known) && known.ResourceVersion == version)
            {
                rollouts.Add(known);
            }
            else if (await store.GetAsync(ns, name, cancellationToken) is { } rollout)
            {
                _read[key] = rollout;
                rollouts.Add(rollout);
            }
        }

        var watched = new HashSet<string>(StringComparer.Ordinal);
        var answers = new ConcurrentDictionary<(IMetricsProvider, string, DateTimeOffset), Lazy<Task<Measurement>>>();
        var due = new List<(StoredRollout Rollout, Watch Watch)>();
        foreach (var rollout in rollouts)
        {
            var key = $"{rollout.Namespace}/{rollout.Name}";
            if (rollout is not { Plan: { } plan, Status: { Phase: RolloutPhase.Progressing, Stage: { } stage, StageStartedAt: { } started } status } || _refuse(rollout) is not null)
            {
                candidates.Drop(key);
                continue;
            }

            if (status.CanaryWeight <= 0 || status.StableWeight <= 0)
            {
                continue;
            }

            var watch = _watches.GetOrAdd(key, _ => new Watch());
            watched.Add(key);
            if (watch.Generation != rollout.Generation || watch.Stage != stage || watch.StageStartedAt != started)
            {
                watch.Restart(rollout, stage, started, AnalyzerFactory.TemplatesOf(rollout), now);
            }

            if (watch.Metrics.Count == 0)
            {
                // Nothing to guard in this plan (ticks hand it over again only once it changed), or at this stage.
                if (ReferenceEquals(plan.JudgedAt(stage), plan))
                {
                    candidates.Unguarded(key, rollout.Generation);
                }

                continue;
            }

            var at = Floor(now, plan.Spec.Analysis.Prometheus.ScrapeInterval);
            if (at > watch.Since && at > watch.LastLook)
            {
                watch.LastLook = at;
                due.Add((rollout, watch));
            }
        }

        foreach (var gone in _watches.Keys.Where(k => !watched.Contains(k)))
        {
            _watches.TryRemove(gone, out _);
        }

        foreach (var gone in _read.Keys.Where(k => !candidates.Contains(k)))
        {
            _read.TryRemove(gone, out _);
        }

        await Parallel.ForEachAsync(
            due,
            new ParallelOptions { MaxDegreeOfParallelism = settings.MaxConcurrentReconciles, CancellationToken = cancellationToken },
            async (item, token) => await LookAsync(item.Rollout, item.Watch, answers, token));
    }

    private async Task LookAsync(StoredRollout rollout, Watch watch, ConcurrentDictionary<(IMetricsProvider, string, DateTimeOffset), Lazy<Task<Measurement>>> answers, CancellationToken cancellationToken)
    {
        // The rollout's properties on every line logged from here, the announcer's too, as in its tick.
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["Namespace"] = rollout.Namespace, ["Rollout"] = rollout.Name });
        try
        {
            var provider = await analyzers.DirectProviderAsync(rollout, cancellationToken);

            // One request per query and instant, whatever the number of rollouts asking in this look.
            Task<Measurement> Measure(string query, DateTimeOffset at) =>
                answers.GetOrAdd((provider, query, at), key => new Lazy<Task<Measurement>>(() =>
                {
                    Interlocked.Increment(ref _requests);
                    return provider.MeasureAsync(key.Item2, key.Item3, cancellationToken);
                })).Value;

            var at = watch.LastLook;
            Interlocked.Increment(ref _looks);
            var earlier = StageEvidence.Earlier(rollout.Status);
            foreach (var (metric, index) in watch.Metrics.Select((m, i) => (m, i)))
            {
                var counted = watch.Counts[index];
                if (counted.Ended is not null)
                {
                    continue;
                }

                // The counters when the stage began, read once per stage.
                if (counted.Baseline is null && !counted.TryBaseline(metric.Read(await Measure(metric.Events, counted.Since), await Measure(metric.Requests, counted.Since)), at))
                {
                    continue;
                }

                if (counted.CountsAt(metric.Read(await Measure(metric.Events, at), await Measure(metric.Requests, at)), at) is not { } counts)
                {
                    if (counted.Ended is { } why)
                    {
                        LogEnded(logger, rollout.Namespace, rollout.Name, metric.Metric.Name, why);
                    }

                    continue;
                }

                if ((metric.Breach(counted) ?? metric.Judge(counts, earlier.GetValueOrDefault(metric.Metric.Name) ?? [])) is not { Verdict: Verdict.Fail } worse)
                {
                    continue;
                }

                LogTripped(logger, rollout.Namespace, rollout.Name, metric.Metric.Name, worse.Reason);
                var result = await reconciler.ReconcileAsync(rollout.Namespace, rollout.Name, new GuardTripped(watch.Stage, watch.StageStartedAt, at, worse), cancellationToken);
                progress.Report(result);
                return;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The guard is an extra watch: the rollout's own tick still judges it; log and look again next time.
            settings.Errors.Count("guard");
            LogLookFailed(logger, e, rollout.Namespace, rollout.Name, e.Message);
        }
    }

    /// <summary>The latest multiple of <paramref name="step"/> at or before <paramref name="now"/>: instants every rollout of that step shares.</summary>
    internal static DateTimeOffset Floor(DateTimeOffset now, TimeSpan step) =>
        new(now.UtcTicks - (now.UtcTicks % Math.Max(1, step.Ticks)), TimeSpan.Zero);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The continuous guard rolls {Namespace}/{Rollout} back: metric {Metric}: {Reason}")]
    private static partial void LogTripped(ILogger logger, string @namespace, string rollout, string metric, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "The continuous guard stops watching metric {Metric} of {Namespace}/{Rollout} for this stage: {Why}; the analysis ticks judge it on")]
    private static partial void LogEnded(ILogger logger, string @namespace, string rollout, string metric, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The continuous guard could not look at {Namespace}/{Rollout}: {Error}; it looks again next scrape")]
    private static partial void LogLookFailed(ILogger logger, Exception exception, string @namespace, string rollout, string error);

    /// <summary>What the guard keeps of one rollout's stage: its metrics and their counters when the stage began.</summary>
    private sealed class Watch
    {
        public long Generation { get; private set; } = -1;

        public int Stage { get; private set; }

        public DateTimeOffset StageStartedAt { get; private set; }

        /// <summary>
        /// The instant the guard counts from: the first of the shared instants at or after the stage began —
        /// or the last before now, for a stage that began before this process watched it (a restart, a new
        /// leader): its older counts are the tick's.
        /// </summary>
        public DateTimeOffset Since { get; private set; }

        public DateTimeOffset LastLook { get; set; }

        public IReadOnlyList<GuardedMetric> Metrics { get; private set; } = [];

        /// <summary>Each metric's counters through the stage, in the order of <see cref="Metrics"/>.</summary>
        public GuardedCounts[] Counts { get; private set; } = [];

        public void Restart(StoredRollout rollout, int stage, DateTimeOffset started, TemplateCatalog templates, DateTimeOffset now)
        {
            var step = rollout.Plan!.Spec.Analysis.Prometheus.ScrapeInterval;
            Generation = rollout.Generation;
            Stage = stage;
            StageStartedAt = started;
            var floor = Floor(started, step);
            Since = floor == started ? started : floor + step;
            if (Floor(now, step) - step is var recent && recent > Since)
            {
                Since = recent;
            }

            LastLook = Since;
            Metrics = GuardedMetric.For(rollout.Plan.JudgedAt(stage), templates);
            Counts = [.. Metrics.Select(m => new GuardedCounts(Since, step, m.Critical?.Window ?? TimeSpan.Zero))];
        }
    }
}

/// <summary>
/// The rollouts the guard looks at, as their ticks hand them over: a progressing rollout is a candidate,
/// unless its plan, at this generation, has nothing the guard can watch; any other phase is not. So the
/// guard costs nothing for rollouts it cannot guard, however many there are.
/// </summary>
internal sealed class GuardCandidates
{
    private readonly ConcurrentDictionary<string, (string Namespace, string Name)> _candidates = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _unguarded = new(StringComparer.Ordinal);

    /// <summary>What a tick found.</summary>
    public void Consider(string namespaceName, string name, RolloutStatus status)
    {
        var key = $"{namespaceName}/{name}";
        if (status.Phase != RolloutPhase.Progressing || (_unguarded.TryGetValue(key, out var generation) && generation == status.ObservedGeneration))
        {
            Drop(key);
            return;
        }

        _candidates[key] = (namespaceName, name);
    }

    public IReadOnlyList<(string Namespace, string Name)> All() => [.. _candidates.Values];

    public bool Contains(string key) => _candidates.ContainsKey(key);

    public void Drop(string key) => _candidates.TryRemove(key, out _);

    /// <summary>The plan of <paramref name="key"/> has nothing to guard at <paramref name="generation"/>: no candidate until it changes.</summary>
    public void Unguarded(string key, long generation)
    {
        _unguarded[key] = generation;
        Drop(key);
    }
}

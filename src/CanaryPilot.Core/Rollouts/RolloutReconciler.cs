using System.Collections.Concurrent;
using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Notifications;
using CanaryPilot.Core.Plans;

namespace CanaryPilot.Core.Rollouts;

/// <summary>
/// Observes, decides, acts — for one rollout at a time. It reads the plan and its status, measures
/// when a stage is in force, asks the state machine, persists the decided status, and only then
/// changes traffic and announces. After a restart (or a failed action) it first re-applies what the
/// persisted status says, so the mesh never runs ahead of, or behind, the status.
/// </summary>
public sealed class RolloutReconciler(
    IRolloutStore store,
    ITrafficRouter router,
    Func<StoredRollout, CancellationToken, ValueTask<Analyzer>> analyzers,
    IAnnouncer announcer,
    TimeProvider time,
    IGateKeeper? gateKeeper = null)
{
    private readonly ConcurrentDictionary<string, bool> _inSync = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _turns = new(StringComparer.Ordinal);

    /// <summary>
    /// Feeds <paramref name="input"/> to the rollout and carries out what follows; a Tick also measures and
    /// checks for drift. One input at a time per rollout: a person's command waits for a tick in flight.
    /// </summary>
    public async Task<ReconcileResult> ReconcileAsync(string namespaceName, string name, RolloutInput input, CancellationToken cancellationToken)
    {
        var turn = _turns.GetOrAdd($"{namespaceName}/{name}", _ => new SemaphoreSlim(1, 1));
        await turn.WaitAsync(cancellationToken);
        try
        {
            return await ReconcileInTurnAsync(namespaceName, name, input, cancellationToken);
        }
        finally
        {
            turn.Release();
        }
    }

    /// <summary>
    /// Sends all traffic back to stable for a plan that is gone, once any step in flight has finished,
    /// so nothing that step started lands after it.
    /// </summary>
    public async Task RestoreStableAsync(RolloutPlan plan, CancellationToken cancellationToken)
    {
        var key = $"{plan.Namespace}/{plan.Metadata.Name}";
        var turn = _turns.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
        await turn.WaitAsync(cancellationToken);
        try
        {
            await router.FinalizeAsync(plan, promoted: false, cancellationToken);
            _inSync.TryRemove(key, out _);
        }
        finally
        {
            turn.Release();
        }
    }

    private async Task<ReconcileResult> ReconcileInTurnAsync(string namespaceName, string name, RolloutInput input, CancellationToken cancellationToken)
    {
        var stored = await store.GetAsync(namespaceName, name, cancellationToken);
        if (stored is null)
        {
            return ReconcileResult.Missing(namespaceName, name);
        }

        if (stored.Plan is not { } plan)
        {
            return ReconcileResult.Invalid(stored);
        }

        var key = $"{namespaceName}/{name}";
        var status = stored.Status;
        if (!_inSync.ContainsKey(key))
        {
            await CarryOutAsync(plan, status, RolloutMachine.RecoveryActions(plan, status), cancellationToken);
            _inSync[key] = true;
        }

        try
        {
            if (input is Tick { Analysis: null })
            {
                status = await CheckDriftAsync(plan, stored, status, cancellationToken);
                if (status.Phase == RolloutPhase.Progressing)
                {
                    var analyzer = await analyzers(stored, cancellationToken);
                    // One scrape back: at "now" the newest scrape may not have landed, and rate() then reads low.
                    var at = time.GetUtcNow() - plan.Spec.Analysis.Prometheus.ScrapeInterval;
                    input = new Tick(await analyzer.AnalyzeAsync(plan, at, cancellationToken, Baselines(status)));
                }
            }

            return await StepAsync(plan, stored, status, input, cancellationToken);
        }
        catch
        {
            // The persisted status may now be ahead of the mesh: re-apply it before anything else next time.
            _inSync.TryRemove(key, out _);
            throw;
        }
    }

    /// <summary>With no traffic on the stable version, the stable values measured before stand in for it.</summary>
    private static Dictionary<string, double>? Baselines(RolloutStatus status) => status.StableWeight > 0
        ? null
        : status.Metrics.Where(m => m.StableValue is { } v && double.IsFinite(v)).ToDictionary(m => m.Name, m => m.StableValue!.Value, StringComparer.Ordinal);

    private async Task<RolloutStatus> CheckDriftAsync(RolloutPlan plan, StoredRollout stored, RolloutStatus status, CancellationToken cancellationToken)
    {
        if (status.Phase is not (RolloutPhase.Progressing or RolloutPhase.AwaitingApproval) || RolloutMachine.IntentFor(plan, status) is not { } intent)
        {
            return status;
        }

        var differences = (await router.ObserveAsync(plan, cancellationToken)).DifferencesFrom(intent);
        if (differences.Count == 0)
        {
            return status;
        }

        return (await StepAsync(plan, stored, status, new DriftObserved(differences), cancellationToken)).Status ?? status;
    }

    private async Task<ReconcileResult> StepAsync(RolloutPlan plan, StoredRollout stored, RolloutStatus status, RolloutInput input, CancellationToken cancellationToken)
    {
        while (true)
        {
            var decision = RolloutMachine.Decide(plan, status, input, time.GetUtcNow());
            if (!decision.Accepted)
            {
                return ReconcileResult.Rejected(stored, status, decision.Rejection!);
            }

            var next = decision.Status with { ObservedGeneration = stored.Generation };
            if (next != status)
            {
                status = await store.UpdateStatusAsync(stored.Namespace, stored.Name, _ => next, cancellationToken);
            }

            await CarryOutAsync(plan, status, decision.Actions, cancellationToken);
            if (decision.Actions.OfType<AskGates>().FirstOrDefault() is { } ask)
            {
                input = await AskGatesAsync(plan, status, ask.Type, cancellationToken);
                continue;
            }

            if (!decision.TickAgain)
            {
                return ReconcileResult.Done(stored, status);
            }

            input = new Tick();
        }
    }

    /// <summary>Asks every gate of the type at once; each answers within its own timeout.</summary>
    private async Task<GatesAnswered> AskGatesAsync(RolloutPlan plan, RolloutStatus status, GateType type, CancellationToken cancellationToken)
    {
        var answers = await Task.WhenAll(plan.Spec.Gates.Where(g => g.Type == type).Select(async gate => new GateAnswer(
            gate.Name,
            gateKeeper is null
                ? new GateOutcome(GateVerdict.Failed, $"gate {gate.Name} could not be asked: this engine has no gate keeper")
                : await gateKeeper.AskAsync(gate, plan, status, cancellationToken),
            gate.OnTimeout)));
        return new GatesAnswered(type, answers);
    }

    private async Task CarryOutAsync(RolloutPlan plan, RolloutStatus status, IReadOnlyList<RolloutAction> actions, CancellationToken cancellationToken)
    {
        foreach (var action in actions)
        {
            switch (action)
            {
                case ApplyTraffic apply:
                    await router.ApplyAsync(plan, apply.Intent, cancellationToken);
                    break;
                case FinalizeTraffic finalize:
                    await router.FinalizeAsync(plan, finalize.Promoted, cancellationToken);
                    break;
                case Announce announce:
                    await announcer.AnnounceAsync(plan, status, announce, cancellationToken);
                    break;
            }
        }
    }
}

/// <summary>What a reconcile came to.</summary>
public sealed record ReconcileResult(string Namespace, string Name, RolloutStatus? Status, string? Rejection, IReadOnlyList<Diagnostics.Diagnostic> Problems)
{
    public bool Found => Status is not null || Problems.Count > 0;

    public static ReconcileResult Missing(string ns, string name) => new(ns, name, null, $"rollout plan {ns}/{name} does not exist", []);

    public static ReconcileResult Invalid(StoredRollout stored) => new(stored.Namespace, stored.Name, stored.Status, "the plan is invalid", stored.Problems);

    public static ReconcileResult Rejected(StoredRollout stored, RolloutStatus status, string reason) => new(stored.Namespace, stored.Name, status, reason, []);

    public static ReconcileResult Done(StoredRollout stored, RolloutStatus status) => new(stored.Namespace, stored.Name, status, null, []);
}

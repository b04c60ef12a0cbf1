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
/// <remarks>
/// A rollout takes one input at a time, but waits — on Prometheus, on gates — happen outside its turn:
/// a person's command is carried out at once, cancels the wait, and the waiting tick's late result is
/// dropped, so it cannot undo the command. <paramref name="refuse"/>, when given, says why this process
/// must not drive a rollout (another driver, another namespace, standby); every input is refused then.
/// </remarks>
public sealed class RolloutReconciler(
    IRolloutStore store,
    ITrafficRouter router,
    Func<StoredRollout, CancellationToken, ValueTask<Analyzer>> analyzers,
    IAnnouncer announcer,
    TimeProvider time,
    IGateKeeper? gateKeeper = null,
    Func<StoredRollout, string?>? refuse = null,
    IWorkloadReader? workloads = null)
{
    private readonly ConcurrentDictionary<string, bool> _inSync = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Turn> _turns = new(StringComparer.Ordinal);

    /// <summary>
    /// Feeds <paramref name="input"/> to the rollout and carries out what follows; a Tick also measures and
    /// checks for drift. One input at a time per rollout; a command does not wait for a tick's measurement.
    /// </summary>
    public async Task<ReconcileResult> ReconcileAsync(string namespaceName, string name, RolloutInput input, CancellationToken cancellationToken)
    {
        var turn = _turns.GetOrAdd($"{namespaceName}/{name}", _ => new Turn());
        var command = input is not (Tick or DriftObserved or GatesAnswered);
        if (command)
        {
            turn.CancelWait();
        }

        long? epoch = null;
        while (true)
        {
            Step step;
            await turn.Lock.WaitAsync(cancellationToken);
            try
            {
                if (epoch is { } started && started != turn.Epoch)
                {
                    // A command ran while this tick waited: its late result must not undo the command.
                    return await CurrentAsync(namespaceName, name, cancellationToken);
                }

                if (command && epoch is null)
                {
                    turn.Epoch++;
                }

                step = await StepInTurnAsync(namespaceName, name, input, cancellationToken);
                epoch = turn.Epoch;
            }
            finally
            {
                turn.Lock.Release();
            }

            if (step.Wait is not { } wait)
            {
                return step.Result!;
            }

            using var waiting = turn.StartWait(cancellationToken);
            try
            {
                input = await wait(waiting.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return await CurrentAsync(namespaceName, name, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Sends all traffic back to stable for a plan that is gone, once any step in flight has finished,
    /// so nothing that step started lands after it.
    /// </summary>
    public async Task RestoreStableAsync(RolloutPlan plan, CancellationToken cancellationToken)
    {
        var key = $"{plan.Namespace}/{plan.Metadata.Name}";
        var turn = _turns.GetOrAdd(key, _ => new Turn());
        turn.CancelWait();
        await turn.Lock.WaitAsync(cancellationToken);
        try
        {
            turn.Epoch++;
            await router.FinalizeAsync(plan, promoted: false, cancellationToken);
            _inSync.TryRemove(key, out _);
        }
        finally
        {
            turn.Lock.Release();
        }
    }

    private async Task<ReconcileResult> CurrentAsync(string namespaceName, string name, CancellationToken cancellationToken) =>
        await store.GetAsync(namespaceName, name, cancellationToken) is { } stored
            ? ReconcileResult.Done(stored, stored.Status)
            : ReconcileResult.Missing(namespaceName, name);

    private async Task<Step> StepInTurnAsync(string namespaceName, string name, RolloutInput input, CancellationToken cancellationToken)
    {
        var stored = await store.GetAsync(namespaceName, name, cancellationToken);
        if (stored is null)
        {
            return new Step(ReconcileResult.Missing(namespaceName, name));
        }

        if (refuse?.Invoke(stored) is { } refusal)
        {
            return new Step(ReconcileResult.Refused(stored, refusal));
        }

        if (stored.Plan is not { } plan)
        {
            return new Step(ReconcileResult.Invalid(stored));
        }

        var key = $"{namespaceName}/{name}";
        var status = stored.Status;
        if (!_inSync.ContainsKey(key))
        {
            var recovery = RolloutMachine.RecoveryActions(plan, status);
            try
            {
                await CarryOutAsync(plan, status, recovery, cancellationToken);
            }
            catch (TrafficRoutingException e) when (recovery.Any(a => a is ApplyTraffic))
            {
                // The stage the status stands for cannot be put in place: the machine rolls back, as it would have on entering it.
                var refused = await StepAsync(plan, stored, status, new TrafficRefused(e.Message), cancellationToken);
                _inSync[key] = true;
                return refused;
            }

            _inSync[key] = true;
        }

        try
        {
            if (input is Tick { Analysis: null })
            {
                (status, var inForce) = await CheckTrafficAsync(plan, stored, status, cancellationToken);
                if (status.Phase == RolloutPhase.Progressing && inForce)
                {
                    var baselines = StageEvidence.StableBaselines(status);
                    var stageStartedAt = status.StageStartedAt;
                    var earlier = StageEvidence.Earlier(status);
                    var stage = status.Stage;
                    return new Step(Wait: async token =>
                    {
                        var analyzer = await analyzers(stored, token);
                        // One scrape back: at "now" the newest scrape may not have landed, and rate() then reads low.
                        var at = time.GetUtcNow() - plan.Spec.Analysis.Prometheus.ScrapeInterval;
                        return new Tick(await analyzer.AnalyzeAsync(plan.JudgedAt(stage), at, token, baselines, stageStartedAt, earlier));
                    });
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

    /// <summary>
    /// Reads the mesh back: drift is re-applied or pauses the rollout, as the plan says; a change a route's parent
    /// has not accepted holds the stage. <c>InForce</c> is false when a parent has not taken the stage's traffic up,
    /// so nothing measured now could be evidence about it.
    /// </summary>
    private async Task<(RolloutStatus Status, bool InForce)> CheckTrafficAsync(RolloutPlan plan, StoredRollout stored, RolloutStatus status, CancellationToken cancellationToken)
    {
        if (status.Phase is not (RolloutPhase.Progressing or RolloutPhase.AwaitingApproval) || RolloutMachine.IntentFor(plan, status) is not { } intent)
        {
            return (status, true);
        }

        var observation = await router.ObserveAsync(plan, cancellationToken);
        var differences = observation.DifferencesFrom(intent);
        if (differences.Count > 0)
        {
            // Re-applied, or paused: a paused rollout measures nothing, a re-applied one measures on as before.
            return ((await StepAsync(plan, stored, status, new DriftObserved(differences), cancellationToken)).Result?.Status ?? status, true);
        }

        if (observation.NotInForce.Count > 0)
        {
            return ((await StepAsync(plan, stored, status, new TrafficNotInForce(observation.NotInForce), cancellationToken)).Result?.Status ?? status, false);
        }

        return (status, true);
    }

    private async Task<Step> StepAsync(RolloutPlan plan, StoredRollout stored, RolloutStatus status, RolloutInput input, CancellationToken cancellationToken)
    {
        var persisted = status;
        while (true)
        {
            var decision = RolloutMachine.Decide(plan, status, input, time.GetUtcNow());
            if (!decision.Accepted)
            {
                return new Step(ReconcileResult.Rejected(stored, status, decision.Rejection!));
            }

            var next = decision.Status with { ObservedGeneration = stored.Generation };
            if (decision.Actions is [CheckWorkloads])
            {
                // Only a look at the workloads follows, within this turn: the status the answer leads to is the one saved.
                status = next;
            }
            else if (next != persisted)
            {
                status = persisted = await store.UpdateStatusAsync(stored.Namespace, stored.Name, _ => next, cancellationToken);
            }
            else
            {
                status = next;
            }

            try
            {
                await CarryOutAsync(plan, status, decision.Actions, cancellationToken);
            }
            catch (TrafficRoutingException e) when (decision.Actions.Any(a => a is ApplyTraffic) && input is not TrafficRefused)
            {
                // The resources are not as the stage needs them, and will not be by trying again: the machine decides what follows.
                input = new TrafficRefused(e.Message);
                continue;
            }

            if (decision.Actions.OfType<AskGates>().FirstOrDefault() is { } ask)
            {
                var asked = status;
                return new Step(Wait: async token => await AskGatesAsync(plan, asked, ask.Type, token));
            }

            if (decision.Actions.OfType<CheckWorkloads>().FirstOrDefault() is { } check)
            {
                // Read from the controller's cache: quick, so within the turn.
                input = await ObserveWorkloadsAsync(plan, check, cancellationToken);
                continue;
            }

            if (!decision.TickAgain)
            {
                return new Step(ReconcileResult.Done(stored, status));
            }

            input = new Tick();
        }
    }

    /// <summary>The canary's workload and, for capacity, the stable's, as the readiness check asks.</summary>
    private async Task<WorkloadsObserved> ObserveWorkloadsAsync(RolloutPlan plan, CheckWorkloads check, CancellationToken cancellationToken)
    {
        if (workloads is null)
        {
            return WorkloadsObserved.Unchecked(check);
        }

        var service = plan.Spec.Service;
        try
        {
            var canary = await workloads.ReadAsync(plan.Namespace, service.Canary.Workload!, cancellationToken);
            var stable = plan.Spec.Readiness.Capacity && service.Stable.Workload is { } name ? await workloads.ReadAsync(plan.Namespace, name, cancellationToken) : null;
            return WorkloadsObserved.Of(check, canary, stable);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Forbidden, or the API down: the rollout holds, saying so, rather than losing the tick.
            return WorkloadsObserved.Failed(check, e.Message);
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

/// <summary>One turn's outcome: a result, or a wait to do outside the turn (a measurement, gates) whose answer is the next input.</summary>
internal sealed record Step(ReconcileResult? Result = null, Func<CancellationToken, Task<RolloutInput>>? Wait = null);

/// <summary>A rollout's turn: one input at a time, a count of commands taken, and the wait in flight, which a command cancels.</summary>
internal sealed class Turn
{
    private CancellationTokenSource? _wait;

    public SemaphoreSlim Lock { get; } = new(1, 1);

    /// <summary>Commands carried out so far; changed only under <see cref="Lock"/>.</summary>
    public long Epoch { get; set; }

    public CancellationTokenSource StartWait(CancellationToken cancellationToken)
    {
        var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Interlocked.Exchange(ref _wait, wait);
        return wait;
    }

    public void CancelWait()
    {
        try
        {
            Volatile.Read(ref _wait)?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // That wait ended already.
        }
    }
}

/// <summary>What a reconcile came to; <see cref="NotDrivenHere"/> when this process must not drive the rollout.</summary>
public sealed record ReconcileResult(string Namespace, string Name, RolloutStatus? Status, string? Rejection, IReadOnlyList<Diagnostics.Diagnostic> Problems, bool NotDrivenHere = false)
{
    public bool Found => Status is not null || Problems.Count > 0;

    public static ReconcileResult Missing(string ns, string name) => new(ns, name, null, $"rollout plan {ns}/{name} does not exist", []);

    public static ReconcileResult Invalid(StoredRollout stored) => new(stored.Namespace, stored.Name, stored.Status, "the plan is invalid", stored.Problems);

    public static ReconcileResult Rejected(StoredRollout stored, RolloutStatus status, string reason) => new(stored.Namespace, stored.Name, status, reason, []);

    public static ReconcileResult Refused(StoredRollout stored, string reason) => new(stored.Namespace, stored.Name, stored.Status, reason, [], NotDrivenHere: true);

    public static ReconcileResult Done(StoredRollout stored, RolloutStatus status) => new(stored.Namespace, stored.Name, status, null, []);
}

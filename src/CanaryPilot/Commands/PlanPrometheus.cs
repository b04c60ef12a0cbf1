using System.Security.Cryptography;
using CanaryPilot.Cli;
using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Documents;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Secrets;
using CanaryPilot.Core.Validation;
using CanaryPilot.Kubernetes;
using CanaryPilot.Prometheus;
using CanaryPilot.Secrets;
using k8s;
using k8s.Exceptions;

namespace CanaryPilot.Commands;

/// <summary>
/// What the commands that query Prometheus for one plan (<c>analyze</c>, <c>backtest</c>) start from: the
/// one valid plan in the files, and a client for its Prometheus (the plan's address or <c>--prometheus</c>)
/// with the plan's credentials. When either cannot be had, the exit code, with the findings or one line
/// <c>canarypilot: …</c> on standard error.
/// </summary>
internal static class PlanPrometheus
{
    /// <summary>The one plan in <paramref name="files"/>; <paramref name="purpose"/> says what the command does with one (<c>analyze evaluates one RolloutPlan</c>).</summary>
    public static (RolloutPlan? Plan, int ExitCode) LoadOne(IReadOnlyList<string> files, TemplateCatalog templates, string purpose, CliConsole console)
    {
        var report = PlanValidation.Validate(new InputLoader().Load(files), templates);
        if (!report.IsValid)
        {
            DiagnosticPrinter.WriteText(console.Error, report.Diagnostics);
            return (null, ExitCodes.InvalidInput);
        }

        if (report.ValidPlans is not [var plan])
        {
            var names = string.Join(", ", report.ValidPlans.Select(p => $"{p.Namespace}/{p.Metadata.Name}"));
            return (null, Refuse(console, $"{purpose}; the files hold {report.ValidPlans.Count} ({names}): give one plan file"));
        }

        return (plan, ExitCodes.Success);
    }

    /// <summary>A client for the plan's Prometheus, its secrets read from files, the environment, or the cluster of <paramref name="kubeconfig"/>.</summary>
    public static async Task<(Connection? Connection, int ExitCode)> ConnectAsync(
        RolloutPlan plan, string? prometheus, string? kubeconfig, CliConsole console, TimeProvider time, CancellationToken cancellationToken)
    {
        if (Address(plan, prometheus) is not { } address)
        {
            return (null, Refuse(console, prometheus is null
                ? "no Prometheus address: set spec.analysis.prometheus.address or pass --prometheus URL"
                : $"--prometheus \"{prometheus}\" is not an absolute http or https URL"));
        }

        k8s.Kubernetes? cluster = null;
        try
        {
            cluster = kubeconfig is not null ? KubernetesClients.Create(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig)) : null;
            var options = await PrometheusConnection.OptionsAsync(plan.Spec.Analysis.Prometheus, address, plan.Namespace, CliSecrets.For(cluster, time), cancellationToken);
            return (new Connection(address, PrometheusClient.Create(options, time)), ExitCodes.Success);
        }
        catch (Exception e) when (e is SecretUnavailableException or KubeConfigException or IOException or CryptographicException or UnauthorizedAccessException)
        {
            return (null, Refuse(console, $"spec.analysis.prometheus: {OneLine(e.Message)}"));
        }
        catch (HttpRequestException e)
        {
            console.Error.WriteLine($"canarypilot: cannot read the plan's Secrets from the cluster: {OneLine(e.Message)}");
            return (null, ExitCodes.InfrastructureFailure);
        }
        finally
        {
            cluster?.Dispose();
        }
    }

    /// <summary>Writes <c>canarypilot: message</c> to standard error: the input is invalid.</summary>
    public static int Refuse(CliConsole console, string message)
    {
        console.Error.WriteLine($"canarypilot: {message}");
        return ExitCodes.InvalidInput;
    }

    private static Uri? Address(RolloutPlan plan, string? flag)
    {
        var text = flag ?? plan.Spec.Analysis.Prometheus.Address;
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) ? uri : null;
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");

    /// <summary>Where the plan's Prometheus is, and a client for it, which the caller disposes.</summary>
    internal sealed record Connection(Uri Address, PrometheusClient Client);
}

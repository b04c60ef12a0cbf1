using CanaryPilot.Core.Documents;

namespace CanaryPilot.Core.Import;

/// <summary>
/// <c>canarypilot import</c>: Flagger Canaries and Argo Rollouts Rollouts, with their metric templates, as
/// RolloutPlans and AnalysisTemplates. The other documents given (MetricTemplates, AlertProviders, AnalysisTemplates,
/// ClusterAnalysisTemplates, VirtualServices, DestinationRules) are read where a Canary or Rollout names them.
/// </summary>
public static class Importer
{
    public static ImportResult Import(InputSet input)
    {
        if (input.Diagnostics.Count > 0)
        {
            return new ImportResult([], [], input.Diagnostics);
        }

        var session = new ImportSession(input.Documents);
        var found = false;
        foreach (var document in input.Documents)
        {
            if (document.Group == FlaggerImporter.Group && document.Kind == "Canary")
            {
                found = true;
                new FlaggerImporter(session).Import(document);
            }
            else if (document.Group == ArgoRolloutsImporter.Group && document.Kind == "Rollout")
            {
                found = true;
                new ArgoRolloutsImporter(session).Import(document);
            }
        }

        if (!found)
        {
            return new ImportResult([], [], [Diagnostics.Diagnostic.Error((input.Documents.Count > 0 ? input.Documents[0].File : "input"), null, null, "no Flagger Canary (flagger.app) or Argo Rollouts Rollout (argoproj.io) among the inputs")]);
        }

        return session.Result();
    }
}

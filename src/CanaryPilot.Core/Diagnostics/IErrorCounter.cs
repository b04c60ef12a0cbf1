namespace CanaryPilot.Core.Diagnostics;

/// <summary>
/// Counts failures that were caught and handled (logged where they happened), by the component that
/// caught them, so none passes silently: the service exports them as <c>canarypilot_errors_total{component}</c>.
/// </summary>
public interface IErrorCounter
{
    void Count(string component);

    /// <summary>Counts nowhere: for the CLI, whose failures reach the person running it.</summary>
    public static IErrorCounter None { get; } = new Nowhere();

    private sealed class Nowhere : IErrorCounter
    {
        public void Count(string component)
        {
        }
    }
}

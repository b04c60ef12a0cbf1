namespace CanaryPilot.Core.Plans;

/// <summary>HTTP basic authentication: a user name, and a password that is only ever referenced.</summary>
public sealed record BasicAuthSpec
{
    public required string Username { get; init; }

    /// <summary>The password, from a Secret, a file or an environment variable.</summary>
    public required SecretSource Password { get; init; }
}

using System.Security.Cryptography;

namespace CanaryPilot.Notifications.Webhooks;

/// <summary>
/// <c>X-CanaryPilot-Signature: sha256=&lt;hex&gt;</c>: the lowercase hex HMAC-SHA256 of the exact body
/// bytes, keyed with the shared secret, so a receiver can tell CanaryPilot's events from forgeries.
/// </summary>
public static class WebhookSignature
{
    public const string HeaderName = "X-CanaryPilot-Signature";

    public static string Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> body) => "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(key, body));
}

using System.Security.Cryptography;
using System.Text;

namespace CanaryPilot.Service;

public enum ApiRole
{
    Viewer,
    Operator,
}

/// <summary>
/// The API's bearer tokens, kept only as SHA-256 hashes and compared in constant time, so neither a
/// token nor its length leaks through timing; tokens are never logged.
/// </summary>
public sealed class TokenStore
{
    private readonly List<(byte[] Hash, ApiRole Role)> _tokens = [];

    /// <summary>Reads <c>token:role</c> lines; blank lines and <c>#</c> comments are skipped.</summary>
    public static TokenStore Parse(string text, string source)
    {
        var store = new TokenStore();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var colon = line.LastIndexOf(':');
            var role = colon > 0 ? line[(colon + 1)..].Trim() : "";
            if (colon <= 0 || role is not ("viewer" or "operator"))
            {
                throw new FormatException($"{source}:{i + 1}: expected token:role with role viewer or operator");
            }

            store._tokens.Add((Hash(line[..colon].Trim()), role == "operator" ? ApiRole.Operator : ApiRole.Viewer));
        }

        return store;
    }

    public int Count => _tokens.Count;

    /// <summary>The role of the token in an <c>Authorization: Bearer …</c> header, or null.</summary>
    public ApiRole? Authenticate(string? authorization)
    {
        if (authorization is null || !authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var offered = Hash(authorization["Bearer ".Length..].Trim());
        ApiRole? found = null;
        foreach (var (hash, role) in _tokens)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, offered))
            {
                found = role;
            }
        }

        return found;
    }

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}

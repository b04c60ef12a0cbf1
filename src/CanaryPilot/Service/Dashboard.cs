using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CanaryPilot.Service;

/// <summary>
/// The web dashboard at <c>/</c>: a page and its assets, embedded in the binary, served with a Content-Security-Policy
/// that lets nothing run or load but them, from this origin. The page reads and commands through <c>/api/v1</c> with the
/// token a person gives it, and follows the rollouts through the API's server-sent events.
/// </summary>
public static class Dashboard
{
    /// <summary>Scripts, styles and requests from this origin only; no inline script or style, no frames, no forms elsewhere.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.Ordinal)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".LICENSE"] = "text/plain; charset=utf-8",
    };

    private static readonly Lazy<Dictionary<string, byte[]>> Assets = new(Load);

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", (HttpContext context) => Serve(context, "index.html"));
        app.MapGet("/assets/{**path}", (HttpContext context, string path) => Serve(context, path));
        return app;
    }

    private static IResult Serve(HttpContext context, string path)
    {
        if (!Assets.Value.TryGetValue(path, out var content))
        {
            return Results.Problem(statusCode: 404, title: "Not found", detail: $"the dashboard has no asset {path}");
        }

        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-cache";
        return Results.Bytes(content, ContentTypes.GetValueOrDefault(Path.GetExtension(path), "application/octet-stream"));
    }

    /// <summary>The embedded assets by path (<c>index.html</c>, <c>dashboard.js</c>, <c>vendor/uPlot.iife.min.js</c>, …).</summary>
    private static Dictionary<string, byte[]> Load()
    {
        var assembly = Assembly.GetExecutingAssembly();
        var assets = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("dashboard/", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            assets[name["dashboard/".Length..]] = copy.ToArray();
        }

        return assets;
    }
}

using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using CanaryPilot.Core.Rollouts;
using CanaryPilot.Testing;
using CanaryPilot.Tests.EndToEnd;
using CanaryPilot.Tests.Service;
using Microsoft.Extensions.DependencyInjection;
using PuppeteerSharp;

namespace CanaryPilot.Tests.Dashboard;

/// <summary>
/// The dashboard in a real headless Chromium (Debian's), against <c>serve</c> driving a real rollout on the emulator with
/// a real Prometheus: what a person sees, live, and what they may do.
/// </summary>
public sealed class DashboardBrowserTests : IClassFixture<HeadlessChromium>
{
    private readonly HeadlessChromium _chromium;

    public DashboardBrowserTests(HeadlessChromium chromium) => _chromium = chromium;

    /// <summary>20% for a few checks, then 50% long enough to act on, then all.</summary>
    private static readonly string SlowPlan = RolloutTestBed.Plan.Replace(
        "  stages: [{weight: 20}, {weight: 50}, {weight: 100}]",
        "  stages: [{weight: 20, minDuration: 6s}, {weight: 50, minDuration: 10m}, {weight: 100}]",
        StringComparison.Ordinal);

    [Fact]
    public async Task AnOperator_FollowsTheRolloutLive_AndAbortsIt()
    {
        await using var bed = await RolloutTestBed.StartAsync(RolloutTestBed.Healthy);
        await bed.CreatePlanAsync(SlowPlan);
        await using var service = await ServiceUnderTest.StartAsync(bed);
        await using var page = await _chromium.OpenAsync(service, ServiceUnderTest.OperatorToken);

        // The list shows the rollout, and its weight moving on without a reload.
        await page.WaitForTextAsync("tr[data-key='bookinfo/reviews'] td.weight", "20%");
        await page.WaitForTextAsync("tr[data-key='bookinfo/reviews'] td.weight", "50%");
        Assert.Equal("Progressing", await page.TextAsync("tr[data-key='bookinfo/reviews'] td.phase"));

        await page.ClickAsync("tr[data-key='bookinfo/reviews'] a");
        await page.WaitForTextAsync("#stage", "50%");
        await page.WaitForFunctionAsync("() => Number(document.querySelector('[data-metric=\"success-rate\"]')?.dataset.points) >= 2");
        Assert.True(int.Parse(await page.EvaluateExpressionAsync<string>("document.querySelector('#weights').dataset.points")) >= 3);
        Assert.Equal("current", await page.EvaluateExpressionAsync<string>("document.querySelector('#timeline li[data-stage=\"1\"]').className"));
        Assert.DoesNotContain("null", await page.TextAsync("#summary"), StringComparison.Ordinal);
        // Each decision with its numbers, and what people were told.
        var decisions = await page.TextAsync("#decisions");
        Assert.Contains("success-rate 100 pass", decisions, StringComparison.Ordinal);
        Assert.Contains("announced: StageAdvanced", decisions, StringComparison.Ordinal);
        if (Environment.GetEnvironmentVariable("CANARYPILOT_WRITE_SCREENSHOT") == "1")
        {
            await page.ScreenshotAsync(Repository.Path("docs", "dashboard.png"), new ScreenshotOptions { FullPage = true });
        }

        await page.ClickAsync("#actions button[data-command='abort']");
        await page.WaitForSelectorAsync("dialog#confirm[open]");
        Assert.Contains("Abort bookinfo/reviews?", await page.TextAsync("#confirm-text"), StringComparison.Ordinal);
        await page.ClickAsync("#confirm-ok");

        await page.WaitForTextAsync("#phase", "Aborted");
        Assert.Equal(0, await bed.LiveCanaryWeightAsync());
        Assert.Equal("retry", await page.TextAsync("#actions button"));
        Assert.Empty(page.Errors);
    }

    [Fact]
    public async Task AViewer_IsOfferedNoAction_AndARefusalIsShownAsTheApiGivesIt()
    {
        await using var bed = await RolloutTestBed.StartAsync(RolloutTestBed.Healthy);
        await bed.CreatePlanAsync(SlowPlan);
        await using var service = await ServiceUnderTest.StartAsync(bed);

        await using (var viewer = await _chromium.OpenAsync(service, ServiceUnderTest.ViewerToken, "#/bookinfo/reviews"))
        {
            await viewer.WaitForTextAsync("#phase", "Progressing");
            Assert.Equal("signed in as viewer", await viewer.TextAsync("#who"));
            Assert.Equal(0, await viewer.EvaluateExpressionAsync<int>("document.querySelectorAll('#actions, button[data-command]').length"));
            Assert.Empty(viewer.Errors);
        }

        // A tab whose event stream does not get through: it shows the rollout as it was when loaded.
        await using var operatorPage = await _chromium.OpenAsync(service, ServiceUnderTest.OperatorToken, "#/bookinfo/reviews", live: false);
        await operatorPage.WaitForTextAsync("#phase", "Progressing");
        // Someone else pauses the rollout meanwhile: this tab still offers pause, and the API's refusal is shown as it is.
        using (var paused = await service.Http.SendAsync(ServiceUnderTest.Request(HttpMethod.Post, "/api/v1/rollouts/bookinfo/reviews/pause")))
        {
            Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        }

        await operatorPage.ClickAsync("#actions button[data-command='pause']");
        await operatorPage.WaitForFunctionAsync("() => document.querySelector('#feedback').textContent.length > 0");
        Assert.Equal("pause refused (HTTP 409): only a progressing rollout can be paused; it is Paused", await operatorPage.TextAsync("#feedback"));
    }

    [Fact]
    public async Task MarkupInAReason_RendersAsText()
    {
        await using var bed = await RolloutTestBed.StartAsync(RolloutTestBed.Healthy);
        await bed.CreatePlanAsync(SlowPlan);
        await using var service = await ServiceUnderTest.StartAsync(bed);
        const string reason = "held: <script>window.pwned = 1</script><img src=x onerror=\"window.pwned = 2\">";
        await Eventually.TrueAsync(async () => (await bed.PhaseAsync()) == "Progressing", "the rollout to start", TimeSpan.FromMinutes(1));
        await service.Http.SendAsync(ServiceUnderTest.Request(HttpMethod.Post, "/api/v1/rollouts/bookinfo/reviews/pause"));
        await service.App.Services.GetRequiredService<IRolloutStore>().UpdateStatusAsync("bookinfo", "reviews", s => s with { Message = reason }, CancellationToken.None);

        await using var page = await _chromium.OpenAsync(service, ServiceUnderTest.ViewerToken, "#/bookinfo/reviews");
        await page.WaitForTextAsync("#message", reason);

        Assert.Equal(0, await page.EvaluateExpressionAsync<int>("document.querySelectorAll('#message *').length"));
        Assert.True(await page.EvaluateExpressionAsync<bool>("window.pwned === undefined"));
    }

    [Fact]
    public async Task TheDemo_PrintsTheDashboardsLink_AndWithKeep_ThePageShowsTheScenariosRollout()
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "canarypilot.dll"), "demo", "--keep"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var demo = Process.Start(start)!;
        try
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            Uri? link = null;
            while (await demo.StandardOutput.ReadLineAsync(deadline.Token) is { } line && !line.Contains("the healthy scenario ended as it should", StringComparison.Ordinal))
            {
                if (Regex.Match(line, @"dashboard: (http://127\.0\.0\.1:\d+/#token=[0-9a-f]{32}) ") is { Success: true } match)
                {
                    link = new Uri(match.Groups[1].Value);
                }
            }

            Assert.NotNull(link);
            await using var page = await _chromium.OpenAsync(link);
            await page.WaitForTextAsync("tr[data-key='bookinfo/reviews'] td.phase", "Succeeded");
            Assert.Equal("signed in as operator", await page.TextAsync("#who"));
            // The token left the address for the tab's storage.
            Assert.Equal("#/", await page.EvaluateExpressionAsync<string>("location.hash"));
            await page.ClickAsync("tr[data-key='bookinfo/reviews'] a");
            await page.WaitForTextAsync("#phase", "Succeeded");
            Assert.Equal("done", await page.EvaluateExpressionAsync<string>("document.querySelector('#timeline li[data-stage=\"3\"]').className"));

            using var term = Process.Start("kill", ["-TERM", demo.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
            await term.WaitForExitAsync(deadline.Token);
            await demo.WaitForExitAsync(deadline.Token);
        }
        finally
        {
            if (!demo.HasExited)
            {
                demo.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task ThePage_IsServedWithAPolicyThatLetsOnlyItsOwnScriptsRun()
    {
        await using var bed = await RolloutTestBed.StartAsync(RolloutTestBed.Healthy);
        await using var service = await ServiceUnderTest.StartAsync(bed);

        using var page = await service.Http.GetAsync("/");
        using var script = await service.Http.GetAsync("/assets/dashboard.js");
        using var missing = await service.Http.GetAsync("/assets/nothing.js");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Equal(CanaryPilot.Service.Dashboard.ContentSecurityPolicy, page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.DoesNotContain("<script>", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(("text/javascript", "nosniff"), (script.Content.Headers.ContentType?.MediaType, script.Headers.GetValues("X-Content-Type-Options").Single()));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }
}

/// <summary>One headless Chromium for a test class: Debian's, at /usr/bin/chromium (the test script installs it); never a download.</summary>
public sealed class HeadlessChromium : IAsyncLifetime
{
    private static readonly string[] Executables = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

    private IBrowser? _browser;

    public async Task InitializeAsync()
    {
        var executable = Executables.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("Chromium is not installed: scripts/test installs Debian's chromium package");
        _browser = await Puppeteer.LaunchAsync(new LaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check"],
        });
    }

    /// <summary>A tab on <paramref name="address"/>, as a person opens a link.</summary>
    internal async Task<DashboardPage> OpenAsync(Uri address)
    {
        var context = await _browser!.CreateBrowserContextAsync();
        var page = await context.NewPageAsync();
        await page.SetViewportAsync(new ViewPortOptions { Width = 1280, Height = 1000 });
        var opened = new DashboardPage(context, page);
        await page.GoToAsync(address.ToString());
        return opened;
    }

    /// <summary>A tab on the service's dashboard at <paramref name="fragment"/>, signed in with <paramref name="token"/>.</summary>
    internal async Task<DashboardPage> OpenAsync(ServiceUnderTest service, string token, string fragment = "#/", bool live = true)
    {
        var context = await _browser!.CreateBrowserContextAsync();
        var page = await context.NewPageAsync();
        if (!live)
        {
            await page.SetRequestInterceptionAsync(true);
            page.Request += async (_, e) =>
            {
                if (e.Request.Url.EndsWith("/events", StringComparison.Ordinal))
                {
                    await e.Request.AbortAsync();
                }
                else
                {
                    await e.Request.ContinueAsync();
                }
            };
        }

        await page.SetViewportAsync(new ViewPortOptions { Width = 1280, Height = 1000 });
        var opened = new DashboardPage(context, page);
        await page.GoToAsync(new Uri(service.Http.BaseAddress!, "/" + fragment).ToString());
        await page.WaitForSelectorAsync("#token");
        await page.TypeAsync("#token", token);
        await page.ClickAsync("#signin");
        await page.WaitForFunctionAsync("() => document.querySelector('#who').textContent.startsWith('signed in')");
        return opened;
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
            await _browser.DisposeAsync();
        }
    }
}

/// <summary>A dashboard tab, with what its console and the page reported as errors (a policy violation among them).</summary>
internal sealed class DashboardPage : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly IPage _page;

    public DashboardPage(IBrowserContext context, IPage page)
    {
        _context = context;
        _page = page;
        page.Console += (_, e) =>
        {
            if (e.Message.Type == ConsoleType.Error)
            {
                Errors.Add(e.Message.Text);
            }
        };
        page.PageError += (_, e) => Errors.Add(e.Message);
    }

    public List<string> Errors { get; } = [];

    public Task ClickAsync(string selector) => _page.ClickAsync(selector);

    public Task WaitForSelectorAsync(string selector) => _page.WaitForSelectorAsync(selector, new WaitForSelectorOptions { Timeout = 60_000 });

    public Task WaitForFunctionAsync(string function) => _page.WaitForFunctionAsync(function, new WaitForFunctionOptions { Timeout = 60_000 });

    /// <summary>Waits until the element's text is <paramref name="text"/>: the page shows it without a reload.</summary>
    public Task WaitForTextAsync(string selector, string text) =>
        _page.WaitForFunctionAsync("(selector, text) => document.querySelector(selector)?.textContent === text", new WaitForFunctionOptions { Timeout = 90_000 }, selector, text);

    public Task<string> TextAsync(string selector) => _page.EvaluateFunctionAsync<string>("selector => document.querySelector(selector).textContent", selector);

    public Task<T> EvaluateExpressionAsync<T>(string expression) => _page.EvaluateExpressionAsync<T>(expression);

    public Task EvaluateExpressionAsync(string expression) => _page.EvaluateExpressionAsync(expression);

    public Task ScreenshotAsync(string file, ScreenshotOptions options) => _page.ScreenshotAsync(file, options);

    public async ValueTask DisposeAsync()
    {
        await _page.CloseAsync();
        await _context.CloseAsync();
    }
}

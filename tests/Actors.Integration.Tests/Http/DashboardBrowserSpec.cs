using OpenQA.Selenium;
using Xunit;

namespace Actors.Integration.Tests.Http;

/// <summary>
/// The web dashboard in a real browser (headless Chromium) against a real node with a crash-looping and a healthy
/// process. Screenshots go to artifacts/dashboard/ (ignored by git).
/// </summary>
public sealed class DashboardBrowserSpec : IAsyncLifetime, IDisposable
{
    private const string Processes = """
        healthy { command = "/bin/sh", args = ["-c", "i=0; while true; do i=$((i+1)); echo healthy tick $i; sleep 0.3; done"] }
        crashy { command = "/bin/sh", args = ["-c", "echo boom; exit 3"], backoff { min = 40s, max = 60s, random-factor = 0 } }
        """;

    private static readonly string Artifacts = Path.Combine(TestPaths.RepositoryRoot, "artifacts", "dashboard");

    private readonly HttpNode _http = new(Processes);
    private HeadlessChromium? _browser;

    public Task InitializeAsync()
    {
        _http.Start();
        _http.Node.AwaitState("healthy", "running");
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        try
        {
            _browser?.Dispose();
        }
        finally
        {
            _http.Dispose();
        }
    }

    private HeadlessChromium Open(int width, int height, bool phone = false)
    {
        _browser = new HeadlessChromium(width, height, phone);
        _browser.Web.Navigate().GoToUrl(_http.BaseAddress + "/");
        // Set on this page only: still there at the end means the page was never reloaded.
        ((IJavaScriptExecutor)_browser.Web).ExecuteScript("window.actorsTestPage = 'the same page';");
        return _browser;
    }

    private static IWebElement Row(IWebDriver web, string process) => web.FindElement(By.CssSelector($"tr.process[data-process='{process}']"));

    private static string Cell(IWebDriver web, string process, string cell) => Row(web, process).FindElement(By.CssSelector("td.col-" + cell)).Text;

    private int TickLines() =>
        _browser!.Web.FindElements(By.CssSelector("#log .line")).Count(l => l.Text.Contains("healthy tick"));

    [Fact]
    public void The_dashboard_shows_backoff_with_its_reason_and_trail_stops_a_process_with_the_token_and_streams_logs_without_a_reload()
    {
        var browser = Open(1280, 900);
        var web = browser.Web;

        // The crash-looping process: backing-off, with its reason and the time left.
        browser.Until(d => Cell(d, "crashy", "state").StartsWith("backing-off") ? true : (bool?)null, "crashy shown backing-off");
        Assert.Contains("next start in", Cell(web, "crashy", "state"));
        Assert.Contains("exited with code 3", Cell(web, "crashy", "reason"));
        Assert.Equal("code 3", Cell(web, "crashy", "last-exit"));
        Assert.Equal("running", Row(web, "healthy").FindElement(By.CssSelector(".state")).Text);
        // A click on a process shows its transition trail.
        Row(web, "crashy").FindElement(By.CssSelector("td.col-process")).Click();
        var trail = browser.Until(d => d.FindElement(By.CssSelector("tr.trail[data-trail-of='crashy']")) is { Displayed: true } e ? e.Text : null, "crashy's trail");
        Assert.Contains("backing-off exited with code 3", trail);
        Assert.Contains("starting initial start", trail);

        // Streamed log lines: more arrive while the page stays as it is.
        var seen = browser.Until(_ => TickLines() is > 0 and var n ? n : (int?)null, "a healthy tick line in the log view");
        browser.Until(_ => TickLines() > seen ? true : (bool?)null, "further tick lines streamed in");

        // Stop asks for the token, sends it, and the node's answer is shown.
        Row(web, "healthy").FindElement(By.CssSelector("button[data-action='stop']")).Click();
        var dialog = browser.Until(d => d.FindElement(By.Id("token-dialog")) is { Displayed: true } e ? e : null, "the token dialog");
        dialog.FindElement(By.Id("token-input")).SendKeys(_http.Token);
        dialog.FindElement(By.Id("token-ok")).Click();
        browser.Until(d => d.FindElement(By.Id("messages")).Text.Contains("healthy: stopped") ? true : (bool?)null, "the node's confirmation shown");
        browser.Until(d => Row(d, "healthy").FindElement(By.CssSelector(".state")).Text == "stopped" ? true : (bool?)null, "healthy shown stopped");
        Assert.Equal("stopped", _http.Node.State("healthy"));

        Assert.Equal("the same page", ((IJavaScriptExecutor)web).ExecuteScript("return window.actorsTestPage;"));
        browser.Screenshot(Path.Combine(Artifacts, "dashboard.png"));
    }

    [Fact]
    public void A_wrong_token_is_refused_on_the_page_and_the_process_keeps_running()
    {
        var browser = Open(1280, 900);
        var web = browser.Web;
        browser.Until(d => Row(d, "healthy").FindElement(By.CssSelector(".state")).Text == "running" ? true : (bool?)null, "healthy shown running");
        var pid = _http.Node.Pid("healthy");

        Row(web, "healthy").FindElement(By.CssSelector("button[data-action='stop']")).Click();
        var dialog = browser.Until(d => d.FindElement(By.Id("token-dialog")) is { Displayed: true } e ? e : null, "the token dialog");
        dialog.FindElement(By.Id("token-input")).SendKeys("not-the-token");
        dialog.FindElement(By.Id("token-ok")).Click();
        browser.Until(d => d.FindElement(By.Id("messages")).Text.Contains("wrong bearer token") ? true : (bool?)null, "the refusal shown");

        Assert.Equal("running", _http.Node.State("healthy"));
        Assert.Equal(pid, _http.Node.Pid("healthy"));
    }

    [Fact]
    public void On_a_phone_width_screen_every_process_and_its_buttons_fit_without_sideways_scrolling()
    {
        var browser = Open(390, 844, phone: true);
        var web = browser.Web;
        browser.Until(d => Cell(d, "crashy", "state").StartsWith("backing-off") ? true : (bool?)null, "crashy shown backing-off");
        var js = (IJavaScriptExecutor)web;
        var viewport = Convert.ToInt64(js.ExecuteScript("return document.documentElement.clientWidth;"));
        Assert.Equal(390, viewport);
        Assert.True(Convert.ToInt64(js.ExecuteScript("return document.documentElement.scrollWidth;")) <= viewport, "the page scrolls sideways");
        foreach (var process in new[] { "healthy", "crashy" })
        {
            foreach (var button in Row(web, process).FindElements(By.CssSelector("button[data-action]")))
            {
                Assert.True(button.Displayed);
                Assert.True(button.Location.X + button.Size.Width <= viewport, $"{process}'s {button.Text} button is off the screen");
            }
        }
        browser.Screenshot(Path.Combine(Artifacts, "dashboard-phone.png"));
    }
}

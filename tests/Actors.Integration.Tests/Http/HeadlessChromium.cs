using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace Actors.Integration.Tests.Http;

/// <summary>
/// Debian's chromium, headless, driven through Debian's chromedriver (both installed by .ci/run): a fresh
/// profile, and none of the background traffic that the closed network here refuses. Quit on dispose.
/// </summary>
public sealed class HeadlessChromium : IDisposable
{
    public const string Browser = "/usr/bin/chromium";
    public const string Driver = "/usr/bin/chromedriver";

    private readonly string _profile = Directory.CreateTempSubdirectory("actors-chromium-").FullName;

    public ChromeDriver Session { get; }

    /// <param name="phone">Emulate a phone of that size (touch, device pixel ratio 3), as Chrome's device mode does.</param>
    public HeadlessChromium(int width, int height, bool phone = false)
    {
        if (!File.Exists(Browser) || !File.Exists(Driver))
            throw new InvalidOperationException($"{Browser} and {Driver} are needed: apt-get install chromium chromium-driver (.ci/run does)");
        var options = new ChromeOptions { BinaryLocation = Browser };
        options.AddArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
            $"--user-data-dir={_profile}", $"--window-size={width},{height}");
        if (phone)
            options.EnableMobileEmulation(new OpenQA.Selenium.Chromium.ChromiumMobileEmulationDeviceSettings
            {
                Width = width, Height = height, PixelRatio = 3, EnableTouchEvents = true,
                UserAgent = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Mobile Safari/537.36",
            });
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(Driver)!, Path.GetFileName(Driver));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        Session = new ChromeDriver(service, options, ControlledNode.Patience);
    }

    public IWebDriver Web => Session;

    /// <summary>Waits (bounded, generous) until <paramref name="condition"/> gives a value; retried on stale or missing elements.</summary>
    public T Until<T>(Func<IWebDriver, T?> condition, string what)
    {
        var wait = new WebDriverWait(Session, ControlledNode.Patience) { PollingInterval = TimeSpan.FromMilliseconds(100), Message = what };
        wait.IgnoreExceptionTypes(typeof(NoSuchElementException), typeof(StaleElementReferenceException));
        // Waited on as an object: Selenium waits for a non-null answer (it refuses nullable value types).
        return (T)wait.Until<object>(d => condition(d));
    }

    public void Screenshot(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        Session.GetScreenshot().SaveAsFile(path);
    }

    public void Dispose()
    {
        try
        {
            Session.Quit();
        }
        finally
        {
            Session.Dispose();
            try
            {
                Directory.Delete(_profile, recursive: true);
            }
            catch (IOException)
            {
                // chromium may still be writing its profile as it exits; the temp folder is cleaned by the OS.
            }
        }
    }
}

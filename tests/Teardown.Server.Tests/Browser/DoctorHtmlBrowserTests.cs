using Teardown.Cli;
using Teardown.Cli.Output;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Teardown.Server.Tests.Browser;

/// <summary>`teardown doctor --html` rendered by a real browser: the findings, the charts, the tables.</summary>
[Collection(ChromiumCollection.Name)]
public sealed class DoctorHtmlBrowserTests(ChromiumFixture chromium, ITestOutputHelper output)
{
    [SkippableFact]
    public async Task The_doctor_page_renders_findings_charts_owners_and_ports()
    {
        var session = chromium.Session;
        string dir = Directory.CreateTempSubdirectory("teardown-doctor-html-").FullName;
        try
        {
            string html = Path.Combine(dir, "report.html");
            string capture = Path.Combine(RepoPaths.Root, "tests", "Teardown.Doctor.Tests", "Fixtures", "demo-6.18.capture.json");
            int code = TeardownApp.Run(["doctor", "--input", capture, "--brief", "--html", html], Terminal.ForWriters(new StringWriter(), new StringWriter()));
            Assert.Equal(1, code);

            await using var page = await session.OpenAsync(new Uri(html), width: 1150, height: 1000);
            await Expect(page.Page.GetByTestId("finding")).ToHaveCountAsync(14);
            await Expect(page.Page.GetByTestId("finding").First).ToContainTextAsync("CLOSE_WAIT: peer closed, end of stream never read");
            await Expect(page.Page.GetByTestId("ages-close_wait").Locator("rect")).ToHaveCountAsync(Teardown.Doctor.Export.ExportView.AgeBucketSeconds.Count + 1); // serve's buckets and one beyond
            await Expect(page.Page.GetByTestId("owners")).ToContainTextAsync("dotnet (30660)");
            await Expect(page.Page.GetByTestId("ports")).ToContainTextAsync("127.0.0.1:8082");
            output.WriteLine("screenshot: " + await page.ScreenshotAsync("doctor-html", fullPage: false));
            Assert.Empty(page.Problems);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

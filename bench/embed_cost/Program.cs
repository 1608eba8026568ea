using Akka.Hosting;
using Actors.Hosting;
using Actors.Supervision;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// EmbedCost MODE STATE-DIR: a generic host with Akka.Hosting, and with MODE "none" no supervision, or with a number N
// WithProcessSupervision over N sleepers. Prints "ready" once the host has started and every process runs, then
// waits for SIGTERM (the generic host's console lifetime) and stops.
var mode = args[0];
var stateDir = args[1];
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddAkka("bench", (akka, _) =>
{
    if (mode == "none") return;
    var count = int.Parse(mode, System.Globalization.CultureInfo.InvariantCulture);
    akka.WithProcessSupervision("", options =>
    {
        options.StateDir = stateDir;
        options.LogDir = Path.Combine(stateDir, "logs");
        for (var i = 0; i < count; i++) options.AddProcess($"p{i}", "/bin/sleep", "600");
    });
});
if (mode != "none") builder.Services.AddProcessSupervisor();
using var host = builder.Build();
await host.StartAsync();
if (mode != "none")
{
    var supervisor = host.Services.GetRequiredService<IProcessSupervisor>();
    while ((await supervisor.GetStatusAsync()).Any(p => p.State != ProcessState.Running)) await Task.Delay(10);
}
Console.WriteLine("ready");
await host.WaitForShutdownAsync();

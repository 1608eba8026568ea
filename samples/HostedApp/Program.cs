using System.Text.Json.Serialization;
using Akka.Hosting;
using Actors.Hosting;

// An ASP.NET Core app that supervises two worker processes and reports on them.
//   GET  /status          every process's status, as JSON
//   GET  /health          Healthy, Degraded (a worker backs off or failed) or Unhealthy (a critical one failed)
//   POST /restart/{name}  restart one worker; 404 with the known names for an unknown one
var builder = WebApplication.CreateBuilder(args);

// The supervision's HOCON: supervision.conf next to the app, or the file the setting Actors:Config names.
var configFile = Path.GetFullPath(builder.Configuration["Actors:Config"] ?? Path.Combine(AppContext.BaseDirectory, "supervision.conf"));
builder.Services.AddAkka("hosted-app", (akka, _) => akka.WithProcessSupervision(File.ReadAllText(configFile), options =>
{
    // Relative paths in the file (state-dir, log-dir, commands) resolve against its folder, as for a node.
    options.BaseDirectory = Path.GetDirectoryName(configFile);
    // Each worker's output also goes to this app's log as category process.NAME.
    options.LogProcessOutput = true;
}));
builder.Services.AddProcessSupervisor();
builder.Services.AddHealthChecks();
builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));

var app = builder.Build();

app.MapGet("/status", async (IProcessSupervisor supervisor, CancellationToken ct) => Results.Ok(await supervisor.GetStatusAsync(ct)));

app.MapHealthChecks("/health");

app.MapPost("/restart/{name}", async (string name, IProcessSupervisor supervisor, CancellationToken ct) =>
{
    try
    {
        return Results.Ok(await supervisor.RestartAsync(name, ct));
    }
    catch (UnknownProcessException e)
    {
        return Results.NotFound(new { error = e.Message, known = e.Known });
    }
});

app.Run();

/// <summary>Visible to WebApplicationFactory in the tests.</summary>
public partial class Program;

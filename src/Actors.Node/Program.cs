using Actors.Node;
using Actors.Node.Hosting;

// The verbs that create an ActorSystem: Akka would otherwise read an app.config this program never has (NoAppConfig).
if (args is ["run" or "exec" or "simulate", ..]) NoAppConfig.Install();
return await Cli.RunAsync(args);

using Actors.Node;

return await Cli.RunAsync(args);

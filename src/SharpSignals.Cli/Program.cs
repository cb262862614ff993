using SharpSignals.Cli;
using SharpSignals.Cli.Cli;

// Ctrl-C cancels the running command's token (System.CommandLine's process termination handling),
// so `ssf tail` acknowledges what it printed and exits cleanly.
return await SsfCli.RunAsync(args, CliEnvironment.FromProcess(), handleTermination: true, CancellationToken.None);

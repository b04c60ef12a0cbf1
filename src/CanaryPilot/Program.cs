using CanaryPilot.Cli;

return CanaryPilotCli.Run(args, Console.Out, Console.Error);

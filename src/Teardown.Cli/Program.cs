using Teardown.Cli;

return TeardownApp.Run(args);

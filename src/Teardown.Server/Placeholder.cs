namespace Teardown.Server;

using YamlDotNet.RepresentationModel;

namespace Teardown.Server.Security;

/// <summary>A value read from the file with the node it came from, so that later checks can point at it.</summary>
internal readonly record struct Located<T>(T Value, YamlNode Node);

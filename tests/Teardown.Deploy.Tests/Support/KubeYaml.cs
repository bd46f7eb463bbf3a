using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace Teardown.Deploy.Tests.Support;

/// <summary>Kubernetes YAML read as plain trees (maps, lists, strings), with path access for assertions.</summary>
internal static class KubeYaml
{
    private static readonly IDeserializer Deserializer = new DeserializerBuilder().Build();

    /// <summary>Every non-empty document of a YAML text.</summary>
    internal static List<Dictionary<object, object>> Documents(string text)
    {
        var parser = new Parser(new StringReader(text));
        parser.Consume<StreamStart>();
        var docs = new List<Dictionary<object, object>>();
        while (parser.Accept<DocumentStart>(out _))
        {
            if (Deserializer.Deserialize<object?>(parser) is Dictionary<object, object> map) docs.Add(map);
        }
        return docs;
    }

    /// <summary>The documents of the files a kustomization folder lists under resources (recursively).</summary>
    internal static List<Dictionary<object, object>> Kustomization(string dir)
    {
        var k = Documents(File.ReadAllText(Path.Combine(dir, "kustomization.yaml"))).Single();
        var docs = new List<Dictionary<object, object>>();
        foreach (var r in List(k, "resources").Cast<string>())
        {
            var p = Path.Combine(dir, r);
            docs.AddRange(Directory.Exists(p) ? Kustomization(p) : Documents(File.ReadAllText(p)));
        }
        return docs;
    }

    /// <summary>The one document of a kind.</summary>
    internal static Dictionary<object, object> OfKind(IEnumerable<Dictionary<object, object>> docs, string kind) =>
        docs.Single(d => Equals(d.GetValueOrDefault("kind"), kind));

    /// <summary>The value at a dotted path (list indices as numbers), or null.</summary>
    internal static object? At(object? node, string path)
    {
        foreach (var part in path.Split('.'))
        {
            node = node switch
            {
                Dictionary<object, object> map => map.GetValueOrDefault(part),
                List<object> list when int.TryParse(part, out var i) && i >= 0 && i < list.Count => list[i],
                _ => null,
            };
            if (node is null) return null;
        }
        return node;
    }

    internal static string? Str(object? node, string path) => At(node, path) as string;

    internal static List<object> List(object? node, string path) => At(node, path) as List<object> ?? [];

    internal static Dictionary<string, string> StringMap(object? node, string path) =>
        (At(node, path) as Dictionary<object, object> ?? [])
            .ToDictionary(kv => (string)kv.Key, kv => kv.Value?.ToString() ?? "");
}

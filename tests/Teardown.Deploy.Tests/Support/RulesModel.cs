using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Teardown.Deploy.Tests.Support;

// The parts of a Prometheus rules file and of a promtool unit test file the checks read.

public sealed class RulesFileModel
{
    public List<RuleGroupModel> Groups { get; set; } = [];
}

public sealed class RuleGroupModel
{
    public string Name { get; set; } = "";
    public List<RuleModel> Rules { get; set; } = [];
}

public sealed class RuleModel
{
    public string? Record { get; set; }
    public string? Alert { get; set; }
    public string Expr { get; set; } = "";
    public string? For { get; set; }
    public Dictionary<string, string> Labels { get; set; } = [];
    public Dictionary<string, string> Annotations { get; set; } = [];
}

public sealed class UnitTestFileModel
{
    public List<string> RuleFiles { get; set; } = [];
    public List<UnitTestGroupModel> Tests { get; set; } = [];
}

public sealed class UnitTestGroupModel
{
    public string? Name { get; set; }
    public List<AlertRuleTestModel> AlertRuleTest { get; set; } = [];
    public List<PromqlExprTestModel> PromqlExprTest { get; set; } = [];
}

public sealed class AlertRuleTestModel
{
    public string Alertname { get; set; } = "";
    public string EvalTime { get; set; } = "";
    public List<ExpectedAlertModel>? ExpAlerts { get; set; }
}

public sealed class ExpectedAlertModel
{
    public Dictionary<string, string> ExpLabels { get; set; } = [];
    public Dictionary<string, string> ExpAnnotations { get; set; } = [];
}

public sealed class PromqlExprTestModel
{
    public string Expr { get; set; } = "";
    public string EvalTime { get; set; } = "";
}

/// <summary>Reads the rules and the unit test files.</summary>
internal static class RulesYaml
{
    private static readonly IDeserializer Reader = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .IgnoreUnmatchedProperties()
        .Build();

    internal static RulesFileModel ReadRules(string path) => Reader.Deserialize<RulesFileModel>(File.ReadAllText(path));

    internal static UnitTestFileModel ReadUnitTests(string path) => Reader.Deserialize<UnitTestFileModel>(File.ReadAllText(path));

    /// <summary>Every rule of the rules file.</summary>
    internal static IReadOnlyList<RuleModel> Rules() => ReadRules(RulesRepo.RulesFile).Groups.SelectMany(g => g.Rules).ToArray();

    /// <summary>Every alerting rule.</summary>
    internal static IReadOnlyList<RuleModel> Alerts() => Rules().Where(r => r.Alert is not null).ToArray();

    /// <summary>The names of the recording rules.</summary>
    internal static IReadOnlySet<string> RecordingRuleNames() =>
        Rules().Where(r => r.Record is not null).Select(r => r.Record!).ToHashSet(StringComparer.Ordinal);
}

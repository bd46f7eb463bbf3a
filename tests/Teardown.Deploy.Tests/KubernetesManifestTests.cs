using System.Text.RegularExpressions;
using System.Xml.Linq;
using Teardown.Deploy.Tests.Support;
using static Teardown.Deploy.Tests.Support.KubeYaml;

namespace Teardown.Deploy.Tests;

/// <summary>
/// deploy/kubernetes and deploy/container: linted by yamllint, validated against the Kubernetes and
/// Prometheus Operator schemas offline (deploy/kubernetes/validate), and held to the security posture
/// that docs/deploy.md promises (root with exactly the capabilities listed there, nothing privileged).
/// </summary>
public sealed class KubernetesManifestTests
{
    /// <summary>The capabilities of the full variant, each explained in daemonset.yaml and docs/deploy.md.</summary>
    private static readonly string[] FullCapabilities = ["SYS_PTRACE", "DAC_READ_SEARCH", "SYS_ADMIN"];

    /// <summary>The lean variant (--owners proc, the node's namespace only).</summary>
    private static readonly string[] LeanCapabilities = ["SYS_PTRACE", "DAC_READ_SEARCH"];

    private static readonly string[] VariantDirs = ["deploy/kubernetes", "deploy/kubernetes/variants/lean"];

    private static List<Dictionary<object, object>> Base() => Kustomization(KubeRepo.Kubernetes);

    private static Dictionary<object, object> Container(Dictionary<object, object> daemonSet) =>
        (Dictionary<object, object>)List(daemonSet, "spec.template.spec.containers").Single();

    // ---- yamllint ------------------------------------------------------------------------------

    [SkippableFact]
    public void Yamllint_PassesOnDeploy()
    {
        var yamllint = KubeRepo.Tool("yamllint", "lints deploy/ (Debian package yamllint)");
        var run = KubeRepo.Exec(yamllint, ["-f", "parsable", "-c", "deploy/.yamllint", "deploy/"]);
        Assert.True(run.ExitCode == 0, "yamllint -c deploy/.yamllint deploy/ failed:\n" + run);
    }

    [SkippableFact]
    public void Yamllint_RejectsBrokenYaml()
    {
        var yamllint = KubeRepo.Tool("yamllint", "lints deploy/ (Debian package yamllint)");
        var dir = Directory.CreateTempSubdirectory("teardown-yamllint-");
        try
        {
            var file = Path.Combine(dir.FullName, "broken.yaml");
            File.WriteAllText(file, "apiVersion: v1\nkind: Service\nkind: Pod\nmetadata:\n   name: x   \n");
            var run = KubeRepo.Exec(yamllint, ["-f", "parsable", "-c", KubeRepo.PathOf("deploy", ".yamllint"), file]);
            Assert.True(run.ExitCode != 0, "yamllint accepted a duplicate key and bad indentation:\n" + run);
            Assert.Contains("key-duplicates", run.Output, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    // ---- schemas (kubernetes-models, offline) ---------------------------------------------------

    [SkippableFact]
    public void Schema_EveryManifestOfTheKustomization_IsValid()
    {
        var run = KubeRepo.Validate([KubeRepo.Kubernetes]);
        Assert.True(run.ExitCode == 0, "deploy/kubernetes is not valid:\n" + run);
        foreach (var kind in new[] { "Namespace", "ServiceAccount", "DaemonSet", "Service", "ServiceMonitor" })
            Assert.Contains($": {kind}/teardown", run.Output, StringComparison.Ordinal);
        Assert.Contains("5 documents valid", run.Output, StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData("deploy/kubernetes")]
    [InlineData("deploy/kubernetes/variants/lean")]
    public void Schema_WhatKustomizeBuilds_IsValid(string dir)
    {
        var kubectl = KubeRepo.Tool("kubectl", "kubectl kustomize renders the overlays");
        var built = KubeRepo.Exec(kubectl, ["kustomize", dir]);
        Assert.True(built.ExitCode == 0, $"kubectl kustomize {dir} failed:\n" + built);
        var run = KubeRepo.Validate(["-"], built.Output);
        Assert.True(run.ExitCode == 0, $"kubectl kustomize {dir} renders invalid manifests:\n" + run);
        Assert.Contains("5 documents valid", run.Output, StringComparison.Ordinal);
    }

    /// <summary>The real manifest with one defect each: the validator must reject it, naming the field.</summary>
    [SkippableTheory]
    [InlineData("daemonset.yaml", "containerPort: 9877", "containerPort: \"abc\"", "containerPort: must be integer")]
    [InlineData("daemonset.yaml", "spec:\n  selector:\n", "spec:\n  selectorr:\n", "missing required field selector")]
    [InlineData("daemonset.yaml", "readOnlyRootFilesystem: true", "readOnlyRootFileSystem: true", "readOnlyRootFileSystem: unknown field")]
    [InlineData("daemonset.yaml", "apiVersion: apps/v1", "apiVersion: apps/v2", "no schema for apiVersion \"apps/v2\"")]
    [InlineData("daemonset.yaml", "name: teardown\n  namespace", "name: Teardown_1\n  namespace", "metadata.name must be a DNS-1123 name")]
    [InlineData("service.yaml", "port: 9877", "port: nine", "port: must be integer")]
    [InlineData("servicemonitor.yaml", "- port: metrics", "- port: 9877", "port: must be string")]
    [InlineData("servicemonitor.yaml", "relabelings:", "relabellings:", "relabellings: unknown field")]
    [InlineData("servicemonitor.yaml", "  endpoints:", "  endpoint:", "missing required field endpoints")]
    public void Schema_RejectsABrokenManifest(string file, string from, string to, string expected)
    {
        var original = File.ReadAllText(Path.Combine(KubeRepo.Kubernetes, "base", file));
        Assert.Contains(from, original, StringComparison.Ordinal);
        var broken = original.Replace(from, to, StringComparison.Ordinal);
        var dir = Directory.CreateTempSubdirectory("teardown-schema-");
        try
        {
            var path = Path.Combine(dir.FullName, file);
            File.WriteAllText(path, broken);
            var run = KubeRepo.Validate([path]);
            Assert.True(run.ExitCode == 1, $"the validator accepted {file} with '{to}':\n" + run);
            Assert.Contains(expected, run.Output, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [SkippableFact]
    public void Schema_RejectsAnUnlistedManifestAndEmptyInput()
    {
        var dir = Directory.CreateTempSubdirectory("teardown-kustomize-");
        try
        {
            File.Copy(Path.Combine(KubeRepo.Kubernetes, "base", "service.yaml"), Path.Combine(dir.FullName, "service.yaml"));
            File.Copy(Path.Combine(KubeRepo.Kubernetes, "base", "namespace.yaml"), Path.Combine(dir.FullName, "namespace.yaml"));
            File.WriteAllText(Path.Combine(dir.FullName, "kustomization.yaml"),
                "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - service.yaml\n");
            var run = KubeRepo.Validate([dir.FullName]);
            Assert.True(run.ExitCode == 1, "a manifest missing from resources: went unnoticed:\n" + run);
            Assert.Contains("namespace.yaml is in the folder but not listed under resources", run.Output, StringComparison.Ordinal);

            var empty = KubeRepo.Validate(["-"], "# nothing\n");
            Assert.True(empty.ExitCode == 1, "no document at all must not pass:\n" + empty);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [SkippableFact]
    public void PrometheusRule_FromARulesFile_IsValid()
    {
        var sh = KubeRepo.Tool("sh", "runs deploy/kubernetes/prometheus-rule.sh");
        var dir = Directory.CreateTempSubdirectory("teardown-rules-");
        try
        {
            var fixture = Path.Combine(dir.FullName, "rules.yml");
            File.WriteAllText(fixture,
                "---\n# teardown rules (test fixture)\ngroups:\n  - name: teardown\n    rules:\n      - alert: TeardownCloseWaitPiling\n" +
                "        expr: |\n          sum by (node) (teardown_sockets_by_state{state=\"close_wait\"})\n\n            > 100\n        for: 10m\n" +
                "        labels:\n          severity: warning\n        annotations:\n          summary: CLOSE_WAIT sockets pile up\n");
            var rulesFiles = new List<string> { fixture };
            // The project's own rules (deploy/prometheus, written beside this) once they exist.
            var real = KubeRepo.PathOf("deploy", "prometheus", "teardown-rules.yml");
            if (File.Exists(real)) rulesFiles.Add(real);
            foreach (var rules in rulesFiles)
            {
                var wrapped = KubeRepo.Exec(sh, [Path.Combine(KubeRepo.Kubernetes, "prometheus-rule.sh"), rules]);
                Assert.True(wrapped.ExitCode == 0, "prometheus-rule.sh failed:\n" + wrapped);
                var run = KubeRepo.Validate(["-"], wrapped.Output);
                Assert.True(run.ExitCode == 0, $"the PrometheusRule made of {rules} is not valid:\n{run}\n{wrapped.Output}");
                var doc = Documents(wrapped.Output).Single();
                Assert.Equal("teardown", Str(doc, "metadata.namespace"));
                Assert.NotEmpty(List(doc, "spec.groups"));
            }
            var expr = Str(Documents(KubeRepo.Exec(sh, [Path.Combine(KubeRepo.Kubernetes, "prometheus-rule.sh"), fixture]).Output).Single(),
                "spec.groups.0.rules.0.expr");
            Assert.Equal("sum by (node) (teardown_sockets_by_state{state=\"close_wait\"})\n\n  > 100\n", expr);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    // ---- security posture (parsed YAML, no tool) --------------------------------------------------

    [Fact]
    public void DaemonSet_SeesTheWholeNode()
    {
        var spec = At(OfKind(Base(), "DaemonSet"), "spec.template.spec");
        Assert.Equal("true", Str(spec, "hostPID"));
        Assert.Equal("true", Str(spec, "hostNetwork"));
        Assert.Equal("false", Str(spec, "automountServiceAccountToken"));
        Assert.Equal("Exists", Str(spec, "tolerations.0.operator"));
        Assert.Null(Str(spec, "tolerations.0.key"));
        Assert.Equal("RuntimeDefault", Str(spec, "securityContext.seccompProfile.type"));
    }

    [Fact]
    public void Container_IsLockedDown_WithExactlyTheDocumentedCapabilities()
    {
        var c = Container(OfKind(Base(), "DaemonSet"));
        Assert.Equal("true", Str(c, "securityContext.readOnlyRootFilesystem"));
        Assert.Equal("false", Str(c, "securityContext.allowPrivilegeEscalation"));
        Assert.Equal("false", Str(c, "securityContext.runAsNonRoot"));
        Assert.Equal("0", Str(c, "securityContext.runAsUser"));
        Assert.Equal("RuntimeDefault", Str(c, "securityContext.seccompProfile.type"));
        Assert.Equal(["ALL"], List(c, "securityContext.capabilities.drop").Cast<string>());
        Assert.Equal(FullCapabilities.Order(), List(c, "securityContext.capabilities.add").Cast<string>().Order());
        Assert.Null(Str(At(OfKind(Base(), "DaemonSet"), "spec.template.spec"), "hostIPC"));
    }

    [Fact]
    public void NoManifest_IsPrivileged_OrRunsAnotherHostNamespace()
    {
        foreach (var file in Directory.EnumerateFiles(KubeRepo.Kubernetes, "*.yaml", SearchOption.AllDirectories)
                     .Where(f => !f.Contains("node_modules", StringComparison.Ordinal)))
        {
            var text = File.ReadAllText(file);
            Assert.DoesNotMatch(new Regex(@"^\s*privileged:\s*true", RegexOptions.Multiline), text);
            Assert.DoesNotMatch(new Regex(@"^\s*hostIPC:\s*true", RegexOptions.Multiline), text);
            Assert.DoesNotMatch(new Regex(@"^\s*allowPrivilegeEscalation:\s*true", RegexOptions.Multiline), text);
            Assert.DoesNotMatch(new Regex(@"^\s*kind:\s*(Cluster)?Role(Binding)?\s*$", RegexOptions.Multiline), text);
        }
    }

    [Fact]
    public void Container_HasResourceLimits()
    {
        var c = Container(OfKind(Base(), "DaemonSet"));
        Assert.Equal("256Mi", Str(c, "resources.limits.memory"));
        Assert.Equal("200m", Str(c, "resources.limits.cpu"));
        Assert.NotNull(Str(c, "resources.requests.memory"));
        Assert.NotNull(Str(c, "resources.requests.cpu"));
    }

    [Fact]
    public void Probes_AskHealthzAndReadyz_OnTheNamedPort()
    {
        var c = Container(OfKind(Base(), "DaemonSet"));
        Assert.Equal("metrics", Str(c, "ports.0.name"));
        Assert.Equal("9877", Str(c, "ports.0.containerPort"));
        Assert.Equal("/healthz", Str(c, "livenessProbe.httpGet.path"));
        Assert.Equal("metrics", Str(c, "livenessProbe.httpGet.port"));
        Assert.Equal("/readyz", Str(c, "readinessProbe.httpGet.path"));
        Assert.Equal("metrics", Str(c, "readinessProbe.httpGet.port"));
    }

    [Fact]
    public void Container_RunsServe_OnAllAddressesOfPort9877()
    {
        var args = List(Container(OfKind(Base(), "DaemonSet")), "args").Cast<string>().ToList();
        Assert.Equal("serve", args[0]);
        Assert.Equal("0.0.0.0:9877", args[args.IndexOf("--listen") + 1]);
        Assert.Contains("--all-netns", args);
        Assert.Equal("15s", args[args.IndexOf("--interval") + 1]);
    }

    [Fact]
    public void Selectors_Agree_DaemonSetServiceServiceMonitor()
    {
        var docs = Base();
        var ds = OfKind(docs, "DaemonSet");
        var svc = OfKind(docs, "Service");
        var sm = OfKind(docs, "ServiceMonitor");
        var podLabels = StringMap(ds, "spec.template.metadata.labels");
        static void Subset(Dictionary<string, string> selector, Dictionary<string, string> labels, string what)
        {
            Assert.True(selector.Count > 0, what + ": empty selector");
            foreach (var (k, v) in selector)
                Assert.True(labels.TryGetValue(k, out var got) && got == v, $"{what}: {k}={v} not among {string.Join(", ", labels)}");
        }
        Subset(StringMap(ds, "spec.selector.matchLabels"), podLabels, "DaemonSet selector vs pod labels");
        Subset(StringMap(svc, "spec.selector"), podLabels, "Service selector vs pod labels");
        Subset(StringMap(sm, "spec.selector.matchLabels"), StringMap(svc, "metadata.labels"), "ServiceMonitor selector vs Service labels");
        Assert.Equal("None", Str(svc, "spec.clusterIP"));
        Assert.Equal("metrics", Str(svc, "spec.ports.0.name"));
        Assert.Equal("metrics", Str(svc, "spec.ports.0.targetPort"));
        Assert.Equal("9877", Str(svc, "spec.ports.0.port"));
        Assert.Equal("metrics", Str(sm, "spec.endpoints.0.port"));
        Assert.Equal("/metrics", Str(sm, "spec.endpoints.0.path"));
        Assert.Equal("monitoring.coreos.com/v1", Str(sm, "apiVersion"));
        Assert.Equal("teardown", Str(ds, "spec.template.spec.serviceAccountName"));
        Assert.Equal("privileged", StringMap(OfKind(docs, "Namespace"), "metadata.labels")["pod-security.kubernetes.io/enforce"]);
    }

    [SkippableFact]
    public void LeanVariant_DropsSysAdmin_AndRunsOwnersProc_InTheNodeNamespace()
    {
        var kubectl = KubeRepo.Tool("kubectl", "kubectl kustomize renders the overlays");
        var built = KubeRepo.Exec(kubectl, ["kustomize", "deploy/kubernetes/variants/lean"]);
        Assert.True(built.ExitCode == 0, built.ToString());
        var c = Container(OfKind(Documents(built.Output), "DaemonSet"));
        Assert.Equal(LeanCapabilities.Order(), List(c, "securityContext.capabilities.add").Cast<string>().Order());
        Assert.Equal(["ALL"], List(c, "securityContext.capabilities.drop").Cast<string>());
        var args = List(c, "args").Cast<string>().ToList();
        Assert.Equal("serve", args[0]);
        Assert.Equal("proc", args[args.IndexOf("--owners") + 1]);
        Assert.DoesNotContain("--all-netns", args);
        Assert.Equal("true", Str(c, "securityContext.readOnlyRootFilesystem"));
    }

    [Fact]
    public void Docs_ExplainEveryCapability()
    {
        var doc = File.ReadAllText(KubeRepo.PathOf("docs", "deploy.md"));
        foreach (var cap in FullCapabilities.Concat(["BPF", "PERFMON"]))
            Assert.Contains("CAP_" + cap, doc, StringComparison.Ordinal);
        Assert.Contains("kubectl apply -k deploy/kubernetes", doc, StringComparison.Ordinal);
        Assert.Contains("deploy/prometheus/teardown-rules.yml", doc, StringComparison.Ordinal);
    }

    // ---- the container build -----------------------------------------------------------------------

    private static string Containerfile() => File.ReadAllText(KubeRepo.PathOf("deploy", "container", "Containerfile"));

    [Fact]
    public void Containerfile_CopiesOnlyWhatExists()
    {
        var copies = Regex.Matches(Containerfile(), @"^COPY\s+(?!--from)(.+)$", RegexOptions.Multiline);
        Assert.NotEmpty(copies);
        foreach (Match m in copies)
        {
            var parts = m.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(p => !p.StartsWith("--", StringComparison.Ordinal)).ToList();
            foreach (var source in parts.Take(parts.Count - 1))
                Assert.True(File.Exists(KubeRepo.PathOf(source)) || Directory.Exists(KubeRepo.PathOf(source)), $"COPY {source}: not in the repository");
        }
        Assert.True(File.Exists(KubeRepo.PathOf("deploy", "container", "Containerfile.dockerignore")));
    }

    [Fact]
    public void Containerfile_PublishesTheCli_AndRunsItsAssembly()
    {
        var text = Containerfile();
        var publish = Regex.Match(text, @"dotnet publish (\S+\.csproj)");
        Assert.True(publish.Success, "no dotnet publish of a project");
        var csproj = KubeRepo.PathOf(publish.Groups[1].Value);
        Assert.Equal(KubeRepo.PathOf("src", "Teardown.Cli", "Teardown.Cli.csproj"), csproj);
        var assembly = XDocument.Load(csproj).Descendants("AssemblyName").Single().Value;
        Assert.Equal("teardown", assembly);
        Assert.Contains("-p:PublishReadyToRun=true", text, StringComparison.Ordinal);
        Assert.Contains("--runtime linux-x64", text, StringComparison.Ordinal);

        var entry = Regex.Match(text, @"^ENTRYPOINT\s+(\[.*\])\s*$", RegexOptions.Multiline);
        Assert.True(entry.Success, "no exec-form ENTRYPOINT");
        var entrypoint = System.Text.Json.JsonSerializer.Deserialize<string[]>(entry.Groups[1].Value)!;
        Assert.Equal(["dotnet", $"/app/{assembly}.dll", "serve"], entrypoint);
        Assert.Matches(new Regex(@"^EXPOSE 9877\s*$", RegexOptions.Multiline), text);

        // The DaemonSet runs the same program: its command is the ENTRYPOINT without 'serve', its args start with it.
        var c = Container(OfKind(Base(), "DaemonSet"));
        Assert.Equal(entrypoint[..^1], List(c, "command").Cast<string>());
        Assert.Equal("serve", List(c, "args").Cast<string>().First());
    }

    [Fact]
    public void Containerfile_BuildsWithTheSdk_AndRunsOnAspNetCore_OfTheTargetFramework()
    {
        var text = Containerfile();
        var froms = Regex.Matches(text, @"^FROM\s+(\S+)", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();
        var tfm = XDocument.Load(KubeRepo.PathOf("Directory.Build.props")).Descendants("TargetFramework").Single().Value;
        var version = tfm.Replace("net", "", StringComparison.Ordinal);
        Assert.Equal([$"mcr.microsoft.com/dotnet/sdk:{version}", $"mcr.microsoft.com/dotnet/aspnet:{version}"], froms);
        Assert.Contains("COPY --from=build /app /app", text, StringComparison.Ordinal);
        Assert.Contains("a-w", text, StringComparison.Ordinal);
    }
}

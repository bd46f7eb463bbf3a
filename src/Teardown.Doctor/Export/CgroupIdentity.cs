using System.Text.RegularExpressions;

namespace Teardown.Doctor.Export;

/// <summary>The container and pod a cgroup path names, as far as the path tells.</summary>
/// <param name="Container">A 64-hex container id (Docker, containerd, CRI-O, Podman scopes), or "".</param>
/// <param name="Pod">A Kubernetes pod UID (<c>kubepods…pod&lt;UID&gt;</c>), or "".</param>
public readonly partial record struct CgroupIdentity(string Container, string Pod)
{
    /// <summary>No container, no pod (the host, or a path that tells nothing).</summary>
    public static CgroupIdentity None { get; } = new("", "");

    /// <summary>
    /// Reads a cgroup v2 path (or the first v1 path). Runtimes name their scopes differently —
    /// <c>/docker/&lt;id&gt;</c>, <c>/system.slice/docker-&lt;id&gt;.scope</c>,
    /// <c>/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod&lt;uid with _&gt;.slice/cri-containerd-&lt;id&gt;.scope</c>,
    /// <c>/kubepods/besteffort/pod&lt;uid&gt;/&lt;id&gt;</c>, <c>/machine.slice/libpod-&lt;id&gt;.scope</c> — but
    /// all put the container id as the last 64-hex token and the pod UID after "pod".
    /// </summary>
    public static CgroupIdentity Parse(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "/") return None;
        string container = "";
        foreach (Match m in ContainerId().Matches(path))
        {
            container = m.Value; // the innermost (last) one names the container itself
        }

        var pod = PodUid().Match(path);
        // systemd slices escape '-' in the UID as '_'.
        string uid = pod.Success ? pod.Groups["uid"].Value.Replace('_', '-') : "";
        return new CgroupIdentity(container.Length > 0 ? container[..12] : "", uid);
    }

    [GeneratedRegex("(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])")]
    private static partial Regex ContainerId();

    [GeneratedRegex("pod(?<uid>[0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})")]
    private static partial Regex PodUid();
}

using System.Collections.Immutable;
using Teardown.Doctor.Analysis;
using Teardown.Doctor.Input;
using Teardown.Linux.Inventory;
using Teardown.Linux.Namespaces;
using Teardown.Linux.Proc;

namespace Teardown.Cli.Commands;

/// <summary>
/// Reads the input of the doctor: one namespace (ours, or the one of --pid) or every namespace
/// on the host. The owner scan is host-wide (/proc/*/fd is not per netns), so it runs once and is
/// shared by every namespace's view.
/// </summary>
internal static class DoctorSnapshots
{
    // Reads one namespace, classifying its sockets while the owner scan is still running.
    private static DoctorInput Read(InventoryOptions options)
    {
        SocketIndex? index = null;
        var snapshot = ParallelInventory.Take(options with { Extensions = ParallelInventory.DoctorExtensions }, whileScanning: s => index = SocketIndex.Build(s.Sockets, s.Settings));
        return DoctorInput.From(snapshot, index);
    }

    /// <summary>Takes the snapshots. Failures become blind spots, never exceptions.</summary>
    internal static List<DoctorInput> Take(bool allNetns, int? pid, SocketSourcePreference source = SocketSourcePreference.SockDiag,
        OwnerScanMethod owners = OwnerScanMethod.Auto)
    {
        if (!allNetns)
        {
            if (pid is int p)
            {
                // The namespace the process lives in, which may not be ours (a container).
                var opened = NetNsHandle.Open($"/proc/{p}/ns/net");
                if (opened.IsOk)
                {
                    using var handle = opened.Value;
                    return [Read(new InventoryOptions { Namespace = handle, Source = source, OwnerMethod = owners })];
                }

                var own = ParallelInventory.Take(new InventoryOptions { Source = source, OwnerMethod = owners, Extensions = ParallelInventory.DoctorExtensions });
                return [DoctorInput.From(own with
                {
                    BlindSpots = own.BlindSpots.Add(new BlindSpot(BlindSpotKind.NamespaceUnavailable,
                        $"cannot open /proc/{p}/ns/net; showing this process's own namespace instead", opened.Error)),
                })];
            }

            return [Read(new InventoryOptions { Source = source, OwnerMethod = owners })];
        }

        var scan = NetNsEnumerator.Enumerate();
        var inputs = new List<DoctorInput>();
        HostSnapshot? first = null;
        foreach (var info in scan.Namespaces)
        {
            HostSnapshot snapshot;
            if (info.OpenPath is not string path || NetNsHandle.Open(path) is not { IsOk: true } opened)
            {
                continue;
            }

            using (var handle = opened.Value)
            {
                snapshot = ParallelInventory.Take(new InventoryOptions { Namespace = handle, ScanOwners = first is null, Source = source, OwnerMethod = owners, Extensions = ParallelInventory.DoctorExtensions });
            }

            if (first is null)
            {
                first = snapshot;
            }
            else
            {
                snapshot = snapshot with
                {
                    Owners = first.Owners,
                    Processes = first.Processes,
                    OwnerStats = first.OwnerStats,
                    BlindSpots = [.. snapshot.BlindSpots.Where(b => b.Kind != BlindSpotKind.OwnersUnavailable)
                        .Concat(first.BlindSpots.Where(b => b.Kind is BlindSpotKind.OwnersUnavailable or BlindSpotKind.ProcPartlyUnreadable))],
                };
            }

            inputs.Add(DoctorInput.From(snapshot));
        }

        if (inputs.Count == 0)
        {
            var own = ParallelInventory.Take(new InventoryOptions { Source = source, OwnerMethod = owners, Extensions = ParallelInventory.DoctorExtensions });
            inputs.Add(DoctorInput.From(own with
            {
                BlindSpots = own.BlindSpots.Add(new BlindSpot(BlindSpotKind.NamespaceUnavailable,
                    "no other network namespace could be opened; showing this process's own")),
            }));
        }
        else if (scan.ProcessesUnreadable > 0)
        {
            inputs[0] = inputs[0] with
            {
                BlindSpots = inputs[0].BlindSpots.Add(new BlindSpot(BlindSpotKind.NamespaceUnavailable,
                    $"{scan.ProcessesUnreadable} processes' network namespaces could not be identified ({Named(scan.UnreadablePids ?? [], scan.ProcessesUnreadable)}: " +
                    "reading /proc/PID/ns/net was refused); namespaces only they use are missing")),
            };
        }

        return inputs;
    }

    private static string Comm(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").TrimEnd('\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "exited";
        }
    }

    /// <summary>"pid 1 (init), pid 7 (x) and 3 more" for a blind-spot line.</summary>
    private static string Named(IReadOnlyList<int> pids, int total)
    {
        var names = pids.Select(p => $"pid {p} ({Comm(p)})").ToList();
        string list = string.Join(", ", names);
        return total > names.Count ? $"{list} and {total - names.Count} more" : list;
    }
}

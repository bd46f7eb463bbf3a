using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Teardown.Doctor.Classification;
using Teardown.Linux.Settings;
using Teardown.Linux.Sockets;

namespace Teardown.Doctor.Analysis;

/// <summary>
/// The owner-independent half of the analysis: every socket's class and side, and the index of
/// its other end when both live in this namespace. Pure; built as soon as the sockets are read, so
/// that it can run while the (slower) /proc owner scan is still going.
/// </summary>
public sealed class SocketIndex
{
    private SocketIndex(ImmutableArray<SocketRecord> sockets, SocketClass[] classes, Side[] sides, int[] peers)
    {
        Sockets = sockets;
        Classes = classes;
        Sides = sides;
        Peers = peers;
    }

    /// <summary>The table this index describes.</summary>
    public ImmutableArray<SocketRecord> Sockets { get; }
    internal SocketClass[] Classes { get; }
    internal Side[] Sides { get; }
    /// <summary>Peer index + 1 per socket; 0 when the other end is not in this namespace.</summary>
    internal int[] Peers { get; }

    /// <summary>Classifies and pairs a socket table.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static SocketIndex Build(ImmutableArray<SocketRecord> table, NetSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var sockets = table.AsSpan();
        int portLow = settings.LocalPortLow ?? DoctorAnalysis.DefaultPortLow;
        int portHigh = settings.LocalPortHigh ?? DoctorAnalysis.DefaultPortHigh;
        var listening = ListeningPorts.From(sockets);
        var classes = new SocketClass[sockets.Length];
        var sides = new Side[sockets.Length];
        var peers = new int[sockets.Length];
        var byTuple = new TupleTable(sockets.Length);
        for (int i = 0; i < sockets.Length; i++)
        {
            ref readonly var s = ref sockets[i];
            if (s.KernelState == TcpState.Listen)
            {
                continue;
            }

            classes[i] = Classifier.Classify(in s);
            sides[i] = Classifier.SideOf(in s, listening, portLow, portHigh);
            byTuple.TryAdd(sockets, i);
        }

        for (int i = 0; i < sockets.Length; i++)
        {
            ref readonly var s = ref sockets[i];
            if (s.KernelState != TcpState.Listen && byTuple.Find(sockets, s.Remote, s.Local) is var peer and >= 0)
            {
                peers[i] = peer + 1;
            }
        }

        return new SocketIndex(table, classes, sides, peers);
    }
}

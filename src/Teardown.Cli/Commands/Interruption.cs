using System.Runtime.InteropServices;

namespace Teardown.Cli.Commands;

/// <summary>
/// A token that Ctrl-C (SIGINT) or SIGTERM cancels, for a long command made of many runs (fuzz). The lab's own
/// handlers (KernelTarget) cancel only the run playing at that moment, so that it still cleans up; without this,
/// a campaign counted the cancelled run as a lab error and went on with the next one — `timeout` and Ctrl-C could
/// not stop it.
/// </summary>
internal sealed class Interruption : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly PosixSignalRegistration _sigint;
    private readonly PosixSignalRegistration _sigterm;

    public Interruption(CancellationToken outer)
    {
        _source = CancellationTokenSource.CreateLinkedTokenSource(outer);
        _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
    }

    /// <summary>Cancelled by the signals or by the outer token.</summary>
    public CancellationToken Token => _source.Token;

    private void Cancel(PosixSignalContext context)
    {
        context.Cancel = true; // the command ends itself, after cleaning up (exit 130)
        _source.Cancel();
    }

    public void Dispose()
    {
        _sigint.Dispose();
        _sigterm.Dispose();
        _source.Dispose();
    }
}

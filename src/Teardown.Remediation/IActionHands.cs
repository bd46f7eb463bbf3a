using Teardown.Doctor.Actions;

namespace Teardown.Remediation;

/// <summary>
/// The hands that act on one network namespace: re-verify a planned socket and, if it is still the
/// same socket in the same state, release or kill it. The kernel's implementation is
/// <see cref="KernelHands"/>; tests may script others.
/// </summary>
public interface IActionHands : IDisposable
{
    /// <summary>Re-verifies <paramref name="action"/>'s socket and acts on it.</summary>
    HandsOutcome Apply(PlannedAction action);
}

/// <summary>Opens the hands for a namespace, or says why it cannot (a missing feature or permission).</summary>
public interface IHandsFactory
{
    /// <summary>Hands for namespace <paramref name="netNsInode"/>, or the error that prevents acting there.</summary>
    Teardown.Linux.Interop.LinuxResult<IActionHands> Open(ulong netNsInode);
}

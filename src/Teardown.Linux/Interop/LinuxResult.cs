using System.Diagnostics.CodeAnalysis;

namespace Teardown.Linux.Interop;

/// <summary>A value or the <see cref="LinuxError"/> that prevented it; never thrown.</summary>
/// <typeparam name="T">The value type.</typeparam>
public readonly struct LinuxResult<T>
{
    private readonly T? _value;

    private LinuxResult(T? value, LinuxError? error)
    {
        _value = value;
        Error = error;
    }

    /// <summary>The error, if any.</summary>
    public LinuxError? Error { get; }

    /// <summary>True when a value is present.</summary>
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsOk => Error is null;

    /// <summary>The value; throws <see cref="InvalidOperationException"/> when this is an error (a programming mistake).</summary>
    public T Value => IsOk ? _value! : throw new InvalidOperationException($"No value: {Error}");

    /// <summary>Wraps a value.</summary>
    public static LinuxResult<T> Ok(T value) => new(value, null);

    /// <summary>Wraps an error.</summary>
    public static LinuxResult<T> Fail(LinuxError error) => new(default, error);

    /// <summary>Wraps a value.</summary>
    public static implicit operator LinuxResult<T>(T value) => Ok(value);

    /// <summary>Wraps an error.</summary>
    public static implicit operator LinuxResult<T>(LinuxError error) => Fail(error);

    /// <summary>Named alternative to the implicit conversion (CA2225).</summary>
    public static LinuxResult<T> FromT(T value) => Ok(value);

    /// <summary>Named alternative to the implicit conversion (CA2225).</summary>
    public static LinuxResult<T> FromLinuxError(LinuxError error) => Fail(error);
}

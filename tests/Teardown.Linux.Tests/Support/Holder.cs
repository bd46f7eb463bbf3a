using System.Diagnostics;
using System.Globalization;
using System.Net;
using Teardown.Linux.Namespaces;

namespace Teardown.Linux.Tests.Support;

/// <summary>
/// Another process holding one TCP socket (Support/holder.c, compiled once with gcc), started inside
/// a network namespace and driven line by line: the owner whose descriptor release and kill act on.
/// </summary>
internal sealed class Holder : IDisposable
{
    private static readonly Lazy<string> Binary = new(() => Compile("holder.c"));
    private readonly Process _process;

    private Holder(Process process, int fd)
    {
        _process = process;
        Fd = fd;
    }

    internal int Pid => _process.Id;

    /// <summary>The descriptor number of the holder's socket.</summary>
    internal int Fd { get; }

    /// <summary>
    /// Starts the holder in <paramref name="ns"/> (forked from a thread inside it, so the child starts
    /// there), connected to <paramref name="server"/>; with <paramref name="uid"/> it runs under setpriv as that user.
    /// </summary>
    internal static Holder Start(NetNsHandle ns, IPEndPoint server, int? uid = null)
    {
        string binary = Binary.Value;
        var started = NetNs.Run(ns, () =>
        {
            var info = uid is int u
                ? new ProcessStartInfo("setpriv", $"--reuid={u} --regid={u} --clear-groups -- {binary} {server.Address} {server.Port}")
                : new ProcessStartInfo(binary, $"{server.Address} {server.Port}");
            info.RedirectStandardInput = true;
            info.RedirectStandardOutput = true;
            return Process.Start(info)!;
        });
        Assert.True(started.IsOk, started.Error?.ToString());
        var process = started.Value;
        int fd = int.Parse(process.StandardOutput.ReadLine()!, CultureInfo.InvariantCulture);
        Assert.True(fd >= 0, $"holder could not connect: errno {-fd}");
        return new Holder(process, fd);
    }

    /// <summary>Sends one command (read, write, shutwr, close, pipe) and returns its answer: a count or -errno.</summary>
    internal long Call(string command)
    {
        _process.StandardInput.WriteLine(command);
        _process.StandardInput.Flush();
        return long.Parse(_process.StandardOutput.ReadLine()!, CultureInfo.InvariantCulture);
    }

    /// <summary>The holder's recv(MSG_DONTWAIT) result as an errno (None when it returned a count).</summary>
    internal (long Result, Errno Errno) Read() => Split(Call("read"));

    /// <summary>The holder's send(MSG_NOSIGNAL) of one byte.</summary>
    internal (long Result, Errno Errno) Write() => Split(Call("write"));

    /// <summary>Ends the holder and waits until it is reaped.</summary>
    internal void Exit()
    {
        _process.StandardInput.WriteLine("exit");
        _process.StandardInput.Flush();
        Assert.True(_process.WaitForExit(5000));
    }

    private static (long, Errno) Split(long answer) => answer < 0 ? (-1, (Errno)(-answer)) : (answer, Errno.None);

    // One binary per version of holder.c, kept between runs (named by the source's hash) and
    // compiled under a temporary name then renamed, so nothing accumulates in /tmp.
    internal static string Compile(string file)
    {
        string source = Path.Combine(AppContext.BaseDirectory, "Support", file);
        string hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(source)))[..12];
        string exe = Path.Combine(Path.GetTempPath(), $"teardown-{Path.GetFileNameWithoutExtension(file)}-{hash}");
        if (File.Exists(exe))
        {
            return exe;
        }

        string temporary = $"{exe}.{Environment.ProcessId}";
        using var gcc = Process.Start(new ProcessStartInfo("gcc", $"-O1 -Wall -Werror -o {temporary} {source}") { RedirectStandardError = true })!;
        string error = gcc.StandardError.ReadToEnd();
        gcc.WaitForExit();
        Assert.True(gcc.ExitCode == 0, $"gcc {file}: " + error);
        File.Move(temporary, exe, overwrite: true); // gcc's output is 0755: setpriv'd holders run as nobody
        return exe;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }

        _process.Dispose();
    }
}

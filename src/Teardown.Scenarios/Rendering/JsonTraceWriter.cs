using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Teardown.Model;
using Teardown.Scenarios.Checking;
using Teardown.Scenarios.Syntax;
using Teardown.Scenarios.Tracing;

namespace Teardown.Scenarios.Rendering;

/// <summary>
/// A trace as JSON lines: a <c>scenario</c> line, one object per trace entry, then one per verdict. Every
/// object has a <c>type</c> (scenario, call, network, transition, segment, timer, counter, observation, note,
/// verdict); times are seconds as numbers; states use Linux names with GONE for null; field names are stable.
/// </summary>
public static class JsonTraceWriter
{
    private static readonly JsonWriterOptions s_options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Write(ScenarioTrace trace, IReadOnlyList<Verdict>? verdicts, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(trace);
        ArgumentNullException.ThrowIfNull(writer);
        WriteLine(writer, w => Header(w, trace));
        foreach (TraceEntry entry in trace.Entries) WriteLine(writer, w => Entry(w, entry));
        foreach (Verdict verdict in verdicts ?? []) WriteLine(writer, w => VerdictObject(w, verdict));
    }

    /// <summary>Writes one JSON object on its own line.</summary>
    internal static void WriteLine(TextWriter writer, Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, s_options))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }

        writer.WriteLine(Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    internal static void Time(Utf8JsonWriter w, string name, TimeSpan t) => w.WriteNumber(name, TimeText.JsonSeconds(t));

    internal static void State(Utf8JsonWriter w, string name, TcpState? state) => w.WriteString(name, ObservedText.State(state));

    internal static void Line(Utf8JsonWriter w, TimedLine line)
    {
        w.WriteNumber("line", line.Where.Line);
        w.WriteString("statement", StatementText.Of(line));
    }

    private static void Header(Utf8JsonWriter w, ScenarioTrace trace)
    {
        Scenario s = trace.Scenario;
        w.WriteString("type", "scenario");
        w.WriteString("file", s.FileName);
        w.WriteString("title", s.Title);
        w.WriteString("target", trace.Target);
        w.WriteStartArray("hosts");
        foreach (HostDecl h in s.Hosts)
        {
            w.WriteStartObject();
            w.WriteString("name", h.Name);
            w.WriteString("address", h.Address.ToString());
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartObject("tolerance");
        Time(w, "absolute", s.Tolerance.Absolute);
        w.WriteNumber("percent", s.Tolerance.Percent);
        w.WriteEndObject();
    }

    private static void Entry(Utf8JsonWriter w, TraceEntry entry)
    {
        switch (entry)
        {
            case CallTraced c:
                w.WriteString("type", "call");
                Time(w, "time", c.At);
                Line(w, c.Line);
                w.WriteString("host", c.Host);
                Time(w, "returned", c.Returned);
                w.WriteNumber("value", c.Outcome.Value);
                WriteErrno(w, c.Outcome.Errno);
                break;
            case CallBlockedTraced b:
                w.WriteString("type", "blocked");
                Time(w, "time", b.At);
                Line(w, b.Line);
                w.WriteString("host", b.Host);
                Time(w, "started", b.Started);
                break;
            case NetworkEventTraced n:
                w.WriteString("type", "network");
                Time(w, "time", n.At);
                Line(w, n.Line);
                break;
            case TransitionTraced t:
                w.WriteString("type", "transition");
                Time(w, "time", t.At);
                w.WriteString("host", t.Host);
                w.WriteString("end", t.End);
                State(w, "from", t.From);
                State(w, "to", t.To);
                w.WriteString("cause", t.Cause);
                break;
            case SegmentTraced s:
                w.WriteString("type", "segment");
                Time(w, "time", s.At);
                w.WriteString("from", s.From);
                w.WriteString("to", s.To);
                w.WriteString("end", s.End);
                w.WriteString("flags", s.Flags.ToNotation());
                w.WriteNumber("seq", s.Seq);
                w.WriteNumber("ack", s.Ack);
                w.WriteNumber("length", s.Length);
                w.WriteNumber("window", s.Window);
                w.WriteBoolean("dropped", s.Dropped);
                break;
            case TimerTraced t:
                w.WriteString("type", "timer");
                Time(w, "time", t.At);
                w.WriteString("host", t.Host);
                w.WriteString("end", t.End);
                w.WriteString("kind", t.Kind.ToScenarioName());
                w.WriteString("action", t.Action.ToString().ToLowerInvariant());
                if (t.Expires is { } e) Time(w, "expires", e);
                else w.WriteNull("expires");
                break;
            case CounterTraced c:
                w.WriteString("type", "counter");
                Time(w, "time", c.At);
                w.WriteString("host", c.Host);
                w.WriteString("counter", c.Counter);
                w.WriteNumber("value", c.Value);
                break;
            case ObservationTraced o:
                w.WriteString("type", "observation");
                Time(w, "time", o.At);
                Line(w, o.Line);
                w.WritePropertyName("observed");
                Observation(w, o.Observed);
                break;
            case NoteTraced n:
                w.WriteString("type", "note");
                Time(w, "time", n.At);
                w.WriteString("text", n.Text);
                break;
            default:
                w.WriteString("type", "unknown");
                Time(w, "time", entry.At);
                w.WriteString("text", entry.ToString());
                break;
        }
    }

    internal static void Observation(Utf8JsonWriter w, Observation observation)
    {
        w.WriteStartObject();
        switch (observation)
        {
            case EndObservation e:
                w.WriteString("kind", "end");
                State(w, "state", e.State);
                w.WriteString("timer", e.Timer.ToScenarioName());
                if (e.Expires is { } x) Time(w, "expires", x);
                else w.WriteNull("expires");
                w.WriteNumber("recvq", e.RecvQ);
                w.WriteNumber("sendq", e.SendQ);
                w.WriteBoolean("orphan", e.Orphan);
                break;
            case CounterObservation c:
                w.WriteString("kind", "counter");
                w.WriteNumber("value", c.Value);
                break;
            case PacketsObservation p:
                w.WriteString("kind", "packets");
                w.WriteStartArray("flags");
                foreach (TcpFlags f in p.Flags) w.WriteStringValue(f.ToNotation());
                w.WriteEndArray();
                break;
            default:
                w.WriteString("kind", "unknown");
                break;
        }

        w.WriteEndObject();
    }

    private static void WriteErrno(Utf8JsonWriter w, Errno errno)
    {
        if (errno == Errno.None) w.WriteNull("errno");
        else w.WriteString("errno", errno.ToString());
    }

    private static void VerdictObject(Utf8JsonWriter w, Verdict v)
    {
        w.WriteString("type", "verdict");
        Time(w, "time", v.Line.At);
        Line(w, v.Line);
        w.WriteBoolean("passed", v.Passed);
        w.WriteString("expected", v.Expected);
        w.WriteString("observed", v.Observed);
    }
}

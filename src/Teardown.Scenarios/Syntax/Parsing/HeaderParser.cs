using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;

namespace Teardown.Scenarios.Syntax.Parsing;

/// <summary>
/// The header statements, which come before the first timed line: <c>scenario</c>, <c>host</c>,
/// <c>sysctl</c>, <c>link</c> and <c>tolerance</c>.
/// </summary>
internal sealed class HeaderParser
{
    private static readonly string[] s_keywords = ["scenario", "host", "sysctl", "link", "tolerance"];

    private readonly ScenarioBuilder _builder;
    private readonly NameScope _scope;

    public HeaderParser(ScenarioBuilder builder, NameScope scope)
    {
        _builder = builder;
        _scope = scope;
    }

    public static bool IsHeaderKeyword(Token token) => s_keywords.Any(token.Is);

    public void Parse(TokenCursor cursor, SourcePosition at)
    {
        Token keyword = cursor.Next("a header statement");
        if (keyword.Is("scenario")) Title(cursor, keyword, at);
        else if (keyword.Is("host")) Host(cursor, at);
        else if (keyword.Is("sysctl")) Sysctl(cursor, at);
        else if (keyword.Is("link")) Link(cursor, at);
        else if (keyword.Is("tolerance")) Tolerance(cursor, keyword, at);
        else throw TokenCursor.Fail(keyword, "a header statement (scenario, host, sysctl, link, tolerance)");
    }

    private void Title(TokenCursor cursor, Token keyword, SourcePosition at)
    {
        if (_builder.TitleAt is { } first)
        {
            throw new LineSyntaxException(keyword.Column, $"expected one 'scenario' title, found a second one (the first is at line {first.Line})");
        }

        Token title = cursor.Next("a quoted title, e.g. scenario \"what this shows\"");
        if (!title.Quoted) throw TokenCursor.Fail(title, "a quoted title, e.g. scenario \"what this shows\"");
        cursor.End("the title");
        _builder.Title = title.Text;
        _builder.TitleAt = at;
    }

    private void Host(TokenCursor cursor, SourcePosition at)
    {
        Token nameToken = cursor.Next("a host name");
        IPAddress? address = null;
        if (!cursor.AtEnd)
        {
            Token option = cursor.Next("addr=IPV4");
            address = Address(option);
        }

        cursor.End("the host declaration");
        string name = _scope.DeclareHost(nameToken, at);
        _builder.Hosts.Add((at, name, address));
    }

    private IPAddress Address(Token option)
    {
        const string Prefix = "addr=";
        if (option.Quoted || !option.Text.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            throw TokenCursor.Fail(option, "addr=IPV4 or end of line");
        }

        string text = option.Text[Prefix.Length..];
        int column = option.Column + Prefix.Length;
        if (!TryParseDottedQuad(text, out IPAddress? address))
        {
            throw new LineSyntaxException(column, $"expected an IPv4 address in dotted-quad form (e.g. 192.0.2.10), found {InputText.Quote(text)}");
        }

        var clash = _builder.Hosts.FirstOrDefault(h => address.Equals(h.Address));
        if (clash.Name is not null)
        {
            throw new LineSyntaxException(column, $"expected an address no other host uses, found {text}, already the address of host {clash.Name} (line {clash.At.Line})");
        }

        return address;
    }

    /// <summary>Exactly four decimal parts 0..255; IPAddress.TryParse alone would also accept "10" or "0x7f.1".</summary>
    private static bool TryParseDottedQuad(string text, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        string[] parts = text.Split('.');
        if (parts.Length != 4) return false;
        var bytes = new byte[4];
        for (int i = 0; i < 4; i++)
        {
            if (parts[i].Length is 0 or > 3 || !NumberSyntax.TryParseInteger(parts[i], false, out long b) || b > 255) return false;
            bytes[i] = (byte)b;
        }

        address = new IPAddress(bytes);
        return true;
    }

    private void Sysctl(TokenCursor cursor, SourcePosition at)
    {
        string host = _scope.Host(cursor.Next("a host name"));
        Token setting = cursor.Next("KEY=VALUE, e.g. net.ipv4.tcp_fin_timeout=3");
        cursor.End("the sysctl setting");
        int eq = setting.Text.IndexOf('=');
        if (eq <= 0) throw TokenCursor.Fail(setting, "KEY=VALUE, e.g. net.ipv4.tcp_fin_timeout=3");

        string key = setting.Text[..eq];
        string? shortKey = KnownSysctls.Resolve(key);
        if (shortKey is null)
        {
            throw new LineSyntaxException(setting.Column,
                $"expected a known sysctl ({string.Join(", ", KnownSysctls.ShortNames)}, optionally prefixed by net.ipv4.), found {InputText.Quote(key)}");
        }

        int valueColumn = setting.Column + eq + 1;
        string value = setting.Text[(eq + 1)..];
        string normalized = shortKey == KnownSysctls.PortRange ? PortRange(value, valueColumn) : IntegerValue(value, valueColumn, shortKey);
        SysctlDecl? repeated = _builder.Sysctls.FirstOrDefault(s => s.Host == host && s.ShortKey == shortKey);
        if (repeated is not null)
        {
            throw new LineSyntaxException(setting.Column, $"expected each sysctl once per host, found {shortKey} for {host} again (first set at line {repeated.At.Line})");
        }

        // The key is stored in its full dotted form whichever way it was written, so consumers need not normalize.
        _builder.Sysctls.Add(new SysctlDecl(at, host, KnownSysctls.Prefix + shortKey, normalized));
    }

    private static string IntegerValue(string value, int column, string key)
    {
        if (NumberSyntax.TryParseInteger(value, true, out long v) && v is >= int.MinValue and <= int.MaxValue)
        {
            return v.ToString(CultureInfo.InvariantCulture);
        }

        throw new LineSyntaxException(column, $"expected an integer value for {key}, found {InputText.Quote(value)}");
    }

    /// <summary>
    /// <c>ip_local_port_range</c> takes two ports; since spaces separate tokens, the value is quoted:
    /// <c>ip_local_port_range="32768 60999"</c>. It is stored as "LOW HIGH", the form /proc/sys accepts.
    /// </summary>
    private static string PortRange(string value, int column)
    {
        string[] parts = value.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 2 &&
            NumberSyntax.TryParseInteger(parts[0], false, out long low) && NumberSyntax.TryParseInteger(parts[1], false, out long high) &&
            low is >= 1 and <= 65535 && high is >= 1 and <= 65535 && low <= high)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{low} {high}");
        }

        throw new LineSyntaxException(column, $"expected two ports LOW <= HIGH in quotes, e.g. ip_local_port_range=\"32768 60999\", found {InputText.Quote(value)}");
    }

    private void Link(TokenCursor cursor, SourcePosition at)
    {
        Token aToken = cursor.Next("a host name");
        string a = _scope.Host(aToken);
        Token bToken = cursor.Next("a second host name");
        string b = _scope.Host(bToken);
        if (a == b) throw TokenCursor.Fail(bToken, $"a host other than {a} (a link joins two hosts)");
        TimeSpan delay = TimeSpan.Zero;
        if (!cursor.AtEnd)
        {
            Token option = cursor.Next("delay=DUR");
            const string Prefix = "delay=";
            if (option.Quoted || !option.Text.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            {
                throw TokenCursor.Fail(option, "delay=DUR or end of line");
            }

            string text = option.Text[Prefix.Length..];
            if (!NumberSyntax.TryParseDuration(text, out delay))
            {
                throw new LineSyntaxException(option.Column + Prefix.Length, $"expected {NumberSyntax.DurationExamples}, found {InputText.Quote(text)}");
            }
        }

        cursor.End("the link");
        LinkDecl? repeated = _builder.Links.FirstOrDefault(l => (l.A == a && l.B == b) || (l.A == b && l.B == a));
        if (repeated is not null)
        {
            throw new LineSyntaxException(aToken.Column, $"expected one link between {a} and {b}, found a second (the first is at line {repeated.At.Line})");
        }

        _builder.Links.Add(new LinkDecl(at, a, b, delay));
    }

    private void Tolerance(TokenCursor cursor, Token keyword, SourcePosition at)
    {
        if (_builder.ToleranceAt is { } first)
        {
            throw new LineSyntaxException(keyword.Column, $"expected one 'tolerance' line, found a second one (the first is at line {first.Line})");
        }

        TimeSpan absolute = NumberSyntax.Duration(cursor.Next(NumberSyntax.DurationExamples));

        // Each part has its own default: "tolerance 20ms" keeps the default 5%.
        double percent = Syntax.Tolerance.Default.Percent;
        if (!cursor.AtEnd)
        {
            Token pct = cursor.Next("a percentage, e.g. 5%");
            if (pct.Quoted || !pct.Text.EndsWith('%') ||
                !double.TryParse(pct.Text[..^1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out percent) ||
                !char.IsAsciiDigit(pct.Text[0]) || percent > 100)
            {
                throw TokenCursor.Fail(pct, "a percentage 0..100 followed by %, e.g. 5%");
            }
        }

        cursor.End("the tolerance");
        _builder.Tolerance = new Tolerance(absolute, percent);
        _builder.ToleranceAt = at;
    }
}

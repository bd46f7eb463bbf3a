using System.Net;
using Teardown.Scenarios.Syntax;

namespace Teardown.Scenarios.Tests.Syntax;

public class HeaderTests
{
    [Fact]
    public void Default_addresses_follow_declaration_order()
    {
        Scenario s = ParseAssert.Parses("host a\nhost b\nhost c");
        Assert.Equal(["192.0.2.1", "192.0.2.2", "192.0.2.3"], s.Hosts.Select(h => h.Address.ToString()));
    }

    [Fact]
    public void Default_addresses_never_collide_with_explicit_ones_even_declared_later()
    {
        Scenario s = ParseAssert.Parses("host a\nhost b\nhost c addr=192.0.2.2\nhost d addr=192.0.2.1");
        Assert.Equal(["192.0.2.3", "192.0.2.4", "192.0.2.2", "192.0.2.1"], s.Hosts.Select(h => h.Address.ToString()));
    }

    [Fact]
    public void Explicit_address_is_kept() =>
        Assert.Equal(IPAddress.Parse("10.1.2.3"), ParseAssert.Parses("host a ADDR=10.1.2.3").Host("a").Address);

    [Fact]
    public void Host_positions_are_recorded() =>
        Assert.Equal(new SourcePosition(2, 3), ParseAssert.Parses("# x\n  host a").Hosts[0].At);

    [Fact]
    public void Sysctl_short_key_is_stored_in_full_form()
    {
        SysctlDecl d = Assert.Single(ParseAssert.Parses("host a\nsysctl a TCP_MAX_ORPHANS=16").Sysctls);
        Assert.Equal(("net.ipv4.tcp_max_orphans", "tcp_max_orphans", "16"), (d.Key, d.ShortKey, d.Value));
    }

    [Fact]
    public void Sysctl_values_may_be_negative_integers() =>
        Assert.Equal("-1", Assert.Single(ParseAssert.Parses("host a\nsysctl a tcp_challenge_ack_limit=-1").Sysctls).Value);

    [Fact]
    public void Port_range_is_quoted_and_normalised()
    {
        SysctlDecl d = Assert.Single(ParseAssert.Parses("host a\nsysctl a net.ipv4.ip_local_port_range=\"40000\t40010\"").Sysctls);
        Assert.Equal(("net.ipv4.ip_local_port_range", "40000 40010"), (d.Key, d.Value));
    }

    [Theory]
    [InlineData("tcp_fin_timeout")]
    [InlineData("tcp_orphan_retries")]
    [InlineData("tcp_retries1")]
    [InlineData("tcp_retries2")]
    [InlineData("tcp_keepalive_time")]
    [InlineData("tcp_keepalive_intvl")]
    [InlineData("tcp_keepalive_probes")]
    [InlineData("tcp_rfc1337")]
    [InlineData("tcp_max_tw_buckets")]
    [InlineData("tcp_invalid_ratelimit")]
    [InlineData("tcp_max_orphans")]
    [InlineData("tcp_tw_reuse")]
    [InlineData("tcp_syn_retries")]
    [InlineData("tcp_synack_retries")]
    [InlineData("tcp_challenge_ack_limit")]
    public void Every_documented_sysctl_is_known(string key) =>
        Assert.Single(ParseAssert.Parses($"host a\nsysctl a net.ipv4.{key}=1").Sysctls);

    [Fact]
    public void Link_with_and_without_delay()
    {
        Scenario s = ParseAssert.Parses("host a\nhost b\nhost c\nlink a b delay=5ms\nlink b c");
        Assert.Equal(new LinkDecl(new SourcePosition(4, 1), "a", "b", TimeSpan.FromMilliseconds(5)), s.Links[0]);
        Assert.Equal(TimeSpan.Zero, s.Links[1].Delay);
    }

    [Fact]
    public void Tolerance_with_percentage() =>
        Assert.Equal(new Tolerance(TimeSpan.FromMilliseconds(20), 2.5), ParseAssert.Parses("tolerance 20ms 2.5%").Tolerance);

    [Fact]
    public void Tolerance_without_percentage_keeps_the_default_percentage() =>
        Assert.Equal(new Tolerance(TimeSpan.FromSeconds(0.1), 5), ParseAssert.Parses("tolerance 0.1").Tolerance);

    [Fact]
    public void Title_may_contain_hashes_and_escaped_quotes() =>
        Assert.Equal("a # \"b\"", ParseAssert.Parses("scenario \"a # \\\"b\\\"\" # comment").Title);
}

public class DefaultAddressExhaustionTests
{
    [Fact]
    public void More_hosts_than_default_addresses_is_an_error_at_the_first_host_left_without_one()
    {
        string text = "host x addr=192.0.2.7\n" + string.Concat(Enumerable.Range(0, 254).Select(i => $"host h{i}\n"));
        Assert.Equal("t.scn:255:1: expected addr=IPV4 for host h253, found none, and the default addresses 192.0.2.1-254 are all used",
            ParseAssert.FailsOnce(text).ToString());
    }

    [Fact]
    public void Exactly_254_default_addresses_fit() =>
        Assert.Equal("192.0.2.254", ParseAssert.Parses(string.Concat(Enumerable.Range(0, 254).Select(i => $"host h{i}\n"))).Hosts[^1].Address.ToString());
}

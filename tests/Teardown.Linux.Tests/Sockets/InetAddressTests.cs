using System.Net;
using CsCheck;
using Teardown.Linux.Sockets;

namespace Teardown.Linux.Tests.Sockets;

public sealed class InetAddressTests
{
    [Fact]
    public void Ipv6Bytes_RoundTripThroughIPAddress() =>
        Gen.Byte.Array[16].Sample(bytes =>
        {
            var address = InetAddress.FromNetworkBytes(AddressFamilies.Inet6, bytes);
            Span<byte> back = stackalloc byte[16];

            Assert.Equal(16, address.WriteNetworkBytes(back));
            Assert.True(back.SequenceEqual(bytes));
            Assert.Equal(new IPAddress(bytes), address.ToIPAddress());
            Assert.Equal(address, InetAddress.From(address.ToIPAddress()));
        });

    [Fact]
    public void Ipv4_UsesTheFirstFourBytes_AndIgnoresTheRest()
    {
        var a = InetAddress.FromNetworkBytes(AddressFamilies.Inet, [192, 0, 2, 7, 0xFF, 0xFF]);

        Assert.Equal("192.0.2.7", a.ToString());
        Assert.Equal(a, InetAddress.From(IPAddress.Parse("192.0.2.7")));
        Assert.NotEqual(a, InetAddress.From(IPAddress.Parse("::ffff:192.0.2.7")));
    }

    [Fact]
    public void Endpoints_FormatWithBracketsForIpv6()
    {
        Assert.Equal("[::1]:80", new InetEndpoint(InetAddress.From(IPAddress.IPv6Loopback), 80).ToString());
        Assert.Equal("127.0.0.1:80", new InetEndpoint(InetAddress.From(IPAddress.Loopback), 80).ToString());
    }
}

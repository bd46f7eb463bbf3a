using Teardown.Linux.Settings;
using Teardown.Model.Kernel;

namespace Teardown.Doctor.Forecast;

/// <summary>The host's sysctls as the model's settings; what could not be read keeps Linux's default.</summary>
public static class ModelSettings
{
    /// <summary>A fresh <see cref="KernelSettings"/> with every sysctl the doctor read.</summary>
    public static KernelSettings From(NetSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var k = new KernelSettings();
        if (settings.TcpFinTimeout is int finTimeout) k.TcpFinTimeout = finTimeout;
        if (settings.TcpOrphanRetries is int orphanRetries) k.TcpOrphanRetries = orphanRetries;
        if (settings.TcpRetries2 is int retries2) k.TcpRetries2 = retries2;
        if (settings.TcpMaxOrphans is int maxOrphans) k.TcpMaxOrphans = maxOrphans;
        if (settings.TcpMaxTwBuckets is int buckets) k.TcpMaxTwBuckets = buckets;
        if (settings.TcpKeepaliveTime is int time) k.TcpKeepaliveTime = time;
        if (settings.TcpKeepaliveIntvl is int intvl) k.TcpKeepaliveIntvl = intvl;
        if (settings.TcpKeepaliveProbes is int probes) k.TcpKeepaliveProbes = probes;
        if (settings.LocalPortLow is int low && settings.LocalPortHigh is int high && low <= high)
        {
            k.LocalPortLow = low;
            k.LocalPortHigh = high;
        }

        return k;
    }
}

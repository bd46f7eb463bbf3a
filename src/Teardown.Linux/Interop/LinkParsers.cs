namespace Teardown.Linux.Interop;

/// <summary>Pure parsers for procfs symlink targets such as <c>socket:[12345]</c> and <c>net:[4026531840]</c>.</summary>
public static class LinkParsers
{
    /// <summary>
    /// Parses <c>PREFIX + digits + "]"</c> (e.g. <c>socket:[</c>) without allocating. The format is
    /// fixed by fs/dcache.c:dynamic_dname as used by net/socket.c:sockfs_dname and fs/nsfs.c:ns_dname.
    /// </summary>
    public static bool TryParseBracketedInode(ReadOnlySpan<byte> link, ReadOnlySpan<byte> prefix, out ulong inode)
    {
        inode = 0;
        if (!link.StartsWith(prefix) || link.Length < prefix.Length + 2 || link[^1] != (byte)']')
        {
            return false;
        }

        var digits = link[prefix.Length..^1];
        ulong value = 0;
        foreach (byte b in digits)
        {
            uint digit = (uint)(b - '0');
            if (digit > 9 || value > (ulong.MaxValue - digit) / 10)
            {
                return false;
            }

            value = value * 10 + digit;
        }

        inode = value;
        return true;
    }
}

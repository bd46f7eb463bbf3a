using System.Runtime.CompilerServices;

namespace Teardown.Doctor.Analysis;

/// <summary>
/// A minimal open-addressing map for struct keys, compiled optimized at once. The CLI runs the
/// analysis once per process, so a <see cref="Dictionary{TKey, TValue}"/> instantiated over a
/// struct key would run its lookups in unoptimized tier-0 code for most of the run.
/// </summary>
internal sealed class StructMap<TKey, TValue>
    where TKey : struct, IEquatable<TKey>
{
    private TKey[] _keys;
    private TValue[] _values;
    private bool[] _used;
    private int _mask;

    internal StructMap(int capacity = 64)
    {
        int size = 16;
        while (size < capacity * 2)
        {
            size <<= 1;
        }

        _keys = new TKey[size];
        _values = new TValue[size];
        _used = new bool[size];
        _mask = size - 1;
    }

    /// <summary>Entries.</summary>
    internal int Count { get; private set; }

    /// <summary>The value slot of <paramref name="key"/>, added with the default value when absent.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal ref TValue GetOrAdd(in TKey key)
    {
        if ((Count + 1) * 2 > _keys.Length)
        {
            Grow();
        }

        int slot = Spread(key.GetHashCode()) & _mask;
        while (_used[slot])
        {
            if (_keys[slot].Equals(key))
            {
                return ref _values[slot];
            }

            slot = (slot + 1) & _mask;
        }

        _used[slot] = true;
        _keys[slot] = key;
        Count++;
        return ref _values[slot];
    }

    /// <summary>Every entry, in no particular order.</summary>
    internal IEnumerable<KeyValuePair<TKey, TValue>> Entries()
    {
        for (int i = 0; i < _keys.Length; i++)
        {
            if (_used[i])
            {
                yield return new KeyValuePair<TKey, TValue>(_keys[i], _values[i]);
            }
        }
    }

    private void Grow()
    {
        var keys = _keys;
        var values = _values;
        var used = _used;
        _keys = new TKey[keys.Length * 2];
        _values = new TValue[keys.Length * 2];
        _used = new bool[keys.Length * 2];
        _mask = _keys.Length - 1;
        Count = 0;
        for (int i = 0; i < keys.Length; i++)
        {
            if (used[i])
            {
                GetOrAdd(keys[i]) = values[i];
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Spread(int hash)
    {
        unchecked
        {
            uint h = (uint)hash * 0x9E3779B1u;
            return (int)((h ^ (h >> 16)) & 0x7FFFFFFF);
        }
    }
}

using Teardown.Model;

namespace Teardown.Scenarios.Fuzzing;

/// <summary>Draws from a seeded <see cref="DeterministicRandom"/>: the same seed, the same choices, on every machine.</summary>
internal sealed class Draw(DeterministicRandom random)
{
    /// <summary>One of <paramref name="choices"/>, each as likely as its weight.</summary>
    public T Pick<T>(params (int Weight, T Value)[] choices)
    {
        int total = choices.Sum(c => c.Weight);
        int roll = random.Next(total);
        foreach ((int weight, T value) in choices)
        {
            if (roll < weight) return value;
            roll -= weight;
        }

        return choices[^1].Value;
    }

    /// <summary>One element, uniformly.</summary>
    public T One<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];

    /// <summary>An integer in [min, max].</summary>
    public int Between(int min, int max) => min + random.Next(max - min + 1);

    /// <summary>True with probability <paramref name="percent"/> %.</summary>
    public bool Chance(int percent) => random.Next(100) < percent;
}

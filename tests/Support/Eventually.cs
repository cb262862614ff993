using System.Diagnostics;

namespace SharpSignals.Tests.Support;

/// <summary>
/// Waits for a condition that another thread, process or server makes true, instead of sleeping a
/// fixed time: it returns as soon as the condition holds, and fails with what it waited for once a
/// generous deadline (for a loaded machine) has passed. The one polling loop of every test project.
/// </summary>
internal static class Eventually
{
    /// <summary>How long a wait lasts unless the caller says otherwise: long enough for a busy 2-core machine.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The pause between two looks starts short, so a quick condition costs little, and grows to this.</summary>
    private static readonly TimeSpan LongestPause = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Waits until <paramref name="condition"/> holds. <paramref name="seen"/>, when given, describes the
    /// last state in the failure; <paramref name="meanwhile"/> runs after each look that failed (moving a
    /// fake clock a step, say), and <paramref name="every"/>, when given, fixes the pace of the looks
    /// (a clock moved too fast for the code it drives overshoots what the test waits for).
    /// </summary>
    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null, Func<string>? seen = null, Action? meanwhile = null, TimeSpan? every = null) =>
        TrueAsync(() => Task.FromResult(condition()), what, timeout, seen, meanwhile, every);

    /// <inheritdoc cref="TrueAsync(Func{bool}, string, TimeSpan?, Func{string}?, Action?, TimeSpan?)"/>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null, Func<string>? seen = null, Action? meanwhile = null, TimeSpan? every = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var waited = Stopwatch.StartNew();
        var pause = every ?? TimeSpan.FromMilliseconds(10);
        while (!await condition())
        {
            if (waited.Elapsed > limit)
            {
                throw new TimeoutException($"Waited {limit.TotalSeconds:0.#} s in vain for {what}." + (seen is null ? "" : $" Last seen: {seen()}"));
            }

            meanwhile?.Invoke();
            await Task.Delay(pause);

            // Unless the pace is fixed, a condition is looked at less often as the wait goes on.
            if (every is null)
            {
                pause = pause * 2 < LongestPause ? pause * 2 : LongestPause;
            }
        }
    }

    /// <summary>Reads a value until <paramref name="done"/> holds for it, and returns that value.</summary>
    public static async Task<T> GetAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what, TimeSpan? timeout = null, Func<T, string>? describe = null)
    {
        T last = default!;
        var seen = false;
        await TrueAsync(
            async () =>
            {
                last = await read();
                seen = true;
                return done(last);
            },
            what,
            timeout,
            () => !seen ? "nothing" : describe is null ? $"{last}" : describe(last));
        return last;
    }
}

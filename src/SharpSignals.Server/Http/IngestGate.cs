using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace SharpSignals.Server.Http;

/// <summary>The <c>SharpSignals:Ingest</c> section: how many incoming events are worked on at once.</summary>
internal sealed record IngestOptions
{
    public const string Section = "SharpSignals:Ingest";

    /// <summary>
    /// Published or received events checked, routed and signed at once; the rest wait their turn in
    /// order. 0 turns the limit off.
    /// </summary>
    [Range(0, 10000)]
    public int MaxConcurrent { get; init; } = 4 * Environment.ProcessorCount;

    /// <summary>Events that may wait for a turn; beyond that the request is answered 503 with Retry-After.</summary>
    [Range(0, 1000000)]
    public int MaxQueued { get; init; } = 10000;
}

/// <summary>
/// Bounds the CPU work of taking events in (validation, verification, routing, signing), not the
/// wait for the commit: a request holds its turn until its writes are handed to the store and
/// waits for the disk without it. So group commit still gathers every waiting request into one
/// commit, while a crowd of incoming requests cannot fill the machine's run queue and starve
/// delivery, which shares the same cores.
/// </summary>
internal sealed class IngestGate : IDisposable
{
    private readonly SemaphoreSlim? _turns;
    private readonly int _maxQueued;
    private int _waiting;

    public IngestGate(IOptions<IngestOptions> options)
    {
        var value = options.Value;
        _turns = value.MaxConcurrent > 0 ? new SemaphoreSlim(value.MaxConcurrent, value.MaxConcurrent) : null;
        _maxQueued = value.MaxQueued;
    }

    /// <summary>Waits for a turn; null when too many are already waiting (the caller answers 503).</summary>
    public async ValueTask<Turn?> EnterAsync(CancellationToken cancellationToken)
    {
        if (_turns is null)
        {
            return new Turn(null);
        }

        if (!_turns.Wait(0, CancellationToken.None))
        {
            if (Interlocked.Increment(ref _waiting) > _maxQueued)
            {
                Interlocked.Decrement(ref _waiting);
                return null;
            }

            try
            {
                await _turns.WaitAsync(cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _waiting);
            }
        }

        return new Turn(_turns);
    }

    public void Dispose() => _turns?.Dispose();

    /// <summary>A turn; disposing it hands it to the next waiter.</summary>
    public sealed class Turn(SemaphoreSlim? turns) : IDisposable
    {
        private SemaphoreSlim? _turns = turns;

        public void Dispose() => Interlocked.Exchange(ref _turns, null)?.Release();
    }
}

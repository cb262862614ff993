using Microsoft.Extensions.Options;
using SharpSignals.Server.Delivery;

namespace SharpSignals.Server.Intake;

/// <summary>
/// Bounds the CPU work of taking events in (validation, verification, routing, signing), not the
/// wait for the commit: a request holds its turn until its writes are handed to the store and
/// waits for the disk without it. So group commit still gathers every waiting request into one
/// commit, while a crowd of incoming requests cannot fill the machine's run queue and starve
/// delivery, which shares the same cores.
/// </summary>
internal sealed class IngestGate : IDisposable
{
    private readonly DeliveryLag _lag;
    private readonly SemaphoreSlim? _turns;
    private readonly int _maxQueued;
    private int _waiting;

    public IngestGate(IOptions<IngestOptions> options, DeliveryLag lag)
    {
        _lag = lag;
        var value = options.Value;
        _turns = value.MaxConcurrent > 0 ? new SemaphoreSlim(value.MaxConcurrent, value.MaxConcurrent) : null;
        _maxQueued = value.MaxQueued;
    }

    /// <summary>
    /// Waits while <paramref name="project"/>'s delivery falls behind (<see cref="DeliveryLag"/>),
    /// then for a turn; null when delivery stayed behind or too many are already waiting (the caller
    /// answers 503).
    /// </summary>
    public async ValueTask<Turn?> EnterAsync(string project, CancellationToken cancellationToken)
    {
        if (!await _lag.WaitForDeliveryAsync(project, cancellationToken))
        {
            return null;
        }

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

using SharpSignals.Receiver.Handlers;
using SharpSignals.Tokens.Events;

namespace SharpSignals.Receiver.TestHost;

/// <summary>Writes <c>received {jti}</c> as a handler starts and <c>handled {jti}</c> as it ends, each line on disk before it goes on.</summary>
internal sealed class JournalingHandler(IConfiguration configuration) : ISecurityEventHandler<SecurityEvent>
{
    private static readonly Lock Gate = new();

    public async Task HandleAsync(SecurityEventContext<SecurityEvent> context, CancellationToken cancellationToken)
    {
        if (context.Event is Verification)
        {
            return;
        }

        Journal($"received {context.Set.Jti}");
        // The test lifts the block by deleting the file, or kills this process: the hold has no deadline.
        while (configuration["BlockFile"] is { } block && File.Exists(block))
        {
            await Task.Delay(50, cancellationToken);
        }

        Journal($"handled {context.Set.Jti}");
    }

    private void Journal(string line)
    {
        lock (Gate)
        {
            using var stream = new FileStream(configuration["Journal"]!, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            stream.Write(System.Text.Encoding.UTF8.GetBytes(line + "\n"));
            stream.Flush(flushToDisk: true);
        }
    }
}

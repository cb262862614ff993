using System.CommandLine;
using SharpSignals.Cli.Shell;
using SharpSignals.Client;

namespace SharpSignals.Cli.Receiving;

/// <summary>
/// <c>ssf tail STREAM</c>: long-polls a stream, prints each event as it arrives and acknowledges it
/// with the next poll (RFC 8936 §2.4). Ctrl-C stops it; what was printed is acknowledged before it exits.
/// </summary>
internal static class TailCommand
{
    private static readonly TimeSpan FinalAckTimeout = TimeSpan.FromSeconds(5);

    public static Command Create(CliApp app)
    {
        var id = new Argument<string>("stream-id") { Description = "The poll stream." };
        var count = new Option<int?>("--count", "-n") { Description = "Stop after this many events." };
        var noAck = new Option<bool>("--no-ack") { Description = "Do not acknowledge: the events stay queued." };
        var command = new Command("tail", "Follow a stream: print events as they arrive and acknowledge them; Ctrl-C stops.") { id, count, noAck };
        app.SetAction(command, async context =>
        {
            var streamId = context.Get(id)!;
            var limit = context.Get(count);
            if (limit is <= 0)
            {
                throw CliException.Usage("--count must be positive");
            }

            var acknowledge = !context.Get(noAck);
            var pending = new List<string>();
            var seen = 0;
            if (!context.Json)
            {
                context.Environment.Error.WriteLine($"following stream {streamId}; Ctrl-C stops");
            }

            try
            {
                while (limit is null || seen < limit)
                {
                    var request = new PollRequest
                    {
                        ReturnImmediately = false,
                        MaxEvents = limit - seen,
                        Ack = acknowledge && pending.Count > 0 ? [.. pending] : null,
                    };
                    var answer = await context.Api.PollAsync(streamId, request, context.CancellationToken);
                    pending.Clear();
                    foreach (var (jti, token) in ReceivedSets.Read(answer))
                    {
                        if (context.Json)
                        {
                            context.Environment.Out.WriteLine(ReceivedSets.Json(jti, token).ToJsonString());
                        }
                        else
                        {
                            context.Line(ReceivedSets.Line(jti, token));
                        }

                        context.Environment.Out.Flush();
                        pending.Add(jti);
                        seen++;
                    }
                }
            }
            catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
            {
                // Ctrl-C: a clean stop, not a failure.
            }

            if (acknowledge && pending.Count > 0)
            {
                using var timeout = new CancellationTokenSource(FinalAckTimeout);
                await context.Api.PollAsync(streamId, new PollRequest { Ack = pending, MaxEvents = 0, ReturnImmediately = true }, timeout.Token);
            }

            if (!context.Json)
            {
                context.Environment.Error.WriteLine($"stopped after {ReceivedSets.Count(seen)}{(acknowledge ? ", all acknowledged" : "")}");
            }
        });
        return command.WithExamples("ssf tail STREAM_ID", "ssf tail STREAM_ID --count 10 --json");
    }
}

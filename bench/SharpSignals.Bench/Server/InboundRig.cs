using SharpSignals.Tokens.Keys;

namespace SharpSignals.Bench.Server;

/// <summary>
/// What every receiver-side phase starts from: a fresh ES256 server with its memory watched, a
/// registered client in project <c>load</c>, the bench's own source serving its JWKS, one inbound
/// push stream from that source, and a pusher holding the stream's credential.
/// </summary>
internal sealed class InboundRig : IAsyncDisposable
{
    private InboundRig(ChildProcess server, MemoryWatch memory, SsfClient ssf, SetSource source, InboundStream stream)
    {
        Server = server;
        Memory = memory;
        Ssf = ssf;
        Source = source;
        Stream = stream;
        Pusher = new InboundPusher(stream.EndpointUrl, stream.Credential);
    }

    public ChildProcess Server { get; }

    public MemoryWatch Memory { get; }

    public SsfClient Ssf { get; }

    public SetSource Source { get; }

    public InboundStream Stream { get; }

    public InboundPusher Pusher { get; }

    public static async Task<InboundRig> StartAsync(string temp, string name)
    {
        var (server, adminToken) = await ServerProcess.StartAsync(temp, name, SigningAlgorithms.ES256);
        MemoryWatch? memory = null;
        SsfClient? ssf = null;
        SetSource? source = null;
        try
        {
            memory = new MemoryWatch(server.ProcessId);
            ssf = await SsfClient.RegisterAsync(server.BaseAddress, adminToken);
            source = await SetSource.StartAsync();
            var stream = await ssf.CreateInboundStreamAsync(source.Issuer, source.JwksUri);
            return new InboundRig(server, memory, ssf, source, stream);
        }
        catch
        {
            if (source is not null)
            {
                await source.DisposeAsync();
            }

            ssf?.Dispose();
            if (memory is not null)
            {
                await memory.DisposeAsync();
            }

            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Pushes a freshly signed SET carrying <paramref name="txn"/>: the generator's signing is part of the call.</summary>
    public Task<string?> SignAndPushAsync(string txn) => Pusher.PushAsync(Source.Sign(Stream.Audience, txn));

    public CpuSnapshot Cpu()
    {
        Server.ThrowIfExited();
        return ProcessProbe.Cpu(Server.ProcessId);
    }

    public async ValueTask DisposeAsync()
    {
        Pusher.Dispose();
        await Source.DisposeAsync();
        Ssf.Dispose();
        await Memory.DisposeAsync();
        await Server.DisposeAsync();
    }
}

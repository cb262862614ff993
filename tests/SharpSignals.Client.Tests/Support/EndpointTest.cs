namespace SharpSignals.Client.Tests.Support;

/// <summary>A test class with its own <see cref="RecordingEndpoint"/> and an HttpClient, both fresh for each test.</summary>
public abstract class EndpointTest : IAsyncLifetime
{
    internal RecordingEndpoint Endpoint { get; private set; } = null!;

    protected HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Endpoint = await RecordingEndpoint.StartAsync();
        Http = new HttpClient();
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Endpoint.DisposeAsync();
    }
}

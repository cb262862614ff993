namespace SharpSignals.Receiver.TestHost;

/// <summary>
/// A receiving application for the restart-safety test, run as a child process so that the test
/// can kill it with SIGKILL: every SET is journaled when its handler starts and when it ends, and
/// handlers wait while the file named by <c>--BlockFile</c> exists.
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddSharedSignalsReceiver().AddHandler<JournalingHandler>();
        var app = builder.Build();
        app.MapSharedSignalsReceiver("/ssf/events");
        app.Run();
    }
}

using System.CommandLine;
using System.Net.Sockets;
using System.Text.Json;

namespace SharpSignals.Cli.Shell;

/// <summary>
/// One build of the command tree over an environment: the options every command inherits, and the
/// wrapper that runs a command's action and turns every failure into one line and an exit code.
/// </summary>
internal sealed class CliApp(CliEnvironment environment)
{
    public CliEnvironment Environment { get; } = environment;

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Write JSON for scripts instead of tables and messages.",
        Recursive = true,
    };

    public Option<string?> Server { get; } = new("--server", "-s")
    {
        Description = "The server profile to use instead of the selected one (see `ssf server use`).",
        Recursive = true,
    };

    /// <summary>Sets a command's action, run inside <see cref="RunAsync"/>.</summary>
    public void SetAction(Command command, Func<CommandContext, Task> action) =>
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult, action, cancellationToken));

    private async Task<int> RunAsync(ParseResult parseResult, Func<CommandContext, Task> action, CancellationToken cancellationToken)
    {
        using var context = new CommandContext(this, parseResult, cancellationToken);
        try
        {
            await action(context);
            return context.ExitCode;
        }
        catch (CliException ex)
        {
            return Fail(ex.Message, ex.ExitCode);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Fail("cancelled", ExitCodes.Cancelled);
        }
        catch (HttpRequestException ex)
        {
            return Fail($"cannot reach {context.ServerUrlForErrors}: {Reason(ex)}", ExitCodes.Unreachable);
        }
        catch (TaskCanceledException)
        {
            return Fail($"{context.ServerUrlForErrors} did not answer within {Environment.RequestTimeout.TotalSeconds:0} s", ExitCodes.Unreachable);
        }
        catch (JsonException ex)
        {
            return Fail($"the answer is not the JSON expected: {ex.Message}", ExitCodes.Failure);
        }
        catch (IOException ex)
        {
            return Fail(ex.Message, ExitCodes.Failure);
        }
        catch (UnauthorizedAccessException ex)
        {
            return Fail(ex.Message, ExitCodes.Failure);
        }
    }

    private int Fail(string message, int exitCode)
    {
        Environment.Error.WriteLine("error: " + OneLine(message));
        return exitCode;
    }

    /// <summary>The innermost reason, which names the refused address (socket errors say "Connection refused").</summary>
    private static string Reason(HttpRequestException ex) => ex.InnerException switch
    {
        SocketException socket => socket.Message,
        { } inner => inner.Message,
        _ => ex.Message,
    };

    public static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}

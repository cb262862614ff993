using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpSignals.Cli.Http;
using SharpSignals.Cli.Servers;
using Spectre.Console;

namespace SharpSignals.Cli.Shell;

/// <summary>One command's run: its parsed arguments, output and (on first use) its server client.</summary>
internal sealed class CommandContext(CliApp app, ParseResult parseResult, CancellationToken cancellationToken) : IDisposable
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private SsfApi? _api;

    public ParseResult ParseResult { get; } = parseResult;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    public CliEnvironment Environment => app.Environment;

    public bool Json => ParseResult.GetValue(app.Json);

    public string? ServerName => ParseResult.GetValue(app.Server);

    public ProfileStore Profiles { get; } = new(app.Environment.ConfigDirectory, app.Environment.Error);

    /// <summary>The exit code when the action returns normally.</summary>
    public int ExitCode { get; set; } = ExitCodes.Success;

    /// <summary>The selected server's URL, for messages about reaching it.</summary>
    public string ServerUrlForErrors => _api?.Profile.BaseUrl.ToString().TrimEnd('/') ?? "the server";

    /// <summary>The client for the selected (or <c>--server</c>) profile.</summary>
    public SsfApi Api => _api ??= new SsfApi(Profiles.Resolve(ServerName), Profiles, Environment);

    /// <summary>A client for a URL not (yet) saved as a profile.</summary>
    public SsfApi ApiFor(ServerProfile profile)
    {
        _api?.Dispose();
        _api = new SsfApi(profile, Profiles, Environment);
        return _api;
    }

    public T? Get<T>(Option<T> option) => ParseResult.GetValue(option);

    public T? Get<T>(Argument<T> argument) => ParseResult.GetValue(argument);

    public void WriteJson(JsonNode? node) => Environment.Out.WriteLine(node?.ToJsonString(Indented) ?? "null");

    /// <summary>A plain line (never wrapped, never markup).</summary>
    public void Line(string text) => Environment.Out.WriteLine(text);

    /// <summary>A line saying what was done, green where the terminal has colours.</summary>
    public void Done(string text)
    {
        Environment.Out.Flush();
        Environment.Console.MarkupLine("[green]" + Markup.Escape(text) + "[/]");
    }

    public void Warn(string text) => Environment.Error.WriteLine("warning: " + text);

    public void Write(Table table)
    {
        Environment.Out.Flush();
        Environment.Console.Write(table);
    }

    public void Dispose() => _api?.Dispose();
}

using System.CommandLine;
using SharpSignals.Cli.Shell;

namespace SharpSignals.Cli.Registration;

/// <summary><c>ssf iat create</c>: initial access tokens, with which receivers register (RFC 7591).</summary>
internal static class IatCommands
{
    public static Command Create(CliApp app)
    {
        var project = new Option<string>("--project", "-p") { Description = "The project every client registered with the token joins.", DefaultValueFactory = _ => "default" };
        var expires = new Option<string>("--expires") { Description = "How long the token can be used: 90s, 30m, 24h, 7d.", DefaultValueFactory = _ => "24h" };
        var singleUse = new Option<bool>("--single-use") { Description = "The token registers one client, then is spent." };
        var create = new Command("create", "Create an initial access token (admin). The token alone goes to standard output, so it can be captured.")
        {
            project, expires, singleUse,
        };
        app.SetAction(create, async context =>
        {
            var lifetime = Durations.Parse(context.Get(expires)!, "--expires");
            var answer = await context.Api.CreateIatAsync(context.Get(project)!, (long)lifetime.TotalSeconds, context.Get(singleUse), context.CancellationToken);
            if (context.Json)
            {
                context.WriteJson(answer);
                return;
            }

            context.Line(answer.Str("token") ?? "");
            var uses = answer.Bool("single_use") == true ? "single-use " : "";
            context.Environment.Error.WriteLine($"{uses}initial access token for project '{answer.Str("project")}', valid until {JsonRead.Time(answer.Long("expires_at"))}");
        });

        var iat = new Command("iat", "Initial access tokens for client registration.") { create };
        return iat.WithExamples("ssf iat create --project demo --expires 24h", "IAT=$(ssf iat create --project demo)", "ssf iat create --project demo --single-use");
    }
}

using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using SharpSignals.Cli.Shell;
using Spectre.Console;

namespace SharpSignals.Cli.Events;

/// <summary><c>ssf event generate</c>: many valid events of one type, for demos and load, at a set rate.</summary>
internal static class GenerateCommand
{
    public static Command Create(CliApp app)
    {
        var type = new Option<string>("--type", "-t") { Description = "The event type (catalog name or URI).", DefaultValueFactory = _ => "session-revoked" };
        var count = new Option<int>("--count", "-n") { Description = "How many events.", DefaultValueFactory = _ => 10 };
        var rate = new Option<double>("--rate", "-r") { Description = "Events per second; 0 sends as fast as the server takes them.", DefaultValueFactory = _ => 0 };
        var subject = new Option<string?>("--subject") { Description = "One subject for every event (default: user<N>@example.com, or /Users/<N> for SCIM events)." };
        var fields = EventCommands.FieldsOption();
        var project = EventCommands.ProjectOption();
        var command = new Command("generate", "Publish generated events with a progress bar; each is a valid event of its type.")
        {
            type, count, rate, subject, fields, project,
        };
        app.SetAction(command, async context =>
        {
            var total = context.Get(count);
            var perSecond = context.Get(rate);
            if (total <= 0)
            {
                throw CliException.Usage("--count must be positive");
            }

            if (perSecond < 0)
            {
                throw CliException.Usage("--rate must be 0 (no limit) or positive");
            }

            var uri = EventNames.Resolve(context.Get(type)!);
            var fixedSubject = context.Get(subject) is { } s ? SubjectInput.Parse(s) : null;
            var payload = EventBuilder.Payload(null, context.Get(fields), EventSamples.Payload(uri));

            // Every event is built and checked before the first is sent, so a bad --field stops the run at once.
            var bodies = Enumerable.Range(1, total)
                .Select(i => EventBuilder.Build(uri, payload, fixedSubject ?? EventSamples.Subject(uri, i), null, null))
                .ToList();
            var jtis = new List<string>(total);
            var clock = Stopwatch.StartNew();

            async Task SendAllAsync(Action? tick)
            {
                var time = context.Environment.Time;
                var start = time.GetTimestamp();
                for (var i = 0; i < bodies.Count; i++)
                {
                    if (perSecond > 0)
                    {
                        var due = TimeSpan.FromSeconds(i / perSecond) - time.GetElapsedTime(start);
                        if (due > TimeSpan.Zero)
                        {
                            await Task.Delay(due, time, context.CancellationToken);
                        }
                    }

                    var answer = await context.Api.PublishAsync(bodies[i], context.Get(project), context.CancellationToken);
                    jtis.Add(answer.Str("jti") ?? "");
                    tick?.Invoke();
                }
            }

            if (context.Json)
            {
                await SendAllAsync(null);
            }
            else
            {
                await context.Environment.Console.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                    .StartAsync(async progress =>
                    {
                        var task = progress.AddTask($"publishing {EventNames.Short(uri)}", maxValue: total);
                        await SendAllAsync(() => task.Increment(1));
                    });
            }

            var seconds = Math.Max(clock.Elapsed.TotalSeconds, 0.001);
            if (context.Json)
            {
                context.WriteJson(new JsonObject
                {
                    ["type"] = uri,
                    ["count"] = jtis.Count,
                    ["seconds"] = Math.Round(seconds, 3),
                    ["jtis"] = new JsonArray([.. jtis.Select(j => (JsonNode?)j)]),
                });
            }
            else
            {
                context.Done($"Published {jtis.Count} {EventNames.Short(uri)} events in {seconds.ToString("0.0", CultureInfo.InvariantCulture)} s ({(jtis.Count / seconds).ToString("0.0", CultureInfo.InvariantCulture)}/s).");
            }
        });
        return command.WithExamples(
            "ssf event generate --count 5",
            "ssf event generate --type credential-change --count 1000 --rate 50",
            "ssf event generate --type prov:create:full --count 20 --project demo");
    }
}

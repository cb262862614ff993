using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace SharpSignals.Server.Configuration;

/// <summary>
/// A server that cannot start says why in one line on standard error, naming the setting or path
/// and what is allowed, and exits with code 1: no stack trace (it is logged at debug level), and
/// not the host's own report of the failure, which repeats it with every inner exception's trace.
/// </summary>
internal static partial class StartFailures
{
    public const int ExitCode = 1;

    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    private static volatile bool _started;

    public static void Started() => _started = true;

    /// <summary>
    /// Whether <paramref name="failure"/> stopped the start of the server as its own process. In the
    /// integration tests' host factory (another entry assembly) it goes to the test as it is;
    /// HostAbortedException is that factory taking the built host over.
    /// </summary>
    public static bool IsStartFailure(Exception failure) =>
        failure is not HostAbortedException && !_started && Assembly.GetEntryAssembly() == typeof(StartFailures).Assembly;

    /// <summary>
    /// Leaves out the host's errors until the server has started (its report of a failed start, and
    /// of the background services it then stops): <see cref="Report"/> says it once. Warnings and
    /// what comes after the start are kept.
    /// </summary>
    public static ILoggingBuilder HideHostStartFailure(this ILoggingBuilder logging) =>
        logging.AddFilter(HostCategory, level => level >= LogLevel.Information && (_started || level < LogLevel.Error));

    /// <summary>Writes the one line for <paramref name="failure"/> and returns the exit code.</summary>
    public static int Report(Exception failure, ILogger? logger)
    {
        if (logger is not null)
        {
            LogTrace(logger, failure);
        }

        Console.Error.WriteLine("SharpSignals did not start: " + Describe(failure));
        return ExitCode;
    }

    /// <summary>The operator's part of <paramref name="failure"/>: every reason it holds, on one line.</summary>
    public static string Describe(Exception failure) => string.Join(" ", Reasons(failure).Distinct());

    private static IEnumerable<string> Reasons(Exception failure)
    {
        switch (failure)
        {
            case AggregateException aggregate:
                return aggregate.InnerExceptions.SelectMany(Reasons);
            case StartFailureException:
                return [failure.Message];
            case OptionsValidationException validation:
                return validation.Failures.Select(f => Rewrite(validation.OptionsType, f));
            case IOException { InnerException: AddressInUseException }:
                // Kestrel: "Failed to bind to address http://127.0.0.1:5000: address already in use."
                return [$"{failure.Message} Stop what listens there, or choose another address with --urls (or ASPNETCORE_URLS)."];
            case InvalidOperationException when ConversionFailure().Match(failure.Message) is { Success: true } conversion:
                return [$"{conversion.Groups["path"].Value} '{conversion.Groups["value"].Value}' is not {Kind(conversion.Groups["type"].Value)}."];
            case InvalidOperationException or IOException or UnauthorizedAccessException or FormatException:
                return [FirstLine(failure.Message)];
            default:
                return [$"{failure.GetType().Name}: {FirstLine(failure.Message)} (the trace is logged at debug level: --Logging:LogLevel:Default=Debug)."];
        }
    }

    /// <summary>A data-annotations failure in the words of the setting: <c>SharpSignals:Push:Lanes: The field Lanes must be between 1 and 32.</c></summary>
    private static string Rewrite(Type options, string failure)
    {
        var match = AnnotationFailure().Match(failure);
        if (!match.Success)
        {
            return failure;
        }

        var section = KnownSettings.SectionOf(options) ?? options.Name;
        var members = match.Groups["members"].Value.Split(", ");
        return $"{string.Join(", ", members.Select(m => section + ":" + m))}: {match.Groups["error"].Value}";
    }

    private static string Kind(string type) => type switch
    {
        "System.Int32" or "System.Int64" or "System.Int16" or "System.UInt32" or "System.UInt64" => "a whole number",
        "System.Double" or "System.Single" or "System.Decimal" => "a number",
        "System.Boolean" => "true or false",
        "System.TimeSpan" => "a time span (such as 00:05:00)",
        _ => "a value of type " + type,
    };

    private static string FirstLine(string message) => message.Split('\n', 2)[0].TrimEnd();

    [GeneratedRegex(@"^Failed to convert configuration value '(?<value>.*)' at '(?<path>[^']*)' to type '(?<type>[^']*)'\.$", RegexOptions.Singleline)]
    private static partial Regex ConversionFailure();

    [GeneratedRegex(@"^DataAnnotation validation failed for '[^']*' members: '(?<members>[^']*)' with the error: '(?<error>.*)'\.$", RegexOptions.Singleline)]
    private static partial Regex AnnotationFailure();

    [LoggerMessage(Level = LogLevel.Debug, Message = "The start failed")]
    private static partial void LogTrace(ILogger logger, Exception exception);
}

using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SharpSignals.Receiver.Configuration;
using SharpSignals.Receiver.SecurityState;

namespace SharpSignals.Receiver.State;

/// <summary>
/// The default state store: three files in <c>StateDirectory</c> (mode 0600 in a 0700 directory).
/// <c>streams.json</c> is replaced whole (written beside it, forced to disk, renamed); handled
/// <c>jti</c> values and subject states are appended as JSON lines, the last line of a subject
/// winning, and compacted when the application starts. Handled <c>jti</c> values are written through
/// to the operating system but not forced to disk: they survive a crash of the application, and only
/// a crash of the machine can make a SET sent again be handled again (at least once; handlers are
/// idempotent), while one fsync per SET would bound push receipt by the disk.
/// </summary>
internal sealed class FileReceiverStateStore : IReceiverStateStore, IAsyncDisposable
{
    private const string StreamsFile = "streams.json";
    private const string HandledFile = "handled-jtis.log";
    private const string SubjectsFile = "subject-states.log";

    private readonly string _directory;
    private readonly bool _syncWrites;
    private readonly SemaphoreSlim _streamsLock = new(1, 1);
    private readonly Lock _logsLock = new();
    private AppendLog? _handled;
    private AppendLog? _subjects;

    public FileReceiverStateStore(IOptions<SharedSignalsReceiverOptions> options, IHostEnvironment environment)
    {
        _directory = Path.GetFullPath(options.Value.StateDirectory, environment.ContentRootPath);
        _syncWrites = options.Value.SyncWrites;
    }

    public string Directory => _directory;

    public async ValueTask<ReceiverStreamRecord?> GetStreamAsync(string issuer, CancellationToken cancellationToken)
    {
        var streams = await ReadStreamsAsync(cancellationToken);
        return streams.GetValueOrDefault(issuer);
    }

    public async ValueTask SaveStreamAsync(ReceiverStreamRecord stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        await _streamsLock.WaitAsync(cancellationToken);
        try
        {
            var streams = await ReadStreamsAsync(cancellationToken);
            streams[stream.Issuer] = stream;
            FileStores.CreatePrivateDirectory(_directory);
            AppendLog.Rewrite(Path.Combine(_directory, StreamsFile), [JsonSerializer.Serialize(streams, ReceiverJsonContext.Default.DictionaryStringReceiverStreamRecord)]);
        }
        finally
        {
            _streamsLock.Release();
        }
    }

    public ValueTask<IReadOnlyList<string>> GetHandledJtisAsync(string issuer, int limit, CancellationToken cancellationToken)
    {
        var path = Path.Combine(_directory, HandledFile);
        var entries = new List<string[]>();
        foreach (var line in AppendLog.ReadLines(path))
        {
            if (JsonSerializer.Deserialize(line, ReceiverJsonContext.Default.StringArray) is [_, _] entry)
            {
                entries.Add(entry);
            }
        }

        lock (_logsLock)
        {
            // Compaction only before the log is opened for appending: a rename under an open file would lose its writes.
            if (_handled is null && entries.Count > 2 * limit)
            {
                entries = entries[^limit..];
                AppendLog.Rewrite(path, entries.Select(e => JsonSerializer.Serialize(e, ReceiverJsonContext.Default.StringArray)));
            }
        }

        IReadOnlyList<string> jtis = entries.Where(e => e[0] == issuer).Select(e => e[1]).TakeLast(limit).ToList();
        return ValueTask.FromResult(jtis);
    }

    public async ValueTask AddHandledJtiAsync(string issuer, string jti, CancellationToken cancellationToken) =>
        await Log(ref _handled, HandledFile, syncWrites: false).AppendAsync(JsonSerializer.Serialize([issuer, jti], ReceiverJsonContext.Default.StringArray), cancellationToken);

    public ValueTask<IReadOnlyList<SubjectSecurityState>> GetSubjectStatesAsync(CancellationToken cancellationToken)
    {
        var path = Path.Combine(_directory, SubjectsFile);
        var lines = AppendLog.ReadLines(path);
        var states = new Dictionary<string, SubjectSecurityState>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            if (JsonSerializer.Deserialize(line, ReceiverJsonContext.Default.SubjectSecurityState) is { } state)
            {
                states[state.Subject] = state;
            }
        }

        lock (_logsLock)
        {
            if (_subjects is null && lines.Count > 2 * states.Count + 100)
            {
                AppendLog.Rewrite(path, states.Values.Select(s => JsonSerializer.Serialize(s, ReceiverJsonContext.Default.SubjectSecurityState)));
            }
        }

        return ValueTask.FromResult<IReadOnlyList<SubjectSecurityState>>([.. states.Values]);
    }

    public async ValueTask SaveSubjectStateAsync(SubjectSecurityState state, CancellationToken cancellationToken) =>
        await Log(ref _subjects, SubjectsFile, _syncWrites).AppendAsync(JsonSerializer.Serialize(state, ReceiverJsonContext.Default.SubjectSecurityState), cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_handled is not null)
        {
            await _handled.DisposeAsync();
        }

        if (_subjects is not null)
        {
            await _subjects.DisposeAsync();
        }

        _streamsLock.Dispose();
    }

    private AppendLog Log(ref AppendLog? log, string file, bool syncWrites)
    {
        lock (_logsLock)
        {
            if (log is null)
            {
                FileStores.CreatePrivateDirectory(_directory);
                log = new AppendLog(Path.Combine(_directory, file), syncWrites);
            }

            return log;
        }
    }

    private async Task<Dictionary<string, ReceiverStreamRecord>> ReadStreamsAsync(CancellationToken cancellationToken)
    {
        var path = Path.Combine(_directory, StreamsFile);
        if (!File.Exists(path))
        {
            return new Dictionary<string, ReceiverStreamRecord>(StringComparer.Ordinal);
        }

        await using var stream = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync(stream, ReceiverJsonContext.Default.DictionaryStringReceiverStreamRecord, cancellationToken)
            ?? new Dictionary<string, ReceiverStreamRecord>(StringComparer.Ordinal);
    }
}

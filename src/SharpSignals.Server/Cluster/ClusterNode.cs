using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using SharpSignals.Server.Configuration;

namespace SharpSignals.Server.Cluster;

/// <summary>
/// This node's identity among the nodes of a cluster: <c>SharpSignals:Cluster:NodeId</c>, or a name
/// generated at first start and kept in the data directory, so that a restarted node takes back its
/// own push leases at once instead of waiting for them to lapse.
/// </summary>
internal sealed class ClusterNode
{
    public const string FileName = "node-id";

    public ClusterNode(IOptions<ClusterOptions> options, DataDirectory directory)
    {
        if (options.Value.NodeId is { } configured)
        {
            Id = configured;
            return;
        }

        var path = directory.File(FileName);
        if (File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } kept)
        {
            Id = kept;
            return;
        }

        // The host's name for the operator's eyes, a random part so that two nodes never share one.
        var host = new string(Environment.MachineName.ToLowerInvariant().Where(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-').Take(40).ToArray());
        Id = $"{host}-{Guid.NewGuid().ToString("N")[..12]}";
        directory.WriteSecret(FileName, Id);
    }

    private readonly ConcurrentDictionary<string, StrongBox<int>> _leases = new(StringComparer.Ordinal);

    public string Id { get; }

    /// <summary>How many stream leases this node holds now, per kind of work ("push", "poll"), for the lease gauge.</summary>
    public IEnumerable<(string Work, int Held)> Leases => _leases.Select(l => (l.Key, Volatile.Read(ref l.Value.Value)));

    /// <summary>A lease for <paramref name="work"/> was taken (+1) or given back or lost (-1).</summary>
    public void CountLease(string work, int change) =>
        Interlocked.Add(ref _leases.GetOrAdd(work, _ => new StrongBox<int>()).Value, change);
}

using System.Collections.Frozen;
using SharpSignals.Server.Cluster;
using SharpSignals.Storage.Tenants;

namespace SharpSignals.Server.Tenancy;

/// <summary>
/// The live tenants, read from the store at start and again when a node creates or deletes one (a cluster
/// notice), or when a request names a tenant this node has not heard of yet. Features above keep state
/// per tenant (the signing keys); they register with <see cref="OnChanged"/> and are awaited before a new
/// tenant serves its first request.
/// </summary>
internal sealed partial class TenantRegistry(ITenantStore store, ClusterBus cluster, TimeProvider time, ILogger<TenantRegistry> logger) : IHostedService, IDisposable
{
    private const string NoticeKind = "tenants";
    private static readonly TimeSpan MissRefreshInterval = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _refresh = new(1, 1);
    private readonly List<Func<IReadOnlyCollection<string>, CancellationToken, Task>> _listeners = [];
    private volatile FrozenDictionary<string, TenantRecord> _live = FrozenDictionary<string, TenantRecord>.Empty;
    private IReadOnlyList<TenantRecord> _all = [];
    private DateTimeOffset _refreshedAt = DateTimeOffset.MinValue;

    /// <summary>Every live tenant, oldest first (the default tenant is not among them).</summary>
    public IReadOnlyList<TenantRecord> Live => [.. _all.Where(t => t.DeletedAt is null)];

    /// <summary>
    /// Registers what a feature does when the set of live tenants changes: it gets the live names and loads or
    /// drops what it keeps per tenant. Called at start and after every change, before the change is served.
    /// </summary>
    public void OnChanged(Func<IReadOnlyCollection<string>, CancellationToken, Task> listener) => _listeners.Add(listener);

    /// <summary>Whether the tenant is live; the default tenant always is.</summary>
    public bool IsLive(string tenant) => tenant.Length == 0 || _live.ContainsKey(tenant);

    /// <summary>
    /// Whether the tenant is live, looking at the store again when this node has not heard of it (another node
    /// may have just created it); at most once a second, so unknown names cannot load the store.
    /// </summary>
    public async ValueTask<bool> IsLiveAsync(string tenant, CancellationToken cancellationToken)
    {
        if (IsLive(tenant))
        {
            return true;
        }

        if (time.GetUtcNow() - _refreshedAt < MissRefreshInterval)
        {
            return false;
        }

        await RefreshAsync(cancellationToken);
        return IsLive(tenant);
    }

    /// <summary>A live tenant other than the default one, or null.</summary>
    public TenantRecord? Find(string tenant) => _live.GetValueOrDefault(tenant);

    /// <summary>Creates a tenant; its admin token was made by the caller, and only the hash is kept.</summary>
    /// <returns>The tenant, or null when the name is or was taken.</returns>
    public async Task<TenantRecord?> CreateAsync(string name, string adminTokenHash, CancellationToken cancellationToken)
    {
        var record = new TenantRecord(name, adminTokenHash, time.GetUtcNow());
        if (!await store.CreateTenantAsync(record, cancellationToken))
        {
            return null;
        }

        await ChangedAsync(cancellationToken);
        LogCreated(logger, name);
        return record;
    }

    /// <summary>Replaces a tenant's admin token hash; the old token stops working on every node at the notice.</summary>
    /// <returns>False when there is no such live tenant.</returns>
    public async Task<bool> ReplaceAdminTokenAsync(string name, string adminTokenHash, CancellationToken cancellationToken)
    {
        if (!await store.SetTenantAdminTokenHashAsync(name, adminTokenHash, cancellationToken))
        {
            return false;
        }

        await ChangedAsync(cancellationToken);
        return true;
    }

    /// <summary>Deletes a tenant (<see cref="ITenantStore.DeleteTenantAsync"/>).</summary>
    /// <returns>False when there is no such live tenant.</returns>
    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        if (!await store.DeleteTenantAsync(name, time.GetUtcNow(), cancellationToken))
        {
            return false;
        }

        await ChangedAsync(cancellationToken);
        LogDeleted(logger, name);
        return true;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        cluster.On(NoticeKind, notice => { _ = RefreshQuietlyAsync(); });
        await RefreshAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _refresh.Dispose();

    /// <summary>Reads the tenants again and tells the listeners.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await _refresh.WaitAsync(cancellationToken);
        try
        {
            await ReadAsync(cancellationToken);
            foreach (var listener in _listeners)
            {
                await listener(_live.Keys, cancellationToken);
            }
        }
        finally
        {
            _refresh.Release();
        }
    }

    private async Task ChangedAsync(CancellationToken cancellationToken)
    {
        await RefreshAsync(cancellationToken);
        await cluster.SendAsync(NoticeKind, "", cancellationToken);
    }

    private async Task ReadAsync(CancellationToken cancellationToken)
    {
        var all = await store.ListTenantsAsync(cancellationToken);
        _all = all;
        _live = all.Where(t => t.DeletedAt is null).ToFrozenDictionary(t => t.Name, StringComparer.Ordinal);
        _refreshedAt = time.GetUtcNow();
    }

    private async Task RefreshQuietlyAsync()
    {
        try
        {
            await RefreshAsync(CancellationToken.None);
        }
        catch (Exception ex)
        {
            LogRefreshFailed(logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created tenant {Tenant}")]
    private static partial void LogCreated(ILogger logger, string tenant);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted tenant {Tenant}: its streams are disabled and its clients revoked")]
    private static partial void LogDeleted(ILogger logger, string tenant);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the tenants again after another node changed them; the next notice or request tries again")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}

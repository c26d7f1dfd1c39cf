using System.Data.Common;
using OpenCode.Runtime.Audit;

namespace OpenCode.Runtime.Tests.Audit;

/// <summary>
/// What every <see cref="IAuditLog"/> must do, run against each profile's store: appends that are durable and
/// cannot be changed (the database itself refuses), and queries of one tenant, newest first, filtered and paged.
/// </summary>
public abstract class AuditLogContractTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly List<IAuditLog> _opened = [];

    /// <summary>The log opened for the current test.</summary>
    protected IAuditLog Log { get; private set; } = null!;

    /// <summary>Opens a log over the same backing store as every other log of this test: what a restart would open.</summary>
    protected abstract Task<IAuditLog> OpenLogAsync();

    protected abstract Task CloseLogAsync(IAuditLog log);

    protected abstract Task DeleteBackingStoreAsync();

    /// <summary>Runs <paramref name="sql"/> on the store with a connection of its own; <c>{table}</c> is the log's table.</summary>
    protected abstract Task ExecuteDirectlyAsync(string sql);

    public async Task InitializeAsync() => Log = await OpenTrackedAsync();

    public async Task DisposeAsync()
    {
        foreach (var log in _opened)
        {
            await CloseLogAsync(log);
        }

        await DeleteBackingStoreAsync();
    }

    [Fact]
    public async Task An_append_returns_the_record_as_stored_with_a_growing_id_and_the_time_in_microseconds()
    {
        var tenant = NewTenant();
        var at = T0.AddTicks(1234567).ToOffset(TimeSpan.FromHours(2));

        var first = await Log.AppendAsync(Entry(tenant, at, detail: """{"version":1}""", conversationId: "conv-1", durationMs: 42));
        var second = await Log.AppendAsync(Entry(tenant, at));

        Assert.True(first.Id > 0);
        Assert.True(second.Id > first.Id);
        Assert.Equal(T0.AddTicks(1234560), first.At);
        var read = (await Log.QueryAsync(new AuditQuery { Tenant = tenant })).Entries;
        Assert.Equal([second, first], read);
        Assert.Equal("conv-1", read[1].ConversationId);
        Assert.Equal(42, read[1].DurationMs);
        Assert.Equal("""{"version":1}""", read[1].Detail);
        Assert.Null(read[0].ConversationId);
        Assert.Null(read[0].DurationMs);
        Assert.Null(read[0].Detail);
    }

    [Fact]
    public async Task A_query_reads_one_tenant_newest_first_whatever_the_order_of_appends()
    {
        var tenant = NewTenant();
        await Log.AppendAsync(Entry(tenant, T0.AddMinutes(2), resourceId: "b"));
        await Log.AppendAsync(Entry(tenant, T0, resourceId: "a"));
        await Log.AppendAsync(Entry(tenant, T0.AddMinutes(5), resourceId: "c"));
        await Log.AppendAsync(Entry(NewTenant(), T0.AddMinutes(3), resourceId: "other tenant"));

        var page = await Log.QueryAsync(new AuditQuery { Tenant = tenant });

        Assert.Equal(["c", "b", "a"], page.Entries.Select(e => e.ResourceId));
        Assert.Null(page.Next);
    }

    [Fact]
    public async Task From_is_inclusive_to_is_exclusive_and_actor_and_action_filter()
    {
        var tenant = NewTenant();
        await Log.AppendAsync(Entry(tenant, T0, actor: "alice", action: AuditActions.AgentCreated, resourceId: "1"));
        await Log.AppendAsync(Entry(tenant, T0.AddHours(1), actor: "bob", action: AuditActions.AgentCreated, resourceId: "2"));
        await Log.AppendAsync(Entry(tenant, T0.AddHours(2), actor: "alice", action: AuditActions.AgentDeleted, resourceId: "3"));
        await Log.AppendAsync(Entry(tenant, T0.AddHours(3), actor: "alice", action: AuditActions.ToolCalled, resourceId: "4"));

        Assert.Equal(["3", "2"], await IdsAsync(new AuditQuery { Tenant = tenant, From = T0.AddHours(1), To = T0.AddHours(3) }));
        Assert.Equal(["4", "3", "1"], await IdsAsync(new AuditQuery { Tenant = tenant, Actor = "alice" }));
        Assert.Equal(["2", "1"], await IdsAsync(new AuditQuery { Tenant = tenant, Action = AuditActions.AgentCreated }));
        Assert.Equal(["3"], await IdsAsync(new AuditQuery { Tenant = tenant, Actor = "alice", Action = AuditActions.AgentDeleted, From = T0 }));
        Assert.Empty(await IdsAsync(new AuditQuery { Tenant = tenant, Actor = "mallory" }));
    }

    [Fact]
    public async Task Pages_of_a_limit_follow_each_other_by_cursor_and_cover_every_record_once()
    {
        var tenant = NewTenant();
        // Records sharing a time are ordered by id: a page may end between them.
        var appended = new List<AuditEntry>();
        for (var i = 0; i < 7; i++)
        {
            appended.Add(await Log.AppendAsync(Entry(tenant, T0.AddSeconds(i / 2), resourceId: i.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        }

        var read = new List<AuditEntry>();
        var query = new AuditQuery { Tenant = tenant, Limit = 3 };
        var pages = 0;
        while (true)
        {
            var page = await Log.QueryAsync(query);
            pages++;
            read.AddRange(page.Entries);
            if (page.Next is not { } next)
            {
                break;
            }

            Assert.Equal(3, page.Entries.Count);
            Assert.True(AuditCursor.TryParse(next.ToString(), out var parsed));
            query = query with { After = parsed };
        }

        Assert.Equal(3, pages);
        Assert.Equal(appended.AsEnumerable().Reverse(), read);
    }

    [Fact]
    public async Task Records_outlive_the_log_that_appended_them()
    {
        var tenant = NewTenant();
        var appended = await Log.AppendAsync(Entry(tenant, T0));
        await CloseLogAsync(Log);

        var reopened = await OpenTrackedAsync();

        Assert.Equal([appended], (await reopened.QueryAsync(new AuditQuery { Tenant = tenant })).Entries);
    }

    [Fact]
    public async Task The_database_refuses_to_update_or_delete_a_record()
    {
        var tenant = NewTenant();
        var appended = await Log.AppendAsync(Entry(tenant, T0, actor: "alice"));

        await Assert.ThrowsAnyAsync<DbException>(() => ExecuteDirectlyAsync("UPDATE {table} SET actor = 'mallory'"));
        await Assert.ThrowsAnyAsync<DbException>(() => ExecuteDirectlyAsync("DELETE FROM {table}"));

        Assert.Equal([appended], (await Log.QueryAsync(new AuditQuery { Tenant = tenant })).Entries);
    }

    [Fact]
    public async Task A_record_without_its_required_fields_is_refused_before_it_reaches_the_store()
    {
        var tenant = NewTenant();

        await Assert.ThrowsAnyAsync<ArgumentException>(() => Log.AppendAsync(Entry(tenant, T0) with { Actor = "" }));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Log.AppendAsync(Entry(tenant, T0) with { Outcome = null! }));

        Assert.Empty((await Log.QueryAsync(new AuditQuery { Tenant = tenant })).Entries);
    }

    protected static string NewTenant() => "tenant-" + Guid.NewGuid().ToString("N")[..8];

    protected static AuditEntry Entry(
        string tenant,
        DateTimeOffset at,
        string actor = "alice",
        string action = AuditActions.AgentCreated,
        string resourceId = "agent-1",
        string? conversationId = null,
        long? durationMs = null,
        string? detail = null) => new()
        {
            At = at,
            Tenant = tenant,
            Actor = actor,
            Action = action,
            ResourceType = AuditResourceTypes.Agent,
            ResourceId = resourceId,
            ConversationId = conversationId,
            Outcome = AuditOutcomes.Succeeded,
            DurationMs = durationMs,
            Detail = detail,
        };

    private async Task<List<string>> IdsAsync(AuditQuery query) => [.. (await Log.QueryAsync(query)).Entries.Select(e => e.ResourceId)];

    private async Task<IAuditLog> OpenTrackedAsync()
    {
        var log = await OpenLogAsync();
        _opened.Add(log);
        return log;
    }
}

using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenCode.Runtime.Models;

namespace OpenCode.Runtime.Tests.Models;

/// <summary>A service provider with <see cref="ModelProviderServiceCollectionExtensions.AddModelProviders"/> over in-memory configuration.</summary>
internal sealed class ModelTestHost : IDisposable
{
    private readonly ServiceProvider _services;

    public ModelTestHost(params (string Key, string? Value)[] settings)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            // Fail fast in tests: no SDK retries unless a test asks for them.
            ["Models:MaxRetries"] = "0",
        };
        foreach (var (key, value) in settings)
            values[key] = value;

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddModelProviders();
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        Factory = _services.GetRequiredService<ChatClientFactory>();
    }

    public ChatClientFactory Factory { get; }

    public IServiceProvider Services => _services;

    public IChatClient Get(string provider, string model, string? endpoint = null) => Factory.Get(new ModelEndpoint(provider, model, endpoint));

    public void Dispose() => _services.Dispose();

    public static async Task<(string Text, UsageDetails? Usage)> StreamAsync(IChatClient client, string prompt = "Hi")
    {
        var text = new System.Text.StringBuilder();
        UsageDetails? usage = null;
        await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, prompt)]))
        {
            text.Append(update.Text);
            foreach (var content in update.Contents.OfType<UsageContent>())
            {
                usage ??= new UsageDetails();
                usage.Add(content.Details);
            }
        }
        return (text.ToString(), usage);
    }

    public static Task<ChatResponse> AskAsync(IChatClient client, string prompt = "Hi") =>
        client.GetResponseAsync([new ChatMessage(ChatRole.User, prompt)]);
}

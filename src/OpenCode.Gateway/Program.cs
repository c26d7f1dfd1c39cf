using OpenCode.Gateway.Api;
using OpenCode.Gateway.Hosting;
using OpenCode.Gateway.Streaming;
using OpenCode.Runtime;

var builder = WebApplication.CreateBuilder(args);

builder.AddOpenCodeConfiguration();
builder.AddOpenCodePrivacy();
builder.UseOrleans(silo => silo.UseOpenCodeSilo(builder.Configuration));
builder.AddOpenCodeApi();
builder.AddOpenCodeStreaming();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseWebSockets();
app.MapOpenApi();
app.MapHealthApi();
app.MapAgentsApi();
app.MapConversationsApi();
app.MapConversationEventsApi();
app.MapWebSocketApi();
app.MapMcpServersApi();

app.Run();

/// <summary>Visible to tests that host the gateway in-process.</summary>
public partial class Program;

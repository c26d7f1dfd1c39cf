using OpenCode.Gateway.Api;
using OpenCode.Gateway.Hosting;
using OpenCode.Gateway.Limits;
using OpenCode.Gateway.Security;
using OpenCode.Gateway.Streaming;
using OpenCode.Runtime;

var builder = WebApplication.CreateBuilder(args);

builder.AddOpenCodeConfiguration();
builder.AddOpenCodePrivacy();
builder.UseOrleans(silo => silo.UseOpenCodeSilo(builder.Configuration));
builder.AddOpenCodeSecurity();
builder.AddOpenCodeApi();
builder.AddOpenCodeLimits();
builder.AddOpenCodeStreaming();
builder.AddOpenCodeTelemetry();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseWebSockets();
app.UseOpenCodeSecurity();
app.UseOpenCodeLimits();
app.MapOpenApi().AllowAnonymous();
app.MapHealthApi();
app.MapMetricsApi();
app.MapApiKeysApi();
app.MapAgentsApi();
app.MapConversationsApi();
app.MapConversationEventsApi();
app.MapWebSocketApi();
app.MapMcpServersApi();
app.MapAuditApi();

app.Run();

/// <summary>Visible to tests that host the gateway in-process.</summary>
public partial class Program;

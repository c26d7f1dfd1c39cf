using OpenCode.Abstractions;

namespace OpenCode.Gateway.Api.Models;

public sealed record ApiKeyListView(IReadOnlyList<ApiKeyInfo> Keys);

using System.Text.RegularExpressions;
using OpenCode.Abstractions;
using OpenCode.Runtime.Models;
using OpenCode.Runtime.Security;
using OpenCode.Runtime.Tools;

namespace OpenCode.Runtime.Agents;

/// <summary>
/// The rules an agent configuration must follow; each failure names its JSON field. Endpoints and commands the
/// <see cref="EndpointPolicy"/> refuses are reported apart: a configuration that is otherwise valid is refused with
/// <c>endpoint_not_allowed</c>.
/// </summary>
public sealed partial class AgentConfigValidator(OperatorMcpServers operatorServers, EndpointPolicy policy)
{
    private static readonly HashSet<string> Transports = ["stdio", "streamable-http", "sse", "websocket"];
    private static readonly HashSet<string> AuthTypes = ["bearer", "api_key", "oauth2"];

    private const int MaxPatternLength = 256;

    public static bool IsValidId(string id) => AgentIdPattern().IsMatch(id);

    public void ThrowIfInvalid(AgentConfig config)
    {
        var (errors, refusals) = Check(config);
        if (errors.Count > 0)
        {
            throw new ValidationFailedException([.. errors, .. refusals]);
        }

        if (refusals.Count > 0)
        {
            throw new ValidationFailedException(refusals, ErrorCodes.EndpointNotAllowed);
        }
    }

    /// <summary>Every broken rule and every refused endpoint or command.</summary>
    public List<FieldError> Validate(AgentConfig config)
    {
        var (errors, refusals) = Check(config);
        return [.. errors, .. refusals];
    }

    private (List<FieldError> Errors, List<FieldError> Refusals) Check(AgentConfig config)
    {
        var errors = new List<FieldError>();
        var refusals = new List<FieldError>();
        void Fail(string field, string message) => errors.Add(new FieldError(field, message));
        void Refuse(string field, string? refusal)
        {
            if (refusal is not null)
            {
                refusals.Add(new FieldError(field, refusal));
            }
        }

        if (config.Id is not null && !AgentIdPattern().IsMatch(config.Id))
        {
            Fail("id", "must be 1-128 characters of letters, digits, '.', '_' or '-', starting with a letter or digit");
        }

        if (string.IsNullOrWhiteSpace(config.Name))
        {
            Fail("name", "must not be empty");
        }
        else if (config.Name.Length > 200)
        {
            Fail("name", "must be at most 200 characters");
        }

        if (config.Model is null)
        {
            Fail("model", "is required");
        }
        else
        {
            ValidateModel(config.Model, "model", Fail, Refuse);
            for (var i = 0; i < (config.Model.Fallbacks?.Count ?? 0); i++)
            {
                var fallback = config.Model.Fallbacks![i];
                if (fallback is null)
                {
                    Fail($"model.fallbacks[{i}]", "must be an object");
                    continue;
                }

                ValidateModel(fallback, $"model.fallbacks[{i}]", Fail, Refuse);
                if (fallback.Fallbacks is { Count: > 0 })
                {
                    Fail($"model.fallbacks[{i}].fallbacks", "fallbacks cannot be nested");
                }
            }
        }

        ValidateServers(config.Mcp?.Servers, Fail, Refuse);
        ValidatePermissions(config.Permissions, Fail);
        ValidateLimits(config.Limits, Fail);

        if (config.BusyPolicy is not null && !BusyPolicies.All.Contains(config.BusyPolicy))
        {
            Fail("busyPolicy", "must be one of reject, enqueue, interrupt");
        }

        ValidateAccess(config.Access, Fail);
        return (errors, refusals);
    }

    private static void ValidateAccess(AgentAccess? access, Action<string, string> fail)
    {
        foreach (var (field, names) in new[] { ("access.roles", access?.Roles), ("access.users", access?.Users) })
        {
            for (var i = 0; i < (names?.Count ?? 0); i++)
            {
                if (string.IsNullOrWhiteSpace(names![i]))
                {
                    fail($"{field}[{i}]", "must be a non-empty name");
                }
            }
        }
    }

    private void ValidateModel(ModelConfig model, string path, Action<string, string> fail, Action<string, string?> refuse)
    {
        if (string.IsNullOrWhiteSpace(model.Provider))
        {
            fail($"{path}.provider", "is required");
        }
        else if (!ModelProviders.IsKnown(model.Provider))
        {
            fail($"{path}.provider", $"unknown provider '{model.Provider}'; expected one of {string.Join(", ", ModelProviders.Known.Order())}");
        }

        if (string.IsNullOrWhiteSpace(model.Name))
        {
            fail($"{path}.name", "is required");
        }

        if (model.Temperature is < 0 or > 2 || model.Temperature is double.NaN)
        {
            fail($"{path}.temperature", "must be between 0 and 2");
        }

        if (model.MaxTokens is <= 0)
        {
            fail($"{path}.max_tokens", "must be a positive number of tokens");
        }

        if (model.ContextWindow is <= 0)
        {
            fail($"{path}.contextWindow", "must be a positive number of tokens");
        }
        else if (model.ContextWindow is { } window && model.MaxTokens is { } reserved && reserved >= window)
        {
            fail($"{path}.max_tokens", "must be smaller than contextWindow");
        }

        if (model.Endpoint is not null && !IsHttpUrl(model.Endpoint))
        {
            fail($"{path}.endpoint", "must be an absolute http or https URL");
        }
        else if (model.Endpoint is not null)
        {
            refuse($"{path}.endpoint", policy.RefusalFor(model.Endpoint));
        }
    }

    private void ValidateServers(IReadOnlyList<McpServerConfig>? servers, Action<string, string> fail, Action<string, string?> refuse)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (servers?.Count ?? 0); i++)
        {
            var path = $"mcp.servers[{i}]";
            var server = servers![i];
            if (server is null)
            {
                fail(path, "must be an object");
                continue;
            }

            if (string.IsNullOrWhiteSpace(server.Name) || !ServerNamePattern().IsMatch(server.Name))
            {
                fail($"{path}.name", "must be 1-64 characters of letters, digits, '_' or '-'");
            }
            else if (!names.Add(server.Name))
            {
                fail($"{path}.name", $"duplicate server name '{server.Name}'");
            }

            if (server.Transport is not null && !Transports.Contains(server.Transport))
            {
                fail($"{path}.transport", "must be one of stdio, streamable-http, sse, websocket");
            }

            var isReference = server.Command is null && server.Url is null;
            if (isReference)
            {
                if (server.Transport is not null || server.Args is not null || server.Env is not null || server.Auth is not null)
                {
                    fail(path, "needs a 'command' (stdio) or a 'url'; an entry with only 'name' refers to an operator-defined server");
                }
                else if (server.Idempotent is not null)
                {
                    // Whether a server's tools may run twice is the operator's to say, where the server is defined.
                    fail($"{path}.idempotent", "is set where the server is defined; an entry with only 'name' refers to an operator-defined server");
                }
                else if (!string.IsNullOrWhiteSpace(server.Name) && !operatorServers.Contains(server.Name))
                {
                    fail($"{path}.name", $"no operator-defined MCP server named '{server.Name}'; give a 'command' or a 'url'");
                }
            }
            else if (server.Command is not null && server.Url is not null)
            {
                fail(path, "give either 'command' (stdio) or 'url', not both");
            }
            else if (server.Command is not null)
            {
                if (string.IsNullOrWhiteSpace(server.Command))
                {
                    fail($"{path}.command", "must not be empty");
                }
                else
                {
                    refuse($"{path}.command", policy.RefusalForCommand(server.Command));
                }

                if (server.Transport is not null and not "stdio")
                {
                    fail($"{path}.transport", "a server with a 'command' uses the stdio transport");
                }
            }
            else
            {
                ValidateServerUrl(server, path, fail, refuse);
            }

            if (server.TimeoutSeconds is <= 0 or > McpServerSpec.MaxCallTimeoutSeconds)
            {
                fail($"{path}.timeoutSeconds", $"must be between 1 and {McpServerSpec.MaxCallTimeoutSeconds} seconds");
            }

            if (server.Command is not null && server.Url is null && server.Auth is not null)
            {
                fail($"{path}.auth", "a stdio server takes no 'auth'; give it its secrets in 'env'");
            }
            else
            {
                ValidateAuth(server.Auth, $"{path}.auth", fail, refuse);
            }
        }
    }

    private void ValidateServerUrl(McpServerConfig server, string path, Action<string, string> fail, Action<string, string?> refuse)
    {
        if (!Uri.TryCreate(server.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https" or "ws" or "wss"))
        {
            fail($"{path}.url", "must be an absolute http, https, ws or wss URL");
            return;
        }

        refuse($"{path}.url", policy.RefusalFor(server.Url!));

        var isWebSocket = url.Scheme is "ws" or "wss";
        if (server.Transport == "stdio")
        {
            fail($"{path}.transport", "stdio needs a 'command', not a 'url'");
        }
        else if (isWebSocket && server.Transport is not (null or "websocket"))
        {
            fail($"{path}.transport", "a ws/wss URL uses the websocket transport");
        }
        else if (!isWebSocket && server.Transport == "websocket")
        {
            fail($"{path}.transport", "the websocket transport needs a ws or wss URL");
        }
    }

    private void ValidateAuth(McpAuthConfig? auth, string path, Action<string, string> fail, Action<string, string?> refuse)
    {
        if (auth is null)
        {
            return;
        }

        if (!AuthTypes.Contains(auth.Type ?? ""))
        {
            fail($"{path}.type", "must be one of bearer, api_key, oauth2");
            return;
        }

        void Require(string? value, string field)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                fail($"{path}.{field}", $"is required for {auth.Type} authentication");
            }
        }

        switch (auth.Type)
        {
            case "bearer":
                Require(auth.TokenRef, "tokenRef");
                break;
            case "api_key":
                Require(auth.KeyRef, "keyRef");
                if (auth.Header is not null && !HeaderNamePattern().IsMatch(auth.Header))
                {
                    fail($"{path}.header", "must be an HTTP header name (letters, digits and !#$%&'*+-.^_`|~)");
                }

                break;
            case "oauth2":
                Require(auth.ClientId, "clientId");
                Require(auth.ClientSecretRef, "clientSecretRef");
                if (!IsHttpUrl(auth.TokenUrl))
                {
                    fail($"{path}.tokenUrl", "must be an absolute http or https URL");
                }
                else
                {
                    // The server posts the client secret there: the same allow-list as the server's own URL.
                    refuse($"{path}.tokenUrl", policy.RefusalFor(auth.TokenUrl!));
                }

                for (var i = 0; i < (auth.Scopes?.Count ?? 0); i++)
                {
                    if (auth.Scopes![i] is not { } scope || !ScopePattern().IsMatch(scope))
                    {
                        fail($"{path}.scopes[{i}]", "must be a non-empty OAuth 2.0 scope without spaces, quotes or backslashes");
                    }
                }

                break;
        }
    }

    /// <summary>
    /// The rules of a permissions map (an agent's or a conversation's): non-empty patterns, and <c>allow</c>,
    /// <c>ask</c> or <c>deny</c> for each tool and each argument pattern.
    /// </summary>
    public static List<FieldError> ValidatePermissions(IReadOnlyDictionary<string, ToolPermission>? permissions)
    {
        var errors = new List<FieldError>();
        ValidatePermissions(permissions, (field, message) => errors.Add(new FieldError(field, message)));
        return errors;
    }

    private static void ValidatePermissions(IReadOnlyDictionary<string, ToolPermission>? permissions, Action<string, string> fail)
    {
        const string modes = "expected allow, ask or deny";
        foreach (var (pattern, value) in permissions ?? new Dictionary<string, ToolPermission>())
        {
            var path = $"permissions.{pattern}";
            if (string.IsNullOrWhiteSpace(pattern) || pattern.Length > MaxPatternLength)
            {
                fail("permissions", $"a tool pattern must be 1-{MaxPatternLength} characters");
                continue;
            }

            if (value is null)
            {
                fail(path, $"must be a permission or an object {{ permission, arguments }}; {modes}");
                continue;
            }

            if (!ToolPermissions.IsMode(value.Permission))
            {
                fail(value.Arguments is null ? path : $"{path}.permission", $"'{value.Permission}' is not a permission; {modes}");
            }

            foreach (var (argument, patterns) in value.Arguments ?? new Dictionary<string, IReadOnlyDictionary<string, string>>())
            {
                var argumentPath = $"{path}.arguments.{argument}";
                if (string.IsNullOrWhiteSpace(argument))
                {
                    fail($"{path}.arguments", "an argument name must not be empty");
                    continue;
                }

                if (patterns is not { Count: > 0 })
                {
                    fail(argumentPath, "must hold at least one glob → permission");
                    continue;
                }

                foreach (var (glob, permission) in patterns)
                {
                    if (string.IsNullOrEmpty(glob) || glob.Length > MaxPatternLength)
                    {
                        fail(argumentPath, $"a value pattern must be 1-{MaxPatternLength} characters");
                    }
                    else if (!ToolPermissions.IsMode(permission))
                    {
                        fail($"{argumentPath}.{glob}", $"'{permission}' is not a permission; {modes}");
                    }
                }
            }
        }
    }

    private static void ValidateLimits(AgentLimits? limits, Action<string, string> fail)
    {
        if (limits?.MaxSteps is <= 0 or > 1000)
        {
            fail("limits.maxSteps", "must be between 1 and 1000");
        }

        if (limits?.MaxToolCallsPerTurn is < 0 or > 10000)
        {
            fail("limits.maxToolCallsPerTurn", "must be between 0 and 10000");
        }

        if (limits?.TurnTimeoutSeconds is <= 0 or > AgentLimits.MaxTurnTimeoutSeconds)
        {
            fail("limits.turnTimeoutSeconds", $"must be between 1 and {AgentLimits.MaxTurnTimeoutSeconds}");
        }

        if (limits?.MaxTokensPerTurn is <= 0)
        {
            fail("limits.maxTokensPerTurn", "must be a positive number of tokens");
        }

        if (limits?.ApprovalTimeoutSeconds is <= 0 or > AgentLimits.MaxApprovalTimeoutSeconds)
        {
            fail("limits.approvalTimeoutSeconds", $"must be between 1 and {AgentLimits.MaxApprovalTimeoutSeconds}");
        }

        if (limits?.MaxToolResultChars is < ToolResultLimit.MinChars or > AgentLimits.MaxToolResultCharsCeiling)
        {
            fail("limits.maxToolResultChars", $"must be between {ToolResultLimit.MinChars} and {AgentLimits.MaxToolResultCharsCeiling}");
        }
    }

    private static bool IsHttpUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var url) && url.Scheme is "http" or "https";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex AgentIdPattern();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex ServerNamePattern();

    // RFC 9110 token.
    [GeneratedRegex("^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")]
    private static partial Regex HeaderNamePattern();

    // RFC 6749 section 3.3 scope-token: printable ASCII except space, '"' and '\'.
    [GeneratedRegex(@"^[\x21\x23-\x5B\x5D-\x7E]+$")]
    private static partial Regex ScopePattern();
}

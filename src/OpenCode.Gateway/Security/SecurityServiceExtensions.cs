using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.IdentityModel.Tokens;
using OpenCode.Gateway.Limits;
using OpenCode.Runtime.Security;

namespace OpenCode.Gateway.Security;

public static partial class SecurityServiceExtensions
{
    /// <summary>The scheme every request authenticates with: it picks the real one from the credential presented.</summary>
    public const string SchemeName = "OpenCode";

    /// <summary>
    /// Authentication (API keys, JWT bearer tokens, WebSocket tickets — or, with none configured, the one local
    /// user on loopback), roles, and a fallback policy that makes every endpoint need a caller unless it allows anonymous.
    /// </summary>
    public static WebApplicationBuilder AddOpenCodeSecurity(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(AuthOptions.Section);
        var auth = section.Get<AuthOptions>() ?? new AuthOptions();
        auth.Validate();
        if (auth.IsOn)
        {
            // Many callers: each gets request, turn and token limits unless the operator set others (or 0).
            builder.Configuration.AddAuthenticatedLimitDefaults();
        }
        else
        {
            LoopbackBinding.EnsureLoopbackOnly(builder.Configuration);
            // Only loopback names in Host: a web page cannot rebind its own domain to 127.0.0.1 and call the local user's API.
            builder.Configuration["AllowedHosts"] ??= "localhost;127.0.0.1;[::1]";
        }

        var origins = new BrowserOrigins(builder.Configuration);
        builder.Services.AddSingleton(origins);
        builder.Services.AddCors(o => o.AddDefaultPolicy(policy => policy
            .WithOrigins([.. origins.Allowed])
            .AllowAnyHeader()
            .AllowAnyMethod()
            .WithExposedHeaders("Location", "Retry-After", "Idempotency-Key")));
        builder.Services.AddHsts(o =>
        {
            o.MaxAge = TimeSpan.FromDays(365);
            o.IncludeSubDomains = true;
        });

        builder.Services.Configure<AuthOptions>(section);
        // With callers to tell apart, agent configs may only reach what the operator allows (configuration can
        // make this stricter, never turn it off).
        builder.Services.PostConfigure<EndpointPolicyOptions>(o => o.AuthenticationEnabled |= auth.IsOn);
        builder.Services.AddSingleton<RoleCatalog>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, BootstrapAdminKey>();
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();
        builder.Services.AddAuthorization(o => o.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());

        // AddAuthentication would also add Data Protection, which no scheme here uses: it writes a key ring to the
        // user's home at start and loads an XML stack into every gateway. The core services are all the schemes need.
        builder.Services.AddAuthenticationCore(o => o.DefaultScheme = SchemeName);
        builder.Services.AddWebEncoders();
        builder.Services.AddSingleton<IAuthenticationConfigurationProvider, AuthenticationConfigurationSection>();
        var authentication = new AuthenticationBuilder(builder.Services)
            .AddPolicyScheme(SchemeName, SchemeName, o => o.ForwardDefaultSelector = context => SchemeFor(context, auth))
            .AddScheme<AuthenticationSchemeOptions, LocalAuthenticationHandler>(LocalAuthenticationHandler.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, WebSocketTicketAuthenticationHandler>(WebSocketTicketAuthenticationHandler.SchemeName, null);
        if (auth.Jwt.IsConfigured)
        {
            AddJwtBearer(authentication, auth);
        }

        return builder;
    }

    /// <summary>Apart, so that the JWT assemblies load only where tokens are configured.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void AddJwtBearer(AuthenticationBuilder authentication, AuthOptions auth) =>
        authentication.AddJwtBearer(o => ConfigureJwt(o, auth));

    /// <summary>
    /// Security headers (HSTS over HTTPS), CORS for the configured origins and the cross-origin guard, then
    /// authentication and authorization of every request after this point; says at start-up which mode the gateway runs in.
    /// </summary>
    public static WebApplication UseOpenCodeSecurity(this WebApplication app)
    {
        app.UseMiddleware<SecurityHeaders>();
        app.UseHsts(); // only answers over HTTPS carry it
        app.UseCors();
        app.UseMiddleware<CrossOriginGuard>();
        app.UseFailedAuthenticationLimit();
        app.UseAuthentication();
        app.UseAuthorization();
        var auth = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<AuthOptions>>().Value;
        if (auth.IsOn)
        {
            LogAuthenticationOn(app.Logger, auth.Jwt.IsConfigured ? "API keys and JWT bearer tokens" : "API keys");
        }
        else
        {
            LogAuthenticationOff(app.Logger);
        }

        return app;
    }

    private static string SchemeFor(HttpContext context, AuthOptions auth)
    {
        if (!auth.IsOn)
        {
            return LocalAuthenticationHandler.SchemeName;
        }

        if (context.Request.Path.Equals("/ws", StringComparison.Ordinal) && context.Request.Query.ContainsKey(WebSocketTicketAuthenticationHandler.QueryParameter))
        {
            return WebSocketTicketAuthenticationHandler.SchemeName;
        }

        if (context.Request.Headers.ContainsKey(ApiKeys.Header))
        {
            return ApiKeyAuthenticationHandler.SchemeName;
        }

        var bearer = ApiKeys.BearerToken(context.Request);
        return auth.Jwt.IsConfigured && (bearer is null || ApiKeys.LooksLikeJwt(bearer))
            ? JwtBearerDefaults.AuthenticationScheme
            : ApiKeyAuthenticationHandler.SchemeName;
    }

    private static void ConfigureJwt(JwtBearerOptions options, AuthOptions auth)
    {
        var jwt = auth.Jwt;
        options.MapInboundClaims = false;
        options.Authority = jwt.Authority;
        options.RequireHttpsMetadata = jwt.RequireHttpsMetadata;
        options.TokenValidationParameters = new TokenValidationParameters
        {
            ValidateIssuer = true,
            ValidIssuer = jwt.Issuer,
            ValidateAudience = true,
            ValidAudience = jwt.Audience,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            ClockSkew = TimeSpan.FromSeconds(30),
        };
        if (jwt.SigningKey is { } key)
        {
            options.TokenValidationParameters.IssuerSigningKey = new SymmetricSecurityKey(System.Text.Encoding.UTF8.GetBytes(key));
            options.TokenValidationParameters.ValidAlgorithms = [SecurityAlgorithms.HmacSha256];
        }

        var claims = new JwtCallerClaims(auth);
        options.Events = new JwtBearerEvents { OnTokenValidated = claims.OnTokenValidatedAsync };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Authentication is on: callers present {Credentials}")]
    private static partial void LogAuthenticationOn(ILogger logger, string credentials);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Authentication is off: the gateway listens on loopback only and every caller is the local admin. Configure Auth:BootstrapAdminKey or Auth:Jwt to serve other users.")]
    private static partial void LogAuthenticationOff(ILogger logger);
}

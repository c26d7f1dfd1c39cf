using Microsoft.Extensions.DependencyInjection;
using OpenCode.Abstractions;
using OpenCode.Runtime.Conversations;
using Orleans.Serialization;

namespace OpenCode.Runtime.Tests.Persistence;

/// <summary>Orleans' serializer with the codecs a silo has for the abstractions' and the runtime's types.</summary>
internal static class SiloSerializer
{
    public static readonly Serializer Instance = new ServiceCollection()
        .AddSerializer(serializer => serializer.AddAssembly(typeof(ConversationState).Assembly).AddAssembly(typeof(ConversationEvent).Assembly))
        .BuildServiceProvider()
        .GetRequiredService<Serializer>();
}

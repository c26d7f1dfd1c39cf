using Microsoft.Extensions.DependencyInjection;
using OpenCode.Abstractions;
using Orleans.Metadata;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Serialization.TypeSystem;

namespace OpenCode.Runtime.Tests.Hosting;

public sealed class CachedGrainInterfaceTypesTests
{
    [Fact]
    public void Each_interface_is_resolved_once_with_the_answer_the_other_providers_give()
    {
        var counting = new CountingProvider();
        var services = new ServiceCollection().AddSerializer().AddSingleton<IGrainInterfaceTypeProvider>(counting);
        CachedGrainInterfaceTypes.AddTo(services);
        using var provider = services.BuildServiceProvider();
        var resolver = new GrainInterfaceTypeResolver(provider.GetServices<IGrainInterfaceTypeProvider>(), provider.GetRequiredService<TypeConverter>());

        var answers = Enumerable.Range(0, 3).Select(_ => resolver.GetGrainInterfaceType(typeof(IConversationGrain))).ToList();

        Assert.All(answers, a => Assert.Equal(CountingProvider.Answer, a));
        Assert.Equal(1, counting.Asked);
    }

    [Fact]
    public void An_interface_no_provider_knows_gets_the_conventional_type()
    {
        var services = new ServiceCollection().AddSerializer().AddSingleton<IGrainInterfaceTypeProvider>(new CountingProvider());
        CachedGrainInterfaceTypes.AddTo(services);
        using var provider = services.BuildServiceProvider();
        var converter = provider.GetRequiredService<TypeConverter>();
        var cached = new GrainInterfaceTypeResolver(provider.GetServices<IGrainInterfaceTypeProvider>(), converter);
        var plain = new GrainInterfaceTypeResolver([], converter);

        Assert.Equal(plain.GetGrainInterfaceType(typeof(IAgentGrain)), cached.GetGrainInterfaceType(typeof(IAgentGrain)));
        Assert.IsType<CachedGrainInterfaceTypes>(provider.GetServices<IGrainInterfaceTypeProvider>().First());
    }

    private sealed class CountingProvider : IGrainInterfaceTypeProvider
    {
        public static readonly GrainInterfaceType Answer = GrainInterfaceType.Create("conversation-test");

        public int Asked { get; private set; }

        public bool TryGetGrainInterfaceType(Type type, out GrainInterfaceType grainInterfaceType)
        {
            if (type != typeof(IConversationGrain))
            {
                grainInterfaceType = default;
                return false;
            }

            Asked++;
            grainInterfaceType = Answer;
            return true;
        }
    }
}

using Orleans.Serialization;
using Orleans.Storage;

namespace OpenCode.Runtime.Persistence;

/// <summary>
/// Orleans' binary format, as <see cref="OrleansGrainStorageSerializer"/> writes and reads it, serialized through a
/// pooled buffer into one array of the exact size. Orleans' own serializer grows a fresh buffer by doubling and hands
/// back a slice of it, which a store copies again: about three times the payload in garbage at every state write.
/// </summary>
public sealed class ExactSizeGrainStorageSerializer(Serializer serializer) : IGrainStorageSerializer
{
    public BinaryData Serialize<T>(T? input) => new(serializer.SerializeToArray(input));

    public T Deserialize<T>(BinaryData input) => serializer.Deserialize<T>(input.ToMemory())!;
}

using System.Text.Json.Serialization;

namespace SharpSignals.Server.Keys;

[JsonSerializable(typeof(IssuerKeyStore.StoredKeyRing))]
internal sealed partial class KeyStoreJsonContext : JsonSerializerContext;

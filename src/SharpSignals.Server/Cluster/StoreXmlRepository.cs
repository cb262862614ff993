using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using SharpSignals.Storage.Cluster;

namespace SharpSignals.Server.Cluster;

/// <summary>
/// The Data Protection key ring in the shared database, so that a secret one node encrypted (an
/// issuer signing key, a stream's credential) can be read by every node.
/// </summary>
internal sealed class StoreXmlRepository(IKeyRingStore store) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements() => store.ListDataProtectionKeys().Select(x => XElement.Parse(x)).ToList();

    public void StoreElement(XElement element, string friendlyName) => store.AddDataProtectionKey(friendlyName, element.ToString(SaveOptions.DisableFormatting));
}

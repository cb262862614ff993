using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace SharpSignals.Server.Keys;

/// <summary>
/// The key ring's repository, refusing to be read when it holds keys encrypted with a certificate and
/// none is configured. Without it, Data Protection would log each key as unreadable, then generate a
/// new key, stored in the clear, that would protect every secret from then on.
/// </summary>
internal sealed class EncryptedKeyRingGuard(IXmlRepository inner) : IXmlRepository
{
    /// <summary>The element Data Protection stores an encrypted key's secret in.</summary>
    public const string EncryptedSecret = "encryptedSecret";

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        var elements = inner.GetAllElements();
        if (elements.Any(e => e.Descendants().Any(d => d.Name.LocalName == EncryptedSecret)))
        {
            throw new InvalidOperationException(
                $"The Data Protection key ring is encrypted with a certificate: set {KeyRingCertificate.PathSetting} (and {KeyRingCertificate.PasswordSetting}) to it.");
        }

        return elements;
    }

    public void StoreElement(XElement element, string friendlyName) => inner.StoreElement(element, friendlyName);
}

using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace SharpSignals.Server.Keys;

/// <summary>
/// The key ring's repository, refusing to be read when it holds a key encrypted with a certificate
/// that is not configured. Without it, Data Protection would log the key as unreadable, then generate
/// a new one that would protect every secret from then on, while what the unreadable key protected
/// (the signing keys, stream credentials) could no longer be read.
/// </summary>
internal sealed class EncryptedKeyRingGuard(IXmlRepository inner, KeyRingCertificates certificates) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        var elements = inner.GetAllElements();
        foreach (var key in elements)
        {
            if (KeyRingCertificates.EncryptedWith(key) is { } certificate && !certificates.Knows(certificate))
            {
                throw new InvalidOperationException(
                    $"Key {(string?)key.Attribute("id")} of the Data Protection key ring is encrypted with the certificate {KeyRingCertificates.Describe(certificate)}: "
                    + $"set {KeyRingCertificates.PathSetting} to it, or, if a newer one replaced it, list it under {KeyRingCertificates.PreviousSetting}.");
            }
        }

        return elements;
    }

    public void StoreElement(XElement element, string friendlyName) => inner.StoreElement(element, friendlyName);
}

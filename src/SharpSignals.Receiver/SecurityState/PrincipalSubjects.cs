using System.Security.Claims;
using Microsoft.Extensions.Options;
using SharpSignals.Receiver.Configuration;
using SharpSignals.Tokens.Subjects;

namespace SharpSignals.Receiver.SecurityState;

/// <summary>The subject identifiers under which events about a signed-in user arrive, from the configured claim mappings and the mapping in code.</summary>
internal sealed class PrincipalSubjects(IOptions<SharedSignalsReceiverOptions> options)
{
    private static readonly SubjectClaimMapping[] DefaultMappings =
    [
        new() { Format = SubjectFormats.Email, Claim = "email" },
        new() { Format = SubjectFormats.Email, Claim = ClaimTypes.Email },
    ];

    public List<SubjectIdentifier> For(ClaimsPrincipal user)
    {
        var subjects = new List<SubjectIdentifier>();
        var settings = options.Value;
        foreach (var mapping in settings.Subjects.Count > 0 ? settings.Subjects : (IEnumerable<SubjectClaimMapping>)DefaultMappings)
        {
            foreach (var claim in user.FindAll(mapping.Claim))
            {
                if (claim.Value.Length == 0)
                {
                    continue;
                }

                subjects.Add(mapping.Format switch
                {
                    SubjectFormats.Email => new EmailSubject(claim.Value),
                    SubjectFormats.IssuerSubject => new IssSubSubject(mapping.Issuer!, claim.Value),
                    SubjectFormats.PhoneNumber => new PhoneNumberSubject(claim.Value),
                    _ => new OpaqueSubject(claim.Value),
                });
            }
        }

        if (settings.MapSubjects is { } map)
        {
            subjects.AddRange(map(user));
        }

        return subjects;
    }
}

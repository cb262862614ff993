using Microsoft.Extensions.Options;
using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Subjects;

namespace SharpSignals.Receiver.Configuration;

/// <summary>The rules that span several options, reported together so that one start shows every mistake.</summary>
internal sealed class SharedSignalsReceiverOptionsValidator : IValidateOptions<SharedSignalsReceiverOptions>
{
    private static readonly string[] MappableFormats = [SubjectFormats.Email, SubjectFormats.IssuerSubject, SubjectFormats.Opaque, SubjectFormats.PhoneNumber];

    public ValidateOptionsResult Validate(string? name, SharedSignalsReceiverOptions options)
    {
        var errors = new List<string>();
        CheckUrl(errors, "Issuer", options.Issuer, options.AllowInsecureHttp);
        if (Uri.TryCreate(options.Issuer, UriKind.Absolute, out var issuer) && (issuer.Query.Length > 0 || issuer.Fragment.Length > 0))
        {
            // SSF 1.0 §7.1: the issuer has no query or fragment.
            errors.Add($"Issuer '{options.Issuer}' must not have a query or fragment.");
        }

        if (options.AuthorizationHeader is not null && options.ClientId is not null)
        {
            errors.Add("Give either AuthorizationHeader or ClientId and ClientSecret, not both.");
        }

        if ((options.ClientId is null) != (options.ClientSecret is null))
        {
            errors.Add("ClientId and ClientSecret go together.");
        }

        if (options.TokenEndpoint is not null)
        {
            CheckUrl(errors, "TokenEndpoint", options.TokenEndpoint, options.AllowInsecureHttp);
        }

        if (options.Delivery == ReceiverDeliveryMethod.Push)
        {
            if (string.IsNullOrEmpty(options.PushEndpointUrl))
            {
                errors.Add("PushEndpointUrl is required for push delivery: the absolute URL where the transmitter reaches MapSharedSignalsReceiver.");
            }
            else
            {
                CheckUrl(errors, "PushEndpointUrl", options.PushEndpointUrl, options.AllowInsecureHttp);
            }
        }

        foreach (var type in options.Events)
        {
            if (!EventCatalog.TryFind(type, out _))
            {
                errors.Add($"Events: '{type}' is not an event type URI or short name this library knows.");
            }
        }

        for (var i = 0; i < options.Subjects.Count; i++)
        {
            var mapping = options.Subjects[i];
            if (!MappableFormats.Contains(mapping.Format))
            {
                errors.Add($"Subjects[{i}].Format '{mapping.Format}' must be one of {string.Join(", ", MappableFormats)}.");
            }

            if (string.IsNullOrEmpty(mapping.Claim))
            {
                errors.Add($"Subjects[{i}].Claim is required.");
            }

            if (mapping.Format == SubjectFormats.IssuerSubject && string.IsNullOrEmpty(mapping.Issuer))
            {
                errors.Add($"Subjects[{i}].Issuer is required for iss_sub.");
            }
        }

        for (var i = 0; i < options.SignInPaths.Count; i++)
        {
            if (!options.SignInPaths[i].StartsWith('/'))
            {
                errors.Add($"SignInPaths[{i}] '{options.SignInPaths[i]}' must be a path starting with '/'.");
            }
        }

        if (string.IsNullOrWhiteSpace(options.StateDirectory))
        {
            errors.Add("StateDirectory is required.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void CheckUrl(List<string> errors, string name, string? value, bool allowInsecureHttp)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            errors.Add($"{name} '{value}' must be an absolute https URL.");
        }
        else if (uri.Scheme == Uri.UriSchemeHttp && !allowInsecureHttp)
        {
            // SSF 1.0 §7.1 and RFC 8935 §3: TLS; plain HTTP only when development allows it.
            errors.Add($"{name} '{value}' must use https (set AllowInsecureHttp for development).");
        }
    }
}

using System.Net;
using System.Text.RegularExpressions;

namespace SharpSignals.Bench.Server;

/// <summary>
/// A signed-in operator console session, as a browser gets one: GET <c>/console/signin</c> for its
/// anti-forgery token (a hidden <c>__RequestVerificationToken</c> input and its cookie), POST the
/// admin token with it, keep the cookies it sets. The cookies are carried by hand, because the
/// session cookie is <c>Secure</c> and the bench speaks plain HTTP to loopback.
/// </summary>
internal static partial class ConsoleSession
{
    private static readonly Uri SignIn = new("/console/signin", UriKind.Relative);

    /// <summary>The <c>Cookie</c> header of a signed-in session; null when the server has no console.</summary>
    public static async Task<string?> SignInAsync(HttpClient client, string adminToken)
    {
        var cookies = new Dictionary<string, string>(StringComparer.Ordinal);
        string form;
        using (var page = await client.GetAsync(SignIn))
        {
            if (page.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            Keep(page, cookies);
            form = await page.Content.ReadAsStringAsync();
        }

        if (AntiForgeryInput().Match(form) is not { Success: true } match)
        {
            throw new InvalidOperationException("GET /console/signin has no __RequestVerificationToken input.");
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, SignIn)
        {
            Content = new FormUrlEncodedContent([new("token", adminToken), new("__RequestVerificationToken", WebUtility.HtmlDecode(match.Groups["value"].Value))]),
        };
        request.Headers.Add("Cookie", Header(cookies));
        using var signedIn = await client.SendAsync(request);
        if ((int)signedIn.StatusCode >= 400)
        {
            throw new InvalidOperationException($"POST /console/signin: HTTP {(int)signedIn.StatusCode} {await signedIn.Content.ReadAsStringAsync()}");
        }

        Keep(signedIn, cookies);
        return Header(cookies);
    }

    private static void Keep(HttpResponseMessage response, Dictionary<string, string> cookies)
    {
        if (!response.Headers.TryGetValues("Set-Cookie", out var values))
        {
            return;
        }

        foreach (var value in values)
        {
            var pair = value.Split(';', 2)[0];
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                cookies[pair[..equals].Trim()] = pair[(equals + 1)..].Trim();
            }
        }
    }

    private static string Header(Dictionary<string, string> cookies) => string.Join("; ", cookies.Select(c => $"{c.Key}={c.Value}"));

    // The hidden input in either attribute order.
    [GeneratedRegex(@"<input[^>]*name=""__RequestVerificationToken""[^>]*value=""(?<value>[^""]*)""|<input[^>]*value=""(?<value>[^""]*)""[^>]*name=""__RequestVerificationToken""", RegexOptions.IgnoreCase)]
    private static partial Regex AntiForgeryInput();
}

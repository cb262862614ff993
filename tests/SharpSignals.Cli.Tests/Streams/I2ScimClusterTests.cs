using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Cli.Tests.Support;
using SharpSignals.Tokens.Encryption;
using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Keys;
using SharpSignals.Tokens.Sets;
using SharpSignals.Tokens.Subjects;
using SharpSignals.Tokens.Validation;

namespace SharpSignals.Cli.Tests.Streams;

/// <summary>
/// The i2scim cluster story (issue 22, part 3), end to end over loopback: scripted i2scim nodes
/// register with one initial access token, each node's stream files are imported with `ssf` and
/// written back for it, and the nodes replicate SCIM provisioning through the server, each taking
/// every other node's events once and never its own. Each node is a real HTTP endpoint serving its
/// keys, pushes its SETs as i2scim does (RFC 8935) and polls for the others' (RFC 8936), which the
/// server encrypts to the node's key (the rcv file's <c>encryption</c>) and only the node can open.
/// </summary>
[Collection(ServerCollectionDefinition.Name)]
public sealed class I2ScimClusterTests(LoopbackServer server)
{
    /// <summary>All nodes of an i2scim cluster share one issuer and audience (i2scim docs, "Automatic Configuration").</summary>
    private const string ClusterIssuer = "cluster.scim.example.com";

    private const string ClusterAudience = "cluster.example.com";

    /// <summary>What i2scim encrypts with is A256GCM beside RSA-OAEP.</summary>
    private const string EncryptionContent = SetEncryption.A256Gcm;

    [Fact]
    public async Task ThreeNodes_OneIat_EachTakesEveryOtherNodesFullEventsOnceEncryptedAndNeverItsOwn()
    {
        using var cli = new CliSession();
        await cli.LoginAdminAsync(server);
        var iat = (await cli.RunAsync("iat", "create", "--project", "i2scim-cluster", "--expires", "10m")).Succeeded().Out.Trim();
        var nodes = new List<ScimNode>();
        try
        {
            for (var i = 1; i <= 3; i++)
            {
                var node = await ScimNode.StartAsync($"node{i}", cli.File($"node{i}"));
                nodes.Add(node);
                var (clientId, secret) = await node.RegisterAsync(server.Url, iat);

                // The operator logs in as the node's client and turns the files the node has into its streams here.
                (await cli.RunAsync("server", "add", node.Name, server.Url)).Succeeded();
                (await cli.RunAsync("login", "--client-id", clientId, "--client-secret", secret, "--server", node.Name)).Succeeded();
                foreach (var file in new[] { node.PubFile, node.RcvFile })
                {
                    (await cli.RunAsync("stream", "import", "--format", "i2scim", file, "--output", file, "--server", node.Name)).Succeeded();
                }

                await node.LoadFilesAsync();
            }

            foreach (var node in nodes)
            {
                await node.ProvisionAsync();
            }

            foreach (var node in nodes)
            {
                var others = nodes.Where(other => other != node).ToList();
                var received = await node.ReceiveAsync(others.Count * ScimNode.FullEventsPerNode);

                // The others' create, patch and delete, each once; not the notice (a rcv stream takes only what
                // i2scim applies), and nothing of its own.
                var expected = others.SelectMany(other => ScimNode.FullTxns(other.Name));
                Assert.Equal(expected.Order(), received.Select(r => r.Txn).Order());
                Assert.All(received, r => Assert.Equal(server.Url, r.Issuer));
            }

            // Each node has acknowledged what it took: nothing further comes, neither an echo nor a second copy.
            foreach (var node in nodes)
            {
                Assert.Empty(await node.ReceiveAsync(0));
            }
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    private sealed record ReceivedSet(string Txn, string EventType, string Issuer);

    /// <summary>
    /// A scripted i2scim node: its own RS256 key (i2scim signs with a PKCS#8 RSA key) and RSA
    /// decryption key (<c>scim.signals.rcv.pem.*</c>), their public halves served as JWKS at its
    /// loopback endpoint, and the two stream files it reads in pre-configuration mode, which it reads
    /// as i2scim does (<c>endpoint</c>, <c>token</c>, <c>iss</c>, <c>aud</c>, <c>issJwksUrl</c>).
    /// </summary>
    private sealed class ScimNode : IAsyncDisposable
    {
        public const int FullEventsPerNode = 3;

        private readonly WebApplication _app;
        private readonly SetSigner _signer;
        private readonly RsaSecurityKey _decryptionKey;
        private readonly HttpClient _http = new();
        private JsonNode _pub = null!;
        private JsonNode _rcv = null!;

        private ScimNode(string name, string directory, WebApplication app, SetSigner signer, RsaSecurityKey decryptionKey)
        {
            Name = name;
            _app = app;
            _signer = signer;
            _decryptionKey = decryptionKey;
            Directory.CreateDirectory(directory);
            PubFile = Path.Combine(directory, "pub-stream.json");
            RcvFile = Path.Combine(directory, "rcv-stream.json");
        }

        public string Name { get; }

        /// <summary>What <c>scim.signals.pub.config.file</c> names.</summary>
        public string PubFile { get; }

        /// <summary>What <c>scim.signals.rcv.config.file</c> names.</summary>
        public string RcvFile { get; }

        private string JwksUrl => _app.Urls.First() + "/jwks.json";

        private string EncryptionJwksUrl => _app.Urls.First() + "/enc-jwks.json";

        public static IEnumerable<string> FullTxns(string name) => new[] { "create", "patch", "delete" }.Select(step => $"{name}-{step}");

        public static async Task<ScimNode> StartAsync(string name, string directory)
        {
            var key = SetSigningKey.Generate(SigningAlgorithms.RS256);
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var jwks = Jwk.WritePublicSet([key.PublicJwk]);
            app.MapGet("/jwks.json", () => Results.Text(jwks, "application/json"));
            var decryptionKey = new RsaSecurityKey(RSA.Create(2048)) { KeyId = name + "-enc" };
            var encryptionJwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(decryptionKey.Rsa.ExportParameters(includePrivateParameters: false)) { KeyId = decryptionKey.KeyId });
            encryptionJwk.Use = JsonWebKeyUseNames.Enc;
            encryptionJwk.Alg = SetEncryption.RsaOaep;
            var encryptionJwks = Jwk.WritePublicSet([encryptionJwk]);
            app.MapGet("/enc-jwks.json", () => Results.Text(encryptionJwks, "application/json"));
            await app.StartAsync();
            var node = new ScimNode(name, directory, app, new SetSigner(key), decryptionKey);

            // The files the node was started with, as the router it used before wrote them (on loopback:
            // nothing ever reads that router, the import replaces it).
            await File.WriteAllTextAsync(node.PubFile, StreamImportTests.GoSignalsFile("sQs", "Push Receiver", "http://127.0.0.1:9/events/6525f54e86b849e69ca1a779", ClusterIssuer, ClusterAudience, node.JwksUrl));
            // To which key the server encrypts what the node polls, as i2scim encrypts (RSA-OAEP); i2scim's files
            // have no member for it, so the operator adds this server's (an export of an encrypted stream writes it).
            var rcv = JsonNode.Parse(StreamImportTests.GoSignalsFile("rMy", "Poll Publisher", "http://127.0.0.1:9/poll/6525f6a386b849e69ca1a77d", ClusterIssuer, ClusterAudience, "http://127.0.0.1:9/jwks/" + ClusterIssuer))!;
            rcv["encryption"] = new JsonObject { ["jwks_uri"] = node.EncryptionJwksUrl, ["alg"] = SetEncryption.RsaOaep, ["enc"] = EncryptionContent };
            await File.WriteAllTextAsync(node.RcvFile, rcv.ToJsonString());
            return node;
        }

        /// <summary>Client registration (RFC 7591) with the cluster's one initial access token, as each i2scim node does at start-up.</summary>
        public async Task<(string ClientId, string Secret)> RegisterAsync(string serverUrl, string iat)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, serverUrl + "/register") { Content = JsonContent.Create(new { client_name = "i2scim " + Name }) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", iat);
            using var response = await _http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            var registered = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
            return (registered["client_id"]!.GetValue<string>(), registered["client_secret"]!.GetValue<string>());
        }

        public async Task LoadFilesAsync()
        {
            _pub = JsonNode.Parse(await File.ReadAllTextAsync(PubFile))!;
            _rcv = JsonNode.Parse(await File.ReadAllTextAsync(RcvFile))!;
        }

        /// <summary>A user's life on this node: created, patched, deleted (full events), and a create notice.</summary>
        public async Task ProvisionAsync()
        {
            var user = new ScimSubject($"/Users/{Name}-user") { Id = $"{Name}-user", ExternalId = Name };
            var resource = JsonDocument.Parse($$"""{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"{{Name}}-user"}""").RootElement;
            await PushAsync(new ScimCreateFull { Data = resource }, user, $"{Name}-create");
            await PushAsync(new ScimPatchFull { Data = resource }, user, $"{Name}-patch");
            await PushAsync(new ScimDelete(), user, $"{Name}-delete");
            await PushAsync(new ScimCreateNotice { Attributes = ["userName"] }, user, $"{Name}-notice");
        }

        private async Task PushAsync(SecurityEvent scimEvent, SubjectIdentifier subject, string txn)
        {
            var token = _signer.Sign(new SecurityEventToken
            {
                Issuer = _pub["iss"]!.GetValue<string>(),
                Audience = _pub["aud"]!.GetValue<string>().Split(','),
                IssuedAt = DateTimeOffset.UtcNow,
                Jti = Guid.NewGuid().ToString("N"),
                Txn = txn,
                Subject = subject,
                Events = [scimEvent],
            });
            using var request = new HttpRequestMessage(HttpMethod.Post, _pub["endpoint"]!.GetValue<string>()) { Content = new StringContent(token) };
            request.Content.Headers.ContentType = new("application/secevent+jwt");
            request.Headers.TryAddWithoutValidation("Authorization", _pub["token"]!.GetValue<string>());
            using var response = await _http.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{Name} pushed {txn}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        /// <summary>
        /// Polls the rcv endpoint until <paramref name="count"/> SCIM events have come (0: one poll that
        /// returns at once), opening each with the node's private key and checking the SET inside as i2scim
        /// does, with the issuer, audience and keys of its file, and acknowledging them in the next poll.
        /// </summary>
        public async Task<List<ReceivedSet>> ReceiveAsync(int count)
        {
            var validator = new SetValidator(new SetValidationOptions
            {
                Keys = StaticKeySource.FromJwks(await _http.GetStringAsync(new Uri(_rcv["issJwksUrl"]!.GetValue<string>()))),
                ValidIssuers = [_rcv["iss"]!.GetValue<string>()],
                ValidAudiences = _rcv["aud"]!.GetValue<string>().Split(','),
                DecryptionKeys = [_decryptionKey],
                RequireEncryption = true,
            });
            var received = new List<ReceivedSet>();
            var ack = new List<string>();
            var deadline = DateTimeOffset.UtcNow + Eventually.DefaultTimeout;
            do
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, _rcv["endpoint"]!.GetValue<string>())
                {
                    Content = JsonContent.Create(new { ack, returnImmediately = count == 0, maxEvents = 100 }),
                };
                request.Headers.TryAddWithoutValidation("Authorization", _rcv["token"]!.GetValue<string>());
                using var response = await _http.SendAsync(request);
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{Name} polled: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                var sets = (await response.Content.ReadFromJsonAsync<JsonNode>())!["sets"]!.AsObject();
                ack = [.. sets.Select(s => s.Key)];
                foreach (var (_, token) in sets)
                {
                    var result = await validator.ValidateAsync(token!.GetValue<string>(), CancellationToken.None);
                    Assert.True(result.IsValid, $"{Name} refused a SET: {result.Error?.Description}");
                    if (result.Set!.Event.EventType.StartsWith(EventTypes.Scim.Prefix, StringComparison.Ordinal))
                    {
                        received.Add(new ReceivedSet(result.Set.Txn!, result.Set.Event.EventType, result.Set.Issuer));
                    }
                }
            }
            while (received.Count < count && DateTimeOffset.UtcNow < deadline);

            if (ack.Count > 0)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, _rcv["endpoint"]!.GetValue<string>()) { Content = JsonContent.Create(new { ack, returnImmediately = true, maxEvents = 0 }) };
                request.Headers.TryAddWithoutValidation("Authorization", _rcv["token"]!.GetValue<string>());
                using var acknowledged = await _http.SendAsync(request);
                Assert.Equal(HttpStatusCode.OK, acknowledged.StatusCode);
            }

            return received;
        }

        public async ValueTask DisposeAsync()
        {
            _http.Dispose();
            await _app.DisposeAsync();
        }
    }
}

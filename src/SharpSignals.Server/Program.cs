using SharpSignals.Server.Admin;
using SharpSignals.Server.Configuration;
using SharpSignals.Server.Health;
using SharpSignals.Server.Keys;

// appsettings.json ships beside the binary; the working directory is only where ./data goes.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

builder.Services.AddServerOptions();
builder.Services.AddIssuerKeys();
builder.Services.AddAdminToken();
builder.Services.AddServerHealth();

var app = builder.Build();

app.MapServerHealth();
app.MapJwks();

app.Run();

/// <summary>The server's entry point, visible to the integration tests' host factory.</summary>
public partial class Program;

using System.Runtime.Versioning;

// The tests check Unix file modes of secrets; the server's CI and machines are Linux.
[assembly: SupportedOSPlatform("linux")]
[assembly: SupportedOSPlatform("macos")]

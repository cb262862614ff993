using System.Runtime.Versioning;

// The tests check Unix file modes of the credentials and stream files; CI and the machines are Linux.
[assembly: SupportedOSPlatform("linux")]
[assembly: SupportedOSPlatform("macos")]

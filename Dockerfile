# The SharpSignals server as a container image (docs/OPERATIONS.md, "Containers"). From the
# repository root:
#   docker build -t sharpsignals --build-arg SDK_IMAGE=<.NET 10 SDK image> \
#     --build-arg RUNTIME_IMAGE=<ASP.NET Core 10 runtime image> .
#   docker run --read-only --tmpfs /tmp -v ssf-data:/data -p 8080:8080 \
#     -e SharpSignals__Issuer=https://ssf.example.com sharpsignals
# The .NET SDK builds a similar image without this file (dotnet publish src/SharpSignals.Server
# -t:PublishContainer, set up in the project); this one also prepares /data for the app user.
# The base images are arguments with no default: name Microsoft's official .NET 10 SDK and ASP.NET
# Core runtime images, or your registry's mirror of them (the runtime image must have the non-root
# `app` user, uid 1654, as the official one does).
ARG SDK_IMAGE
ARG RUNTIME_IMAGE

FROM ${SDK_IMAGE} AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Build.targets Directory.Packages.props ./
COPY src/ src/
RUN dotnet publish src/SharpSignals.Server/SharpSignals.Server.csproj -c Release -o /app -p:UseAppHost=false

FROM ${RUNTIME_IMAGE}
WORKDIR /app
COPY --from=build /app ./

# Everything the server keeps goes to /data, a volume the app user owns (Docker copies this
# ownership into a new named volume); the rest of the file system can be mounted read-only, but
# for /tmp (a tmpfs: the runtime and Data Protection write temporary files there).
RUN mkdir /data && chown "$APP_UID" /data && chmod 0700 /data
VOLUME /data
ENV SharpSignals__DataDirectory=/data \
    ASPNETCORE_HTTP_PORTS=8080

# The non-root user of the .NET images (uid 1654).
USER $APP_UID
EXPOSE 8080

# The exec form makes the server process 1, so it gets SIGTERM itself and shuts down cleanly
# within SharpSignals:ShutdownTimeoutSeconds (10 s): give the container longer than that to stop.
ENTRYPOINT ["dotnet", "SharpSignals.Server.dll"]

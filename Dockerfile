# syntax=docker/dockerfile:1
# CanaryPilot's images, built from the repository root:
#   docker build -t ghcr.io/canarypilot/canarypilot:0.1.0 .                  the controller (serve), distroless
#   docker build --target cli -t ghcr.io/canarypilot/canarypilot-cli:0.1.0 .  the CLI with a shell, for CI jobs
# Publish options and the measurements behind them: docs/deployment.md.

# Build once, on the builder's own platform; ReadyToRun cross-compiles for the target's.
FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG TARGETARCH
WORKDIR /src
# The project files alone first, so the restore layer is reused until a dependency changes.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/CanaryPilot/CanaryPilot.csproj src/CanaryPilot/
COPY src/CanaryPilot.Core/CanaryPilot.Core.csproj src/CanaryPilot.Core/
COPY src/CanaryPilot.Kubernetes/CanaryPilot.Kubernetes.csproj src/CanaryPilot.Kubernetes/
COPY src/CanaryPilot.Notifications/CanaryPilot.Notifications.csproj src/CanaryPilot.Notifications/
COPY src/CanaryPilot.Prometheus/CanaryPilot.Prometheus.csproj src/CanaryPilot.Prometheus/
COPY src/CanaryPilot.Sandbox/CanaryPilot.Sandbox.csproj src/CanaryPilot.Sandbox/
RUN dotnet restore src/CanaryPilot/CanaryPilot.csproj -a $TARGETARCH -p:PublishReadyToRun=true
COPY src/ src/
COPY analysis-templates/ analysis-templates/
COPY deploy/examples/bookinfo/ deploy/examples/bookinfo/
RUN dotnet publish src/CanaryPilot/CanaryPilot.csproj -c Release -a $TARGETARCH --self-contained false --no-restore \
      -p:PublishReadyToRun=true -o /app

# The CLI for pipelines: the same program on PATH, in an image with a shell.
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS cli
COPY --from=build /app /app
RUN ln -s /app/canarypilot /usr/local/bin/canarypilot
ENTRYPOINT ["canarypilot"]

# The controller: no shell, no package manager, a non-root user; runs with a read-only root
# filesystem (deploy/deployment.yaml mounts /tmp).
FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled AS controller
WORKDIR /app
COPY --from=build /app /app
EXPOSE 8080
USER 1654:1654
ENTRYPOINT ["/app/canarypilot"]
CMD ["serve"]

# The canarypilot CLI and controller image. Build: docker build -t canarypilot .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/CanaryPilot/CanaryPilot.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/runtime:10.0
WORKDIR /app
COPY --from=build /app .
USER 65532:65532
ENTRYPOINT ["dotnet", "/app/canarypilot.dll"]

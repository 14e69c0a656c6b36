#!/usr/bin/env bash
# Regenerates the Kiota client (Generated/) from the committed OpenAPI document with the Kiota
# pinned in .config/dotnet-tools.json. Run it after every change to openapi/swagger.json.
# Optional argument: another root holding openapi/swagger.json to generate under (the staleness
# test uses a temporary copy of the tree so kiota-lock.json's relative paths come out the same).
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
root="$(cd "${1:-$repo}" && pwd)"
export KIOTA_CLI_TELEMETRY_OPTOUT=true KIOTA_TUTORIAL_ENABLED=false
cd "$repo"
dotnet tool restore >/dev/null
dotnet tool run kiota generate --language CSharp --openapi "$root/openapi/swagger.json" \
  --output "$root/src/ApManager.Client/Generated" --class-name ApManagerClient --namespace-name ApManager.Client \
  --exclude-backward-compatible --clean-output --log-level Error

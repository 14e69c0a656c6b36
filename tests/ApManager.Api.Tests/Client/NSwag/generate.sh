#!/usr/bin/env bash
# Regenerates the NSwag client (ApManagerNSwagClient.cs) from the committed OpenAPI document with
# the NSwag pinned in .config/dotnet-tools.json: proof that the document suits NSwag as well as Kiota.
# Optional argument: the output file (the staleness test writes to a temporary one).
set -euo pipefail
repo="$(cd "$(dirname "$0")/../../../.." && pwd)"
out="${1:-$repo/tests/ApManager.Api.Tests/Client/NSwag/ApManagerNSwagClient.cs}"
cd "$repo"
dotnet tool restore >/dev/null
dotnet tool run nswag openapi2csclient /input:openapi/swagger.json /output:"$out" \
  /namespace:ApManager.Api.Tests.Client.NSwag /classname:ApManagerNSwagClient /JsonLibrary:SystemTextJson \
  /GenerateClientInterfaces:false /UseBaseUrl:false /GenerateOptionalParameters:true \
  /GenerateNullableReferenceTypes:true /OperationGenerationMode:SingleClientFromOperationId >/dev/null

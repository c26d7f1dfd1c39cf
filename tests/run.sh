#!/usr/bin/env bash
# Installs what the tests need, builds the solution once, runs every test project and prints one total line.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Published MCP servers the end-to-end tests run over stdio.
if ! command -v node >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
fi
(cd tests/mcp-servers && npm ci --no-audit --no-fund --loglevel=error)

# PostgreSQL and Redis for the cluster-profile tests (installed from Debian if missing), unless given.
source tests/services.sh
results=""
cleanup() {
  stop_test_services
  if [ -n "$results" ]; then rm -rf "$results"; fi
}
trap cleanup EXIT
start_test_services

dotnet build OpenCode.Orleans.sln -c Release -nologo -clp:ErrorsOnly

# The code style is part of the build's contract: `dotnet format` must have nothing to change.
dotnet format OpenCode.Orleans.sln --verify-no-changes --no-restore

results="$(mktemp -d)"
passed=0 failed=0 skipped=0 status=0
for project in tests/OpenCode.Runtime.Tests tests/OpenCode.Gateway.Tests tests/OpenCode.Integration.Tests; do
  name="$(basename "$project")"
  log="$results/$name.log"
  set +e
  dotnet test "$project" -c Release --no-build -nologo 2>&1 | tee "$log"
  code=${PIPESTATUS[0]}
  set -e
  # The runner's summary: "Passed!  - Failed: 0, Passed: 12, Skipped: 0, Total: 12, Duration: ..."
  summary="$(grep -E '(Passed|Failed)! +- +Failed: +[0-9]+, +Passed: +[0-9]+, +Skipped: +[0-9]+' "$log" | tail -n 1 || true)"
  if [ -n "$summary" ]; then
    f=$(sed -E 's/.*Failed: +([0-9]+),.*/\1/' <<<"$summary")
    p=$(sed -E 's/.*Passed: +([0-9]+),.*/\1/' <<<"$summary")
    s=$(sed -E 's/.*Skipped: +([0-9]+),.*/\1/' <<<"$summary")
    passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
  elif [ "$code" -ne 0 ]; then
    echo "$name: the test run failed before reporting results" >&2
    failed=$((failed + 1))
  fi
  [ "$code" -ne 0 ] && status=1
done

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]

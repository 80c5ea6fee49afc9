#!/usr/bin/env bash
# Runs every PodVm test on this machine: installs what the tests need, builds the solution, runs all test projects,
# and ends with one line "N passed, N failed, N skipped". Usage: scripts/test.sh [extra dotnet test args]
set -uo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if ! bash scripts/install-prerequisites.sh; then
  echo "prerequisites could not be installed; see the message above" >&2
  exit 1
fi

start=$(date +%s)
echo "== build"
if ! dotnet build PodVm.sln -c Release -v q -nologo -clp:ErrorsOnly; then
  echo "build failed" >&2
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi

echo "== test"
log=$(mktemp)
dotnet test PodVm.sln -c Release --no-build -v q -nologo "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}

# Sum the per-project summaries ("Passed!  - Failed: 0, Passed: 40, Skipped: 0, Total: 40").
read -r passed failed skipped < <(awk '
  /(Passed|Failed)!  *- *Failed:/ {
    for (i = 1; i <= NF; i++) {
      gsub(",", "", $(i+1));
      if ($i == "Failed:") f += $(i+1);
      if ($i == "Passed:") p += $(i+1);
      if ($i == "Skipped:") s += $(i+1);
    }
  }
  END { printf "%d %d %d\n", p, f, s }' "$log")
rm -f "$log"

if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # A test host crashed or a project failed to run: count it as a failure so it is never silent.
  failed=1
fi
echo "tests took $(( $(date +%s) - start ))s"
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
[ "$failed" -eq 0 ]

#!/bin/sh
# Mutated configuration files through the loader check-config and reload use (ConfigFuzzSpec), more of them
# than the test suite runs: bench/config-fuzz.sh [CASES [FIRST]] (default 10000 cases from case 0).
# Prints the summary line: cases, valid/with errors, most costly case, failures (each listed when any).
set -eu
cd "$(dirname "$0")/.."
ACTORS_FUZZ_CASES="${1:-10000}" ACTORS_FUZZ_FIRST="${2:-0}" \
  dotnet test tests/Actors.Core.Tests -c Release --filter "FullyQualifiedName~ConfigFuzzSpec" \
  --logger "console;verbosity=detailed" 2>&1 | grep -E "cases from|case [0-9]+ |Passed!|Failed!|error"

#!/usr/bin/env bash
# Builds the DocC catalogues of the library modules from a debug build's modules and
# fails on any DocC warning (an unresolved symbol link, a malformed article).
#   scripts/check-docs.sh [BUILD_DIR]      (default .build; run `swift build` first)
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-.build}"
modules="$build/debug/Modules"
[ -d "$modules" ] || modules="$build/debug"
triple=$(swift -print-target-info | sed -n 's/.*"triple": "\(.*\)".*/\1/p' | head -1)
work=$(mktemp -d "${TMPDIR:-/tmp}/check-docs.XXXXXX")
trap 'rm -rf "$work"' EXIT
status=0
for module in EGraphKit TensorGraph Fusion; do
  mkdir -p "$work/$module"
  swift-symbolgraph-extract -module-name "$module" -I "$modules" -I CSources/CEGraph/include \
    -target "$triple" \
    -minimum-access-level public -output-dir "$work/$module" >/dev/null
  log=$(docc convert "Sources/$module/$module.docc" --additional-symbol-graph-dir "$work/$module" \
          --output-path "$work/$module.doccarchive" --analyze 2>&1 || true)
  problems=$(grep -E "warning:|error:" <<<"$log" || true)
  if [ -n "$problems" ]; then
    echo "check-docs: $module:"; echo "$problems"; status=1
  else
    echo "check-docs: $module: no warnings"
  fi
done
exit $status

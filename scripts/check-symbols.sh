#!/usr/bin/env bash
# Fails if the native core exports a symbol that does not start with eg_.
set -euo pipefail
build="${1:-.build}"
objs=$(find "$build" -path '*CEGraph.build/*.o' | sort)
[ -n "$objs" ] || { echo "check-symbols: no CEGraph objects under $build" >&2; exit 1; }
bad=$(nm -g --defined-only $objs | awk 'NF==3 {print $3}' | grep -v '^eg_' | grep -v '^__' || true)
if [ -n "$bad" ]; then
  echo "check-symbols: exported symbols without the eg_ prefix:" >&2
  echo "$bad" >&2
  exit 1
fi
echo "check-symbols: all $(nm -g --defined-only $objs | awk 'NF==3' | wc -l) exported core symbols start with eg_"

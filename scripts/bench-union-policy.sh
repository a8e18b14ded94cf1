#!/usr/bin/env bash
# Compares union policies of the native core by rebuild time: the default (the smaller,
# older id survives: the class more nodes point at) against the opposite choice.
# Usage: scripts/bench-union-policy.sh [nodes] [unions-per-round]
set -euo pipefail
cd "$(dirname "$0")/.."
cc="${CC:-clang}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
for policy in DEFAULT LARGER_ID; do
  "$cc" -std=c11 -O2 -DEG_UNION_POLICY_"$policy" -ICSources/CEGraph/include -ICSources/CEGraph \
    CSources/CEGraph/*.c scripts/union-policy-bench.c -o "$out/bench-$policy"
  printf '%-11s ' "$policy:"
  "$out/bench-$policy" "$@"
done

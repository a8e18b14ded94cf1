# Sourced by the benchmark scripts, not run: the Python that runs egglog (the PyPI package).
#
#   source scripts/lib/venv.sh
#   egglog_venv [PACKAGE...]     sets $venv and $python
#
# $EGGLOG_VENV when set (used as it is); else scripts/.venv (git-ignored), created on
# first use with `pip install egglog PACKAGE...`, and given any of the packages it lacks
# when a later script asks for more (bench.sh needs matplotlib, bench-fusion.sh not).
egglog_venv() {
  if [ -n "${EGGLOG_VENV:-}" ]; then
    venv=$EGGLOG_VENV
  else
    venv=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.venv
    if [ ! -x "$venv/bin/python" ]; then
      echo "== creating $venv (pip install egglog $*)" >&2
      python3 -m venv "$venv"
      "$venv/bin/pip" install --quiet egglog "$@"
    else
      local package missing=()
      for package in egglog "$@"; do
        "$venv/bin/python" -c "import $package" 2>/dev/null || missing+=("$package")
      done
      if [ ${#missing[@]} -gt 0 ]; then
        echo "== $venv: pip install ${missing[*]}" >&2
        "$venv/bin/pip" install --quiet "${missing[@]}"
      fi
    fi
  fi
  python=$venv/bin/python
}

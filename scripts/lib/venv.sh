# Sourced by the benchmark scripts, not run: the Python that runs egglog (the PyPI package).
#
#   source scripts/lib/venv.sh
#   egglog_venv [PACKAGE...]     sets $venv and $python
#
# $EGGLOG_VENV when set; else scripts/.venv (git-ignored), created on first use with
# `pip install egglog PACKAGE...`.
egglog_venv() {
  if [ -n "${EGGLOG_VENV:-}" ]; then
    venv=$EGGLOG_VENV
  else
    venv=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.venv
    if [ ! -x "$venv/bin/python" ]; then
      echo "== creating $venv (pip install egglog $*)" >&2
      python3 -m venv "$venv"
      "$venv/bin/pip" install --quiet egglog "$@"
    fi
  fi
  python=$venv/bin/python
}

# Sourced by the other scripts: make .venv from the pinned requirements, reinstalling only when a
# requirements file changed. Usage: source scripts/_venv.sh requirements.txt|requirements-dev.txt
PYTHON=${PYTHON:-python3}
req_file=${1:-requirements.txt}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "The CRM needs Python 3.11 or newer; '$PYTHON' is $("$PYTHON" --version 2>&1 || echo missing)." >&2
  echo "Set PYTHON=/path/to/python3.11 and run again." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "Creating .venv with $("$PYTHON" --version) …"
  "$PYTHON" -m venv .venv
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
fi
requirements_hash=$(cat requirements*.txt | sha1sum | cut -c1-12)
stamp=".venv/.installed-$requirements_hash-$(basename "$req_file")"
if [ ! -f "$stamp" ]; then
  echo "Installing $req_file into .venv …"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$req_file"
  touch "$stamp"
  # requirements-dev.txt includes requirements.txt.
  if [ "$(basename "$req_file")" = requirements-dev.txt ]; then
    touch ".venv/.installed-$requirements_hash-requirements.txt"
  fi
fi

# Sourced by the other scripts: make .venv from the pinned requirements, reinstalling only when
# a requirements file changed.
PYTHON=${PYTHON:-python3}
req_file=${1:-requirements.txt}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
fi
stamp=".venv/.installed-$(cat requirements*.txt | sha1sum | cut -c1-12)-$(basename "$req_file")"
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$req_file"
  touch "$stamp"
fi

"""Check that the Chinese catalogue translates every message the code contains.

Runs ``manage.py makemessages -l zh_Hans --no-location --no-obsolete`` on a temporary copy of the
project (the working tree is left exactly as it was), then fails when the refreshed catalogue has
a message without a translation or one marked fuzzy (msgmerge's guess after a source string
changed), or when the committed django.mo is not compiled from the committed django.po.

Usage: .venv/bin/python scripts/check_translations.py [--root PROJECT_DIR]
"""

import argparse
import ast
import gettext
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CATALOGUE = Path("crm/locale/zh_Hans/LC_MESSAGES/django.po")
MAKEMESSAGES = ["makemessages", "-l", "zh_Hans", "--no-location", "--no-obsolete", "--verbosity", "0"]
# What makemessages would skip in the working tree anyway (it ignores ".*" and STATIC_ROOT).
NOT_COPIED = shutil.ignore_patterns(".*", "__pycache__", "var", "staticfiles", "media", "e2e-artifacts", "node_modules")


def parse_po(text):
    """Entries of a .po file as dicts: flags (set), msgid, msgid_plural, msgstr (list of strings)."""
    entries, entry, key = [], None, None

    def finish():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#~"):  # blank line or obsolete entry
            continue
        if line.startswith("#"):
            if entry is not None and "msgid" in entry:
                finish()
                entry = None
            entry = entry or {"flags": set(), "msgstr": []}
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            value = ast.literal_eval(line)
            if key == "msgstr":
                entry["msgstr"][-1] += value
            else:
                entry[key] += value
            continue
        if keyword in ("msgctxt", "msgid") and entry is not None and "msgid" in entry:
            finish()
            entry = None
        entry = entry or {"flags": set(), "msgstr": []}
        value = ast.literal_eval(rest)
        if keyword.startswith("msgstr"):
            key = "msgstr"
            entry["msgstr"].append(value)
        else:
            key = keyword
            entry[key] = value
    finish()
    return entries


def label(entry):
    context = f"[{entry['msgctxt']}] " if "msgctxt" in entry else ""
    return context + entry["msgid"].replace("\n", "\\n")


def refreshed_catalogue(root):
    """The catalogue as makemessages leaves it, made in a throw-away copy of the project."""
    with tempfile.TemporaryDirectory(prefix="crm-messages-") as tmp:
        copy = Path(tmp) / "project"
        shutil.copytree(root, copy, ignore=NOT_COPIED)
        env = {**os.environ, "CRM_VAR_DIR": str(Path(tmp) / "var"), "PYTHONDONTWRITEBYTECODE": "1"}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        result = subprocess.run([sys.executable, "manage.py", *MAKEMESSAGES], cwd=copy, env=env)
        if result.returncode:
            raise SystemExit(f"FAIL: makemessages exited with {result.returncode} (see its output above).")
        return (copy / CATALOGUE).read_text(encoding="utf-8")


def compiled_matches(po_path):
    """Whether django.mo beside ``po_path`` holds exactly what msgfmt makes of it."""
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists():
        return False
    with tempfile.TemporaryDirectory(prefix="crm-mo-") as tmp:
        fresh = Path(tmp) / "django.mo"
        # --check-format: a translation must use the same %(name)s placeholders as its source.
        result = subprocess.run(["msgfmt", "--check-format", "-o", str(fresh), str(po_path)])
        if result.returncode:
            raise SystemExit(f"FAIL: msgfmt --check-format refused {CATALOGUE} (errors above).")
        catalogs = []
        for path in (mo_path, fresh):
            with path.open("rb") as handle:
                catalog = dict(gettext.GNUTranslations(handle)._catalog)
            catalog.pop("", None)  # the header (creation dates) does not change what users see
            catalogs.append(catalog)
    return catalogs[0] == catalogs[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    root = parser.parse_args().root.resolve()
    po_path = root / CATALOGUE

    if not po_path.exists():
        print(f"FAIL: {CATALOGUE} is missing.")
        print("  Create it with: .venv/bin/python manage.py makemessages -l zh_Hans --no-location --no-obsolete")
        print("  then translate every entry and run: .venv/bin/python manage.py compilemessages")
        return 1

    entries = parse_po(refreshed_catalogue(root))
    messages = [entry for entry in entries if entry["msgid"]]  # the entry with msgid "" is the header
    untranslated = [entry for entry in messages if not all(entry["msgstr"])]
    # The header's own "fuzzy" flag is left by makemessages and ignored by msgfmt; messages count.
    fuzzy = [entry for entry in messages if "fuzzy" in entry["flags"]]

    failed = False
    if untranslated:
        failed = True
        print(f"FAIL: {len(untranslated)} message(s) have no Chinese translation in {CATALOGUE}:")
        for entry in untranslated:
            print(f"  - {label(entry)}")
    if fuzzy:
        failed = True
        print(f"FAIL: {len(fuzzy)} message(s) are marked fuzzy (source text changed; check and unmark):")
        for entry in fuzzy:
            print(f"  - {label(entry)}")
    if failed:
        print("Fix: run makemessages as above, translate the entries listed, then compilemessages.")
        return 1
    if not compiled_matches(po_path):
        print(f"FAIL: {CATALOGUE.with_suffix('.mo')} is missing or not compiled from the current django.po.")
        print("  Run: .venv/bin/python manage.py compilemessages")
        return 1
    print(f"Translations complete: {len(messages)} messages in {CATALOGUE}, compiled catalogue up to date.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

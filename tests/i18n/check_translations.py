#!/usr/bin/env python3
# SPDX-FileCopyrightText: 2026 The Etherdisk developers
# SPDX-License-Identifier: GPL-2.0-or-later
"""The committed catalogues (translations/*.ts) are complete and up to date.

    check_translations.py LUPDATE LST-FILE OPTIONS TS...

Runs lupdate over the sources (LST-FILE: the files and -I paths CMake
lists, OPTIONS: the same lupdate options as the update_translations
target, one string) into a temporary copy of each TS file, without
-no-obsolete. A message the code has and the catalogue lacks comes back
type="unfinished", one the code no longer has comes back "vanished" (or
"obsolete"): either fails, as does a translation that is empty, drops a
%1..%9 or %n placeholder of its source, or loses the source's &
accelerator. A catalogue named *_en.ts holds English plural forms only:
it is updated with -pluralonly, and each of its messages must have both
forms. Exit 77 (skipped) with the reason when lupdate is missing.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

PLACEHOLDER = re.compile(r"%(?:[1-9]|n)")
ACCELERATOR = re.compile(r"&(?!&)\S")


def text_of(element):
    return "" if element is None or element.text is None else element.text


def problems(path):
    out = []
    root = ET.parse(path).getroot()
    for context in root.findall("context"):
        name = text_of(context.find("name"))
        for message in context.findall("message"):
            source = text_of(message.find("source"))
            where = "%s: %r" % (name, source if len(source) < 70 else source[:67] + "...")
            translation = message.find("translation")
            kind = translation.get("type") if translation is not None else "missing"
            if kind in ("unfinished", "vanished", "obsolete", "missing"):
                out.append("%s %s" % (kind, where))
                continue
            numerus = message.get("numerus") == "yes"
            forms = ([text_of(f) for f in translation.findall("numerusform")] if numerus
                     else [text_of(translation)])
            if numerus and root.get("language") == "en" and len(forms) != 2:
                out.append("%s: English needs 2 plural forms, has %d" % (where, len(forms)))
                continue
            if not forms or any(not f.strip() for f in forms):
                out.append("empty translation of " + where)
                continue
            wanted = set(PLACEHOLDER.findall(source))
            for i, form in enumerate(forms):
                have = set(PLACEHOLDER.findall(form))
                # A singular form may spell the number out ("ein Pfad").
                lacking = wanted - have - ({"%n"} if numerus and i < len(forms) - 1 else set())
                if lacking:
                    out.append("%s lacks %s in %r" % (where, " ".join(sorted(lacking)), form))
            if ACCELERATOR.search(source) and not all(ACCELERATOR.search(f) for f in forms):
                out.append("%s: no & accelerator in the translation" % where)
    return out


def main():
    if len(sys.argv) < 5:
        print(__doc__)
        return 2
    lupdate, lst, options, ts_files = sys.argv[1], sys.argv[2], sys.argv[3].split(), sys.argv[4:]
    if not (os.path.isfile(lupdate) and os.access(lupdate, os.X_OK)):
        print("SKIP: lupdate is not installed (%s; Debian: qt6-l10n-tools), so the catalogues "
              "cannot be compared with the sources" % lupdate)
        return 77
    failed = False
    with tempfile.TemporaryDirectory(prefix="etherdisk-ts-") as tmp:
        for ts in ts_files:
            copy = os.path.join(tmp, os.path.basename(ts))
            shutil.copyfile(ts, copy)
            plurals_only = os.path.basename(ts).endswith("_en.ts")
            extra = ["-pluralonly"] if plurals_only else []
            run = subprocess.run([lupdate, *options, *extra, "@" + lst, "-ts", copy],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            if run.returncode != 0:
                print(run.stdout)
                print("FAIL: lupdate exited with %d for %s" % (run.returncode, ts))
                failed = True
                continue
            found = problems(copy)
            for p in found:
                print("%s: %s" % (os.path.basename(ts), p))
            count = len(ET.parse(copy).getroot().findall("context/message"))
            print("%s: %d messages, %s" % (os.path.basename(ts), count,
                                             "%d problems" % len(found) if found else "complete"))
            failed = failed or bool(found)
    if failed:
        print("FAIL: run `cmake --build build --target update_translations`, then translate "
              "what is unfinished (README.md, Translations)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

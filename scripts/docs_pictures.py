#!/usr/bin/env python3
"""Rebuilds the pictures of README.md and docs/*.md from the commands shown.

A page shows a picture as an indented command line, `    imgrad ...` (or
`    $ imgrad ...`), followed - before the next command or heading - by one
or more image links to files in docs/ (`![alt](docs/NAME.png)` in README,
`![alt](NAME.png)` in docs/*.md: links are relative to the page).  Each such command is run again from
the repository's root with imgrad replaced by --imgrad and its output sent
to a scratch folder; its outputs then replace the pictures:

- one picture: the program writes it directly (`-o SCRATCH/NAME.ext` for
  `imgrad field` without --outputs and `imgrad legend`, which take a file
  name; else a folder, whose one output is taken);
- several pictures: the outputs in the folder are matched to the names by
  product (`chelsea.quiver.png` becomes `docs/chelsea-quiver.png`).

A picture composed from imgrad's outputs by docs/strip.py is made by the
two indented lines that show it (`    build/imgrad ...` then
`    /usr/bin/python3 docs/strip.py docs/NAME.png ...`), run as shown.  A
picture whose link line says `<!-- screenshot: PATH -->` is a screenshot of
the browser page that `make check-web` takes into PATH (headless Chromium):
it is copied from there (docs-pictures runs check-web first).  Any other picture a
page links under docs/ that no command made is an error, as is a command
that fails: the run says which and exits 1.
Standard library only.
"""
import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s:]+\.(?:png|svg|jpg))\)")
COMMAND = re.compile(r"^    (?:\$ )?(imgrad(?: .*)?)$")
SCREENSHOT = re.compile(r"<!-- screenshot: (\S+) -->")
STRIP_SOURCE = re.compile(r"^    (build/imgrad .*)$")
STRIP = re.compile(r"^    (/usr/bin/python3 docs/strip\.py (docs/\S+\.png) .*)$")


def picture_commands(page):
    """(command, [picture paths]) in the order of the page (a strip's
    command is a pair of shell lines), every picture the page links under
    docs/, and the screenshots among them ((picture, where check-web
    leaves it))."""
    pairs, linked, screenshots, command, source = [], [], [], None, None
    with open(page, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            m = STRIP.match(line)
            if m and source is not None:
                pairs.append(((source, m.group(1)), [m.group(2)]))
                continue
            m = STRIP_SOURCE.match(line)
            source = m.group(1) if m else None
            m = COMMAND.match(line)
            if m:
                command = m.group(1)
                continue
            # links are relative to the page; the pictures live in docs/
            images = [os.path.normpath(os.path.join(os.path.dirname(page), m))
                      for m in IMAGE.findall(line)]
            images = [m for m in images if m.startswith("docs" + os.sep)]
            shot = SCREENSHOT.search(line)
            if shot:
                screenshots.extend((image, shot.group(1)) for image in images)
                continue
            linked += images
            if images and command is not None:
                if pairs and pairs[-1][0] is command:
                    pairs[-1][1].extend(images)
                else:
                    pairs.append((command, list(images)))
            elif line.startswith("#"):
                command = None  # prose may come between; a heading ends it
    return pairs, linked, screenshots


def run_strip(imgrad, commands, picture, scratch):
    """Runs a strip's two lines, build/imgrad as --imgrad, the strip into
    scratch; returns {picture: produced file}."""
    source, strip = (shlex.split(c) for c in commands)
    source[0] = imgrad
    subprocess.run(source, check=True)
    out = os.path.join(scratch, os.path.basename(picture))
    strip[strip.index(picture)] = out
    subprocess.run(["bash", "-c", " ".join(shlex.quote(a) for a in strip[:3])
                    + " " + " ".join(strip[3:])], check=True)  # the page's {a,b} braces
    return {picture: out}


def run(imgrad, command, pictures, scratch):
    """Runs one page command; returns {picture: produced file}."""
    if isinstance(command, tuple):
        return run_strip(imgrad, command, pictures[0], scratch)
    args = shlex.split(command)
    args[0] = imgrad
    sub = args[1] if len(args) > 1 else ""
    if len(pictures) == 1 and sub in ("field", "legend") and "--outputs" not in args:
        out = os.path.join(scratch, os.path.basename(pictures[0]))
        subprocess.run(args + ["-o", out], check=True)
        return {pictures[0]: out}
    subprocess.run(args + ["-o", scratch], check=True)
    made = sorted(os.listdir(scratch))
    if len(pictures) == 1 and len(made) == 1:
        return {pictures[0]: os.path.join(scratch, made[0])}
    found = {}
    for picture in pictures:
        stem = os.path.splitext(os.path.basename(picture))[0]
        match = [m for m in made if m.split(".")[-2] in re.split(r"[-_.]", stem)]
        if len(match) != 1:
            sys.exit("docs-pictures: %s: cannot tell which of %s is %s"
                     % (command, made, picture))
        found[picture] = os.path.join(scratch, match[0])
    return found


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--imgrad", required=True)
    ap.add_argument("pages", nargs="+")
    a = ap.parse_args()
    imgrad = os.path.abspath(a.imgrad)
    made, linked, screenshots = {}, [], []
    for page in a.pages:
        pairs, page_links, page_shots = picture_commands(page)
        linked += page_links
        screenshots += page_shots
        for command, pictures in pairs:
            scratch = tempfile.mkdtemp(prefix="imgrad-pictures.")
            try:
                try:
                    produced = run(imgrad, command, pictures, scratch)
                except subprocess.CalledProcessError as e:
                    sys.exit("docs-pictures: %s: `%s` failed (exit %d)"
                             % (page, command, e.returncode))
                for picture, path in produced.items():
                    shutil.copyfile(path, picture)
                    made[picture] = command
                    print("%s  <-  %s" % (picture, " && ".join(command)
                                          if isinstance(command, tuple) else command))
            finally:
                shutil.rmtree(scratch)
    missing = sorted(set(p for p in linked if p not in made))
    if missing:
        sys.exit("docs-pictures: no command on the pages makes %s" % ", ".join(missing))
    for picture, taken in sorted(set(screenshots)):
        if not os.path.exists(taken):
            sys.exit("docs-pictures: %s: no screenshot %s (make check-web takes it)"
                     % (picture, taken))
        shutil.copyfile(taken, picture)
        made[picture] = "make check-web"
        print("%s  <-  %s (make check-web)" % (picture, taken))
    print("docs-pictures: %d pictures rebuilt from %d pages" % (len(made), len(a.pages)))


if __name__ == "__main__":
    main()

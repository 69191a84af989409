#!/usr/bin/env python3
"""Replaces one script's part of BENCHMARKS.md with standard input.

Usage: write_section.py FILE NAME < text

Each script owns the text between `<!-- NAME:start -->` and `<!-- NAME:end -->`, so
`bench/run` and `bench/crash` can each rewrite their own figures without touching the
other's or the notes around them. A missing part is added at the end of the file.
"""

import os
import sys


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    path, name = sys.argv[1], sys.argv[2]
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    body = sys.stdin.read().strip("\n")
    block = f"{start}\n{body}\n{end}"
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        text = "# Benchmarks\n"
    if start in text and end in text and text.index(start) < text.index(end):
        before = text[: text.index(start)]
        after = text[text.index(end) + len(end) :]
        text = before + block + after
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    # Written beside the file and renamed over it, so an interrupted run never leaves
    # half a file.
    temporary = f"{path}.{os.getpid()}.tmp"
    with open(temporary, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(temporary, path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

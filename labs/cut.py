#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""labs/cut.py - cut one lab's regions out of a copy of layerfs.

Usage: labs/cut.py LAB FILE...   (edits each FILE in place)

The reference code marks what a lab asks a student to write with comment
lines, and this script turns them into the student's skeleton:

  /* LAB <lab>: stub returns <expr> */     on the line before a function:
                                          its body becomes "return <expr>;"
  /* LAB <lab>: stub */                    ... for a void function: an empty body
  /* LAB <lab>: helper */                  on the line before a static function
                                          only the stubbed code calls: kept,
                                          marked __maybe_unused
  /* LAB <lab> begin: <statement> */       a region inside a function, replaced
  /* LAB <lab> end */                      by <statement>

A function's body is the "{" line and the "}" line at column 0 that follow
its marker (kernel style).  A stubbed static function is marked
__maybe_unused too, since the code that called it may be stubbed as well.
Markers of other labs are left alone; all markers stay in the student tree
so the student sees where to work.  Exits 1 when the markers are malformed.
"""
import re
import sys

MARK = re.compile(r'^\s*/\* LAB ([a-z0-9-]+)(?::| begin:| end)(.*?)\s*\*/\s*$')
STUB = re.compile(r'^\s*/\* LAB ([a-z0-9-]+): stub(?: returns (.+?))?\s*\*/\s*$')
HELPER = re.compile(r'^\s*/\* LAB ([a-z0-9-]+): helper\s*\*/\s*$')
BEGIN = re.compile(r'^(\s*)/\* LAB ([a-z0-9-]+) begin: (.+?)\s*\*/\s*$')
END = re.compile(r'^\s*/\* LAB ([a-z0-9-]+) end\s*\*/\s*$')


def die(path, lineno, msg):
    sys.stderr.write('%s:%d: %s\n' % (path, lineno + 1, msg))
    sys.exit(1)


def maybe_unused(path, lines, i):
    """Mark the static function whose definition starts at line i, and
    realign the lines of its parameter list with the moved parenthesis."""
    if lines[i].startswith('static ') and '__maybe_unused' not in lines[i]:
        lines[i] = lines[i].replace('static ', 'static __maybe_unused ', 1)
        j = i
        while '(' not in lines[j]:
            j += 1
        col = len(lines[j][:lines[j].index('(') + 1].expandtabs(8))
        k = j
        while not lines[k].rstrip().endswith(')') and k + 1 < len(lines) and \
                lines[k + 1].rstrip('\n') != '{':
            k += 1
            lines[k] = '\t' * (col // 8) + ' ' * (col % 8) + lines[k].lstrip()
    elif not lines[i].startswith('static ') and not re.match(r'^[a-z]', lines[i]):
        die(path, i, 'a LAB marker must be followed by a function definition')


def body(path, lines, i):
    """Return (open, close): the indices of the body's "{" and "}" lines."""
    j = i
    while j < len(lines) and lines[j].rstrip('\n') != '{':
        if lines[j].strip() == '' or lines[j].rstrip('\n').endswith(';'):
            die(path, i, 'no function body ("{" at column 0) after the marker')
        j += 1
    k = j + 1
    while k < len(lines) and lines[k].rstrip('\n') != '}':
        k += 1
    if k == len(lines):
        die(path, j, 'no "}" at column 0 closes this body')
    return j, k


def cut(lab, path):
    with open(path) as f:
        lines = f.readlines()
    out = []
    i = 0
    hits = 0
    handout = 'Documentation/filesystems/layerfs-labs/'
    while i < len(lines):
        line = lines[i]
        m = STUB.match(line)
        if m and m.group(1) == lab:
            hits += 1
            out.append(line)
            j, k = body(path, lines, i + 1)
            maybe_unused(path, lines, i + 1)
            out.extend(lines[i + 1:j + 1])
            out.append('\t/* LAB %s: your code here (see %s) */\n' % (lab, handout))
            if m.group(2):
                out.append('\treturn %s;\n' % m.group(2))
            out.append('}\n')
            i = k + 1
            continue
        m = HELPER.match(line)
        if m and m.group(1) == lab:
            hits += 1
            maybe_unused(path, lines, i + 1)
            out.append(line)
            i += 1
            continue
        m = BEGIN.match(line)
        if m and m.group(2) == lab:
            hits += 1
            indent = m.group(1)
            out.append(line)
            k = i + 1
            while k < len(lines) and not (END.match(lines[k]) and
                                          END.match(lines[k]).group(1) == lab):
                k += 1
            if k == len(lines):
                die(path, i, 'LAB %s begin without end' % lab)
            out.append('%s%s\n' % (indent, m.group(3)))
            out.append(lines[k])
            i = k + 1
            continue
        if MARK.match(line) is None and '/* LAB ' in line:
            die(path, i, 'malformed LAB marker')
        out.append(line)
        i += 1
    with open(path, 'w') as f:
        f.writelines(out)
    return hits


def main():
    if len(sys.argv) < 3:
        sys.stderr.write(__doc__)
        sys.exit(2)
    lab = sys.argv[1]
    total = sum(cut(lab, p) for p in sys.argv[2:])
    if total == 0:
        sys.stderr.write('cut.py: no LAB %s markers in %s\n' % (lab, ' '.join(sys.argv[2:])))
        sys.exit(1)
    print(total)


if __name__ == '__main__':
    main()

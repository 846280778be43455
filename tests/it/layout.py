#!/usr/bin/python3
"""layout.py - check src/ against the rule of dependence

Usage: layout.py [SRCDIR]   (default: src)

Reads every #include "...", every call to a function declared in
another module's header and every use of a variable another module
defines (a table of functions, say), for each file under
SRCDIR, and reports:
  - a folder including (or calling into) a folder listed after it;
  - a circle between files: a file reaching, through the headers it
    includes and the functions it calls, back to itself;
  - a .c file over 600 lines.
The order of the folders is read from src/README.md's "Order:" line.
Exit status 1 on any finding, 0 otherwise.
"""
import os
import re
import sys

LIMIT = 600


def folder_order(src):
    """Return the folders in the order of dependence."""
    path = os.path.join(src, "README.md")
    if os.path.exists(path):
        for line in open(path, encoding="utf-8"):
            m = re.match(r"Order:\s*(.*)", line)
            if m:
                return [w.strip("` ,.") for w in m.group(1).split()
                        if w.strip("` ,.")]
    return []


def modules(src):
    """Map each module stem to its folder ('' for the top of src/)."""
    found = {}
    for root, _dirs, files in os.walk(src):
        rel = os.path.relpath(root, src)
        folder = "" if rel == "." else rel.split(os.sep)[0]
        for name in files:
            if name.endswith((".c", ".h")):
                found.setdefault(name[:-2], (folder, root))
    return found


INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
DECL = re.compile(r"^[a-z][^;{}#=]*?\b([a-z][a-z0-9_]*)\s*\(", re.M)
CALL = re.compile(r"\b([a-z][a-z0-9_]*)\s*\(")
EXTERN = re.compile(r"^extern\s[^;(]*?\b([a-z][a-z0-9_]*)\s*(?:\[[^\]]*\])?\s*;",
                    re.M)
DEFINE = re.compile(r"^(?!static\b|extern\b)[a-z][^;(=]*?\b([a-z][a-z0-9_]*)"
                    r"\s*(?:\[[^\]]*\])?\s*=", re.M)
BODY = re.compile(r"^([a-z][a-z0-9_]*)\(", re.M)
# a function named as a value: a pointer passed, stored or in a table
VALUE = re.compile(r"[=,({&]\s*([a-z][a-z0-9]*_[a-z0-9_]*)\s*(?=[,)};])")
# a variable of that name declared here (a parameter, say): not a use
LOCAL = (r"(?:\*\s*|\b(?:int|char|long|size_t|int64_t|uint64_t|double|"
         r"unsigned|short|const|struct\s+[a-z_0-9]+)\s+)%s\b")
WORD = re.compile(r"\b([a-z][a-z0-9_]*)\b")
COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*|\"(?:\\.|[^\"\\])*\"", re.S)


def strip(text):
    """Drop comments and string literals, keeping the lines."""
    return COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else "src"
    order = folder_order(src)
    rank = {f: i for i, f in enumerate(order)}
    rank[""] = len(order)          # the programs' main files
    mods = modules(src)
    texts, code, owner, data, externs = {}, {}, {}, {}, set()
    for stem, (folder, root) in mods.items():
        for ext in (".c", ".h"):
            p = os.path.join(root, stem + ext)
            if os.path.exists(p):
                texts[(stem, ext)] = open(p, encoding="utf-8").read()
                code[(stem, ext)] = strip(texts[(stem, ext)])
        h = code.get((stem, ".h"))
        if h:
            for name in DECL.findall(h):
                owner.setdefault(name, stem)
            externs.update(EXTERN.findall(h))
    # a function, or a variable a header declares extern, belongs to the
    # .c defining it, whichever header declares it (a private header
    # shared by a folder's files, say)
    for (stem, ext), text in code.items():
        if ext == ".c":
            for name in BODY.findall(text):
                if name in owner:
                    owner[name] = stem
            for name in DEFINE.findall(text):
                if name in externs:
                    data.setdefault(name, stem)
    findings = []
    # the graph of files: a file to the header it includes, a .c to the
    # .c that defines what it calls or uses
    edges = {stem + ext: set() for (stem, ext) in texts}
    for (stem, ext), text in sorted(texts.items()):
        folder = mods[stem][0]
        where = os.path.join(folder, stem + ext)
        for inc in INCLUDE.findall(text):
            dep = os.path.basename(inc)[:-2]
            if dep not in mods or dep == stem:
                continue
            if (dep, ".h") in texts:
                edges[stem + ext].add(dep + ".h")
            dfold = mods[dep][0]
            if folder not in rank or dfold not in rank:
                findings.append("%s: folder %r or %r is not in the order"
                                % (where, folder, dfold))
            elif rank[dfold] > rank[folder]:
                findings.append("%s includes %s/%s.h: %s is after %s"
                                % (where, dfold, dep, dfold, folder or "src"))
        if ext != ".c":
            continue
        uses, text = {}, code[(stem, ext)]
        for name in CALL.findall(text):
            if owner.get(name) not in (None, stem):
                uses.setdefault((name, owner[name]), "calls %s()" % name)
        for name in WORD.findall(text):
            if data.get(name) not in (None, stem):
                uses.setdefault((name, data[name]), "uses %s" % name)
        for name in VALUE.findall(text):
            if owner.get(name) not in (None, stem) and \
                    not re.search(LOCAL % name, text):
                uses.setdefault((name, owner[name]), "uses %s" % name)
        for (name, dep), how in sorted(uses.items()):
            edges[stem + ".c"].add(dep + (".c" if (dep, ".c") in texts
                                          else ".h"))
            dfold = mods[dep][0]
            if folder in rank and dfold in rank and rank[dfold] > rank[folder]:
                findings.append("%s %s of %s/%s: %s is after %s"
                                % (where, how, dfold, dep, dfold,
                                   folder or "src"))
    # circles: strongly connected components of more than one module
    index, low, stack, on, comps = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    for comp in comps:
        findings.append("circle of %d files: %s"
                        % (len(comp), " ".join(comp)))
    sizes = []
    for (stem, ext), text in sorted(texts.items()):
        if ext != ".c":
            continue
        n = text.count("\n")
        sizes.append(n)
        if n > LIMIT:
            findings.append("%s.c: %d lines, over %d"
                            % (os.path.join(mods[stem][0], stem), n, LIMIT))
    sizes.sort()
    for f in findings:
        print("layout: " + f)
    med = sizes[len(sizes) // 2] if sizes else 0
    print("layout: %d modules in %d folders, %d .c files, median %d lines, "
          "largest %d; %d findings"
          % (len(mods), len(order), len(sizes), med,
             sizes[-1] if sizes else 0, len(findings)))
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())

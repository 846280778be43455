#!/usr/bin/python3
"""leakcheck.py - find residents' full contacts in what closeloop wrote

    leakcheck.py CONTACTS FILE...

closeloop masks email addresses and phone numbers wherever it logs or
records them (a***@example.org, +1416***0100). CONTACTS holds the
contacts a test used, one a line, as the events gave them; a line that
is not an address (something@domain) or an E.164 number (+ and 8 to 15
digits) is ignored. Each FILE - closeloopd's log, an audit file, what
"closeloop history" printed - is read line by line, and a line holding a
contact in full is a leak: an address as it is, or with its '@'
URL-escaped (case ignored), not inside a longer address; a number as its
digits with or without the '+', not inside a longer run of digits. Each
leak is printed as "FILE:LINE: full contact C: THE LINE"; the exit status
is 1 if there was one, else 0 (after a line saying how many contacts and
files were checked). A FILE that does not exist is passed over.

scenarios.py imports this file for contacts() and scan().
"""
import re
import sys

EMAIL = re.compile(r"[^@\s]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
PHONE = re.compile(r"\+[0-9]{8,15}")
# What may be an address in a line (its '@' perhaps URL-escaped), or the
# digits of a number: each found whole, so that one inside a longer one
# is not taken for it.
EMAIL_IN = re.compile(r"[A-Za-z0-9._+-]+(?:@|%40)[A-Za-z0-9.-]+",
                      re.IGNORECASE)
DIGITS_IN = re.compile(r"[0-9]+")


def contacts(values):
    """The values that are contacts, by the form scan() looks for: an
    address in lower case, a number as its digits."""
    out = {}
    for v in values:
        v = v.strip()
        if EMAIL.fullmatch(v):
            out[v.lower()] = v
        elif PHONE.fullmatch(v):
            out[v[1:]] = v
    return out


def scan(paths, pats, read=None):
    """The leaks in the files, of the contacts pats (from contacts()):
    [(path, line number, contact, line)]; the files read are added to the
    list read, if given."""
    hits = []
    # The addresses EMAIL_IN cannot find whole, looked for as they are:
    # found once, not for every line (a run may have 20,000 contacts).
    odd = [k for k in pats if "@" in k and not EMAIL_IN.fullmatch(k)]
    for path in paths:
        try:
            f = open(path, encoding="utf-8", errors="replace")
        except FileNotFoundError:
            continue
        if read is not None:
            read.append(path)
        with f:
            for n, line in enumerate(f, 1):
                found = [m.group(0).lower().replace("%40", "@").rstrip(".-")
                         for m in EMAIL_IN.finditer(line)]
                found += DIGITS_IN.findall(line)
                # An address EMAIL_IN cannot find whole is looked for as
                # it is.
                found += [k for k in odd if k in line.lower()]
                for key in dict.fromkeys(found):
                    if key in pats:
                        hits.append((path, n, pats[key], line.rstrip("\n")))
    return hits


def report(hits, out=sys.stdout):
    """Print the leaks, at most 20 of them; return how many there were."""
    for path, n, contact, line in hits[:20]:
        print("%s:%d: full contact %s: %s" % (path, n, contact, line[:300]),
              file=out)
    if len(hits) > 20:
        print("... and %d more" % (len(hits) - 20), file=out)
    return len(hits)


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    with open(argv[1], encoding="utf-8", errors="replace") as f:
        pats = contacts(f)
    read = []
    if report(scan(argv[2:], pats, read)):
        return 1
    print("contact check: none of %d contacts in full in %d files" % (
        len(pats), len(read)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

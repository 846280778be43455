#!/bin/sh
# layout.sh - src/ keeps its rule of dependence
#
# tests/it/layout.py reads src/README.md's order of the folders, every
# #include "...", every call into another module's header and every use
# of a table another module defines, and fails on a folder that reaches
# one listed after it, on a circle between modules, and on a .c file
# over 600 lines. This runs it
# on the tree, then on copies of the tree with each kind of fault put in,
# each of which it must catch.
. "$(dirname "$0")/../harness/lib.sh"

PY=/usr/bin/python3
LAYOUT="$top_srcdir/tests/it/layout.py"

say "the tree keeps the rule"
$PY "$LAYOUT" "$top_srcdir/src" > "$T/layout.out" 2>&1 || {
	cat "$T/layout.out"
	fail "src/ breaks the rule of dependence"
}
cat "$T/layout.out"
grep -q " 0 findings$" "$T/layout.out" || fail "no summary line"

# Copy the sources (no build products) to $T/src.
copy_src() {
	rm -rf "$T/src"
	mkdir "$T/src"
	(cd "$top_srcdir/src" && find . -name '*.[ch]' -o -name README.md) |
	    while read -r f; do
		mkdir -p "$T/src/$(dirname "$f")"
		cp "$top_srcdir/src/$f" "$T/src/$f"
	    done
}

# Succeed when layout.py fails on $T/src and prints a line matching $1.
caught() {
	if $PY "$LAYOUT" "$T/src" > "$T/fault.out" 2>&1; then
		cat "$T/fault.out"
		return 1
	fi
	grep -q -- "$1" "$T/fault.out" || { cat "$T/fault.out"; return 1; }
}

say "a folder that includes one after it is caught"
copy_src
printf '#include "server.h"\n' >> "$T/src/lib/log.c"
caught 'lib/log.c includes ops/server.h: ops is after lib' ||
    fail "an include reaching up was not caught"

say "a call into a later folder, without its include, is caught"
copy_src
printf 'static void f(void) { server_run(0, 0, 0); }\n' >> "$T/src/lib/json.c"
caught 'lib/json.c calls server_run() of ops/server' ||
    fail "a call reaching up was not caught"

say "a table of functions used from a folder before its own is caught"
copy_src
printf 'const void *f(void) { return &null_channel; }\n' >> "$T/src/lib/json.c"
caught 'lib/json.c uses null_channel of channel/null' ||
    fail "a table reaching up was not caught"

say "an include circle inside a folder is caught"
copy_src
printf '#include "json.h"\n' >> "$T/src/lib/log.h"
printf '#include "log.h"\n' >> "$T/src/lib/json.h"
caught 'circle of 2 files: json.h log.h' || fail "a circle was not caught"

say "two files of a folder calling each other are caught"
copy_src
printf 'static void f(void) { json_free(0); }\n' >> "$T/src/lib/fnv.c"
printf 'static void g(void) { fnv_add(0, 0, 0); }\n' >> "$T/src/lib/json.c"
caught 'circle of 2 files: fnv.c json.c' ||
    fail "a circle through calls was not caught"

say "a function handed up as a pointer is caught"
copy_src
printf 'static int (*f[])(void) = { server_run };\n' >> "$T/src/lib/probe.c"
caught 'lib/probe.c uses server_run of ops/server' ||
    fail "a function pointer reaching up was not caught"

say "a .c file over 600 lines is caught"
copy_src
i=0
while [ $i -lt 600 ]; do echo "/* line */"; i=$((i + 1)); done \
    >> "$T/src/lib/fnv.c"
caught 'lib/fnv.c: [0-9]* lines, over 600' || fail "a long file was not caught"

say "ok"

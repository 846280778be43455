#!/bin/sh
# it_fuzz.sh - fuzz the template engine briefly: the seed corpus in
# tests/fuzz and 200,000 reproducible mutations of it (make fuzz runs
# libFuzzer for longer, with clang)
set -eu
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
exec ${CLOSELOOP_WRAP:-} "$top_builddir/tests/fuzz_template" \
    "$top_srcdir/tests/fuzz" "${FUZZ_ROUNDS:-200000}"

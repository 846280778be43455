#!/bin/sh
# it_fuzz.sh - fuzz the template engine and the message builder briefly:
# the seed corpora in tests/fuzz/template and tests/fuzz/mime and 200,000
# reproducible mutations of each (make fuzz runs libFuzzer for longer,
# with clang)
set -eu
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
${CLOSELOOP_WRAP:-} "$top_builddir/tests/fuzz_template" \
    "$top_srcdir/tests/fuzz/template" "${FUZZ_ROUNDS:-200000}"
exec ${CLOSELOOP_WRAP:-} "$top_builddir/tests/fuzz_mime" \
    "$top_srcdir/tests/fuzz/mime" "${FUZZ_ROUNDS:-200000}"

#!/bin/sh
# fuzz.sh - fuzz briefly the template engine, the message builder, the
# reading of bounce and abuse reports, the reading of stream entries as
# events and of the SMS gateway's answers,
# the requests of the listener's /receipt, /inbound, /unsubscribe and
# /answer, and the console's requests: each target gets its seed corpus in
# tests/fuzz/TARGET and 200,000 reproducible mutations of it, and fails
# on the first input that breaks one of its checks (make fuzz runs the
# same targets under libFuzzer for longer, with clang)
set -eu
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
for target in template mime dsn event sms http web; do
	${CLOSELOOP_WRAP:-} "$top_builddir/tests/fuzz/fuzz_$target" \
	    "$top_srcdir/tests/fuzz/$target" "${FUZZ_ROUNDS:-200000}"
done

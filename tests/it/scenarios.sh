#!/bin/sh
# scenarios.sh - the policy scenarios (tests/scenarios/) with one daemon
exec /usr/bin/python3 \
    "${top_srcdir:-$(dirname "$0")/../..}/tests/scenarios/scenarios.py" \
    --daemons 1

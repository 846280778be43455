#!/bin/sh
# scenarios_two.sh - the policy scenarios with two daemons in one group
exec /usr/bin/python3 \
    "${top_srcdir:-$(dirname "$0")/../..}/tests/scenarios/scenarios.py" \
    --daemons 2

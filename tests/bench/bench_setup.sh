#!/bin/sh
# bench_setup.sh - install what tests/bench/bench.sh needs beyond .ci/setup:
# Postfix, for its smtp-sink and smtp-source test programs, and redis-py
# (python3-redis) for the yardstick consumer, tests/bench/bench_pyconsumer.py
#
# Postfix is installed with "No configuration" and is not started: the
# benchmark runs smtp-sink itself, on a free loopback port. Run as root
# (or with sudo) on Debian 12.
set -eu

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
if ! dpkg-query -W -f '${Status}' postfix 2>/dev/null | grep -q "ok installed"; then
	echo "postfix postfix/main_mailer_type select No configuration" |
	    $SUDO debconf-set-selections
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postfix
fi
if ! dpkg-query -W -f '${Status}' python3-redis 2>/dev/null | grep -q "ok installed"; then
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-redis
fi
command -v /usr/sbin/smtp-sink >/dev/null
command -v /usr/sbin/smtp-source >/dev/null
echo "smtp-sink and smtp-source are installed"

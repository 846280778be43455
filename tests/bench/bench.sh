#!/bin/sh
# bench.sh - closeloopd end to end: throughput, latency, memory, CPU, and
# a backlog drained, against Postfix's smtp-sink and an SMS stand-in
#
# Usage: tests/bench/bench.sh [e2e] [latency] [idle] [render] [backlog] [single] [redis]
# (default: all but backlog and redis)
#
#   e2e      BENCH_SRS SRs of tests/bench/bench_workload.py (default 20000,
#            about 90,000 events) are written to the stream as fast as
#            redis-cli --pipe goes while closeloopd runs; it delivers the
#            email to smtp-sink and the SMS to the stand-in (BENCH_SMS:
#            nginx, the default, or python: benchlib.sh). Prints
#            events/s, notifications/s, peak RSS, CPU seconds per 1,000
#            notifications of closeloopd, redis-server and the two
#            stand-ins, and what two cores could deliver at that cost;
#            then smtp-source sends as many messages of the
#            same size to the same smtp-sink, as the reference rate.
#            BENCH_DAEMONS=2 runs a second closeloopd in the same group
#            (CPU is then both daemons'); BENCH_STATS=1 prints Redis's
#            commands, bytes and CPU per event and per notification.
#   latency  the workload offered at BENCH_RATE events/s (default 500) for
#            about BENCH_SECONDS (default 30); prints p50/p95/p99 from each
#            event's XADD to smtp-sink's receipt of its message (read from
#            the dump smtp-sink writes as it takes the message in, before
#            its 250).
#   idle     CPU time and wake-ups (context switches, per thread) of
#            closeloopd in BENCH_IDLE seconds (default 10) with nothing
#            to do, after it delivered 200 SRs' notifications, with its
#            listener and audit.file writer running.
#   render   tests/bench/bench_render: notices rendered per second of one core,
#            for email (with and without building the MIME message) and
#            SMS, in each shipped locale.
#   single   BENCH_SINGLE SRs (default 20,000) of one email subscriber
#            (English) and one completion each, in the stream before
#            closeloopd starts; then the same events read by
#            tests/bench/bench_pyconsumer.py, the least a consumer can do
#            (redis-py and smtplib, no policy, retry, audit or templates),
#            into the same smtp-sink; prints both rates and their ratio.
#   redis    BENCH_REDIS_SRS SRs (default 300) delivered with redis-server's
#            MONITOR on; the commands captured are then replayed into a
#            fresh redis-server under callgrind (tests/bench/bench_replay.py),
#            which prints the instructions Redis executed per event: a
#            figure that does not move with the machine's load, for
#            comparing two versions of closeloop.
#   backlog  BENCH_BACKLOG events (default 1,000,000) already in the
#            stream when closeloopd starts; time until it has read and
#            delivered them all.
#
# Needs Debian's postfix (smtp-sink, smtp-source): tests/bench/bench_setup.sh
# installs it. The figures are the machine's: see docs/performance.md.
# Not part of make check.
#
# The run's files are in /dev/shm where the machine has it (CLOSELOOP_TMP
# says otherwise): smtp-sink writes each message to a file of its own,
# which on a disk file system cost it 0.23 CPU seconds per 1,000
# messages, more than closeloopd spent on them; in memory, 0.06.
# Redis keeps nothing on disk in these runs either way.
if [ -z "${CLOSELOOP_TMP:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
	CLOSELOOP_TMP=/dev/shm
	export CLOSELOOP_TMP
fi
. "$(dirname "$0")/../harness/lib.sh"
. "$(dirname "$0")/benchlib.sh"

SOURCE=${SMTP_SOURCE:-/usr/sbin/smtp-source}
[ -x "$SOURCE" ] || missing "smtp-source is not installed (Debian package postfix)"

# The end-to-end run, then the reference rate.
bench_e2e() {
	srs=${BENCH_SRS:-20000}
	say "end to end: $srs SRs"
	$WORKLOAD --srs "$srs" resp > "$T/events.resp" 2> "$T/workload.txt"
	nev=$(awk '{ print $2 }' "$T/workload.txt")
	run_start
	daemon_start
	wait_for 10 "closeloopd's group" group_made
	if [ "${BENCH_DAEMONS:-1}" = 2 ]; then
		# A second closeloopd in the same group: its own consumer.
		sed 's/consumer = "[^"]*";/consumer = "bench2";/' "$CONF" \
		    > "$T/two.conf"
		"$CLOSELOOPD" -c "$T/two.conf" >>"$T/two.log" 2>&1 &
		TWO_PID=$!
		EXTRA_PIDS="$EXTRA_PIDS $TWO_PID"
		sleep 1
	fi
	[ -z "${BENCH_STATS:-}" ] || rcli CONFIG RESETSTAT > /dev/null
	r0=$(redis_cpu)
	c0=$(cpu_ticks "$DAEMON_PID")
	k0=$(cpu_ticks "$SINK_PID")
	g0=$(gateway_cpu)
	t0=$(date +%s.%N)
	rcli --pipe < "$T/events.resp" > /dev/null
	wait_for 1200 "closeloopd to read every event" lag_is_0
	wait_for 1200 "closeloopd to acknowledge every event" pending_is_0
	t1=$(date +%s.%N)
	wait_for 1200 "closeloopd to deliver" idle
	c1=$(cpu_ticks "$DAEMON_PID")
	[ -z "${TWO_PID:-}" ] || c1=$((c1 + $(cpu_ticks "$TWO_PID")))
	k1=$(cpu_ticks "$SINK_PID")
	g1=$(gateway_cpu)
	r1=$(redis_cpu)
	rss=$(peak_rss "$DAEMON_PID")
	mail=$(sink_count)
	sms=$(gateway_count)
	tl=$(newest "$SINK_DIR")
	size=$(mean_size)
	awk -v n="$nev" -v m="$mail" -v s="$sms" -v t0="$t0" -v t1="$t1" \
	    -v tl="$tl" -v c="$((c1 - c0))" -v hz="$TICK" -v rss="$rss" \
	    -v z="$size" -v k="$((k1 - k0))" -v g="$((g1 - g0))" \
	    -v r="$(awk -v a="$r0" -v b="$r1" 'BEGIN { print b - a }')" 'BEGIN {
		printf "events: %d, read and acknowledged in %.2f s: %.0f events/s\n", n, t1 - t0, n / (t1 - t0)
		printf "email: %d at smtp-sink in %.2f s: %.0f notifications/s (mean size %d bytes)\n", m, tl - t0, m / (tl - t0), z
		printf "sms: %d at the stand-in\n", s
		printf "all notifications: %.0f/s\n", (m + s) / (tl - t0)
		printf "closeloopd CPU: %.2f s in all, %.3f s per 1,000 notifications\n", c / hz, c / hz / (m + s) * 1000
		printf "closeloopd peak RSS: %.1f MiB\n", rss / 1024
		printf "CPU per 1,000 notifications: closeloopd %.3f s, redis-server %.3f s, smtp-sink %.3f s, SMS stand-in %.3f s\n", c / hz / (m + s) * 1000, r / (m + s) * 1000, k / hz / (m + s) * 1000, g / hz / (m + s) * 1000
		printf "two cores at that cost: %.0f notifications/s\n", 2 * (m + s) / (c / hz + r + (k + g) / hz)
	}' | tee "$T/e2e.txt"
	if [ -n "${BENCH_STATS:-}" ]; then
		say "Redis: commands per event (the producer's XADD among them)"
		rcli INFO commandstats | tr ':=,' '   ' |
		    awk -v n="$nev" -v m="$((mail + sms))" '/^cmdstat/ {
			sub("cmdstat_", "", $1)
			printf "%-20s %8.2f per event, %6.2f per notification, %6.1f us each\n", $1, $3 / n, $3 / m, $7
			calls += $3; us += $5
		    } END {
			printf "all commands: %.1f per event, %.1f per notification; %.0f us of Redis per event (%.0f events/s on one Redis core at this mix)\n", calls / n, calls / m, us / n, 1e6 / (us / n)
		    }' | sort -k2 -rn
		rcli INFO stats | tr -d '\r' | awk -F: -v n="$nev" -v m="$((mail + sms))" '
		    /^total_net_input_bytes/ { i = $2 } /^total_net_output_bytes/ { o = $2 }
		    /^total_reads_processed/ { r = $2 }
		    END { printf "bytes to Redis: %.0f per event, %.0f per notification; from Redis: %.0f per event, %.0f per notification\n", i / n, i / m, o / n, o / m
			printf "reads from Redis'"'"'s clients (each a wake-up of its event loop for one client): %.1f per event, %.1f per notification\n", r / n, r / m }'
		awk -v a="$r0" -v b="$(redis_cpu)" -v n="$nev" 'BEGIN {
			printf "redis-server CPU: %.1f s, %.0f us per event\n", b - a, (b - a) / n * 1e6 }'
	fi
	ERATE=$(awk -v m="$mail" -v t0="$t0" -v tl="$tl" 'BEGIN { printf "%.0f", m / (tl - t0) }')
	daemon_stop 60

	say "reference: smtp-source, $mail messages of $size bytes"
	for mode in default "-d" ""; do
		find "$SINK_DIR" -type f -delete
		k=$SESSIONS
		[ "$mode" != default ] || k=1
		s0=$(date +%s.%N)
		"$SOURCE" ${mode#default} -s "$k" -m "$mail" -l "$size" \
		    -f 311@example.org -t resident@example.net \
		    "127.0.0.1:$SMTP_PORT"
		wait_for 60 "smtp-source's messages" sink_has "$mail"
		s1=$(newest "$SINK_DIR")
		awk -v m="$mail" -v s0="$s0" -v s1="$s1" -v r="$ERATE" \
		    -v mode="$mode" -v k="$k" 'BEGIN {
			rate = m / (s1 - s0)
			how = mode == "-d" ? "-d, connections kept" : "a connection per message"
			printf "smtp-source %s(%d session%s, %s): %.0f messages/s; closeloop/smtp-source: %.2f\n", mode == "default" ? "with its defaults " : "", k, k == 1 ? "" : "s", how, rate, r / rate
		}'
	done
	run_stop
}

# Succeed if redis-server has a client in MONITOR.
monitoring() {
	rcli CLIENT LIST | grep -q 'cmd=monitor'
}

# Redis's instructions per event, counted on a replay of a run's commands.
bench_redis() {
	srs=${BENCH_REDIS_SRS:-300}
	say "redis: $srs SRs, their commands replayed under callgrind"
	command -v valgrind > /dev/null || missing "valgrind is not installed"
	$WORKLOAD --srs "$srs" resp > "$T/events.resp" 2> "$T/workload.txt"
	nev=$(awk '{ print $2 }' "$T/workload.txt")
	run_start
	"$REDIS_CLI" -s "$SOCK" MONITOR > "$T/monitor.txt" &
	MON_PID=$!
	EXTRA_PIDS="$EXTRA_PIDS $MON_PID"
	wait_for 10 "MONITOR" monitoring
	daemon_start
	wait_for 10 "closeloopd's group" group_made
	rcli --pipe < "$T/events.resp" > /dev/null
	wait_for 600 "closeloopd to read every event" lag_is_0
	wait_for 600 "closeloopd to deliver" idle
	# Not what the contact check reads as Redis stops.
	kill "$MON_PID"
	wait "$MON_PID" 2>/dev/null || true
	daemon_stop 60
	run_stop
	$PY "$top_srcdir/tests/bench/bench_replay.py" --monitor "$T/monitor.txt" \
	    --events "$nev" --dir "$T"
}

# The paced run: latency from XADD to smtp-sink.
bench_latency() {
	rate=${BENCH_RATE:-500}
	secs=${BENCH_SECONDS:-30}
	srs=$(awk -v r="$rate" -v s="$secs" 'BEGIN { printf "%d", r * s / 4.5 }')
	say "latency: $srs SRs offered at $rate events/s"
	run_start clock
	daemon_start
	wait_for 10 "closeloopd's group" group_made
	$WORKLOAD --srs "$srs" pace --socket "$SOCK" --rate "$rate" \
	    --times "$T/times.txt" 2> "$T/workload.txt"
	wait_for 600 "closeloopd to deliver" idle
	sleep 1
	$WORKLOAD --srs 0 latency --socket "$SOCK" --times "$T/times.txt" \
	    --clock "$T/clock.txt" | tee "$T/latency.txt"
	run_stop
}

# CPU used while there is nothing to do.
bench_idle() {
	secs=${BENCH_IDLE:-10}
	say "idle: $secs s, with the listener and audit.file"
	run_start
	# Every thread the daemon may run: the listener's and the writer's.
	HTTP_LISTEN="127.0.0.1:$(free_port)" BENCH_CONF="audit = { file = \"$T/audit.jsonl\"; };" \
	    bench_config
	daemon_start
	wait_for 10 "closeloopd's group" group_made
	# Some work first, then nothing: what it did leaves no timer behind.
	$WORKLOAD --srs 200 resp 2> /dev/null | rcli --pipe > /dev/null
	wait_for 120 "closeloopd to deliver" idle
	sleep 3
	c0=$(cpu_ticks "$DAEMON_PID")
	wakeups "$DAEMON_PID" > "$T/wake0"
	sleep "$secs"
	c1=$(cpu_ticks "$DAEMON_PID")
	wakeups "$DAEMON_PID" > "$T/wake1"
	awk -v c="$((c1 - c0))" -v hz="$TICK" -v s="$secs" 'BEGIN {
		printf "idle CPU: %.2f s in %d s (%.2f%%)\n", c / hz, s, 100 * c / hz / s
	}'
	# Wake-ups per thread: context switches in the idle seconds.
	awk -v s="$secs" 'NR == FNR { was[$1] = $3; next }
	    { n = $3 - ($1 in was ? was[$1] : 0); all += n
	      printf "  thread %s (%s): %d wake-ups\n", $1, $2, n }
	    END { printf "idle wake-ups: %d in %d s\n", all, s }' \
	    "$T/wake0" "$T/wake1"
	run_stop
}

# Renders per second per core, per channel and locale.
bench_render() {
	say "render: per core"
	SMTP_PORT=25 GW_PORT=80 bench_config
	printf 'tok3n\n' > "$T/twilio.secret"
	"$top_builddir/tests/bench/bench_render" "$CONF" "${BENCH_RENDERS:-20000}"
}

# Start the clock, run "$@" (in this shell, so that a daemon it starts is
# stopped by run_stop) until smtp-sink has $srs messages, and write the
# seconds from the start to the last message's arrival to $T/single.s.
single_run() {
	_s0=$(date +%s.%N)
	"$@"
	wait_for 1200 "the $srs messages" sink_has "$srs"
	awk -v s0="$_s0" -v s1="$(newest "$SINK_DIR")" 'BEGIN { printf "%.3f\n", s1 - s0 }' > "$T/single.s"
}

# Run the yardstick consumer over the stream until it has sent $srs.
single_py() {
	$PY "$top_srcdir/tests/bench/bench_pyconsumer.py" --socket "$SOCK" \
	    --smtp "127.0.0.1:$SMTP_PORT" --count "$srs" > "$T/py.out" 2>&1
}

# One email subscriber and one completion per SR, already in the stream:
# closeloopd, then the least a consumer can do (bench_pyconsumer.py), on
# the same events and the same smtp-sink, and the ratio of their rates.
bench_single() {
	srs=${BENCH_SINGLE:-20000}
	say "single completions: $srs SRs, one email each"
	$WORKLOAD --single --srs "$srs" resp > "$T/single.resp" 2> "$T/workload.txt"
	run_start
	rcli --pipe < "$T/single.resp" > /dev/null
	r0=$(redis_cpu)
	k0=$(cpu_ticks "$SINK_PID")
	single_run daemon_start
	cs=$(cat "$T/single.s")
	cx=$(wakeups "$DAEMON_PID" | awk '{ n += $3 } END { print n }')
	cc=$(cpu_ticks "$DAEMON_PID")
	cr=$(awk -v a="$r0" -v b="$(redis_cpu)" 'BEGIN { print b - a }')
	ck=$(( $(cpu_ticks "$SINK_PID") - k0 ))
	run_stop
	run_start
	rcli --pipe < "$T/single.resp" > /dev/null
	r0=$(redis_cpu)
	k0=$(cpu_ticks "$SINK_PID")
	single_run single_py
	ps=$(cat "$T/single.s")
	pc=$(awk '/^pyconsumer CPU:/ { print $3 }' "$T/py.out")
	pr=$(awk -v a="$r0" -v b="$(redis_cpu)" 'BEGIN { print b - a }')
	pk=$(( $(cpu_ticks "$SINK_PID") - k0 ))
	run_stop
	awk -v n="$srs" -v c="$cs" -v p="$ps" -v x="$cx" -v cc="$cc" \
	    -v cr="$cr" -v ck="$ck" -v pc="${pc:-0}" -v pr="$pr" -v pk="$pk" \
	    -v hz="$TICK" 'BEGIN {
		printf "closeloopd: %d emails in %.2f s: %.0f/s\n", n, c, n / c
		printf "minimal Python consumer: %d emails in %.2f s: %.0f/s\n", n, p, n / p
		printf "closeloopd/minimal consumer: %.2f\n", p / c
		printf "closeloopd context switches: %.1f per email\n", x / n
		printf "closeloopd CPU: %.3f s per 1,000 emails\n", cc / hz / n * 1000
		# The CPU of every process an email needs, and what two
		# cores could do at that cost.
		a = cc / hz; b = cr; k = ck / hz
		printf "CPU per 1,000 emails, closeloopd: itself %.3f s, redis-server %.3f s, smtp-sink %.3f s; %.3f s in all, two cores'"'"' worth at %.0f emails/s\n", a / n * 1000, b / n * 1000, k / n * 1000, (a + b + k) / n * 1000, 2 * n / (a + b + k)
		k = pk / hz
		printf "CPU per 1,000 emails, minimal consumer: itself %.3f s, redis-server %.3f s, smtp-sink %.3f s; %.3f s in all, two cores'"'"' worth at %.0f emails/s\n", pc / n * 1000, pr / n * 1000, k / n * 1000, (pc + pr + k) / n * 1000, 2 * n / (pc + pr + k)
	}'
}

# A backlog read at start.
bench_backlog() {
	n=${BENCH_BACKLOG:-1000000}
	srs=$((n * 2 / 9))
	say "backlog: $srs SRs, about $n events, before closeloopd starts"
	run_start
	$WORKLOAD --srs "$srs" resp 2> "$T/workload.txt" | rcli --pipe > /dev/null
	nev=$(rcli XLEN closeloop:events)
	t0=$(date +%s.%N)
	daemon_start
	wait_for 3600 "closeloopd to read every event" lag_is_0
	wait_for 3600 "closeloopd to acknowledge every event" pending_is_0
	t1=$(date +%s.%N)
	awk -v n="$nev" -v t0="$t0" -v t1="$t1" -v m="$(sink_count)" \
	    -v s="$(gateway_count)" 'BEGIN {
		printf "backlog: %d events read and acknowledged in %.1f s (%.0f events/s); by then %d emails and %d texts delivered\n", n, t1 - t0, n / (t1 - t0), m, s
	}'
	wait_for 7200 "closeloopd to deliver" idle
	t2=$(newest "$SINK_DIR")
	# The stand-in appends each text to one file: its time is the last.
	t3=$(find "$GW_FILE" -printf '%T@\n')
	rss=$(peak_rss "$DAEMON_PID")
	awk -v t0="$t0" -v t2="$t2" -v t3="${t3:-$t0}" -v m="$(sink_count)" \
	    -v s="$(gateway_count)" -v rss="$rss" 'BEGIN {
		printf "backlog: %d emails delivered in %.1f s, %d texts in %.1f s; all in %.1f s\n", m, t2 - t0, s, t3 - t0, (t3 > t2 ? t3 : t2) - t0
		printf "closeloopd peak RSS: %.1f MiB\n", rss / 1024
	}'
	run_stop
}

[ $# -gt 0 ] || set -- e2e single latency idle render
for what in "$@"; do
	case $what in
	e2e) bench_e2e ;;
	latency) bench_latency ;;
	idle) bench_idle ;;
	backlog) bench_backlog ;;
	single) bench_single ;;
	render) bench_render ;;
	redis) bench_redis ;;
	*) fail "unknown benchmark: $what" ;;
	esac
done

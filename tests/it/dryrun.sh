#!/bin/sh
# dryrun.sh - closeloopd --dry-run is a rehearsal that touches nothing
# of the real daemon
#
# A city's first start: a rehearsal reads the events and records what it
# would send (dry_run) under closeloop-dryrun:, sending nothing; the real
# daemon started after it still sends every notification. Side by side on
# one stream, each reads it in its own group and keeps its own records,
# dead letters, outbound stream to the CRM and audit file (the rehearsal
# writes none, and opens no listener); "closeloop --dry-run history" and "report" show the
# rehearsal, "closeloop history" the real run.
. "$(dirname "$0")/../harness/lib.sh"

PY=/usr/bin/python3
need "$PY" python3

redis_start
smtpd_plain
HTTP_PORT=$(free_port)
write_config "" "policy = { settle_seconds = 0; coalesce_seconds = 0; };
$(smtp_config)
audit = { file = \"$T/audit.jsonl\"; };
http = { listen = \"127.0.0.1:$HTTP_PORT\"; };"

# Start the rehearsal, its log in $T/dry.log (in the contact check).
dry_start() {
	closeloop_wrote "$T/dry.log"
	$WRAP "$CLOSELOOPD" --dry-run -c "$CONF" >>"$T/dry.log" 2>&1 &
	DRY_PID=$!
	EXTRA_PIDS="$EXTRA_PIDS $DRY_PID"
}

# Succeed when the rehearsal has recorded exactly $1 dry_runs for D-1.
dry_runs_are() {
	count_decision D-1 dry_run --dry-run
	[ "$NDECISIONS" = "$1" ]
}

# Print how many emails the SMTP server got.
mails() {
	ls "$MAIL"/*.eml 2>/dev/null | wc -l
}

say "the rehearsal alone: decided, rendered, recorded, nothing sent"
dry_start
rcli XADD closeloop:events '*' v 1 type subscribe event_id s-D-1 sr D-1 \
    ts 2026-11-20T09:00:00Z email dana@example.org >/dev/null
rcli XADD closeloop:events '*' v 1 type status event_id r-D-1 sr D-1 \
    ts 2026-11-20T09:01:00Z division TW status received >/dev/null
rcli XADD closeloop:events '*' v 1 type status sr D-9 >/dev/null
wait_for 30 "the rehearsal's dry_run" has_decision D-1 dry_run 1 --dry-run
grep -q "dry run: a rehearsal beside the real daemon - closeloop:events read as group closeloopd-dryrun, everything recorded under closeloop-dryrun:" "$T/dry.log" ||
    fail "the rehearsal does not say what it is"
wait_for 20 "the rehearsal's dead letter" \
    eval '[ "$(rcli XLEN closeloop-dryrun:dead)" = 1 ]'
assert "no real dead letter" [ "$(rcli XLEN closeloop:dead)" = 0 ]
assert "what it would tell the CRM, in its own stream" \
    [ "$(rcli XLEN closeloop-dryrun:outbound)" -ge 1 ]
assert "nothing told the CRM" [ "$(rcli EXISTS closeloop:outbound)" = 0 ]
count_decision D-1 ""
assert "nothing recorded for the real run" [ "$NDECISIONS" = 0 ]
assert "no real state" [ "$(rcli EXISTS 'closeloop:sr:{D-1}:state')" = 0 ]
assert "no audit file written" [ ! -s "$T/audit.jsonl" ]
port_up "$HTTP_PORT" && fail "the rehearsal opened the listener"
sleep 1
assert "nothing sent" [ "$(mails)" = 0 ]

say "the real daemon started after it sends everything"
daemon_start
wait_for 30 "the email" eval '[ "$(mails)" = 1 ]'
wait_for 20 "the real run's sent" has_decision D-1 sent
has_decision D-1 dry_run && fail "the real run recorded a dry_run"
wait_for 10 "the real dead letter" eval '[ "$(rcli XLEN closeloop:dead)" = 1 ]'
wait_for 10 "the real listener" port_up "$HTTP_PORT"
wait_for 10 "the real audit file" eval '[ -s "$T/audit.jsonl" ]'

say "side by side: each reads the stream in its group, keeps its own"
rcli XADD closeloop:events '*' v 1 type status event_id a-D-1 sr D-1 \
    ts 2026-11-20T09:05:00Z division TW status assigned >/dev/null
wait_for 30 "the second email" eval '[ "$(mails)" = 2 ]'
wait_for 30 "the rehearsal's second dry_run" dry_runs_are 2
sleep 1
assert "two emails, not four" [ "$(mails)" = 2 ]
has_decision D-1 sent 1 --dry-run && fail "the rehearsal sent"
rcli XINFO GROUPS closeloop:events > "$T/groups"
grep -qx closeloopd "$T/groups" && grep -qx closeloopd-dryrun "$T/groups" ||
    fail "the two groups are not there: $(cat "$T/groups")"
grep -q "dry_run" "$T/audit.jsonl" && fail "the rehearsal wrote to the audit file"
"$CLOSELOOP" -c "$CONF" --dry-run report --since 30d --json > "$T/dry.json"
"$CLOSELOOP" -c "$CONF" report --since 30d --json > "$T/real.json"
$PY - "$T/dry.json" "$T/real.json" <<'EOF' || fail "the reports do not tell the runs apart"
import json, sys
dry = {r["division"]: r for r in map(json.loads, open(sys.argv[1]))}
real = {r["division"]: r for r in map(json.loads, open(sys.argv[2]))}
assert dry["TW"]["notices"] == 2 and real["TW"]["notices"] == 2, (dry, real)
assert dry["TW"]["sent_email"] == 0 and real["TW"]["sent_email"] == 2, (dry, real)
EOF

say "a SIGHUP keeps the rehearsal a rehearsal"
kill -HUP "$DRY_PID"
wait_for 10 "the rehearsal's reload" grep -q "configuration reloaded" "$T/dry.log"
rcli XADD closeloop:events '*' v 1 type status event_id i-D-1 sr D-1 \
    ts 2026-11-20T09:09:00Z division TW status in_progress >/dev/null
wait_for 30 "the third email" eval '[ "$(mails)" = 3 ]'
wait_for 30 "the rehearsal's third dry_run" dry_runs_are 3
sleep 1
assert "three emails" [ "$(mails)" = 3 ]

kill -TERM "$DRY_PID"
wait "$DRY_PID" || fail "the rehearsal did not stop cleanly"
daemon_stop
echo PASS

#!/bin/sh
# audit.sh - the audit trail: what each resident was told, and why
#
# closeloopd delivers email to a loopback SMTP server (aiosmtpd) and SMS
# through the real Kannel, whose delivery reports come back to closeloopd's
# listener. Checked through "closeloop history --json", as a division would:
# the SHA-256 recorded for a sent email is the SHA-256 of the bytes the
# SMTP server received, and its subject is the one the resident read; the
# SMS text recorded is the text that reached the phone, and Kannel's
# receipt shows as "delivered" (Kannel calling the URL with its expiry
# time); a later report saying otherwise is only counted; a forged
# receipt is refused and changes nothing; a misleading closure is in the
# history as suppressed, with its rule; "--since" queries filter by decision and division; "closeloop
# report" counts per division; no full address or number in any output.
# The JSON Lines file (audit.file) holds every entry exactly once, across a
# rotation (mv + SIGHUP) and a full disk (the file is /dev/full for a
# while): nothing is lost.
. "$(dirname "$0")/../harness/lib.sh"
. "$top_srcdir/tests/harness/kannel.sh"

PY=/usr/bin/python3
need "$PY" python3
"$PY" -c 'import aiosmtpd' 2>/dev/null ||
    missing "aiosmtpd is not installed (Debian package python3-aiosmtpd)"
[ -x "$KANNEL_BEARERBOX" ] || missing "bearerbox is not installed (Debian package kannel)"
[ -x "$KANNEL_FAKESMSC" ] || missing "fakesmsc is not installed (Debian package kannel-extras)"
command -v curl >/dev/null 2>&1 || missing "curl is not installed"

redis_start
kannel_start "$T/kannel"
EXTRA_PIDS="$EXTRA_PIDS $KANNEL_PIDS"
printf 'dlr-k3y-for-tests\n' > "$T/dlr.secret"
chmod 600 "$T/dlr.secret"
smtpd_plain

HTTP_PORT=$(free_port)
AUDIT="$T/audit.jsonl"

# Write the configuration; $1 is the audit file.
audit_config() {
	write_config "" "policy = { settle_seconds = 0; coalesce_seconds = 0; };
$(smtp_config)
$(kannel_config "dlr_url = \"http://127.0.0.1:$HTTP_PORT/receipt\";
	dlr_secret_file = \"$T/dlr.secret\";")
audit = { file = \"$1\"; };
http = { listen = \"127.0.0.1:$HTTP_PORT\"; };"
}
audit_config "$AUDIT"
daemon_start

# Publish a subscription: $1 SR, $2 email or phone field, $3 address,
# $4 locale, $5 channel.
subscribe() {
	rcli XADD closeloop:events '*' v 1 type subscribe event_id "s-$1-$5" \
	    sr "$1" ts 2026-11-20T09:00:00Z "$2" "$3" locale "$4" \
	    channels "$5" >/dev/null
}

say "an email and an SMS, completed with a note"
subscribe A-1 email ana.lima@example.org fr email
subscribe A-2 phone +14165550102 en sms
for sr in A-1 A-2; do
	rcli XADD closeloop:events '*' v 1 type status event_id "c-$sr" \
	    sr "$sr" ts 2026-11-20T10:00:00Z division TW status closed \
	    reason completed service "Catch Basin Blocked" \
	    note "Basin cleared" >/dev/null
done

wait_for 30 "the email to be sent" has_decision A-1 sent
wait_for 30 "the SMS to be sent" has_decision A-2 sent

say "the email: the recorded hash is the hash of what the server got"
[ "$(ls "$MAIL"/*.eml | wc -l)" -eq 1 ] || fail "want 1 message at the SMTP server"
got=$(sha256sum "$MAIL/1.eml" | cut -d' ' -f1)
history_json A-1
rec=$(hfield_taken content_sha256 sent)
[ "$got" = "$rec" ] || fail "content_sha256 $rec is not the SHA-256 of the received message, $got"
subject=$($PY -c '
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
print(m["Subject"])' "$MAIL/1.eml")
[ "$(hfield_taken subject sent)" = "$subject" ] ||
    fail "the recorded subject is not the one received: $subject"
[ "$(hfield_taken locale sent)" = "fr" ] || fail "the locale is not recorded"
[ "$(hfield_taken to sent)" = "a***@example.org" ] || fail "the recipient is not masked"
[ -n "$(hfield_taken template_version sent)" ] || fail "no template version"
hfield_taken text sent | grep "Basin cleared" >/dev/null || fail "the text part is not recorded"
$PY -c '
import json, sys
ds = [json.loads(l) for l in open(sys.argv[1])]
kinds = [d["decision"] for d in ds]
assert kinds[0] == "subscribed", kinds
assert "received" in kinds and "queued" in kinds and "sent" in kinds, kinds
sent = [d for d in ds if d["decision"] == "sent"][0]
for k in ("ts", "sr", "notice", "channel", "locale", "event_ids", "reply"):
    assert k in sent, k
assert sent["notice"] == "completed" and sent["channel"] == "email", sent
assert sent["event_ids"] == ["c-A-1"], sent["event_ids"]
assert sent["reply"].startswith("250"), sent["reply"]
' "$T/history.json" || fail "the email's timeline is not complete"

say "the SMS: the recorded text reached the phone, and the receipt is in the history"
kannel_has() {
	[ "$(kannel_received | wc -l)" -ge "$1" ]
}
wait_for 20 "fakesmsc to get the SMS" kannel_has 1
wait_for 20 "Kannel's delivery report" has_decision A-2 delivered
history_json A-2
text=$(hfield_taken sms sent)
kannel_received | grep -F -- "$text" >/dev/null || fail "the recorded SMS is not the text fakesmsc got: $text"
[ "$(hfield_taken content_sha256 sent)" = "$(printf '%s' "$text" | sha256sum | cut -d' ' -f1)" ] ||
    fail "the SMS's hash is not that of its text"
[ "$(hfield_taken receipt delivered)" = "delivered" ] || fail "the receipt is not 'delivered'"
id=$(hfield_taken notification sent)
[ "$(nfield "$id" receipt)" = "delivered" ] || fail "the record does not hold the receipt"
"$CLOSELOOP" -c "$CONF" history A-2 | tee "$T/history-A-2"
grep -q "delivered .*delivered to the phone" "$T/history-A-2" ||
    fail "the printed history does not say it reached the phone"
grep -q "text: " "$T/history-A-2" || fail "the printed history does not quote the SMS"

say "a forged receipt is refused and changes nothing"
history_json A-2
before=$(wc -l < "$T/history.json")
code=$(curl -s -o /dev/null -w '%{http_code}' \
    "http://127.0.0.1:$HTTP_PORT/receipt?id=$id&token=0000&status=2")
[ "$code" = 403 ] || fail "a wrong token got HTTP $code"
code=$(curl -s -o /dev/null -w '%{http_code}' \
    "http://127.0.0.1:$HTTP_PORT/receipt?id=$id&status=2")
[ "$code" = 403 ] || fail "no token got HTTP $code"
history_json A-2
[ "$(wc -l < "$T/history.json")" = "$before" ] ||
    fail "a forged receipt changed the history"
[ "$(nfield "$id" receipt)" = "delivered" ] || fail "a forged receipt changed the record"

say "a later report that says otherwise is counted, not recorded"
ignored=$(nfield "$id" receipts_ignored)
code=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Closeloop-Secret: dlr-k3y-for-tests" \
    "http://127.0.0.1:$HTTP_PORT/receipt?id=$id&status=16&answer=NACK")
[ "$code" = 200 ] || fail "a late report got HTTP $code"
history_json A-2
[ "$(wc -l < "$T/history.json")" = "$before" ] ||
    fail "a late report changed the history"
[ "$(nfield "$id" receipt)" = "delivered" ] || fail "a late report changed the record"
[ "$(nfield "$id" receipts_ignored)" = $((${ignored:-0} + 1)) ] ||
    fail "the late report is not counted"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Closeloop-Secret: dlr-k3y-for-tests" \
    "http://127.0.0.1:$HTTP_PORT/receipt?id=Z-9/1/0&status=1")
[ "$code" = 404 ] || fail "a receipt for an unknown notification got HTTP $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT/elsewhere")
[ "$code" = 404 ] || fail "an unknown path got HTTP $code"

say "a misleading closure: suppressed, with its rule, and flags"
rcli XADD closeloop:events '*' v 1 type subscribe event_id s-B-1 sr B-1 \
    ts 2026-11-20T09:00:00Z email bo@example.org channels email >/dev/null
rcli XADD closeloop:events '*' v 1 type status event_id c-B-1 sr B-1 \
    ts 2026-11-20T10:00:00Z division TS status closed reason transferred \
    transfer_to TW service "Road Pothole" >/dev/null
rcli XADD closeloop:events '*' v 1 type status event_id c-C-1 sr C-1 \
    ts 2026-11-20T10:00:00Z division TS status closed reason duplicate \
    service "Road Pothole" >/dev/null
wait_for 20 "the transfer to be told" has_decision B-1 sent
history_json B-1
[ "$(hfield_taken rule suppressed)" = "explicit_transfer" ] ||
    fail "the closure by TS is not suppressed as explicit_transfer"
[ "$(hfield_taken notice sent)" = "transferred" ] || fail "the resident was not told 'transferred'"
wait_for 10 "the duplicate's flag" has_decision C-1 flagged
history_json C-1
hfield_taken rule flagged | grep -x duplicate_without_link >/dev/null || fail "no duplicate_without_link flag"
hfield_taken rule flagged | grep -x no_note >/dev/null || fail "no no_note flag"

say "history across SRs: --since, --decision, --division"
"$CLOSELOOP" -c "$CONF" history --since 1h --decision suppressed > "$T/q1"
grep -q "B-1 .*suppressed .*explicit_transfer" "$T/q1" || fail "--decision suppressed misses B-1"
if grep -q "A-1" "$T/q1"; then fail "--decision suppressed shows A-1"; fi
"$CLOSELOOP" -c "$CONF" history --json --since 1h --decision sent,delivered --division TW > "$T/q2"
$PY - "$T/q2" <<'EOF' || fail "--decision sent,delivered --division TW is wrong"
import json, sys
ds = [json.loads(l) for l in open(sys.argv[1])]
assert ds and all(d["decision"] in ("sent", "delivered") for d in ds), ds
assert all(d["division"] == "TW" for d in ds), ds
assert {d["sr"] for d in ds} == {"A-1", "A-2", "B-1"}, {d["sr"] for d in ds}
EOF
# Succeed if history with option $1 set to $2 (and more arguments $3...)
# is refused with exit 65 (EX_DATAERR) and a message naming the option
# and the value: a crash is not a refusal.
refused() {
	_rc=0
	"$CLOSELOOP" -c "$CONF" history "$@" > "$T/refused" 2>&1 || _rc=$?
	cat "$T/refused"
	[ "$_rc" = 65 ] &&
	    grep -q "^closeloop history: $1: \"$2\" is not a" "$T/refused"
}
refused --since 2026-13-01 || fail "a bad date is not refused"
refused --decision nonsense --since 1h ||
    fail "an unknown decision is not refused"

say "an SMS shortened to fit: the trail says what went, history shows it whole"
subscribe A-3 phone +14165550103 en sms
note=$($PY -c 'print(("The crew cleared the catch basin and flushed the line to the "
    "main. ") * 7)')
rcli XADD closeloop:events '*' v 1 type status event_id c-A-3 sr A-3 \
    ts 2026-11-20T10:00:00Z division TW status closed reason completed \
    note "$note" photos https://photos.example.org/a3.jpg >/dev/null
wait_for 30 "the long SMS to be sent" has_decision A-3 sent
wait_for 20 "fakesmsc to get it" kannel_has 2
wait_for 20 "its delivery report" has_decision A-3 delivered
history_json A-3
text=$(hfield_taken sms sent)
[ "${#text}" -gt 300 ] || fail "the SMS recorded is not the long one: $text"
kannel_received | grep -F -- "$text" >/dev/null ||
    fail "the recorded SMS is not the text fakesmsc got"
$PY -c '
import json, sys
ds = [json.loads(l) for l in open(sys.argv[1])]
f = [d for d in ds if d["decision"] == "flagged" and d.get("rule") == "sms_shortened"]
assert len(f) == 1, ds
f = f[0]
assert f["division"] == "TW", f
assert int(f["note_chars_cut"]) > 100, f
assert f["photo_dropped"] == "1", f
assert "of the note left out, the photo link left out" in f["detail"], f
' "$T/history.json" || fail "the shortening is not in the trail"
"$CLOSELOOP" -c "$CONF" history A-3 > "$T/history-A-3"
grep -qF "text: $text" "$T/history-A-3" ||
    fail "the printed history does not show the SMS whole"
grep -q "flagged .*\[sms_shortened\]" "$T/history-A-3" ||
    fail "the printed history does not show the flag"

say "closeloop report"
"$CLOSELOOP" -c "$CONF" report --since 1d | tee "$T/report"
"$CLOSELOOP" -c "$CONF" report --since 1d --json > "$T/report.json"
$PY - "$T/report.json" <<'EOF' || fail "the report's counts are wrong"
import json, sys
rows = {r["division"]: r for r in map(json.loads, open(sys.argv[1]))}
ts, tw = rows["TS"], rows["TW"]
assert ts["misleading_closures_suppressed"] == 1, ts
assert ts["duplicates_without_link"] == 1, ts
assert ts["closures_without_note"] == 1, ts
assert "-" not in rows, rows
assert ts["received"] == 2, ts
assert tw["notices_completed"] == 3 and tw["notices_transferred"] == 1, tw
assert tw["sent_email"] == 2 and tw["sent_sms"] == 2 and tw["delivered"] == 2, tw
assert tw["failed"] == 0, tw
assert tw["sms_shortened"] == 1 and ts["sms_shortened"] == 0, tw
EOF
grep -q "misleading closures held back *1" "$T/report" || fail "the printed report lacks the held-back closure"
grep -q "SMS shortened to fit *1" "$T/report" || fail "the printed report lacks the shortened SMS"

say "no full contact in any output"
for f in "$T"/history-A-2 "$T"/history-A-3 "$T"/q1 "$T"/q2 "$T"/report "$AUDIT" "$DLOG"; do
	if grep -qE 'ana\.lima@|bo@example|5550102|5550103' "$f"; then
		fail "a full contact in $f"
	fi
done

# Succeed when the files $@ hold every entry of the stream, each once.
audit_complete() {
	n=$(rcli XLEN closeloop:audit)
	cat "$@" | $PY -c '
import json, sys
ids = [json.loads(line)["id"] for line in sys.stdin]
sys.exit(0 if len(ids) == int(sys.argv[1]) == len(set(ids)) else 1)' "$n"
}

say "the JSON Lines file: every entry once, across a rotation and a full disk"
wait_for 10 "the audit file to catch up" audit_complete "$AUDIT"
mv "$AUDIT" "$AUDIT.1"
kill -HUP "$DAEMON_PID"
wait_for 10 "the reload" log_has "configuration reloaded"
subscribe D-1 email di@example.org en email
wait_for 10 "the rotated file" test -s "$AUDIT"
wait_for 10 "both files to hold everything" audit_complete "$AUDIT.1" "$AUDIT"

daemon_stop
ln -s /dev/full "$T/full.jsonl"
audit_config "$T/full.jsonl"
daemon_start
subscribe D-2 email do@example.org en email
rcli XADD closeloop:events '*' v 1 type status event_id c-D-2 sr D-2 \
    ts 2026-11-20T10:00:00Z division TW status closed reason completed \
    note "Done" >/dev/null
wait_for 20 "the full disk to be reported" log_has "audit.file .*No space left on device"
wait_for 30 "the email of D-2" has_decision D-2 sent
rm "$T/full.jsonl"
: > "$T/full.jsonl"
wait_for 20 "the file to be written again" log_has "audit.file .*written again"
wait_for 10 "every entry to be in the files" audit_complete "$AUDIT.1" "$AUDIT" "$T/full.jsonl"
grep -q '"decision":"sent"' "$T/full.jsonl" || fail "the entries written late lack D-2's email"
daemon_stop
say "ok"

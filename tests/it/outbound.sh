#!/bin/sh
# outbound.sh - the CRM reads what residents were told (closeloop:outbound)
#
# closeloopd mails through a loopback SMTP server (aiosmtpd) and texts
# through the real Kannel, whose delivery reports come back to its
# listener. The test acts as the CRM: it creates its consumer group on the
# outbound stream and reads it with XREADGROUP (tests/harness/crm.py),
# acknowledging what it read. An email closure (queued, sent: the hash of
# what the server received), an SMS delivered with a receipt (queued,
# sent, delivered), a recipient the server refuses (failed, then a
# reopening not mailed to the suppressed address), a misleading closure
# held back (suppressed, with its rule) and an unsubscription each come
# out as the contract says, in the order of the SR's trail and one for
# one with the trail's entries the CRM is told of; each entry is read
# once; no full address or number is in any entry (the harness's contact
# check reads the entries too); and every example of the outbound
# contract in docs/events.md has the fields of an entry closeloopd wrote
# of its type.
. "$(dirname "$0")/../harness/lib.sh"
. "$top_srcdir/tests/harness/kannel.sh"

PY=/usr/bin/python3
need "$PY" python3
"$PY" -c 'import aiosmtpd' 2>/dev/null ||
    missing "aiosmtpd is not installed (Debian package python3-aiosmtpd)"
[ -x "$KANNEL_BEARERBOX" ] || missing "bearerbox is not installed (Debian package kannel)"
[ -x "$KANNEL_FAKESMSC" ] || missing "fakesmsc is not installed (Debian package kannel-extras)"
CRM="$PY $top_srcdir/tests/harness/crm.py"

redis_start
kannel_start "$T/kannel"
EXTRA_PIDS="$EXTRA_PIDS $KANNEL_PIDS"
printf 'dlr-k3y-for-tests\n' > "$T/dlr.secret"
chmod 600 "$T/dlr.secret"
smtpd_plain
HTTP_PORT=$(free_port)
write_config "" "policy = { settle_seconds = 0; coalesce_seconds = 0; };
$(smtp_config)
$(kannel_config "dlr_url = \"http://127.0.0.1:$HTTP_PORT/receipt\";
	dlr_secret_file = \"$T/dlr.secret\";")
http = { listen = \"127.0.0.1:$HTTP_PORT\"; };"

say "the CRM makes its group before closeloopd writes anything"
$CRM create "$SOCK"
daemon_start
ENTRIES="$T/crm.jsonl"
: > "$ENTRIES"
closeloop_wrote "$ENTRIES"

# Read what is new to the CRM's group into $ENTRIES.
crm_read() {
	$CRM read "$SOCK" >> "$ENTRIES" || fail "an entry names a field twice"
}

# Succeed when the CRM has read at least $2 entries about SR $1,
# reading what is new first.
crm_has() {
	crm_read
	[ "$(grep -c "\"sr\": \"$1\"" "$ENTRIES" || true)" -ge "$2" ]
}

say "an email closure, an SMS closure, a refused address, a transfer"
closure_to email O-1 ana.lima@example.org fr
closure_to sms O-2 +14165550102 en
closure_to email O-3 p550-bo@example.org en
rcli XADD closeloop:events '*' v 1 type subscribe event_id s-O-4 sr O-4 \
    ts 2026-11-20T09:00:00Z email cy.ng@example.org channels email \
    >/dev/null
rcli XADD closeloop:events '*' v 1 type status event_id c-O-4 sr O-4 \
    ts 2026-11-20T10:00:00Z division TS status closed reason transferred \
    transfer_to TW service "Road Pothole" >/dev/null
wait_for 30 "O-1's email" crm_has O-1 2
wait_for 30 "O-2's receipt" crm_has O-2 3
wait_for 30 "O-3's failure" crm_has O-3 2
wait_for 30 "O-4's transfer" crm_has O-4 3

say "O-3 reopened: not mailed to the address that bounced"
rcli XADD closeloop:events '*' v 1 type status event_id r-O-3 sr O-3 \
    ts 2026-11-21T10:00:00Z division TW status reopened >/dev/null
wait_for 30 "O-3's reopening" crm_has O-3 4

say "ana unsubscribes from O-1"
rcli XADD closeloop:events '*' v 1 type unsubscribe event_id u-O-1 sr O-1 \
    ts 2026-11-22T10:00:00Z email ana.lima@example.org >/dev/null
wait_for 30 "O-1's unsubscription" crm_has O-1 3
cat "$ENTRIES"

say "each entry as the contract says"
$PY - "$ENTRIES" "$MAIL" <<'EOF' || fail "the entries are not what residents were told"
import hashlib, json, os, re, sys
es = [json.loads(l) for l in open(sys.argv[1])]
by = {}
for e in es:
    by.setdefault(e["sr"], []).append(e)
AT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
for e in es:
    assert e["v"] == "1", e
    assert AT.match(e["at"]), e
    assert list(e)[1:5] == ["v", "type", "sr", "at"], e

def types(sr):
    return [e["type"] for e in by[sr]]

def only(sr, t):
    got = [e for e in by[sr] if e["type"] == t]
    assert len(got) == 1, (sr, t, by[sr])
    return got[0]

# An email told, with the hash of what the server received.
assert types("O-1") == ["queued", "sent", "unsubscribed"], types("O-1")
q = only("O-1", "queued")
assert (q["notice"], q["division"], q["notice_id"], q["recipients"],
        q["event_ids"]) == ("completed", "TW", "O-1/1", "1", "c-O-1"), q
s = only("O-1", "sent")
assert (s["notice"], s["division"], s["notification"], s["channel"],
        s["locale"], s["to"], s["event_ids"]) == ("completed", "TW",
        "O-1/1/0", "email", "fr", "a***@example.org", "c-O-1"), s
assert s["reply"].startswith("250"), s
assert s["template_version"], s
received = {}
for line in open(os.path.join(sys.argv[2], "received.jsonl")):
    r = json.loads(line)
    name = r["file"]
    if not os.path.isabs(name):
        name = os.path.join(sys.argv[2], name)
    for to in r["rcpt_tos"]:
        received[to] = hashlib.sha256(open(name, "rb").read()).hexdigest()
assert s["content_sha256"] == received["ana.lima@example.org"], s
u = only("O-1", "unsubscribed")
assert (u["to"], u["event_ids"]) == ("a***@example.org", "u-O-1"), u
assert "notice" not in u and "notification" not in u, u

# An SMS told, and the gateway's receipt.
assert types("O-2") == ["queued", "sent", "delivered"], types("O-2")
s, d = only("O-2", "sent"), only("O-2", "delivered")
for k, v in (("channel", "sms"), ("to", "+1416***0102"),
             ("notification", "O-2/1/0"), ("notice", "completed"),
             ("locale", "en")):
    assert s[k] == v and d[k] == v, (k, s, d)
assert d["content_sha256"] == s["content_sha256"], (s, d)
assert d["template_version"] == s["template_version"], (s, d)

# A refused address; the reopening goes nowhere.
assert types("O-3") == ["queued", "failed", "queued", "suppressed"], \
    types("O-3")
f = only("O-3", "failed")
assert (f["notification"], f["to"]) == ("O-3/1/0", "p***@example.org"), f
assert "550" in f["reply"] and "p550-bo@" not in f["reply"], f
q = [e for e in by["O-3"] if e["type"] == "queued"][1]
assert (q["notice"], q["rule"], q["notice_id"]) == \
    ("reopened", "reopened_after_completed", "O-3/2"), q
p = only("O-3", "suppressed")
assert (p["rule"], p["notification"], p["notice"], p["to"]) == \
    ("suppressed_address", "O-3/2/0", "reopened", "p***@example.org"), p

# A closure that was a transfer: not told as completed.
assert types("O-4") == ["suppressed", "queued", "sent"], types("O-4")
p = only("O-4", "suppressed")
assert (p["rule"], p["notice"], p["division"], p["event_ids"]) == \
    ("explicit_transfer", "completed", "TS", "c-O-4"), p
assert only("O-4", "queued")["notice"] == "transferred"
EOF

say "each entry once, all acknowledged"
before=$(wc -l < "$ENTRIES")
crm_read
assert "nothing new" [ "$(wc -l < "$ENTRIES")" = "$before" ]
assert "nothing pending" [ "$(rcli XPENDING closeloop:outbound crm | head -n 1)" = 0 ]
assert "as many entries as the stream holds" \
    [ "$(rcli XLEN closeloop:outbound)" = "$before" ]

say "one for one with the trail's entries the CRM is told of"
for sr in O-1 O-2 O-3 O-4; do
	history_json "$sr"
	$PY - "$T/history.json" "$ENTRIES" "$sr" <<'EOF' ||
import json, sys
TOLD = {"queued", "sent", "delivered", "undelivered", "failed", "dead",
        "unsubscribed"}
SUPPRESSED = {"unsubscribed", "suppressed_address", "dropped_by_operator",
              "stale_event", "explicit_transfer", "implicit_transfer",
              "partial_work_order"}
trail = []
for line in open(sys.argv[1]):
    d = json.loads(line)
    if d["decision"] in TOLD or (d["decision"] == "suppressed" and
                                 d.get("rule") in SUPPRESSED):
        trail.append((d["decision"], d.get("rule", ""),
                      d.get("notification", ""), d["ts"]))
told = [(e["type"], e.get("rule", ""), e.get("notification", ""), e["at"])
        for e in map(json.loads, open(sys.argv[2])) if e["sr"] == sys.argv[3]]
assert trail == told, (trail, told)
EOF
	    fail "the entries of $sr are not the trail's"
done

say "no full address or number in any entry"
for c in ana.lima@example.org +14165550102 14165550102 p550-bo@example.org \
    cy.ng@example.org; do
	if grep -qF -- "$c" "$ENTRIES"; then
		fail "$c is in an entry"
	fi
done

say "every outbound example in docs/events.md is an entry closeloopd writes"
$CRM examples "$top_srcdir/docs/events.md" > "$T/examples.jsonl"
assert "six examples or more" [ "$(wc -l < "$T/examples.jsonl")" -ge 6 ]
$CRM check "$top_srcdir/docs/events.md" "$ENTRIES" ||
    fail "docs/events.md's examples are not what closeloopd writes"

daemon_stop
echo "PASS"

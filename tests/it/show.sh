#!/bin/sh
# show.sh - every message is kept as it was sent, and "closeloop show"
# proves it
#
# With one-click unsubscribe links, an email in English
# (quoted-printable) and one in Chinese (base64) go to aiosmtpd and an
# SMS through Kannel. For each email: the message received hashes to the
# trail's content_sha256; the kept copy (show --eml) hashes to its
# kept_sha256, is the message received byte for byte outside the
# redacted spans, whose bytes received hash as recorded, and holds no
# working token. "closeloop show" prints the text and says the hash
# checks; once the record is tampered with, it says it does not and
# exits 1. The SMS is kept as sent; records expire after
# audit.retain_days; a notification never sent has nothing kept.
. "$(dirname "$0")/../harness/lib.sh"
. "$top_srcdir/tests/harness/kannel.sh"

PY=/usr/bin/python3
need "$PY" python3
[ -x "$KANNEL_BEARERBOX" ] || missing "bearerbox is not installed (Debian package kannel)"
[ -x "$KANNEL_FAKESMSC" ] || missing "fakesmsc is not installed (Debian package kannel-extras)"

redis_start
smtpd_plain
kannel_start "$T/kannel"
EXTRA_PIDS="$EXTRA_PIDS $KANNEL_PIDS"
printf 'k3y-for-one-click-links\n' > "$T/unsub.secret"
chmod 600 "$T/unsub.secret"
UNSUBSCRIBE_URL='https://311.example.org/unsubscribe/{sr}'
TEMPLATES_EXTRA="unsubscribe_secret_file = \"$T/unsub.secret\";"
write_config "" "policy = { settle_seconds = 0; coalesce_seconds = 0; };
audit = { retain_days = 3; };
$(smtp_config)
$(kannel_config "max_per_second = 50;")"

# Print the path of the last message aiosmtpd received for $1.
received_file() {
	"$PY" -c 'import json, os, sys
last = None
for line in open(os.path.join(sys.argv[1], "received.jsonl")):
    r = json.loads(line)
    if sys.argv[2] in r["rcpt_tos"]:
        last = r["file"]
print(last if os.path.isabs(last) else os.path.join(sys.argv[1], last))' \
	    "$MAIL" "$1"
}

# Check the kept copy $2 of notification $3 against the message
# received $1 and the trail's sent entry in $T/history.json.
check_kept() {
	"$PY" - "$1" "$2" "$3" "$T/history.json" <<'EOF' || fail "$3: the kept copy does not prove the message sent"
import hashlib, json, re, sys
sent = open(sys.argv[1], "rb").read()
kept = open(sys.argv[2], "rb").read()
nid = sys.argv[3]
entries = [json.loads(l) for l in open(sys.argv[4])]
e = [x for x in entries if x.get("decision") == "sent" and
     x.get("notification") == nid][-1]
sha = lambda b: hashlib.sha256(b).hexdigest()
assert sha(sent) == e["content_sha256"], "received != content_sha256"
assert sha(kept) == e["kept_sha256"], "kept != kept_sha256"
assert len(kept) == len(sent), "lengths differ"
tokens = set(re.findall(rb"token=([0-9a-f]{64})", sent))
assert tokens, "no token in the message received"
for t in tokens:
    assert t not in kept, "the token is in the kept copy"
spans = [(int(a), int(b), h) for a, b, h in
         re.findall(r"(\d+)\+(\d+):([0-9a-f]{64})", e["redacted"])]
assert len(spans) >= 3, "fewer spans than the token's places: %r" % spans
at = 0
for off, n, h in spans:
    assert off >= at, "spans out of order"
    assert kept[at:off] == sent[at:off], "differs outside the spans"
    assert sha(sent[off:off + n]) == h, "a span's hash is not its bytes'"
    at = off + n
assert kept[at:] == sent[at:], "differs after the last span"
print("%s: %d bytes, %d spans, outside them identical" %
      (nid, len(kept), len(spans)))
EOF
}

say "an email in English, one in Chinese, an SMS"
daemon_start
closure_to email K-1 ana@example.org en
closure_to email K-2 chen@example.org zh-Hans
sms_closed K-3 +14165550103 en
for id in K-1/1/0 K-2/1/0 K-3/1/0; do
	wait_for 30 "$id sent" state_is "$id" sent
done

say "the kept email is the email received, outside the redacted spans"
for n in K-1:ana@example.org K-2:chen@example.org; do
	sr=${n%%:*}
	id=$sr/1/0
	history_json "$sr"
	"$CLOSELOOP" -c "$CONF" show "$id" --eml "$T/$sr.eml" > "$T/$sr.out" ||
	    fail "show $id --eml: $(cat "$T/$sr.out")"
	cat "$T/$sr.out"
	grep -q '^hash: checks (kept copy sha256 .* as recorded; as sent sha256 .*; [0-9]* spans redacted)$' \
	    "$T/$sr.out" || fail "show $id --eml does not say the hash checks"
	check_kept "$(received_file "${n#*:}")" "$T/$sr.eml" "$id"
done
grep -q 'Content-Transfer-Encoding: base64' "$T/K-2.eml" ||
    fail "the Chinese message went without base64: not the case meant"
grep -q 'Content-Transfer-Encoding: quoted-printable' "$T/K-1.eml" ||
    fail "the English message went without quoted-printable"

say "show prints the headers and the text; --text, --html"
"$CLOSELOOP" -c "$CONF" show K-1/1/0 > "$T/show" || fail "show K-1/1/0 failed"
cat "$T/show"
grep -q '^To: a\*\*\*@example.org$' "$T/show" || fail "no masked To: in the summary"
grep -q '^Subject: ' "$T/show" || fail "no Subject: in the summary"
grep -q 'Basin cleared' "$T/show" || fail "the text is not shown"
grep -q 'token=XXXXXXXX' "$T/show" || fail "the blanked token is not shown"
"$CLOSELOOP" -c "$CONF" show K-2/1/0 --text > "$T/text" 2> "$T/text.err" ||
    fail "show --text failed"
grep -q '您' "$T/text" || fail "the Chinese text is not decoded"
grep -q '^hash: checks' "$T/text.err" || fail "--text does not say the hash checks"
grep -q '^hash' "$T/text" && fail "--text mixes the hash line into the text"
"$CLOSELOOP" -c "$CONF" show K-2/1/0 --html "$T/K-2.html" >/dev/null ||
    fail "show --html failed"
grep -q '<html\|<p' "$T/K-2.html" || fail "the HTML part was not written"
grep -q '您' "$T/K-2.html" || fail "the HTML part is not decoded"

say "the SMS is kept as it was sent"
"$CLOSELOOP" -c "$CONF" show K-3/1/0 > "$T/sms" || fail "show K-3/1/0: $(cat "$T/sms")"
cat "$T/sms"
history_json K-3
sms_sha=$(hfield_taken content_sha256 sent)
kannel_received | grep -q "K-3" || fail "fakesmsc did not get the SMS"
"$CLOSELOOP" -c "$CONF" show K-3/1/0 --text > "$T/sms.text" 2>/dev/null
# --text prints the text and a newline.
kept_sha=$("$PY" -c 'import hashlib, sys
print(hashlib.sha256(open(sys.argv[1], "rb").read()[:-1]).hexdigest())' \
    "$T/sms.text")
assert "the kept SMS hashes to content_sha256" [ "$kept_sha" = "$sms_sha" ]
grep -q "hash: checks (kept text sha256 $sms_sha)" "$T/sms" ||
    fail "show does not say the SMS's hash checks"

say "the records expire after audit.retain_days"
for id in K-1/1/0 K-2/1/0 K-3/1/0; do
	ttl=$(rcli TTL "closeloop:msg:$id")
	assert "$id expires after 3 days ($ttl)" \
	    [ "$ttl" -gt $((3 * 86400 - 60)) -a "$ttl" -le $((3 * 86400)) ]
done

say "a tampered record does not check"
# One byte of the kept message changed, compressed again: it reads back.
rcli --raw HGET closeloop:msg:K-1/1/0 body | head -c -1 > "$T/body.z"
"$PY" -c 'import sys, zlib
b = bytearray(zlib.decompress(open(sys.argv[1], "rb").read()))
i = b.index(b"Basin")
b[i] ^= 0x20
sys.stdout.buffer.write(zlib.compress(bytes(b)))' "$T/body.z" > "$T/tampered.z" ||
    fail "cannot read the stored body back with zlib"
rcli -x HSET closeloop:msg:K-1/1/0 body < "$T/tampered.z" >/dev/null
rc=0
"$CLOSELOOP" -c "$CONF" show K-1/1/0 > "$T/tampered" || rc=$?
cat "$T/tampered"
assert "show exits 1 on a tampered copy ($rc)" [ "$rc" = 1 ]
grep -q '^hash: DOES NOT CHECK' "$T/tampered" || fail "show does not say it does not check"
# A flipped byte in the compressed body: it does not even read back.
"$PY" -c 'import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[len(b) // 2] ^= 0x01
sys.stdout.buffer.write(bytes(b))' "$T/body.z" > "$T/flipped.z"
rcli -x HSET closeloop:msg:K-2/1/0 body < "$T/flipped.z" >/dev/null
rc=0
"$CLOSELOOP" -c "$CONF" show K-2/1/0 > "$T/flipped" || rc=$?
cat "$T/flipped"
assert "show exits 1 on a damaged copy ($rc)" [ "$rc" = 1 ]
grep -q '^hash: DOES NOT CHECK' "$T/flipped" || fail "show does not say the damaged copy does not check"

say "nothing kept: never sent"
rc=0
"$CLOSELOOP" -c "$CONF" show K-9/1/0 > "$T/none" || rc=$?
cat "$T/none"
assert "show exits 1 for a message never sent ($rc)" [ "$rc" = 1 ]
grep -q 'no message kept' "$T/none" || fail "show does not say nothing is kept"
rc=0
"$CLOSELOOP" -c "$CONF" show not-an-id > /dev/null 2>&1 || rc=$?
assert "a malformed id is a data error ($rc)" [ "$rc" = 65 ]

daemon_stop
echo "ok"

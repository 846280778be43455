#!/bin/sh
# web_pages.sh - the console's Templates and Operations pages
#
# closeloopd runs with a template set of its own (the shipped one, with
# a heading that shows over an empty note in Spanish, Spanish's cancelled
# SMS taken from English, and Spanish's completed SMS starting with an
# e-circumflex, which is not GSM-7), closures held an hour and an SMS
# gateway (tests/harness/gateway.py) that refuses the first SMS.
# closeloop-web runs beside it. A communications user finds every locale
# of the set and every notice on the Templates page; the Spanish
# completed SMS says UCS-2 and names the character; the fallback and the
# lint warning (file and line) are shown; every message shown carries a
# lang; the frame's URL answers the HTML under its own strict policy. An
# operations user finds a held closure's SR, with the notice it would
# send and its release time, a notification waiting for a retry (its
# contact masked) and the reasons of two dead letters (an event that is
# not valid, an SMS refused) on the Operations page. A division user gets 404 from both
# pages and the frame, a communications user from Operations. A set that
# does not load makes closeloop-web refuse to start. The pages fetched
# and closeloop-web's log go through the contact check (lib.sh).
. "$(dirname "$0")/../harness/lib.sh"

PY=/usr/bin/python3
need "$PY" python3
need curl curl
WEB="$top_builddir/closeloop-web"
WLOG="$T/closeloop-web.log"
PAGES="$T/pages"
mkdir -p "$PAGES"
closeloop_wrote "$WLOG"

say "a template set of our own"
TPL="$T/templates"
cp -R "$top_srcdir/templates" "$TPL"
heading=$(($(wc -l < "$TPL/es/completed.txt.mustache") + 1))
printf 'Nota: {{note}}\n' >> "$TPL/es/completed.txt.mustache"
rm "$TPL/es/cancelled.sms.mustache"
{ printf '\303\252 '; cat "$top_srcdir/templates/es/completed.sms.mustache"; } \
    > "$TPL/es/completed.sms.mustache"

redis_start
printf '400 1\n' > "$T/gateway.control"
gateway_plain --control "$T/gateway.control"
write_config "" "policy = { settle_seconds = 3600; coalesce_seconds = 0; };
$(twilio_config "max_segments = 5;")
web = {
	listen = \"127.0.0.1:0\";
	pages_dir = \"$top_srcdir/src/web/pages\";
	cookie_secure = false;
};"
sed "s|dir = \"$top_srcdir/templates\";|dir = \"$TPL\";|" "$CONF" > "$CONF.new"
mv "$CONF.new" "$CONF"
grep -q "dir = \"$TPL\";" "$CONF" || fail "the configuration does not name our set"
"$CLOSELOOP" -c "$CONF" lint > "$T/lint" || fail "our set does not pass lint: $(cat "$T/lint")"

for u in carol:comms olga:ops; do
	echo 'correct horse battery' | "$CLOSELOOP" -c "$CONF" user add \
	    "${u%%:*}" --role "${u#*:}" >/dev/null || fail "user ${u%%:*} not added"
done
echo 'correct horse battery' | "$CLOSELOOP" -c "$CONF" user add dave \
    --role division --division TW >/dev/null || fail "user dave not added"

daemon_start
$WRAP "$WEB" -c "$CONF" >>"$WLOG" 2>&1 &
WEB_PID=$!
EXTRA_PIDS="$EXTRA_PIDS $WEB_PID"

# Succeed once closeloop-web says its port.
web_up() {
	grep -q '(port [0-9]*)' "$WLOG"
}
wait_for 10 "closeloop-web to listen" web_up
BASE="http://127.0.0.1:$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$WLOG" | head -n 1)"

# Sign user $1 in, keeping the session in the cookie jar $T/$1.jar.
signin() {
	_jar="$T/$1.jar"
	_csrf=$(curl -s -c "$_jar" -b "$_jar" "$BASE/signin" |
	    sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -n 1)
	[ -n "$_csrf" ] || fail "no sign-in form for $1"
	_code=$(curl -s -o /dev/null -w '%{http_code}' -c "$_jar" -b "$_jar" \
	    -H "Origin: $BASE" --data-urlencode "name=$1" \
	    --data-urlencode "password=correct horse battery" \
	    --data-urlencode "csrf=$_csrf" "$BASE/signin")
	[ "$_code" = 303 ] || fail "$1 did not sign in ($_code)"
}

# Fetch path $2 as user $1 into $PAGES/$3, its headers in $PAGES/$3.h;
# print the status.
get() {
	curl -s -b "$T/$1.jar" -D "$PAGES/$3.h" -o "$PAGES/$3" \
	    -w '%{http_code}' "$BASE$2"
	closeloop_wrote "$PAGES/$3"
}

# Fail unless page $1 (a file of $PAGES) holds the text $2.
has() {
	grep -qF -- "$2" "$PAGES/$1" || fail "$1 does not show: $2"
}

signin carol
signin olga
signin dave

say "Templates: every locale of the set and every notice"
[ "$(get carol /templates tpl.html)" = 200 ] || fail "GET /templates"
nlocales=0
for d in "$TPL"/*/; do
	l=$(basename "$d")
	has tpl.html "<option value=\"$l\""
	nlocales=$((nlocales + 1))
done
[ "$nlocales" -ge 6 ] || fail "only $nlocales locales in the set"
for f in "$top_srcdir"/templates/en/*.subject.mustache; do
	n=$(basename "$f" .subject.mustache)
	has tpl.html "<option value=\"$n\">"
	has tpl.html "href=\"/templates?locale=en&amp;notice=$n\""
done
has tpl.html '<option value="en" selected>'

say "Spanish: the fallback, the UCS-2 character, the lint warning"
[ "$(get carol '/templates?locale=es' es.html)" = 200 ] || fail "GET es"
has es.html 'sms from en'
has es.html "es/completed.txt.mustache:$heading:7"
[ "$(get carol '/templates?locale=es&notice=completed' es-completed.html)" = 200 ] ||
    fail "GET es completed"
has es-completed.html 'UCS-2'
has es-completed.html "$(printf '\303\252') (U+00EA)"
has es-completed.html '<blockquote class="sms" lang="es">'
has es-completed.html '<dd lang="es">'
has es-completed.html '<pre class="textpart" lang="es">'
has es-completed.html '<iframe class="mail" src="/template/es/completed/html" sandbox=""'
has es-completed.html "es/completed.txt.mustache:$heading:7"
"$CLOSELOOP" -c "$CONF" render --locale es --channel sms notice=completed \
    > "$T/render" || fail "closeloop render"
sms=$(sed -n '/^== sms/{n;p;}' "$T/render")
$PY - "$PAGES/es-completed.html" "$sms" <<'EOF' || fail "the SMS shown is not the one closeloop render prints"
import html, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'<blockquote class="sms" lang="es">(.*?)</blockquote>', page, re.S)
assert m and html.unescape(m.group(1)) == sys.argv[2], (m and m.group(1), sys.argv[2])
EOF
[ "$(get carol '/templates?locale=es&notice=cancelled' es-cancelled.html)" = 200 ] ||
    fail "GET es cancelled"
has es-cancelled.html 'en/cancelled.sms.mustache'
has es-cancelled.html '(fallback: es has none)'
has es-cancelled.html '<blockquote class="sms" lang="en">'

say "the frame: the email's HTML under its own policy"
[ "$(get carol /template/es/completed/html frame.html)" = 200 ] || fail "GET the frame"
grep -qi '^Content-Type: text/html' "$PAGES/frame.html.h" || fail "the frame is not HTML"
csp=$(grep -i '^Content-Security-Policy:' "$PAGES/frame.html.h" | tr -d '\r')
case "$csp" in
*"default-src 'none'"*sandbox*) ;;
*) fail "the frame's policy: $csp" ;;
esac
case "$csp" in
*script-src*) fail "the frame's policy allows scripts: $csp" ;;
esac
has frame.html '<html lang="es">'
[ "$(get carol /template/es/nothing/html none.html)" = 404 ] ||
    fail "a notice that does not exist is not 404"

say "Operations: a held closure and two dead letters"
closure_to email H-1 henri@example.org fr
rcli XADD closeloop:events '*' v 1 type subscribe event_id s-D-1 sr D-1 \
    ts 2026-11-20T09:00:00Z phone +14165550401 channels sms >/dev/null
rcli XADD closeloop:events '*' v 1 type status event_id w-D-1 sr D-1 \
    ts 2026-11-20T10:00:00Z division TW status in_progress >/dev/null
rcli XADD closeloop:events '*' v 1 type status event_id x-X-1 sr X-1 \
    ts 2026-11-20T10:00:00Z division TW status finished >/dev/null

# Succeed when SR H-1's closure is held.
held() {
	[ -n "$(rcli ZSCORE closeloop:due H-1)" ]
}
wait_for 30 "H-1's closure held" held
wait_for 30 "two dead letters" dead_is 2
# A notification waiting an hour for a retry, as closeloopd leaves one.
rcli HSET 'closeloop:sr:{W-1}:n:1/0' id W-1/1/0 sr W-1 notice completed \
    channel email to wendy@example.org locale fr state retry attempts 1 \
    wait retry >/dev/null
rcli ZADD closeloop:outbox:email $(( $(date +%s) * 1000 + 3600000 )) \
    W-1/1/0 >/dev/null
[ "$(get olga /operations ops.html)" = 200 ] || fail "GET /operations"
has ops.html '<a href="/sr/H-1">H-1</a></th><td>completed</td>'
has ops.html 'a closure held (policy.settle_seconds)'
has ops.html 'Held notices (1)'
has ops.html 'Waiting notifications (1)'
has ops.html '<th scope="row">W-1/1/0</th><td><a href="/sr/W-1">W-1</a></td><td>completed</td><td>fr</td><td>email</td><td>w***@example.org</td><td>a retry after a temporary failure</td>'
grep -q 'wendy@' "$PAGES/ops.html" && fail "an address in full"
has ops.html 'Dead letters (2)'
rcli --raw XRANGE closeloop:dead - + > "$T/dead"
$PY - "$PAGES/ops.html" "$T/dead" <<'EOF' || fail "a dead letter's reason is not shown"
import html, sys
page = html.unescape(open(sys.argv[1], encoding="utf-8").read())
lines = open(sys.argv[2], encoding="utf-8").read().splitlines()
reasons = [lines[i + 1] for i, l in enumerate(lines) if l == "error"]
assert len(reasons) == 2, lines
for r in reasons:
    assert r and r in page, r
EOF
has ops.html '<a href="/sr/D-1">D-1</a>'
grep -q '+14165550401' "$PAGES/ops.html" && fail "a phone number in full"

say "who may see what"
for p in /templates /template/en/completed/html /operations; do
	[ "$(get dave "$p" dave.html)" = 404 ] || fail "a division user got $p"
done
[ "$(get carol /operations carol-ops.html)" = 404 ] ||
    fail "a communications user got /operations"

say "a set that does not load: closeloop-web refuses to start"
mkdir -p "$T/broken/en"
printf '{{#open}}\n' > "$T/broken/en/completed.txt.mustache"
sed "s|dir = \"$TPL\";|dir = \"$T/broken\";|" "$CONF" > "$T/broken.conf"
rc=0
timeout 20 "$WEB" -c "$T/broken.conf" > "$T/broken.log" 2>&1 || rc=$?
[ "$rc" = 78 ] || fail "closeloop-web with a broken set: exit $rc, not 78"
grep -q 'templates.dir is not valid' "$T/broken.log" ||
    fail "closeloop-web does not say why: $(cat "$T/broken.log")"

term_wait "$WEB_PID"
daemon_stop
echo PASS

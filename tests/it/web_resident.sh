#!/bin/sh
# web_resident.sh - the resident's own page, reached from the link in a
# message, through closeloop-web
#
# closeloopd sends a French resident, by email and SMS, that their
# request was received and then that the work is done (with a note and a
# photo). The link in the email, its host changed to closeloop-web's,
# shows each notice once (not once a channel), in French, with the
# email's subject and text as received, the note and the photo link; no
# contact; noindex in the header and the page. ?lang=en puts the page's
# own words in English and leaves the messages in French. A Persian
# resident's page is right to left, its isolates kept; a duplicate's page
# tells the original's last notice. A token off by one digit, an unknown
# SR and one with a good token but nothing kept give the same 404.
. "$(dirname "$0")/../harness/lib.sh"

PY=/usr/bin/python3
need "$PY" python3
need curl curl
need openssl openssl
CLOSELOOP_WEB="$top_builddir/closeloop-web"
MAILBOX="$PY $top_srcdir/tests/harness/mailbox.py"

redis_start
smtpd_plain
gateway_plain
RESIDENT_KEY=res1dent-k3y-w3b
printf '%s\n' "$RESIDENT_KEY" > "$T/resident.secret"
chmod 600 "$T/resident.secret"
RESIDENT_BASE=https://311.example.ca/r
TEMPLATES_EXTRA="resident_url = \"$RESIDENT_BASE/{sr}/{token}\";
	resident_secret_file = \"$T/resident.secret\";"
WEB_PORT=$(free_port)
WEB="http://127.0.0.1:$WEB_PORT"
write_config "" "policy = { settle_seconds = 0; coalesce_seconds = 0; };
$(smtp_config)
$(twilio_config "max_segments = 4;")
web = {
	listen = \"127.0.0.1:$WEB_PORT\";
	pages_dir = \"$top_srcdir/src/web/pages\";
	cookie_secure = false;
};"

daemon_start
$WRAP "$CLOSELOOP_WEB" -c "$CONF" >>"$T/web.log" 2>&1 &
WEB_PID=$!
EXTRA_PIDS="$EXTRA_PIDS $WEB_PID"
closeloop_wrote "$T/web.log"
wait_for 30 "closeloop-web" port_up "$WEB_PORT"

# Publish a status event: $1 SR, $2 event id, then field value pairs.
status() {
	_s_sr=$1
	_s_id=$2
	shift 2
	rcli XADD closeloop:events '*' v 1 type status event_id "$_s_id" \
	    sr "$_s_sr" ts 2026-11-20T10:00:00Z division TW \
	    service "Catch Basin Blocked" "$@" >/dev/null
}

# Publish a subscription: $1 SR, then its fields.
subscribe() {
	_sb_sr=$1
	shift
	rcli XADD closeloop:events '*' v 1 type subscribe \
	    event_id "s-$_sb_sr" sr "$_sb_sr" ts 2026-11-20T09:00:00Z \
	    "$@" >/dev/null
}

# Succeed when the SMTP server has received $1 messages and the gateway
# $2 texts.
received() {
	[ "$($MAILBOX count "$MAIL")" -ge "$1" ] &&
	    [ "$(cat "$GW_DIR/messages.jsonl" 2>/dev/null | wc -l)" -ge "$2" ]
}

# Print the page the last email to $1 links to: headers, then the body.
page_of() {
	_po=$($MAILBOX show "$MAIL" "$1" | tr -d '\r' |
	    grep -o "$RESIDENT_BASE/[^ \"<]*" | sed -n 1p)
	[ -n "$_po" ] || fail "no link to the resident's page in the mail to $1"
	curl -s -i "$WEB/r/${_po#"$RESIDENT_BASE/"}${2:-}"
}

# Print the token of SR $1's page.
resident_token() {
	printf 'closeloop-resident:%s' "$1" |
	    openssl dgst -sha256 -hmac "$RESIDENT_KEY" | sed 's/.*= *//' |
	    cut -c 1-32
}

say "a French resident told by email and SMS: received, then done"
subscribe W-1 email bea@example.org phone +14165550101 channels email,sms \
    locale fr
status W-1 r-W-1 status received
wait_for 30 "the first email and SMS" received 1 1
status W-1 c-W-1 status closed reason completed \
    note "Bassin nettoyé, grille remplacée" \
    photos "https://photos.example.org/W-1.jpg"
wait_for 30 "the second email and SMS" received 2 2
page_of bea@example.org > "$T/w1.html"
sed -n 1p "$T/w1.html" | grep -q ' 200' || fail "the page is not 200: $(sed -n 1p "$T/w1.html")"
grep -qi '^X-Robots-Tag: noindex' "$T/w1.html" || fail "no X-Robots-Tag: noindex"
grep -q '<meta name="robots" content="noindex' "$T/w1.html" ||
    fail "no robots meta"
grep -q '<html lang="fr" dir="ltr">' "$T/w1.html" || fail "the page is not in French"
grep -q 'Ce que nous vous avons écrit' "$T/w1.html" ||
    fail "the page's own words are not French"
subject=$($MAILBOX field "$MAIL" bea@example.org Subject)
grep -qF "$subject" "$T/w1.html" || fail "the last subject ($subject) is not on the page"
grep -q 'Nous avons reçu votre demande' "$T/w1.html" ||
    fail "the first notice is not on the page"
assert "each notice once, though sent by email and SMS" \
    [ "$(grep -c '^<li class="notice">' "$T/w1.html")" = 2 ]
grep -q 'Travaux terminés' "$T/w1.html" || fail "the notice's name is not French"
grep -q '<p class="text" lang="fr" dir="ltr">Bassin nettoyé, grille remplacée</p>' \
    "$T/w1.html" || fail "the note is not listed"
grep -q '<a href="https://photos.example.org/W-1.jpg"' "$T/w1.html" ||
    fail "the photo link is not there"
grep -q '<dd>Eau de Toronto</dd>' "$T/w1.html" ||
    fail "the division is not named in French"
grep -q '<h3><bdi>[0-9]* [a-zéû]* 20[0-9][0-9]</bdi> · Demande reçue</h3>' \
    "$T/w1.html" || fail "the first notice has no date in French"
if grep -qi 'bea@\|b\*\*\*\|example.org>\|+1416\|5550101\|c=[0-9a-f]\|stop/' "$T/w1.html"; then
	grep -i 'bea@\|b\*\*\*\|example.org>\|+1416\|5550101\|c=[0-9a-f]\|stop/' "$T/w1.html"
	fail "a contact or an unsubscribe link is on the page"
fi
grep -q 'Signed in\|href="/find"' "$T/w1.html" && fail "the staff navigation is shown"

say "?lang=en: the page's words in English, the messages as sent"
page_of bea@example.org "?lang=en" > "$T/w1en.html"
grep -q '<html lang="en" dir="ltr">' "$T/w1en.html" || fail "?lang=en is not English"
grep -q 'What we told you' "$T/w1en.html" || fail "the words are not English"
grep -q '<div class="message" lang="fr" dir="ltr">' "$T/w1en.html" ||
    fail "the messages lost their language"
page_of bea@example.org "?lang=xx" > "$T/w1xx.html"
grep -q '<html lang="fr"' "$T/w1xx.html" || fail "an unknown ?lang was not ignored"

say "a Persian resident: right to left, isolates kept"
subscribe W-2 email parisa@example.org locale fa
status W-2 c-W-2 status closed reason completed note "Done"
wait_for 30 "the Persian email" received 3 2
page_of parisa@example.org > "$T/w2.html"
grep -q '<html lang="fa" dir="rtl">' "$T/w2.html" || fail "the page is not right to left"
grep -q '<p class="subject">[^<]*&#x2066;W-2&#x2069;' "$T/w2.html" ||
    fail "the subject's isolates were lost"
grep -q '&#x2066;W-2&#x2069;' "$T/w2.html" || fail "the text's isolates were lost"

say "a duplicate's page tells the original's last notice, nothing else"
subscribe W-3 email carl@example.org locale en
status W-3 d-W-3 status closed reason duplicate duplicate_of W-1
wait_for 30 "the duplicate's email" received 4 2
page_of carl@example.org > "$T/w3.html"
grep -q 'The same problem, reported earlier' "$T/w3.html" ||
    fail "no section on the original"
grep -q '<dd><bdi>W-1</bdi></dd>' "$T/w3.html" || fail "the original is not named"
grep -q '<dd>Work done' "$T/w3.html" || fail "the original's last notice is not told"
grep -q 'Bassin\|photos.example.org' "$T/w3.html" &&
    fail "the original's details are on the duplicate's page"

say "a wrong token, an unknown SR, nothing kept: one 404"
token=$(resident_token W-1)
last=$(printf '%s' "$token" | cut -c 32)
case $last in 0) other=1 ;; *) other=0 ;; esac
bad="$(printf '%s' "$token" | cut -c 1-31)$other"
curl -s -o "$T/bad.html" -w '%{http_code}\n' "$WEB/r/W-1/$bad" > "$T/bad.code"
curl -s -o "$T/unknown.html" -w '%{http_code}\n' "$WEB/r/W-404/$token" > "$T/unknown.code"
curl -s -o "$T/gone.html" -w '%{http_code}\n' \
    "$WEB/r/W-404/$(resident_token W-404)?lang=fr" > "$T/gone.code"
curl -s -o "$T/short.html" -w '%{http_code}\n' "$WEB/r/W-1" > "$T/short.code"
for f in bad unknown gone short; do
	assert "$f: 404" [ "$(cat "$T/$f.code")" = 404 ]
	cmp -s "$T/bad.html" "$T/$f.html" || fail "the $f 404 differs from a wrong token's"
done
grep -q 'noindex' "$T/bad.html" || fail "the 404 is not noindex"
curl -s -I "$WEB/r/W-1/$token" | grep -qi '^X-Robots-Tag: noindex' ||
    fail "HEAD has no X-Robots-Tag"
daemon_stop
kill -TERM "$WEB_PID"
rc=0
wait "$WEB_PID" || rc=$?
assert "closeloop-web exits 0 after SIGTERM (got $rc)" [ "$rc" = 0 ]
echo "PASS"

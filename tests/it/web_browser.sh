#!/bin/sh
# web_browser.sh - the console in a real browser: Debian's chromium, driven
# through chromedriver by Selenium, every page checked with axe-core
#
# The residents' stories are played through closeloopd to a real SMTP
# server and an SMS gateway; then tests/it/web_browser.py signs staff in
# with the console's own form and does what they would: find an SR from a
# resident's address, open its timeline, see the French email in its
# sandboxed frame and the French SMS, each with the proof that it is the
# one sent, follow the link of the received email to the resident's own
# page; a division user is refused another division's SR; a form posted
# without its token or from another origin is refused. Each page is
# checked with axe-core (WCAG 2.1 A and AA, no violation), for its lang
# and at 360 px wide, and a screenshot of it is written to
# $SCREENSHOTS (default $T/screenshots).
. "$(dirname "$0")/../harness/lib.sh"
. "$top_srcdir/tests/harness/web.sh"

PY=/usr/bin/python3
need "$PY" python3
need openssl openssl

redis_start
smtpd_plain
gateway_plain
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$T/lookup.secret"
printf 'res1dent-k3y-browser\n' > "$T/resident.secret"
chmod 600 "$T/lookup.secret" "$T/resident.secret"
web_port
TEMPLATES_EXTRA="resident_url = \"https://311.example.org/r/{sr}/{token}\";
	resident_secret_file = \"$T/resident.secret\";"
write_config "" "policy = { settle_seconds = 0; coalesce_seconds = 0; };
audit = { lookup_secret_file = \"$T/lookup.secret\"; };
$(smtp_config)
$(twilio_config)
$(web_config)"
sed -i 's/^divisions = {$/divisions = {\n\tTS = { name = { en = "Transportation Services"; fr = "Services des transports"; }; };/' "$CONF"
daemon_start
web_start
web_user olive ops
web_user walt division TW
web_user sara division TS
web_user cara comms

say "the stories: W-1 (Toronto Water, a French resident by email and SMS), S-1 (TS)"
rcli XADD closeloop:events '*' v 1 type subscribe event_id s-W-1 sr W-1 \
    ts 2026-11-20T09:00:00Z email marie@example.org phone +14165550142 \
    locale fr-CA channels email,sms >/dev/null
rcli XADD closeloop:events '*' v 1 type status event_id c-W-1 sr W-1 \
    ts 2026-11-20T10:00:00Z division TW status closed reason completed \
    service "Catch Basin Blocked" ward W10 note "Puisard nettoyé" \
    photos "https://photos.example.org/W-1.jpg" >/dev/null
rcli XADD closeloop:events '*' v 1 type subscribe event_id s-S-1 sr S-1 \
    ts 2026-11-20T09:00:00Z email stan@example.org locale en channels email >/dev/null
rcli XADD closeloop:events '*' v 1 type status event_id c-S-1 sr S-1 \
    ts 2026-11-20T10:00:00Z division TS status received service Pothole >/dev/null
rcli XADD closeloop:events '*' v 1 type status event_id c-W-2 sr W-2 \
    ts 2026-11-20T10:00:00Z division TW status closed reason completed \
    ward W07 service "Catch Basin Blocked" >/dev/null
wait_for 30 "W-1's email sent" state_is W-1/1/0 sent
wait_for 30 "W-1's SMS sent" state_is W-1/1/1 sent
wait_for 30 "S-1 sent" state_is S-1/1/0 sent

SCREENSHOTS=${SCREENSHOTS:-$T/screenshots}
mkdir -p "$SCREENSHOTS"
"$PY" "$top_srcdir/tests/harness/mailbox.py" show "$MAIL" marie@example.org > "$T/marie.txt"
link=$(grep -o 'https://311.example.org/r/W-1/[0-9a-f]*' "$T/marie.txt" | head -n 1)
[ -n "$link" ] || fail "no resident's link in the received email"
say "the browser"
WEB_URL="$WEB_URL" WEB_PASSWORD="$WEB_PASSWORD" SCREENSHOTS="$SCREENSHOTS" \
    RESIDENT_LINK="$WEB_URL/r/${link#https://311.example.org/r/}" \
    OTHER_PORT="$(free_port)" \
    "$PY" "$top_srcdir/tests/it/web_browser.py" || rc=$?
case ${rc:-0} in
0) ;;
77) missing "the browser tests need chromium, chromedriver, python3-selenium and axe-core (.ci/setup)" ;;
*) fail "the browser test failed" ;;
esac
ls "$SCREENSHOTS"

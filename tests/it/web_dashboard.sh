#!/bin/sh
# web_dashboard.sh - the console's dashboard agrees with "closeloop report"
#
# Events played through closeloopd are counted today; earlier days of
# two divisions, by ward and by service type, with the lag histogram and
# failures, are put into Redis as the daemon writes them. closeloop-web
# runs beside it. Signed in as an operator, the dashboard's figures for a
# division and a period, its ranked service types, its 13 months and its
# divisions side by side must equal what "closeloop report --json" prints
# for the same period and division (and ward); the CSV must give the same
# figures; the held, flagged and failed counts link to the list of their
# SRs, as do the SRs past their service standard with work still open. A division user sees only their division: another one is a 404,
# the page as the CSV. No page carries a resident's contact.
. "$(dirname "$0")/../harness/lib.sh"
. "$(dirname "$0")/../harness/weblib.sh"

PY=/usr/bin/python3
need "$PY" python3

redis_start
write_config "" "policy = { settle_seconds = 0; coalesce_seconds = 0; };
$(web_config)"
daemon_start
CL="$CLOSELOOP -c $CONF"

say "events today, and earlier days as closeloopd counts them"
$CL emit type=subscribe sr=R-1 email=r1@example.org >/dev/null
$CL emit type=status sr=R-1 division=TS status=received ward=W07 \
    "service=Road Pothole / Road Damage" >/dev/null
$CL emit type=status sr=R-1 division=TS status=closed reason=transferred \
    transfer_to=TW ward=W07 >/dev/null
$CL emit type=subscribe sr=R-2 phone=+14165550123 >/dev/null
$CL emit type=status sr=R-2 division=TW status=received ward=W12 \
    "service=Watermain Break" >/dev/null
$CL emit type=status sr=R-2 division=TW status=closed reason=completed \
    ward=W12 "service=Watermain Break" >/dev/null
# R-3: a standard of 0 business days, long past, and the work only
# scheduled: past its standard, still open.
$CL emit type=status sr=R-3 division=TW status=closed reason=scheduled \
    scheduled_for=2026-03-20 standard_days=0 ts=2026-03-02T15:00:00Z \
    ward=W07 "service=Watermain Break" >/dev/null
wait_for 20 "seven events accepted" stat_is accepted 7
$PY - "$T/seed" <<'EOF'
# Days before today, in America/Toronto, for TS and TW: the division's
# hash, the ward's and the service type's, as rollupfold.c writes them.
import datetime, random, sys, zoneinfo
today = datetime.datetime.now(zoneinfo.ZoneInfo("America/Toronto")).date()
rnd = random.Random(11)
wards = ["W07", "W12", "W20"]
services = {"TS": ["Road Pothole / Road Damage", "Sidewalk | Snow Clearing",
                   "Traffic Signal", "Sign Damaged", "Streetlight Out"],
            "TW": ["Watermain Break", "No Water", "Catch Basin - Blocked",
                   "Hydrant Leaking", "=Water Meter", "Basement Flooding",
                   "Water Quality", "Curb Box", "Sewer Backup",
                   "Ditch Maintenance", "Storm Drain", "Valve Repair"]}
counters = ["received", "told", "told:completed", "told:transferred",
            "held", "held:explicit_transfer", "held:partial_work_order",
            "held:closed_not_done", "flag:closed_not_done", "flag:no_note",
            "flag:unknown_note_code", "flag:duplicate_without_link",
            "flag:sms_shortened", "sent:email", "sent:sms", "failed",
            "failed:failed", "failed:dead", "failed:undelivered",
            "failed:bounced", "complained"]
lags = ["1", "5", "15", "60", "240", "1440", "more"]
with open(sys.argv[1], "w") as out:
    for back in range(1, 380, 2):
        d = (today - datetime.timedelta(days=back)).isoformat()
        for div in ("TS", "TW"):
            key = "closeloop:roll:%s:%s" % (div, d)
            for c in counters:
                n = rnd.randint(0, 6)
                if n == 0:
                    continue
                out.write('HINCRBY %s %s %d\n' % (key, c, n))
                w = rnd.choice(wards)
                out.write('HINCRBY %s:ward "%s|%s" %d\n' % (key, w, c, n))
                s = rnd.choice(services[div])
                out.write('HINCRBY "%s:service" "%s|%s" %d\n'
                          % (key, s, c, n))
            for b in lags:
                out.write('HINCRBY %s lag:%s %d\n'
                          % (key, b, rnd.randint(0, 4)))
    out.write("SADD closeloop:roll:divisions TS TW SWMS\n")
EOF
rcli < "$T/seed" > /dev/null || fail "the seed did not load"

say "closeloop-web beside closeloopd"
printf 'correct horse battery\n' > "$T/pw"
$CL user add olive --role ops --password-file "$T/pw" >/dev/null ||
    fail "cannot add the operator"
$CL user add dora --role division --division TW --password-file "$T/pw" \
    >/dev/null || fail "cannot add the division user"
web_start
web_signin olive "correct horse battery" "$T/olive.jar"
web_signin dora "correct horse battery" "$T/dora.jar"

TODAY=$(TZ=America/Toronto date +%Y-%m-%d)
FROM=$(TZ=America/Toronto date -d "$TODAY - 59 days" +%Y-%m-%d)
UNTIL=$(TZ=America/Toronto date -d "$TODAY + 1 day" +%Y-%m-%d)
# The trend: the 13 months ending with this one.
MONTH0="$(echo "$TODAY" | cut -c1-7)-01"
MONTH1=$(date -d "$MONTH0 - 12 months" +%Y-%m-%d)
MONTHEND=$(date -d "$MONTH0 + 1 month" +%Y-%m-%d)

say "the dashboard of TW agrees with closeloop report"
Q="from=$FROM&to=$TODAY&division=TW"
code=$(web_get "$T/olive.jar" "/dashboard?$Q" "$T/tw.html")
[ "$code" = 200 ] || fail "GET /dashboard?$Q: $code"
$CL report --since "$FROM" --until "$UNTIL" --json > "$T/report.json"
$CL report --since "$FROM" --until "$UNTIL" --division TW --top 10 --json \
    > "$T/top.json"
$CL report --since "$MONTH1" --until "$MONTHEND" --division TW --by month \
    --json > "$T/months.json"
code=$(web_get "$T/olive.jar" "/dashboard.csv?$Q" "$T/tw.csv")
[ "$code" = 200 ] || fail "GET /dashboard.csv?$Q: $code"
grep -qi '^content-type: text/csv; charset=utf-8' "$T/tw.csv.head" ||
    fail "the CSV's type: $(cat "$T/tw.csv.head")"
grep -qi '^content-disposition: attachment' "$T/tw.csv.head" ||
    fail "the CSV is not a file to save: $(cat "$T/tw.csv.head")"
$PY "$top_srcdir/tests/harness/dashcheck.py" TW "$FROM" "$UNTIL" \
    "$T/tw.html" "$T/tw.csv" "$T/report.json" "$T/top.json" \
    "$T/months.json" || fail "the dashboard of TW does not agree"

grep -q 'data-counter="open:past_standard"><a href="[^"]*">1<' "$T/tw.html" ||
    fail "R-3 is not counted still past its standard"
r3_listed() {
	web_get "$T/olive.jar" "/list?counter=open:past_standard&division=TW&since=$FROM&until=$TODAY" \
	    "$T/open.html" >/dev/null
	grep -q 'href="/sr/R-3"' "$T/open.html"
}
wait_for 10 "R-3 listed still past its standard" r3_listed
grep -q "1 SR(s) counted as open:past_standard" "$T/open.html" ||
    fail "the open list's total: $(grep -o '[0-9]* SR(s) counted[^<]*' "$T/open.html")"

say "a ward's figures agree with closeloop report --ward"
Q="from=$FROM&to=$TODAY&division=TW&ward=W07"
code=$(web_get "$T/olive.jar" "/dashboard?$Q" "$T/w07.html")
[ "$code" = 200 ] || fail "GET /dashboard?$Q: $code"
code=$(web_get "$T/olive.jar" "/dashboard.csv?$Q" "$T/w07.csv")
$CL report --since "$FROM" --until "$UNTIL" --ward W07 --json \
    > "$T/w07.json"
$CL report --since "$MONTH1" --until "$MONTHEND" --division TW \
    --ward W07 --by month --json > "$T/w07m.json"
$PY "$top_srcdir/tests/harness/dashcheck.py" TW "$FROM" "$UNTIL" \
    "$T/w07.html" "$T/w07.csv" "$T/w07.json" - "$T/w07m.json" W07 ||
    fail "the dashboard of ward W07 does not agree"

say "every division: the sums of the report's rows"
code=$(web_get "$T/olive.jar" "/dashboard?from=$FROM&to=$TODAY" \
    "$T/all.html")
[ "$code" = 200 ] || fail "GET /dashboard for all: $code"
$PY "$top_srcdir/tests/harness/dashcheck.py" all "$FROM" "$UNTIL" \
    "$T/all.html" - "$T/report.json" - - ||
    fail "the dashboard of every division does not agree"

say "a division user sees only their division"
code=$(web_get "$T/dora.jar" "/dashboard?from=$FROM&to=$TODAY&division=TS" \
    "$T/dora-ts.html")
[ "$code" = 404 ] || fail "dora got $code for TS's dashboard, not 404"
code=$(web_get "$T/dora.jar" "/dashboard.csv?division=ts" "$T/dora-ts.csv")
[ "$code" = 404 ] || fail "dora got $code for TS's CSV, not 404"
code=$(web_get "$T/dora.jar" "/dashboard?from=$FROM&to=$TODAY" "$T/dora.html")
[ "$code" = 200 ] || fail "dora's own dashboard: $code"
grep -q 'value="TS"' "$T/dora.html" && fail "dora may choose TS"
grep -q 'h-compare' "$T/dora.html" && fail "dora sees 311's comparison"
$PY "$top_srcdir/tests/harness/dashcheck.py" TW "$FROM" "$UNTIL" \
    "$T/dora.html" - "$T/report.json" - - ||
    fail "dora's dashboard is not TW's"
code=$(web_get "$T/dora.jar" "/dashboard?division=tw" "$T/dora-tw.html")
[ "$code" = 200 ] || fail "dora's own division in small letters: $code"

say "a period that does not make sense is said so"
code=$(web_get "$T/olive.jar" "/dashboard?from=$TODAY&to=$FROM" "$T/bad.html")
[ "$code" = 400 ] || fail "a period backwards: $code"
grep -q "role=\"alert\">The period&#39;s first day is after its last" \
    "$T/bad.html" || fail "no word on the period backwards"
code=$(web_get "$T/olive.jar" "/dashboard?from=2026-02-30" "$T/bad2.html")
[ "$code" = 400 ] || fail "2026-02-30: $code"
code=$(web_get "$T/olive.jar" "/dashboard?ward=W07&service=x" "$T/bad3.html")
[ "$code" = 400 ] || fail "a ward and a service type: $code"
code=$(web_get "$T/olive.jar" "/dashboard?division=NOPE" "$T/nope.html")
[ "$code" = 404 ] || fail "a division never counted: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "$WEB/dashboard")
[ "$code" = 303 ] || fail "the dashboard without signing in: $code"

say "no page carries a contact"
for f in "$T"/*.html "$T"/*.csv; do
	! grep -q 'r1@example\|5550123' "$f" || fail "a contact in $f"
done
exit 0

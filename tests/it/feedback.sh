#!/bin/sh
# feedback.sh - "is it fixed?": residents asked after a completion, their
# answers by SMS through the real Kannel and by the email's links
#
# Two closeloopd share the work, with the question asked 2 seconds after
# the completion went out (8 for the service type "Slow"). A French and a
# Chinese resident told "completed" by SMS get the question in their
# language, one segment; they answer through Kannel's sms-service group
# of docs/operations.md ("2 toujours un trou", "没有，坑还在"), are thanked
# in their language, and the answer and comment are in the SR's trail,
# as is a comment sent after it. An email resident gets three links: a
# GET of one shows the page and changes nothing, a forged token and an
# expired one are refused, the POST of the page records the answer and
# thanks; no working token is kept in the trail. A reopening before the
# question falls due cancels it, an unsubscription too, each recorded
# with its rule; quiet hours set by a reload after a completion went out
# put its SMS question off to their end; and with both daemons acting on
# the questions due, each resident is asked once. A question not answered
# within answer_days (moved back) closes as unanswered. The test, acting as the CRM, reads the outbound
# stream: each question, each answer with its comment, and a reopen
# request for each answer not fixed or partly, as docs/events.md shows.
. "$(dirname "$0")/../harness/lib.sh"
. "$top_srcdir/tests/harness/kannel.sh"

PY=/usr/bin/python3
need "$PY" python3
CRM="$PY $top_srcdir/tests/harness/crm.py"
command -v curl >/dev/null 2>&1 || missing "curl is not installed"

SECRET=1nb0undK3yForTests
HTTP_PORT=$(free_port)
ANSWER_URL=https://311.example.org/answer

redis_start
printf '%s\n' "$SECRET" > "$T/inbound.secret"
printf 'answ3r-k3y-for-tests\n' > "$T/answer.secret"
chmod 600 "$T/inbound.secret" "$T/answer.secret"

say "Kannel with the sms-service group of docs/operations.md"
KANNEL_EXTRA_CONF=$(awk '/^group = sms-service$/ { on = 1 }
    on && /^```$/ { exit } on { print }' "$top_srcdir/docs/operations.md" |
    sed "s/127\.0\.0\.1:9311/127.0.0.1:$HTTP_PORT/; s/INBOUND_SECRET/$SECRET/")
kannel_start "$T/kannel"
EXTRA_PIDS="$EXTRA_PIDS $KANNEL_PIDS"
smtpd_plain

write_config "" "policy = { settle_seconds = 0; coalesce_seconds = 0; };
feedback = {
	ask_after = \"2s\";
	answer_days = 1;
	services = ( { service = \"Slow\"; ask_after = \"8s\"; } );
	answer_url = \"$ANSWER_URL\";
	answer_secret_file = \"$T/answer.secret\";
};
$(smtp_config)
$(kannel_config "inbound_secret_file = \"$T/inbound.secret\";")
http = { listen = \"127.0.0.1:$HTTP_PORT\"; };"
$CRM create "$SOCK"
daemon_start
ENTRIES="$T/crm.jsonl"
: > "$ENTRIES"
closeloop_wrote "$ENTRIES"
# The second closeloopd's configuration: its own consumer, no listener.
two_conf() {
	sed 's/consumer = "it";/consumer = "it2";/; s/listen = "127.0.0.1:[0-9]*"/listen = ""/' \
	    "$CONF" > "$T/two.conf"
}
# A second closeloopd on the same Redis.
two_conf
grep -q 'consumer = "it2"' "$T/two.conf" || fail "no second configuration"
$WRAP "$CLOSELOOPD" -c "$T/two.conf" >>"$T/two.log" 2>&1 &
TWO_PID=$!
EXTRA_PIDS="$EXTRA_PIDS $TWO_PID"

# A resident by channel $1 (sms or email), contact $3, locale $4, on SR
# $2 closed as completed by TW; more fields of the closure follow.
completed() {
	_c_channel=$1
	_c_sr=$2
	_c_field=email
	[ "$_c_channel" = email ] || _c_field=phone
	event_now subscribe "$_c_sr" "$_c_field" "$3" locale "$4" \
	    channels "$_c_channel"
	wait_for 20 "the subscription of $_c_sr" subscribed "$_c_sr" \
	    "$_c_channel" "$3"
	shift 4
	event_now status "$_c_sr" division TW status closed reason completed \
	    note "Pothole filled" "$@"
}

# Print the texts fakesmsc got for phone $1, one a line.
texts_to() {
	kannel_received | awk -v to="$1" '$2 == to' | cut -d' ' -f3-
}
# Succeed when phone $1 got a text holding $2.
got_text() {
	texts_to "$1" | grep -qF "$2"
}
# Print how many texts phone $1 got holding $2.
count_texts() {
	texts_to "$1" | grep -cF "$2" || true
}

# The phone $1 texts $2 to 311; wait for a reply holding the text $3.
texts() {
	kannel_send "$1" 311 "$2"
	EXTRA_PIDS="$EXTRA_PIDS $KANNEL_FAKESMSC_PID"
	wait_for 30 "the reply to $2" got_text "$1" "$3"
}

# Print field $1 of SR $2's last entry with decision $3.
last_field() {
	history_json "$2"
	hfield_taken "$1" "$3" | tail -n 1
}

say "a French resident told completed by SMS is asked, in one segment"
FR=+14165550121
completed sms F-1 "$FR" fr-CA service "Road Pothole"
wait_for 60 "the question to $FR" got_text "$FR" "est-il r"
texts_to "$FR"
wait_for 20 "F-1 asked" has_decision F-1 asked
[ "$(last_field channel F-1 asked)" = sms ] || fail "F-1 was not asked by sms"
[ "$(last_field notification F-1 asked)" = F-1/1/0q ] ||
    fail "F-1's question is not F-1/1/0q"
kannel_coded "$FR" text "Répondez 1 réglé, 2 pas réglé ou 3 en partie" ||
    fail "the French question is not GSM-7 text"

say "they answer 2 with a comment, thanked in French; a comment after it"
texts "$FR" "2 toujours un trou" "Nous avons signalé à l'équipe"
wait_for 20 "F-1 answered" has_decision F-1 answered
[ "$(last_field answer F-1 answered)" = not_fixed ] || fail "F-1: not not_fixed"
[ "$(last_field comment F-1 answered)" = "toujours un trou" ] ||
    fail "F-1's comment: $(last_field comment F-1 answered)"
[ "$(last_field channel F-1 answered)" = sms ] || fail "F-1: not by sms"
texts "$FR" "sur le côté est" "Nous avons ajouté votre commentaire"
wait_for 20 "the comment added" has_decision F-1 answered 2
last_field comment F-1 answered | grep -q "côté est" ||
    fail "F-1's comment was not added to"

texts "$FR" "1" "Nous sommes heureux que le probl"
wait_for 20 "the answer replaced" has_decision F-1 answered 3
[ "$(last_field answer F-1 answered)" = fixed ] || fail "F-1: not fixed at last"
[ "$(last_field previous F-1 answered)" = not_fixed ] ||
    fail "F-1: the answer replaced is not said"

say "a Chinese resident, asked in Chinese, answers with the comment attached"
ZH=+14165550122
completed sms Z-1 "$ZH" zh-Hans service "Road Pothole"
wait_for 60 "the Chinese question" got_text "$ZH" "问题解决了吗"
kannel_coded "$ZH" ucs-2 "请回复1已解决，2未解决，3部分解决" ||
    fail "the Chinese question is not UCS-2"
texts "$ZH" "没有，坑还在" "我们已告知工作团队问题未解决"
wait_for 20 "Z-1 answered" has_decision Z-1 answered
[ "$(last_field answer Z-1 answered)" = not_fixed ] || fail "Z-1: not not_fixed"
[ "$(last_field comment Z-1 answered)" = "坑还在" ] ||
    fail "Z-1's comment: $(last_field comment Z-1 answered)"
"$CLOSELOOP" -c "$CONF" history Z-1

say "an email resident gets three links to closeloopd's page"
completed email E-1 ana@example.org en service "Road Pothole"
mail_question() {
	$PY "$top_srcdir/tests/harness/mailbox.py" show "$MAIL" \
	    ana@example.org 2>/dev/null | grep -q "answer?q=E-1/"
}
wait_for 60 "the email question" mail_question
$PY "$top_srcdir/tests/harness/mailbox.py" check "$MAIL" || fail "a malformed message"
$PY "$top_srcdir/tests/harness/mailbox.py" show "$MAIL" ana@example.org |
    tr -d '\r' > "$T/question.txt"
grep -q "^Subject: Is the problem in your request E-1 fixed?" "$T/question.txt" ||
    fail "not the question: $(head -n 5 "$T/question.txt")"
for a in fixed not_fixed partly; do
	grep -q "^$ANSWER_URL?q=E-1/1/0&a=$a&exp=[0-9]*&token=[0-9a-f]\{64\}$" \
	    "$T/question.txt" || fail "no link for $a"
done
URL=$(grep "^$ANSWER_URL?q=E-1/1/0&a=not_fixed&" "$T/question.txt")
TOKEN=${URL##*token=}
EXP=$(echo "$URL" | sed 's/.*&exp=\([0-9]*\)&.*/\1/')
# The city's https proxy passes the path and the query to the listener.
LOCAL="http://127.0.0.1:$HTTP_PORT/answer${URL#"$ANSWER_URL"}"

say "a GET shows the page and changes nothing; forged and expired refused"
code=$(curl -s -o "$T/page.html" -w '%{http_code}' "$LOCAL")
[ "$code" = 200 ] || fail "the GET got $code"
grep -q '<form method="post">' "$T/page.html" || fail "the page has no form"
grep -q 'value="not_fixed" checked' "$T/page.html" ||
    fail "the link's answer is not chosen"
grep -q '<textarea id="comment" name="comment"' "$T/page.html" ||
    fail "the page has no comment box"
FORGED=$(echo "$LOCAL" | sed 's/\(token=.*\)[0-9a-f]$/\10/')
[ "$FORGED" != "$LOCAL" ] || FORGED=$(echo "$LOCAL" | sed 's/0$/1/')
code=$(curl -s -o "$T/forged.html" -w '%{http_code}' "$FORGED")
[ "$code" = 403 ] || fail "a forged token got $code"
grep -q "not valid" "$T/forged.html" || fail "the forged link's page"
code=$(curl -s -o /dev/null -w '%{http_code}' \
    -d "answer=fixed" "$(echo "$LOCAL" | sed 's/q=E-1/q=F-1/')")
[ "$code" = 403 ] || fail "the token worked for another question ($code)"
# A link of the right key, expired an hour ago.
OLD=$(($(date +%s) - 3600))
OLDTOKEN=$($PY -c '
import hashlib, hmac, sys
key = open(sys.argv[1]).readline().rstrip("\n").encode()
msg = ("closeloop-answer:E-1/1/0:" + sys.argv[2]).encode()
print(hmac.new(key, msg, hashlib.sha256).hexdigest())' "$T/answer.secret" "$OLD")
EXPIRED="http://127.0.0.1:$HTTP_PORT/answer?q=E-1/1/0&a=fixed&exp=$OLD&token=$OLDTOKEN"
code=$(curl -s -o "$T/expired.html" -w '%{http_code}' -d "answer=fixed" "$EXPIRED")
[ "$code" = 403 ] || fail "an expired link got $code"
grep -q "no longer taken" "$T/expired.html" || fail "the expired link's page"
sleep 1
has_decision E-1 answered && fail "a GET, a forged or an expired link answered"

say "the page's POST records the answer and thanks"
code=$(curl -s -o "$T/thanks.html" -w '%{http_code}' \
    --data-urlencode "q=E-1/1/0" --data-urlencode "exp=$EXP" \
    --data-urlencode "token=$TOKEN" --data-urlencode "answer=partly" \
    --data-urlencode "comment=Only one side was filled" "$LOCAL")
[ "$code" = 200 ] || fail "the POST got $code"
grep -q "Thank you" "$T/thanks.html" || fail "no thanks: $(cat "$T/thanks.html")"
wait_for 10 "E-1 answered" has_decision E-1 answered
[ "$(last_field answer E-1 answered)" = partly ] || fail "E-1: not partly"
[ "$(last_field comment E-1 answered)" = "Only one side was filled" ] ||
    fail "E-1's comment: $(last_field comment E-1 answered)"
[ "$(last_field channel E-1 answered)" = email ] || fail "E-1: not by email"
curl -s "$LOCAL" | grep -q "Your answer so far: <strong>It is only partly fixed" ||
    fail "the page does not show the answer given"
rcli XRANGE 'closeloop:sr:{E-1}:audit' - + > "$T/e1-audit"
if grep -qF "$TOKEN" "$T/e1-audit"; then
	fail "a working answer token is in the trail"
fi
grep -q "token=REDACTED" "$T/e1-audit" || fail "the trail has no redacted link"
"$CLOSELOOP" -c "$CONF" history E-1

say "a reopening before the question is due cancels it, an unsubscription too"
RP=+14165550123
UP=+14165550124
completed sms R-1 "$RP" en service Slow
completed sms U-1 "$UP" en service Slow
wait_for 30 "R-1's completion sent" has_decision R-1 sent
wait_for 30 "U-1's completion sent" has_decision U-1 sent
event_now status R-1 division TW status reopened
event_now unsubscribe U-1 phone "$UP"
wait_for 30 "R-1's question cancelled" has_decision R-1 suppressed
wait_for 30 "U-1's question cancelled" has_decision U-1 suppressed
history_json R-1
hfield_taken rule suppressed | grep -qx no_longer_completed ||
    fail "R-1: not no_longer_completed"
history_json U-1
hfield_taken rule suppressed | grep -qx unsubscribed || fail "U-1: not unsubscribed"
has_decision R-1 asked && fail "R-1 was asked after its reopening"
has_decision U-1 asked && fail "U-1 was asked after unsubscribing"
[ "$(count_texts "$RP" "fixed?")" = 0 ] || fail "R-1's phone got the question"

say "two closeloopd, eight residents: each asked once"
i=1
while [ "$i" -le 8 ]; do
	completed sms "D-$i" "+1416555030$i" en service "Road Pothole"
	i=$((i + 1))
done
i=1
while [ "$i" -le 8 ]; do
	wait_for 60 "D-$i asked" has_decision "D-$i" asked
	i=$((i + 1))
done
sleep 3
i=1
while [ "$i" -le 8 ]; do
	count_decision "D-$i" asked
	[ "$NDECISIONS" = 1 ] || fail "D-$i was asked $NDECISIONS times"
	wait_for 30 "D-$i's question" got_text "+1416555030$i" "fixed?"
	[ "$(count_texts "+1416555030$i" "fixed?")" = 1 ] ||
	    fail "D-$i's phone got the question more than once"
	i=$((i + 1))
done
log_has "asked feedback" || grep -q "asked feedback" "$T/two.log" ||
    fail "the daemons logged no question"

say "a question not answered within answer_days is closed as unanswered"
# As if the day of answers had passed: the question's answer_by, and its
# place in the due set, moved back to a second ago. The daemons sleep
# until the next question they know of, days away: a hand on the due set
# is followed by an entry on the wake-up stream, as closeloop's own
# commands do, so that they look again.
PAST=$(($(date +%s) * 1000 - 1000))
rcli HSET 'closeloop:sr:{D-1}:q:1/0' answer_by "$PAST" >/dev/null
rcli ZADD closeloop:ask:due "$PAST" D-1/1/0 >/dev/null
rcli XADD closeloop:wake '*' what outbox from test >/dev/null
wait_for 30 "D-1 unanswered" has_decision D-1 unanswered
[ "$(rcli HGET 'closeloop:sr:{D-1}:q:1/0' state)" = unanswered ] ||
    fail "D-1's question is not closed"
# An answer after it is not taken (and not thanked).
kannel_send "+14165550301" 311 "1"
EXTRA_PIDS="$EXTRA_PIDS $KANNEL_FAKESMSC_PID"
sleep 2
has_decision D-1 answered && fail "an answer after answer_days was taken"

say "in quiet hours an SMS question waits for their end"
QP=+14165550125
completed sms Q-1 "$QP" en service Slow
wait_for 30 "Q-1's completion sent" has_decision Q-1 sent
# sms.quiet_hours from an hour ago to two hours on, in the city's zone,
# for both daemons, reloaded before the question falls due (8 s).
QUIET=$($PY -c '
import datetime, zoneinfo
now = datetime.datetime.now(zoneinfo.ZoneInfo("America/Toronto"))
a, b = now - datetime.timedelta(hours=1), now + datetime.timedelta(hours=2)
print("%s-%s %d" % (a.strftime("%H:%M"), b.strftime("%H:%M"),
                    b.replace(second=0, microsecond=0).timestamp()))')
QEND=${QUIET#* }
QUIET=${QUIET% *}
sed "s/^sms = {\$/sms = {\n\tquiet_hours = \"$QUIET\";/" "$CONF" > "$T/quiet.conf"
grep -q "quiet_hours = \"$QUIET\"" "$T/quiet.conf" || fail "no quiet hours"
cp "$T/quiet.conf" "$CONF"
two_conf
# Succeed when both daemons have reloaded once more than $1 and $2 times.
reloaded() {
	[ "$(log_count "configuration reloaded")" -gt "$1" ] &&
	    [ "$(grep -c "configuration reloaded" "$T/two.log" || true)" -gt "$2" ]
}
r1=$(log_count "configuration reloaded")
r2=$(grep -c "configuration reloaded" "$T/two.log" || true)
kill -HUP "$DAEMON_PID" "$TWO_PID"
wait_for 10 "the reloads" reloaded "$r1" "$r2"
# Due 8 s after the completion went out, the question is put off to the
# end of the quiet hours, not asked.
question_put_off() {
	_qp=$(rcli ZSCORE closeloop:ask:due Q-1/1/0)
	[ -n "$_qp" ] && [ "${_qp%.*}" -ge "$(( (QEND - 60) * 1000 ))" ]
}
wait_for 30 "Q-1's question put off" question_put_off
_qp=$(rcli ZSCORE closeloop:ask:due Q-1/1/0)
[ "${_qp%.*}" -le "$(( (QEND + 60) * 1000 ))" ] ||
    fail "Q-1's question is put off to $_qp, not the end of $QUIET"
has_decision Q-1 asked && fail "Q-1 was asked in quiet hours"
[ "$(count_texts "$QP" "fixed?")" = 0 ] || fail "Q-1's phone got the question"

say "closeloop report counts the questions and each resident's last answer"
"$CLOSELOOP" -c "$CONF" report --since 1d | tee "$T/report.txt"
grep -q "residents asked if it was fixed  *11$" "$T/report.txt" ||
    fail "not 11 residents asked"
grep -q "their answers  *3  (fixed 1, not fixed 1, partly 1)$" \
    "$T/report.txt" || fail "not the answers, the last of each"
grep -q "resident-confirmed fix rate  *33%" "$T/report.txt" ||
    fail "not a fix rate of 33%"
grep -q "not fixed or partly, by service  *Road Pothole 2$" "$T/report.txt" ||
    fail "the service types answered not fixed"
"$CLOSELOOP" -c "$CONF" report --since 1d --json > "$T/report.json"
$PY -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
tw = [r for r in rows if r["division"] == "TW"][0]
want = {"residents_asked": 11, "answers": 3, "answers_fixed": 1,
    "answers_not_fixed": 1, "answers_partly": 1, "unanswered": 1}
for k, v in want.items():
    if tw[k] != v:
        sys.exit("%s is %s, not %s" % (k, tw[k], v))' "$T/report.json" ||
    fail "the JSON report's answers"
"$CLOSELOOP" -c "$CONF" report --since 1d --top 3 | tee "$T/top.txt"
grep -q "Road Pothole  *[0-9 ]* 1  *2$" "$T/top.txt" ||
    fail "--top does not give the service type's answers"
"$CLOSELOOP" -c "$CONF" report --since 1d --list answer:not_fixed |
    tee "$T/list.txt"
grep -q "Z-1" "$T/list.txt" || fail "Z-1 not listed as not fixed"
grep -q "F-1" "$T/list.txt" && fail "F-1, fixed at last, listed as not fixed"

say "the CRM reads the questions, the answers and the reopen requests"
$CRM read "$SOCK" > "$ENTRIES" || fail "an entry names a field twice"
grep -v '"type": "\(queued\|sent\)"' "$ENTRIES"
$PY - "$ENTRIES" <<'EOF' || fail "the CRM was not told as the contract says"
import json, sys
es = [json.loads(l) for l in open(sys.argv[1])]
def of(sr, t):
    return [e for e in es if e["sr"] == sr and e["type"] == t]
# F-1: not fixed with a comment, the comment added, then fixed.
a = of("F-1", "answered")
assert [e["answer"] for e in a] == ["not_fixed", "not_fixed", "fixed"], a
assert a[2]["previous"] == "not_fixed" and "previous" not in a[0], a
assert a[0]["comment"] == "toujours un trou", a
assert (a[0]["channel"], a[0]["locale"], a[0]["question"]) == \
    ("sms", "fr-CA", "F-1/1/0"), a
assert a[0]["to"] == "+1416***0121", a
r = of("F-1", "reopen_requested")
assert len(r) == 2 and r[0]["comment"] == "toujours un trou", r
assert "côté est" in r[1]["comment"], r
assert len(of("F-1", "asked")) == 1, of("F-1", "asked")
# Each reopen request comes right after its answer.
for i, e in enumerate(es):
    if e["type"] == "reopen_requested":
        p = es[i - 1]
        assert p["type"] == "answered" and p["sr"] == e["sr"] and \
            p["answer"] == e["answer"], (p, e)
z = of("Z-1", "reopen_requested")
assert len(z) == 1 and z[0]["comment"] == "坑还在" and \
    z[0]["answer"] == "not_fixed", z
e1 = of("E-1", "reopen_requested")
assert len(e1) == 1 and e1[0]["answer"] == "partly" and \
    e1[0]["comment"] == "Only one side was filled" and \
    e1[0]["channel"] == "email" and e1[0]["to"] == "a***@example.org", e1
assert not of("R-1", "asked") and not of("U-1", "asked")
for i in range(1, 9):
    assert len(of("D-%d" % i, "asked")) == 1, i
u = of("D-1", "unanswered")
assert len(u) == 1 and u[0]["question"] == "D-1/1/0", u
assert not of("D-1", "answered") and not of("D-2", "unanswered")
assert not [e for e in es if e["type"] == "reopen_requested" and
            e.get("answer") == "fixed"]
EOF
$CRM check "$top_srcdir/docs/events.md" "$ENTRIES" asked answered \
    reopen_requested unanswered ||
    fail "docs/events.md's examples are not what closeloopd writes"

say "no full number or address in the logs"
if grep -E '55501(2[1-4])|ana@example' "$DLOG" "$T/two.log"; then
	fail "a full contact in a log"
fi
kill -TERM "$TWO_PID"
rc=0
wait "$TWO_PID" || rc=$?
[ "$rc" = 0 ] || fail "the second closeloopd exited $rc: $(tail -n 5 "$T/two.log")"
daemon_stop
kannel_stop
echo PASS

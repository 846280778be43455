#!/bin/sh
# templates.sh - the shipped templates pass lint and render; a broken
# set is refused with its position, at start and on SIGHUP, and the set in
# use keeps serving
. "$(dirname "$0")/../harness/lib.sh"

redis_start
write_config
say "the shipped set passes lint"
"$CLOSELOOP" -c "$CONF" lint > "$T/lint"
cat "$T/lint"
# The test's TW is named in English and French alone.
assert "no errors" grep -q "396 templates in 6 locales, version [0-9a-f]*: 0 errors, 4 warnings" "$T/lint"
for l in es fa pt zh-Hans; do
	assert "TW has no name in $l" grep -qx "warning: $l: division TW has no name in this language (divisions.TW.name.$l); residents read \"Toronto Water\"" "$T/lint"
done

say "render shows what a resident reads"
"$CLOSELOOP" -c "$CONF" render --locale fr --channel sms sr=8812 \
    division=TW status=closed reason=scheduled scheduled_for=2026-03-05 \
    > "$T/sms"
cat "$T/sms"
assert "notice" grep -q "^notice scheduled for SR 8812, locale fr" "$T/sms"
assert "the date in French" grep -q "5 mars 2026" "$T/sms"
assert "segments" grep -q "^== sms: [1-3] segments\?, GSM-7" "$T/sms"
assert "the link" grep -q "https://311.example.org/sr/8812" "$T/sms"
"$CLOSELOOP" -c "$CONF" render --locale zh-Hans --channel email sr=8812 \
    division=TW status=closed reason=completed "note=<b>done</b>" > "$T/mail"
assert "the date in Chinese" grep -q "年.*月.*日" "$T/mail"
assert "the note escaped in HTML" grep -q "&lt;b&gt;done&lt;/b&gt;" "$T/mail"
rc=0
"$CLOSELOOP" -c "$CONF" render status=done > "$T/out" 2>&1 || rc=$?
assert "a bad event: exit 65" [ "$rc" = 65 ]
assert "says why" grep -q "status: unknown status" "$T/out"

say "lint points at a broken template"
cp -R "$top_srcdir/templates" "$T/tpl"
printf 'Hi {{nmae}}\n{{#sr}}\n' > "$T/tpl/fa/completed.txt.mustache"
rc=0
"$CLOSELOOP" -c "$CONF" lint "$T/tpl" > "$T/lint" || rc=$?
cat "$T/lint"
assert "exit 1" [ "$rc" = 1 ]
assert "position" grep -q "$T/tpl/fa/completed.txt.mustache:2:1: section sr is not closed" "$T/lint"
printf 'Hi {{nmae}}\n' > "$T/tpl/fa/completed.txt.mustache"
rc=0
"$CLOSELOOP" -c "$CONF" lint "$T/tpl" > "$T/lint" || rc=$?
assert "exit 1" [ "$rc" = 1 ]
assert "unknown variable" grep -q "$T/tpl/fa/completed.txt.mustache:1:4: unknown variable nmae" "$T/lint"
printf 'Votre demande {{sr} est termin\303\251e.\n{{date}}\n' > "$T/tpl/fr/completed.txt.mustache"
rc=0
"$CLOSELOOP" -c "$CONF" lint "$T/tpl" > "$T/lint" || rc=$?
assert "exit 1" [ "$rc" = 1 ]
assert "a tag short of a brace" grep -q "$T/tpl/fr/completed.txt.mustache:1:15: tag is not closed: no }}" "$T/lint"

say "lint warns of a heading over a missing link and of numbers not isolated in Persian"
rm -rf "$T/tpl"
cp -R "$top_srcdir/templates" "$T/tpl"
printf 'Consultez votre demande en ligne :\n{{status_url}}\n' > "$T/tpl/fr/_footer.txt.mustache"
printf 'درخواست {{sr}} لغو شد' > "$T/tpl/fa/cancelled.subject.mustache"
"$CLOSELOOP" -c "$CONF" lint "$T/tpl" > "$T/lint"
cat "$T/lint"
assert "heading" grep -q "warning: $T/tpl/fr/_footer.txt.mustache:2:1: the heading of {{status_url}} shows when status_url is empty: put it inside {{#status_url}}...{{/status_url}}" "$T/lint"
assert "isolate" grep -q "warning: $T/tpl/fa/cancelled.subject.mustache:1:9: {{sr}} is not isolated in right-to-left text" "$T/lint"

say "a set saved with Windows line endings sends no carriage return"
rm -rf "$T/tpl"
cp -R "$top_srcdir/templates" "$T/tpl"
for f in "$T"/tpl/fr/*.mustache; do
	sed -i 's/$/\r/' "$f"
done
"$CLOSELOOP" -c "$CONF" lint "$T/tpl" > "$T/lint"
assert "no errors" grep -q "0 errors" "$T/lint"
"$CLOSELOOP" -c "$CONF" render --templates "$T/tpl" --locale fr sr=8812 \
    division=TW status=closed reason=completed > "$T/out"
assert "rendered" grep -q "Eau de Toronto" "$T/out"
if tr -d '\n' < "$T/out" | grep -q "$(printf '\r')"; then
	fail "a carriage return reached the message"
fi

say "closeloopd refuses a broken set on SIGHUP and keeps its own"
cp -R "$top_srcdir/templates" "$T/live"
sed -i "s|dir = \"$top_srcdir/templates\";|dir = \"$T/live\";|" "$CONF"
daemon_start
wait_for 10 "the start" log_has "templates $T/live loaded, version"
v1=$(grep -o "loaded, version [0-9a-f]*" "$DLOG" | head -n 1)
printf '{{#sr}}\n' > "$T/live/en/received.txt.mustache"
kill -HUP "$DAEMON_PID"
wait_for 10 "the refusal" log_has "keeping the current configuration and templates: .*received.txt.mustache:1:1: section sr is not closed"
assert "still running" kill -0 "$DAEMON_PID"
cp "$top_srcdir/templates/en/received.txt.mustache" "$T/live/en/"
printf '\n' >> "$T/live/en/received.txt.mustache"
kill -HUP "$DAEMON_PID"
wait_for 10 "the reload" log_has "configuration reloaded"
v2=$(grep -o "loaded, version [0-9a-f]*" "$DLOG" | tail -n 1)
echo "versions: $v1 then $v2"
assert "a version" [ -n "$v2" ]
assert "a new version" [ "$v1" != "$v2" ]
daemon_stop

say "closeloopd does not start with a broken set"
printf '{{/x}}\n' > "$T/live/fr/cancelled.sms.mustache"
rc=0
"$CLOSELOOPD" -c "$CONF" 2> "$T/err" || rc=$?
assert "exit 78" [ "$rc" = 78 ]
assert "names the file" grep -q "fr/cancelled.sms.mustache:1:1: closing tag without a section: x" "$T/err"
echo "PASS"

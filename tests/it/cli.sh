#!/bin/sh
# cli.sh - closeloop's and closeloopd's command lines, as operators and
# template editors type them
#
# Options go before or after operands; a bad command line says what is
# wrong in one line, then the usage, and exits 64; queue, dead list, lint
# and --check-config speak JSON on request; report takes --division and
# refuses --since after --until; render says when a locale fell back and
# fails on a set with lint errors; lint and render work in a checkout
# with no configuration file; --check-config never repeats a password.
. "$(dirname "$0")/../harness/lib.sh"

PY=/usr/bin/python3
need "$PY" python3

redis_start
write_config "" "policy = { settle_seconds = 0; coalesce_seconds = 0; };"
daemon_start
CL="$CLOSELOOP -c $CONF"

# Succeed if a command's output is one line of valid JSON (or JSON Lines).
is_json() {
	$PY -c '
import json, sys
lines = [l for l in open(sys.argv[1]) if l.strip()]
assert lines, "no output"
for l in lines:
    json.loads(l)' "$1"
}

# Run a command that must fail with 64; its first line of stderr must
# contain $1.
bad_usage() {
	want=$1
	shift
	rc=0
	"$@" >"$T/out" 2>"$T/err" || rc=$?
	[ "$rc" = 64 ] || fail "$* exited $rc, not 64"
	head -n 1 "$T/err" | grep -qF -- "$want" ||
	    fail "$*: first line \"$(head -n 1 "$T/err")\", not \"$want\""
	grep -q "^usage: " "$T/err" || fail "$*: no usage after the reason"
}

say "options after operands"
$CL emit type=subscribe sr=C-1 email=cli@example.org --force >/dev/null ||
    fail "emit with --force last failed"
$CL emit type=status sr=C-1 division=TW status=received >/dev/null
wait_for 20 "C-1 accepted" stat_is accepted 2
$CL history C-1 --json > "$T/h.json" || fail "history SR --json failed"
is_json "$T/h.json" || fail "history SR --json is not JSON"
$CL history --json C-1 | cmp -s - "$T/h.json" ||
    fail "history --json SR and history SR --json differ"

say "a bad command line says what is wrong, then how"
bad_usage "closeloop history: give an SR, or --since" $CL history
bad_usage 'closeloop history: unexpected "C-2" after the SR' $CL history C-1 C-2
bad_usage "closeloop queue: takes no operand" $CL queue now
bad_usage "closeloop dead: list, retry or drop?" $CL dead
bad_usage "closeloop queue: --channel: email or sms" $CL queue --channel fax
bad_usage "closeloop emit: no FIELD=VALUE given" $CL emit --force
bad_usage "closeloop lint: one template directory at most" $CL lint a b
bad_usage "closeloop report: --since is required" $CL report --json
bad_usage "closeloop report: --since (1d) is later than --until (3d)" \
    $CL report --since 1d --until 3d
bad_usage "closeloop history: --since is later than --until" \
    $CL history --since 2026-11-02 --until 2026-11-01
bad_usage 'closeloop: unknown command "frobnicate"' $CL frobnicate
bad_usage "closeloop: no command given" $CL
# closeloopd taking the operand would run in the foreground: timed out.
bad_usage 'closeloopd: unexpected "extra"' \
    timeout 10 "$CLOSELOOPD" -c "$CONF" extra

say "--json: queue, dead list, lint, --check-config"
$CL queue --json > "$T/queue.json" || fail "queue --json failed"
is_json "$T/queue.json" || fail "queue --json is not JSON"
$PY -c 'import json, sys
q = [json.loads(l) for l in open(sys.argv[1])]
t = q[0]
assert t["kind"] == "totals" and [o for o in q if o["kind"] == "totals"] == [t], q
assert t["dead_letters"] == 0 and t["events"] == 2, q' "$T/queue.json" ||
    fail "queue --json: $(cat "$T/queue.json")"
rcli XADD closeloop:events '*' v 1 type status sr C-2 >/dev/null
wait_for 20 "a dead letter" dead_is 1
$CL dead list --json > "$T/dead.json" || fail "dead list --json failed"
$PY -c 'import json, sys
d = [json.loads(l) for l in open(sys.argv[1])]
assert len(d) == 1 and d[0]["kind"] == "event" and d[0]["sr"] == "C-2", d
assert d[0]["error"].startswith("ts: missing"), d' "$T/dead.json" ||
    fail "dead list --json: $(cat "$T/dead.json")"
$CL lint --json > "$T/lint.json" || fail "lint --json failed"
$PY -c 'import json, sys; l = json.load(open(sys.argv[1]))
assert l["loads"] and l["errors"] == [] and l["locales"] == 6, l' \
    "$T/lint.json" || fail "lint --json: $(cat "$T/lint.json")"
"$CLOSELOOPD" -c "$CONF" --check-config --json > "$T/check.json" ||
    fail "--check-config --json failed"
$PY -c 'import json, sys; c = json.load(open(sys.argv[1]))
assert c["valid"] is True and c["problems"] == [], c' "$T/check.json" ||
    fail "--check-config --json: $(cat "$T/check.json")"

say "report --division"
rcli XADD closeloop:events '*' v 1 type status sr C-3 division TS \
    status received ts 2026-11-20T10:00:00Z >/dev/null
wait_for 20 "C-3 accepted" stat_is accepted 3
$CL report --since 1d --json > "$T/all.json"
$CL report --division ts --since 1d --json > "$T/ts.json"
[ "$(wc -l < "$T/all.json")" = 2 ] || fail "want rows for TW and TS"
[ "$(wc -l < "$T/ts.json")" = 1 ] && grep -q '"division":"TS"' "$T/ts.json" ||
    fail "report --division TS: $(cat "$T/ts.json")"

say "render: a fallback locale is named; a set with lint errors fails"
$CL render --locale ta --channel sms division=TW status=received > "$T/ta" ||
    fail "render --locale ta failed"
grep -q "no received.sms for locale ta in this set: rendered from en" "$T/ta" ||
    fail "render does not say it fell back: $(cat "$T/ta")"
cp -r "$top_srcdir/templates" "$T/broken"
printf 'Plain link: http://311.example.org/{{sr}}\n' > "$T/broken/en/received.sms.mustache"
rc=0
$CL render --templates "$T/broken" --channel sms division=TW \
    status=received >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" = 78 ] || fail "render of a set with lint errors exited $rc"
grep -q "has [0-9]* errors\?, so closeloopd would refuse it" "$T/err" ||
    fail "render does not say the set has errors: $(cat "$T/err")"

say "lint and render in a checkout without a configuration file"
default=$("$CLOSELOOP" --help | sed -n 's/.*closeloopd.s configuration (default \(.*\))$/\1/p')
[ -n "$default" ] || fail "closeloop --help names no default configuration"
if [ -e "$default" ]; then
	skipped "$default exists here: the checks without a configuration" \
	    "file cannot run"
else
	(cd "$T" && "$CLOSELOOP" lint "$top_srcdir/templates") > "$T/lint" \
	    2>"$T/err" || fail "lint without a configuration failed: $(cat "$T/err")"
	grep -q "0 errors" "$T/lint" || fail "lint: $(cat "$T/lint")"
	grep -q "using the built-in defaults" "$T/err" ||
	    fail "lint does not say it uses the defaults"
	(cd "$T" && "$CLOSELOOP" render --templates "$top_srcdir/templates" \
	    --channel sms division=TW status=received) > "$T/render" 2>&1 ||
	    fail "render without a configuration failed: $(cat "$T/render")"
	grep -q "^== sms" "$T/render" || fail "render printed no SMS"
	rc=0
	(cd "$T" && "$CLOSELOOP" history C-1) >/dev/null 2>&1 || rc=$?
	[ "$rc" = 78 ] || fail "history without a configuration exited $rc"
fi

say "--check-config never repeats a password"
printf 'email = { smtp = "smtp://bob:s3cr3t-pw@mail.example.org:587"; from = "a@example.org"; };\n' > "$T/pw.conf"
rc=0
"$CLOSELOOPD" -c "$T/pw.conf" --check-config >"$T/out" 2>&1 || rc=$?
[ "$rc" = 78 ] || fail "a URL with credentials passed --check-config"
grep -q "without credentials" "$T/out" || fail "$(cat "$T/out")"
if grep -q "s3cr3t-pw" "$T/out"; then
	fail "--check-config printed the password"
fi
printf 'redis = { url = unix; };\n' > "$T/syntax.conf"
"$CLOSELOOPD" -c "$T/syntax.conf" --check-config >"$T/out" 2>&1 && fail "a syntax error passed"
if grep -q "syntax error: syntax error" "$T/out"; then
	fail "the syntax error says nothing: $(cat "$T/out")"
fi
grep -q "syntax.conf:1: syntax error: libconfig cannot read this (a string without its double quotes?" "$T/out" ||
    fail "the syntax error does not help: $(cat "$T/out")"

daemon_stop
echo PASS

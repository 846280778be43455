#!/bin/sh
# web.sh - closeloop-web: accounts, sign-in, sessions, roles, CSRF, the
# Find page and an SR's timeline, behind a real nginx for single sign-on
#
# What a 311 operations team checks before giving the console to staff:
# a password is needed and guessing is cut off; a session cookie is
# HttpOnly and SameSite=Strict, changes at sign-in and ends at sign-out
# or when the account is deleted; a form posted from elsewhere is
# refused; a division user gets 404 for another division's SR; a
# resident's SRs are found from the whole address only; the timeline
# shows each message with the proof that it is the one sent; every answer
# carries the security headers. A real nginx with auth_basic stands in
# for the city's identity provider: its users get in with the role of
# their group, and the same headers sent straight to closeloop-web do
# not get anyone in.
. "$(dirname "$0")/../harness/lib.sh"
. "$top_srcdir/tests/harness/web.sh"
. "$top_srcdir/tests/harness/nginx.sh"

PY=/usr/bin/python3
need "$PY" python3

redis_start
smtpd_plain
# The console's own Redis user, by the rule docs/operations.md gives.
acl=$(sed -n '/<!-- web-acl -->/,/^ACL SETUSER/p' "$top_srcdir/docs/operations.md" |
    grep '^ACL SETUSER' | sed 's/>the-web-password/>w3b-pass/')
[ -n "$acl" ] || fail "docs/operations.md gives no ACL rule for the console"
# shellcheck disable=SC2086
rcli $acl >/dev/null
printf 'w3b-pass\n' > "$T/web-redis.secret"
chmod 600 "$T/web-redis.secret"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$T/lookup.secret"
chmod 600 "$T/lookup.secret"
web_port
write_config "" "policy = { settle_seconds = 0; coalesce_seconds = 0; };
audit = { lookup_secret_file = \"$T/lookup.secret\"; };
$(smtp_config)
$(web_config "redis_username = \"closeloop-web\";
	redis_password_file = \"$T/web-redis.secret\";
	trusted_proxies = [ \"127.0.0.2\" ];
	signin_limit = 3;
	groups = (
		{ group = \"water\"; role = \"division\"; divisions = [ \"TW\" ]; },
		{ group = \"311-ops\"; role = \"ops\"; }
	);")"
# A second division, so that a division user has one it may not see.
sed -i 's/^divisions = {$/divisions = {\n\tTS = { name = { en = "Transportation Services"; }; };/' "$CONF"

say "the unit: hardened (exposure <= 1.5), and none of closeloopd's delivery secrets"
if command -v systemd-analyze >/dev/null 2>&1; then
	( cd "$top_builddir" && make -s systemd/closeloop-web.service )
	systemd-analyze security --offline=true --threshold=15 \
	    "$top_builddir/systemd/closeloop-web.service" > "$T/security" 2>&1 ||
	    { cat "$T/security"; fail "the unit is exposed more than 1.5"; }
	grep 'Overall exposure' "$T/security"
else
	skipped "systemd-analyze is not installed (Debian package systemd): the unit is not checked"
fi
for c in smtp-password bounce-secret sms-password sms-dlr-secret \
    sms-inbound-secret unsubscribe-secret redis-password; do
	grep -q "LoadCredential=$c:" "$top_srcdir/systemd/closeloop-web.service.in" &&
	    fail "closeloop-web.service loads $c"
done

say "closeloop-web checks its configuration and reads none of closeloopd's secrets"
"$CLOSELOOP_WEB" -c "$CONF" --check-config >/dev/null ||
    fail "closeloop-web --check-config"
# A delivery secret that cannot be read stops closeloopd, not the console,
# which never opens it.
sed 's|^email = {|email = {\n\tusername = "u";\n\tpassword_file = "/nonexistent/smtp.secret";|' "$CONF" > "$T/sec.conf"
"$CLOSELOOP_WEB" -c "$T/sec.conf" --check-config >/dev/null 2>&1 ||
    fail "closeloop-web opened email.password_file"
"$CLOSELOOPD" -c "$T/sec.conf" --check-config >/dev/null 2>&1 &&
    fail "closeloopd took an unreadable email.password_file"
sed 's/role = "ops"/role = "boss"/' "$CONF" > "$T/bad.conf"
"$CLOSELOOP_WEB" -c "$T/bad.conf" --check-config > "$T/bad.out" 2>&1 &&
    fail "a bad role was accepted"
grep -q "bad.conf:[0-9]*: web.groups.role: must be division, ops, comms or auditor" "$T/bad.out" ||
    fail "no clear message for a bad role: $(cat "$T/bad.out")"

daemon_start
web_start
wait_for 10 "the address in the log" grep -q "listening on 127.0.0.1:$WEB_PORT" "$WLOG"

say "accounts: added, listed, refused when wrong"
web_user olive ops
web_user walt division TW
web_user sara division TS
web_user cara comms
"$CLOSELOOP" -c "$CONF" user list > "$T/users.txt"
grep -q "^walt  *division  *TW " "$T/users.txt" || fail "user list: $(cat "$T/users.txt")"
grep -q "(4 accounts)" "$T/users.txt" || fail "user list count"
echo short > "$T/short"
"$CLOSELOOP" -c "$CONF" user add tim --role ops --password-file "$T/short" \
    2> "$T/short.err" && fail "a short password was taken"
grep -q "12 to 1024 characters" "$T/short.err" || fail "short password message"
"$CLOSELOOP" -c "$CONF" user add tim --role division --division XX \
    --password-file "$T/password" 2> "$T/div.err" && fail "an unknown division was taken"
grep -q 'no division "XX"' "$T/div.err" || fail "unknown division message"
[ "$(rcli HGET closeloop:web:user:olive hash | cut -c1-10)" = '$argon2id$' ] ||
    fail "the password is not kept as an Argon2id hash"
for k in $(rcli --scan --pattern '*'); do
	if rcli --no-raw DUMP "$k" 2>/dev/null | grep -q "correct horse"; then
		fail "the password is in Redis under $k"
	fi
done

say "the residents' stories: SR W-1 (Toronto Water), S-1 (Transportation)"
closure_to email W-1 wanda@example.org fr
rcli XADD closeloop:events '*' v 1 type subscribe event_id s-S-1 sr S-1 \
    ts 2026-11-20T09:00:00Z email stan@example.org locale en channels email >/dev/null
rcli XADD closeloop:events '*' v 1 type status event_id c-S-1 sr S-1 \
    ts 2026-11-20T10:00:00Z division TS status received service Pothole >/dev/null
rcli XADD closeloop:events '*' v 1 type status event_id c-W-2 sr W-2 \
    ts 2026-11-20T10:00:00Z division TW status closed reason completed \
    ward W07 service "Catch Basin Blocked" >/dev/null
wait_for 30 "W-1 sent" state_is W-1/1/0 sent
wait_for 30 "S-1 sent" state_is S-1/1/0 sent

say "the console's Redis user reads closeloop's keys and writes only its own"
wcli() { "$REDIS_CLI" -s "$SOCK" --user closeloop-web --pass w3b-pass --no-auth-warning "$@"; }
[ "$(wcli HGET "closeloop:sr:{W-1}:state" service)" = "Catch Basin Blocked" ] || fail "the web user cannot read an SR"
wcli DEL "closeloop:sr:{W-1}:state" 2>&1 | grep -q NOPERM || fail "the web user may delete an SR"
wcli SET closeloop:web:probe 1 | grep -q OK || fail "the web user cannot write its own keys"

say "sign-in: the form, a wrong password, the limit, a right one"
[ "$(web_status "$T/none.jar" /find)" = 303 ] || fail "/find without a session is not sent to /signin"
[ "$(web_signin "$T/w.jar" walt "wrong password here")" = 401 ] || fail "a wrong password was not 401"
grep -q "The name or the password is wrong" "$T/signin.out" || fail "no message for a wrong password"
[ "$(web_signin "$T/x.jar" nobody-here "wrong password here")" = 401 ] || fail "an unknown name was not 401"
web_signin "$T/w.jar" walt "wrong password 2" >/dev/null
web_signin "$T/w.jar" walt "wrong password 3" >/dev/null
[ "$(web_signin "$T/w.jar" walt)" = 429 ] || fail "the right password was taken after 3 failures"
grep -q "Too many failed sign-ins" "$T/signin.out" || fail "no message for the limit"
[ "$(rcli XLEN closeloop:web:audit)" -ge 5 ] || fail "the sign-in failures are not recorded"
rcli XRANGE closeloop:web:audit - + | grep -q signin-limited || fail "the limit is not recorded"
grep -q "signin-failed user walt" "$WLOG" || fail "a failure is not logged"
rcli DEL closeloop:web:limit:user:walt >/dev/null

# A planted session id must not become the signed-in one.
printf '127.0.0.1\tFALSE\t/\tFALSE\t0\tcloseloop\t%s\n' \
    "$(printf 'a%.0s' $(seq 64))" > "$T/w.jar"
[ "$(web_signin "$T/w.jar" walt)" = 303 ] || fail "walt cannot sign in"
grep -q "aaaaaaaaaaaa" "$T/w.jar" && fail "the planted session id was kept (fixation)"
curl -s -D "$T/h.txt" -o /dev/null "$WEB_URL/signin"
grep -qi "^Set-Cookie: closeloop-pre=.*HttpOnly; SameSite=Strict" "$T/h.txt" ||
    fail "the form's cookie is not HttpOnly and SameSite=Strict"
grep -q "Signed in as <strong>walt</strong>" "$(web_get "$T/w.jar" /find >/dev/null; ls -t "$T"/pages/*.html | head -n 1)" ||
    fail "walt's page does not say who is signed in"
sid=$(awk '$6 == "closeloop" { print $7 }' "$T/w.jar")
[ "$(rcli TTL "closeloop:web:session:$(printf '%s' "$sid" | sha256sum | cut -c1-64)")" -gt 1700 ] ||
    fail "the session is not kept under the hash of its id with the idle expiry"
rcli --scan --pattern 'closeloop:web:*' | grep -q "$sid" && fail "a session id is in a key"

for u in olive sara cara; do
	[ "$(web_signin "$T/$u.jar" $u)" = 303 ] || fail "$u cannot sign in"
done

say "every answer carries the security headers"
for p in /signin /find /sr/W-1 /static/console.css /nowhere; do
	curl -s -b "$T/olive.jar" -D "$T/h.txt" -o /dev/null "$WEB_URL$p"
	grep -qi "^X-Content-Type-Options: nosniff" "$T/h.txt" || fail "$p: no nosniff"
	case $p in /static/*) continue ;; esac
	grep -qi "^Content-Security-Policy: default-src 'none'; script-src 'self'.*frame-ancestors 'none'" "$T/h.txt" ||
	    fail "$p: no strict Content-Security-Policy"
	grep -qi "^Referrer-Policy: same-origin" "$T/h.txt" || fail "$p: no Referrer-Policy"
	grep -qi "^Cache-Control: no-store" "$T/h.txt" || fail "$p: cached"
done

say "roles: a division user sees its SR, not another division's"
web_get "$T/w.jar" /sr/W-1 > "$T/w1.html"
grep -q "Basin cleared" "$T/w1.html" || fail "walt does not see W-1's note"
[ "$(web_status "$T/w.jar" /sr/S-1)" = 404 ] || fail "walt sees S-1 of TS"
[ "$(web_status "$T/w.jar" /sr/NO-SUCH)" = 404 ] || fail "an unknown SR is not 404"
cmp -s "$(web_get "$T/w.jar" /sr/S-1 >/dev/null; ls -t "$T"/pages/*.html | head -n 1)" \
    "$(web_get "$T/w.jar" /sr/NO-SUCH >/dev/null; ls -t "$T"/pages/*.html | head -n 1)" ||
    fail "another division's SR and an unknown one are told apart"
[ "$(web_status "$T/sara.jar" /sr/S-1)" = 200 ] || fail "sara does not see S-1"
[ "$(web_status "$T/cara.jar" /find)" = 404 ] || fail "comms sees /find"
[ "$(web_status "$T/olive.jar" /sr/S-1)" = 200 ] || fail "ops does not see S-1"

say "the SRs behind a count, from the rollups"
# Listed once closeloopd has folded the step's counts (once a second).
w2_listed() {
	web_get "$T/w.jar" "/list?counter=flag:no_note&division=TW" > "$T/list.html"
	grep -q 'href="/sr/W-2"' "$T/list.html"
}
wait_for 10 "W-2 (closed without a note) listed" w2_listed
grep -q 'href="/sr/W-1"' "$T/list.html" && fail "W-1 (with a note) is listed as without one"
grep -q "1 SR(s) counted as flag:no_note" "$T/list.html" || fail "the list's total"
web_get "$T/w.jar" "/list?counter=flag:no_note&ward=W08" > "$T/list2.html"
grep -q 'href="/sr/W-2"' "$T/list2.html" && fail "the ward filter let W-2 (ward W07) through"
[ "$(web_status "$T/sara.jar" "/list?counter=flag:no_note&division=TW")" = 404 ] ||
    fail "sara lists TW's SRs"
[ "$(web_status "$T/w.jar" "/list?counter=received")" = 404 ] ||
    fail "a counter without a list is not refused"

say "the timeline shows the message as sent, with its proof"
web_get "$T/olive.jar" /sr/W-1 > "$T/o1.html"
grep -q "Proven as sent" "$T/o1.html" || fail "no check mark on W-1's email"
grep -q 'sandbox=""' "$T/o1.html" || fail "the email's frame is not sandboxed"
grep -q "w\*\*\*@example.org" "$T/o1.html" || fail "the address is not masked on the timeline"
grep -q "wanda@example.org" "$T/o1.html" && fail "the full address is on the timeline"
frame=$(sed -n 's/.*<iframe class="mail" src="\([^"]*\)".*/\1/p' "$T/o1.html" | sed 's/&#x2F;/\//g; s/&amp;/\&/g')
[ -n "$frame" ] || fail "no frame"
curl -s -b "$T/olive.jar" -D "$T/fh.txt" "$WEB_URL$frame" > "$T/frame.html"
grep -q '<html lang="fr"' "$T/frame.html" || fail "the frame is not the French email"
grep -qi "^Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'.*sandbox" "$T/fh.txt" ||
    fail "the frame's policy: $(grep -i security "$T/fh.txt")"
[ "$(web_status "$T/w.jar" "$frame")" = 200 ] || fail "walt cannot open W-1's email"
[ "$(web_status "$T/sara.jar" "$frame")" = 404 ] || fail "sara opens W-1's email"

say "a resident's SRs from their whole address, and nothing from a part"
web_shows "$T/w.jar" "/find?email=Wanda%40Example.org" > "$T/found.html"
grep -q 'href="/sr/W-1"' "$T/found.html" || fail "W-1 not found by its address"
web_get "$T/w.jar" "/find?email=wanda" > "$T/part.html"
grep -q 'href="/sr/W-1"' "$T/part.html" && fail "a part of the address found W-1"
web_shows "$T/w.jar" "/find?email=stan%40example.org" > "$T/stan.html"
grep -q 'href="/sr/S-1"' "$T/stan.html" && fail "walt finds TS's SR by contact"
grep -q "stan@example.org" "$WLOG" && fail "a looked-up address is in the log"
[ "$(web_status "$T/w.jar" "/find?sr=W-1")" = 303 ] || fail "find by SR does not go to it"

say "a form from elsewhere is refused"
csrf=$(web_csrf "$T/o1.html")
[ "$(curl -s -b "$T/olive.jar" -o /dev/null -w '%{http_code}' -X POST "$WEB_URL/signout")" = 403 ] ||
    fail "a sign-out without its token was taken"
[ "$(curl -s -b "$T/olive.jar" -o /dev/null -w '%{http_code}' -H 'Origin: https://evil.example' \
    --data "csrf=$csrf" "$WEB_URL/signout")" = 403 ] || fail "a cross-origin sign-out was taken"
[ "$(curl -s -b "$T/olive.jar" -o /dev/null -w '%{http_code}' -H 'Sec-Fetch-Site: cross-site' \
    --data "csrf=$csrf" "$WEB_URL/signout")" = 403 ] || fail "a cross-site sign-out was taken"
[ "$(curl -s -o /dev/null -w '%{http_code}' --data 'name=olive&password=x&csrf=00' \
    "$WEB_URL/signin")" = 403 ] || fail "a sign-in without the form's cookie was taken"
[ "$(web_status "$T/olive.jar" /find)" = 200 ] || fail "olive was signed out by a refused form"

say "sign-out, a new password and a deleted account end sessions"
[ "$(curl -s -b "$T/olive.jar" -c "$T/olive.jar" -o /dev/null -w '%{http_code}' \
    -H "Origin: $WEB_URL" --data "csrf=$csrf" "$WEB_URL/signout")" = 303 ] || fail "sign-out"
[ "$(web_status "$T/olive.jar" /find)" = 303 ] || fail "still signed in after sign-out"
"$CLOSELOOP" -c "$CONF" user passwd sara --password-file "$T/password" >/dev/null
[ "$(web_status "$T/sara.jar" /find)" = 303 ] || fail "sara's session outlived a new password"
"$CLOSELOOP" -c "$CONF" user del cara >/dev/null
curl -s -b "$T/cara.jar" -D "$T/h.txt" -o /dev/null "$WEB_URL/"
grep -qi "^Location: /signin" "$T/h.txt" || fail "cara's session outlived her account"
rcli XRANGE closeloop:web:audit - + | grep -q signout || fail "the sign-out is not recorded"

say "single sign-on through nginx (auth_basic for the identity provider)"
nginx_htpasswd "$T/htpasswd" wendy "w4ter-pass"
nginx_htpasswd "$T/htpasswd" oscar "0ps-pass"
nginx_htpasswd "$T/htpasswd" nemo "n0-r0le-pass"
# nginx reaches closeloop-web from 127.0.0.2, the one trusted address;
# the groups are those the identity provider would give each user.
nginx_start "$T/nginx" "
		location / {
			auth_basic \"City staff\";
			auth_basic_user_file $T/htpasswd;
			proxy_bind 127.0.0.2;
			proxy_set_header X-Remote-User \$remote_user;
			proxy_set_header X-Remote-Groups \$sso_groups;
			proxy_set_header Host \$host:\$server_port;
			proxy_pass $WEB_URL;
		}" "map \$remote_user \$sso_groups {
		wendy \"staff, water\";
		oscar \"311-ops\";
		default \"\";
	}"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$NGINX_URL/find")" = 401 ] ||
    fail "nginx let an anonymous user through"
curl -s -u wendy:w4ter-pass "$NGINX_URL/find" > "$T/sso.html"
grep -q "Signed in as <strong>wendy</strong> (division)" "$T/sso.html" ||
    fail "wendy is not in as a division user: $(head -c 300 "$T/sso.html")"
grep -q 'action="/signout"' "$T/sso.html" && fail "an SSO user is offered a local sign-out"
[ "$(curl -s -o /dev/null -w '%{http_code}' -u wendy:w4ter-pass "$NGINX_URL/sr/W-1")" = 200 ] ||
    fail "wendy does not see W-1"
[ "$(curl -s -o /dev/null -w '%{http_code}' -u wendy:w4ter-pass "$NGINX_URL/sr/S-1")" = 404 ] ||
    fail "wendy sees TS's S-1"
[ "$(curl -s -o /dev/null -w '%{http_code}' -u oscar:0ps-pass "$NGINX_URL/sr/S-1")" = 200 ] ||
    fail "oscar (311-ops) does not see S-1"
[ "$(curl -s -o /dev/null -w '%{http_code}' -u nemo:n0-r0le-pass "$NGINX_URL/find")" = 403 ] ||
    fail "a user without a group got in"
say "the same headers straight to closeloop-web get nobody in"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H 'X-Remote-User: oscar' \
    -H 'X-Remote-Groups: 311-ops' "$WEB_URL/sr/S-1")" = 303 ] ||
    fail "closeloop-web believed X-Remote-User from an untrusted address"
grep -q "untrusted-proxy" "$WLOG" || fail "the untrusted header is not logged"
rcli XRANGE closeloop:web:audit - + | grep -q untrusted-proxy ||
    fail "the untrusted header is not recorded"

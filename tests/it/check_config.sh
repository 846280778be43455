#!/bin/sh
# check_config.sh - closeloopd --check-config: 0 when valid, 78 when not
. "$(dirname "$0")/../harness/lib.sh"

say "the sample configuration is valid, with the shipped templates"
sed "s|#dir = \"/usr/share/closeloop/templates\";|dir = \"$top_srcdir/templates\";|" \
    "$top_srcdir/etc/closeloopd.conf" > "$T/sample.conf"
assert "templates.dir set" grep -q "dir = \"$top_srcdir/templates\"" "$T/sample.conf"
"$CLOSELOOPD" --check-config -c "$T/sample.conf" > "$T/out"
cat "$T/out"
assert "says valid" grep -q "configuration is valid" "$T/out"
assert "templates valid" grep -q "templates are valid (version [0-9a-f]*)" "$T/out"
"$CLOSELOOP" -c "$T/sample.conf" lint > "$T/lint"
cat "$T/lint"
if grep -q "has no name" "$T/lint"; then
	fail "a division of the sample has no name in a locale of the set"
fi
assert "lint finds nothing" grep -q ": 0 errors, 0 warnings$" "$T/lint"

say "a template set with an error is refused with its position, exit 78"
cp -R "$top_srcdir/templates" "$T/templates"
printf 'Hello {{#sr}}\n' > "$T/templates/fr/completed.txt.mustache"
sed "s|#dir = \"/usr/share/closeloop/templates\";|dir = \"$T/templates\";|" \
    "$top_srcdir/etc/closeloopd.conf" > "$T/badtpl.conf"
rc=0
"$CLOSELOOPD" --check-config -c "$T/badtpl.conf" 2> "$T/err" || rc=$?
cat "$T/err"
assert "exit 78" [ "$rc" = 78 ]
assert "position" grep -q "templates/fr/completed.txt.mustache:1:7: section sr is not closed" "$T/err"

say "a broken file lists every problem and exits 78"
cat > "$T/bad.conf" <<'EOC'
redis = {
	url = "http://localhost";
	claim_idle_ms = "soon";
	colour = "blue";
};
log = { level = "loud"; };
EOC
rc=0
"$CLOSELOOPD" --check-config -c "$T/bad.conf" 2> "$T/err" || rc=$?
cat "$T/err"
assert "exit 78" [ "$rc" = 78 ]
assert "url" grep -q "^$T/bad.conf:2: redis.url: must start with redis:// or unix://" "$T/err"
assert "type" grep -q "^$T/bad.conf:3: redis.claim_idle_ms: must be an integer (got a string)" "$T/err"
assert "unknown" grep -q "^$T/bad.conf:4: redis.colour: unknown setting" "$T/err"
assert "level" grep -q "^$T/bad.conf:6: log.level: unknown level" "$T/err"

say "an http.listen the listener could not use is refused by --check-config"
cat > "$T/listen.conf" <<'EOC'
redis = { url = "unix:///nonexistent/redis.sock"; };
http = { listen = "[::1]:99999"; };
EOC
rc=0
"$CLOSELOOPD" --check-config -c "$T/listen.conf" 2> "$T/err" || rc=$?
cat "$T/err"
assert "exit 78" [ "$rc" = 78 ]
assert "port" grep -q "^$T/listen.conf:2: http.listen: the port is out of range (0-65535) (got \"\[::1\]:99999\")" "$T/err"
printf 'http = { listen = "example.org:80"; };\n' > "$T/listen.conf"
rc=0
"$CLOSELOOPD" --check-config -c "$T/listen.conf" 2> "$T/err" || rc=$?
assert "exit 78" [ "$rc" = 78 ]
assert "host" grep -q "http.listen: not a numeric IPv4 address or localhost (got \"example.org:80\")" "$T/err"

say "a missing file exits 78 without starting"
rc=0
"$CLOSELOOPD" -c "$T/none.conf" 2> "$T/err" || rc=$?
assert "exit 78" [ "$rc" = 78 ]
assert "names the file" grep -q "none.conf: cannot read the file: No such file or directory" "$T/err"

say "a syntax error names its line"
printf 'redis = {\n\turl = "unix:///x";\n\tgroup = ;\n};\n' > "$T/syntax.conf"
rc=0
"$CLOSELOOPD" -t -c "$T/syntax.conf" 2> "$T/err" || rc=$?
assert "exit 78" [ "$rc" = 78 ]
assert "line 3" grep -q "syntax.conf:3: syntax error" "$T/err"

say "a secret comes from a file and is never printed"
printf 'hunter2-secret\n' > "$T/pw"
printf 'redis = { password_file = "%s"; max_deliveries = 0; };\n' "$T/pw" > "$T/pw.conf"
rc=0
"$CLOSELOOPD" -t -c "$T/pw.conf" 2> "$T/err" || rc=$?
assert "exit 78" [ "$rc" = 78 ]
if grep -q hunter2 "$T/err"; then
	fail "the password was printed"
fi
rc=0
"$CLOSELOOPD" --bogus 2>/dev/null || rc=$?
assert "usage exit 64" [ "$rc" = 64 ]
echo "PASS"

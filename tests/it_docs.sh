#!/bin/sh
# it_docs.sh - the documentation says what the code does
#
# The manual pages and the sample configuration are checked against the
# sources: every setting in config.c's table has its own entry in
# closeloopd.conf(5) and is in etc/closeloopd.conf (which names no setting
# the table lacks), every command closeloop dispatches has its section in
# closeloop(1), every option of both programs is in its page, each page
# renders without a warning (groff -ww, man --warnings), and the complete
# example of closeloopd.conf(5) passes closeloopd --check-config.
#
# The integrators' guide must stay in step with the code too: closeloopd
# runs with the guide's own status_map example as its configuration, each
# "redis-cli XADD closeloop:events ..." example in the guide is run
# against it, and every one must be accepted.
. "$(dirname "$0")/lib.sh"

MAN5="$top_srcdir/man/closeloopd.conf.5"
MAN8="$top_srcdir/man/closeloopd.8"
MAN1="$top_srcdir/man/closeloop.1"
SAMPLE="$top_srcdir/etc/closeloopd.conf"

# Print config.c's settings table, one "name KIND" a line.
settings() {
	sed -n '/^static const struct config_key config_keys\[\] = {$/,/^};$/p' \
	    "$top_srcdir/src/config.c" |
	    sed -n 's/^[[:space:]]*{ "\([a-z_.]*\)", CONFIG_\([A-Z]*\).*/\1 \2/p'
}

# Print the full name of every setting in a libconfig file, set or
# commented out ("#name = " or "# name = "), following its groups.
sample_names() {
	awk '
	function path(last,    p, i) {
		p = ""
		for (i = 1; i <= d; i++)
			p = p st[i] "."
		return p last
	}
	{ s = $0; sub(/^[ \t]*(# ?)?/, "", s) }
	s ~ /^[A-Za-z_][A-Za-z0-9_-]* = \{$/ {
		split(s, w, " "); print path(w[1]); st[++d] = w[1]; next
	}
	s ~ /^\};/ { if (d > 0) d--; next }
	s ~ /^[A-Za-z_][A-Za-z0-9_-]* = / { split(s, w, " "); print path(w[1]) }
	' "$1" | sort -u
}

# Print a name as roff writes it, each "-" as "\-".
roff() {
	printf '%s\n' "$1" | sed 's/-/\\-/g'
}

say "every setting of config.c in closeloopd.conf(5) and the sample"
settings > "$T/settings"
n=$(wc -l < "$T/settings")
echo "$n settings in config.c"
assert "config.c's table found" [ "$n" -ge 70 ]
sample_names "$SAMPLE" > "$T/sample"
bad=0
while read -r name kind; do
	# A group is a subsection, a setting a tagged paragraph.
	if [ "$kind" = GROUP ]; then
		entry=".SS \"$name: "
		grep -qF "$entry" "$MAN5" || entry=
	else
		entry=".B $name"
		grep -qxF "$entry" "$MAN5" || entry=
	fi
	if [ -z "$entry" ]; then
		echo "closeloopd.conf.5 has no entry for $name"
		bad=1
	fi
	if ! grep -qxF "$name" "$T/sample"; then
		echo "etc/closeloopd.conf does not name $name"
		bad=1
	fi
done < "$T/settings"
# The sample names nothing config.c does not know, outside the free-form
# groups (divisions, templates.city's locales).
awk '{ print $1 }' "$T/settings" | sort > "$T/known"
awk '$2 != "GROUP" { print $1 }' "$T/settings" > "$T/scalars"
comm -13 "$T/known" "$T/sample" | grep -v '^divisions\.' > "$T/extra" || true
while read -r name; do
	parent=${name%.*}
	if [ "$parent" = "$name" ] || ! grep -qxF "$parent" "$T/scalars"; then
		echo "etc/closeloopd.conf names $name, which config.c does not know"
		bad=1
	fi
done < "$T/extra"
assert "the settings are documented" [ "$bad" = 0 ]

say "every command and option in closeloop(1) and closeloopd(8)"
grep -o '^	{ "[a-z]*", [a-z_]*, [01] },' "$top_srcdir/src/closeloop.c" |
    sed 's/^	{ "\([a-z]*\)".*/\1/' | sort -u > "$T/commands"
echo "commands: $(tr '\n' ' ' < "$T/commands")"
assert "closeloop's commands found" [ "$(wc -l < "$T/commands")" -ge 7 ]
while read -r cmd; do
	grep -qxF ".SS $cmd" "$MAN1" || { echo "closeloop.1: no .SS $cmd"; bad=1; }
	grep -q "^\.B $cmd\( \|$\)" "$MAN1" || { echo "closeloop.1: no synopsis of $cmd"; bad=1; }
done < "$T/commands"
grep -o 'strcmp(argv\[0\], "[a-z]*")' "$top_srcdir/src/dead.c" |
    sed 's/.*"\([a-z]*\)")/\1/' | sort -u > "$T/dead"
assert "dead's subcommands found" [ "$(wc -l < "$T/dead")" -ge 2 ]
while read -r sub; do
	grep -qxF ".B dead $sub" "$MAN1" || { echo "closeloop.1: no .B dead $sub"; bad=1; }
done < "$T/dead"

# Long options from the getopt tables and the hand-parsed ones; short
# options from the getopt strings.
long_options() {
	for f in "$@"; do
		sed -n 's/^[[:space:]]*{ "\([a-z-]*\)", [a-z_]*_argument,.*/\1/p' "$f"
	done
}
# Check that each option read from stdin heads a paragraph of page $1: it
# is on a .B, .BR or .BI line (an example does not count).
options_in() {
	while read -r opt; do
		awk -v o="$(roff "$opt")" '/^\.B[IR]? / && index($0, o) { f = 1 }
		    END { exit !f }' "$1" || {
			echo "$(basename "$1"): no $opt"
			bad=1
		}
	done
}
long_options "$top_srcdir/src/closeloopd.c" | sed 's/^/--/' > "$T/opts8"
sed -n 's/.*getopt_long(argc, argv, "\([^"]*\)".*/\1/p' \
    "$top_srcdir/src/closeloopd.c" | tr -d ':+' | fold -w1 | sed 's/^/-/' >> "$T/opts8"
long_options "$top_srcdir/src/closeloop.c" "$top_srcdir/src/history.c" \
    "$top_srcdir/src/report.c" | sed 's/^/--/' > "$T/opts1"
sed -n 's/.*getopt_long(argc, argv, "\([^"]*\)".*/\1/p' \
    "$top_srcdir/src/closeloop.c" | tr -d ':+' | fold -w1 | sed 's/^/-/' >> "$T/opts1"
grep -ho 'strcmp(argv\[[a-z0-9]*\], "-[-a-z]*")' "$top_srcdir/src/closeloop.c" \
    "$top_srcdir/src/preview.c" | sed 's/.*"\(-[-a-z]*\)")/\1/' >> "$T/opts1"
sort -u -o "$T/opts8" "$T/opts8"
sort -u -o "$T/opts1" "$T/opts1"
echo "closeloopd options: $(tr '\n' ' ' < "$T/opts8")"
echo "closeloop options: $(tr '\n' ' ' < "$T/opts1")"
assert "closeloopd's options found" [ "$(wc -l < "$T/opts8")" -ge 10 ]
assert "closeloop's options found" [ "$(wc -l < "$T/opts1")" -ge 15 ]
options_in "$MAN8" < "$T/opts8"
options_in "$MAN1" < "$T/opts1"
assert "the commands and options are documented" [ "$bad" = 0 ]

say "each manual page renders without a warning"
if command -v groff >/dev/null 2>&1 && command -v man >/dev/null 2>&1; then
	for page in "$MAN1" "$MAN5" "$MAN8"; do
		for macros in -man -mandoc; do
			groff -ww -z "$macros" "$page" > "$T/groff.out" 2>&1 || true
			if [ -s "$T/groff.out" ]; then
				cat "$T/groff.out"
				fail "groff -ww $macros $(basename "$page") warns"
			fi
		done
		LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 \
		    -l "$page" > "$T/man.txt" 2> "$T/man.err" ||
		    fail "man -l $(basename "$page") failed"
		if [ -s "$T/man.err" ]; then
			cat "$T/man.err"
			fail "man --warnings $(basename "$page") warns"
		fi
		assert "$(basename "$page") renders some text" \
		    [ "$(wc -l < "$T/man.txt")" -ge 50 ]
	done
elif [ "${CI:-}" = true ]; then
	fail "groff or man is not installed (Debian packages groff-base, man-db; required in CI)"
else
	echo "SKIP (render only): groff or man is not installed (Debian packages groff-base, man-db)"
fi

say "the complete example of closeloopd.conf(5) is valid"
awk '/^\.SH EXAMPLE$/ { on = 1 } on && /^\.nf$/ { copy = 1; next }
	copy && /^\.fi$/ { exit } copy { print }' "$MAN5" |
    sed -e 's/\\-/-/g' -e 's/^\\&//' \
    -e "s|^templates = {\$|templates = {\\n\\tdir = \"$top_srcdir/templates\";|" \
    > "$T/example.conf"
assert "the example found" grep -q '^divisions = {$' "$T/example.conf"
mkdir "$T/credentials"
for f in redis.password sms.secret dlr.secret; do
	grep -q "\"$f\"" "$T/example.conf" || fail "the example has no $f"
	echo "s3cret-$f" > "$T/credentials/$f"
	chmod 600 "$T/credentials/$f"
done
# The secret files are named without a slash: credentials.
(cd "$T/credentials" && CREDENTIALS_DIRECTORY="$T/credentials" \
    $WRAP "$CLOSELOOPD" --check-config -c "$T/example.conf") ||
    fail "closeloopd --check-config refuses the example of closeloopd.conf(5)"

say "every example event in docs/events.md is accepted"
redis_start
cat > "$CONF" <<EOC
redis = { url = "unix://$SOCK"; };
$(templates_config)
EOC
awk '/^divisions = \{$/ { on = 1 } on { print } on && /^\};$/ { exit }' \
    "$top_srcdir/docs/events.md" >> "$CONF"
assert "the guide's status_map example" grep -q WO-COMP "$CONF"
"$CLOSELOOPD" --check-config -c "$CONF"
daemon_start

awk '/^redis-cli XADD closeloop:events/ { cmd = ""; on = 1 }
	on { line = $0; cont = sub(/\\$/, "", line); cmd = cmd line;
	     if (!cont) { print cmd; on = 0 } }' "$top_srcdir/docs/events.md" |
    sed "s|^redis-cli |\"\$REDIS_CLI\" -s \"\$SOCK\" |" > "$T/examples.sh"
n=$(wc -l < "$T/examples.sh")
echo "$n examples"
assert "examples found" [ "$n" -ge 5 ]
REDIS_CLI="$REDIS_CLI" SOCK="$SOCK" sh "$T/examples.sh" > "$T/ids"
wait_for 10 "$n accepted" stat_is accepted "$n"
rcli XRANGE closeloop:dead - +
assert "none rejected" [ "$(rcli XLEN closeloop:dead)" = 0 ]
daemon_stop
echo "PASS"

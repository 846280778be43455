#!/bin/sh
# docs.sh - the documentation says what the code does
#
# The manual pages and the sample configuration are checked against the
# sources: every setting in confkey.c's table has its own entry in
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
#
# And what operators read must be what the programs do: the default
# configuration path the programs print is the one their pages name; the
# help lists every option of every command; closeloop(1)'s lint example
# counts the templates and locales of the shipped set; every secret file
# setting is in closeloopd.conf(5)'s SECRETS with the unit's credential;
# every place names one directory for the audit file, the unit's
# LogsDirectory; and the fields operations.md says every audit entry has
# are the fields of "closeloop history --json". The outbound contract
# names the types and fields src/audit/outbound.c writes, and its
# examples no others (tests/it/outbound.sh checks them against the
# entries closeloopd writes).
. "$(dirname "$0")/../harness/lib.sh"

# The pages as this build made them, with its paths.
MAN5="$top_builddir/man/closeloopd.conf.5"
MAN8="$top_builddir/man/closeloopd.8"
MAN1="$top_builddir/man/closeloop.1"
for page in "$MAN1" "$MAN5" "$MAN8" "$top_builddir/man/closeloop-web.8"; do
	[ -f "$page" ] || fail "$page is not built (make)"
done
SAMPLE="$top_srcdir/etc/closeloopd.conf"

# Print confkey.c's settings table, one "name KIND" a line.
settings() {
	sed -n '/^static const struct confkey confkey_table\[\] = {$/,/^};$/p' \
	    "$top_srcdir/src/conf/confkey.c" |
	    sed -n 's/^[[:space:]]*{ "\([a-z_.]*\)", CONFKEY_\([A-Z]*\).*/\1 \2/p'
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

say "every setting of confkey.c in closeloopd.conf(5) and the sample"
settings > "$T/settings"
n=$(wc -l < "$T/settings")
echo "$n settings in confkey.c"
assert "confkey.c's table found" [ "$n" -ge 70 ]
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
# The sample names nothing confkey.c does not know, outside the free-form
# groups (divisions, templates.city's locales).
awk '{ print $1 }' "$T/settings" | sort > "$T/known"
awk '$2 != "GROUP" { print $1 }' "$T/settings" > "$T/scalars"
comm -13 "$T/known" "$T/sample" | grep -v '^divisions\.' > "$T/extra" || true
while read -r name; do
	parent=${name%.*}
	if [ "$parent" = "$name" ] || ! grep -qxF "$parent" "$T/scalars"; then
		echo "etc/closeloopd.conf names $name, which confkey.c does not know"
		bad=1
	fi
done < "$T/extra"
assert "the settings are documented" [ "$bad" = 0 ]

say "every command and option in closeloop(1) and closeloopd(8)"
grep -o '^	{ "[a-z-]*", [a-z_]*, [01] },' "$top_srcdir/src/closeloop.c" |
    sed 's/^	{ "\([a-z-]*\)".*/\1/' | sort -u > "$T/commands"
echo "commands: $(tr '\n' ' ' < "$T/commands")"
assert "closeloop's commands found" [ "$(wc -l < "$T/commands")" -ge 7 ]
while read -r cmd; do
	rcmd=$(printf '%s' "$cmd" | sed 's/-/\\-/g')
	grep -qxF ".SS $rcmd" "$MAN1" || { echo "closeloop.1: no .SS $cmd"; bad=1; }
	SYN=".B $rcmd" awk '$0 == ENVIRON["SYN"] ||
	    index($0, ENVIRON["SYN"] " ") == 1 { f = 1 }
	    END { exit !f }' "$MAN1" || { echo "closeloop.1: no synopsis of $cmd"; bad=1; }
done < "$T/commands"
grep -o 'strcmp(argv\[0\], "[a-z]*")' "$top_srcdir/src/cli/dead.c" |
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
long_options "$top_srcdir/src/closeloop.c" "$top_srcdir/src/cli/history.c" \
    "$top_srcdir/src/cli/find.c" "$top_srcdir/src/cli/report.c" \
    "$top_srcdir/src/cli/queue.c" "$top_srcdir/src/cli/dead.c" \
    "$top_srcdir/src/cli/pausecmd.c" "$top_srcdir/src/cli/steercmd.c" \
    "$top_srcdir/src/cli/suppressed.c" |
    sed 's/^/--/' > "$T/opts1"
sed -n 's/.*getopt_long(argc, argv, "\([^"]*\)".*/\1/p' \
    "$top_srcdir/src/closeloop.c" | tr -d ':+' | fold -w1 | sed 's/^/-/' >> "$T/opts1"
grep -ho 'strcmp(argv\[[a-z0-9]*\], "-[-a-z]*")' "$top_srcdir/src/closeloop.c" \
    "$top_srcdir/src/cli/preview.c" | sed 's/.*"\(-[-a-z]*\)")/\1/' >> "$T/opts1"
sort -u -o "$T/opts8" "$T/opts8"
sort -u -o "$T/opts1" "$T/opts1"
echo "closeloopd options: $(tr '\n' ' ' < "$T/opts8")"
echo "closeloop options: $(tr '\n' ' ' < "$T/opts1")"
assert "closeloopd's options found" [ "$(wc -l < "$T/opts8")" -ge 10 ]
assert "closeloop's options found" [ "$(wc -l < "$T/opts1")" -ge 15 ]
options_in "$MAN8" < "$T/opts8"
options_in "$MAN1" < "$T/opts1"
assert "the commands and options are documented" [ "$bad" = 0 ]

say "every rule the code writes is explained in policy.md and on the console"
/usr/bin/python3 - "$top_srcdir" <<'EOF' || fail "a rule is not explained"
import glob, re, sys
top = sys.argv[1]
rules = set()
for f in glob.glob(top + "/src/*/*.c"):
    for m in re.finditer(r'decision_add\(\s*[^,()]+,\s*[^,]+?,\s*"([a-z_]+)"',
                         open(f).read()):
        rules.add(m.group(1))
assert len(rules) >= 25, rules
bad = 0
policy = open(top + "/docs/policy.md").read()
wording = open(top + "/src/web/wording.c").read()
for r in sorted(rules):
    if "| `%s` |" % r not in policy:
        print("docs/policy.md: no row for the rule %s" % r)
        bad = 1
    if '{ "%s", ' % r not in wording:
        print("src/web/wording.c: no words for the rule %s" % r)
        bad = 1
sys.exit(bad)
EOF

say "the outbound contract in docs/events.md names what outbound.c writes"
/usr/bin/python3 "$top_srcdir/tests/harness/crm.py" examples \
    "$top_srcdir/docs/events.md" > "$T/outbound.jsonl"
/usr/bin/python3 - "$top_srcdir" "$T/outbound.jsonl" <<'EOF' || fail "docs/events.md's outbound contract is not the code's"
import json, re, sys
top = sys.argv[1]
code = open(top + "/src/audit/outbound.c").read()
kinds = code[code.index("outbound_kinds[] = {"):]
kinds = kinds[:kinds.index("};")]
types = set(re.findall(r'"([a-z_]+)" \}', kinds))
fields = set(re.findall(r'\{ "([a-z_0-9]+)",\s+[01] \}', code))
fields |= set(re.findall(r'outbound_put\(argv, &k, "([a-z_]+)"', code))
assert len(types) >= 8 and len(fields) >= 15, (types, fields)
doc = open(top + "/docs/events.md").read()
part = doc[doc.index("## The outbound contract"):]
table = part[part.index("### Outbound types"):part.index("### Examples")]
documented = set(re.findall(r"^\| `([a-z_]+)` \|", table, re.M))
ftable = part[part.index("### Fields"):part.index("### Outbound types")]
dfields = set(re.findall(r"^\| `([a-z_0-9]+)` \|", ftable, re.M))
bad = 0
for t in sorted(types ^ documented):
    print("type %s: %s" % (t, "not in docs/events.md" if t in types
                           else "not written by outbound.c"))
    bad = 1
for f in sorted(fields ^ dfields):
    print("field %s: %s" % (f, "not in docs/events.md" if f in fields
                            else "not written by outbound.c"))
    bad = 1
examples = [json.loads(l) for l in open(sys.argv[2])]
assert examples, "no examples"
for x in examples:
    if x.get("type") not in types or set(x) - fields:
        print("an example of an unknown type or field: %s" % x)
        bad = 1
sys.exit(bad)
EOF

say "the default configuration path is the one the pages name"
for prog in "$CLOSELOOP" "$CLOSELOOPD"; do
	path=$("$prog" --help | sed -n 's/.*(default \(\/[^)]*\.conf\))$/\1/p')
	[ -n "$path" ] || fail "$(basename "$prog") --help names no default"
	page=$MAN1
	[ "$prog" = "$CLOSELOOPD" ] && page=$MAN8
	grep -qF "$path" "$page" ||
	    fail "$(basename "$page") does not name $(basename "$prog")'s default $path"
done

say "closeloop --help lists every option of every command"
"$CLOSELOOP" --help > "$T/help"
for f in history find report emit lintcmd dead queue; do
	long_options "$(find "$top_srcdir/src" -name "$f.c")"
done | sort -u > "$T/cmdopts"
while read -r opt; do
	grep -q -- "--$opt\b" "$T/help" || {
		echo "closeloop --help has no --$opt"
		bad=1
	}
done < "$T/cmdopts"
assert "the help lists every option" [ "$bad" = 0 ]

say "closeloop(1)'s lint example counts the shipped set"
"$CLOSELOOP" lint "$top_srcdir/templates" 2>/dev/null | tail -n 1 > "$T/lint"
count=$(sed -n 's/.*: \([0-9]* templates in [0-9]* locales\),.*/\1/p' "$T/lint")
[ -n "$count" ] || fail "lint printed no count: $(cat "$T/lint")"
grep -q "templates: $count, version" "$MAN1" ||
    fail "closeloop.1's lint example does not say $count"

say "every secret file setting is in SECRETS, with its credential"
grep -o '"[a-z_.]*_file", CONFKEY_STRING' "$top_srcdir/src/conf/confkey.c" |
    sed 's/"\([a-z_.]*\)".*/\1/' | grep -v 'ca_file$' > "$T/secrets"
assert "twelve secrets" [ "$(wc -l < "$T/secrets")" = 12 ]
awk '/^\.SH SECRETS$/ { on = 1; next } /^\.SH / { on = 0 } on' "$MAN5" > "$T/secrets.5"
while read -r setting; do
	cred=$(grep "^$setting	" "$T/secrets.5" | cut -f2 | sed 's/\\-/-/g')
	[ -n "$cred" ] || { echo "closeloopd.conf.5: SECRETS lacks $setting"; bad=1; continue; }
	grep -q "LoadCredential=$cred:" "$top_srcdir/systemd/closeloopd.service.in" \
	    "$top_srcdir/systemd/closeloop-web.service.in" || {
		echo "the unit loads no credential $cred ($setting)"
		bad=1
	}
done < "$T/secrets"
assert "the secrets are documented" [ "$bad" = 0 ]

say "one directory for the audit file everywhere, the unit's LogsDirectory"
logs=$(sed -n 's/^LogsDirectory=//p' "$top_srcdir/systemd/closeloopd.service.in")
[ -n "$logs" ] || fail "the unit has no LogsDirectory"
grep -rhoE '/[a-z/]*/audit\.jsonl' "$top_srcdir/docs" "$top_srcdir/etc" \
    "$top_srcdir/man" "$top_srcdir/README.md" | sort -u > "$T/auditdirs"
cat "$T/auditdirs"
assert "the audit file is named" [ -s "$T/auditdirs" ]
assert "one directory, /var/log/$logs" [ "$(grep -cv "^/var/log/$logs/audit.jsonl\$" "$T/auditdirs")" = 0 ]

say "each manual page renders without a warning"
if command -v groff >/dev/null 2>&1 && command -v man >/dev/null 2>&1; then
	for page in "$MAN1" "$MAN5" "$MAN8" "$top_builddir/man/closeloop-web.8"; do
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
else
	skipped "groff or man is not installed (Debian packages groff-base, man-db): the manual pages are not rendered"
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

say "the fields operations.md says every audit entry has are the trail's"
"$CLOSELOOP" -c "$CONF" history --json --since 30d > "$T/trail.json"
assert "entries to look at" [ -s "$T/trail.json" ]
awk '/^Every entry of `closeloop history --json` and of the audit file also has$/ { on = 1 }
	on { print } on && /\.$/ { exit }' "$top_srcdir/docs/operations.md" |
    grep -o '`[a-z_]*`' | tr -d '`' | sort -u > "$T/fields"
assert "the sentence found" [ "$(wc -l < "$T/fields")" -ge 5 ]
/usr/bin/python3 - "$T/trail.json" "$T/fields" <<'EOF' || fail "operations.md names fields the trail does not have"
import json, sys
keys = set()
for line in open(sys.argv[1]):
    keys |= set(json.loads(line))
want = [l.strip() for l in open(sys.argv[2])]
missing = [f for f in want if f not in keys]
print("fields:", " ".join(want))
assert not missing, "not in history --json: %s" % missing
EOF
daemon_stop
echo "PASS"

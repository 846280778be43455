#!/bin/sh
# install.sh - make install puts everything in its FHS place
#
# Installs the build into a scratch DESTDIR and checks what a packager or
# an operator looks for: the programs, the template set under
# $(pkgdatadir), the sample configuration under $(sysconfdir)/closeloop,
# the unit and the sysusers.d/tmpfiles.d snippets, the manual pages and
# the documentation. The installed template set passes "closeloop lint",
# the installed sample configuration passes "closeloopd --check-config",
# a second make install keeps an edited configuration, and make uninstall
# takes everything else away again.
. "$(dirname "$0")/../harness/lib.sh"

D="$T/dest"
make -s -C "$top_builddir" install DESTDIR="$D" >"$T/install.log" 2>&1 ||
    { cat "$T/install.log"; fail "make install failed"; }

# Print a make variable of the build (with no flags from a make running
# the test, which could make it announce its directory).
var() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	    make -s -C "$top_builddir" --no-print-directory -f Makefile \
	    -f - print VAR="$1" <<'EOF'
print:
	@echo $($(VAR))
EOF
}

for v in bindir sbindir pkgdatadir sysconfdir systemdsystemunitdir \
    sysusersdir tmpfilesdir mandir docdir; do
	eval "$v=\$D\$(var $v)"
done

installed() {
	[ -f "$1" ] || fail "not installed: ${1#$D}"
}
installed "$bindir/closeloop"
installed "$sbindir/closeloopd"
[ -x "$sbindir/closeloopd" ] || fail "closeloopd is not executable"
installed "$sysconfdir/closeloop/closeloopd.conf"
installed "$systemdsystemunitdir/closeloopd.service"
installed "$sysusersdir/closeloop.conf"
installed "$tmpfilesdir/closeloop.conf"
for l in en es fa fr pt zh-Hans; do
	installed "$pkgdatadir/templates/$l/completed.subject.mustache"
	installed "$pkgdatadir/templates/$l/completed.sms.mustache"
done
installed "$pkgdatadir/templates/README.md"
for m in man1/closeloop.1 man5/closeloopd.conf.5 man8/closeloopd.8; do
	installed "$mandir/$m"
done
for d in README.md operations.md events.md templates.md history.md; do
	installed "$docdir/$d"
done
say "the unit names the installed programs and configuration"
grep -q "^ExecStart=${sbindir#$D}/closeloopd -c ${sysconfdir#$D}/closeloop/closeloopd.conf$" \
    "$systemdsystemunitdir/closeloopd.service" ||
    fail "the unit does not start the installed closeloopd"

say "the installed templates and sample configuration are valid"
sed "s|^[[:space:]]*#* *dir = .*|	dir = \"$pkgdatadir/templates\";|" \
    "$sysconfdir/closeloop/closeloopd.conf" > "$T/sample.conf"
grep -q "dir = \"$pkgdatadir/templates\"" "$T/sample.conf" ||
    fail "the sample has no templates.dir line to point at the copy"
"$D${bindir#$D}/closeloop" -c "$T/sample.conf" lint >"$T/lint" 2>&1 ||
    { cat "$T/lint"; fail "closeloop lint refuses the installed templates"; }
"$sbindir/closeloopd" --check-config -c "$T/sample.conf" >"$T/check" 2>&1 ||
    { cat "$T/check"; fail "the installed sample does not check"; }

say "a second make install keeps an edited configuration"
echo "# edited by the city" >> "$sysconfdir/closeloop/closeloopd.conf"
make -s -C "$top_builddir" install DESTDIR="$D" >"$T/install2.log" 2>&1 ||
    { cat "$T/install2.log"; fail "the second make install failed"; }
grep -q '^# edited by the city$' "$sysconfdir/closeloop/closeloopd.conf" ||
    fail "make install wrote over the edited configuration"
installed "$sysconfdir/closeloop/closeloopd.conf.new"

say "make uninstall removes it all but the edited configuration"

make -s -C "$top_builddir" uninstall DESTDIR="$D" >"$T/uninstall.log" 2>&1 ||
    { cat "$T/uninstall.log"; fail "make uninstall failed"; }
installed "$sysconfdir/closeloop/closeloopd.conf"
rm "$sysconfdir/closeloop/closeloopd.conf"
left=$(find "$D" -type f | sed "s|^$D||")
[ -z "$left" ] || fail "left after uninstall: $left"
echo "PASS"

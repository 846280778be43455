# kannel.sh - the real Kannel on loopback, for closeloop's shell tests
#
# Sourced (POSIX sh) by a test that defines missing(), which skips the test
# or fails it in CI:
#
#	. "$top_srcdir/tests/harness/kannel.sh"
#	kannel_start "$T/kannel"
#	EXTRA_PIDS="$EXTRA_PIDS $KANNEL_PIDS"	# or call kannel_stop at exit
#	... closeloopd sends through $KANNEL_URL, $KANNEL_USER, $KANNEL_PASSWORD
#	kannel_received		# "FROM TO TEXT", one line per message
#	kannel_coded TO CODING TEXT	# the texts to TO hold TEXT so coded
#	kannel_send FROM TO TEXT	# a resident's message, to Kannel
#	kannel_config [MORE]	# an sms group for closeloopd's configuration
#	kannel_stop
#
# kannel_start DIR writes DIR/kannel.conf and starts, each bound to
# 127.0.0.1 on a free port: bearerbox (a core group with an admin port and
# an smsbox port, and an smsc group "smsc = fake"), then smsbox (an smsbox
# group with the sendsms port, and a sendsms-user group allowed up to 10
# concatenated parts), then Kannel's fakesmsc as the phone network, and
# waits until smsbox and fakesmsc are connected to bearerbox. smsbox
# recodes UCS-2 messages from phones to UTF-8 (mo-recode), and
# KANNEL_EXTRA_CONF, if set, is added to kannel.conf (an sms-service
# group, say). The daemons
# log to DIR/bearerbox.log and DIR/smsbox.log, fakesmsc to
# DIR/fakesmsc.log. It exports
#	KANNEL_URL		http://127.0.0.1:PORT/cgi-bin/sendsms
#	KANNEL_USER, KANNEL_PASSWORD	the sendsms-user
#	KANNEL_ADMIN_URL, KANNEL_ADMIN_PASSWORD	bearerbox's admin service
#	KANNEL_FAKESMSC_LOG	DIR/fakesmsc.log
#	KANNEL_PIDS		"BEARERBOX SMSBOX FAKESMSC"
#	KANNEL_FAKESMSC_PID	FAKESMSC, which kannel_send replaces
#
# kannel_send FROM TO TEXT is a resident's phone sending TEXT from FROM
# to the number TO: bearerbox takes one fakesmsc at a time, so the
# running one is stopped and a new one started that sends the message
# once (as GSM text, or as UCS-2 if TEXT is not ASCII) and then stays
# as the phone network, logging to the same file. The new PID replaces
# the old in KANNEL_PIDS and KANNEL_FAKESMSC_PID.
#
# What fakesmsc logs (Kannel 1.4.5): one line per message it receives, at
# debug level (so fakesmsc must not be given -v 1 or above):
#	DATE TIME [PID] [0] DEBUG: Got message N: <FROM TO TYPE DATA>
# N counts the messages from 1; TYPE and DATA depend on the coding asked
# of the sendsms service:
#	text	coding=0 (GSM-7): DATA is the text in UTF-8, as it is, e.g.
#		<311 +15550101 text Votre demande a été fermée>. Kannel has
#		already turned any character outside GSM 03.38 into "?". A
#		newline in the text ends fakesmsc's line: the rest of the
#		text is logged as a message of its own.
#	ucs-2	coding=2 (UCS-2): DATA is the UTF-16BE bytes URL-escaped,
#		with a space (00 20) as "%00+": "Bo" is "%00B%00o" and
#		"您的" is "%60%A8v%84".
#	data	coding=1 (8 bits): DATA is the bytes URL-escaped.
#	udh	a part of a concatenated message: "udh UDH data DATA", UDH
#		being the URL-escaped user data header (05 00 03 REF TOTAL
#		SEQ) and DATA the part's bytes URL-escaped: UTF-8 for GSM-7
#		text, UTF-16BE for UCS-2 (the coding itself is not shown).
# kannel_received decodes all of these: it joins the parts of a
# concatenated message (by FROM, TO and REF, in SEQ order), takes a part
# for UTF-16BE when it is not valid UTF-8 or has control characters, and
# prints a newline inside a text as "\n". kannel_coded TO CODING TEXT
# does not guess: it succeeds if the DATA of the messages to TO, their
# bytes joined, hold TEXT in UTF-16BE (CODING ucs-2) or in UTF-8 (CODING
# text), and not in the other.

KANNEL_BEARERBOX=${KANNEL_BEARERBOX:-/usr/sbin/bearerbox}
KANNEL_SMSBOX=${KANNEL_SMSBOX:-/usr/sbin/smsbox}
KANNEL_FAKESMSC=${KANNEL_FAKESMSC:-/usr/lib/kannel/test/fakesmsc}
KANNEL_PYTHON=/usr/bin/python3
KANNEL_PIDS=

# Print four distinct loopback TCP ports that were free a moment ago.
kannel_ports() {
	"$KANNEL_PYTHON" -c '
import socket
socks = [socket.socket() for _ in range(4)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))'
}

# Wait up to 15 s until 127.0.0.1:PORT accepts connections while PID lives.
kannel_wait_port() {
	"$KANNEL_PYTHON" - "$1" "$2" <<'EOF'
import os, socket, sys, time
port, pid = int(sys.argv[1]), int(sys.argv[2])
for _ in range(300):
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit(1)
    try:
        socket.create_connection(("127.0.0.1", port), 1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)
EOF
}

# Wait up to 15 s until FILE holds the fixed string TEXT.
kannel_wait_log() {
	_kw=0
	while [ "$_kw" -lt 150 ]; do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
		_kw=$((_kw + 1))
	done
	return 1
}

# Say why Kannel did not start, with the end of its logs, and fail.
kannel_fail() {
	echo "kannel: $1" >&2
	for _kf in "$KANNEL_DIR"/*.log "$KANNEL_DIR"/*.out; do
		[ -f "$_kf" ] || continue
		echo "--- $_kf" >&2
		tail -n 20 "$_kf" >&2
	done
	kannel_stop
	return 1
}

# Start bearerbox, smsbox and fakesmsc with their files in DIR.
kannel_start() {
	[ -x "$KANNEL_BEARERBOX" ] ||
	    missing "$KANNEL_BEARERBOX is not installed (Debian package kannel)"
	[ -x "$KANNEL_SMSBOX" ] ||
	    missing "$KANNEL_SMSBOX is not installed (Debian package kannel)"
	[ -x "$KANNEL_FAKESMSC" ] || missing \
	    "$KANNEL_FAKESMSC is not installed (Debian package kannel-extras)"
	[ -x "$KANNEL_PYTHON" ] ||
	    missing "$KANNEL_PYTHON is not installed (Debian package python3)"

	KANNEL_DIR=$1
	mkdir -p "$KANNEL_DIR" || return 1
	# shellcheck disable=SC2046 # four words: the ports
	set -- $(kannel_ports)
	[ $# -eq 4 ] || { echo "kannel: no free ports" >&2; return 1; }
	KANNEL_USER=closeloop
	KANNEL_PASSWORD=kannel-test-pass
	KANNEL_ADMIN_PASSWORD=kannel-admin-pass
	cat >"$KANNEL_DIR/kannel.conf" <<EOF
group = core
admin-port = $1
admin-interface = 127.0.0.1
admin-password = $KANNEL_ADMIN_PASSWORD
smsbox-port = $2
smsbox-interface = 127.0.0.1
box-allow-ip = 127.0.0.1
log-file = "$KANNEL_DIR/bearerbox.log"
log-level = 1

group = smsc
smsc = fake
smsc-id = fake
port = $3
our-host = 127.0.0.1
connect-allow-ip = 127.0.0.1

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = $2
sendsms-port = $4
sendsms-interface = 127.0.0.1
mo-recode = true
log-file = "$KANNEL_DIR/smsbox.log"
log-level = 1

group = sendsms-user
username = $KANNEL_USER
password = $KANNEL_PASSWORD
max-messages = 10
concatenation = true
EOF
	[ -z "${KANNEL_EXTRA_CONF:-}" ] ||
	    printf '\n%s\n' "$KANNEL_EXTRA_CONF" >>"$KANNEL_DIR/kannel.conf"
	KANNEL_SMSC_PORT=$3
	KANNEL_URL="http://127.0.0.1:$4/cgi-bin/sendsms"
	KANNEL_ADMIN_URL="http://127.0.0.1:$1"
	KANNEL_FAKESMSC_LOG="$KANNEL_DIR/fakesmsc.log"
	export KANNEL_URL KANNEL_USER KANNEL_PASSWORD KANNEL_ADMIN_URL \
	    KANNEL_ADMIN_PASSWORD KANNEL_FAKESMSC_LOG

	"$KANNEL_BEARERBOX" -v 1 "$KANNEL_DIR/kannel.conf" \
	    >"$KANNEL_DIR/bearerbox.out" 2>&1 &
	KANNEL_PIDS=$!
	export KANNEL_PIDS
	kannel_wait_port "$2" "$KANNEL_PIDS" ||
	    { kannel_fail "bearerbox did not start"; return 1; }
	"$KANNEL_SMSBOX" -v 1 "$KANNEL_DIR/kannel.conf" \
	    >"$KANNEL_DIR/smsbox.out" 2>&1 &
	KANNEL_PIDS="$KANNEL_PIDS $!"
	kannel_wait_port "$4" "$!" ||
	    { kannel_fail "smsbox did not start"; return 1; }
	"$KANNEL_FAKESMSC" -H 127.0.0.1 -r "$3" -i 0.1 -m 0 \
	    "123 456 text nop" >"$KANNEL_FAKESMSC_LOG" 2>&1 &
	KANNEL_FAKESMSC_PID=$!
	KANNEL_PIDS="$KANNEL_PIDS $!"
	export KANNEL_FAKESMSC_PID
	if ! kannel_wait_log "$KANNEL_DIR/bearerbox.log" \
	    "Client connected from <" ||
	    ! kannel_wait_log "$KANNEL_DIR/bearerbox.log" \
	    "Fakesmsc client connected"; then
		kannel_fail "smsbox or fakesmsc did not connect"
		return 1
	fi
}

# Print the sms group for sending through kannel_start's Kannel, the
# sendsms-user's password in DIR/kannel.secret; $1 is more of the group.
kannel_config() {
	printf '%s\n' "$KANNEL_PASSWORD" >"$KANNEL_DIR/kannel.secret"
	chmod 600 "$KANNEL_DIR/kannel.secret"
	cat <<EOT
sms = {
	gateway = "kannel";
	url = "$KANNEL_URL";
	username = "$KANNEL_USER";
	password_file = "$KANNEL_DIR/kannel.secret";
	from = "+14165550311";
	allow_http_loopback = true;
	${1:-}
};
EOT
}

# Send TEXT from phone FROM to the number TO through a new fakesmsc.
kannel_send() {
	_kn_msg=$("$KANNEL_PYTHON" - "$1" "$2" "$3" <<'EOF'
import sys, urllib.parse
sender, to, text = sys.argv[1:4]
if text.isascii():
    print(sender, to, "text", text)
else:
    print(sender, to, "ucs2", urllib.parse.quote(text.encode("utf-16-be"),
                                                 safe=""))
EOF
)
	_kn_seen=$(grep -c "Fakesmsc client connected" \
	    "$KANNEL_DIR/bearerbox.log")
	kill -TERM "$KANNEL_FAKESMSC_PID" 2>/dev/null || true
	wait "$KANNEL_FAKESMSC_PID" 2>/dev/null || true
	"$KANNEL_FAKESMSC" -H 127.0.0.1 -r "$KANNEL_SMSC_PORT" -i 0.1 -m 1 \
	    "$_kn_msg" >>"$KANNEL_FAKESMSC_LOG" 2>&1 &
	KANNEL_PIDS=$(echo "$KANNEL_PIDS" | sed "s/$KANNEL_FAKESMSC_PID\$/$!/")
	KANNEL_FAKESMSC_PID=$!
	export KANNEL_PIDS KANNEL_FAKESMSC_PID
	_kn=0
	while [ "$(grep -c "Fakesmsc client connected" \
	    "$KANNEL_DIR/bearerbox.log")" -le "$_kn_seen" ]; do
		_kn=$((_kn + 1))
		[ "$_kn" -le 150 ] || { echo "kannel: fakesmsc did not " \
		    "connect again" >&2; return 1; }
		sleep 0.1
	done
}

# Stop what kannel_start started: fakesmsc, smsbox, then bearerbox.
kannel_stop() {
	_ks_rev=
	for _ks in $KANNEL_PIDS; do
		_ks_rev="$_ks $_ks_rev"
	done
	for _ks in $_ks_rev; do
		kill -TERM "$_ks" 2>/dev/null || continue
		_ks_n=0
		while kill -0 "$_ks" 2>/dev/null && [ "$_ks_n" -lt 50 ]; do
			sleep 0.1
			_ks_n=$((_ks_n + 1))
		done
		kill -KILL "$_ks" 2>/dev/null || true
		wait "$_ks" 2>/dev/null || true
	done
	KANNEL_PIDS=
}

# Print "FROM TO TEXT" for each message fakesmsc received, text in UTF-8.
kannel_received() {
	"$KANNEL_PYTHON" - "$KANNEL_FAKESMSC_LOG" <<'EOF'
import re, sys, urllib.parse

def unescape(data):
    return urllib.parse.unquote_to_bytes(data.replace("+", " "))

def decode(raw):
    try:
        text = raw.decode("utf-8")
        if not re.search("[\x00-\x08\x0b-\x1f]", text):
            return text
    except UnicodeDecodeError:
        pass
    return raw.decode("utf-16-be", "replace")

parts = {}
line_re = re.compile(r"Got message \d+: <(\S+) (\S+) (\S+) (.*)>$")
with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
    for line in f:
        m = line_re.search(line.rstrip("\n"))
        if not m:
            continue
        sender, to, kind, data = m.groups()
        if kind == "text":
            text = data
        elif kind == "ucs-2":
            text = unescape(data).decode("utf-16-be", "replace")
        elif kind == "data":
            text = decode(unescape(data))
        elif kind == "udh" and " data " in data:
            udh, body = data.split(" data ", 1)
            udh = unescape(udh)
            ie = udh[1:]
            if len(ie) >= 5 and ie[0] == 0 and ie[1] == 3:
                ref, total, seq = ie[2], ie[3], ie[4]
            elif len(ie) >= 6 and ie[0] == 8 and ie[1] == 4:
                ref, total, seq = ie[2] << 8 | ie[3], ie[4], ie[5]
            else:
                print(sender, to, decode(unescape(body)))
                continue
            key = (sender, to, ref)
            got = parts.setdefault(key, {})
            got[seq] = unescape(body)
            if len(got) < total:
                continue
            del parts[key]
            text = decode(b"".join(got[i] for i in sorted(got)))
        else:
            continue
        print(sender, to, text.replace("\n", "\\n"))
EOF
}

# Succeed if the texts fakesmsc received for TO hold TEXT coded as CODING.
kannel_coded() {
	"$KANNEL_PYTHON" - "$KANNEL_FAKESMSC_LOG" "$1" "$2" "$3" <<'EOF'
import re, sys, urllib.parse

log, to, coding, text = sys.argv[1:5]
line_re = re.compile(r"Got message \d+: <(\S+) (\S+) (\S+) (.*)>$")
raw = b""
with open(log, encoding="utf-8", errors="replace") as f:
    for line in f:
        m = line_re.search(line.rstrip("\n"))
        if not m or m.group(2) != to:
            continue
        kind, data = m.group(3), m.group(4)
        if kind == "text":
            raw += data.encode("utf-8")
            continue
        if kind == "udh" and " data " in data:
            data = data.split(" data ", 1)[1]
        elif kind not in ("ucs-2", "data"):
            continue
        raw += urllib.parse.unquote_to_bytes(data.replace("+", " "))
ucs2, utf8 = text.encode("utf-16-be"), text.encode("utf-8")
want, other = (ucs2, utf8) if coding == "ucs-2" else (utf8, ucs2)
sys.exit(0 if want in raw and other not in raw else 1)
EOF
}

# web.sh - closeloop-web for closeloop's shell tests
#
# Sourced (POSIX sh) after lib.sh. web_port picks the console's port
# (WEB_PORT) before the configuration is written, web_config prints its
# web group, web_start starts it in the background (its log in $WLOG,
# which the contact check reads; stopped with SIGTERM at cleanup) and
# waits for it. The requests go through curl with a cookie jar per user:
#
#	web_port
#	write_config "" "$(web_config)"
#	web_start
#	web_user alice ops			# password $WEB_PASSWORD
#	web_signin "$T/alice.jar" alice		# prints the HTTP status
#	web_get "$T/alice.jar" /find > "$T/find.html"
#	web_status "$T/alice.jar" /sr/2026-1	# prints the HTTP status
#
# Every page the test fetches with web_get is kept under $T/pages and
# given to the contact check, except those the test names with web_shows
# (the Find page's result, which shows the contact looked up).

need curl curl
CLOSELOOP_WEB="$top_builddir/closeloop-web"
WLOG="$T/closeloop-web.log"
WEB_PASSWORD="correct horse battery staple"
WEB_PID=
mkdir -p "$T/pages"
_web_n=0

# Pick the console's port.
web_port() {
	WEB_PORT=$(free_port)
	WEB_URL="http://127.0.0.1:$WEB_PORT"
}

# Print the web group; $1 is more settings inside it.
web_config() {
	cat <<EOT
web = {
	listen = "127.0.0.1:$WEB_PORT";
	pages_dir = "$top_srcdir/src/web/pages";
	cookie_secure = false;
	${1:-}
};
EOT
}

# Start closeloop-web on $CONF and wait until it answers.
web_start() {
	$WRAP "$CLOSELOOP_WEB" -c "$CONF" >>"$WLOG" 2>&1 &
	WEB_PID=$!
	TERM_PIDS="$TERM_PIDS $WEB_PID"
	closeloop_wrote "$WLOG"
	wait_for 10 "closeloop-web to start" web_up
}

# Succeed when the console answers; fail the test if it has exited.
web_up() {
	kill -0 "$WEB_PID" 2>/dev/null ||
	    fail "closeloop-web exited: $(tail -n 5 "$WLOG")"
	port_up "$WEB_PORT"
}

# Add account $1 with role $2 (and divisions $3...), password $WEB_PASSWORD.
web_user() {
	_wu_name=$1
	_wu_role=$2
	shift 2
	_wu_divs=
	for _wu_d in "$@"; do
		_wu_divs="$_wu_divs --division $_wu_d"
	done
	printf '%s\n' "$WEB_PASSWORD" > "$T/password"
	# shellcheck disable=SC2086
	"$CLOSELOOP" -c "$CONF" user add "$_wu_name" --role "$_wu_role" \
	    $_wu_divs --password-file "$T/password" >/dev/null ||
	    fail "closeloop user add $_wu_name"
}

# Sign in with jar $1 as $2 (password $3, or $WEB_PASSWORD); print the
# status of the POST (303 when signed in).
web_signin() {
	curl -s -c "$1" -b "$1" "$WEB_URL/signin" -o "$T/signin.html"
	_ws_csrf=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' \
	    "$T/signin.html" | head -n 1)
	curl -s -c "$1" -b "$1" -o "$T/signin.out" -w '%{http_code}' \
	    --data-urlencode "csrf=$_ws_csrf" --data-urlencode "name=$2" \
	    --data-urlencode "password=${3:-$WEB_PASSWORD}" "$WEB_URL/signin"
}

# Print the body of page $2 as jar $1 sees it; more curl arguments after.
web_get() {
	_wg_jar=$1
	_wg_path=$2
	shift 2
	_web_n=$((_web_n + 1))
	curl -s -b "$_wg_jar" "$@" "$WEB_URL$_wg_path" |
	    tee "$T/pages/$_web_n.html"
	closeloop_wrote "$T/pages/$_web_n.html"
}

# Print the HTTP status of page $2 for jar $1; more curl arguments after.
web_status() {
	_wst_jar=$1
	_wst_path=$2
	shift 2
	curl -s -b "$_wst_jar" -o /dev/null -w '%{http_code}' "$@" \
	    "$WEB_URL$_wst_path"
}

# Print page $2 for jar $1 without giving it to the contact check: the
# one page that shows a contact, the look-up's result.
web_shows() {
	curl -s -b "$1" "$WEB_URL$2"
}

# Print the value of the csrf field of the page in file $1.
web_csrf() {
	sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$1" | head -n 1
}

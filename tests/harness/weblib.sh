# weblib.sh - closeloop-web for the tests and benchmarks of the console
#
# Sourced after tests/harness/lib.sh. web_config prints the web group of
# a configuration (a free loopback port in WEB_PORT, the pages of the
# source tree); web_start starts closeloop-web on $CONF beside closeloopd,
# stopped by PID at the end like every other server; web_signin signs a
# user in with curl, keeping the session in a cookie jar; web_get fetches
# a page with it. CLOSELOOP_WEB names the program (default: the build
# tree's), to measure another build.
need curl curl
CLOSELOOP_WEB=${CLOSELOOP_WEB:-$top_builddir/closeloop-web}
WEB_LOG="$T/closeloop-web.log"
WEB_PORT=$(free_port)
WEB="http://127.0.0.1:$WEB_PORT"

# Print the configuration's web group.
web_config() {
	cat <<EOW
web = { listen = "127.0.0.1:$WEB_PORT"; pages_dir = "$top_srcdir/src/web/pages";
	cookie_secure = false; };
EOW
}

# Start closeloop-web in the background, its log in $WEB_LOG.
web_start() {
	$WRAP "$CLOSELOOP_WEB" -c "$CONF" > "$WEB_LOG" 2>&1 &
	EXTRA_PIDS="$EXTRA_PIDS $!"
	closeloop_wrote "$WEB_LOG"
	wait_for 10 "closeloop-web to listen" port_up "$WEB_PORT"
}

# Sign in as $1 with password $2, keeping the cookies in the jar $3.
web_signin() {
	curl -s -c "$3" -b "$3" "$WEB/signin" > "$T/signin.html"
	_ws_csrf=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$T/signin.html")
	_ws_code=$(curl -s -c "$3" -b "$3" -o /dev/null -w '%{http_code}' \
	    --data-urlencode "name=$1" --data-urlencode "password=$2" \
	    --data-urlencode "csrf=$_ws_csrf" "$WEB/signin")
	[ "$_ws_code" = 303 ] || fail "$1 cannot sign in ($_ws_code)"
}

# GET path $2 with the jar $1 into file $3 (kept for the contact check),
# its headers into $3.head; prints the status.
web_get() {
	closeloop_wrote "$3"
	curl -s -b "$1" -D "$3.head" -o "$3" -w '%{http_code}' "$WEB$2"
}

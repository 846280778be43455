# nginx.sh - a private nginx on loopback, for closeloop's shell tests
#
# Sourced (POSIX sh) after lib.sh, whose missing(), fail(), wait_for,
# free_port, port_up, term_wait and TERM_PIDS it uses:
#
#	. "$top_srcdir/tests/harness/nginx.sh"
#	nginx_htpasswd "$T/htpasswd" alice s3cret	# a user, for auth_basic
#	nginx_start "$T/nginx" "$(nginx_auth_proxy "$T/htpasswd" \
#	    "http://127.0.0.1:$PORT")"
#	... the test's requests go to $NGINX_URL
#	nginx_stop			# or left to lib.sh's cleanup
#
# nginx_start DIR BODY [HTTP] writes DIR/nginx.conf with one server,
# listening on 127.0.0.1 on a free port, BODY inside it (location
# blocks, say), HTTP in the http block around it (a map, say),
# and starts /usr/sbin/nginx (or $NGINX) in the foreground with DIR as
# its prefix: its pid file, lock file, logs (DIR/error.log,
# DIR/access.log, what it prints in DIR/nginx.out) and temporary files
# are in DIR, so nothing of the system's nginx is used or touched, nor
# one the package started on port 80. Its one worker runs as the user
# running the test (as root, nginx's default, nobody, could not read
# the test's directory). It waits until the server answers and sets
#	NGINX_PORT, NGINX_URL		the port, http://127.0.0.1:PORT
#	NGINX_PID			the master, also in TERM_PIDS
#	NGINX_DIR			DIR
# The master stops its worker when it gets SIGTERM, which nginx_stop,
# or lib.sh's cleanup, sends it.
#
# nginx_htpasswd FILE USER PASSWORD adds a user to an htpasswd file
# (SHA-256 crypt, openssl passwd -5). nginx_auth_proxy HTPASSWD UPSTREAM
# prints a location / that asks for one of the file's users (HTTP Basic)
# and passes the request to UPSTREAM with X-Remote-User set to the user
# (in place of any X-Remote-User the client sent): the stand-in for the
# city's identity provider in front of a console.

NGINX=${NGINX:-/usr/sbin/nginx}
NGINX_PID=

# Start a private nginx in $1 serving the server block body $2.
nginx_start() {
	[ -x "$NGINX" ] || missing "$NGINX is not installed (Debian package nginx)"
	_ng_dir=$1
	mkdir -p "$_ng_dir/tmp"
	NGINX_PORT=$(free_port)
	NGINX_URL="http://127.0.0.1:$NGINX_PORT"
	_ng_user=
	[ "$(id -u)" != 0 ] || _ng_user="user $(id -un) $(id -gn);"
	_ng_types=
	[ ! -f /etc/nginx/mime.types ] || _ng_types="include /etc/nginx/mime.types;"
	cat > "$_ng_dir/nginx.conf" <<EOC
daemon off;
worker_processes 1;
$_ng_user
pid $_ng_dir/nginx.pid;
lock_file $_ng_dir/nginx.lock;
error_log $_ng_dir/error.log info;
events {
	worker_connections 256;
}
http {
	$_ng_types
	default_type application/octet-stream;
	access_log $_ng_dir/access.log;
	${3:-}
	client_body_temp_path $_ng_dir/tmp/body;
	proxy_temp_path $_ng_dir/tmp/proxy;
	fastcgi_temp_path $_ng_dir/tmp/fastcgi;
	uwsgi_temp_path $_ng_dir/tmp/uwsgi;
	scgi_temp_path $_ng_dir/tmp/scgi;
	server {
		listen 127.0.0.1:$NGINX_PORT;
		server_name localhost;
$2
	}
}
EOC
	"$NGINX" -q -t -p "$_ng_dir/" -c "$_ng_dir/nginx.conf" \
	    -e "$_ng_dir/error.log" > "$_ng_dir/test.out" 2>&1 ||
	    fail "nginx rejects $_ng_dir/nginx.conf: $(cat "$_ng_dir/test.out")"
	"$NGINX" -p "$_ng_dir/" -c "$_ng_dir/nginx.conf" \
	    -e "$_ng_dir/error.log" > "$_ng_dir/nginx.out" 2>&1 &
	NGINX_PID=$!
	TERM_PIDS="$TERM_PIDS $NGINX_PID"
	NGINX_DIR=$_ng_dir
	wait_for 10 "nginx to start" nginx_up
}

# Succeed when the private nginx answers; fail the test if it has exited.
nginx_up() {
	kill -0 "$NGINX_PID" 2>/dev/null ||
	    fail "nginx exited: $(tail -n 5 "$NGINX_DIR/error.log" \
	    "$NGINX_DIR/nginx.out")"
	port_up "$NGINX_PORT"
}

# Stop the private nginx by PID (SIGTERM) and wait for it.
nginx_stop() {
	[ -n "$NGINX_PID" ] || return 0
	term_wait "$NGINX_PID"
	_ng_left=
	for _ng_pid in $TERM_PIDS; do
		[ "$_ng_pid" = "$NGINX_PID" ] || _ng_left="$_ng_left $_ng_pid"
	done
	TERM_PIDS=$_ng_left
	NGINX_PID=
}

# Add user $2 with password $3 to htpasswd file $1.
nginx_htpasswd() {
	command -v openssl >/dev/null 2>&1 ||
	    missing "openssl is not installed (Debian package openssl)"
	_ng_hash=$(printf '%s\n' "$3" | openssl passwd -5 -stdin) ||
	    fail "openssl passwd cannot hash a password"
	printf '%s:%s\n' "$2" "$_ng_hash" >> "$1"
}

# Print a location / asking for a user of htpasswd file $1 and passing
# the request, with X-Remote-User, to $2.
nginx_auth_proxy() {
	cat <<EOL
		location / {
			auth_basic "closeloop";
			auth_basic_user_file $1;
			proxy_pass $2;
			proxy_set_header Host \$http_host;
			proxy_set_header X-Remote-User \$remote_user;
			proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
			proxy_set_header X-Forwarded-Proto \$scheme;
		}
EOL
}

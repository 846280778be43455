#!/bin/sh
# harness-browser.sh - the browser tests' harness drives a real browser
# and a real nginx, and finds what is wrong
#
# A private nginx (tests/harness/nginx.sh) serves static pages: a clean
# one (lang, alt text, labels), one with an <img> without alt, an input
# without a label and a block too wide for a phone, and one without a
# lang. Chromium, through tests/harness/browser.py, finds no axe-core
# violation on the first and exactly image-alt and label on the second;
# the lang and 360 px checks pass the first and catch the others; the
# screenshot is a PNG of over 1 KB; browser.py run as a program passes
# the clean page and fails the other. In front of a loopback upstream
# that echoes X-Remote-User, nginx's auth_basic refuses a request
# without credentials or with a wrong password (401) and passes the user
# with the right ones, in place of an X-Remote-User the client sent.
# nginx stops, workers and all, by its master's PID.
. "$(dirname "$0")/../harness/lib.sh"
. "$top_srcdir/tests/harness/nginx.sh"

PY=/usr/bin/python3
HARNESS="$top_srcdir/tests/harness"
need "$PY" python3
need curl curl
"$PY" -c 'import sys; sys.path.insert(0, sys.argv[1])
import browser; browser.need()' "$HARNESS" || exit $?

say "static pages and an upstream echoing X-Remote-User behind nginx"
mkdir -p "$T/site/pages"
cat > "$T/site/pages/dot.svg" <<'EOF'
<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><circle cx="20" cy="20" r="18" fill="#1a5e20"/></svg>
EOF
cat > "$T/site/pages/clean.html" <<'EOF'
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Service requests</title>
</head>
<body>
<main>
<h1>Service requests</h1>
<p>Closed this week: 1,204. Told as completed: 1,180.</p>
<img src="dot.svg" alt="On track">
<form action="#">
<label for="sr">Request number</label>
<input id="sr" name="sr" type="text">
<button type="submit">Find</button>
</form>
</main>
</body>
</html>
EOF
cat > "$T/site/pages/bad.html" <<'EOF'
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Service requests</title>
</head>
<body>
<main>
<h1>Service requests</h1>
<img src="dot.svg">
<form action="#">
<input name="sr" type="text">
<button type="submit">Find</button>
</form>
<table style="width: 900px"><tr><td>A table wider than a phone</td></tr></table>
</main>
</body>
</html>
EOF
cat > "$T/site/pages/nolang.html" <<'EOF'
<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>No language</title></head>
<body><main><h1>No language</h1></main></body>
</html>
EOF

UP_PORT=$(free_port)
"$PY" -c 'import http.server, sys

class Echo(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = ("remote-user=%s\n"
                % self.headers.get("X-Remote-User", "")).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Echo).serve_forever()' \
    "$UP_PORT" >>"$T/upstream.log" 2>&1 &
EXTRA_PIDS="$EXTRA_PIDS $!"
wait_for 10 "the upstream" port_up "$UP_PORT"

nginx_htpasswd "$T/htpasswd" alice 'c0rrect horse'
nginx_htpasswd "$T/htpasswd" bob 'b4ttery staple'
nginx_start "$T/nginx" "
		location /pages/ {
			root $T/site;
		}
$(nginx_auth_proxy "$T/htpasswd" "http://127.0.0.1:$UP_PORT")"
assert "nginx serves the pages" [ "$(curl -s --noproxy '*' -o /dev/null \
    -w '%{http_code}' "$NGINX_URL/pages/clean.html")" = 200 ]

say "chromium and axe-core pass the clean page and catch the bad ones"
"$PY" - "$HARNESS" "$NGINX_URL/pages" "$T" <<'EOF' || fail "the browser's checks (above)"
import sys
import time

sys.path.insert(0, sys.argv[1])
import browser  # noqa: E402

url, tmp = sys.argv[2], sys.argv[3]
failed = []


def check(what, ok, detail=""):
    """Note a check that does not hold."""
    if not ok:
        print("FAIL: %s%s" % (what, "\n" + detail if detail else ""))
        failed.append(what)


with browser.Browser(1280, 900, log=tmp + "/chromedriver.log") as b:
    print("--- chromium started in %.2f s" % b.start_seconds)
    t = time.monotonic()
    b.open(url + "/clean.html")
    loaded = time.monotonic()
    v = b.axe()
    done = time.monotonic()
    print("--- the page loaded in %.2f s, axe-core ran in %.2f s"
          % (loaded - t, done - loaded))
    check("no violation on the clean page", not v,
          browser.format_violations(v))
    check("the clean page has a lang", browser.lang_problem(b) == "")
    check("the clean page fits 360 px", browser.narrow_problem(b) == "",
          browser.narrow_problem(b))
    check("the viewport is back to 1280 px", b.driver.execute_script(
        "return window.innerWidth;") == 1280)
    check("audit() finds nothing on the clean page", browser.audit(b) == [])
    b.screenshot(tmp + "/clean.png")

    b.open(url + "/bad.html")
    v = b.axe()
    ids = sorted(x["id"] for x in v)
    text = browser.format_violations(v)
    check("image-alt and label on the bad page", ids == ["image-alt", "label"],
          "found: %s\n%s" % (ids, text))
    for want in ("image-alt (critical)", "label (critical)", "    img  ",
                 "    input  ", "Images must have alternative text"):
        check("the message holds %r" % want, want in text, text)
    check("the bad page has a lang", browser.lang_problem(b) == "")
    wide = browser.narrow_problem(b)
    check("the bad page scrolls sideways at 360 px",
          wide.startswith("at 360 px wide the page is 9"), wide)
    check("audit() finds the width and axe-core's two",
          len(browser.audit(b)) == 2)

    b.open(url + "/nolang.html")
    check("the page without lang is caught",
          browser.lang_problem(b) != "")
    check("axe-core agrees", [x["id"] for x in b.axe()] == ["html-has-lang"])
sys.exit(1 if failed else 0)
EOF

say "the screenshot is a PNG of over 1 KB"
assert "a PNG" [ "$(head -c 8 "$T/clean.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]
size=$(wc -c < "$T/clean.png")
assert "over 1 KB ($size bytes)" [ "$size" -gt 1024 ]

say "browser.py as a program passes the clean page and fails the bad one"
"$PY" "$HARNESS/browser.py" --size 1280x900 --screenshot "$T/cli.png" \
    "$NGINX_URL/pages/clean.html" > "$T/cli.out" 2>&1 ||
    fail "browser.py fails the clean page: $(cat "$T/cli.out")"
assert "its screenshot" [ -s "$T/cli.png" ]
rc=0
"$PY" "$HARNESS/browser.py" "$NGINX_URL/pages/clean.html" \
    "$NGINX_URL/pages/bad.html" > "$T/cli.out" 2>&1 || rc=$?
assert "exit 1 for the bad page (got $rc)" [ "$rc" = 1 ]
assert "image-alt named" grep -q '/bad.html: axe-core finds' "$T/cli.out"
assert "label named" grep -q '^label (critical)' "$T/cli.out"
assert "the width named" grep -q '/bad.html: at 360 px wide' "$T/cli.out"
assert "nothing said of the clean page" [ "$(grep -c /clean.html "$T/cli.out")" = 0 ]

say "auth_basic refuses without credentials and passes the user with them"
# Print the status and the body of GET / with the given options of curl.
get() {
	curl -s --noproxy '*' -o "$T/body" -w '%{http_code}' "$@" "$NGINX_URL/"
	printf ' %s' "$(cat "$T/body")"
}
r=$(get)
assert "401 without credentials: $r" [ "${r%% *}" = 401 ]
r=$(get -H 'X-Remote-User: alice')
assert "401 with only the header: $r" [ "${r%% *}" = 401 ]
r=$(get -u 'alice:wrong horse')
assert "401 with a wrong password: $r" [ "${r%% *}" = 401 ]
r=$(get -u 'alice:c0rrect horse')
assert "alice passed as X-Remote-User: $r" [ "$r" = "200 remote-user=alice" ]
r=$(get -u 'bob:b4ttery staple' -H 'X-Remote-User: alice')
assert "bob, whatever the client says: $r" [ "$r" = "200 remote-user=bob" ]

say "nginx stops by PID, its worker with it"
workers=$(cat /proc/"$NGINX_PID"/task/*/children 2>/dev/null || true)
assert "a worker" [ -n "$workers" ]
nginx_stop
for w in $workers; do
	assert "worker $w gone" [ ! -d "/proc/$w" ]
done
echo "PASS"

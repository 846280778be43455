#!/usr/bin/python3
"""bench_web.py - the console's pages under 20 staff at once

    bench_web.py URL USER PASSWORD PID NAME=PATH[,PATH...] ...

Signs USERS (default 20, env BENCH_USERS) sessions in to the console at
URL with the console's own form, then each session requests, in turn and
all at once, every PATH of every NAME, ROUNDS times (env BENCH_ROUNDS,
default 5), waiting BENCH_THINK_MS on average before each page, as a
person reading the last one would (default 0: at once). For each NAME prints the median, the 90th percentile and the worst of two times:
the console's own, from the request read to the answer made (its
Server-Timing header), and the one each user saw, from the request sent
to the answer's last byte on loopback (the console's own time and the
wait behind the others' requests, which it serves one at a time); and
checks each answer was 200. Then prints the
console's peak resident memory (VmHWM of process PID). The paths of a
NAME are spread over the sessions so that they do not all ask for the
same SR. Exits 1 if an answer was not 200.
"""
import http.client
import os
import re
import statistics
import sys
import threading
import time
import urllib.parse


def signin(host, port, user, password):
    """Sign in with the form; the cookie header of the session."""
    c = http.client.HTTPConnection(host, port, timeout=30)
    c.request("GET", "/signin")
    r = c.getresponse()
    page = r.read().decode()
    pre = [v.split(";")[0] for k, v in r.getheaders()
           if k.lower() == "set-cookie"][0]
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)
    c.close()
    c = http.client.HTTPConnection(host, port, timeout=30)
    body = urllib.parse.urlencode({"csrf": csrf, "name": user,
                                   "password": password})
    c.request("POST", "/signin", body, {
        "Cookie": pre, "Content-Type": "application/x-www-form-urlencoded"})
    r = c.getresponse()
    r.read()
    c.close()
    if r.status != 303:
        sys.exit("bench_web: %s could not sign in (%d)" % (user, r.status))
    return [v.split(";")[0] for k, v in r.getheaders()
            if k.lower() == "set-cookie" and "Max-Age=0" not in v][0]


def get(host, port, path, cookie):
    """The time of one GET as the client saw it, the console's own time
    (its Server-Timing header, app;dur=MS), and its status."""
    c = http.client.HTTPConnection(host, port, timeout=60)
    t0 = time.monotonic()
    c.request("GET", path, headers={"Cookie": cookie})
    r = c.getresponse()
    r.read()
    t = time.monotonic() - t0
    c.close()
    m = re.search(r"app;dur=([0-9.]+)", r.getheader("Server-Timing") or "")
    return t, float(m.group(1)) / 1000 if m else float("nan"), r.status


def main():
    if len(sys.argv) < 6:
        sys.exit(__doc__)
    url = urllib.parse.urlparse(sys.argv[1])
    user, password, pid = sys.argv[2], sys.argv[3], sys.argv[4]
    pages = []
    for arg in sys.argv[5:]:
        name, paths = arg.split("=", 1)
        pages.append((name, paths.split(",")))
    users = int(os.environ.get("BENCH_USERS", "20"))
    rounds = int(os.environ.get("BENCH_ROUNDS", "5"))
    think = float(os.environ.get("BENCH_THINK_MS", "0")) / 1000
    cookies = [signin(url.hostname, url.port, user, password)
               for _ in range(users)]
    times = {name: [] for name, _ in pages}
    server = {name: [] for name, _ in pages}
    bad = []
    lock = threading.Lock()

    def staff(i):
        for r in range(rounds):
            for name, paths in pages:
                path = paths[(i + r * users) % len(paths)]
                if think:
                    time.sleep(think * (0.5 + (i * 7919 + r) % 100 / 100))
                t, own, status = get(url.hostname, url.port, path,
                                     cookies[i])
                with lock:
                    times[name].append(t)
                    server[name].append(own)
                    if status != 200:
                        bad.append("%s %s: %d" % (name, path, status))

    threads = [threading.Thread(target=staff, args=(i,))
               for i in range(users)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - t0
    total = sum(len(v) for v in times.values())
    print("%d staff at once, %s, %d requests in %.1f s (%.0f a second)"
          % (users, "each reading %.1f s on average between pages" % think
             if think else "each asking again as soon as answered", total,
             wall, total / wall))
    print("the console's own time per request (Server-Timing), then the "
          "time each of the %d saw (queued behind the others):" % users)
    for name, _ in pages:
        for what, v in (("own", sorted(server[name])),
                        ("seen", sorted(times[name]))):
            p90 = v[min(len(v) - 1, int(len(v) * 0.9))]
            print("%-12s %-4s %4d: median %6.1f ms, 90th %6.1f ms, "
                  "worst %6.1f ms" % (name, what, len(v),
                                      statistics.median(v) * 1000,
                                      p90 * 1000, v[-1] * 1000))
    with open("/proc/%s/status" % pid) as f:
        for line in f:
            if line.startswith(("VmHWM", "VmRSS")):
                print("closeloop-web " + " ".join(line.split()))
    if bad:
        print("not 200: " + "; ".join(bad[:10]))
        sys.exit(1)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""browser.py - Debian's chromium, headless, for closeloop's browser tests

    browser.py [--size WxH] [--screenshot PATH] URL...

A test imports this file (sys.path gets tests/harness) and drives a real
browser: /usr/bin/chromium through /usr/bin/chromedriver and Selenium,
headless, without a sandbox (the tests run as root in CI), with a new
profile in a temporary directory, reaching only the servers the test
started on loopback (no proxy, no background traffic):

    import browser
    browser.need()                  # or the test is skipped / fails in CI
    with browser.Browser(1280, 900) as b:
        b.open(url)
        problems = browser.audit(b)  # lang, axe-core, 360 px wide
        b.screenshot(path)           # the whole page, as PNG

Browser.axe() runs axe-core (tests/browser/node_modules, which .ci/setup
installs with npm ci) on the page with the WCAG 2.0 and 2.1 A and AA
rules and returns its violations: [{id, impact, help, helpUrl, nodes:
[{target, html}]}]; format_violations() writes them for a failure
message. lang_problem() and narrow_problem() are the page's <html> lang
attribute and whether the page scrolls sideways at 360 px. Each returns
a sentence saying what is wrong, or "" if nothing is.

Run as a program, it opens each URL at the size (1280x900 unless told),
prints what audit() finds, keeps a screenshot if asked (PATH, or PATH-N
for the Nth URL after the first) and exits 1 if anything was found.

need() is the check of lib.sh's need/missing: a missing chromium,
chromedriver, Selenium or axe-core skips the test (exit 77), except
when CI=true, where it fails it (exit 1).
"""
import argparse
import base64
import importlib.util
import os
import shutil
import signal
import sys
import tempfile
import time

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
AXE = os.path.join(TOP, "tests", "browser", "node_modules", "axe-core",
                   "axe.min.js")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync",
         "--no-proxy-server"]
NARROW = (360, 740)
SKIP = 77
# Seconds a page may take to load, and axe-core to run on it; the
# browser's every answer comes within the larger with room to spare.
LOAD_SECONDS = 30
SCRIPT_SECONDS = 60
ANSWER_SECONDS = 90


def missing(why):
    """Give up on the test: skip it (exit 77), or fail it in CI."""
    if os.environ.get("CI") == "true":
        print("FAIL: %s (required in CI)" % why, flush=True)
        sys.exit(1)
    print("SKIP: %s" % why, flush=True)
    sys.exit(SKIP)


def need():
    """Check for chromium, chromedriver, Selenium and axe-core, giving
    up on the test (missing()) at the first not there."""
    for path, package in ((CHROMIUM, "chromium"),
                          (CHROMEDRIVER, "chromium-driver")):
        if not os.access(path, os.X_OK):
            missing("%s is not installed (Debian package %s)"
                    % (path, package))
    if importlib.util.find_spec("selenium") is None:
        missing("Selenium is not installed (Debian package python3-selenium)")
    if not os.path.isfile(AXE):
        missing("%s is not there (npm ci in tests/browser; .ci/setup "
                "runs it)" % os.path.relpath(AXE, TOP))


def _started(pid):
    """The start time of process pid (field 22 of its stat), or None if
    it is gone or a zombie: a pid and its start time name one process."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    return None if fields[0] == "Z" else fields[19]


def _family(pid):
    """Process pid and all its descendants, as (pid, start time)."""
    children = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(name))
    out = []
    todo = [pid]
    while todo:
        p = todo.pop()
        started = _started(p)
        if started is not None:
            out.append((p, started))
        todo.extend(children.get(p, []))
    return out


class Browser:
    """A headless chromium driven through chromedriver; quit() (or the
    end of a with block) ends it and removes its profile."""

    def __init__(self, width=1280, height=900, log=None):
        """Start chromium with a viewport of width x height CSS pixels;
        chromedriver logs to the file log, if given."""
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        from selenium.webdriver.remote.remote_connection import \
            RemoteConnection

        self.driver = None
        self.family = []
        self.profile = tempfile.mkdtemp(prefix="closeloop-chromium.")
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in FLAGS + [
                "--user-data-dir=" + os.path.join(self.profile, "data"),
                "--window-size=%d,%d" % (width, height)]:
            options.add_argument(flag)
        # Chromium keeps crash reports, dconf and NSS files under HOME
        # whatever the profile: a home of its own, removed with it.
        home = os.path.join(self.profile, "home")
        env = dict(os.environ, HOME=home,
                   XDG_CONFIG_HOME=os.path.join(home, ".config"),
                   XDG_CACHE_HOME=os.path.join(home, ".cache"),
                   XDG_DATA_HOME=os.path.join(home, ".local", "share"))
        RemoteConnection.set_timeout(ANSWER_SECONDS)
        self.service = Service(CHROMEDRIVER, log_path=log or os.devnull,
                               env=env)
        t0 = time.monotonic()
        try:
            self.driver = webdriver.Chrome(service=self.service,
                                           options=options)
        except Exception:
            self.quit()
            raise
        self.start_seconds = time.monotonic() - t0
        self.family = _family(self.service.process.pid)
        self.driver.set_page_load_timeout(LOAD_SECONDS)
        self.driver.set_script_timeout(SCRIPT_SECONDS)
        self.size(width, height)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.quit()

    def size(self, width, height):
        """Make the viewport width x height CSS pixels (a headless window
        is never narrower than 500, so the size is emulated)."""
        self.width, self.height = width, height
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1,
            "mobile": False})

    def open(self, url):
        """Load url and wait until it has loaded."""
        self.driver.get(url)

    def axe(self):
        """Run axe-core on the page (WCAG 2.0 and 2.1, A and AA) and
        return its violations."""
        with open(AXE, encoding="utf-8") as f:
            self.driver.execute_script(f.read())
        result = self.driver.execute_async_script("""
var done = arguments[arguments.length - 1];
axe.run(document, {runOnly: arguments[0]}).then(function (r) {
	done({violations: r.violations.map(function (v) {
		return {id: v.id, impact: v.impact, help: v.help,
		    helpUrl: v.helpUrl, nodes: v.nodes.map(function (n) {
			return {target: n.target, html: n.html};
		    })};
	})});
}, function (e) {
	done({error: String(e)});
});""", AXE_TAGS)
        if result.get("error"):
            raise RuntimeError("axe-core failed: " + result["error"])
        return result["violations"]

    def screenshot(self, path):
        """Write the whole page, not just the viewport, to path as PNG."""
        m = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
        size = m["cssContentSize"]
        shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "scale": 1,
                     "width": max(size["width"], self.width),
                     "height": max(size["height"], self.height)}})
        with open(path, "wb") as f:
            f.write(base64.b64decode(shot["data"]))

    def quit(self):
        """End chromedriver and chromium, by PID if they do not quit when
        told, and remove the profile; a second call does nothing."""
        process = getattr(getattr(self, "service", None), "process", None)
        if process is not None:
            self.family = sorted(set(self.family) | set(_family(process.pid)))
        if self.driver is not None:
            try:
                self.driver.quit()
            except Exception as e:
                print("chromium did not quit (%s); killing it" % e,
                      file=sys.stderr)
            self.driver = None
        for pid, started in self.family:
            if _started(pid) == started:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        if process is not None:
            try:
                process.wait(10)
            except Exception:
                pass
        self.family = []
        if self.profile:
            shutil.rmtree(self.profile, ignore_errors=True)
            self.profile = None


def format_violations(violations):
    """axe-core's violations as lines for a failure message: the rule,
    its impact and help, then each element's selector and its HTML."""
    lines = []
    for v in violations:
        lines.append("%s (%s): %s <%s>" % (v["id"], v["impact"], v["help"],
                                           v["helpUrl"]))
        for n in v["nodes"]:
            html = " ".join(n["html"].split())
            if len(html) > 100:
                html = html[:97] + "..."
            lines.append("    %s  %s" % (" ".join(n["target"]), html))
    return "\n".join(lines)


def lang_problem(b):
    """Whether the page's <html> has a lang attribute, not empty."""
    lang = b.driver.execute_script(
        "return document.documentElement.getAttribute('lang');")
    if not lang or not lang.strip():
        return "the page's <html> has no lang attribute"
    return ""


def narrow_problem(b, width=NARROW[0], height=NARROW[1]):
    """Whether the page scrolls sideways in a viewport width pixels wide
    (a phone's 360 unless told); the viewport is put back after."""
    was = (b.width, b.height)
    b.size(width, height)
    try:
        wide, inner, over = b.driver.execute_script("""
var w = window.innerWidth, over = [];
document.querySelectorAll('body *').forEach(function (e) {
	var r = e.getBoundingClientRect();
	if (r.right > w + 0.5 && over.length < 5 &&
	    !(e.parentElement && e.parentElement.closest('.scroll, iframe')))
		over.push(e.tagName.toLowerCase() + (e.className ?
		    '.' + String(e.className).split(' ').join('.') : '') +
		    ' (right edge ' + Math.round(r.right) + ')');
});
return [document.documentElement.scrollWidth, w, over];""")
    finally:
        b.size(*was)
    if wide > inner:
        return ("at %d px wide the page is %d px wide (it scrolls "
                "sideways): %s" % (inner, wide, ", ".join(over)))
    return ""


def audit(b):
    """What is wrong with the page open in b: its lang attribute, axe-core's
    violations, sideways scrolling at 360 px; a list of messages."""
    problems = [p for p in (lang_problem(b), narrow_problem(b)) if p]
    violations = b.axe()
    if violations:
        problems.append("axe-core finds:\n" + format_violations(violations))
    return problems


def main():
    """Audit each URL given; exit 1 if anything was found."""
    ap = argparse.ArgumentParser(description="Audit pages in chromium.")
    ap.add_argument("--size", default="1280x900",
                    help="the viewport, WIDTHxHEIGHT (1280x900)")
    ap.add_argument("--screenshot", metavar="PATH",
                    help="keep the page as PNG (PATH-N for the Nth URL)")
    ap.add_argument("url", nargs="+")
    args = ap.parse_args()
    width, height = (int(x) for x in args.size.split("x"))
    need()
    found = False
    with Browser(width, height) as b:
        for i, url in enumerate(args.url):
            b.open(url)
            if args.screenshot:
                b.screenshot(args.screenshot if i == 0
                             else "%s-%d" % (args.screenshot, i))
            problems = audit(b)
            for p in problems:
                print("%s: %s" % (url, p))
            found = found or bool(problems)
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()

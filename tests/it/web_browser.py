#!/usr/bin/python3
"""web_browser.py - staff and a resident use the console in chromium

Run by web_browser.sh, which has played the stories and started the
console at WEB_URL with the accounts olive (ops), walt (division TW) and
sara (division TS), password WEB_PASSWORD. Every page opened is checked
(lang, axe-core WCAG 2.1 A and AA, no sideways scrolling at 360 px) and
kept as SCREENSHOTS/NAME.png. Exits 1 at the first thing wrong, saying
what.
"""
import http.server
import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "harness"))
import browser  # noqa: E402

URL = os.environ["WEB_URL"]
PASSWORD = os.environ["WEB_PASSWORD"]
SHOTS = os.environ["SCREENSHOTS"]
RESIDENT = os.environ["RESIDENT_LINK"]
OTHER_PORT = int(os.environ["OTHER_PORT"])
# TW's status events in web_browser.sh's stories: W-1 closed, W-2 closed.
EXPECT_RECEIVED = 2
checked = []


def fail(what):
    print("FAIL: " + what)
    sys.exit(1)


def check(b, name):
    """Audit the page open in b and keep its screenshot as NAME.png."""
    problems = browser.audit(b)
    if problems:
        fail("%s (%s):\n%s" % (name, b.driver.current_url,
                              "\n".join(problems)))
    b.screenshot(os.path.join(SHOTS, name + ".png"))
    checked.append(name)
    print("ok: %s: lang, axe-core, 360 px; screenshot %s.png" % (name, name))


def text(b):
    return b.driver.find_element("tag name", "body").text


def wait_url(b, part):
    """Wait until the page's address holds part (a form was submitted)."""
    from selenium.webdriver.support.ui import WebDriverWait
    WebDriverWait(b.driver, 10).until(lambda d: part in d.current_url)


def signin(b, name):
    """Sign in with the console's form, as a person would."""
    b.open(URL + "/signin")
    b.driver.find_element("id", "name").send_keys(name)
    b.driver.find_element("id", "password").send_keys(PASSWORD)
    b.driver.find_element("css selector", "form.signin button").click()
    wait_url(b, "/find" if name != "cara" else "/templates")
    if "Signed in as" not in text(b):
        fail("%s could not sign in: %s" % (name, text(b)[:300]))


def signout(b):
    b.driver.find_element("css selector", "header form button").click()
    wait_url(b, "/signin")


def post_form(b, path, fields):
    """Submit a form of fields to path from the page open, as a page of the
    console's own would, and wait for the answer; its text."""
    b.driver.execute_script("""
var f = document.createElement('form');
f.method = 'post';
f.action = arguments[0];
Object.keys(arguments[1]).forEach(function (k) {
	var i = document.createElement('input');
	i.type = 'hidden'; i.name = k; i.value = arguments[1][k];
	f.appendChild(i);
});
document.body.appendChild(f);
f.submit();""", path, fields)
    wait_url(b, path)
    return text(b)


class Elsewhere(http.server.BaseHTTPRequestHandler):
    """Another origin's page whose form posts to the console."""

    def do_GET(self):
        page = ("<!DOCTYPE html><html lang=en><title>elsewhere</title>"
                "<form id=f method=post action='%s/signout'>"
                "<input name=csrf value=guess></form>"
                "<script>document.getElementById('f').submit()</script>"
                % URL).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)

    def log_message(self, *args):
        pass


def main():
    browser.need()
    with browser.Browser(1280, 900) as b:
        b.open(URL + "/signin")
        check(b, "signin")
        signin(b, "walt")
        check(b, "find")

        # A resident calls with their address: find their SRs.
        b.driver.find_element("id", "email").send_keys("Marie@Example.org")
        b.driver.find_element("css selector",
                              "form[action='/find'] input#email ~ button"
                              ).click()
        wait_url(b, "email=")
        if "SRs of Marie@Example.org" not in text(b):
            fail("the look-up did not say whose SRs: " + text(b)[-600:])
        check(b, "find-result")
        b.driver.find_element("link text", "W-1").click()
        wait_url(b, "/sr/W-1")

        # The timeline: the French email in its frame, the French SMS.
        body = text(b)
        if body.count("Proven as sent") < 2:
            fail("the timeline does not prove both messages: " + body[:500])
        if "Puisard nettoyé" not in body:
            fail("the division's note is not on the timeline")
        sms = b.driver.find_element("css selector", "blockquote.sms").text
        if "W-1" not in sms or "311" not in sms:
            fail("the SMS is not shown whole: " + sms)
        check(b, "timeline")
        frame = b.driver.find_element("css selector", "iframe.mail")
        if frame.get_attribute("sandbox") != "":
            fail("the email's frame is not sandboxed")
        # The frame is a page of its own (sandboxed, another origin): a
        # picture of the viewport with it in view shows the email.
        b.driver.execute_script("arguments[0].scrollIntoView(true);", frame)
        b.driver.save_screenshot(os.path.join(SHOTS, "timeline-email.png"))
        b.driver.switch_to.frame(frame)
        lang = b.driver.execute_script(
            "return document.documentElement.getAttribute('lang')")
        inner = text(b)
        b.driver.switch_to.default_content()
        if lang != "fr" or "W-1" not in inner:
            fail("the frame does not show the French email (lang %r)" % lang)

        # A form without its token, or from another origin: refused.
        if "Refused" not in post_form(b, "/signout", {}):
            fail("a sign-out without its token was not refused")
        server = http.server.HTTPServer(("127.0.0.1", OTHER_PORT), Elsewhere)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        b.open("http://127.0.0.1:%d/" % OTHER_PORT)
        wait_url(b, URL + "/signout")
        if "Refused" not in text(b):
            fail("a form from another origin was not refused: "
                 + text(b)[:300])
        server.shutdown()
        b.open(URL + "/find")
        if "Signed in as walt" not in text(b):
            fail("the refused form signed walt out")

        # The division's dashboard: the counts of the stories played.
        b.open(URL + "/dashboard")
        wait_url(b, "/dashboard")
        got = b.driver.find_element(
            "css selector", "dd[data-counter='received']").text
        if got != str(EXPECT_RECEIVED):
            fail("the dashboard counts %s events from the CRM for TW, the "
                 "stories sent %d" % (got, EXPECT_RECEIVED))
        no_note = b.driver.find_element(
            "css selector", "[data-counter='flag:no_note']").text
        if no_note.strip() != "1":
            fail("the dashboard counts %r closures without a note, not 1"
                 % no_note)
        check(b, "dashboard")
        # The charts, drawn by the system's Chart.js from the tables: a
        # picture of the viewport at the trend (a picture of the whole
        # page resizes the window, and the charts with it).
        charts = b.driver.find_elements("css selector", "div.chart canvas")
        if len(charts) != len(b.driver.find_elements(
                "css selector", "table[data-chart]")):
            fail("not every table of the dashboard has its chart")
        b.driver.execute_script("arguments[0].scrollIntoView(true);",
                                charts[-1])
        b.driver.save_screenshot(os.path.join(SHOTS,
                                              "dashboard-chart.png"))
        b.driver.find_element("css selector",
                              "[data-counter='flag:no_note'] a").click()
        wait_url(b, "/list")
        if "W-2" not in text(b):
            fail("the count's link does not list W-2")
        check(b, "dashboard-list")
        signout(b)

        # A division user and another division's SR: the 404 of nothing.
        signin(b, "sara")
        b.open(URL + "/sr/W-1")
        if "Not found" not in text(b) or "Puisard" in text(b):
            fail("sara (TS) sees W-1 of TW")
        check(b, "not-found")
        b.open(URL + "/sr/S-1")
        if "S-1" not in text(b):
            fail("sara does not see S-1")
        signout(b)

        # 311: the operations page, a list behind a count, the templates.
        signin(b, "olive")
        b.open(URL + "/operations")
        check(b, "operations")
        # She pauses email from the page, as a person would: closeloopd
        # carries the request out, the page shows it; then she resumes.
        b.driver.find_element("id", "note-email").send_keys("relay down")
        b.driver.find_element(
            "xpath", "//button[normalize-space()='Pause email']").click()
        wait_url(b, "request=")
        for _ in range(50):
            if "Your request" in text(b) and "waiting for" not in text(b):
                break
            time.sleep(0.2)
            b.driver.refresh()
        if "pause: done: email paused until resumed" not in text(b):
            fail("the pause's result is not shown: " + text(b)[:400])
        if "paused by olive" not in text(b):
            fail("the page does not show email paused by olive")
        check(b, "operations-paused")
        b.driver.find_element(
            "xpath", "//button[normalize-space()='Resume email']").click()
        wait_url(b, "request=")
        b.open(URL + "/list?counter=flag:no_note")
        if "W-2" not in text(b):
            fail("the list of closures without a note lacks W-2")
        check(b, "list")
        signout(b)
        signin(b, "cara")
        if "Templates" not in text(b):
            fail("comms does not start on the templates")
        check(b, "templates")
        b.open(URL + "/templates?locale=fr&notice=completed")
        check(b, "template-fr")
        b.open(URL + "/find")
        if "Not found" not in text(b):
            fail("comms sees the Find page")
        signout(b)

        # The resident follows the link in the email they received.
        b.open(RESIDENT)
        check(b, "resident")
        if "Puisard nettoyé" not in text(b):
            fail("the resident's page lacks the note they were sent")
    print("checked %d pages: %s" % (len(checked), ", ".join(checked)))


if __name__ == "__main__":
    main()

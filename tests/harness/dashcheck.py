#!/usr/bin/python3
"""dashcheck.py - the console's dashboard against "closeloop report --json"

Usage: dashcheck.py DIV FROM UNTIL PAGE CSV REPORT TOP MONTHS [WARD]

PAGE is the dashboard's HTML for division DIV ("all": every division
the user sees) over the days FROM <= day < UNTIL, CSV its CSV; REPORT
the output of "closeloop report --json" over the same time (every
division; with --ward WARD if the page is a ward's), TOP that of
"--division DIV --top 10", MONTHS that of "--division DIV --by month"
over the 13 months of the trend. "-" leaves a file out. The page's
figures must equal the report's, its links to the list page must name
the count, and the CSV must give the page's figures. Exits 1 with what
differs.
"""
import datetime
import csv
import html.parser
import json
import sys
import urllib.parse

LAGS = ["1", "5", "15", "60", "240", "720", "1440", "2880", "10080", "more"]
NAMES = {
    "received": "received", "notices": "told", "failed": "failed",
    "failed_permanent": "failed:failed", "failed_too_old": "failed:dead",
    "failed_undelivered": "failed:undelivered",
    "failed_bounced": "failed:bounced", "complaints": "complained",
    "misleading_closures_suppressed": "held",
    "closures_without_note": "flag:no_note",
    "unknown_note_codes": "flag:unknown_note_code",
    "duplicates_without_link": "flag:duplicate_without_link",
    "sms_shortened": "flag:sms_shortened",
    "past_standard": "flag:past_standard",
    "past_standard_open": "open:past_standard",
    "residents_asked": "asked", "answers": "answered",
    "answers_fixed": "answer:fixed", "answers_not_fixed": "answer:not_fixed",
    "answers_partly": "answer:partly", "unanswered": "unanswered",
}
# The service standards' columns, per target.
for _t in ("completion", "response"):
    NAMES["standard_" + _t] = "std:" + _t
    for _o in ("met", "missed"):
        NAMES["standard_%s_%s" % (_t, _o)] = "std:%s:%s" % (_t, _o)
    NAMES["standard_%s_met_as_closed" % _t] = "std:%s:as_closed" % _t
LINKED = ("held", "flag:", "failed", "std:", "open:", "answer:not_fixed",
          "answer:partly", "complained")
VOID = ("area", "base", "br", "col", "embed", "hr", "img", "input", "link",
        "meta", "source", "track", "wbr")


def counters(row):
    """A report row's columns as the rollup counters they show."""
    out = {}
    for col, n in row.items():
        if not isinstance(n, int) or col == "rank":
            continue
        if col in NAMES:
            out[NAMES[col]] = n
        elif col.startswith("notices_"):
            out["told:" + col[8:]] = n
        elif col.startswith("held_"):
            out["held:" + col[5:]] = n
        elif col.startswith("lag_"):
            out["lag:" + col[4:]] = n
    return out


def median(c, percent=50):
    """The lag bucket percent per cent of the messages came within."""
    n = [c.get("lag:" + b, 0) for b in LAGS]
    total, acc = sum(n), 0
    if total == 0:
        return ""
    for i, b in enumerate(LAGS[:-1]):
        acc += n[i]
        if acc * 100 >= total * percent:
            return b
    return "more"


class Page(html.parser.HTMLParser):
    """The figures of the page, by where they are."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.grab = []          # [depth, kind, key, text, href]
        self.main, self.links, self.lag = {}, {}, {}
        self.services, self.months, self.compare = [], {}, {}
        self.row = None          # (kind, key, cells) of a tr
        self.division = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in VOID:
            return
        self.depth += 1
        if tag == "tr" and "data-division" in a:
            self.division = a["data-division"]
            self.compare[self.division] = {}
        if tag == "tr" and ("data-rank" in a or "data-month" in a):
            self.row = ["rank" if "data-rank" in a else "month",
                        a.get("data-month"), []]
        if tag in ("th", "td") and self.row is not None:
            self.grab.append([self.depth, "cell", None, "", None])
        if "data-counter" in a:
            self.grab.append([self.depth, "count", a["data-counter"], "",
                              None])
        if "data-lag" in a:
            self.lag[a["data-lag"]] = a.get("data-bucket", "")
        if tag == "a" and self.grab:
            self.grab[-1][4] = a.get("href")

    def handle_data(self, data):
        for g in self.grab:
            g[3] += data

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        while self.grab and self.grab[-1][0] == self.depth:
            _, kind, key, text, href = self.grab.pop()
            if kind == "cell":
                self.row[2].append(text.strip())
            elif self.division is not None:
                self.compare[self.division][key] = int(text)
            else:
                self.main[key] = int(text)
                if href is not None:
                    self.links[key] = href
        if tag == "tr":
            if self.row is not None and self.row[0] == "rank":
                c = self.row[2]
                self.services.append((c[0], int(c[1]), int(c[2]),
                                      int(c[3])))
            elif self.row is not None:
                c = self.row[2]
                self.months[self.row[1]] = (int(c[1]), int(c[2]),
                                            int(c[3]))
            self.row = None
            self.division = None
        self.depth -= 1


def rows(path):
    """The JSON lines of a report."""
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def check(what, got, want, errors):
    if got != want:
        errors.append("%s: page %r, report %r" % (what, got, want))


def main():
    div, since, until, page_f, csv_f, report_f, top_f, months_f = \
        sys.argv[1:9]
    ward = sys.argv[9] if len(sys.argv) > 9 else None
    errors = []
    page = Page()
    with open(page_f) as f:
        page.feed(f.read())
    if not page.main:
        sys.exit("no figures on the page")

    # The period's figures: the division's row, or the sum of all.
    want, per = {}, {}
    for r in rows(report_f):
        c = counters(r)
        per[r["division"]] = c
        if div == "all" or r["division"] == div:
            for k, n in c.items():
                want[k] = want.get(k, 0) + n
    for k, n in page.main.items():
        check(k, n, want.get(k, 0), errors)
    shown = set(page.main)
    for k in want:
        if ward is not None and k.startswith("lag:"):
            continue
        if k not in shown and not k.startswith(("sent:", "suppressed",
                                                 "flag:no_reason",
                                                 "delivered")):
            errors.append("%s is not on the page" % k)
    if ward is None:
        check("median", page.lag.get("median"), median(want), errors)
        check("p90", page.lag.get("p90"), median(want, 90), errors)
    elif "lag:1" in shown or page.lag:
        errors.append("a ward's page shows the lag")

    # Links to the SRs behind the held, flagged and failed counts.
    for k, n in page.main.items():
        linked = k.startswith(LINKED) and n > 0
        if linked != (k in page.links):
            errors.append("%s (%d) link: %r" % (k, n, page.links.get(k)))
            continue
        if not linked:
            continue
        url = urllib.parse.urlsplit(page.links[k])
        q = urllib.parse.parse_qs(url.query)
        # /list takes the period's last day, the day before until.
        last = (datetime.date.fromisoformat(until) -
                datetime.timedelta(days=1)).isoformat()
        expect = {"since": [since], "until": [last], "counter": [k]}
        if div != "all":
            expect["division"] = [div]
        if ward is not None:
            expect["ward"] = [ward]
        check("link of " + k, (url.path, q), ("/list", expect), errors)

    # The top service types and the months of the trend.
    if top_f != "-":
        top = [(r["service"], r["received"], r["notices"],
                r["misleading_closures_suppressed"]) for r in rows(top_f)]
        check("top service types", page.services, top, errors)
    if months_f != "-":
        got = {m: v for m, v in page.months.items() if v != (0, 0, 0)}
        exp = {r["period"]: (r["received"], r["notices"],
                             r["misleading_closures_suppressed"])
               for r in rows(months_f)}
        exp = {m: v for m, v in exp.items() if v != (0, 0, 0)}
        check("months", got, exp, errors)
        if len(page.months) != 13:
            errors.append("%d months, not 13" % len(page.months))

    # The divisions side by side.
    for d, got in page.compare.items():
        c = per.get(d, {})
        for k in ("received", "told", "held", "flag:no_note", "failed"):
            check("%s %s" % (d, k), got.get(k), c.get(k, 0), errors)

    # The CSV gives what the page shows.
    if csv_f != "-":
        name = div if div != "all" else "all"
        fig, months, services, compare, lag = {}, {}, [], {}, {}
        with open(csv_f, newline="") as f:
            for r in csv.DictReader(f):
                s = r["section"]
                if s == "figure" and r["division"] == name:
                    fig[r["name"]] = int(r["value"])
                elif s == "lag":
                    lag[r["name"]] = r["value"]
                elif s == "month":
                    months.setdefault(r["group"], {})[r["name"]] = \
                        int(r["value"])
                elif s == "service" and r["name"] == "received":
                    services.append((r["group"].lstrip("'"),
                                     int(r["value"])))
                elif s == "division" and r["name"] != "lag_median":
                    compare.setdefault(r["division"], {})[r["name"]] = \
                        int(r["value"])
        check("CSV figures", fig, page.main, errors)
        check("CSV lag", lag, page.lag, errors)
        check("CSV months", {m: (v["received"], v["told"], v["held"])
                             for m, v in months.items()}, page.months,
              errors)
        check("CSV service types", services,
              [(s[0], s[1]) for s in page.services], errors)
        check("CSV divisions", compare, page.compare, errors)
    for e in errors:
        print("dashcheck:", e)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()

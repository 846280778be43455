/*
 * staticfile.h - the console's static files, and its health check
 *
 * Under /static/: console.css and charts.js from the page set (page.h),
 * and chart.js, the system's Chart.js (Debian's libjs-chart.js, named by
 * web.chartjs), read once at start and at each reload. Nothing is
 * fetched from anywhere else. /healthz answers "ok" when Redis answers.
 */
#ifndef STATICFILE_H
#define STATICFILE_H

struct web;
struct webreq;

/* Read the system's Chart.js into w (logged and left out if missing). */
void staticfile_load(struct web *w);

/* GET /static/NAME. */
void staticfile_serve(struct webreq *q);

/* GET /healthz. */
void staticfile_health(struct webreq *q);

#endif

/*
 * testprom.h - read samples out of the Prometheus text /metrics prints
 */
#ifndef TESTPROM_H
#define TESTPROM_H

/*
 * Return the value of the sample whose name and labels are exactly key
 * (e.g. closeloop_events_total{type="status"}) in text; fails the test
 * if there is none.
 */
double testprom_value(const char *text, const char *key);

#endif

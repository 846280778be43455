/*
 * testhttp.h - raw HTTP requests to a listener on a loopback port
 *
 * The listener tests send requests as a gateway or a mail provider
 * would, byte for byte, and read the whole answer back: status, headers
 * and body. Every request asks for "Connection: close", so an answer
 * ends when the listener closes the connection.
 */
#ifndef TESTHTTP_H
#define TESTHTTP_H

/* An answer. */
struct testhttp_answer {
	int	 status;
	char	*raw;		/* the whole answer; free it */
	char	*body;		/* into raw */
};

/*
 * Send the request req to 127.0.0.1:port and read the whole answer.
 * Fails the test if no HTTP answer comes within 10 seconds.
 */
struct testhttp_answer testhttp_raw(int port, const char *req);

/* GET target with extra header lines (each ending in CRLF, or NULL). */
struct testhttp_answer testhttp_get(int port, const char *target,
    const char *headers);

/* POST form (url-encoded) to target, with extra header lines or NULL. */
struct testhttp_answer testhttp_post(int port, const char *target,
    const char *form, const char *headers);

/*
 * Return the value of header name (any case) in an answer, or NULL. The
 * string is allocated; the caller frees it.
 */
char *testhttp_header(const struct testhttp_answer *a, const char *name);

#endif

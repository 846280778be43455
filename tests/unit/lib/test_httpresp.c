/*
 * test_httpresp.c - unit tests for a handler's answer (httpresp.c)
 *
 * A header added is copied, so the caller's strings may change or go
 * after; headers past HTTP_HEADERS_MAX are dropped with a line in the
 * log, the first ones kept; clearing frees the body and headers (run
 * under valgrind: make check-valgrind) and leaves an empty answer that
 * may be filled again.
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "httpresp.h"
#include "testlog.h"
#include "xmalloc.h"

/* Return 1 if every byte of resp is zero. */
static int
test_httpresp_zero(const struct http_response *resp)
{
	const unsigned char	*p = (const unsigned char *)resp;
	size_t			 i;

	for (i = 0; i < sizeof *resp; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

/* A header's name and value are copies, not the caller's strings. */
static void
test_httpresp_copies(void **state)
{
	struct http_response	 resp;
	char			 name[32], value[64];
	char			*heap;

	(void)state;
	memset(&resp, 0, sizeof resp);
	snprintf(name, sizeof name, "Location");
	snprintf(value, sizeof value, "/find?sr=1");
	httpresp_header(&resp, name, value);
	heap = xstrdup("closeloop=ab12; Path=/");
	httpresp_header(&resp, "Set-Cookie", heap);
	/* The caller's strings change and go. */
	memset(name, 'X', sizeof name - 1);
	memset(value, 'Y', sizeof value - 1);
	memset(heap, 'Z', strlen(heap));
	free(heap);
	assert_int_equal(resp.nheaders, 2);
	assert_ptr_not_equal(resp.headers[0].name, name);
	assert_ptr_not_equal(resp.headers[0].value, value);
	assert_string_equal(resp.headers[0].name, "Location");
	assert_string_equal(resp.headers[0].value, "/find?sr=1");
	assert_string_equal(resp.headers[1].name, "Set-Cookie");
	assert_string_equal(resp.headers[1].value, "closeloop=ab12; Path=/");
	/* An empty value is a header still. */
	httpresp_header(&resp, "X-Empty", "");
	assert_int_equal(resp.nheaders, 3);
	assert_string_equal(resp.headers[2].value, "");
	httpresp_clear(&resp);
}

/* Past HTTP_HEADERS_MAX a header is dropped and logged; none is lost. */
static void
test_httpresp_too_many(void **state)
{
	struct http_response	 resp;
	struct testlog		 log;
	char			 name[32], value[32], *out;
	size_t			 i;

	(void)state;
	memset(&resp, 0, sizeof resp);
	for (i = 0; i < HTTP_HEADERS_MAX; i++) {
		snprintf(name, sizeof name, "X-H%zu", i);
		snprintf(value, sizeof value, "v%zu", i);
		httpresp_header(&resp, name, value);
	}
	assert_int_equal(resp.nheaders, HTTP_HEADERS_MAX);
	testlog_start(&log);
	httpresp_header(&resp, "X-Extra", "dropped");
	httpresp_header(&resp, "X-Extra2", "dropped too");
	out = testlog_stop(&log);
	assert_int_equal(resp.nheaders, HTTP_HEADERS_MAX);
	assert_non_null(strstr(out, "more than 16 headers, X-Extra dropped"));
	assert_non_null(strstr(out, "more than 16 headers, X-Extra2 dropped"));
	assert_null(strstr(out, "dropped too"));	/* the value stays out */
	free(out);
	for (i = 0; i < HTTP_HEADERS_MAX; i++) {
		snprintf(name, sizeof name, "X-H%zu", i);
		snprintf(value, sizeof value, "v%zu", i);
		assert_string_equal(resp.headers[i].name, name);
		assert_string_equal(resp.headers[i].value, value);
	}
	httpresp_clear(&resp);
	assert_true(test_httpresp_zero(&resp));
}

/* Clearing frees what the answer holds and zeroes it; it may be reused. */
static void
test_httpresp_clear(void **state)
{
	struct http_response	 resp;

	(void)state;
	memset(&resp, 0, sizeof resp);
	resp.status = 404;
	resp.content_type = "text/html; charset=utf-8";
	resp.body = xstrdup("<p>Not found</p>");
	resp.body_len = 16;
	httpresp_header(&resp, "X-Frame-Options", "DENY");
	httpresp_header(&resp, "Referrer-Policy", "same-origin");
	httpresp_clear(&resp);
	assert_true(test_httpresp_zero(&resp));
	/* Cleared again, or never filled: nothing happens. */
	httpresp_clear(&resp);
	assert_true(test_httpresp_zero(&resp));
	/* Filled again after a clear, as new. */
	httpresp_header(&resp, "Location", "/signin");
	assert_int_equal(resp.nheaders, 1);
	assert_string_equal(resp.headers[0].value, "/signin");
	resp.body = xstrdup("again");
	httpresp_clear(&resp);
	assert_true(test_httpresp_zero(&resp));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_httpresp_copies),
		cmocka_unit_test(test_httpresp_too_many),
		cmocka_unit_test(test_httpresp_clear),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

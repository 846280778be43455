/*
 * test_inbound.c - unit tests for residents' text messages (inbound.c,
 * optout.c)
 *
 * The keyword table is checked word by word. The rest runs against a
 * private redis-server and closeloopd's real listener (testlisten.h):
 * the tests send what Kannel's sms-service and a Twilio-style webhook
 * send, byte for byte, and check what a resident would get back and
 * what an operator would find: the opt-out, the events published for
 * exactly the phone's SRs, those SRs' states once the pipeline has
 * applied them, and an SMS not sent to an opted-out phone; and a STOP
 * taken at once while other clients hold connections open on purpose.
 */
#include "build.h"

#include <ctype.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "catalog.h"
#include "channel.h"
#include "claim.h"
#include "config.h"
#include "digest.h"
#include "event.h"
#include "inbound.h"
#include "log.h"
#include "clock.h"
#include "optout.h"
#include "outbox.h"
#include "outcome.h"
#include "redis.h"
#include "render.h"
#include "store.h"
#include "testhttp.h"
#include "testlisten.h"
#include "testlog.h"
#include "testserver.h"
#include "testslow.h"
#include "xmalloc.h"

#define KEY	"in-k3y-7f1c"
#define P	"+14165550102"
#define Q	"+14165550177"
/* P's SRs, as STOP and START find them. */
static const char *const A12[] = { "A-1", "A-2" };

#define CITIES	"city = { en = \"City of Toronto\"; fr = \"Ville de Toronto\"; " \
	"pt = \"Prefeitura de Toronto\"; };"

static struct testserver ts;

/* One test's listener and template set. */
struct test_inbound {
	struct testlisten	 l;
	struct catalog		*cat;
};

/* Start the listener with the inbound key (unless keyless) and cities. */
static void
test_inbound_open(struct test_inbound *t, const char *cities, int keyless)
{
	char	*path, *extra;

	path = testlisten_file(&ts, "inbound.key", KEY);
	extra = keyless ? xstrdup("") :
	    xasprintf("sms = { inbound_secret_file = \"%s\"; };", path);
	testlisten_open(&t->l, &ts, cities, extra);
	free(extra);
	free(path);
	t->cat = catalog_load(t->l.cf->templates_dir, "en", NULL);
	assert_non_null(t->cat);
}

/* Stop and free. */
static void
test_inbound_close(struct test_inbound *t)
{
	catalog_free(t->cat);
	testlisten_close(&t->l);
}

/* Percent-encode every byte but letters and digits (allocated). */
static char *
test_inbound_escape(const char *s)
{
	char	*out, *o;

	out = o = xmalloc(3 * strlen(s) + 1);
	for (; *s != '\0'; s++) {
		if (isalnum((unsigned char)*s))
			*o++ = *s;
		else
			o += sprintf(o, "%%%02X", (unsigned char)*s);
	}
	*o = '\0';
	return out;
}

/* Send what Kannel's get-url sends for a message from phone. */
static struct testhttp_answer
test_inbound_kannel(struct test_inbound *t, const char *phone,
    const char *text)
{
	struct testhttp_answer	 a;
	char			*from, *msg, *target;

	from = test_inbound_escape(phone);
	msg = test_inbound_escape(text);
	target = xasprintf("/inbound?from=%s&to=311&text=%s&token=" KEY, from,
	    msg);
	a = testhttp_get(t->l.port, target, NULL);
	free(target);
	free(msg);
	free(from);
	return a;
}

/* Assert a Kannel answer is 200 with reply NAME.sms in locale. */
static void
test_inbound_reply_is(struct test_inbound *t, struct testhttp_answer a,
    const char *locale, const char *name)
{
	char	*want;

	want = render_reply(t->l.cf, t->cat, locale, name, NULL, NULL);
	assert_non_null(want);
	assert_int_equal(a.status, 200);
	assert_string_equal(a.body, want);
	free(want);
	free(a.raw);
}

/* Assert that no phone has opted out. */
static void
test_inbound_no_optout(struct test_inbound *t)
{
	struct redis_reply	*reply;

	reply = testlisten_cmd(&t->l, "KEYS closeloop:optout:*");
	assert_int_equal(reply->elements, 0);
	redis_reply_free(reply);
}

/*
 * Subscribe P to A-1 (French, email as fallback) and A-2 (English), Q to
 * B-1, and P to C-1, which the CRM then unsubscribes.
 */
static void
test_inbound_setup(struct test_inbound *t, const char *a1_locale)
{
	char	*locale;

	locale = xasprintf("locale=%s", a1_locale);
	testlisten_xadd(&t->l, "type=subscribe", "sr=A-1", "phone=" P,
	    "email=ana@example.org", "channels=sms", locale, NULL);
	testlisten_xadd(&t->l, "type=subscribe", "sr=A-2", "phone=" P,
	    "locale=en", NULL);
	testlisten_xadd(&t->l, "type=subscribe", "sr=B-1", "phone=" Q, NULL);
	testlisten_xadd(&t->l, "type=subscribe", "sr=C-1", "phone=" P, NULL);
	testlisten_xadd(&t->l, "type=unsubscribe", "sr=C-1", "phone=" P,
	    "ts=2026-03-03T11:00:00Z", NULL);
	assert_int_equal(testlisten_drain(&t->l), 5);
	free(locale);
}

/* Assert whether SR sr's state has phone as an active SMS contact. */
static void
test_inbound_active(struct test_inbound *t, const char *sr,
    const char *phone, int active)
{
	char	*c = testlisten_contact(&t->l, sr, "sms", phone);

	assert_non_null(c);
	if (c[0] != (active ? '1' : '0'))
		fail_msg("SR %s: contact %s is \"%s\"", sr, phone, c);
	free(c);
}

/*
 * Assert the entries after id are one event of type for each SR of
 * srs (in order), from P, with fields of the phone's SMS; return their
 * event ids, by spaces (allocated).
 */
static char *
test_inbound_events(struct test_inbound *t, const char *id,
    const char *type, const char *const *srs, size_t n)
{
	struct redis_reply	*reply, *f;
	char			 hex[DIGEST_HEX_LEN + 1], *ids = xstrdup("");
	char			*prefix, *old;
	size_t			 i;

	optout_hash(P, hex);
	prefix = xasprintf("%s-sms-%.16s-", strcmp(type, "unsubscribe") == 0 ?
	    "stop" : "start", hex);
	reply = testlisten_after(&t->l, id);
	assert_int_equal(reply->elements, n);
	for (i = 0; i < n; i++) {
		f = reply->element[i]->element[1];
		assert_string_equal(redis_reply_field(f, "type"), type);
		assert_string_equal(redis_reply_field(f, "sr"), srs[i]);
		assert_string_equal(redis_reply_field(f, "phone"), P);
		assert_string_equal(redis_reply_field(f, "v"), "1");
		assert_string_equal(redis_reply_field(f, "x_closeloop_via"),
		    strcmp(type, "unsubscribe") == 0 ? "sms_stop" :
		    "sms_start");
		assert_int_equal(strncmp(redis_reply_field(f, "event_id"),
		    prefix, strlen(prefix)), 0);
		old = ids;
		ids = xasprintf("%s%s%s", old, *old != '\0' ? " " : "",
		    redis_reply_field(f, "event_id"));
		free(old);
	}
	redis_reply_free(reply);
	free(prefix);
	return ids;
}

/* P texts text; assert the reply is NAME.sms in locale. */
static void
test_inbound_say(struct test_inbound *t, const char *text,
    const char *locale, const char *name)
{
	test_inbound_reply_is(t, test_inbound_kannel(t, P, text), locale,
	    name);
}

/*
 * P texts text; assert the reply is NAME.sms ("stop" or "start") in
 * locale and that the events it published are those of
 * test_inbound_events() for srs; return their ids (allocated).
 */
static char *
test_inbound_said(struct test_inbound *t, const char *text,
    const char *locale, const char *name, const char *const *srs, size_t n)
{
	char	id[64];

	testlisten_last_id(&t->l, id);
	test_inbound_say(t, text, locale, name);
	return test_inbound_events(t, id, strcmp(name, "stop") == 0 ?
	    "unsubscribe" : "subscribe", srs, n);
}

/* Every keyword of every language, and what is not one. */
static void
test_keywords(void **state)
{
	static const struct {
		const char		*text;
		enum inbound_kind	 kind;
		const char		*locales;
	} cases[] = {
		{ "STOP", INBOUND_STOP, "en" },
		{ "stopall", INBOUND_STOP, "en" },
		{ "Unsubscribe", INBOUND_STOP, "en" },
		{ "cancel", INBOUND_STOP, "en" },
		{ "END", INBOUND_STOP, "en" },
		{ "quit", INBOUND_STOP, "en" },
		{ "ARRET", INBOUND_STOP, "fr" },
		{ "arrêt", INBOUND_STOP, "fr" },
		{ "ARRÊT", INBOUND_STOP, "fr" },
		{ "Arre\xcc\x82t", INBOUND_STOP, "fr" },	/* combining ^ */
		{ "PARAR", INBOUND_STOP, "es pt" },
		{ "baja", INBOUND_STOP, "es" },
		{ "Alto", INBOUND_STOP, "es" },
		{ "sair", INBOUND_STOP, "pt" },
		{ "لغو", INBOUND_STOP, "fa" },
		{ "توقف", INBOUND_STOP, "fa" },
		{ "退订", INBOUND_STOP, "zh-Hans" },
		{ "停止", INBOUND_STOP, "zh-Hans" },
		{ "td", INBOUND_STOP, "zh-Hans" },
		{ "\xef\xbc\xb4\xef\xbc\xa4", INBOUND_STOP, "zh-Hans" },
		{ " \t Stop \r\n", INBOUND_STOP, "en" },
		{ "\xe3\x80\x80退订", INBOUND_STOP, "zh-Hans" },
		{ "start", INBOUND_START, "en" },
		{ "UNSTOP", INBOUND_START, "en" },
		{ "Yes", INBOUND_START, "en" },
		{ "debut", INBOUND_START, "fr" },
		{ "début", INBOUND_START, "fr" },
		{ "DÉBUT", INBOUND_START, "fr" },
		{ "reprendre", INBOUND_START, "fr" },
		{ "alta", INBOUND_START, "es" },
		{ "Iniciar", INBOUND_START, "es pt" },
		{ "voltar", INBOUND_START, "pt" },
		{ "شروع", INBOUND_START, "fa" },
		{ "订阅", INBOUND_START, "zh-Hans" },
		{ "开始", INBOUND_START, "zh-Hans" },
		{ "help", INBOUND_HELP, "en" },
		{ "INFO", INBOUND_HELP, "en" },
		{ "aide", INBOUND_HELP, "fr" },
		{ "Ayuda", INBOUND_HELP, "es" },
		{ "ajuda", INBOUND_HELP, "pt" },
		{ "راهنما", INBOUND_HELP, "fa" },
		{ "帮助", INBOUND_HELP, "zh-Hans" },
		{ "", INBOUND_NONE, "" },
		{ "   ", INBOUND_NONE, "" },
		{ "stop please", INBOUND_NONE, "" },
		{ "STOPP", INBOUND_NONE, "" },
		{ "ARRETE", INBOUND_NONE, "" },
		{ "S T O P", INBOUND_NONE, "" },
		{ "hello", INBOUND_NONE, "" },
		{ "\xff", INBOUND_NONE, "" },
	};
	char	locales[64], *folded;
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (inbound_keyword(cases[i].text, locales, sizeof locales) !=
		    cases[i].kind || strcmp(locales, cases[i].locales) != 0)
			fail_msg("\"%s\": kind %d in \"%s\"", cases[i].text,
			    inbound_keyword(cases[i].text, locales,
			    sizeof locales), locales);
	}
	folded = inbound_fold("  Ça arrête\n");
	assert_string_equal(folded, "CA ARRETE");
	free(folded);
	folded = inbound_fold("\xef\xbc\xb3\xef\xbc\xb4\xef\xbc\xaf\xef\xbc\xb0");
	assert_string_equal(folded, "STOP");
	free(folded);
	assert_null(inbound_fold("caf\xc3"));
	folded = xmalloc(200);
	memset(folded, 'A', 199);
	folded[199] = '\0';
	assert_null(inbound_fold(folded));
	assert_int_equal(inbound_keyword(folded, locales, sizeof locales),
	    INBOUND_NONE);
	free(folded);
}

/* HELP is answered in its language and writes nothing. */
static void
test_help(void **state)
{
	static const struct {
		const char	*word, *locale;
	} words[] = {
		{ "HELP", "en" }, { "info", "en" }, { "Aide", "fr" },
		{ "AYUDA", "es" }, { "ajuda", "pt" }, { "راهنما", "fa" },
		{ "帮助", "zh-Hans" },
	};
	struct test_inbound	 t;
	struct testhttp_answer	 a;
	char			*coding;
	size_t			 i;

	(void)state;
	test_inbound_open(&t, CITIES, 0);
	for (i = 0; i < sizeof words / sizeof words[0]; i++) {
		a = test_inbound_kannel(&t, P, words[i].word);
		coding = testhttp_header(&a, "X-Kannel-Coding");
		/* Persian and Chinese go as UCS-2, the others as GSM-7. */
		if (strcmp(words[i].locale, "fa") == 0 ||
		    strcmp(words[i].locale, "zh-Hans") == 0)
			assert_string_equal(coding, "2");
		else
			assert_null(coding);
		free(coding);
		test_inbound_reply_is(&t, a, words[i].locale, "help");
	}
	assert_int_equal(testlisten_int(&t.l, "DBSIZE"), 0);
	test_inbound_close(&t);
}

/*
 * STOP: the opt-out, and an unsubscribe event for exactly the SRs the
 * phone is subscribed to; a repeated STOP adds nothing.
 */
static void
test_stop(void **state)
{
	struct test_inbound	 t;
	struct redis_reply	*keys;
	char			*ids, *again, *key, *v, *at;
	size_t			 i;
	int64_t			 now;

	(void)state;
	test_inbound_open(&t, CITIES, 0);
	test_inbound_setup(&t, "fr");
	now = clock_now();
	ids = test_inbound_said(&t, "arrêt", "fr", "stop", A12, 2);
	key = optout_key(t.l.cf, P);
	at = testlisten_hget(&t.l, key, "at");
	assert_non_null(at);
	assert_true(strtoll(at, NULL, 10) >= now &&
	    strtoll(at, NULL, 10) <= clock_now());
	v = testlisten_hget(&t.l, key, "keyword");
	assert_string_equal(v, "ARRET");
	free(v);
	/* No key names the number; the index holds P's three SRs. */
	keys = testlisten_cmd(&t.l, "KEYS *");
	for (i = 0; i < keys->elements; i++)
		assert_null(strstr(keys->element[i]->str, "5550102"));
	redis_reply_free(keys);
	v = optout_index_key(t.l.cf, P);
	assert_int_equal(testlisten_int(&t.l, "SCARD %s", v), 3);
	free(v);

	/* Said again before closeloopd read the first: the same events. */
	again = test_inbound_said(&t, "STOP", "en", "stop", A12, 2);
	assert_string_equal(again, ids);
	free(again);
	assert_int_equal(testlisten_drain(&t.l), 2);	/* 2 duplicates */
	test_inbound_active(&t, "A-1", P, 0);
	test_inbound_active(&t, "A-2", P, 0);
	test_inbound_active(&t, "B-1", Q, 1);
	v = testlisten_contact(&t.l, "C-1", "sms", P);
	assert_int_equal(strncmp(v, "0 1772535600000 ", 16), 0);
	free(v);
	v = testlisten_audit(&t.l, "A-1", "unsubscribed", "events");
	assert_non_null(v);
	assert_non_null(strstr(ids, v));
	free(v);
	v = testlisten_audit(&t.l, "A-2", "unsubscribed", "detail");
	assert_non_null(strstr(v, "+1416***0102"));
	assert_null(strstr(v, "5550102"));
	free(v);

	/* Once applied, STOP again publishes nothing and keeps the time. */
	free(test_inbound_said(&t, "Stop", "en", "stop", NULL, 0));
	v = testlisten_hget(&t.l, key, "at");
	assert_string_equal(v, at);
	free(v);
	free(at);
	free(key);
	free(ids);
	test_inbound_close(&t);
}

/*
 * START brings back what STOP turned off - with its locale and fallback
 * - and not what the CRM had; a new STOP after it is a new change.
 */
static void
test_start(void **state)
{
	struct test_inbound	 t;
	char			*stop_ids, *ids, *key, *v;

	(void)state;
	test_inbound_open(&t, CITIES, 0);
	test_inbound_setup(&t, "fr");
	/* START before any STOP changes nothing. */
	free(test_inbound_said(&t, "start", "en", "start", NULL, 0));
	stop_ids = test_inbound_said(&t, "ARRET", "fr", "stop", A12, 2);
	assert_int_equal(testlisten_drain(&t.l), 2);
	free(test_inbound_said(&t, "Début", "fr", "start", A12, 2));
	key = optout_key(t.l.cf, P);
	assert_int_equal(testlisten_int(&t.l, "EXISTS %s", key), 0);
	free(key);
	assert_int_equal(testlisten_drain(&t.l), 2);
	v = testlisten_contact(&t.l, "A-1", "sms", P);
	assert_int_equal(strncmp(v, "1 ", 2), 0);
	assert_non_null(strstr(v, " fr - ana@example.org"));
	free(v);
	v = testlisten_contact(&t.l, "A-2", "sms", P);
	assert_int_equal(strncmp(v, "1 ", 2), 0);
	assert_non_null(strstr(v, " en -"));
	free(v);
	test_inbound_active(&t, "C-1", P, 0);	/* the CRM's choice stays */
	assert_null(testlisten_contact(&t.l, "A-1", "email",
	    "ana@example.org"));

	/* START again: nothing more. */
	free(test_inbound_said(&t, "UNSTOP", "en", "start", NULL, 0));
	/* A STOP after the START is a change of its own, not a duplicate. */
	ids = test_inbound_said(&t, "quit", "en", "stop", A12, 2);
	assert_string_not_equal(ids, stop_ids);
	assert_int_equal(testlisten_drain(&t.l), 2);
	test_inbound_active(&t, "A-1", P, 0);
	free(ids);
	free(stop_ids);
	test_inbound_close(&t);
}

/* A word of two languages is answered in the phone's, else the default. */
static void
test_shared_words(void **state)
{
	struct test_inbound	t;

	(void)state;
	test_inbound_open(&t, CITIES, 0);
	test_inbound_setup(&t, "pt");
	test_inbound_say(&t, "parar", "pt", "stop");
	assert_int_equal(testlisten_drain(&t.l), 2);
	test_inbound_say(&t, "INICIAR", "pt", "start");
	/* A phone closeloop knows nothing of. */
	test_inbound_reply_is(&t, test_inbound_kannel(&t, "+5511987654321",
	    "Parar"), "en", "stop");
	/* A word of one language is answered in it, whatever the phone's. */
	test_inbound_say(&t, "sair", "pt", "stop");
	test_inbound_say(&t, "baja", "es", "stop");
	test_inbound_close(&t);
}

/* Without the key nothing changes; the header does as well as the URL. */
static void
test_forged(void **state)
{
	static const char	*targets[] = {
		"/inbound?from=%2B14165550102&text=STOP&token=in-k3y-7f1d",
		"/inbound?from=%2B14165550102&text=STOP&token=",
		"/inbound?from=%2B14165550102&text=STOP",
		"/inbound?from=%2B14165550102&text=STOP&token=" KEY "x",
	};
	struct test_inbound	 t;
	struct testhttp_answer	 a;
	char			 before[64];
	size_t			 i;

	(void)state;
	test_inbound_open(&t, NULL, 0);
	test_inbound_setup(&t, "fr");
	testlisten_last_id(&t.l, before);
	for (i = 0; i < sizeof targets / sizeof targets[0]; i++) {
		a = testhttp_get(t.l.port, targets[i], NULL);
		assert_int_equal(a.status, 403);
		free(a.raw);
	}
	a = testhttp_get(t.l.port, targets[2], "X-Closeloop-Secret: nope\r\n");
	assert_int_equal(a.status, 403);
	free(a.raw);
	a = testhttp_post(t.l.port, "/inbound", "From=%2B14165550102&Body="
	    "STOP&token=in-k3y-7f1d", NULL);
	assert_int_equal(a.status, 403);
	free(a.raw);
	free(test_inbound_events(&t, before, "unsubscribe", NULL, 0));
	test_inbound_active(&t, "A-1", P, 1);
	test_inbound_no_optout(&t);

	/* A bad sender is refused; the key in a header will do. */
	a = testhttp_get(t.l.port, "/inbound?from=abc&text=STOP&token=" KEY,
	    NULL);
	assert_int_equal(a.status, 400);
	free(a.raw);
	a = testhttp_get(t.l.port, targets[2], "X-Closeloop-Secret: " KEY
	    "\r\n");
	test_inbound_reply_is(&t, a, "en", "stop");
	free(test_inbound_events(&t, before, "unsubscribe", A12, 2));
	test_inbound_close(&t);

	/* Without sms.inbound_secret_file, /inbound takes nothing. */
	test_inbound_open(&t, NULL, 1);
	a = testhttp_get(t.l.port, "/inbound?from=%2B14165550102&text=HELP&"
	    "token=" KEY, NULL);
	assert_int_equal(a.status, 403);
	free(a.raw);
	test_inbound_close(&t);
}

/* The webhook's form gets TwiML, escaped; other text gets no reply. */
static void
test_twilio(void **state)
{
	struct test_inbound	 t;
	struct testhttp_answer	 a;
	char			*type, *want, before[64];
	long long		 keys;

	(void)state;
	test_inbound_open(&t, "city = \"Town & <Co> O'Hara\";", 0);
	test_inbound_setup(&t, "fr");
	testlisten_last_id(&t.l, before);
	a = testhttp_post(t.l.port, "/inbound?token=" KEY, "ToCountry=CA&"
	    "Body=Stop&From=%2B14165550102&To=%2B14165550311&"
	    "MessageSid=SM0123456789abcdef&NumMedia=0", NULL);
	assert_int_equal(a.status, 200);
	type = testhttp_header(&a, "Content-Type");
	assert_string_equal(type, "application/xml; charset=utf-8");
	free(type);
	want = xasprintf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<Response><Message>Town &amp; &lt;Co&gt; O&#39;Hara: You will "
	    "get no more text messages from us. To get them again, reply "
	    "START.</Message></Response>\n");
	assert_string_equal(a.body, want);
	free(want);
	free(a.raw);
	free(test_inbound_events(&t, before, "unsubscribe", A12, 2));

	/* Any other text: no reply, no change. */
	testlisten_last_id(&t.l, before);
	keys = testlisten_int(&t.l, "DBSIZE");
	a = testhttp_post(t.l.port, "/inbound?token=" KEY, "From=%2B"
	    "14165550177&Body=Is+the+pothole+fixed%3F", NULL);
	assert_int_equal(a.status, 200);
	assert_string_equal(a.body, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	    "\n<Response></Response>\n");
	free(a.raw);
	a = test_inbound_kannel(&t, Q, "Is the pothole fixed?");
	assert_int_equal(a.status, 200);
	assert_string_equal(a.body, "");
	free(a.raw);
	free(test_inbound_events(&t, before, "unsubscribe", NULL, 0));
	assert_int_equal(testlisten_int(&t.l, "DBSIZE"), keys);
	test_inbound_close(&t);
}

/*
 * An SMS to an opted-out phone is not sent - even about an SR it was
 * subscribed to after the STOP - and the trail says why; others are.
 */
static void
test_delivery(void **state)
{
	struct test_inbound	  t;
	struct outbox_item	**items;
	struct send_result	  res;
	char			 *cause = NULL, *v, *key;
	size_t			  n, i, stopped = 0;
	int64_t			  next;

	(void)state;
	test_inbound_open(&t, NULL, 0);
	test_inbound_setup(&t, "fr");
	test_inbound_say(&t, "STOP", "en", "stop");
	assert_int_equal(testlisten_drain(&t.l), 2);
	testlisten_xadd(&t.l, "type=subscribe", "sr=D-1", "phone=" P, NULL);
	testlisten_xadd(&t.l, "type=status", "sr=D-1", "division=TW",
	    "status=received", NULL);
	testlisten_xadd(&t.l, "type=status", "sr=B-1", "division=TW",
	    "status=received", NULL);
	assert_int_equal(testlisten_drain(&t.l), 3);
	/* The index knows D-1 too: a second STOP would reach it. */
	key = optout_index_key(t.l.cf, P);
	assert_int_equal(testlisten_int(&t.l, "SISMEMBER %s D-1", key), 1);
	assert_true(testlisten_int(&t.l, "TTL %s", key) > 86400);
	free(key);

	assert_int_equal(claim_take(t.l.r, t.l.cf, EVENT_CHANNEL_SMS, "t",
	    clock_now(), 10, &items, &n, &next, &cause), 0);
	assert_int_equal(n, 2);
	for (i = 0; i < n; i++) {
		memset(&res, 0, sizeof res);
		if (strcmp(outbox_field(items[i], "to"), P) == 0) {
			assert_true(items[i]->unsubscribed);
			assert_true(items[i]->optout);
			stopped++;
		} else {
			assert_false(items[i]->unsubscribed);
			channel_result(&res, SEND_OK, "0: Accepted");
		}
		assert_int_equal(outcome_write(t.l.r, t.l.cf, items[i], &res,
		    NULL, 0, clock_now(), &cause), 0);
		channel_result_clear(&res);
		outbox_item_free(items[i]);
	}
	free(items);
	assert_int_equal(stopped, 1);
	v = testlisten_hget(&t.l, "closeloop:sr:{D-1}:n:1/0", "state");
	assert_string_equal(v, "unsubscribed");
	free(v);
	v = testlisten_audit(&t.l, "D-1", "unsubscribed", "rule");
	assert_string_equal(v, "sms_stop");
	free(v);
	v = testlisten_audit(&t.l, "D-1", "unsubscribed", "to");
	assert_string_equal(v, "+1416***0102");
	free(v);
	assert_null(testlisten_audit(&t.l, "D-1", "sent", "to"));
	v = testlisten_audit(&t.l, "B-1", "sent", "to");
	assert_string_equal(v, "+1416***0177");
	free(v);
	test_inbound_close(&t);
}

/* Read what the daemon logged while fn ran, at debug level. */
static char *
test_inbound_logged(void (*fn)(struct test_inbound *), struct test_inbound *t)
{
	struct testlog	log;

	testlog_start(&log);
	log_set_level(LOG_LEVEL_DEBUG);
	fn(t);
	log_set_level(LOG_LEVEL_ERR);
	return testlog_stop(&log);
}

/* Send some text that is no keyword, then a STOP. */
static void
test_inbound_chatter(struct test_inbound *t)
{
	struct testhttp_answer	a;

	a = test_inbound_kannel(t, P, "Thanks! When will it be fixed?");
	assert_int_equal(a.status, 200);
	free(a.raw);
	a = test_inbound_kannel(t, P, "STOP");
	assert_int_equal(a.status, 200);
	free(a.raw);
}

/* What is logged shows the number masked, never whole. */
static void
test_logs(void **state)
{
	struct test_inbound	 t;
	char			*log;

	(void)state;
	test_inbound_open(&t, NULL, 0);
	test_inbound_setup(&t, "fr");
	log = test_inbound_logged(test_inbound_chatter, &t);
	assert_non_null(strstr(log, "<7>inbound SMS from +1416***0102: not a "
	    "keyword; no reply\n"));
	assert_non_null(strstr(log, "<5>+1416***0102 texted STOP: opted out "
	    "of every SMS; unsubscribed for 2 SRs A-1 A-2\n"));
	assert_null(strstr(log, "5550102"));
	assert_null(strstr(log, "When will it"));
	free(log);
	test_inbound_close(&t);
}

/*
 * 100 connections from 127.0.0.2 that send a header line every half
 * second and never end their request - opened again as soon as the
 * listener cuts them off - keep neither /healthz nor a resident's STOP
 * from being answered within a second, for as long as they last.
 */
static void
test_slow_clients(void **state)
{
	struct test_inbound	 t;
	struct testhttp_answer	 a;
	struct testslow		*s;
	int64_t			 start, t0;
	char			*key, *v;
	int			 probes = 0;

	(void)state;
	test_inbound_open(&t, CITIES, 0);
	test_inbound_setup(&t, "fr");
	s = testslow_open(t.l.port, "127.0.0.2", 100, 0);
	start = clock_ms();
	while (clock_ms() - start < 7000) {	/* past their deadline */
		usleep(500000);
		testslow_tick(s);
		testslow_reopen(s);
		t0 = clock_ms();
		a = testhttp_get(t.l.port, "/healthz", NULL);
		testslow_prompt("/healthz", t0);
		assert_true(a.status == 200 || a.status == 503);
		free(a.raw);
		if (probes++ == 2) {
			t0 = clock_ms();
			a = test_inbound_kannel(&t, P, "STOP");
			testslow_prompt("/inbound", t0);
			test_inbound_reply_is(&t, a, "en", "stop");
		}
	}
	assert_true(probes >= 10);
	/* The listener cut them off on time and answered 408. */
	assert_true(testslow_answered(s, 408) >= 32);
	testslow_close(s);
	key = optout_key(t.l.cf, P);
	v = testlisten_hget(&t.l, key, "keyword");
	assert_non_null(v);
	assert_string_equal(v, "STOP");
	free(v);
	free(key);
	test_inbound_close(&t);
}

/* Start the server, run the tests, stop it. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keywords),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_start),
		cmocka_unit_test(test_shared_words),
		cmocka_unit_test(test_forged),
		cmocka_unit_test(test_twilio),
		cmocka_unit_test(test_delivery),
		cmocka_unit_test(test_logs),
		cmocka_unit_test(test_slow_clients),
	};

	return testlisten_run(&ts, "inbound", tests,
	    sizeof tests / sizeof tests[0]);
}

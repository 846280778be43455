/*
 * test_inbound.c - unit tests for residents' text messages (inbound.c,
 * keyword.c, optout.c, and the answers of answered.c)
 *
 * The table of words is checked word by word, and the answers to "is it
 * fixed?" against the words gateways keep for themselves. The rest runs against a
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
#include "ask.h"
#include "inbound.h"
#include "keyword.h"
#include "log.h"
#include "clock.h"
#include "optout.h"
#include "outbox.h"
#include "outcome.h"
#include "question.h"
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

/*
 * Start the listener with the inbound key (unless keyless), cities and
 * more of the configuration (or NULL).
 */
static void
test_inbound_open_keyed(struct test_inbound *t, const char *cities,
    int keyless, const char *more)
{
	char	*path, *extra;

	path = testlisten_file(&ts, "inbound.key", KEY);
	extra = xasprintf("%s%s%s%s", keyless ? "" :
	    "sms = { inbound_secret_file = \"", keyless ? "" : path,
	    keyless ? "" : "\"; };\n", more != NULL ? more : "");
	testlisten_open(&t->l, &ts, cities, extra);
	free(extra);
	free(path);
	t->cat = catalog_load(t->l.cf->templates_dir, "en", NULL);
	assert_non_null(t->cat);
}

/* Start the listener with the inbound key (unless keyless) and cities. */
static void
test_inbound_open(struct test_inbound *t, const char *cities, int keyless)
{
	test_inbound_open_keyed(t, cities, keyless, NULL);
}

/* Start the listener with the inbound key, cities and more settings. */
static void
test_inbound_open_with(struct test_inbound *t, const char *cities,
    const char *more)
{
	test_inbound_open_keyed(t, cities, 0, more);
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

/* The languages of the shipped template set. */
static const char *const test_inbound_locales[] = {
	"en", "fr", "es", "pt", "fa", "zh-Hans"
};

/*
 * The answers to "is it fixed?": every word of the table folds to
 * itself alone (no word is two kinds, none is a keyword nor a word a
 * gateway or carrier keeps), every language has a word for each
 * answer, and a message is read as its answer and its comment.
 */
static void
test_answer_words(void **state)
{
	static const struct {
		const char		*text;
		enum keyword_kind	 kind;
		const char		*rest;
	} cases[] = {
		{ "1", KEYWORD_FIXED, NULL },
		{ " 1 ", KEYWORD_FIXED, NULL },
		{ "\xef\xbc\x91", KEYWORD_FIXED, NULL },	/* full-width */
		{ "۱", KEYWORD_FIXED, NULL },
		{ "Fixed, thanks!", KEYWORD_FIXED, "thanks!" },
		{ "réglé", KEYWORD_FIXED, NULL },
		{ "REGLE", KEYWORD_FIXED, NULL },
		{ "2 the pothole is still there", KEYWORD_NOT_FIXED,
		    "the pothole is still there" },
		{ "NO - the pothole is still there", KEYWORD_NOT_FIXED,
		    "the pothole is still there" },
		{ "No \xe2\x80\x94 the pothole is still there",
		    KEYWORD_NOT_FIXED, "the pothole is still there" },
		{ "no", KEYWORD_NOT_FIXED, NULL },
		{ "Non, toujours là", KEYWORD_NOT_FIXED, "toujours là" },
		{ "pas réglé du tout", KEYWORD_NOT_FIXED, "du tout" },
		{ "não resolvido ainda", KEYWORD_NOT_FIXED, "ainda" },
		{ "continua", KEYWORD_NOT_FIXED, NULL },
		{ "۲ هنوز هست", KEYWORD_NOT_FIXED, "هنوز هست" },
		{ "برطرف نشد", KEYWORD_NOT_FIXED, NULL },
		{ "没有，坑还在", KEYWORD_NOT_FIXED, "坑还在" },
		{ "没有解决", KEYWORD_NOT_FIXED, NULL },
		{ "2没修好", KEYWORD_NOT_FIXED, "没修好" },
		{ "3. Only one side", KEYWORD_PARTLY, "Only one side" },
		{ "partly", KEYWORD_PARTLY, NULL },
		{ "en partie seulement", KEYWORD_PARTLY, "seulement" },
		{ "部分解决了", KEYWORD_PARTLY, "了" },
		{ "تا حدی", KEYWORD_PARTLY, NULL },
		{ "10", KEYWORD_NONE, NULL },
		{ "1st of May", KEYWORD_NONE, NULL },
		{ "NOTHING WAS DONE", KEYWORD_NONE, NULL },
		{ "Nobody came", KEYWORD_NONE, NULL },
		{ "hello", KEYWORD_NONE, NULL },
		{ "STOP", KEYWORD_NONE, NULL },
		{ "YES", KEYWORD_NONE, NULL },
		{ "", KEYWORD_NONE, NULL },
		{ "\xff", KEYWORD_NONE, NULL },
	};
	enum keyword_kind	 kind, other;
	const char		*word, *locale, *rest;
	char			*folded, *f2, locales[64];
	size_t			 i, j, l;
	int			 k, has;

	(void)state;
	for (i = 0; i < keyword_count(); i++) {
		word = keyword_word(i, &kind, &locale);
		if (kind < KEYWORD_FIXED)
			continue;
		folded = keyword_fold(word);
		assert_non_null(folded);
		if (keyword_find(word, locales, sizeof locales) != KEYWORD_NONE)
			fail_msg("answer \"%s\" is a keyword", word);
		if (keyword_reserved(word))
			fail_msg("answer \"%s\" is a gateway's word", word);
		for (j = 0; j < keyword_count(); j++) {
			f2 = keyword_fold(keyword_word(j, &other, NULL));
			if (strcmp(folded, f2) == 0 && other != kind)
				fail_msg("\"%s\" is two kinds", word);
			free(f2);
		}
		/* The word alone, with a comment, reads as itself. */
		assert_int_equal(keyword_answer(word, &rest, locales,
		    sizeof locales), kind);
		assert_null(rest);
		free(folded);
	}
	for (l = 0; l < sizeof test_inbound_locales /
	    sizeof test_inbound_locales[0]; l++) {
		for (k = KEYWORD_FIXED; k <= KEYWORD_PARTLY; k++) {
			has = 0;
			for (i = 0; i < keyword_count(); i++) {
				word = keyword_word(i, &kind, &locale);
				has |= (int)kind == k && strcmp(locale,
				    test_inbound_locales[l]) == 0;
			}
			if (!has)
				fail_msg("%s has no word for answer %d",
				    test_inbound_locales[l], k);
		}
	}
	assert_true(keyword_reserved("Yes"));
	assert_true(keyword_reserved("arrêt"));
	assert_true(keyword_reserved("unstop"));
	assert_false(keyword_reserved("2"));
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		kind = keyword_answer(cases[i].text, &rest, locales,
		    sizeof locales);
		if (kind != cases[i].kind || (cases[i].rest == NULL) !=
		    (rest == NULL) || (rest != NULL &&
		    strcmp(rest, cases[i].rest) != 0))
			fail_msg("\"%s\": kind %d, comment \"%s\"",
			    cases[i].text, kind, rest != NULL ? rest : "");
	}
	keyword_answer("no", &rest, locales, sizeof locales);
	assert_string_equal(locales, "en es");
}

/*
 * Ask phone the question about SR sr (subscribed in locale, told
 * "completed", the SMS sent): the question is due at once
 * (feedback.ask_after "0s").
 */
static void
test_inbound_asked(struct test_inbound *t, const char *sr, const char *phone,
    const char *locale)
{
	struct outbox_item	*it;
	struct send_result	 res;
	char			*arg[4], *id, *cause = NULL;
	size_t			 asked;

	arg[0] = xasprintf("sr=%s", sr);
	arg[1] = xasprintf("phone=%s", phone);
	arg[2] = xasprintf("locale=%s", locale);
	testlisten_xadd(&t->l, "type=subscribe", arg[0], arg[1], arg[2], NULL);
	testlisten_xadd(&t->l, "type=status", arg[0], "division=TW",
	    "status=closed", "reason=completed", "note=Done.", NULL);
	assert_int_equal(testlisten_drain(&t->l), 2);
	id = xasprintf("%s/1/0", sr);
	if ((it = outbox_item_read(t->l.r, t->l.cf, id, &cause)) == NULL)
		fail_msg("%s: %s", id, cause);
	memset(&res, 0, sizeof res);
	channel_result(&res, SEND_OK, "0: Accepted");
	assert_int_equal(outcome_write(t->l.r, t->l.cf, it, &res, NULL, 0,
	    clock_now(), &cause), 0);
	channel_result_clear(&res);
	outbox_item_free(it);
	assert_true(ask_run(t->l.cf, t->l.r, clock_now() + 1000, 10, &asked,
	    &cause) >= 1);
	assert_int_equal(asked, 1);
	free(id);
	free(arg[0]);
	free(arg[1]);
	free(arg[2]);
}

/*
 * phone texts text: assert the reply thanks for answer (a comment
 * alone if comment) in locale, or is none if answer is NULL.
 */
static void
test_inbound_thanked(struct test_inbound *t, const char *phone,
    const char *text, const char *locale, const char *answer, int comment)
{
	struct testhttp_answer	 a;
	char			*want;

	a = test_inbound_kannel(t, phone, text);
	assert_int_equal(a.status, 200);
	if (answer == NULL)
		assert_string_equal(a.body, "");
	else {
		want = render_thanks(t->l.cf, t->cat, locale, answer, comment,
		    NULL, NULL);
		assert_non_null(want);
		if (strcmp(a.body, want) != 0)
			fail_msg("\"%s\": the reply is \"%s\", not \"%s\"",
			    text, a.body, want);
		free(want);
	}
	free(a.raw);
}

/* Check the question of SR sr (sr/1/0): its answer and comment. */
static void
test_inbound_answer_is(struct test_inbound *t, const char *sr,
    const char *answer, const char *comment)
{
	char	*key, *v;

	key = xasprintf("closeloop:sr:{%s}:q:1/0", sr);
	v = testlisten_hget(&t->l, key, "answer");
	assert_non_null(v);
	assert_string_equal(v, answer);
	free(v);
	v = testlisten_hget(&t->l, key, "comment");
	if ((v == NULL) != (comment == NULL) || (v != NULL &&
	    strcmp(v, comment) != 0))
		fail_msg("%s: the comment is \"%s\"", key, v != NULL ? v :
		    "(none)");
	free(v);
	free(key);
	v = testlisten_audit(&t->l, sr, "answered", "answer");
	assert_non_null(v);
	assert_string_equal(v, answer);
	free(v);
}

/*
 * Answers by SMS to the question a phone was last asked, in French and
 * in Chinese: an answer with its comment, a comment after it, a later
 * answer replacing it, each thanked in the question's language; a text
 * after "fixed", or from a phone with no question, has no reply.
 */
static void
test_answers(void **state)
{
	struct test_inbound	 t;
	char			*v;

	(void)state;
	test_inbound_open_with(&t, CITIES, "feedback = { ask_after = \"0s\"; "
	    "};");
	test_inbound_asked(&t, "F-1", P, "fr");
	test_inbound_thanked(&t, P, "2 toujours là", "fr", "not_fixed", 0);
	test_inbound_answer_is(&t, "F-1", "not_fixed", "toujours là");
	test_inbound_thanked(&t, P, "sur le côté est", "fr", "not_fixed", 1);
	test_inbound_answer_is(&t, "F-1", "not_fixed",
	    "toujours là\nsur le côté est");
	test_inbound_thanked(&t, P, "Réglé", "fr", "fixed", 0);
	test_inbound_answer_is(&t, "F-1", "fixed", NULL);
	v = testlisten_audit(&t.l, "F-1", "answered", "previous");
	assert_non_null(v);
	assert_string_equal(v, "not_fixed");
	free(v);
	/* After "fixed", a text is no comment; STOP is still STOP. */
	test_inbound_thanked(&t, P, "merci", "fr", NULL, 0);
	test_inbound_answer_is(&t, "F-1", "fixed", NULL);
	/* A phone with no question open. */
	test_inbound_thanked(&t, Q, "1", "en", NULL, 0);
	/* In Chinese, the comment right after the word. */
	test_inbound_asked(&t, "G-1", Q, "zh-Hans");
	test_inbound_thanked(&t, Q, "没有，坑还在", "zh-Hans", "not_fixed", 0);
	test_inbound_answer_is(&t, "G-1", "not_fixed", "坑还在");
	test_inbound_thanked(&t, Q, "3", "zh-Hans", "partly", 0);
	test_inbound_answer_is(&t, "G-1", "partly", NULL);
	test_inbound_close(&t);
}

/* Every keyword of every language, and what is not one. */
static void
test_keywords(void **state)
{
	static const struct {
		const char		*text;
		enum keyword_kind	 kind;
		const char		*locales;
	} cases[] = {
		{ "STOP", KEYWORD_STOP, "en" },
		{ "stopall", KEYWORD_STOP, "en" },
		{ "Unsubscribe", KEYWORD_STOP, "en" },
		{ "cancel", KEYWORD_STOP, "en" },
		{ "END", KEYWORD_STOP, "en" },
		{ "quit", KEYWORD_STOP, "en" },
		{ "ARRET", KEYWORD_STOP, "fr" },
		{ "arrêt", KEYWORD_STOP, "fr" },
		{ "ARRÊT", KEYWORD_STOP, "fr" },
		{ "Arre\xcc\x82t", KEYWORD_STOP, "fr" },	/* combining ^ */
		{ "PARAR", KEYWORD_STOP, "es pt" },
		{ "baja", KEYWORD_STOP, "es" },
		{ "Alto", KEYWORD_STOP, "es" },
		{ "sair", KEYWORD_STOP, "pt" },
		{ "لغو", KEYWORD_STOP, "fa" },
		{ "توقف", KEYWORD_STOP, "fa" },
		{ "退订", KEYWORD_STOP, "zh-Hans" },
		{ "停止", KEYWORD_STOP, "zh-Hans" },
		{ "td", KEYWORD_STOP, "zh-Hans" },
		{ "\xef\xbc\xb4\xef\xbc\xa4", KEYWORD_STOP, "zh-Hans" },
		{ " \t Stop \r\n", KEYWORD_STOP, "en" },
		{ "\xe3\x80\x80退订", KEYWORD_STOP, "zh-Hans" },
		{ "start", KEYWORD_START, "en" },
		{ "UNSTOP", KEYWORD_START, "en" },
		{ "Yes", KEYWORD_START, "en" },
		{ "debut", KEYWORD_START, "fr" },
		{ "début", KEYWORD_START, "fr" },
		{ "DÉBUT", KEYWORD_START, "fr" },
		{ "reprendre", KEYWORD_START, "fr" },
		{ "alta", KEYWORD_START, "es" },
		{ "Iniciar", KEYWORD_START, "es pt" },
		{ "voltar", KEYWORD_START, "pt" },
		{ "شروع", KEYWORD_START, "fa" },
		{ "订阅", KEYWORD_START, "zh-Hans" },
		{ "开始", KEYWORD_START, "zh-Hans" },
		{ "help", KEYWORD_HELP, "en" },
		{ "INFO", KEYWORD_HELP, "en" },
		{ "aide", KEYWORD_HELP, "fr" },
		{ "Ayuda", KEYWORD_HELP, "es" },
		{ "ajuda", KEYWORD_HELP, "pt" },
		{ "راهنما", KEYWORD_HELP, "fa" },
		{ "帮助", KEYWORD_HELP, "zh-Hans" },
		{ "", KEYWORD_NONE, "" },
		{ "   ", KEYWORD_NONE, "" },
		{ "stop please", KEYWORD_NONE, "" },
		{ "STOPP", KEYWORD_NONE, "" },
		{ "ARRETE", KEYWORD_NONE, "" },
		{ "S T O P", KEYWORD_NONE, "" },
		{ "hello", KEYWORD_NONE, "" },
		{ "\xff", KEYWORD_NONE, "" },
	};
	char	locales[64], *folded;
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (keyword_find(cases[i].text, locales, sizeof locales) !=
		    cases[i].kind || strcmp(locales, cases[i].locales) != 0)
			fail_msg("\"%s\": kind %d in \"%s\"", cases[i].text,
			    keyword_find(cases[i].text, locales,
			    sizeof locales), locales);
	}
	folded = keyword_fold("  Ça arrête\n");
	assert_string_equal(folded, "CA ARRETE");
	free(folded);
	folded = keyword_fold("\xef\xbc\xb3\xef\xbc\xb4\xef\xbc\xaf\xef\xbc\xb0");
	assert_string_equal(folded, "STOP");
	free(folded);
	assert_null(keyword_fold("caf\xc3"));
	folded = xmalloc(200);
	memset(folded, 'A', 199);
	folded[199] = '\0';
	assert_null(keyword_fold(folded));
	assert_int_equal(keyword_find(folded, locales, sizeof locales),
	    KEYWORD_NONE);
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
		cmocka_unit_test(test_answer_words),
		cmocka_unit_test(test_answers),
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

/*
 * twilio.c - the SMS gateway dialect of a Twilio-like Messages resource
 *
 * A form POST to the Messages resource of an account:
 *   POST URL, basic auth SID:TOKEN, I-Twilio-Idempotency-Token: ID,
 *   To=T&From=F&Body=X[&StatusCallback=R]
 * answered by 201 {"sid": "SM...", "status": "queued", ...} or by an
 * error {"code": N, "message": "...", "status": N}. The reply is the
 * sid and status, or the error's code and message; the sid is kept as
 * the gateway's id for the message.
 */
#include "build.h"

#include <stddef.h>

#include "channel.h"
#include "json.h"
#include "twilio.h"
#include "smsdialect.h"
#include "xmalloc.h"

/* Build a request: a form POST with basic auth. */
static void
twilio_request(struct smsdialect_req *rq)
{
	smsdialect_param(rq, "To", rq->to);
	smsdialect_param(rq, "From", rq->from);
	smsdialect_param(rq, "Body", rq->text);
	if (rq->receipt_url != NULL)
		smsdialect_param(rq, "StatusCallback", rq->receipt_url);
	rq->post = 1;
	rq->basic_auth = 1;
	smsdialect_header(rq, "Accept: application/json");
	smsdialect_header(rq, "Expect:");
	if (rq->id != NULL)
		smsdialect_header(rq, "I-Twilio-Idempotency-Token: %s",
		    rq->id);
}

/* Return whether a sid looks like one: short, printable ASCII. */
static int
twilio_sid_ok(const char *sid)
{
	size_t	i;

	for (i = 0; sid[i] != '\0'; i++) {
		if (i >= 64 || sid[i] <= ' ' || sid[i] > '~')
			return 0;
	}
	return i > 0;
}

/*
 * Return the reply for a JSON answer (allocated), setting *sid for a
 * message sent; NULL if the answer is not such JSON.
 */
static char *
twilio_answer(long code, enum send_status st, const char *body, size_t len,
    char **sid)
{
	struct json	*j;
	const char	*id, *state, *msg;
	char		*text = NULL;
	long long	 err = 0;

	if (len == 0 || (j = json_parse(body, len, NULL)) == NULL)
		return NULL;
	id = json_get(j, "sid");
	state = json_get(j, "status");
	msg = json_get(j, "message");
	if (st == SEND_OK && id != NULL && twilio_sid_ok(id)) {
		*sid = xstrdup(id);
		text = xasprintf("HTTP %ld: %s %s", code, id,
		    state != NULL ? state : "");
	} else if (st != SEND_OK && msg != NULL) {
		(void)json_get_int(j, "code", &err);
		text = xasprintf("HTTP %ld: %lld %s", code, err, msg);
	}
	json_free(j);
	return text;
}

/* A Twilio-like answer is JSON: the sid and status, or the error. */
const struct smsdialect twilio_dialect = {
	"twilio",
	twilio_request,
	twilio_answer
};

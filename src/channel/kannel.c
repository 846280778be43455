/*
 * kannel.c - the SMS gateway dialect of Kannel's sendsms service
 *
 * A GET to smsbox's sendsms service, every value URL-escaped:
 *   URL?username=U&password=P&from=F&to=T&text=X&charset=UTF-8
 *       &coding=C[&dlr-mask=M&dlr-url=R&status=%d&answer=%A]
 * C is 0 (GSM-7) when segment_count() finds the text all in the GSM 03.38
 * alphabet, 2 (UCS-2) otherwise. Kannel answers 202 "0: Accepted for
 * delivery" or "3: Queued for later delivery", one line that is the
 * reply as it is, and gives no message id.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>

#include "segment.h"
#include "kannel.h"
#include "smsdialect.h"
#include "xmalloc.h"

/* Build a sendsms request: everything is in the URL. */
static void
kannel_request(struct smsdialect_req *rq)
{
	struct segment_info	 si;
	char			*dlr, mask[16];

	segment_count(rq->text, &si);
	smsdialect_param(rq, "username", rq->user);
	smsdialect_param(rq, "password", rq->password);
	smsdialect_param(rq, "from", rq->from);
	smsdialect_param(rq, "to", rq->to);
	smsdialect_param(rq, "text", rq->text);
	smsdialect_param(rq, "charset", "UTF-8");
	smsdialect_param(rq, "coding", si.encoding == SEGMENT_UCS2 ?
	    "2" : "0");
	if (rq->receipt_url != NULL) {
		snprintf(mask, sizeof mask, "%d", rq->dlr_mask);
		smsdialect_param(rq, "dlr-mask", mask);
		dlr = xasprintf("%s&status=%%d&answer=%%A", rq->receipt_url);
		smsdialect_param(rq, "dlr-url", dlr);
		free(dlr);
	}
}

/* Kannel's answer is one line of text, the reply as it is. */
const struct smsdialect kannel_dialect = {
	"kannel",
	kannel_request,
	NULL
};

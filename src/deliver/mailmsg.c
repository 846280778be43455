/*
 * mailmsg.c - the email of a notice, from what was rendered
 *
 * A message sent again after an interrupted attempt or a retry keeps
 * its Message-ID, since the id comes from the notification's, so that a
 * mail server or a resident's client can tell it is the same message.
 */
#include "build.h"

#include <string.h>

#include "config.h"
#include "log.h"
#include "mailmsg.h"
#include "mime.h"
#include "render.h"
#include "verp.h"
#include "xmalloc.h"

/* Return the Message-ID of a message; the caller frees it. */
char *
mailmsg_id(const struct config *cf, const char *id)
{
	const char	*domain = cf->email_from_addr != NULL ?
			    strrchr(cf->email_from_addr, '@') : NULL;
	char		*mid, *p;

	mid = xasprintf("<%s@%s>", id, domain != NULL ? domain + 1 :
	    "closeloop.invalid");
	for (p = mid; *p != '\0'; p++) {
		if (*p == '/')
			*p = '.';
	}
	return mid;
}

/* Return the envelope sender of a notification; the caller frees it. */
char *
mailmsg_sender(const struct config *cf, const char *id)
{
	char	*from;

	if (cf->email_bounce_address == NULL ||
	    cf->email_bounce_secret == NULL)
		return xstrdup(cf->email_from_addr);
	from = verp_address(cf->email_bounce_address, cf->email_bounce_secret,
	    strlen(cf->email_bounce_secret), id);
	if (from != NULL)
		return from;
	log_warn("email: %s: the id is too long for a local part of %d "
	    "octets in email.bounce_address; sent from %s, so its bounces "
	    "will not find it", id, VERP_LOCAL_MAX, cf->email_from_addr);
	return xstrdup(cf->email_from_addr);
}

/* Fill the fields of the message of a rendered notice. */
void
mailmsg_fill(const struct config *cf, const struct render_out *out,
    const char *to, const char *mid, int64_t date, struct mime_msg *mm)
{
	memset(mm, 0, sizeof *mm);
	mm->from_name = cf->email_from_name;
	mm->from_addr = cf->email_from_addr;
	mm->to_addr = to;
	mm->subject = out->subject;
	mm->text = out->text;
	mm->html = out->html;
	mm->message_id = mid;
	mm->list_unsubscribe = out->unsubscribe_url;	/* as in the text */
	mm->language = out->locale;
	mm->date = date;
}

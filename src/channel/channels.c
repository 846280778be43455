/*
 * channels.c - every channel, found by name
 *
 * A delivery worker asks for its channel by name: "mail" (mail.c, email
 * over SMTP), "sms" (sms.c, SMS through a gateway) or "null" (null.c,
 * nothing sent: a dry run). A new channel is a file beside them and a
 * line in this table.
 */
#include "build.h"

#include <stddef.h>
#include <string.h>

#include "channel.h"
#include "channels.h"
#include "mail.h"
#include "null.h"
#include "sms.h"

/* Every channel. */
static const struct channel *const channels_all[] = {
	&mail_channel,
	&null_channel,
	&sms_channel
};

/* Return the channel called name, or NULL. */
const struct channel *
channels_find(const char *name)
{
	size_t	i;

	for (i = 0; i < sizeof channels_all / sizeof channels_all[0]; i++) {
		if (strcmp(channels_all[i]->name, name) == 0)
			return channels_all[i];
	}
	return NULL;
}

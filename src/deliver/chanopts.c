/*
 * chanopts.c - a channel's options, from the configuration
 *
 * The settings were checked when the configuration was loaded
 * (confcheck.c): here they are only copied across, the STARTTLS policy
 * and the gateway's dialect turned from the configuration's names into
 * the channel's.
 */
#include "build.h"

#include <string.h>

#include "chanopts.h"
#include "config.h"
#include "mail.h"
#include "sms.h"

/* Fill the SMTP options from the configuration. */
void
chanopts_mail(const struct config *cf, struct mail_options *o)
{
	memset(o, 0, sizeof *o);
	o->host = cf->email_host;
	o->port = cf->email_port;
	o->tls = cf->email_starttls == CONFIG_TLS_OFF ? MAIL_TLS_OFF :
	    cf->email_starttls == CONFIG_TLS_OPPORTUNISTIC ?
	    MAIL_TLS_OPPORTUNISTIC : MAIL_TLS_REQUIRED;
	o->ca_file = cf->email_ca_file;
	o->user = cf->email_username;
	o->password = cf->email_password;
	o->helo = cf->email_helo;
	o->timeout_seconds = (int)cf->email_timeout_seconds;
}

/* Fill the gateway options from the configuration. */
void
chanopts_sms(const struct config *cf, struct sms_options *o)
{
	memset(o, 0, sizeof *o);
	o->profile = cf->sms_profile == CONFIG_SMS_TWILIO ? "twilio" :
	    "kannel";
	o->url = cf->sms_url;
	o->from = cf->sms_from;
	o->user = cf->sms_username;
	o->password = cf->sms_password;
	o->dlr_mask = (int)cf->sms_dlr_mask;
	o->allow_http_loopback = cf->sms_allow_http_loopback;
	o->ca_file = cf->sms_ca_file;
	o->connect_timeout_ms = 10000;
	o->timeout_ms = (int)cf->sms_timeout_seconds * 1000;
	o->max_connections = (int)cf->sms_connections;
}

/*
 * chanopts.h - a channel's options, from the configuration
 *
 * A channel (src/channel/) knows nothing of the configuration file: it
 * takes its own options struct. These fill them from the email.* and
 * sms.* settings, for the delivery workers and for a test send
 * (trysend.h) alike, so that a test goes out exactly as a notification
 * would. The options point into cf, secrets included (the passwords
 * read from email.password_file and sms.password_file when the
 * configuration was loaded): they live as long as cf and are never
 * printed.
 */
#ifndef CHANOPTS_H
#define CHANOPTS_H

struct config;
struct mail_options;
struct sms_options;

/* Fill the SMTP options of the mail channel from email.*. */
void chanopts_mail(const struct config *cf, struct mail_options *o);

/* Fill the gateway options of the SMS channel from sms.*. */
void chanopts_sms(const struct config *cf, struct sms_options *o);

#endif

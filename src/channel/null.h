/*
 * null.h - the channel that sends nothing, for dry runs and tests
 */
#ifndef NULL_H
#define NULL_H

/*
 * The null channel (channel.h), as channels_find() finds it by "null":
 * every message is answered SEND_OK with the reply "dry run", and
 * nothing leaves the machine.
 */
extern const struct channel null_channel;

#endif

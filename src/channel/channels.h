/*
 * channels.h - every channel, found by name
 *
 * The channels sit above channel.h, which they implement; this table
 * sits above them, so that nothing in src/channel/ forms a circle.
 */
#ifndef CHANNELS_H
#define CHANNELS_H

struct channel;

/* Return the channel called name ("mail", "sms", "null"), or NULL. */
const struct channel *channels_find(const char *name);

#endif

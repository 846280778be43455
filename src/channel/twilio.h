/*
 * twilio.h - the twilio dialect of the SMS channel: a Twilio-like Messages API
 */
#ifndef TWILIO_H
#define TWILIO_H

#include "smsdialect.h"

/* The dialect, as sms_dialect() finds it by the name "twilio". */
extern const struct smsdialect twilio_dialect;

#endif

/*
 * kannel.h - the kannel dialect of the SMS channel: Kannel's smsbox sendsms interface
 */
#ifndef KANNEL_H
#define KANNEL_H

#include "smsdialect.h"

/* The dialect, as sms_dialect() finds it by the name "kannel". */
extern const struct smsdialect kannel_dialect;

#endif

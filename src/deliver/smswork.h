/*
 * smswork.h - the worker that delivers SMS notifications
 */
#ifndef SMSWORK_H
#define SMSWORK_H

/*
 * The thread's main function; arg is the struct deliver. It claims due
 * SMS notifications as the gateway's rate allows, renders them and keeps
 * up to sms.connections requests in flight, writing each outcome as it
 * is known, until the engine stops.
 */
void *smswork_main(void *arg);

#endif

/*
 * mailwork.h - a worker that delivers email notifications
 */
#ifndef MAILWORK_H
#define MAILWORK_H

/*
 * The thread's main function; arg is the struct deliver. It claims due
 * email notifications, renders them, builds each message and sends them
 * over one SMTP session per batch, writing each outcome as it is known,
 * until the engine stops.
 */
void *mailwork_main(void *arg);

#endif

/*
 * findpage.h - the Find page: an SR by its number, a resident's SRs by
 * their address or number
 *
 * GET /find shows the forms. ?sr=NUMBER goes to the SR's timeline.
 * ?email=ADDRESS or ?phone=NUMBER looks the contact up in the keyed
 * index (lookup.h, srlist.h) and lists the resident's SRs, newest first:
 * the whole address or number only, as the resident gives it on the
 * phone; a part finds nothing. A division user sees only the SRs one of
 * their divisions has worked on. The contact is shown on this result,
 * and nowhere else in the console; it is never logged nor put in a link.
 */
#ifndef FINDPAGE_H
#define FINDPAGE_H

struct webreq;

/* GET /find. */
void findpage_show(struct webreq *q);

#endif

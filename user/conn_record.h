/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* conn_record.h - a connection record (--records connections) as a line or a JSON record. */
#ifndef CONN_RECORD_H
#define CONN_RECORD_H

#include "output.h"
#include "tcpstates.h"

/* One connection: text in the transition columns (path in REASON), or a "connection" record. */
void conn_write(struct output *o, const struct tcpstates_conn *c);

#endif

/* hub-store.h — the hub's storage: connections per thread and the operations of each part
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The hub keeps no state outside its database, so several hub processes may share one
 * PostgreSQL database. A HubStore opens one connection per thread on first use
 * (hub_store_db()), all on the same target. The operations of each part live in their own
 * file (hub-store-statements.c, hub-store-documents.c, hub-store-access.c,
 * hub-store-catalog.c) and are declared in that part's header.
 */
#pragma once

#include "hub-db.h"

G_BEGIN_DECLS

typedef struct _HubStore HubStore;

/* Opens (creating a SQLite data directory if needed) and migrates. */
HubStore    *hub_store_open       (const char  *target,
                                   GError     **error);
void         hub_store_free       (HubStore    *store);
const char  *hub_store_target     (HubStore    *store);
HubDbEngine  hub_store_engine     (HubStore    *store);
/* This thread's connection, opened on first use and closed when the thread ends or the
 * store is freed. */
HubDb       *hub_store_db         (HubStore    *store,
                                   GError     **error);
/* After each request, on the thread that ran it (the request runner does this): ends the
 * statement runs the handler left on this thread's connection (see hub_db_reset_all()) and
 * rolls back a transaction it left open (a bug, logged). Opens nothing. */
void         hub_store_release    (HubStore    *store);
/* A slot for a part of the hub to hang its own state on (e.g. the statements writer). */
gpointer     hub_store_get_part   (HubStore    *store,
                                   const char  *name);
void         hub_store_set_part   (HubStore    *store,
                                   const char  *name,
                                   gpointer     part,
                                   GDestroyNotify free_part);

/* Runs @func in a transaction on this thread's connection, retrying the whole transaction
 * a few times on HUB_DB_ERROR_BUSY. @func returns FALSE and sets @error to roll back. */
typedef gboolean (*HubStoreTxnFunc) (HubDb     *db,
                                     gpointer   user_data,
                                     GError   **error);
gboolean     hub_store_transaction (HubStore       *store,
                                    HubStoreTxnFunc func,
                                    gpointer        user_data,
                                    GError        **error);

/* Current time, microseconds since the epoch, UTC. */
gint64       hub_now_us           (void);
/* "2026-11-23T05:12:01.123456Z" (xAPI timestamps; microsecond precision, always UTC). */
char        *hub_format_time      (gint64       time_us);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HubStore, hub_store_free)

G_END_DECLS

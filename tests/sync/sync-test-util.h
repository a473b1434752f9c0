/* sync-test-util.h — PCs, a hub and a fault proxy for the sync suite's tests
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A "PC" is a data folder with its own store, driven through the core API the app and the
 * CLI use. The hub is a real shuyuan-hub process (tests/hub/hub-test-util.h).
 */
#pragma once

#include <sqlite3.h>

#include "hub-test-util.h"
#include "sy-store.h"
#include "sy-sync.h"

G_BEGIN_DECLS

/* the sample course the tests record on */
#define VD_COURSE "vd-hand-hygiene-cold-chain"

typedef struct
{
  char    *dir;
  SyStore *store;
} Pc;

Pc         *pc_new            (const char     *name);
void        pc_free           (Pc             *pc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Pc, pc_free)

/* a new enrolment code of @org (`shuyuan-hub enrol-code`) */
char       *enrol_code        (HubTestHub     *hub,
                               const char     *org);
/* enrols @pc at @url (the hub's, or a proxy's in front of it; NULL: the hub's) */
void        enrol             (Pc             *pc,
                               HubTestHub     *hub,
                               const char     *org);
void        enrol_at          (Pc             *pc,
                               HubTestHub     *hub,
                               const char     *url,
                               const char     *org);
void        publish_samples   (HubTestHub     *hub);
/* publishes a copy of a sample course with another id and @megabytes of random media;
 * returns its id */
char       *publish_large     (HubTestHub     *hub,
                               const char     *id,
                               guint           megabytes);
void        install_sample    (Pc             *pc,
                               const char     *folder);
char       *add_learner       (Pc             *pc,
                               const char     *name);
char       *record            (Pc             *pc,
                               const char     *learner,
                               const char     *item,
                               SyVerb          verb,
                               double          seconds,
                               double          score);
/* adds @n statements of @learner to the outbox at once (as an import does); returns
 * their ids */
GPtrArray  *add_statements    (Pc             *pc,
                               const char     *learner,
                               guint           n);
GPtrArray  *course_items      (Pc             *pc);
sqlite3    *open_db           (Pc             *pc);
char       *dump_projections  (Pc             *pc);
int         query_int         (Pc             *pc,
                               const char     *sql);
void        sync_ok           (Pc             *pc,
                               SySyncFlags     flags,
                               SySyncSummary  *summary);
/* every statement id the hub holds; @n_rows: how many rows came (duplicates show) */
GHashTable *hub_statement_ids (HubTestHub     *hub,
                               guint          *n_rows);
/* the ids of @pc's statements */
GHashTable *pc_statement_ids  (Pc             *pc);
/* asserts that @got holds exactly the ids of @want */
void        assert_same_ids   (GHashTable     *want,
                               GHashTable     *got);

/* sy-fault-proxy (SY_FAULT_PROXY) in front of @target_url ("http://127.0.0.1:PORT");
 * extra arguments NULL-terminated. */
typedef struct
{
  GSubprocess *process;
  char        *url;
  char        *log;    /* its standard error */
} Proxy;

Proxy      *proxy_start       (const char     *target_url,
                               const char     *listen,
                               const char     *first_arg,
                               ...) G_GNUC_NULL_TERMINATED;
void        proxy_stop        (Proxy          *proxy);
/* the proxy's counters line ("connections N faults N drop N …"), read now */
char       *proxy_counters    (Proxy          *proxy);
guint64     proxy_counter     (const char     *counters,
                               const char     *name);

/* the port of "http://127.0.0.1:PORT" */
guint       url_port          (const char     *url);

G_END_DECLS

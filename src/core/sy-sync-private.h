/* sy-sync-private.h — between the sync engine (sy-sync.c) and the store (sy-store-sync.c)
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Blocking calls: each runs one job on the store's thread and waits for it.
 */
#pragma once

#include <json-c/json.h>

#include "sy-store.h"
#include "sy-sync.h"

G_BEGIN_DECLS

/* Settings the engine keeps in the store */
#define SY_SYNC_CHECKPOINT  "sync.checkpoint"   /* pull: Consistent-Through of the last pull */
#define SY_SYNC_LAST_SYNCED "sync.last_synced"  /* ISO 8601: the last run without error */
#define SY_SYNC_LAST_ERROR  "sync.last_error"   /* the last run's error, if it failed */
#define SY_SYNC_LAST_ERROR_CODE "sync.last_error_code"  /* its SySyncError code */

typedef struct
{
  GPtrArray *ids;    /* char *, statement ids */
  GPtrArray *json;   /* char *, their JSON text, same order */
} SyOutboxBatch;

void           _sy_outbox_batch_free         (SyOutboxBatch *batch);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SyOutboxBatch, _sy_outbox_batch_free)

char          *_sy_store_get_setting         (SyStore      *self,
                                              const char   *key,
                                              GError      **error);
gboolean       _sy_store_set_setting         (SyStore      *self,
                                              const char   *key,
                                              const char   *value,
                                              GError      **error);
SyOutboxBatch *_sy_store_outbox_take         (SyStore      *self,
                                              guint         limit,
                                              GError      **error);
gboolean       _sy_store_outbox_done         (SyStore      *self,
                                              GPtrArray    *ids,
                                              GError      **error);
gboolean       _sy_store_outbox_quarantine   (SyStore      *self,
                                              const char   *id,
                                              guint         status,
                                              const char   *reason,
                                              GError      **error);
GPtrArray     *_sy_store_unregistered_learners (SyStore    *self,
                                              GError      **error);
gboolean       _sy_store_learner_registered  (SyStore      *self,
                                              json_object  *learner,
                                              GError      **error);
gboolean       _sy_store_merge_learners      (SyStore      *self,
                                              json_object  *learners,
                                              guint        *n_added,
                                              GError      **error);
gboolean       _sy_store_merge_statements    (SyStore      *self,
                                              json_object  *statements,
                                              guint        *n_added,
                                              GError      **error);
gboolean       _sy_store_sync_reset          (SyStore      *self,
                                              GError      **error);

G_END_DECLS

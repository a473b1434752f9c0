/* sy-store.h — the device's SQLite store and course content
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "sy-course.h"
#include "sy-learner.h"

G_BEGIN_DECLS

#define SY_STORE_ERROR (sy_store_error_quark ())

/**
 * SyStoreError:
 * @SY_STORE_ERROR_OPEN: the data folder or the database cannot be opened
 * @SY_STORE_ERROR_NEWER_SCHEMA: the database was written by a newer Shuyuan
 * @SY_STORE_ERROR_DATABASE: SQLite failed (disk full, corruption…)
 * @SY_STORE_ERROR_NOT_FOUND: no such course or learner
 * @SY_STORE_ERROR_INVALID: an argument a user typed is not acceptable (an empty name…)
 */
typedef enum
{
  SY_STORE_ERROR_OPEN,
  SY_STORE_ERROR_NEWER_SCHEMA,
  SY_STORE_ERROR_DATABASE,
  SY_STORE_ERROR_NOT_FOUND,
  SY_STORE_ERROR_INVALID,
} SyStoreError;

/**
 * SyImportOutcome:
 * @SY_IMPORT_INSTALLED: the course is new on this PC
 * @SY_IMPORT_UPDATED: a newer version replaced the installed one
 * @SY_IMPORT_UNCHANGED: this version was already installed; nothing changed
 */
typedef enum
{
  SY_IMPORT_INSTALLED,
  SY_IMPORT_UPDATED,
  SY_IMPORT_UNCHANGED,
} SyImportOutcome;

#define SY_TYPE_STORE (sy_store_get_type ())

G_DECLARE_FINAL_TYPE (SyStore, sy_store, SY, STORE, GObject)

GQuark      sy_store_error_quark          (void);

SyStore    *sy_store_new                  (const char           *data_dir);
const char *sy_store_get_data_dir         (SyStore              *self);
const char *sy_store_get_device_id        (SyStore              *self);

void        sy_store_open_async           (SyStore              *self,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean    sy_store_open_finish          (SyStore              *self,
                                           GAsyncResult         *result,
                                           GError              **error);
gboolean    sy_store_open                 (SyStore              *self,
                                           GCancellable         *cancellable,
                                           GError              **error);

void        sy_store_import_async         (SyStore              *self,
                                           GFile                *source,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
SyCourse   *sy_store_import_finish        (SyStore              *self,
                                           GAsyncResult         *result,
                                           SyImportOutcome      *outcome,
                                           GError              **error);
SyCourse   *sy_store_import               (SyStore              *self,
                                           GFile                *source,
                                           SyImportOutcome      *outcome,
                                           GCancellable         *cancellable,
                                           GError              **error);

void        sy_store_list_courses_async   (SyStore              *self,
                                           const char           *learner_uuid,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
GPtrArray  *sy_store_list_courses_finish  (SyStore              *self,
                                           GAsyncResult         *result,
                                           GError              **error);
GPtrArray  *sy_store_list_courses         (SyStore              *self,
                                           const char           *learner_uuid,
                                           GCancellable         *cancellable,
                                           GError              **error);

void        sy_store_get_course_async     (SyStore              *self,
                                           const char           *course_id,
                                           const char           *learner_uuid,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
SyCourse   *sy_store_get_course_finish    (SyStore              *self,
                                           GAsyncResult         *result,
                                           GError              **error);
SyCourse   *sy_store_get_course           (SyStore              *self,
                                           const char           *course_id,
                                           const char           *learner_uuid,
                                           GCancellable         *cancellable,
                                           GError              **error);

void        sy_store_add_learner_async    (SyStore              *self,
                                           const char           *name,
                                           SyRole                role,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
SyLearner  *sy_store_add_learner_finish   (SyStore              *self,
                                           GAsyncResult         *result,
                                           GError              **error);
SyLearner  *sy_store_add_learner          (SyStore              *self,
                                           const char           *name,
                                           SyRole                role,
                                           GCancellable         *cancellable,
                                           GError              **error);

void        sy_store_list_learners_async  (SyStore              *self,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
GPtrArray  *sy_store_list_learners_finish (SyStore              *self,
                                           GAsyncResult         *result,
                                           GError              **error);
GPtrArray  *sy_store_list_learners        (SyStore              *self,
                                           GCancellable         *cancellable,
                                           GError              **error);

G_END_DECLS

/* sy-store-private.h — shared by the store's files and its tests
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-c/json.h>
#include <sqlite3.h>

#include "sy-package.h"
#include "sy-store.h"

G_BEGIN_DECLS

#define SY_STORE_SCHEMA_VERSION 4
#define SY_STORE_DB_NAME "shuyuan.db"
#define SY_STORE_CONTENT_DIR "courses"

/* The verbs of a statement that gives an attempt its result, as an SQL list (`verb IN …`) */
#define SY_STORE_RESULT_VERBS "('http://adlnet.gov/expapi/verbs/passed', " \
                              "'http://adlnet.gov/expapi/verbs/failed', " \
                              "'http://adlnet.gov/expapi/verbs/completed')"

/* Runs on the store's worker thread, the only thread that touches @db. Returns the
 * result of the job (freed with the job's result_free if nobody takes it), or NULL with
 * @error set. */
typedef gpointer (*SyStoreJobFunc) (SyStore       *self,
                                    sqlite3       *db,
                                    gpointer       data,
                                    GCancellable  *cancellable,
                                    GError       **error);

void      _sy_store_queue        (SyStore         *self,
                                  SyStoreJobFunc   func,
                                  gpointer         data,
                                  GDestroyNotify   data_free,
                                  GDestroyNotify   result_free,
                                  gpointer         source_tag,
                                  GCancellable    *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer         user_data);
gpointer  _sy_store_finish       (SyStore         *self,
                                  GAsyncResult    *result,
                                  gpointer         source_tag,
                                  GError         **error);
gpointer  _sy_store_run          (SyStore         *self,
                                  SyStoreJobFunc   func,
                                  gpointer         data,
                                  GDestroyNotify   data_free,
                                  GDestroyNotify   result_free,
                                  GCancellable    *cancellable,
                                  GError         **error);

gboolean  _sy_store_migrate      (sqlite3         *db,
                                  int              target_version,
                                  GError         **error);
gboolean  _sy_store_exec         (sqlite3         *db,
                                  const char      *sql,
                                  GError         **error);
gboolean  _sy_store_db_error     (sqlite3         *db,
                                  GError         **error);
char     *_sy_store_now          (void);
gboolean  _sy_store_prepare_cached (sqlite3       *db,
                                    const char    *sql,
                                    sqlite3_stmt **stmt,
                                    GError       **error);
char     *_sy_store_content_path (SyStore         *self,
                                  const char      *name);
void      _sy_store_set_package_limits (SyStore               *self,
                                        const SyPackageLimits *limits);
const SyPackageLimits *_sy_store_get_package_limits (SyStore *self);

/* sy-store-records.c */
gboolean  _sy_store_reindex_statements  (sqlite3 *db, GError **error);
gboolean  _sy_store_rebuild_projections (sqlite3 *db, GError **error);
gboolean  _sy_store_insert_statement    (sqlite3      *db,
                                         json_object  *statement,
                                         const char   *recorded,
                                         gboolean     *inserted,
                                         GError      **error);
gboolean  _sy_store_insert_statement_deferred (sqlite3     *db,
                                               json_object *statement,
                                               const char  *recorded,
                                               gboolean    *inserted,
                                               GHashTable  *deferred,
                                               GError     **error);
gboolean  _sy_store_refresh_keys        (sqlite3      *db,
                                         GHashTable   *deferred,
                                         GError      **error);

char     *_sy_store_insert_event        (SyStore        *self,
                                         sqlite3        *db,
                                         const SyEvent  *event,
                                         GError        **error);
gboolean  _sy_store_check_course_completion (SyStore    *self,
                                             sqlite3    *db,
                                             const char *learner_uuid,
                                             const char *course_id,
                                             GError    **error);

/* sy-store-records.c: what a class quiz (sy-store-classes.c) shares with a learner's own */
typedef struct
{
  SyItemType  type;
  char       *title;
  char       *file;
  char       *content_dir;
  double      pass_score;
  int         max_attempts;
} SyItemRow;

void      _sy_item_row_clear        (SyItemRow   *item);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SyItemRow, _sy_item_row_clear)

gboolean  _sy_store_load_item       (sqlite3     *db,
                                     const char  *course_id,
                                     const char  *item_id,
                                     SyItemRow   *item,
                                     GError     **error);
int       _sy_store_count_attempts  (sqlite3     *db,
                                     const char  *learner_uuid,
                                     const char  *course_id,
                                     const char  *item_id,
                                     GError     **error);
gboolean  _sy_store_last_answers    (sqlite3     *db,
                                     const char  *registration,
                                     GHashTable  *responses,
                                     GHashTable  *right,
                                     GError     **error);

/* sy-store-courses.c */
gpointer  _sy_store_do_import       (SyStore *self, sqlite3 *db, gpointer data,
                                     GCancellable *cancellable, GError **error);
gpointer  _sy_store_do_list_courses (SyStore *self, sqlite3 *db, gpointer data,
                                     GCancellable *cancellable, GError **error);
gpointer  _sy_store_do_get_course   (SyStore *self, sqlite3 *db, gpointer data,
                                     GCancellable *cancellable, GError **error);
gboolean  _sy_store_collect_garbage (SyStore *self, sqlite3 *db, GError **error);

typedef struct
{
  SyCourse        *course;
  SyImportOutcome  outcome;
} SyImportResult;

void      _sy_import_result_free    (SyImportResult *result);

/* Every job but open needs the database; the worker passes it as @db. */
#define REQUIRE_OPEN(db, error) G_STMT_START {                              \
    if ((db) == NULL)                                                        \
      {                                                                      \
        g_set_error_literal ((error), SY_STORE_ERROR, SY_STORE_ERROR_OPEN,   \
                             _("The store is not open."));                   \
        return NULL;                                                         \
      }                                                                      \
  } G_STMT_END

typedef struct
{
  char *course_id;
  char *learner_uuid;
} GetCourse;

G_END_DECLS

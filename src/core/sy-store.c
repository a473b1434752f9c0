/* sy-store.c — the store object, its worker thread, opening, learners
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One SQLite connection, used only from one worker thread that runs jobs in the order
 * they were queued (GNOME Software's gs-worker-thread shape). Callers use _async/_finish
 * pairs; the synchronous wrappers for the CLI drive the same jobs through a private main
 * context, so there is one code path.
 */
#define G_LOG_DOMAIN "ShuyuanCore"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>

#include "sy-i18n.h"
#include "sy-store-private.h"
#include "sy-util.h"

typedef struct
{
  GAsyncQueue *queue;   /* GTask, or the quit marker */
  sqlite3     *db;
} Worker;

struct _SyStore
{
  GObject   parent_instance;

  char     *data_dir;
  char     *device_id;
  Worker   *worker;
  GThread  *thread;

  SyPackageLimits limits;
};

typedef struct
{
  SyStoreJobFunc func;
  gpointer       data;
  GDestroyNotify data_free;
  GDestroyNotify result_free;
} Job;

G_DEFINE_FINAL_TYPE (SyStore, sy_store, G_TYPE_OBJECT)
G_DEFINE_QUARK (sy-store-error-quark, sy_store_error)

static char quit_marker;

static void
job_free (Job *job)
{
  if (job->data_free)
    job->data_free (job->data);
  g_free (job);
}

static gpointer
worker_main (gpointer data)
{
  Worker *w = data;

  for (;;)
    {
      gpointer next = g_async_queue_pop (w->queue);
      GTask *task;
      Job *job;
      GError *error = NULL;
      gpointer result;

      if (next == &quit_marker)
        break;

      task = next;
      job = g_task_get_task_data (task);
      if (!g_task_return_error_if_cancelled (task))
        {
          result = job->func (g_task_get_source_object (task), w->db, job->data,
                              g_task_get_cancellable (task), &error);
          if (error != NULL)
            g_task_return_error (task, error);
          else
            g_task_return_pointer (task, result, job->result_free);
        }
      g_object_unref (task);
    }

  if (w->db != NULL)
    sqlite3_close (w->db);
  g_async_queue_unref (w->queue);
  g_free (w);
  return NULL;
}

static void
sy_store_dispose (GObject *object)
{
  SyStore *self = (SyStore *) object;

  if (self->thread != NULL)
    {
      /* Queued tasks hold a reference on the store, so the queue is empty here. The last
       * reference may be dropped by the worker itself, which must not join itself. */
      g_async_queue_push (self->worker->queue, &quit_marker);
      if (g_thread_self () == self->thread)
        g_thread_unref (self->thread);
      else
        g_thread_join (self->thread);
      self->thread = NULL;
      self->worker = NULL;
    }

  G_OBJECT_CLASS (sy_store_parent_class)->dispose (object);
}

static void
sy_store_finalize (GObject *object)
{
  SyStore *self = (SyStore *) object;

  g_free (self->data_dir);
  g_free (self->device_id);

  G_OBJECT_CLASS (sy_store_parent_class)->finalize (object);
}

static void
sy_store_class_init (SyStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sy_store_dispose;
  object_class->finalize = sy_store_finalize;
}

static void
sy_store_init (SyStore *self)
{
  self->worker = g_new0 (Worker, 1);
  self->worker->queue = g_async_queue_new ();
  self->thread = g_thread_new ("sy-store", worker_main, self->worker);
}

/**
 * sy_store_new:
 * @data_dir: the folder holding the database and course content
 *
 * Nothing touches the disk until sy_store_open_async().
 *
 * Returns: (transfer full): a new store
 */
SyStore *
sy_store_new (const char *data_dir)
{
  SyStore *self;

  g_return_val_if_fail (data_dir != NULL, NULL);

  self = g_object_new (SY_TYPE_STORE, NULL);
  self->data_dir = g_strdup (data_dir);
  self->limits = *sy_package_default_limits ();
  return self;
}

/* For tests: smaller bounds make the size checks cheap to exercise. Call before any job. */
void
_sy_store_set_package_limits (SyStore               *self,
                              const SyPackageLimits *limits)
{
  self->limits = *limits;
}

const SyPackageLimits *
_sy_store_get_package_limits (SyStore *self)
{
  return &self->limits;
}

const char *
sy_store_get_data_dir (SyStore *self)
{
  g_return_val_if_fail (SY_IS_STORE (self), NULL);
  return self->data_dir;
}

/**
 * sy_store_get_device_id:
 *
 * Returns: (nullable): this PC's UUID, made on first run; %NULL until the store is open
 */
const char *
sy_store_get_device_id (SyStore *self)
{
  g_return_val_if_fail (SY_IS_STORE (self), NULL);
  return self->device_id;
}

char *
_sy_store_content_path (SyStore    *self,
                        const char *name)
{
  return g_build_filename (self->data_dir, SY_STORE_CONTENT_DIR, name, NULL);
}

char *
_sy_store_now (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  return g_date_time_format_iso8601 (now);
}

/* ---- jobs ---- */

void
_sy_store_queue (SyStore             *self,
                 SyStoreJobFunc       func,
                 gpointer             data,
                 GDestroyNotify       data_free,
                 GDestroyNotify       result_free,
                 gpointer             source_tag,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Job *job = g_new0 (Job, 1);

  job->func = func;
  job->data = data;
  job->data_free = data_free;
  job->result_free = result_free;
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_async_queue_push (self->worker->queue, task);
}

gpointer
_sy_store_finish (SyStore       *self,
                  GAsyncResult  *result,
                  gpointer       source_tag,
                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
run_done (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

gpointer
_sy_store_run (SyStore         *self,
               SyStoreJobFunc   func,
               gpointer         data,
               GDestroyNotify   data_free,
               GDestroyNotify   result_free,
               GCancellable    *cancellable,
               GError         **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GAsyncResult) result = NULL;

  g_main_context_push_thread_default (context);
  _sy_store_queue (self, func, data, data_free, result_free, _sy_store_run, cancellable,
                   run_done, &result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- open ---- */

static gboolean
ensure_device (SyStore  *self,
               sqlite3  *db,
               GError  **error)
{
  sqlite3_stmt *stmt = NULL;
  gboolean ok = FALSE;
  int rc;

  if (sqlite3_prepare_v2 (db, "SELECT uuid FROM device WHERE id = 1", -1, &stmt, NULL) != SQLITE_OK)
    return _sy_store_db_error (db, error);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      g_free (self->device_id);
      self->device_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      ok = TRUE;
    }
  else if (rc == SQLITE_DONE)
    {
      g_autofree char *uuid = g_uuid_string_random ();
      g_autofree char *now = _sy_store_now ();

      sqlite3_finalize (stmt);
      stmt = NULL;
      if (sqlite3_prepare_v2 (db, "INSERT INTO device (id, uuid, created) VALUES (1, ?, ?)",
                              -1, &stmt, NULL) != SQLITE_OK)
        return _sy_store_db_error (db, error);
      sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, now, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        _sy_store_db_error (db, error);
      else
        {
          g_free (self->device_id);
          self->device_id = g_steal_pointer (&uuid);
          ok = TRUE;
        }
    }
  else
    _sy_store_db_error (db, error);

  sqlite3_finalize (stmt);
  return ok;
}

static gpointer
do_open (SyStore       *self,
         sqlite3       *unused,
         gpointer       data,
         GCancellable  *cancellable,
         GError       **error)
{
  g_autofree char *content = g_build_filename (self->data_dir, SY_STORE_CONTENT_DIR, NULL);
  g_autofree char *path = g_build_filename (self->data_dir, SY_STORE_DB_NAME, NULL);
  sqlite3 *db = NULL;

  if (self->worker->db != NULL)
    return GINT_TO_POINTER (TRUE);

  if (g_mkdir_with_parents (content, 0700) != 0)
    {
      int errsv = errno;
      g_set_error (error, SY_STORE_ERROR, SY_STORE_ERROR_OPEN,
                   _("Could not create the data folder %s: %s"), content, g_strerror (errsv));
      return NULL;
    }

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                       SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
    {
      g_set_error (error, SY_STORE_ERROR, SY_STORE_ERROR_OPEN,
                   _("Could not open the database %s: %s"), path,
                   db ? sqlite3_errmsg (db) : g_strerror (ENOMEM));
      sqlite3_close (db);
      return NULL;
    }

  /* Power cuts are common: WAL with synchronous=FULL makes every commit durable. */
  sqlite3_busy_timeout (db, 5000);
  if (!_sy_store_exec (db, "PRAGMA journal_mode = WAL;"
                           "PRAGMA synchronous = FULL;"
                           "PRAGMA foreign_keys = ON;", error) ||
      !_sy_store_migrate (db, SY_STORE_SCHEMA_VERSION, error) ||
      !ensure_device (self, db, error) ||
      !_sy_store_collect_garbage (self, db, error))
    {
      g_prefix_error (error, "%s: ", path);
      sqlite3_close (db);
      return NULL;
    }

  self->worker->db = db;
  return GINT_TO_POINTER (TRUE);
}


/**
 * sy_store_open_async:
 *
 * Creates the data folder and database if needed, migrates the schema, makes the device
 * id on first run and removes content left behind by an interrupted import.
 */
void
sy_store_open_async (SyStore             *self,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_return_if_fail (SY_IS_STORE (self));
  _sy_store_queue (self, do_open, NULL, NULL, NULL, sy_store_open_async, cancellable,
                   callback, user_data);
}

gboolean
sy_store_open_finish (SyStore       *self,
                      GAsyncResult  *result,
                      GError       **error)
{
  return _sy_store_finish (self, result, sy_store_open_async, error) != NULL;
}

gboolean
sy_store_open (SyStore       *self,
               GCancellable  *cancellable,
               GError       **error)
{
  g_return_val_if_fail (SY_IS_STORE (self), FALSE);
  return _sy_store_run (self, do_open, NULL, NULL, NULL, cancellable, error) != NULL;
}

/* ---- learners ---- */

typedef struct
{
  char   *name;
  SyRole  role;
} AddLearner;

static void
add_learner_free (AddLearner *data)
{
  g_free (data->name);
  g_free (data);
}

static gpointer
do_add_learner (SyStore       *self,
                sqlite3       *db,
                gpointer       data,
                GCancellable  *cancellable,
                GError       **error)
{
  AddLearner *add = data;
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *now = _sy_store_now ();
  g_autofree char *name = g_strstrip (g_strdup (add->name));
  sqlite3_stmt *stmt;
  int rc;

  REQUIRE_OPEN (db, error);

  if (name[0] == '\0' || g_utf8_strlen (name, -1) > 100 || !g_utf8_validate (name, -1, NULL))
    {
      g_set_error_literal (error, SY_STORE_ERROR, SY_STORE_ERROR_INVALID,
                           _("A name is 1 to 100 characters long."));
      return NULL;
    }

  if (sqlite3_prepare_v2 (db, "INSERT INTO learners (uuid, name, role, created) "
                              "VALUES (?, ?, ?, ?)", -1, &stmt, NULL) != SQLITE_OK)
    {
      _sy_store_db_error (db, error);
      return NULL;
    }
  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, sy_role_to_string (add->role), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, now, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      _sy_store_db_error (db, error);
      return NULL;
    }
  return sy_learner_new (uuid, name, add->role, NULL, now);
}

void
sy_store_add_learner_async (SyStore             *self,
                            const char          *name,
                            SyRole               role,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  AddLearner *data;

  g_return_if_fail (SY_IS_STORE (self));
  g_return_if_fail (name != NULL);

  data = g_new0 (AddLearner, 1);
  data->name = g_strdup (name);
  data->role = role;
  _sy_store_queue (self, do_add_learner, data, (GDestroyNotify) add_learner_free,
                   g_object_unref, sy_store_add_learner_async, cancellable, callback,
                   user_data);
}

SyLearner *
sy_store_add_learner_finish (SyStore       *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return _sy_store_finish (self, result, sy_store_add_learner_async, error);
}

SyLearner *
sy_store_add_learner (SyStore       *self,
                      const char    *name,
                      SyRole         role,
                      GCancellable  *cancellable,
                      GError       **error)
{
  AddLearner *data;

  g_return_val_if_fail (SY_IS_STORE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  data = g_new0 (AddLearner, 1);
  data->name = g_strdup (name);
  data->role = role;
  return _sy_store_run (self, do_add_learner, data, (GDestroyNotify) add_learner_free,
                        g_object_unref, cancellable, error);
}

static gpointer
do_list_learners (SyStore       *self,
                  sqlite3       *db,
                  gpointer       data,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(GPtrArray) learners = g_ptr_array_new_with_free_func (g_object_unref);
  sqlite3_stmt *stmt;
  int rc;

  REQUIRE_OPEN (db, error);

  if (sqlite3_prepare_v2 (db, "SELECT uuid, name, role, external_id, created FROM learners "
                              "ORDER BY name COLLATE NOCASE, created", -1, &stmt, NULL) != SQLITE_OK)
    {
      _sy_store_db_error (db, error);
      return NULL;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SyRole role = SY_ROLE_LEARNER;

      sy_role_from_string ((const char *) sqlite3_column_text (stmt, 2), &role);
      g_ptr_array_add (learners,
                       sy_learner_new ((const char *) sqlite3_column_text (stmt, 0),
                                       (const char *) sqlite3_column_text (stmt, 1),
                                       role,
                                       (const char *) sqlite3_column_text (stmt, 3),
                                       (const char *) sqlite3_column_text (stmt, 4)));
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      _sy_store_db_error (db, error);
      return NULL;
    }
  return g_steal_pointer (&learners);
}

void
sy_store_list_learners_async (SyStore             *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (SY_IS_STORE (self));
  _sy_store_queue (self, do_list_learners, NULL, NULL, (GDestroyNotify) g_ptr_array_unref,
                   sy_store_list_learners_async, cancellable, callback, user_data);
}

/**
 * sy_store_list_learners_finish:
 *
 * Returns: (transfer full) (element-type SyLearner): the learners, by name
 */
GPtrArray *
sy_store_list_learners_finish (SyStore       *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return _sy_store_finish (self, result, sy_store_list_learners_async, error);
}

GPtrArray *
sy_store_list_learners (SyStore       *self,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_return_val_if_fail (SY_IS_STORE (self), NULL);
  return _sy_store_run (self, do_list_learners, NULL, NULL, (GDestroyNotify) g_ptr_array_unref,
                        cancellable, error);
}

/* ---- courses: the jobs live in sy-store-courses.c ---- */

void
sy_store_import_async (SyStore             *self,
                       GFile               *source,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_return_if_fail (SY_IS_STORE (self));
  g_return_if_fail (G_IS_FILE (source));
  _sy_store_queue (self, _sy_store_do_import, g_object_ref (source), g_object_unref,
                   (GDestroyNotify) _sy_import_result_free, sy_store_import_async,
                   cancellable, callback, user_data);
}

static SyCourse *
unpack_import_result (SyImportResult  *result,
                      SyImportOutcome *outcome)
{
  SyCourse *course;

  if (result == NULL)
    return NULL;
  if (outcome)
    *outcome = result->outcome;
  course = g_steal_pointer (&result->course);
  _sy_import_result_free (result);
  return course;
}

/**
 * sy_store_import_finish:
 * @outcome: (out) (optional): whether the course was installed, updated or already there
 *
 * Returns: (transfer full): the installed course
 */
SyCourse *
sy_store_import_finish (SyStore          *self,
                        GAsyncResult     *result,
                        SyImportOutcome  *outcome,
                        GError          **error)
{
  return unpack_import_result (_sy_store_finish (self, result, sy_store_import_async, error),
                               outcome);
}

/**
 * sy_store_import:
 *
 * Imports a course folder or .zip: stages and checks it, then swaps it in with one
 * transaction. On error the store and the content folder are as they were.
 */
SyCourse *
sy_store_import (SyStore          *self,
                 GFile            *source,
                 SyImportOutcome  *outcome,
                 GCancellable     *cancellable,
                 GError          **error)
{
  g_return_val_if_fail (SY_IS_STORE (self), NULL);
  g_return_val_if_fail (G_IS_FILE (source), NULL);
  return unpack_import_result (_sy_store_run (self, _sy_store_do_import, g_object_ref (source),
                                              g_object_unref,
                                              (GDestroyNotify) _sy_import_result_free,
                                              cancellable, error),
                               outcome);
}

void
sy_store_list_courses_async (SyStore             *self,
                             const char          *learner_uuid,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (SY_IS_STORE (self));
  _sy_store_queue (self, _sy_store_do_list_courses, g_strdup (learner_uuid), g_free,
                   (GDestroyNotify) g_ptr_array_unref, sy_store_list_courses_async,
                   cancellable, callback, user_data);
}

/**
 * sy_store_list_courses_finish:
 *
 * Returns: (transfer full) (element-type SyCourse): installed courses, without modules,
 *   with the learner's item counts
 */
GPtrArray *
sy_store_list_courses_finish (SyStore       *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return _sy_store_finish (self, result, sy_store_list_courses_async, error);
}

GPtrArray *
sy_store_list_courses (SyStore       *self,
                       const char    *learner_uuid,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_return_val_if_fail (SY_IS_STORE (self), NULL);
  return _sy_store_run (self, _sy_store_do_list_courses, g_strdup (learner_uuid), g_free,
                        (GDestroyNotify) g_ptr_array_unref, cancellable, error);
}

static void
get_course_free (GetCourse *data)
{
  g_free (data->course_id);
  g_free (data->learner_uuid);
  g_free (data);
}

static GetCourse *
get_course_new (const char *course_id,
                const char *learner_uuid)
{
  GetCourse *data = g_new0 (GetCourse, 1);

  data->course_id = g_strdup (course_id);
  data->learner_uuid = g_strdup (learner_uuid);
  return data;
}

void
sy_store_get_course_async (SyStore             *self,
                           const char          *course_id,
                           const char          *learner_uuid,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (SY_IS_STORE (self));
  g_return_if_fail (course_id != NULL);
  _sy_store_queue (self, _sy_store_do_get_course, get_course_new (course_id, learner_uuid),
                   (GDestroyNotify) get_course_free, g_object_unref, sy_store_get_course_async,
                   cancellable, callback, user_data);
}

/**
 * sy_store_get_course_finish:
 *
 * Returns: (transfer full): the course with its modules, items and the learner's status
 *   on each
 */
SyCourse *
sy_store_get_course_finish (SyStore       *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return _sy_store_finish (self, result, sy_store_get_course_async, error);
}

SyCourse *
sy_store_get_course (SyStore       *self,
                     const char    *course_id,
                     const char    *learner_uuid,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_return_val_if_fail (SY_IS_STORE (self), NULL);
  g_return_val_if_fail (course_id != NULL, NULL);
  return _sy_store_run (self, _sy_store_do_get_course, get_course_new (course_id, learner_uuid),
                        (GDestroyNotify) get_course_free, g_object_unref, cancellable, error);
}

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
#include <sodium.h>

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

/* A caller of _sy_store_run() waits for this as well as for the result: until the worker
 * has let go of the job (and, through it, of the store). */
typedef struct
{
  GMutex   lock;
  GCond    cond;
  gboolean released;
} Release;

typedef struct
{
  SyStoreJobFunc  func;
  gpointer        data;
  GDestroyNotify  data_free;
  GDestroyNotify  result_free;
  Release        *release;   /* NULL for an async job */
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
      {
        Release *release = job->release;

        g_object_unref (task);
        /* A blocking caller goes on only now: had it gone on at its result, its last
         * reference to the store might not be the last — ours to the task would hold
         * it — and the store would close its database later, on this thread, while the
         * caller copies or deletes the folder. */
        if (release != NULL)
          {
            g_mutex_lock (&release->lock);
            release->released = TRUE;
            g_cond_signal (&release->cond);
            g_mutex_unlock (&release->lock);
          }
      }
    }

  if (w->db != NULL)
    {
      sqlite3_stmt *stmt;

      /* the statements _sy_store_prepare_cached() kept */
      while ((stmt = sqlite3_next_stmt (w->db, NULL)) != NULL)
        sqlite3_finalize (stmt);
      sqlite3_close (w->db);
    }
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

/* The worker thread's prepared statements, by SQL text (the keys are the callers' string
 * literals). A store's connection lives and dies on its worker thread, so the cache is
 * the thread's; the worker finalizes the statements before it closes the connection. */
static void
free_stmt_cache (gpointer table)
{
  g_hash_table_unref (table);
}

static GPrivate stmt_cache = G_PRIVATE_INIT (free_stmt_cache);

/**
 * _sy_store_prepare_cached:
 * @sql: a string literal
 *
 * Like sqlite3_prepare_v2(), for statements run very often (once per statement in a
 * pull or an import): prepared once per connection. Reset it after use (keep it; never
 * finalize it).
 */
gboolean
_sy_store_prepare_cached (sqlite3        *db,
                          const char     *sql,
                          sqlite3_stmt  **stmt,
                          GError        **error)
{
  GHashTable *cache = g_private_get (&stmt_cache);
  sqlite3_stmt *found;

  if (cache == NULL)
    {
      cache = g_hash_table_new (g_direct_hash, g_direct_equal);
      g_private_set (&stmt_cache, cache);
    }
  found = g_hash_table_lookup (cache, sql);
  if (found != NULL && sqlite3_db_handle (found) == db)
    {
      *stmt = found;
      return TRUE;
    }
  if (sqlite3_prepare_v3 (db, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, NULL) != SQLITE_OK)
    return _sy_store_db_error (db, error);
  /* a connection the thread had before was closed with its statements */
  g_hash_table_insert (cache, (gpointer) sql, *stmt);
  return TRUE;
}

char *
_sy_store_now (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  return g_date_time_format_iso8601 (now);
}

/* ---- jobs ---- */

static void
queue_job (SyStore             *self,
           SyStoreJobFunc       func,
           gpointer             data,
           GDestroyNotify       data_free,
           GDestroyNotify       result_free,
           gpointer             source_tag,
           Release             *release,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Job *job = g_new0 (Job, 1);

  job->release = release;
  job->func = func;
  job->data = data;
  job->data_free = data_free;
  job->result_free = result_free;
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_async_queue_push (self->worker->queue, task);
}

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
  queue_job (self, func, data, data_free, result_free, source_tag, NULL, cancellable, callback,
             user_data);
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
  Release release = { 0 };

  g_mutex_init (&release.lock);
  g_cond_init (&release.cond);
  g_main_context_push_thread_default (context);
  queue_job (self, func, data, data_free, result_free, _sy_store_run, &release, cancellable,
             run_done, &result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);
  g_mutex_lock (&release.lock);
  while (!release.released)
    g_cond_wait (&release.cond, &release.lock);
  g_mutex_unlock (&release.lock);
  g_mutex_clear (&release.lock);
  g_cond_clear (&release.cond);

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
  char   *pin;
  char   *external_id;
} AddLearner;

static void
add_learner_free (AddLearner *data)
{
  g_free (data->name);
  if (data->pin)
    sodium_memzero (data->pin, strlen (data->pin));
  g_free (data->pin);
  g_free (data->external_id);
  g_free (data);
}

static AddLearner *
add_learner_new (const char *name,
                 SyRole      role,
                 const char *pin,
                 const char *external_id)
{
  AddLearner *data = g_new0 (AddLearner, 1);

  data->name = g_strdup (name);
  data->role = role;
  data->pin = pin && *pin ? g_strdup (pin) : NULL;
  data->external_id = external_id && *external_id ? g_strstrip (g_strdup (external_id)) : NULL;
  return data;
}

/* PINs are 4 to 8 digits: enough to keep classmates out of each other's records on a
 * shared PC; the lockout after SY_PIN_MAX_FAILURES makes guessing slow. */
static gboolean
pin_is_valid (const char *pin)
{
  gsize len = strlen (pin);

  if (len < 4 || len > 8)
    return FALSE;
  for (const char *p = pin; *p; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
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
  char hash[crypto_pwhash_STRBYTES];
  SyLearner *learner;
  sqlite3_stmt *stmt;
  int rc;

  REQUIRE_OPEN (db, error);

  if (!g_utf8_validate (name, -1, NULL) || name[0] == '\0' || g_utf8_strlen (name, -1) > 100)
    {
      g_set_error_literal (error, SY_STORE_ERROR, SY_STORE_ERROR_INVALID,
                           _("A name is 1 to 100 characters long."));
      return NULL;
    }
  if (add->external_id && (!g_utf8_validate (add->external_id, -1, NULL) ||
                           g_utf8_strlen (add->external_id, -1) > 64))
    {
      g_set_error_literal (error, SY_STORE_ERROR, SY_STORE_ERROR_INVALID,
                           _("An external id (such as a registration number) is at most 64 "
                             "characters long."));
      return NULL;
    }
  if (add->pin == NULL && add->role != SY_ROLE_LEARNER)
    {
      g_set_error_literal (error, SY_STORE_ERROR, SY_STORE_ERROR_INVALID,
                           _("Teachers and coordinators need a PIN: they can see other "
                             "people's records."));
      return NULL;
    }
  if (add->pin != NULL && !pin_is_valid (add->pin))
    {
      g_set_error_literal (error, SY_STORE_ERROR, SY_STORE_ERROR_INVALID,
                           _("A PIN is 4 to 8 digits."));
      return NULL;
    }

  /* only the argon2id hash is kept */
  if (add->pin != NULL &&
      (sodium_init () < 0 ||
       crypto_pwhash_str (hash, add->pin, strlen (add->pin), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0))
    {
      g_set_error_literal (error, SY_STORE_ERROR, SY_STORE_ERROR_INVALID,
                           _("Could not protect the PIN: the PC is out of memory."));
      return NULL;
    }

  if (sqlite3_prepare_v2 (db, "INSERT INTO learners (uuid, name, role, pin_hash, external_id, "
                              " created) VALUES (?, ?, ?, ?, ?, ?)", -1, &stmt, NULL) != SQLITE_OK)
    {
      _sy_store_db_error (db, error);
      return NULL;
    }
  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, sy_role_to_string (add->role), -1, SQLITE_STATIC);
  if (add->pin != NULL)
    sqlite3_bind_text (stmt, 4, hash, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, 4);
  sqlite3_bind_text (stmt, 5, add->external_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, now, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      _sy_store_db_error (db, error);
      return NULL;
    }
  learner = sy_learner_new (uuid, name, add->role, add->external_id, now);
  _sy_learner_set_has_pin (learner, add->pin != NULL);
  return learner;
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

  data = add_learner_new (name, role, NULL, NULL);
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

  data = add_learner_new (name, role, NULL, NULL);
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

  if (sqlite3_prepare_v2 (db, "SELECT uuid, name, role, external_id, created, "
                              " pin_hash IS NOT NULL, avatar FROM learners "
                              "ORDER BY name COLLATE NOCASE, created", -1, &stmt, NULL) != SQLITE_OK)
    {
      _sy_store_db_error (db, error);
      return NULL;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SyRole role = SY_ROLE_LEARNER;
      SyLearner *learner;

      sy_role_from_string ((const char *) sqlite3_column_text (stmt, 2), &role);
      learner = sy_learner_new ((const char *) sqlite3_column_text (stmt, 0),
                                (const char *) sqlite3_column_text (stmt, 1),
                                role,
                                (const char *) sqlite3_column_text (stmt, 3),
                                (const char *) sqlite3_column_text (stmt, 4));
      _sy_learner_set_has_pin (learner, sqlite3_column_int (stmt, 5));
      _sy_learner_set_avatar (learner, (const char *) sqlite3_column_text (stmt, 6));
      g_ptr_array_add (learners, learner);
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

/**
 * sy_store_add_learner_full:
 * @pin: (nullable): 4 to 8 digits; required for teachers and coordinators
 * @external_id: (nullable): e.g. a village doctor's registration number
 *
 * Adds a learner; a PIN is kept only as an argon2id hash.
 *
 * Returns: (transfer full): the learner
 */
SyLearner *
sy_store_add_learner_full (SyStore       *self,
                           const char    *name,
                           SyRole         role,
                           const char    *pin,
                           const char    *external_id,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_return_val_if_fail (SY_IS_STORE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  return _sy_store_run (self, do_add_learner, add_learner_new (name, role, pin, external_id),
                        (GDestroyNotify) add_learner_free, g_object_unref, cancellable, error);
}

/* Finish with sy_store_add_learner_finish(). */
void
sy_store_add_learner_full_async (SyStore             *self,
                                 const char          *name,
                                 SyRole               role,
                                 const char          *pin,
                                 const char          *external_id,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (SY_IS_STORE (self));
  g_return_if_fail (name != NULL);
  _sy_store_queue (self, do_add_learner, add_learner_new (name, role, pin, external_id),
                   (GDestroyNotify) add_learner_free, g_object_unref,
                   sy_store_add_learner_async, cancellable, callback, user_data);
}

typedef struct
{
  char *learner_uuid;
  char *pin;
} CheckPin;

static void
check_pin_free (CheckPin *data)
{
  g_free (data->learner_uuid);
  sodium_memzero (data->pin, strlen (data->pin));
  g_free (data->pin);
  g_free (data);
}

static CheckPin *
check_pin_new (const char *learner_uuid,
               const char *pin)
{
  CheckPin *data = g_new0 (CheckPin, 1);

  data->learner_uuid = g_strdup (learner_uuid);
  data->pin = g_strdup (pin ? pin : "");
  return data;
}

static gpointer
pin_error (sqlite3  *db,
           GError  **error)
{
  _sy_store_db_error (db, error);
  return NULL;
}

/* The lockout is kept in the database, so restarting the app does not lift it. */
static gpointer
do_check_pin (SyStore       *self,
              sqlite3       *db,
              gpointer       data,
              GCancellable  *cancellable,
              GError       **error)
{
  CheckPin *check = data;
  g_autofree char *hash = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 locked_until = 0;
  int failures = 0, rc;
  gboolean found = FALSE, locking;
  sqlite3_stmt *stmt;

  REQUIRE_OPEN (db, error);

  if (sqlite3_prepare_v2 (db, "SELECT l.pin_hash, coalesce (k.failures, 0), "
                              " coalesce (k.locked_until, 0) FROM learners l "
                              "LEFT JOIN pin_lockouts k ON k.learner_uuid = l.uuid "
                              "WHERE l.uuid = ?", -1, &stmt, NULL) != SQLITE_OK)
    return pin_error (db, error);
  sqlite3_bind_text (stmt, 1, check->learner_uuid, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      found = TRUE;
      hash = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      failures = sqlite3_column_int (stmt, 1);
      locked_until = sqlite3_column_int64 (stmt, 2);
    }
  sqlite3_finalize (stmt);

  if (!found)
    {
      g_set_error (error, SY_STORE_ERROR, SY_STORE_ERROR_NOT_FOUND,
                   _("There is no learner “%s” on this PC."), check->learner_uuid);
      return NULL;
    }
  if (hash == NULL)
    return GINT_TO_POINTER (TRUE);
  if (locked_until > now)
    {
      int seconds = (int) (locked_until - now);
      g_set_error (error, SY_STORE_ERROR, SY_STORE_ERROR_LOCKED,
                   g_dngettext (GETTEXT_PACKAGE,
                                "Too many wrong PINs. Try again in %d second.",
                                "Too many wrong PINs. Try again in %d seconds.", seconds),
                   seconds);
      return NULL;
    }

  if (sodium_init () >= 0 &&
      crypto_pwhash_str_verify (hash, check->pin, strlen (check->pin)) == 0)
    {
      if (sqlite3_prepare_v2 (db, "DELETE FROM pin_lockouts WHERE learner_uuid = ?", -1, &stmt,
                              NULL) != SQLITE_OK)
        return pin_error (db, error);
      sqlite3_bind_text (stmt, 1, check->learner_uuid, -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
      sqlite3_finalize (stmt);
      if (rc != SQLITE_DONE)
        return pin_error (db, error);
      return GINT_TO_POINTER (TRUE);
    }

  failures++;
  locking = failures >= SY_PIN_MAX_FAILURES;
  if (sqlite3_prepare_v2 (db, "INSERT INTO pin_lockouts (learner_uuid, failures, locked_until) "
                              "VALUES (?1, ?2, ?3) ON CONFLICT (learner_uuid) DO UPDATE SET "
                              " failures = ?2, locked_until = ?3", -1, &stmt, NULL) != SQLITE_OK)
    return pin_error (db, error);
  sqlite3_bind_text (stmt, 1, check->learner_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 2, locking ? 0 : failures);
  sqlite3_bind_int64 (stmt, 3, locking ? now + SY_PIN_LOCK_SECONDS : 0);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return pin_error (db, error);

  if (locking)
    g_set_error (error, SY_STORE_ERROR, SY_STORE_ERROR_LOCKED,
                 g_dngettext (GETTEXT_PACKAGE,
                              "Too many wrong PINs. Try again in %d second.",
                              "Too many wrong PINs. Try again in %d seconds.",
                              SY_PIN_LOCK_SECONDS), SY_PIN_LOCK_SECONDS);
  else
    g_set_error (error, SY_STORE_ERROR, SY_STORE_ERROR_WRONG_PIN,
                 g_dngettext (GETTEXT_PACKAGE,
                              "Wrong PIN. %d more try before the profile is locked for a minute.",
                              "Wrong PIN. %d more tries before the profile is locked for a minute.",
                              SY_PIN_MAX_FAILURES - failures),
                 SY_PIN_MAX_FAILURES - failures);
  return NULL;
}

/**
 * sy_store_check_pin:
 *
 * Checks a learner's PIN (a profile without one always passes). After
 * %SY_PIN_MAX_FAILURES wrong PINs in a row the profile is locked for
 * %SY_PIN_LOCK_SECONDS, and %SY_STORE_ERROR_LOCKED says for how long.
 */
gboolean
sy_store_check_pin (SyStore       *self,
                    const char    *learner_uuid,
                    const char    *pin,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_return_val_if_fail (SY_IS_STORE (self), FALSE);
  g_return_val_if_fail (learner_uuid != NULL, FALSE);
  return _sy_store_run (self, do_check_pin, check_pin_new (learner_uuid, pin),
                        (GDestroyNotify) check_pin_free, NULL, cancellable, error) != NULL;
}

void
sy_store_check_pin_async (SyStore             *self,
                          const char          *learner_uuid,
                          const char          *pin,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (SY_IS_STORE (self));
  g_return_if_fail (learner_uuid != NULL);
  _sy_store_queue (self, do_check_pin, check_pin_new (learner_uuid, pin),
                   (GDestroyNotify) check_pin_free, NULL, sy_store_check_pin_async,
                   cancellable, callback, user_data);
}

gboolean
sy_store_check_pin_finish (SyStore       *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  return _sy_store_finish (self, result, sy_store_check_pin_async, error) != NULL;
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

/* sy-store-sync.c — what the sync engine reads from and writes to the store
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The outbox is the statements with synced = 0, in the order they were recorded. A
 * statement leaves it only when a hub acknowledges it (synced = 1) or refuses it for good
 * (synced = 2, with a row in the quarantine saying why). Pulled statements go in with
 * synced = 1. Each of these is one short transaction, so a sync killed between two of
 * them leaves the store consistent: at worst a batch the hub already has is sent again,
 * which the hub answers as a no-op.
 */
#define G_LOG_DOMAIN "ShuyuanCore"

#include "config.h"

#include <string.h>

#include "sy-i18n.h"
#include "sy-store-private.h"
#include "sy-sync-private.h"
#include "sy-util.h"
#include "sy-json-private.h"

static void
json_unref (gpointer obj)
{
  json_object_put (obj);
}

static gboolean
prepare (sqlite3       *db,
         const char    *sql,
         sqlite3_stmt **stmt,
         GError       **error)
{
  if (sqlite3_prepare_v2 (db, sql, -1, stmt, NULL) != SQLITE_OK)
    return _sy_store_db_error (db, error);
  return TRUE;
}

static gboolean
step_done (sqlite3       *db,
           sqlite3_stmt  *stmt,
           GError       **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return _sy_store_db_error (db, error);
  return TRUE;
}

/* ---- settings ---- */

typedef struct
{
  char *key;
  char *value;
} Setting;

static void
setting_free (Setting *s)
{
  g_free (s->key);
  g_free (s->value);
  g_free (s);
}

static gpointer
do_get_setting (SyStore       *self,
                sqlite3       *db,
                gpointer       data,
                GCancellable  *cancellable,
                GError       **error)
{
  Setting *s = data;
  sqlite3_stmt *stmt;
  int rc;

  REQUIRE_OPEN (db, error);
  if (!prepare (db, "SELECT value FROM settings WHERE key = ?", &stmt, error))
    return NULL;
  sqlite3_bind_text (stmt, 1, s->key, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    s->value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return (_sy_store_db_error (db, error), NULL);
  return GINT_TO_POINTER (TRUE);
}

/* The value of @key, or NULL (and no error) when it is not set. */
char *
_sy_store_get_setting (SyStore     *self,
                       const char  *key,
                       GError     **error)
{
  Setting *s = g_new0 (Setting, 1);
  char *value;

  s->key = g_strdup (key);
  if (!_sy_store_run (self, do_get_setting, s, NULL, NULL, NULL, error))
    {
      setting_free (s);
      return NULL;
    }
  value = g_steal_pointer (&s->value);
  setting_free (s);
  return value;
}

static gpointer
do_set_setting (SyStore       *self,
                sqlite3       *db,
                gpointer       data,
                GCancellable  *cancellable,
                GError       **error)
{
  Setting *s = data;
  sqlite3_stmt *stmt;

  REQUIRE_OPEN (db, error);
  if (!prepare (db, s->value != NULL
                      ? "INSERT INTO settings (key, value) VALUES (?1, ?2) "
                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
                      : "DELETE FROM settings WHERE key = ?1", &stmt, error))
    return NULL;
  sqlite3_bind_text (stmt, 1, s->key, -1, SQLITE_STATIC);
  if (s->value != NULL)
    sqlite3_bind_text (stmt, 2, s->value, -1, SQLITE_STATIC);
  return step_done (db, stmt, error) ? GINT_TO_POINTER (TRUE) : NULL;
}

/* Sets @key to @value, or removes it when @value is NULL. */
gboolean
_sy_store_set_setting (SyStore     *self,
                       const char  *key,
                       const char  *value,
                       GError     **error)
{
  Setting *s = g_new0 (Setting, 1);

  s->key = g_strdup (key);
  s->value = g_strdup (value);
  return _sy_store_run (self, do_set_setting, s, (GDestroyNotify) setting_free, NULL,
                        NULL, error) != NULL;
}

/* ---- the outbox ---- */

void
_sy_outbox_batch_free (SyOutboxBatch *batch)
{
  if (batch == NULL)
    return;
  g_ptr_array_unref (batch->ids);
  g_ptr_array_unref (batch->json);
  g_free (batch);
}

static gpointer
do_outbox_take (SyStore       *self,
                sqlite3       *db,
                gpointer       data,
                GCancellable  *cancellable,
                GError       **error)
{
  guint limit = GPOINTER_TO_UINT (data);
  g_autoptr(SyOutboxBatch) batch = g_new0 (SyOutboxBatch, 1);
  sqlite3_stmt *stmt;
  int rc;

  REQUIRE_OPEN (db, error);
  batch->ids = g_ptr_array_new_with_free_func (g_free);
  batch->json = g_ptr_array_new_with_free_func (g_free);
  /* the partial index statements_outbox keeps this cheap however long the log */
  if (!prepare (db, "SELECT id, json FROM statements WHERE synced = 0 ORDER BY rowid LIMIT ?",
                &stmt, error))
    return NULL;
  sqlite3_bind_int (stmt, 1, limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_ptr_array_add (batch->ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
      g_ptr_array_add (batch->json, g_strdup ((const char *) sqlite3_column_text (stmt, 1)));
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return (_sy_store_db_error (db, error), NULL);
  return g_steal_pointer (&batch);
}

/* The oldest @limit statements waiting to be sent (maybe none). */
SyOutboxBatch *
_sy_store_outbox_take (SyStore  *self,
                       guint     limit,
                       GError  **error)
{
  return _sy_store_run (self, do_outbox_take, GUINT_TO_POINTER (limit), NULL,
                        (GDestroyNotify) _sy_outbox_batch_free, NULL, error);
}

typedef struct
{
  GPtrArray *ids;
  guint      status;
  char      *reason;
} Mark;

static void
mark_free (Mark *m)
{
  g_ptr_array_unref (m->ids);
  g_free (m->reason);
  g_free (m);
}

static gpointer
do_outbox_mark (SyStore       *self,
                sqlite3       *db,
                gpointer       data,
                GCancellable  *cancellable,
                GError       **error)
{
  Mark *m = data;
  g_autofree char *now = _sy_store_now ();
  sqlite3_stmt *update = NULL, *quarantine = NULL;
  gboolean ok = TRUE;

  REQUIRE_OPEN (db, error);
  if (!_sy_store_exec (db, "BEGIN IMMEDIATE", error))
    return NULL;
  if (!prepare (db, "UPDATE statements SET synced = ?2 WHERE id = ?1 AND synced = 0",
                &update, error) ||
      (m->reason != NULL &&
       !prepare (db, "INSERT INTO quarantine (statement_id, status, reason, since) "
                     "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (statement_id) DO UPDATE SET "
                     "status = excluded.status, reason = excluded.reason", &quarantine, error)))
    ok = FALSE;

  for (guint i = 0; ok && i < m->ids->len; i++)
    {
      const char *id = g_ptr_array_index (m->ids, i);

      sqlite3_bind_text (update, 1, id, -1, SQLITE_STATIC);
      sqlite3_bind_int (update, 2, m->reason != NULL ? 2 : 1);
      ok = sqlite3_step (update) == SQLITE_DONE;
      sqlite3_reset (update);
      if (ok && quarantine != NULL)
        {
          sqlite3_bind_text (quarantine, 1, id, -1, SQLITE_STATIC);
          sqlite3_bind_int (quarantine, 2, m->status);
          sqlite3_bind_text (quarantine, 3, m->reason, -1, SQLITE_STATIC);
          sqlite3_bind_text (quarantine, 4, now, -1, SQLITE_STATIC);
          ok = sqlite3_step (quarantine) == SQLITE_DONE;
          sqlite3_reset (quarantine);
        }
      if (!ok)
        _sy_store_db_error (db, error);
    }
  sqlite3_finalize (update);
  sqlite3_finalize (quarantine);
  if (!ok || !_sy_store_exec (db, "COMMIT", error))
    {
      _sy_store_exec (db, "ROLLBACK", NULL);
      return NULL;
    }
  return GINT_TO_POINTER (TRUE);
}

/* The hub has these statements: they leave the outbox. */
gboolean
_sy_store_outbox_done (SyStore    *self,
                       GPtrArray  *ids,
                       GError    **error)
{
  Mark *m = g_new0 (Mark, 1);

  m->ids = g_ptr_array_ref (ids);
  return _sy_store_run (self, do_outbox_mark, m, (GDestroyNotify) mark_free, NULL, NULL,
                        error) != NULL;
}

/* The hub refused @id for good (HTTP @status, its words @reason): it leaves the outbox for
 * the quarantine, where a coordinator sees it. */
gboolean
_sy_store_outbox_quarantine (SyStore     *self,
                             const char  *id,
                             guint        status,
                             const char  *reason,
                             GError     **error)
{
  Mark *m = g_new0 (Mark, 1);

  m->ids = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (m->ids, g_strdup (id));
  m->status = status;
  m->reason = g_strdup (reason);
  return _sy_store_run (self, do_outbox_mark, m, (GDestroyNotify) mark_free, NULL, NULL,
                        error) != NULL;
}

/* ---- learners ---- */

static gpointer
do_unregistered_learners (SyStore       *self,
                          sqlite3       *db,
                          gpointer       data,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_autoptr(GPtrArray) learners = g_ptr_array_new_with_free_func (json_unref);
  sqlite3_stmt *stmt;
  int rc;

  REQUIRE_OPEN (db, error);
  if (!prepare (db, "SELECT uuid, name, role, pin_hash, external_id FROM learners "
                    "WHERE hub_registered = 0 ORDER BY created", &stmt, error))
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      json_object *learner = json_object_new_object ();
      json_object *roles = json_object_new_array ();

      json_object_object_add (learner, "uuid",
                              json_object_new_string ((const char *) sqlite3_column_text (stmt, 0)));
      json_object_object_add (learner, "name",
                              json_object_new_string ((const char *) sqlite3_column_text (stmt, 1)));
      json_object_array_add (roles, json_object_new_string ((const char *) sqlite3_column_text (stmt, 2)));
      json_object_object_add (learner, "roles", roles);
      json_object_object_add (learner, "pin_hash", sqlite3_column_type (stmt, 3) == SQLITE_NULL ? NULL :
                              json_object_new_string ((const char *) sqlite3_column_text (stmt, 3)));
      json_object_object_add (learner, "external_id", sqlite3_column_type (stmt, 4) == SQLITE_NULL ? NULL :
                              json_object_new_string ((const char *) sqlite3_column_text (stmt, 4)));
      g_ptr_array_add (learners, learner);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return (_sy_store_db_error (db, error), NULL);
  return g_steal_pointer (&learners);
}

/* The learners the hub does not know as they are here: json objects with uuid, name,
 * roles, pin_hash and external_id (the body of PUT /api/v1/learners/{uuid}). */
GPtrArray *
_sy_store_unregistered_learners (SyStore  *self,
                                 GError  **error)
{
  return _sy_store_run (self, do_unregistered_learners, NULL, NULL,
                        (GDestroyNotify) g_ptr_array_unref, NULL, error);
}

static gpointer
do_learner_registered (SyStore       *self,
                       sqlite3       *db,
                       gpointer       data,
                       GCancellable  *cancellable,
                       GError       **error)
{
  json_object *learner = data;
  json_object *pin = NULL, *ext = NULL, *name = NULL, *uuid = NULL;
  sqlite3_stmt *stmt;

  REQUIRE_OPEN (db, error);
  json_object_object_get_ex (learner, "uuid", &uuid);
  json_object_object_get_ex (learner, "name", &name);
  json_object_object_get_ex (learner, "pin_hash", &pin);
  json_object_object_get_ex (learner, "external_id", &ext);
  /* only if the learner is still as sent: a change meanwhile is registered next time */
  if (!prepare (db, "UPDATE learners SET hub_registered = 1 WHERE uuid = ?1 AND name = ?2 "
                    "AND pin_hash IS ?3 AND external_id IS ?4", &stmt, error))
    return NULL;
  sqlite3_bind_text (stmt, 1, json_object_get_string (uuid), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, json_object_get_string (name), -1, SQLITE_STATIC);
  if (pin != NULL)
    sqlite3_bind_text (stmt, 3, json_object_get_string (pin), -1, SQLITE_STATIC);
  if (ext != NULL)
    sqlite3_bind_text (stmt, 4, json_object_get_string (ext), -1, SQLITE_STATIC);
  return step_done (db, stmt, error) ? GINT_TO_POINTER (TRUE) : NULL;
}

gboolean
_sy_store_learner_registered (SyStore      *self,
                              json_object  *learner,
                              GError      **error)
{
  return _sy_store_run (self, do_learner_registered, json_object_get (learner),
                        json_unref, NULL, NULL, error) != NULL;
}

static gpointer
do_merge_learners (SyStore       *self,
                   sqlite3       *db,
                   gpointer       data,
                   GCancellable  *cancellable,
                   GError       **error)
{
  json_object *list = data;
  g_autofree char *now = _sy_store_now ();
  sqlite3_stmt *stmt = NULL;
  guint added = 0;
  gboolean ok = TRUE;

  REQUIRE_OPEN (db, error);
  if (!_sy_store_exec (db, "BEGIN IMMEDIATE", error))
    return NULL;
  /* A learner changed here and not yet registered keeps this PC's version: it goes to
   * the hub on the next push. */
  ok = prepare (db, "INSERT INTO learners (uuid, name, role, pin_hash, external_id, created, "
                    "  hub_registered) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1) "
                    "ON CONFLICT (uuid) DO UPDATE SET name = excluded.name, "
                    "  role = excluded.role, pin_hash = excluded.pin_hash, "
                    "  external_id = excluded.external_id, hub_registered = 1 "
                    "WHERE learners.hub_registered = 1", &stmt, error);
  for (size_t i = 0; ok && i < json_object_array_length (list); i++)
    {
      json_object *learner = json_object_array_get_idx (list, i);
      json_object *roles = NULL;
      const char *uuid = _sy_json_member_string (learner, "uuid");
      const char *name = _sy_json_member_string (learner, "name");
      const char *role = "learner";
      const char *updated;
      gboolean existed;
      sqlite3_stmt *known;

      if (uuid == NULL || name == NULL)
        continue;
      if (json_object_object_get_ex (learner, "roles", &roles) &&
          json_object_is_type (roles, json_type_array))
        for (size_t r = 0; r < json_object_array_length (roles); r++)
          {
            const char *text = json_object_get_string (json_object_array_get_idx (roles, r));
            SyRole parsed;

            /* the highest role this PC knows */
            if (text != NULL && sy_role_from_string (text, &parsed) &&
                (g_str_equal (role, "learner") ||
                 (g_str_equal (role, "teacher") && parsed == SY_ROLE_COORDINATOR)))
              role = sy_role_to_string (parsed);
          }

      if (!prepare (db, "SELECT 1 FROM learners WHERE uuid = ?", &known, error))
        {
          ok = FALSE;
          break;
        }
      sqlite3_bind_text (known, 1, uuid, -1, SQLITE_STATIC);
      existed = sqlite3_step (known) == SQLITE_ROW;
      sqlite3_finalize (known);

      sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, name, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, role, -1, SQLITE_STATIC);
      /* a NULL text binds NULL */
      sqlite3_bind_text (stmt, 4, _sy_json_member_string (learner, "pin_hash"), -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 5, _sy_json_member_string (learner, "external_id"), -1, SQLITE_STATIC);
      updated = _sy_json_member_string (learner, "updated");
      sqlite3_bind_text (stmt, 6, updated != NULL ? updated : now, -1, SQLITE_STATIC);
      ok = sqlite3_step (stmt) == SQLITE_DONE;
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      if (!ok)
        _sy_store_db_error (db, error);
      else if (!existed)
        added++;
    }
  sqlite3_finalize (stmt);
  if (!ok || !_sy_store_exec (db, "COMMIT", error))
    {
      _sy_store_exec (db, "ROLLBACK", NULL);
      return NULL;
    }
  return GUINT_TO_POINTER (added + 1);
}

/* Adds or updates the learners of the hub's registry (a JSON array of its learner
 * objects). Returns FALSE on error; @n_added: learners new to this PC. */
gboolean
_sy_store_merge_learners (SyStore      *self,
                          json_object  *learners,
                          guint        *n_added,
                          GError      **error)
{
  gpointer result = _sy_store_run (self, do_merge_learners, json_object_get (learners),
                                   json_unref, NULL, NULL, error);

  if (n_added)
    *n_added = result ? GPOINTER_TO_UINT (result) - 1 : 0;
  return result != NULL;
}

/* ---- pulled statements ---- */

typedef struct
{
  json_object *statements;
  guint        added;
} Merge;

static void
merge_free (Merge *m)
{
  json_object_put (m->statements);
  g_free (m);
}

static gpointer
do_merge_statements (SyStore       *self,
                     sqlite3       *db,
                     gpointer       data,
                     GCancellable  *cancellable,
                     GError       **error)
{
  Merge *m = data;
  g_autofree char *now = _sy_store_now ();
  g_autoptr(GHashTable) touched = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  sqlite3_stmt *learner = NULL, *mark = NULL;
  gboolean ok = TRUE;

  REQUIRE_OPEN (db, error);
  if (!_sy_store_exec (db, "BEGIN IMMEDIATE", error))
    return NULL;
  if (!prepare (db, "SELECT 1 FROM learners WHERE uuid = ?", &learner, error) ||
      !prepare (db, "UPDATE statements SET synced = 1, stored = coalesce (stored, ?2) "
                    "WHERE id = ?1 AND synced != 1", &mark, error))
    ok = FALSE;

  for (size_t i = 0; ok && i < json_object_array_length (m->statements); i++)
    {
      json_object *statement = json_object_array_get_idx (m->statements, i);
      json_object *actor = NULL, *account = NULL;
      const char *id = _sy_json_member_string (statement, "id");
      const char *name;
      g_autoptr(GError) local = NULL;
      gboolean inserted = FALSE, known;

      /* Only this PC's learners (a hub sends those of the organisation, all registered
       * here by now; another LRS may hold anybody's). */
      if (id == NULL ||
          !json_object_object_get_ex (statement, "actor", &actor) ||
          !json_object_object_get_ex (actor, "account", &account) ||
          !(name = _sy_json_member_string (account, "name")))
        continue;
      sqlite3_bind_text (learner, 1, name, -1, SQLITE_STATIC);
      known = sqlite3_step (learner) == SQLITE_ROW;
      sqlite3_reset (learner);
      if (!known)
        continue;

      if (!_sy_store_insert_statement_deferred (db, statement, now, &inserted, touched, &local))
        {
          if (g_error_matches (local, SY_STORE_ERROR, SY_STORE_ERROR_DATABASE))
            {
              g_propagate_error (error, g_steal_pointer (&local));
              ok = FALSE;
              break;
            }
          /* one unreadable statement does not stop the others */
          g_warning ("A pulled statement was left out: %s", local->message);
          continue;
        }
      if (inserted)
        m->added++;
      /* inserted or not, the hub has it: a statement sent by a push whose answer was
       * lost comes back here and leaves the outbox */
      sqlite3_bind_text (mark, 1, id, -1, SQLITE_STATIC);
      if (_sy_json_member_string (statement, "stored"))
        sqlite3_bind_text (mark, 2, _sy_json_member_string (statement, "stored"), -1, SQLITE_STATIC);
      else
        sqlite3_bind_null (mark, 2);
      ok = sqlite3_step (mark) == SQLITE_DONE;
      sqlite3_reset (mark);
      if (!ok)
        _sy_store_db_error (db, error);
    }
  sqlite3_finalize (learner);
  sqlite3_finalize (mark);
  if (!ok || !_sy_store_refresh_keys (db, touched, error) || !_sy_store_exec (db, "COMMIT", error))
    {
      _sy_store_exec (db, "ROLLBACK", NULL);
      return NULL;
    }
  return GINT_TO_POINTER (TRUE);
}

/* Adds a page of pulled statements (a JSON array) in one transaction: known ones are
 * skipped, others' learners ignored, projections refreshed. */
gboolean
_sy_store_merge_statements (SyStore      *self,
                            json_object  *statements,
                            guint        *n_added,
                            GError      **error)
{
  Merge *m = g_new0 (Merge, 1);
  gboolean ok;

  m->statements = json_object_get (statements);
  /* the job owns m until it is freed with the job, so read the count inside */
  ok = _sy_store_run (self, do_merge_statements, m, NULL, NULL, NULL, error) != NULL;
  if (n_added)
    *n_added = ok ? m->added : 0;
  merge_free (m);
  return ok;
}

/* ---- enrolment and status ---- */

static gpointer
do_sync_reset (SyStore       *self,
               sqlite3       *db,
               gpointer       data,
               GCancellable  *cancellable,
               GError       **error)
{
  REQUIRE_OPEN (db, error);
  if (!_sy_store_exec (db,
        "BEGIN IMMEDIATE;"
        "UPDATE statements SET synced = 0 WHERE synced = 1;"
        "UPDATE learners SET hub_registered = 0;"
        "DELETE FROM settings WHERE key LIKE 'sync.%';"
        "COMMIT;", error))
    {
      _sy_store_exec (db, "ROLLBACK", NULL);
      return NULL;
    }
  return GINT_TO_POINTER (TRUE);
}

/* A new hub: every record and learner goes to it (a hub takes again what it has as a
 * no-op), and pulling starts from the beginning. The quarantine stays. */
gboolean
_sy_store_sync_reset (SyStore  *self,
                      GError  **error)
{
  return _sy_store_run (self, do_sync_reset, NULL, NULL, NULL, NULL, error) != NULL;
}

void
sy_sync_status_free (SySyncStatus *status)
{
  if (status == NULL)
    return;
  g_free (status->last_synced);
  g_free (status->last_error);
  g_free (status);
}

static gpointer
do_get_status (SyStore       *self,
               sqlite3       *db,
               gpointer       data,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr(SySyncStatus) status = g_new0 (SySyncStatus, 1);
  sqlite3_stmt *stmt;
  int rc;

  REQUIRE_OPEN (db, error);
  if (!prepare (db, "SELECT (SELECT count (*) FROM statements WHERE synced = 0), "
                    " (SELECT count (*) FROM statements WHERE synced = 2), "
                    " (SELECT value FROM settings WHERE key = 'sync.last_synced'), "
                    " (SELECT value FROM settings WHERE key = 'sync.last_error'), "
                    " (SELECT value FROM settings WHERE key = 'sync.last_error_code')", &stmt, error))
    return NULL;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      status->waiting = sqlite3_column_int (stmt, 0);
      status->quarantined = sqlite3_column_int (stmt, 1);
      status->last_synced = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      status->last_error = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      status->last_error_code = status->last_error != NULL && sqlite3_column_type (stmt, 4) != SQLITE_NULL
                                ? sqlite3_column_int (stmt, 4) : -1;
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW)
    return (_sy_store_db_error (db, error), NULL);
  return g_steal_pointer (&status);
}

SySyncStatus *
sy_sync_get_status (SyStore       *store,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_return_val_if_fail (SY_IS_STORE (store), NULL);
  return _sy_store_run (store, do_get_status, NULL, NULL, (GDestroyNotify) sy_sync_status_free,
                        cancellable, error);
}

void
sy_sync_get_status_async (SyStore             *store,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (SY_IS_STORE (store));
  _sy_store_queue (store, do_get_status, NULL, NULL, (GDestroyNotify) sy_sync_status_free,
                   sy_sync_get_status_async, cancellable, callback, user_data);
}

SySyncStatus *
sy_sync_get_status_finish (SyStore       *store,
                           GAsyncResult  *result,
                           GError       **error)
{
  return _sy_store_finish (store, result, sy_sync_get_status_async, error);
}

/* ---- the quarantine ---- */

void
sy_quarantined_free (SyQuarantined *item)
{
  if (item == NULL)
    return;
  g_free (item->statement_id);
  g_free (item->learner_uuid);
  g_free (item->learner_name);
  g_free (item->verb);
  g_free (item->activity);
  g_free (item->timestamp);
  g_free (item->reason);
  g_free (item->since);
  g_free (item);
}

static gpointer
do_list_quarantine (SyStore       *self,
                    sqlite3       *db,
                    gpointer       data,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) sy_quarantined_free);
  sqlite3_stmt *stmt;
  int rc;

  REQUIRE_OPEN (db, error);
  if (!prepare (db, "SELECT q.statement_id, s.learner_uuid, l.name, s.verb, s.activity, "
                    " s.timestamp, q.status, q.reason, q.since FROM quarantine q "
                    "JOIN statements s ON s.id = q.statement_id "
                    "LEFT JOIN learners l ON l.uuid = s.learner_uuid "
                    "WHERE s.synced = 2 ORDER BY q.since, s.rowid", &stmt, error))
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SyQuarantined *item = g_new0 (SyQuarantined, 1);

      item->statement_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      item->learner_uuid = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      item->learner_name = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      item->verb = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      item->activity = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
      item->timestamp = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
      item->status = sqlite3_column_int (stmt, 6);
      item->reason = g_strdup ((const char *) sqlite3_column_text (stmt, 7));
      item->since = g_strdup ((const char *) sqlite3_column_text (stmt, 8));
      g_ptr_array_add (list, item);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return (_sy_store_db_error (db, error), NULL);
  return g_steal_pointer (&list);
}

/**
 * sy_store_list_quarantine:
 *
 * Returns: (transfer full) (element-type SyQuarantined): the statements a hub refused for
 * good, oldest first
 */
GPtrArray *
sy_store_list_quarantine (SyStore       *self,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_return_val_if_fail (SY_IS_STORE (self), NULL);
  return _sy_store_run (self, do_list_quarantine, NULL, NULL,
                        (GDestroyNotify) g_ptr_array_unref, cancellable, error);
}

/* sy-store-records.c — the statement log and its projections
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Statements are never edited: a mistake is voided by another statement. A learner's
 * progress on an item is a projection of the set of their statements about it —
 * status is a maximum, best score a maximum, attempts and time are sums over distinct
 * statements — recomputed from the log whenever a statement about the item arrives, in the
 * same transaction. So order, duplicates and voiding never change the result: two PCs
 * holding the same set of statements show the same progress.
 */
#define G_LOG_DOMAIN "ShuyuanCore"

#include "config.h"

#include <math.h>

#include "sy-certificate.h"
#include "sy-i18n.h"
#include "sy-statement.h"
#include "sy-store-private.h"
#include "sy-util.h"

#define PROJECTION_SELECT \
  "SELECT learner_uuid, course_id, item_id, max (status), max (score), sum (attempt), " \
  "       sum (seconds) " \
  "FROM statements " \
  "WHERE voided = 0 AND learner_uuid IS NOT NULL AND course_id IS NOT NULL " \
  "  AND item_id IS NOT NULL "

#define PROJECTION_UPSERT \
  "INSERT INTO item_progress (learner_uuid, course_id, item_id, status, best_score, " \
  "                           attempts, seconds) " \
  PROJECTION_SELECT "%s GROUP BY learner_uuid, course_id, item_id " \
  "ON CONFLICT (learner_uuid, course_id, item_id) DO UPDATE SET status = excluded.status, " \
  "  best_score = excluded.best_score, attempts = excluded.attempts, seconds = excluded.seconds"

/* Recomputes one learner's progress on one item from the log. */
static gboolean
refresh_projection (sqlite3     *db,
                    const char  *learner_uuid,
                    const char  *course_id,
                    const char  *item_id,
                    GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (learner_uuid == NULL || course_id == NULL || item_id == NULL)
    return TRUE;

  /* the item may have no statement left (all voided) */
  if (sqlite3_prepare_v2 (db, "DELETE FROM item_progress WHERE learner_uuid = ?1 "
                              "AND course_id = ?2 AND item_id = ?3", -1, &stmt, NULL) != SQLITE_OK)
    return _sy_store_db_error (db, error);
  sqlite3_bind_text (stmt, 1, learner_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, course_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, item_id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return _sy_store_db_error (db, error);

  {
    g_autofree char *sql = g_strdup_printf (PROJECTION_UPSERT,
                                            "AND learner_uuid = ?1 AND course_id = ?2 "
                                            "AND item_id = ?3");
    if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
      return _sy_store_db_error (db, error);
  }
  sqlite3_bind_text (stmt, 1, learner_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, course_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, item_id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return _sy_store_db_error (db, error);
  return TRUE;
}

/**
 * _sy_store_rebuild_projections:
 *
 * Recomputes every projection from the log, in one statement.
 */
gboolean
_sy_store_rebuild_projections (sqlite3  *db,
                               GError  **error)
{
  g_autofree char *sql = g_strdup_printf ("DELETE FROM item_progress; " PROJECTION_UPSERT, "");

  return _sy_store_exec (db, sql, error);
}

/* The item a statement's projection belongs to: its own, or that of the one it voids. */
static gboolean
refresh_for_statement (sqlite3          *db,
                       SyStatementInfo  *info,
                       GError          **error)
{
  sqlite3_stmt *stmt;
  gboolean ok = TRUE;

  if (info->voids == NULL)
    return refresh_projection (db, info->learner_uuid, info->course_id, info->item_id, error);

  if (sqlite3_prepare_v2 (db, "SELECT learner_uuid, course_id, item_id FROM statements "
                              "WHERE id = ?", -1, &stmt, NULL) != SQLITE_OK)
    return _sy_store_db_error (db, error);
  sqlite3_bind_text (stmt, 1, info->voids, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    ok = refresh_projection (db, (const char *) sqlite3_column_text (stmt, 0),
                             (const char *) sqlite3_column_text (stmt, 1),
                             (const char *) sqlite3_column_text (stmt, 2), error);
  sqlite3_finalize (stmt);
  return ok;
}

static void
bind_text_or_null (sqlite3_stmt *stmt,
                   int           index,
                   const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, index);
}

static gboolean insert_statement (sqlite3 *db, json_object *statement, const char *recorded,
                                  gboolean *inserted, GHashTable *deferred, GError **error);

/**
 * _sy_store_insert_statement:
 * @inserted: (out) (optional): FALSE if a statement with that id was already there
 *
 * Adds a statement to the log and updates the projection it touches. Call inside a
 * transaction.
 */
gboolean
_sy_store_insert_statement (sqlite3      *db,
                            json_object  *statement,
                            const char   *recorded,
                            gboolean     *inserted,
                            GError      **error)
{
  return insert_statement (db, statement, recorded, inserted, NULL, error);
}

static gboolean insert_statement (sqlite3 *db, json_object *statement, const char *recorded,
                                  gboolean *inserted, GHashTable *deferred, GError **error);
static gboolean refresh_keys (sqlite3 *db, GHashTable *keys, GError **error);

/* Like _sy_store_insert_statement(), but the projection is refreshed later, by
 * _sy_store_refresh_keys() on @deferred (a set of keys), once for many statements. */
gboolean
_sy_store_insert_statement_deferred (sqlite3      *db,
                                     json_object  *statement,
                                     const char   *recorded,
                                     gboolean     *inserted,
                                     GHashTable   *deferred,
                                     GError      **error)
{
  return insert_statement (db, statement, recorded, inserted, deferred, error);
}

gboolean
_sy_store_refresh_keys (sqlite3     *db,
                        GHashTable  *deferred,
                        GError     **error)
{
  return refresh_keys (db, deferred, error);
}

/* A key of the projection a statement touches, for refreshing it later. */
static char *
projection_key (sqlite3         *db,
                SyStatementInfo *info)
{
  sqlite3_stmt *stmt;
  char *key = NULL;

  if (info->voids == NULL)
    return info->learner_uuid && info->course_id && info->item_id
           ? g_strjoin ("\n", info->learner_uuid, info->course_id, info->item_id, NULL) : NULL;

  if (sqlite3_prepare_v2 (db, "SELECT learner_uuid, course_id, item_id FROM statements "
                              "WHERE id = ? AND item_id IS NOT NULL", -1, &stmt, NULL) != SQLITE_OK)
    return NULL;
  sqlite3_bind_text (stmt, 1, info->voids, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    key = g_strjoin ("\n", sqlite3_column_text (stmt, 0), sqlite3_column_text (stmt, 1),
                     sqlite3_column_text (stmt, 2), NULL);
  sqlite3_finalize (stmt);
  return key;
}

static gboolean
refresh_keys (sqlite3     *db,
              GHashTable  *keys,
              GError     **error)
{
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, keys);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      g_auto(GStrv) parts = g_strsplit (key, "\n", 3);

      if (!refresh_projection (db, parts[0], parts[1], parts[2], error))
        return FALSE;
    }
  return TRUE;
}

/* @deferred (nullable): instead of refreshing the projection now, add its key to this set
 * (a bulk import refreshes each touched item once at the end: the same result, faster). */
static gboolean
insert_statement (sqlite3      *db,
                  json_object  *statement,
                  const char   *recorded,
                  gboolean     *inserted,
                  GHashTable   *deferred,
                  GError      **error)
{
  g_autoptr(SyStatementInfo) info = NULL;
  sqlite3_stmt *stmt;
  int rc;

  if (!(info = sy_statement_info_new (statement, error)))
    return FALSE;

  if (!_sy_store_prepare_cached (db,
        "INSERT INTO statements (id, learner_uuid, verb, activity, course_id, item_id, "
        "  question_id, registration, timestamp, stored, json, status, score, seconds, "
        "  attempt, voids, recorded, voided) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
        "  EXISTS (SELECT 1 FROM statements v WHERE v.voids = ?1)) "
        "ON CONFLICT (id) DO NOTHING", &stmt, error))
    return FALSE;

  sqlite3_bind_text (stmt, 1, info->id, -1, SQLITE_STATIC);
  bind_text_or_null (stmt, 2, info->learner_uuid);
  sqlite3_bind_text (stmt, 3, info->verb_id, -1, SQLITE_STATIC);
  {
    json_object *object = NULL, *oid = NULL;
    json_object_object_get_ex (statement, "object", &object);
    json_object_object_get_ex (object, "id", &oid);
    sqlite3_bind_text (stmt, 4, oid ? json_object_get_string (oid) : "", -1, SQLITE_TRANSIENT);
  }
  bind_text_or_null (stmt, 5, info->course_id);
  bind_text_or_null (stmt, 6, info->item_id);
  bind_text_or_null (stmt, 7, info->question_id);
  bind_text_or_null (stmt, 8, info->registration);
  sqlite3_bind_text (stmt, 9, info->timestamp, -1, SQLITE_STATIC);
  bind_text_or_null (stmt, 10, info->stored);
  sqlite3_bind_text (stmt, 11, json_object_to_json_string_ext (statement, JSON_C_TO_STRING_PLAIN |
                                                                          JSON_C_TO_STRING_NOSLASHESCAPE),
                     -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 12, info->status);
  if (isnan (info->score))
    sqlite3_bind_null (stmt, 13);
  else
    sqlite3_bind_double (stmt, 13, info->score);
  sqlite3_bind_double (stmt, 14, info->seconds);
  sqlite3_bind_int (stmt, 15, info->attempt);
  bind_text_or_null (stmt, 16, info->voids);
  sqlite3_bind_text (stmt, 17, recorded, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_DONE)
    return _sy_store_db_error (db, error);

  if (inserted)
    *inserted = sqlite3_changes (db) > 0;
  if (sqlite3_changes (db) == 0)
    return TRUE;   /* already known: a retried upload or a second import changes nothing */

  if (info->voids != NULL)
    {
      if (sqlite3_prepare_v2 (db, "UPDATE statements SET voided = 1 WHERE id = ? "
                                  "AND verb != 'http://adlnet.gov/expapi/verbs/voided'",
                              -1, &stmt, NULL) != SQLITE_OK)
        return _sy_store_db_error (db, error);
      sqlite3_bind_text (stmt, 1, info->voids, -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
      sqlite3_finalize (stmt);
      if (rc != SQLITE_DONE)
        return _sy_store_db_error (db, error);
    }

  if (deferred != NULL)
    {
      char *key = projection_key (db, info);
      if (key != NULL)
        g_hash_table_add (deferred, key);
      return TRUE;
    }
  return refresh_for_statement (db, info, error);
}

/* Migration 2: fills the index columns of statements written before them. A statement
 * that cannot be read keeps its row (records are never dropped) and counts for nothing. */
gboolean
_sy_store_reindex_statements (sqlite3  *db,
                              GError  **error)
{
  sqlite3_stmt *rows, *update;
  gboolean ok = TRUE;

  if (sqlite3_prepare_v2 (db, "SELECT rowid, json FROM statements", -1, &rows, NULL) != SQLITE_OK)
    return _sy_store_db_error (db, error);
  if (sqlite3_prepare_v2 (db, "UPDATE statements SET learner_uuid = ?2, course_id = ?3, "
                              " item_id = ?4, question_id = ?5, status = ?6, score = ?7, "
                              " seconds = ?8, attempt = ?9, voids = ?10 WHERE rowid = ?1",
                          -1, &update, NULL) != SQLITE_OK)
    {
      sqlite3_finalize (rows);
      return _sy_store_db_error (db, error);
    }

  while (ok && sqlite3_step (rows) == SQLITE_ROW)
    {
      json_object *st = json_tokener_parse ((const char *) sqlite3_column_text (rows, 1));
      g_autoptr(SyStatementInfo) info = NULL;
      g_autoptr(GError) local = NULL;

      if (st == NULL || !(info = sy_statement_info_new (st, &local)))
        {
          g_warning ("A statement cannot be read and will not count: %s",
                     local ? local->message : "not JSON");
          json_object_put (st);
          continue;
        }
      json_object_put (st);

      sqlite3_reset (update);
      sqlite3_bind_int64 (update, 1, sqlite3_column_int64 (rows, 0));
      bind_text_or_null (update, 2, info->learner_uuid);
      bind_text_or_null (update, 3, info->course_id);
      bind_text_or_null (update, 4, info->item_id);
      bind_text_or_null (update, 5, info->question_id);
      sqlite3_bind_int (update, 6, info->status);
      if (isnan (info->score))
        sqlite3_bind_null (update, 7);
      else
        sqlite3_bind_double (update, 7, info->score);
      sqlite3_bind_double (update, 8, info->seconds);
      sqlite3_bind_int (update, 9, info->attempt);
      bind_text_or_null (update, 10, info->voids);
      ok = sqlite3_step (update) == SQLITE_DONE;
    }
  sqlite3_finalize (rows);
  sqlite3_finalize (update);
  if (!ok)
    return _sy_store_db_error (db, error);

  return _sy_store_exec (db, "UPDATE statements SET voided = EXISTS (SELECT 1 FROM statements v "
                             " WHERE v.voids = statements.id) "
                             "WHERE verb != 'http://adlnet.gov/expapi/verbs/voided'", error) &&
         _sy_store_rebuild_projections (db, error);
}

/* ---- recording events ---- */

static char *
get_setting (sqlite3    *db,
             const char *key,
             const char *fallback)
{
  sqlite3_stmt *stmt;
  char *value = NULL;

  if (sqlite3_prepare_v2 (db, "SELECT value FROM settings WHERE key = ?", -1, &stmt, NULL) == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      sqlite3_finalize (stmt);
    }
  return value ? value : g_strdup (fallback);
}

static char *
learner_name (sqlite3    *db,
              const char *learner_uuid)
{
  sqlite3_stmt *stmt;
  char *name = NULL;

  if (sqlite3_prepare_v2 (db, "SELECT name FROM learners WHERE uuid = ?", -1, &stmt, NULL) == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, learner_uuid, -1, SQLITE_STATIC);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        name = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      sqlite3_finalize (stmt);
    }
  return name;
}

/* Builds the statement for @event, stamped now, and adds it to the log. */
static char *
insert_event (SyStore        *self,
              sqlite3        *db,
              const SyEvent  *event,
              GError        **error)
{
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *now = _sy_store_now ();
  g_autofree char *name = learner_name (db, event->learner_uuid);
  g_autofree char *home_page = get_setting (db, "home_page", SY_DEFAULT_HOME_PAGE);
  g_autofree char *instructor = NULL;
  json_object *statement;
  SyEvent filled = *event;
  gboolean ok;

  if (filled.instructor_uuid != NULL && filled.instructor_name == NULL)
    filled.instructor_name = instructor = learner_name (db, filled.instructor_uuid);

  statement = sy_statement_build (&filled, id, now, name, home_page, sy_store_get_device_id (self));
  ok = _sy_store_insert_statement (db, statement, now, NULL, error);
  json_object_put (statement);
  return ok ? g_steal_pointer (&id) : NULL;
}

/* A course is completed when every item is: lessons, surveys and puzzles completed,
 * quizzes passed. The first time, a statement says so; its id makes the certificate's
 * code. Statements pulled from elsewhere never add one: only learning on this PC does. */
static gboolean
check_course_completion (SyStore     *self,
                         sqlite3     *db,
                         const char  *learner_uuid,
                         const char  *course_id,
                         GError     **error)
{
  sqlite3_stmt *stmt;
  int total = 0, done = 0, already = 0;
  g_autofree char *title = NULL;

  if (sqlite3_prepare_v2 (db,
        "SELECT count (*), coalesce (sum (CASE WHEN i.type = 'quiz' THEN p.status >= 3 "
        "                             ELSE p.status >= 2 END), 0), "
        "  (SELECT count (*) FROM statements s WHERE s.learner_uuid = ?1 AND s.course_id = ?2 "
        "     AND s.item_id IS NULL AND s.verb = 'http://adlnet.gov/expapi/verbs/completed' "
        "     AND s.voided = 0), "
        "  (SELECT title FROM courses WHERE id = ?2) "
        "FROM items i LEFT JOIN item_progress p ON p.course_id = i.course_id "
        "  AND p.item_id = i.id AND p.learner_uuid = ?1 "
        "WHERE i.course_id = ?2", -1, &stmt, NULL) != SQLITE_OK)
    return _sy_store_db_error (db, error);
  sqlite3_bind_text (stmt, 1, learner_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, course_id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      total = sqlite3_column_int (stmt, 0);
      done = sqlite3_column_int (stmt, 1);
      already = sqlite3_column_int (stmt, 2);
      title = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
    }
  sqlite3_finalize (stmt);

  if (total > 0 && done == total && already == 0)
    {
      g_autoptr(SyText) name = title ? sy_text_new_from_string (title) : NULL;
      g_autofree char *id = NULL;
      SyEvent event;

      sy_event_init (&event);
      event.learner_uuid = learner_uuid;
      event.course_id = course_id;
      event.verb = SY_VERB_COMPLETED;
      event.completion = TRUE;
      event.success = TRUE;
      event.object_name = name;
      if (!(id = insert_event (self, db, &event, error)))
        return FALSE;
    }
  return TRUE;
}

/* For the classroom (sy-store-classes.c): the same statements and completion check as a
 * learner's own quiz. Call inside a transaction. */
char *
_sy_store_insert_event (SyStore        *self,
                        sqlite3        *db,
                        const SyEvent  *event,
                        GError        **error)
{
  return insert_event (self, db, event, error);
}

gboolean
_sy_store_check_course_completion (SyStore     *self,
                                   sqlite3     *db,
                                   const char  *learner_uuid,
                                   const char  *course_id,
                                   GError     **error)
{
  return check_course_completion (self, db, learner_uuid, course_id, error);
}

static gpointer
do_record (SyStore       *self,
           sqlite3       *db,
           gpointer       data,
           GCancellable  *cancellable,
           GError       **error)
{
  const SyEvent *event = data;
  g_autofree char *id = NULL;

  REQUIRE_OPEN (db, error);

  if (event->learner_uuid == NULL ||
      (event->verb != SY_VERB_VOIDED && event->course_id == NULL && event->object_iri == NULL) ||
      event->verb >= SY_VERB_OTHER || (event->verb == SY_VERB_VOIDED && event->voids == NULL))
    {
      g_set_error_literal (error, SY_STORE_ERROR, SY_STORE_ERROR_INVALID,
                           "An event needs a learner, a verb and what it is about.");
      return NULL;
    }

  /* the statement and the projection it changes, in one transaction */
  if (!_sy_store_exec (db, "BEGIN IMMEDIATE", error))
    return NULL;
  if (!(id = insert_event (self, db, event, error)) ||
      (event->course_id != NULL && event->item_id != NULL &&
       !check_course_completion (self, db, event->learner_uuid, event->course_id, error)) ||
      !_sy_store_exec (db, "COMMIT", error))
    {
      _sy_store_exec (db, "ROLLBACK", NULL);
      return NULL;
    }
  return g_steal_pointer (&id);
}

/* An event owns nothing; a queued one must keep copies of what it points to. */
typedef struct
{
  SyEvent  event;
  GPtrArray *strings;
} EventCopy;

static const char *
keep (EventCopy  *copy,
      const char *s)
{
  if (s == NULL)
    return NULL;
  g_ptr_array_add (copy->strings, g_strdup (s));
  return g_ptr_array_index (copy->strings, copy->strings->len - 1);
}

static EventCopy *
event_copy (const SyEvent *event)
{
  EventCopy *copy = g_new0 (EventCopy, 1);

  copy->strings = g_ptr_array_new_with_free_func (g_free);
  copy->event = *event;
  copy->event.learner_uuid = keep (copy, event->learner_uuid);
  copy->event.course_id = keep (copy, event->course_id);
  copy->event.item_id = keep (copy, event->item_id);
  copy->event.question_id = keep (copy, event->question_id);
  copy->event.registration = keep (copy, event->registration);
  copy->event.response = keep (copy, event->response);
  copy->event.voids = keep (copy, event->voids);
  copy->event.object_iri = keep (copy, event->object_iri);
  copy->event.object_type = keep (copy, event->object_type);
  copy->event.instructor_uuid = keep (copy, event->instructor_uuid);
  copy->event.instructor_name = keep (copy, event->instructor_name);
  copy->event.team_uuid = keep (copy, event->team_uuid);
  copy->event.team_name = keep (copy, event->team_name);
  copy->event.object_name = event->object_name ? sy_text_ref (event->object_name) : NULL;
  return copy;
}

static void
event_copy_free (EventCopy *copy)
{
  g_clear_pointer (&copy->event.object_name, sy_text_unref);
  g_ptr_array_unref (copy->strings);
  g_free (copy);
}

/**
 * sy_store_record_async:
 *
 * Records a learning event as an xAPI statement and updates the learner's progress, in
 * one durable transaction. The event is copied: it may go out of scope at once.
 */
void
sy_store_record_async (SyStore             *self,
                       const SyEvent       *event,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_return_if_fail (SY_IS_STORE (self));
  g_return_if_fail (event != NULL);
  _sy_store_queue (self, do_record, event_copy (event), (GDestroyNotify) event_copy_free,
                   g_free, sy_store_record_async, cancellable, callback, user_data);
}

/**
 * sy_store_record_finish:
 *
 * Returns: (transfer full): the new statement's id
 */
char *
sy_store_record_finish (SyStore       *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  return _sy_store_finish (self, result, sy_store_record_async, error);
}

char *
sy_store_record (SyStore        *self,
                 const SyEvent  *event,
                 GCancellable   *cancellable,
                 GError        **error)
{
  g_return_val_if_fail (SY_IS_STORE (self), NULL);
  g_return_val_if_fail (event != NULL, NULL);
  return _sy_store_run (self, do_record, event_copy (event), (GDestroyNotify) event_copy_free,
                        g_free, cancellable, error);
}

/* ---- quiz attempts ---- */

void
sy_attempt_free (SyAttempt *attempt)
{
  if (attempt == NULL)
    return;
  g_free (attempt->registration);
  g_free (attempt->started);
  g_clear_pointer (&attempt->answers, g_hash_table_unref);
  g_free (attempt);
}

typedef struct
{
  char *learner_uuid;
  char *course_id;
  char *item_id;
} ItemRef;

static ItemRef *
item_ref_new (const char *learner_uuid,
              const char *course_id,
              const char *item_id)
{
  ItemRef *ref = g_new0 (ItemRef, 1);

  ref->learner_uuid = g_strdup (learner_uuid);
  ref->course_id = g_strdup (course_id);
  ref->item_id = g_strdup (item_id);
  return ref;
}

static void
item_ref_free (ItemRef *ref)
{
  g_free (ref->learner_uuid);
  g_free (ref->course_id);
  g_free (ref->item_id);
  g_free (ref);
}

/* ---- what a class quiz (sy-store-classes.c) shares with a learner's own ---- */

void
_sy_item_row_clear (SyItemRow *item)
{
  g_clear_pointer (&item->title, g_free);
  g_clear_pointer (&item->file, g_free);
  g_clear_pointer (&item->content_dir, g_free);
}

/* An installed item, or %SY_STORE_ERROR_NOT_FOUND. @item->type is left as it is when
 * the stored type is unknown. */
gboolean
_sy_store_load_item (sqlite3     *db,
                     const char  *course_id,
                     const char  *item_id,
                     SyItemRow   *item,
                     GError     **error)
{
  sqlite3_stmt *stmt;
  gboolean found = FALSE;
  int rc;

  if (sqlite3_prepare_v2 (db, "SELECT i.type, i.title, i.file, i.pass_score, i.max_attempts, "
                              "  c.content_dir FROM items i JOIN courses c ON c.id = i.course_id "
                              "WHERE i.course_id = ? AND i.id = ?", -1, &stmt, NULL) != SQLITE_OK)
    return _sy_store_db_error (db, error);
  sqlite3_bind_text (stmt, 1, course_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, item_id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      found = TRUE;
      sy_item_type_from_string ((const char *) sqlite3_column_text (stmt, 0), &item->type);
      item->title = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      item->file = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      item->pass_score = sqlite3_column_double (stmt, 3);
      item->max_attempts = sqlite3_column_int (stmt, 4);
      item->content_dir = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return _sy_store_db_error (db, error);
  if (!found)
    {
      g_set_error (error, SY_STORE_ERROR, SY_STORE_ERROR_NOT_FOUND,
                   _("There is no item “%s” in the course “%s”."), item_id, course_id);
      return FALSE;
    }
  return TRUE;
}

/* How many attempts the learner has made at the item, or -1 with @error set. */
int
_sy_store_count_attempts (sqlite3     *db,
                          const char  *learner_uuid,
                          const char  *course_id,
                          const char  *item_id,
                          GError     **error)
{
  sqlite3_stmt *stmt;
  int attempts = 0;
  int rc;

  if (sqlite3_prepare_v2 (db, "SELECT attempts FROM item_progress "
                              "WHERE learner_uuid = ? AND course_id = ? AND item_id = ?",
                          -1, &stmt, NULL) != SQLITE_OK)
    return (_sy_store_db_error (db, error), -1);
  sqlite3_bind_text (stmt, 1, learner_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, course_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, item_id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    attempts = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return (_sy_store_db_error (db, error), -1);
  return attempts;
}

/* The answers of an attempt, the last one for each question counting: into @responses
 * (question id → response) those that have a response, into @right (question id →
 * whether it was right) all of them. Either table may be %NULL. */
gboolean
_sy_store_last_answers (sqlite3     *db,
                        const char  *registration,
                        GHashTable  *responses,
                        GHashTable  *right,
                        GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (sqlite3_prepare_v2 (db, "SELECT question_id, json_extract (json, '$.result.response'), "
                              "  json_extract (json, '$.result.success') "
                              "FROM statements WHERE registration = ? AND question_id IS NOT NULL "
                              "  AND voided = 0 AND verb = 'http://adlnet.gov/expapi/verbs/answered' "
                              "ORDER BY timestamp, id", -1, &stmt, NULL) != SQLITE_OK)
    return _sy_store_db_error (db, error);
  sqlite3_bind_text (stmt, 1, registration, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *question_id = (const char *) sqlite3_column_text (stmt, 0);

      if (responses != NULL && sqlite3_column_type (stmt, 1) != SQLITE_NULL)
        g_hash_table_insert (responses, g_strdup (question_id),
                             g_strdup ((const char *) sqlite3_column_text (stmt, 1)));
      if (right != NULL)
        g_hash_table_insert (right, g_strdup (question_id),
                             GINT_TO_POINTER (sqlite3_column_int (stmt, 2) == 1));
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return _sy_store_db_error (db, error);
  return TRUE;
}

/* ---- attempts ---- */

static gboolean
load_answers (sqlite3     *db,
              SyAttempt   *attempt,
              GError     **error)
{
  attempt->answers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return _sy_store_last_answers (db, attempt->registration, attempt->answers, NULL, error);
}

static SyAttempt *
load_open_attempt (sqlite3      *db,
                   ItemRef      *ref,
                   GError      **error)
{
  g_autoptr(SyAttempt) attempt = NULL;
  sqlite3_stmt *stmt;
  json_object *json = NULL;
  int rc;

  if (sqlite3_prepare_v2 (db,
        "SELECT a.registration, a.json, "
        "  (SELECT count (*) FROM statements b WHERE b.attempt = 1 AND b.voided = 0 "
        "     AND b.learner_uuid = a.learner_uuid AND b.course_id = a.course_id "
        "     AND b.item_id = a.item_id AND (b.timestamp < a.timestamp "
        "       OR (b.timestamp = a.timestamp AND b.id <= a.id))) "
        "FROM statements a "
        "WHERE a.learner_uuid = ?1 AND a.course_id = ?2 AND a.item_id = ?3 AND a.attempt = 1 "
        "  AND a.voided = 0 AND a.registration IS NOT NULL AND NOT EXISTS ("
        "    SELECT 1 FROM statements f WHERE f.registration = a.registration "
        "      AND f.question_id IS NULL AND f.voided = 0 AND f.verb IN " SY_STORE_RESULT_VERBS ") "
        "ORDER BY a.timestamp DESC, a.id DESC LIMIT 1", -1, &stmt, NULL) != SQLITE_OK)
    return (_sy_store_db_error (db, error), NULL);
  sqlite3_bind_text (stmt, 1, ref->learner_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, ref->course_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, ref->item_id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      attempt = g_new0 (SyAttempt, 1);
      attempt->registration = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      attempt->number = sqlite3_column_int (stmt, 2);
      attempt->seed = 0;
      json = json_tokener_parse ((const char *) sqlite3_column_text (stmt, 1));
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return (_sy_store_db_error (db, error), NULL);
  if (attempt == NULL)
    return NULL;   /* none open: not an error */

  if (json != NULL)
    {
      g_autoptr(SyStatementInfo) info = sy_statement_info_new (json, NULL);
      if (info != NULL && info->seed >= 0)
        attempt->seed = info->seed;
      json_object_put (json);
    }

  if (!load_answers (db, attempt, error))
    return NULL;

  return g_steal_pointer (&attempt);
}

static gpointer
do_get_open_attempt (SyStore       *self,
                     sqlite3       *db,
                     gpointer       data,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autoptr(GError) local = NULL;
  SyAttempt *attempt;

  REQUIRE_OPEN (db, error);
  attempt = load_open_attempt (db, data, &local);
  if (local != NULL)
    g_propagate_error (error, g_steal_pointer (&local));
  else if (attempt == NULL)
    g_set_error_literal (error, SY_STORE_ERROR, SY_STORE_ERROR_NOT_FOUND,
                         _("There is no unfinished attempt."));
  return attempt;
}

static gpointer
do_start_attempt (SyStore       *self,
                  sqlite3       *db,
                  gpointer       data,
                  GCancellable  *cancellable,
                  GError       **error)
{
  ItemRef *ref = data;
  g_autofree char *registration = g_uuid_string_random ();
  g_autofree char *id = NULL;
  g_auto(SyItemRow) item = { .type = SY_ITEM_QUIZ };
  int attempts;
  SyAttempt *attempt;
  SyEvent event;

  REQUIRE_OPEN (db, error);

  if (!_sy_store_load_item (db, ref->course_id, ref->item_id, &item, error) ||
      (attempts = _sy_store_count_attempts (db, ref->learner_uuid, ref->course_id, ref->item_id,
                                            error)) < 0)
    return NULL;
  if (item.max_attempts > 0 && attempts >= item.max_attempts)
    {
      g_set_error (error, SY_STORE_ERROR, SY_STORE_ERROR_NO_ATTEMPTS_LEFT,
                   g_dngettext (GETTEXT_PACKAGE, "This quiz allows %d attempt, and it has been used.",
                                "This quiz allows %d attempts, and they have been used.",
                                item.max_attempts), item.max_attempts);
      return NULL;
    }

  attempt = g_new0 (SyAttempt, 1);
  attempt->registration = g_strdup (registration);
  attempt->number = attempts + 1;
  attempt->seed = g_random_int ();
  attempt->answers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  {
    g_autoptr(SyText) name = item.title ? sy_text_new_from_string (item.title) : NULL;

    sy_event_init (&event);
    event.learner_uuid = ref->learner_uuid;
    event.course_id = ref->course_id;
    event.item_id = ref->item_id;
    event.item_type = item.type;
    event.verb = SY_VERB_ATTEMPTED;
    event.registration = registration;
    event.seed = attempt->seed;
    event.object_name = name;

    if (!_sy_store_exec (db, "BEGIN IMMEDIATE", error))
      return (sy_attempt_free (attempt), NULL);
    if (!(id = insert_event (self, db, &event, error)) || !_sy_store_exec (db, "COMMIT", error))
      {
        _sy_store_exec (db, "ROLLBACK", NULL);
        sy_attempt_free (attempt);
        return NULL;
      }
  }
  return attempt;
}

/**
 * sy_store_start_attempt:
 *
 * Starts a new attempt at a quiz or survey (an `attempted` statement with a fresh
 * registration and shuffle seed), if the attempt limit allows one.
 *
 * Returns: (transfer full): the attempt
 */
SyAttempt *
sy_store_start_attempt (SyStore       *self,
                        const char    *learner_uuid,
                        const char    *course_id,
                        const char    *item_id,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_return_val_if_fail (SY_IS_STORE (self), NULL);
  return _sy_store_run (self, do_start_attempt, item_ref_new (learner_uuid, course_id, item_id),
                        (GDestroyNotify) item_ref_free, (GDestroyNotify) sy_attempt_free,
                        cancellable, error);
}

/**
 * sy_store_get_open_attempt:
 *
 * Returns: (transfer full): the latest attempt at the item that has no result yet, with its
 *   answers; %NULL with %SY_STORE_ERROR_NOT_FOUND when there is none
 */
SyAttempt *
sy_store_get_open_attempt (SyStore       *self,
                           const char    *learner_uuid,
                           const char    *course_id,
                           const char    *item_id,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_return_val_if_fail (SY_IS_STORE (self), NULL);
  return _sy_store_run (self, do_get_open_attempt,
                        item_ref_new (learner_uuid, course_id, item_id),
                        (GDestroyNotify) item_ref_free, (GDestroyNotify) sy_attempt_free,
                        cancellable, error);
}

void
sy_store_start_attempt_async (SyStore             *self,
                              const char          *learner_uuid,
                              const char          *course_id,
                              const char          *item_id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (SY_IS_STORE (self));
  _sy_store_queue (self, do_start_attempt, item_ref_new (learner_uuid, course_id, item_id),
                   (GDestroyNotify) item_ref_free, (GDestroyNotify) sy_attempt_free,
                   sy_store_start_attempt_async, cancellable, callback, user_data);
}

SyAttempt *
sy_store_start_attempt_finish (SyStore       *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return _sy_store_finish (self, result, sy_store_start_attempt_async, error);
}

void
sy_store_get_open_attempt_async (SyStore             *self,
                                 const char          *learner_uuid,
                                 const char          *course_id,
                                 const char          *item_id,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (SY_IS_STORE (self));
  _sy_store_queue (self, do_get_open_attempt, item_ref_new (learner_uuid, course_id, item_id),
                   (GDestroyNotify) item_ref_free, (GDestroyNotify) sy_attempt_free,
                   sy_store_get_open_attempt_async, cancellable, callback, user_data);
}

/**
 * sy_store_get_open_attempt_finish:
 *
 * Returns: (transfer full): the open attempt, or %NULL with %SY_STORE_ERROR_NOT_FOUND
 */
SyAttempt *
sy_store_get_open_attempt_finish (SyStore       *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return _sy_store_finish (self, result, sy_store_get_open_attempt_async, error);
}

static gpointer
do_list_attempts (SyStore       *self,
                  sqlite3       *db,
                  gpointer       data,
                  GCancellable  *cancellable,
                  GError       **error)
{
  ItemRef *ref = data;
  g_autoptr(GPtrArray) attempts = g_ptr_array_new_with_free_func ((GDestroyNotify) sy_attempt_free);
  sqlite3_stmt *stmt;
  int rc;

  REQUIRE_OPEN (db, error);

  /* each attempt with its result, if any: the first result recorded for it counts */
  if (sqlite3_prepare_v2 (db,
        "SELECT a.registration, json_extract (a.json, '$.context.extensions.\"" SY_SEED_EXTENSION "\"'), "
        "  (SELECT f.verb FROM statements f WHERE f.registration = a.registration "
        "     AND f.question_id IS NULL AND f.voided = 0 AND f.verb IN " SY_STORE_RESULT_VERBS
        "     ORDER BY f.timestamp, f.id LIMIT 1), "
        "  (SELECT f.score FROM statements f WHERE f.registration = a.registration "
        "     AND f.question_id IS NULL AND f.voided = 0 AND f.verb IN " SY_STORE_RESULT_VERBS
        "     ORDER BY f.timestamp, f.id LIMIT 1), "
        "  a.timestamp "
        "FROM statements a "
        "WHERE a.learner_uuid = ?1 AND a.course_id = ?2 AND a.item_id = ?3 AND a.attempt = 1 "
        "  AND a.voided = 0 AND a.registration IS NOT NULL "
        "ORDER BY a.timestamp, a.id", -1, &stmt, NULL) != SQLITE_OK)
    return (_sy_store_db_error (db, error), NULL);
  sqlite3_bind_text (stmt, 1, ref->learner_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, ref->course_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, ref->item_id, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SyAttempt *attempt = g_new0 (SyAttempt, 1);
      const char *verb = (const char *) sqlite3_column_text (stmt, 2);

      attempt->registration = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      attempt->number = attempts->len + 1;
      attempt->seed = sqlite3_column_type (stmt, 1) == SQLITE_NULL ? 0 : sqlite3_column_int64 (stmt, 1);
      attempt->finished = verb != NULL;
      attempt->passed = verb != NULL && !g_str_has_suffix (verb, "/failed");
      attempt->score = sqlite3_column_type (stmt, 3) == SQLITE_NULL ? -1 : sqlite3_column_double (stmt, 3);
      attempt->started = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
      g_ptr_array_add (attempts, attempt);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return (_sy_store_db_error (db, error), NULL);

  for (guint i = 0; i < attempts->len; i++)
    if (!load_answers (db, g_ptr_array_index (attempts, i), error))
      return NULL;
  return g_steal_pointer (&attempts);
}

/**
 * sy_store_list_attempts:
 *
 * Returns: (transfer full) (element-type SyAttempt): the learner's attempts at the item,
 *   oldest first, each with its answers and result (for reviewing them)
 */
GPtrArray *
sy_store_list_attempts (SyStore       *self,
                        const char    *learner_uuid,
                        const char    *course_id,
                        const char    *item_id,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_return_val_if_fail (SY_IS_STORE (self), NULL);
  return _sy_store_run (self, do_list_attempts, item_ref_new (learner_uuid, course_id, item_id),
                        (GDestroyNotify) item_ref_free, (GDestroyNotify) g_ptr_array_unref,
                        cancellable, error);
}

void
sy_store_list_attempts_async (SyStore             *self,
                              const char          *learner_uuid,
                              const char          *course_id,
                              const char          *item_id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (SY_IS_STORE (self));
  _sy_store_queue (self, do_list_attempts, item_ref_new (learner_uuid, course_id, item_id),
                   (GDestroyNotify) item_ref_free, (GDestroyNotify) g_ptr_array_unref,
                   sy_store_list_attempts_async, cancellable, callback, user_data);
}

GPtrArray *
sy_store_list_attempts_finish (SyStore       *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return _sy_store_finish (self, result, sy_store_list_attempts_async, error);
}

/* ---- progress ---- */

void
sy_course_progress_free (SyCourseProgress *progress)
{
  if (progress == NULL)
    return;
  g_free (progress->learner_uuid);
  g_free (progress->learner_name);
  g_free (progress->external_id);
  g_free (progress->course_id);
  g_clear_pointer (&progress->course_title, sy_text_unref);
  g_free (progress->programme);
  g_free (progress->completed);
  g_free (progress->completion_id);
  g_free (progress);
}

static gpointer
do_list_progress (SyStore       *self,
                  sqlite3       *db,
                  gpointer       data,
                  GCancellable  *cancellable,
                  GError       **error)
{
  const char *learner_uuid = data;
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) sy_course_progress_free);
  sqlite3_stmt *stmt;
  int rc;

  REQUIRE_OPEN (db, error);

  /* with a learner: every installed course; without: every course someone has begun */
  if (sqlite3_prepare_v2 (db,
        "SELECT l.uuid, l.name, l.external_id, c.id, c.title, c.programme, c.class_hours, "
        "  c.credits, "
        "  (SELECT count (*) FROM items i WHERE i.course_id = c.id), "
        "  (SELECT count (*) FROM items i JOIN item_progress p ON p.course_id = i.course_id "
        "     AND p.item_id = i.id AND p.learner_uuid = l.uuid "
        "   WHERE i.course_id = c.id AND p.status >= 2), "
        "  (SELECT coalesce (sum (p.seconds), 0) FROM item_progress p "
        "   WHERE p.learner_uuid = l.uuid AND p.course_id = c.id), "
        "  (SELECT s.timestamp FROM statements s WHERE s.learner_uuid = l.uuid "
        "     AND s.course_id = c.id AND s.item_id IS NULL AND s.voided = 0 "
        "     AND s.verb = 'http://adlnet.gov/expapi/verbs/completed' "
        "   ORDER BY s.timestamp, s.id LIMIT 1), "
        "  (SELECT s.id FROM statements s WHERE s.learner_uuid = l.uuid "
        "     AND s.course_id = c.id AND s.item_id IS NULL AND s.voided = 0 "
        "     AND s.verb = 'http://adlnet.gov/expapi/verbs/completed' "
        "   ORDER BY s.timestamp, s.id LIMIT 1) "
        "FROM learners l CROSS JOIN courses c "
        "WHERE (?1 IS NOT NULL AND l.uuid = ?1) OR (?1 IS NULL AND EXISTS ("
        "  SELECT 1 FROM item_progress p WHERE p.learner_uuid = l.uuid AND p.course_id = c.id)) "
        "ORDER BY l.name, l.uuid, c.programme, c.id", -1, &stmt, NULL) != SQLITE_OK)
    return (_sy_store_db_error (db, error), NULL);
  if (learner_uuid)
    sqlite3_bind_text (stmt, 1, learner_uuid, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SyCourseProgress *p = g_new0 (SyCourseProgress, 1);

      p->learner_uuid = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      p->learner_name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      p->external_id = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      p->course_id = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      p->course_title = sy_text_new_from_string ((const char *) sqlite3_column_text (stmt, 4));
      p->programme = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
      p->class_hours = sqlite3_column_double (stmt, 6);
      p->credits = sqlite3_column_double (stmt, 7);
      p->n_items = sqlite3_column_int (stmt, 8);
      p->n_done = sqlite3_column_int (stmt, 9);
      p->seconds = sqlite3_column_double (stmt, 10);
      p->completed = g_strdup ((const char *) sqlite3_column_text (stmt, 11));
      p->completion_id = g_strdup ((const char *) sqlite3_column_text (stmt, 12));
      g_ptr_array_add (list, p);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return (_sy_store_db_error (db, error), NULL);

  if (learner_uuid != NULL && list->len == 0)
    {
      /* no courses, or no such learner: say which */
      if (sqlite3_prepare_v2 (db, "SELECT 1 FROM learners WHERE uuid = ?", -1, &stmt, NULL) == SQLITE_OK)
        {
          sqlite3_bind_text (stmt, 1, learner_uuid, -1, SQLITE_STATIC);
          rc = sqlite3_step (stmt);
          sqlite3_finalize (stmt);
          if (rc != SQLITE_ROW)
            {
              g_set_error (error, SY_STORE_ERROR, SY_STORE_ERROR_NOT_FOUND,
                           _("There is no learner “%s” on this PC."), learner_uuid);
              return NULL;
            }
        }
    }
  return g_steal_pointer (&list);
}

/**
 * sy_store_list_progress:
 * @learner_uuid: (nullable): one learner, or %NULL for everyone who has begun a course
 *
 * Returns: (transfer full) (element-type SyCourseProgress): progress per learner and course
 */
GPtrArray *
sy_store_list_progress (SyStore       *self,
                        const char    *learner_uuid,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_return_val_if_fail (SY_IS_STORE (self), NULL);
  return _sy_store_run (self, do_list_progress, g_strdup (learner_uuid), g_free,
                        (GDestroyNotify) g_ptr_array_unref, cancellable, error);
}

void
sy_store_list_progress_async (SyStore             *self,
                              const char          *learner_uuid,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (SY_IS_STORE (self));
  _sy_store_queue (self, do_list_progress, g_strdup (learner_uuid), g_free,
                   (GDestroyNotify) g_ptr_array_unref, sy_store_list_progress_async,
                   cancellable, callback, user_data);
}

GPtrArray *
sy_store_list_progress_finish (SyStore       *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return _sy_store_finish (self, result, sy_store_list_progress_async, error);
}

static gpointer
do_rebuild (SyStore       *self,
            sqlite3       *db,
            gpointer       data,
            GCancellable  *cancellable,
            GError       **error)
{
  REQUIRE_OPEN (db, error);
  if (!_sy_store_exec (db, "BEGIN IMMEDIATE", error))
    return NULL;
  if (!_sy_store_rebuild_projections (db, error) || !_sy_store_exec (db, "COMMIT", error))
    {
      _sy_store_exec (db, "ROLLBACK", NULL);
      return NULL;
    }
  return GINT_TO_POINTER (TRUE);
}

/**
 * sy_store_rebuild_projections:
 *
 * Recomputes every learner's progress from the statement log.
 */
gboolean
sy_store_rebuild_projections (SyStore       *self,
                              GCancellable  *cancellable,
                              GError       **error)
{
  g_return_val_if_fail (SY_IS_STORE (self), FALSE);
  return _sy_store_run (self, do_rebuild, NULL, NULL, NULL, cancellable, error) != NULL;
}

/* ---- moving statements as JSON lines ---- */

typedef struct
{
  char          *since;
  GOutputStream *output;
  GInputStream  *input;
  guint          n_written;
  guint          n_added;
  guint          n_known;
} Transfer;

static void
transfer_free (Transfer *t)
{
  g_free (t->since);
  g_clear_object (&t->output);
  g_clear_object (&t->input);
  g_free (t);
}

static gpointer
do_export (SyStore       *self,
           sqlite3       *db,
           gpointer       data,
           GCancellable  *cancellable,
           GError       **error)
{
  Transfer *t = data;
  sqlite3_stmt *stmt;
  int rc;

  REQUIRE_OPEN (db, error);

  if (sqlite3_prepare_v2 (db, "SELECT json FROM statements WHERE ?1 IS NULL OR recorded > ?1 "
                              "ORDER BY recorded, id", -1, &stmt, NULL) != SQLITE_OK)
    return (_sy_store_db_error (db, error), NULL);
  if (t->since)
    sqlite3_bind_text (stmt, 1, t->since, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *json = (const char *) sqlite3_column_text (stmt, 0);

      if (!g_output_stream_write_all (t->output, json, strlen (json), NULL, cancellable, error) ||
          !g_output_stream_write_all (t->output, "\n", 1, NULL, cancellable, error))
        {
          sqlite3_finalize (stmt);
          return NULL;
        }
      t->n_written++;
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return (_sy_store_db_error (db, error), NULL);
  if (!g_output_stream_flush (t->output, cancellable, error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

/**
 * sy_store_export_statements:
 * @since: (nullable): only statements recorded on this PC after this ISO 8601 time
 * @n_written: (out) (optional): how many were written
 *
 * Writes statements as JSON lines, in the order this PC recorded them.
 */
gboolean
sy_store_export_statements (SyStore        *self,
                            const char     *since,
                            GOutputStream  *output,
                            guint          *n_written,
                            GCancellable   *cancellable,
                            GError        **error)
{
  Transfer *t;
  gboolean ok;

  g_return_val_if_fail (SY_IS_STORE (self), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (output), FALSE);

  t = g_new0 (Transfer, 1);
  t->since = g_strdup (since);
  t->output = g_object_ref (output);
  /* the job owns t; read the count before it goes */
  ok = _sy_store_run (self, do_export, t, NULL, NULL, cancellable, error) != NULL;
  if (n_written)
    *n_written = t->n_written;
  transfer_free (t);
  return ok;
}

static gpointer
do_import (SyStore       *self,
           sqlite3       *db,
           gpointer       data,
           GCancellable  *cancellable,
           GError       **error)
{
  Transfer *t = data;
  g_autoptr(GDataInputStream) in = g_data_input_stream_new (t->input);
  g_autoptr(GHashTable) touched = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *now = _sy_store_now ();
  guint line_no = 0;

  REQUIRE_OPEN (db, error);

  /* all or nothing: a damaged file changes nothing, and importing again is a no-op */
  if (!_sy_store_exec (db, "BEGIN IMMEDIATE", error))
    return NULL;
  for (;;)
    {
      g_autoptr(GError) local = NULL;
      g_autofree char *line = g_data_input_stream_read_line_utf8 (in, NULL, cancellable, &local);
      json_object *statement;
      gboolean inserted = FALSE, ok;

      if (local != NULL)
        {
          g_set_error (error, SY_STATEMENT_ERROR, SY_STATEMENT_ERROR_INVALID,
                       _("Line %u: %s"), line_no + 1, local->message);
          goto fail;
        }
      if (line == NULL)
        break;
      line_no++;
      g_strstrip (line);
      if (line[0] == '\0')
        continue;

      if (!(statement = json_tokener_parse (line)))
        {
          g_set_error (error, SY_STATEMENT_ERROR, SY_STATEMENT_ERROR_INVALID,
                       _("Line %u is not a JSON statement. Nothing was imported."), line_no);
          goto fail;
        }
      ok = insert_statement (db, statement, now, &inserted, touched, &local);
      json_object_put (statement);
      if (!ok)
        {
          g_set_error (error, SY_STATEMENT_ERROR, SY_STATEMENT_ERROR_INVALID,
                       _("Line %u: %s Nothing was imported."), line_no, local->message);
          goto fail;
        }
      if (inserted)
        t->n_added++;
      else
        t->n_known++;
    }
  if (!refresh_keys (db, touched, error) || !_sy_store_exec (db, "COMMIT", error))
    goto fail;
  return GINT_TO_POINTER (TRUE);

fail:
  _sy_store_exec (db, "ROLLBACK", NULL);
  t->n_added = t->n_known = 0;
  return NULL;
}

/**
 * sy_store_import_statements:
 * @n_added: (out) (optional): statements new to this PC
 * @n_known: (out) (optional): statements it already had
 *
 * Reads statements as JSON lines and adds those not already here, updating progress.
 * Either every line is taken or none is.
 */
gboolean
sy_store_import_statements (SyStore        *self,
                            GInputStream   *input,
                            guint          *n_added,
                            guint          *n_known,
                            GCancellable   *cancellable,
                            GError        **error)
{
  Transfer *t;
  gboolean ok;

  g_return_val_if_fail (SY_IS_STORE (self), FALSE);
  g_return_val_if_fail (G_IS_INPUT_STREAM (input), FALSE);

  t = g_new0 (Transfer, 1);
  t->input = g_object_ref (input);
  ok = _sy_store_run (self, do_import, t, NULL, NULL, cancellable, error) != NULL;
  if (n_added)
    *n_added = t->n_added;
  if (n_known)
    *n_known = t->n_known;
  transfer_free (t);
  return ok;
}

/* ---- certificates ---- */

typedef struct
{
  char *learner_uuid;
  char *course_id;
  char *path;
} WriteCertificate;

static void
write_certificate_free (WriteCertificate *data)
{
  g_free (data->learner_uuid);
  g_free (data->course_id);
  g_free (data->path);
  g_free (data);
}

static gpointer
do_write_certificate (SyStore       *self,
                      sqlite3       *db,
                      gpointer       data,
                      GCancellable  *cancellable,
                      GError       **error)
{
  WriteCertificate *w = data;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GDateTime) completed = NULL;
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *code = NULL;
  g_autofree char *issuer = NULL;
  SyCourseProgress *p = NULL;
  SyCertificateInfo info = { 0 };

  REQUIRE_OPEN (db, error);

  if (!(list = do_list_progress (self, db, w->learner_uuid, cancellable, error)))
    return NULL;
  for (guint i = 0; i < list->len; i++)
    if (g_str_equal (((SyCourseProgress *) g_ptr_array_index (list, i))->course_id, w->course_id))
      p = g_ptr_array_index (list, i);

  if (p == NULL)
    {
      g_set_error (error, SY_STORE_ERROR, SY_STORE_ERROR_NOT_FOUND,
                   _("There is no course “%s” on this PC."), w->course_id);
      return NULL;
    }
  if (p->completion_id == NULL || !(completed = g_date_time_new_from_iso8601 (p->completed, NULL)))
    {
      g_set_error (error, SY_STORE_ERROR, SY_STORE_ERROR_INVALID,
                   _("%s has not completed “%s” yet: a certificate comes with completing "
                     "every lesson, quiz and survey."),
                   p->learner_name, sy_text_get (p->course_title, NULL));
      return NULL;
    }

  local = g_date_time_to_local (completed);
  code = sy_certificate_make_code (p->completion_id, p->learner_uuid, p->course_id);
  issuer = get_setting (db, "organisation", "");
  info.learner_name = p->learner_name;
  info.external_id = p->external_id;
  info.course_title = sy_text_get (p->course_title, NULL);
  info.programme = sy_programme_display_name (p->programme);
  info.class_hours = p->class_hours;
  info.credits = p->credits;
  info.completed = local;
  info.verification_code = code;
  info.issuer = issuer[0] ? issuer : NULL;

  if (!sy_certificate_write_pdf (&info, w->path, error))
    return NULL;
  return g_steal_pointer (&code);
}

static WriteCertificate *
write_certificate_new (const char *learner_uuid,
                       const char *course_id,
                       const char *path)
{
  WriteCertificate *data = g_new0 (WriteCertificate, 1);

  data->learner_uuid = g_strdup (learner_uuid);
  data->course_id = g_strdup (course_id);
  data->path = g_strdup (path);
  return data;
}

/**
 * sy_store_write_certificate:
 * @path: where to write the PDF
 *
 * Writes the certificate of a completed course, in the user's language.
 *
 * Returns: (transfer full): the certificate's verification code
 */
char *
sy_store_write_certificate (SyStore       *self,
                            const char    *learner_uuid,
                            const char    *course_id,
                            const char    *path,
                            GCancellable  *cancellable,
                            GError       **error)
{
  g_return_val_if_fail (SY_IS_STORE (self), NULL);
  g_return_val_if_fail (learner_uuid && course_id && path, NULL);
  return _sy_store_run (self, do_write_certificate,
                        write_certificate_new (learner_uuid, course_id, path),
                        (GDestroyNotify) write_certificate_free, g_free, cancellable, error);
}

void
sy_store_write_certificate_async (SyStore             *self,
                                  const char          *learner_uuid,
                                  const char          *course_id,
                                  const char          *path,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (SY_IS_STORE (self));
  g_return_if_fail (learner_uuid && course_id && path);
  _sy_store_queue (self, do_write_certificate,
                   write_certificate_new (learner_uuid, course_id, path),
                   (GDestroyNotify) write_certificate_free, g_free,
                   sy_store_write_certificate_async, cancellable, callback, user_data);
}

char *
sy_store_write_certificate_finish (SyStore       *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return _sy_store_finish (self, result, sy_store_write_certificate_async, error);
}

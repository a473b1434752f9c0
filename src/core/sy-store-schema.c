/* sy-store-schema.c — the database schema and its forward migrations
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * PRAGMA user_version holds the schema version. Migration N takes a database at version
 * N-1 to version N inside one transaction, so a power cut leaves either version. Never
 * edit a migration that has shipped: add the next one, and a seed for it in
 * tests/test-store.c, which upgrades from every earlier version.
 */
#define G_LOG_DOMAIN "ShuyuanCore"

#include "config.h"

#include "sy-i18n.h"
#include "sy-store-private.h"

typedef struct
{
  const char *sql;
  /* C work after the SQL, in the same transaction (NULL for none) */
  gboolean  (*after) (sqlite3 *db, GError **error);
} Migration;

static const Migration migrations[SY_STORE_SCHEMA_VERSION] = {
  /* 1: the device, learners, installed courses, the statement log and projections */
  { "CREATE TABLE device ("
  "  id INTEGER PRIMARY KEY CHECK (id = 1),"
  "  uuid TEXT NOT NULL,"
  "  created TEXT NOT NULL);"

  "CREATE TABLE learners ("
  "  uuid TEXT PRIMARY KEY,"
  "  name TEXT NOT NULL,"
  "  role TEXT NOT NULL DEFAULT 'learner'"
  "       CHECK (role IN ('learner', 'teacher', 'coordinator')),"
  "  pin_hash TEXT,"
  "  external_id TEXT,"
  "  created TEXT NOT NULL);"

  "CREATE TABLE courses ("
  "  id TEXT PRIMARY KEY,"
  "  version INTEGER NOT NULL,"
  "  programme TEXT NOT NULL,"
  "  title TEXT NOT NULL,"
  "  description TEXT,"
  "  languages TEXT NOT NULL,"
  "  class_hours REAL NOT NULL,"
  "  credits REAL NOT NULL,"
  "  pass_score REAL NOT NULL,"
  "  cover TEXT,"
  "  content_dir TEXT NOT NULL UNIQUE,"
  "  sha256 TEXT NOT NULL,"
  "  imported TEXT NOT NULL);"

  "CREATE TABLE modules ("
  "  course_id TEXT NOT NULL REFERENCES courses (id) ON DELETE CASCADE,"
  "  id TEXT NOT NULL,"
  "  position INTEGER NOT NULL,"
  "  title TEXT NOT NULL,"
  "  PRIMARY KEY (course_id, id));"

  "CREATE TABLE items ("
  "  course_id TEXT NOT NULL,"
  "  id TEXT NOT NULL,"
  "  module_id TEXT NOT NULL,"
  "  position INTEGER NOT NULL,"
  "  type TEXT NOT NULL CHECK (type IN ('lesson', 'quiz', 'survey', 'puzzle')),"
  "  title TEXT NOT NULL,"
  "  file TEXT NOT NULL,"
  "  minutes REAL NOT NULL DEFAULT 0,"
  "  pass_score REAL NOT NULL,"
  "  max_attempts INTEGER NOT NULL DEFAULT 0,"
  "  feedback_at_end INTEGER NOT NULL DEFAULT 0,"
  "  PRIMARY KEY (course_id, id),"
  "  FOREIGN KEY (course_id, module_id) REFERENCES modules (course_id, id) ON DELETE CASCADE);"

  /* The immutable event log: one row per xAPI statement, keyed by the UUID made where it
   * happened. No foreign keys: statements pulled from the hub may name learners and
   * courses this PC has not seen yet. */
  "CREATE TABLE statements ("
  "  id TEXT PRIMARY KEY,"
  "  learner_uuid TEXT NOT NULL,"
  "  verb TEXT NOT NULL,"
  "  activity TEXT NOT NULL,"
  "  course_id TEXT,"
  "  item_id TEXT,"
  "  registration TEXT,"
  "  timestamp TEXT NOT NULL,"
  "  stored TEXT,"
  "  json TEXT NOT NULL,"
  "  synced INTEGER NOT NULL DEFAULT 0);"
  "CREATE INDEX statements_by_learner ON statements (learner_uuid, course_id, item_id);"
  "CREATE INDEX statements_outbox ON statements (synced) WHERE synced = 0;"

  /* Projections of the log, rebuilt from it at will; keyed by item id, not tied to the
   * items table, so progress survives a new version of a course. */
  "CREATE TABLE item_progress ("
  "  learner_uuid TEXT NOT NULL,"
  "  course_id TEXT NOT NULL,"
  "  item_id TEXT NOT NULL,"
  "  status INTEGER NOT NULL DEFAULT 0,"
  "  best_score REAL,"
  "  attempts INTEGER NOT NULL DEFAULT 0,"
  "  seconds REAL NOT NULL DEFAULT 0,"
  "  PRIMARY KEY (learner_uuid, course_id, item_id));", NULL },

  /* 2: the columns projections are computed from, read back from each statement's JSON
   * (so statements from anywhere are indexed alike); voiding; PIN lockouts; settings. */
  { "ALTER TABLE statements ADD COLUMN question_id TEXT;"
    "ALTER TABLE statements ADD COLUMN status INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE statements ADD COLUMN score REAL;"
    "ALTER TABLE statements ADD COLUMN seconds REAL NOT NULL DEFAULT 0;"
    "ALTER TABLE statements ADD COLUMN attempt INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE statements ADD COLUMN voids TEXT;"
    "ALTER TABLE statements ADD COLUMN voided INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE statements ADD COLUMN recorded TEXT NOT NULL DEFAULT '';"
    "CREATE INDEX statements_voids ON statements (voids) WHERE voids IS NOT NULL;"
    "CREATE INDEX statements_registration ON statements (registration)"
    "  WHERE registration IS NOT NULL;"
    "CREATE INDEX statements_recorded ON statements (recorded);"
    "CREATE TABLE pin_lockouts ("
    "  learner_uuid TEXT PRIMARY KEY REFERENCES learners (uuid) ON DELETE CASCADE,"
    "  failures INTEGER NOT NULL DEFAULT 0,"
    "  locked_until INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE settings ("
    "  key TEXT PRIMARY KEY,"
    "  value TEXT NOT NULL);",
    _sy_store_reindex_statements },

  /* 3: classrooms. A teacher's classes, their pupils (learners without PINs) and what is
   * assigned to them, and class sessions. What happens in a session (attendance, a class
   * quiz) is recorded as statements like everything else; these tables only say who is
   * in which class, so they are this PC's and are not synced. */
  { "ALTER TABLE learners ADD COLUMN avatar TEXT;"
    "CREATE TABLE classes ("
    "  uuid TEXT PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  teacher_uuid TEXT NOT NULL REFERENCES learners (uuid) ON DELETE CASCADE,"
    "  created TEXT NOT NULL,"
    "  archived INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX classes_by_teacher ON classes (teacher_uuid);"
    "CREATE TABLE class_members ("
    "  class_uuid TEXT NOT NULL REFERENCES classes (uuid) ON DELETE CASCADE,"
    "  learner_uuid TEXT NOT NULL REFERENCES learners (uuid) ON DELETE CASCADE,"
    "  position INTEGER NOT NULL,"
    "  PRIMARY KEY (class_uuid, learner_uuid));"
    "CREATE INDEX class_members_by_learner ON class_members (learner_uuid);"
    /* item_id NULL: the whole course. Not tied to the courses table: an assignment
     * survives a new version of its course, like progress does. */
    "CREATE TABLE class_assignments ("
    "  class_uuid TEXT NOT NULL REFERENCES classes (uuid) ON DELETE CASCADE,"
    "  course_id TEXT NOT NULL,"
    "  item_id TEXT,"
    "  position INTEGER NOT NULL,"
    "  assigned TEXT NOT NULL);"
    "CREATE UNIQUE INDEX class_assignments_unique ON class_assignments "
    "  (class_uuid, course_id, coalesce (item_id, ''));"
    "CREATE TABLE class_sessions ("
    "  uuid TEXT PRIMARY KEY,"
    "  class_uuid TEXT NOT NULL REFERENCES classes (uuid) ON DELETE CASCADE,"
    "  started TEXT NOT NULL,"
    "  title TEXT);"
    "CREATE INDEX class_sessions_by_class ON class_sessions (class_uuid, started);",
    NULL },

  /* 4: sync. statements.synced is 0 while a statement waits in the outbox, 1 once a hub
   * has it (acknowledged, or pulled from it) and 2 when the hub refused it for good; the
   * quarantine says why. learners.hub_registered: the hub knows this learner as they
   * are here (cleared when they change). The checkpoint and the last run's outcome are
   * settings (sync.*). */
  { "ALTER TABLE learners ADD COLUMN hub_registered INTEGER NOT NULL DEFAULT 0;"
    "CREATE TABLE quarantine ("
    "  statement_id TEXT PRIMARY KEY REFERENCES statements (id) ON DELETE CASCADE,"
    "  status INTEGER NOT NULL,"
    "  reason TEXT NOT NULL,"
    "  since TEXT NOT NULL);",
    NULL },
};

gboolean
_sy_store_db_error (sqlite3  *db,
                    GError  **error)
{
  g_set_error (error, SY_STORE_ERROR, SY_STORE_ERROR_DATABASE,
               _("The database failed: %s"), sqlite3_errmsg (db));
  return FALSE;
}

gboolean
_sy_store_exec (sqlite3     *db,
                const char  *sql,
                GError     **error)
{
  char *msg = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &msg) != SQLITE_OK)
    {
      g_set_error (error, SY_STORE_ERROR, SY_STORE_ERROR_DATABASE,
                   _("The database failed: %s"), msg ? msg : sqlite3_errmsg (db));
      sqlite3_free (msg);
      return FALSE;
    }
  return TRUE;
}

static int
get_user_version (sqlite3 *db)
{
  sqlite3_stmt *stmt;
  int version = -1;

  if (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return version;
}

/**
 * _sy_store_migrate:
 * @target_version: the version to reach; tests pass earlier versions to build old stores
 *
 * Applies the migrations between the database's version and @target_version.
 */
gboolean
_sy_store_migrate (sqlite3  *db,
                   int       target_version,
                   GError  **error)
{
  int version = get_user_version (db);

  g_assert (target_version >= 0 && target_version <= SY_STORE_SCHEMA_VERSION);

  if (version < 0)
    return _sy_store_db_error (db, error);
  if (version > SY_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, SY_STORE_ERROR, SY_STORE_ERROR_NEWER_SCHEMA,
                   _("This data was saved by a newer version of Shuyuan (database version %d; "
                     "this one knows up to %d). Install the newer Shuyuan."),
                   version, SY_STORE_SCHEMA_VERSION);
      return FALSE;
    }

  for (int v = version + 1; v <= target_version; v++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %d", v);

      g_debug ("Migrating the store to version %d", v);
      if (!_sy_store_exec (db, "BEGIN IMMEDIATE", error))
        return FALSE;
      if (!_sy_store_exec (db, migrations[v - 1].sql, error) ||
          (migrations[v - 1].after && !migrations[v - 1].after (db, error)) ||
          !_sy_store_exec (db, bump, error))
        {
          _sy_store_exec (db, "ROLLBACK", NULL);
          return FALSE;
        }
      if (!_sy_store_exec (db, "COMMIT", error))
        return FALSE;
    }
  return TRUE;
}

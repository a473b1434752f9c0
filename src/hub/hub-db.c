/* hub-db.c — the engine-neutral part of the SQL layer
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Markers, the prepared-statement cache, run state and argument checks live here; the
 * engines (hub-db-sqlite.c, hub-db-pg.c) do the rest through HubDbClass.
 */
#define G_LOG_DOMAIN "ShuyuanHub"

#include "config.h"

#include <string.h>

#include "hub-db-private.h"

G_DEFINE_QUARK (hub-db-error-quark, hub_db_error)

static void
stmt_finalize (gpointer data)
{
  HubDbStmt *stmt = data;

  stmt->db->klass->finalize (stmt);
}

void
_hub_db_init (HubDb            *db,
              const HubDbClass *klass)
{
  db->klass = klass;
  db->stmts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, stmt_finalize);
}

gboolean
hub_db_target_is_postgresql (const char *target)
{
  g_return_val_if_fail (target != NULL, FALSE);

  return g_str_has_prefix (target, "postgresql://") || g_str_has_prefix (target, "postgres://");
}

HubDb *
hub_db_open (const char  *target,
             GError     **error)
{
  g_return_val_if_fail (target != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (hub_db_target_is_postgresql (target))
    return _hub_db_pg_open (target, error);
  if (*target == '\0')
    {
      g_set_error_literal (error, HUB_DB_ERROR, HUB_DB_ERROR_CONNECT,
                           "No database given: pass a data directory or a postgresql:// URL");
      return NULL;
    }
  return _hub_db_sqlite_open (target, error);
}

void
hub_db_close (HubDb *db)
{
  if (db == NULL)
    return;

  /* Statements go before their connection. */
  g_clear_pointer (&db->stmts, g_hash_table_unref);
  db->klass->close (db);
}

HubDbEngine
hub_db_engine (HubDb *db)
{
  g_return_val_if_fail (db != NULL, HUB_DB_SQLITE);

  return db->klass->engine;
}

/* Calls @func for each stretch of @sql that is SQL text proper (not a string literal, a
 * quoted identifier or a comment). */
typedef void (*CodeFunc) (char *start, char *end, gpointer data);

static void
scan_code (char     *sql,
           CodeFunc  func,
           gpointer  data)
{
  char *p = sql;
  char *code = sql;

  while (*p != '\0')
    {
      char *skip_to = NULL;

      if (*p == '\'' || *p == '"')
        {
          char quote = *p;
          char *q = p + 1;

          for (;;)
            {
              if (*q == '\0')
                break;
              if (*q == quote)
                {
                  if (q[1] == quote)
                    {
                      q += 2;
                      continue;
                    }
                  q++;
                  break;
                }
              q++;
            }
          skip_to = q;
        }
      else if (p[0] == '-' && p[1] == '-')
        {
          char *q = strchr (p, '\n');

          skip_to = q != NULL ? q : p + strlen (p);
        }
      else if (p[0] == '/' && p[1] == '*')
        {
          char *q = strstr (p + 2, "*/");

          skip_to = q != NULL ? q + 2 : p + strlen (p);
        }

      if (skip_to != NULL)
        {
          if (p > code)
            func (code, p, data);
          p = skip_to;
          code = p;
        }
      else
        p++;
    }
  if (p > code)
    func (code, p, data);
}

static void
count_params_cb (char     *start,
                 char     *end,
                 gpointer  data)
{
  int *max = data;

  for (char *p = start; p < end; p++)
    {
      if (*p == '$' && p + 1 < end && g_ascii_isdigit (p[1]))
        {
          int n = 0;

          p++;
          while (p < end && g_ascii_isdigit (*p) && n < 100000)
            n = n * 10 + (*p++ - '0');
          p--;
          *max = MAX (*max, n);
        }
    }
}

int
_hub_db_count_params (const char *sql)
{
  int max = 0;

  /* scan_code does not write; the cast only shares it with the rewriter */
  scan_code ((char *) sql, count_params_cb, &max);
  return max;
}

static void
dollar_cb (char     *start,
           char     *end,
           gpointer  data)
{
  for (char *p = start; p + 1 < end; p++)
    if (*p == '$' && g_ascii_isdigit (p[1]))
      *p = '?';
}

void
_hub_db_dollar_to_question (char *sql)
{
  scan_code (sql, dollar_cb, NULL);
}

static const struct
{
  const char *marker;
  const char *sqlite;
  const char *postgresql;
} markers[] = {
  { "@SERIAL@", "INTEGER PRIMARY KEY AUTOINCREMENT", "BIGSERIAL PRIMARY KEY" },
  { "@BLOB@", "BLOB", "BYTEA" },
  { "@INT64@", "INTEGER", "BIGINT" },
  { "@WITHOUT_ROWID@", " WITHOUT ROWID", "" },
};

char *
hub_db_dialect (HubDb      *db,
                const char *sql)
{
  GString *out;
  const char *p = sql;

  g_return_val_if_fail (db != NULL, NULL);
  g_return_val_if_fail (sql != NULL, NULL);

  out = g_string_sized_new (strlen (sql) + 16);
  for (;;)
    {
      const char *at = strchr (p, '@');
      gboolean replaced = FALSE;

      if (at == NULL)
        {
          g_string_append (out, p);
          break;
        }
      g_string_append_len (out, p, at - p);
      for (gsize i = 0; i < G_N_ELEMENTS (markers); i++)
        {
          gsize len = strlen (markers[i].marker);

          if (strncmp (at, markers[i].marker, len) == 0)
            {
              g_string_append (out, db->klass->engine == HUB_DB_SQLITE
                                      ? markers[i].sqlite : markers[i].postgresql);
              p = at + len;
              replaced = TRUE;
              break;
            }
        }
      if (!replaced)
        {
          g_string_append_c (out, '@');
          p = at + 1;
        }
    }
  return g_string_free (out, FALSE);
}

gboolean
hub_db_exec (HubDb       *db,
             const char  *sql,
             GError     **error)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (sql != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  text = hub_db_dialect (db, sql);
  return db->klass->exec (db, text, error);
}

/* SQLite keeps a read transaction open while any statement is between its first row and
 * its end, so a statement a caller stopped reading early would pin an old snapshot. The
 * transaction boundaries end every such run. */
static void
reset_running (HubDb *db)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, db->stmts);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      HubDbStmt *stmt = value;

      if (stmt->state == HUB_DB_STMT_RUNNING)
        {
          db->klass->reset (stmt, FALSE);
          stmt->state = HUB_DB_STMT_READY;
        }
    }
}

gboolean
hub_db_begin (HubDb   *db,
              GError **error)
{
  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  reset_running (db);
  return db->klass->exec (db, db->klass->begin_sql, error);
}

gboolean
hub_db_begin_read (HubDb   *db,
                   GError **error)
{
  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  reset_running (db);
  return db->klass->exec (db, db->klass->begin_read_sql, error);
}

gboolean
hub_db_commit (HubDb   *db,
               GError **error)
{
  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  reset_running (db);
  /* PostgreSQL answers COMMIT of an aborted transaction by rolling it back, quietly. */
  if (db->klass->txn_aborted (db))
    {
      db->klass->exec (db, "ROLLBACK", NULL);
      g_set_error_literal (error, HUB_DB_ERROR, HUB_DB_ERROR_FAILED,
                           "The transaction was rolled back: a statement in it failed "
                           "(roll back to a savepoint to go on after an error)");
      return FALSE;
    }
  return db->klass->exec (db, "COMMIT", error);
}

void
hub_db_rollback (HubDb *db)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (db != NULL);

  reset_running (db);
  if (!db->klass->in_transaction (db))
    return;
  if (!db->klass->exec (db, "ROLLBACK", &error))
    g_debug ("Rollback failed: %s", error->message);
}

void
hub_db_reset_all (HubDb *db)
{
  g_return_if_fail (db != NULL);

  reset_running (db);
}

gboolean
hub_db_in_transaction (HubDb *db)
{
  g_return_val_if_fail (db != NULL, FALSE);

  return db->klass->in_transaction (db);
}

void
hub_db_track_wal (HubDb *db)
{
  g_return_if_fail (db != NULL);

  if (db->klass->track_wal != NULL)
    db->klass->track_wal (db);
}

gint64
hub_db_wal_frames (HubDb *db)
{
  g_return_val_if_fail (db != NULL, -1);

  return db->klass->wal_frames != NULL ? db->klass->wal_frames (db) : -1;
}

static gboolean
savepoint_name_ok (const char *name)
{
  if (name == NULL || *name == '\0')
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!(*p >= 'a' && *p <= 'z') && *p != '_')
      return FALSE;
  return TRUE;
}

static gboolean
savepoint_exec (HubDb       *db,
                const char  *verb,
                const char  *name,
                GError     **error)
{
  char sql[128];

  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (savepoint_name_ok (name), FALSE);
  g_return_val_if_fail (strlen (name) < 64, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_snprintf (sql, sizeof sql, "%s %s", verb, name);
  return db->klass->exec (db, sql, error);
}

gboolean
hub_db_savepoint (HubDb       *db,
                  const char  *name,
                  GError     **error)
{
  return savepoint_exec (db, "SAVEPOINT", name, error);
}

gboolean
hub_db_release (HubDb       *db,
                const char  *name,
                GError     **error)
{
  return savepoint_exec (db, "RELEASE SAVEPOINT", name, error);
}

gboolean
hub_db_rollback_to (HubDb       *db,
                    const char  *name,
                    GError     **error)
{
  return savepoint_exec (db, "ROLLBACK TO SAVEPOINT", name, error);
}

HubDbStmt *
hub_db_prepare (HubDb       *db,
                const char  *sql,
                GError     **error)
{
  HubDbStmt *stmt;
  g_autofree char *text = NULL;

  g_return_val_if_fail (db != NULL, NULL);
  g_return_val_if_fail (sql != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = g_hash_table_lookup (db->stmts, sql);
  if (stmt != NULL)
    {
      db->klass->reset (stmt, TRUE);
      stmt->state = HUB_DB_STMT_READY;
      return stmt;
    }

  text = hub_db_dialect (db, sql);
  if (db->klass->engine == HUB_DB_SQLITE)
    _hub_db_dollar_to_question (text);
  stmt = db->klass->prepare (db, text, error);
  if (stmt == NULL)
    return NULL;
  stmt->db = db;
  stmt->state = HUB_DB_STMT_READY;
  g_hash_table_insert (db->stmts, g_strdup (sql), stmt);
  return stmt;
}

void
hub_db_bind_text_static (HubDbStmt  *stmt,
                         int         index,
                         const char *value)
{
  g_return_if_fail (stmt != NULL);
  g_return_if_fail (index >= 1);

  if (value == NULL)
    stmt->db->klass->bind_null (stmt, index);
  else if (stmt->db->klass->bind_text_static != NULL)
    stmt->db->klass->bind_text_static (stmt, index, value);
  else
    stmt->db->klass->bind_text (stmt, index, value);
}

void
hub_db_bind_text (HubDbStmt  *stmt,
                  int         index,
                  const char *value)
{
  g_return_if_fail (stmt != NULL);
  g_return_if_fail (index >= 1);

  if (value == NULL)
    stmt->db->klass->bind_null (stmt, index);
  else
    stmt->db->klass->bind_text (stmt, index, value);
}

void
hub_db_bind_int64 (HubDbStmt *stmt,
                   int        index,
                   gint64     value)
{
  g_return_if_fail (stmt != NULL);
  g_return_if_fail (index >= 1);

  stmt->db->klass->bind_int64 (stmt, index, value);
}

void
hub_db_bind_blob (HubDbStmt  *stmt,
                  int         index,
                  const void *data,
                  gsize       size)
{
  g_return_if_fail (stmt != NULL);
  g_return_if_fail (index >= 1);
  g_return_if_fail (data != NULL || size == 0);

  stmt->db->klass->bind_blob (stmt, index, data, size);
}

void
hub_db_bind_null (HubDbStmt *stmt,
                  int        index)
{
  g_return_if_fail (stmt != NULL);
  g_return_if_fail (index >= 1);

  stmt->db->klass->bind_null (stmt, index);
}

gboolean
hub_db_step (HubDbStmt  *stmt,
             GError    **error)
{
  int rc;

  g_return_val_if_fail (stmt != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (stmt->state == HUB_DB_STMT_DONE)
    return FALSE;
  rc = stmt->db->klass->step (stmt, error);
  if (rc > 0)
    {
      stmt->state = HUB_DB_STMT_RUNNING;
      return TRUE;
    }
  stmt->state = HUB_DB_STMT_DONE;
  return FALSE;
}

gint64
hub_db_run (HubDbStmt  *stmt,
            GError    **error)
{
  gint64 changes;

  g_return_val_if_fail (stmt != NULL, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  if (stmt->state != HUB_DB_STMT_READY)
    stmt->db->klass->reset (stmt, FALSE);
  changes = stmt->db->klass->run (stmt, error);
  stmt->state = HUB_DB_STMT_READY;
  return changes;
}

gboolean
hub_db_column_is_null (HubDbStmt *stmt,
                       int        column)
{
  g_return_val_if_fail (stmt != NULL, TRUE);
  g_return_val_if_fail (stmt->state == HUB_DB_STMT_RUNNING, TRUE);

  return stmt->db->klass->column_is_null (stmt, column);
}

const char *
hub_db_column_text (HubDbStmt *stmt,
                    int        column)
{
  g_return_val_if_fail (stmt != NULL, NULL);
  g_return_val_if_fail (stmt->state == HUB_DB_STMT_RUNNING, NULL);

  return stmt->db->klass->column_text (stmt, column);
}

gint64
hub_db_column_int64 (HubDbStmt *stmt,
                     int        column)
{
  g_return_val_if_fail (stmt != NULL, 0);
  g_return_val_if_fail (stmt->state == HUB_DB_STMT_RUNNING, 0);

  return stmt->db->klass->column_int64 (stmt, column);
}

const void *
hub_db_column_blob (HubDbStmt *stmt,
                    int        column,
                    gsize     *size)
{
  g_return_val_if_fail (stmt != NULL, NULL);
  g_return_val_if_fail (size != NULL, NULL);

  *size = 0;
  g_return_val_if_fail (stmt->state == HUB_DB_STMT_RUNNING, NULL);

  return stmt->db->klass->column_blob (stmt, column, size);
}

void
hub_db_reset (HubDbStmt *stmt)
{
  g_return_if_fail (stmt != NULL);

  stmt->db->klass->reset (stmt, TRUE);
  stmt->state = HUB_DB_STMT_READY;
}

void
_hub_db_set_lock_timeout (HubDb *db,
                          int    ms)
{
  db->klass->set_lock_timeout (db, ms);
}

gboolean
_hub_db_is_broken (HubDb *db)
{
  return db->klass->is_broken (db);
}

guint
_hub_db_n_cached (HubDb *db)
{
  return g_hash_table_size (db->stmts);
}

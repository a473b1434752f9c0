/* hub-db-sqlite.c — the SQLite engine of hub-db.h
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * DIR/hub.sqlite in WAL mode with synchronous=FULL (a commit is on disk when it returns),
 * foreign keys on and a 10 s busy timeout. Writers take the write lock when they begin
 * (BEGIN IMMEDIATE), so a transaction never fails half-way for want of the lock.
 */
#define G_LOG_DOMAIN "ShuyuanHub"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "hub-db-private.h"

#define BUSY_TIMEOUT_MS 10000

typedef struct
{
  HubDb    parent;
  sqlite3 *db;
  char    *path;
  gint64   wal_frames;  /* after the last commit, once tracked (hub_db_track_wal()) */
} SqliteDb;

typedef struct
{
  HubDbStmt     parent;
  sqlite3_stmt *stmt;
} SqliteStmt;

static void
set_error (sqlite3     *db,
           int          rc,
           GError     **error)
{
  int code;

  switch (rc)
    {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      code = HUB_DB_ERROR_UNIQUE;
      break;
    default:
      if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
        code = HUB_DB_ERROR_BUSY;
      else
        code = HUB_DB_ERROR_FAILED;
      break;
    }
  g_set_error (error, HUB_DB_ERROR, code, "SQLite: %s", sqlite3_errmsg (db));
}

static void
sqlite_close (HubDb *hdb)
{
  SqliteDb *self = (SqliteDb *) hdb;

  sqlite3_close (self->db);
  g_free (self->path);
  g_free (self);
}

static HubDbStmt *
sqlite_prepare (HubDb       *hdb,
                const char  *sql,
                GError     **error)
{
  SqliteDb *self = (SqliteDb *) hdb;
  sqlite3_stmt *stmt = NULL;
  SqliteStmt *s;
  int rc;

  rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      set_error (self->db, rc, error);
      g_prefix_error (error, "Cannot prepare “%s”: ", sql);
      sqlite3_finalize (stmt);
      return NULL;
    }
  if (stmt == NULL)
    {
      g_set_error (error, HUB_DB_ERROR, HUB_DB_ERROR_FAILED, "No SQL statement in “%s”", sql);
      return NULL;
    }
  s = g_new0 (SqliteStmt, 1);
  s->stmt = stmt;
  return &s->parent;
}

static void
sqlite_finalize (HubDbStmt *hstmt)
{
  SqliteStmt *s = (SqliteStmt *) hstmt;

  sqlite3_finalize (s->stmt);
  g_free (s);
}

static gboolean
sqlite_exec (HubDb       *hdb,
             const char  *sql,
             GError     **error)
{
  SqliteDb *self = (SqliteDb *) hdb;
  int rc;

  rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      set_error (self->db, rc, error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
sqlite_in_transaction (HubDb *hdb)
{
  SqliteDb *self = (SqliteDb *) hdb;

  return !sqlite3_get_autocommit (self->db);
}

static gboolean
sqlite_false (HubDb *hdb)
{
  return FALSE;
}

static void
sqlite_set_lock_timeout (HubDb *hdb,
                         int    ms)
{
  SqliteDb *self = (SqliteDb *) hdb;

  sqlite3_busy_timeout (self->db, ms);
}

static void
sqlite_bind_text (HubDbStmt  *hstmt,
                  int         index,
                  const char *value)
{
  sqlite3_bind_text (((SqliteStmt *) hstmt)->stmt, index, value, -1, SQLITE_TRANSIENT);
}

/* SQLite calls this after each commit of the connection, with the frames now in the WAL.
 * It takes the place of the automatic checkpoint (which is such a hook). */
static int
wal_hook (void       *data,
          sqlite3    *db,
          const char *schema,
          int         frames)
{
  SqliteDb *self = data;

  self->wal_frames = frames;
  return SQLITE_OK;
}

static void
sqlite_track_wal (HubDb *db)
{
  SqliteDb *self = (SqliteDb *) db;

  self->wal_frames = -1;
  sqlite3_wal_hook (self->db, wal_hook, self);
}

static gint64
sqlite_wal_frames (HubDb *db)
{
  return ((SqliteDb *) db)->wal_frames;
}

static void
sqlite_bind_text_static (HubDbStmt  *hstmt,
                         int         index,
                         const char *value)
{
  sqlite3_bind_text (((SqliteStmt *) hstmt)->stmt, index, value, -1, SQLITE_STATIC);
}

static void
sqlite_bind_int64 (HubDbStmt *hstmt,
                   int        index,
                   gint64     value)
{
  sqlite3_bind_int64 (((SqliteStmt *) hstmt)->stmt, index, value);
}

static void
sqlite_bind_blob (HubDbStmt  *hstmt,
                  int         index,
                  const void *data,
                  gsize       size)
{
  /* A zero-length blob, not NULL, even when @data is NULL. */
  sqlite3_bind_blob64 (((SqliteStmt *) hstmt)->stmt, index, data != NULL ? data : "", size,
                       SQLITE_TRANSIENT);
}

static void
sqlite_bind_null (HubDbStmt *hstmt,
                  int        index)
{
  sqlite3_bind_null (((SqliteStmt *) hstmt)->stmt, index);
}

static int
sqlite_step (HubDbStmt  *hstmt,
             GError    **error)
{
  SqliteStmt *s = (SqliteStmt *) hstmt;
  int rc;

  rc = sqlite3_step (s->stmt);
  if (rc == SQLITE_ROW)
    return 1;
  if (rc == SQLITE_DONE)
    return 0;
  set_error (sqlite3_db_handle (s->stmt), rc, error);
  /* Ends the run so the statement holds no lock. */
  sqlite3_reset (s->stmt);
  return -1;
}

static gint64
sqlite_run (HubDbStmt  *hstmt,
            GError    **error)
{
  SqliteStmt *s = (SqliteStmt *) hstmt;
  sqlite3 *db = sqlite3_db_handle (s->stmt);
  int rc;

  /* RETURNING rows, if any, are read and dropped: the changes are only complete then. */
  while ((rc = sqlite3_step (s->stmt)) == SQLITE_ROW)
    ;
  if (rc != SQLITE_DONE)
    {
      set_error (db, rc, error);
      sqlite3_reset (s->stmt);
      return -1;
    }
  sqlite3_reset (s->stmt);
  return sqlite3_changes64 (db);
}

static gboolean
sqlite_column_is_null (HubDbStmt *hstmt,
                       int        column)
{
  return sqlite3_column_type (((SqliteStmt *) hstmt)->stmt, column) == SQLITE_NULL;
}

static const char *
sqlite_column_text (HubDbStmt *hstmt,
                    int        column)
{
  return (const char *) sqlite3_column_text (((SqliteStmt *) hstmt)->stmt, column);
}

static gint64
sqlite_column_int64 (HubDbStmt *hstmt,
                     int        column)
{
  return sqlite3_column_int64 (((SqliteStmt *) hstmt)->stmt, column);
}

static const void *
sqlite_column_blob (HubDbStmt *hstmt,
                    int        column,
                    gsize     *size)
{
  sqlite3_stmt *stmt = ((SqliteStmt *) hstmt)->stmt;
  const void *data;

  /* blob first, then bytes: the documented order */
  data = sqlite3_column_blob (stmt, column);
  *size = sqlite3_column_bytes (stmt, column);
  if (data == NULL && sqlite3_column_type (stmt, column) != SQLITE_NULL)
    data = "";  /* a zero-length blob */
  return data;
}

static void
sqlite_reset (HubDbStmt *hstmt,
              gboolean   clear_bindings)
{
  SqliteStmt *s = (SqliteStmt *) hstmt;

  sqlite3_reset (s->stmt);
  if (clear_bindings)
    sqlite3_clear_bindings (s->stmt);
}

static const HubDbClass sqlite_class = {
  .engine = HUB_DB_SQLITE,
  .begin_sql = "BEGIN IMMEDIATE",
  .begin_read_sql = "BEGIN DEFERRED",
  .close = sqlite_close,
  .prepare = sqlite_prepare,
  .finalize = sqlite_finalize,
  .exec = sqlite_exec,
  .in_transaction = sqlite_in_transaction,
  .txn_aborted = sqlite_false,
  .is_broken = sqlite_false,
  .set_lock_timeout = sqlite_set_lock_timeout,
  .bind_text = sqlite_bind_text,
  .bind_text_static = sqlite_bind_text_static,
  .track_wal = sqlite_track_wal,
  .wal_frames = sqlite_wal_frames,
  .bind_int64 = sqlite_bind_int64,
  .bind_blob = sqlite_bind_blob,
  .bind_null = sqlite_bind_null,
  .step = sqlite_step,
  .run = sqlite_run,
  .column_is_null = sqlite_column_is_null,
  .column_text = sqlite_column_text,
  .column_int64 = sqlite_column_int64,
  .column_blob = sqlite_column_blob,
  .reset = sqlite_reset,
};

HubDb *
_hub_db_sqlite_open (const char  *data_dir,
                     GError     **error)
{
  g_autofree char *path = NULL;
  sqlite3 *db = NULL;
  SqliteDb *self;
  int rc;

  if (g_mkdir_with_parents (data_dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, HUB_DB_ERROR, HUB_DB_ERROR_CONNECT,
                   "Cannot create the data directory %s: %s", data_dir,
                   g_strerror (saved_errno));
      return NULL;
    }

  path = g_build_filename (data_dir, "hub.sqlite", NULL);
  /* One thread at a time per connection (hub-db.h), so SQLite's own mutexes are not needed. */
  rc = sqlite3_open_v2 (path, &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, HUB_DB_ERROR, HUB_DB_ERROR_CONNECT, "Cannot open %s: %s", path,
                   db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_extended_result_codes (db, 1);
  sqlite3_busy_timeout (db, BUSY_TIMEOUT_MS);

  rc = sqlite3_exec (db,
                     "PRAGMA journal_mode = WAL;"
                     "PRAGMA synchronous = FULL;"
                     "PRAGMA foreign_keys = ON;"
                     /* the WAL file shrinks back after a checkpoint past a burst */
                     "PRAGMA journal_size_limit = 67108864;"
                     /* a hub has a connection per worker thread (16 or more): 1 MiB of
                      * page cache each instead of the default 2, the kernel's page cache
                      * has the rest of the file; the statement writer sets its own */
                     "PRAGMA cache_size = -1024;",
                     NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, HUB_DB_ERROR,
                   (rc & 0xff) == SQLITE_BUSY ? HUB_DB_ERROR_BUSY : HUB_DB_ERROR_CONNECT,
                   "Cannot set up %s: %s", path, sqlite3_errmsg (db));
      sqlite3_close (db);
      return NULL;
    }

  self = g_new0 (SqliteDb, 1);
  self->db = db;
  self->path = g_steal_pointer (&path);
  self->wal_frames = -1;
  _hub_db_init (&self->parent, &sqlite_class);
  return &self->parent;
}

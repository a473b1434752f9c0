/* hub-db-private.h — what hub-db.c shares with its two engines and the schema runner
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A HubDb is a struct _HubDb at the start of the engine's own connection struct, and a
 * HubDbStmt a struct _HubDbStmt at the start of the engine's statement; hub-db.c does the
 * common work (markers, the statement cache, run state) and calls the engine through
 * HubDbClass.
 */
#pragma once

#include "hub-db.h"

G_BEGIN_DECLS

typedef enum
{
  HUB_DB_STMT_READY,    /* prepared or reset: the next step runs it */
  HUB_DB_STMT_RUNNING,  /* rows being read */
  HUB_DB_STMT_DONE,     /* past the last row (or failed): step returns FALSE */
} HubDbStmtState;

typedef struct
{
  HubDbEngine engine;
  const char *begin_sql;
  const char *begin_read_sql;

  void        (*close)          (HubDb *db);
  /* @sql is already rewritten for the engine */
  HubDbStmt  *(*prepare)        (HubDb *db, const char *sql, GError **error);
  void        (*finalize)       (HubDbStmt *stmt);
  gboolean    (*exec)           (HubDb *db, const char *sql, GError **error);
  gboolean    (*in_transaction) (HubDb *db);
  /* TRUE when an error aborted the transaction (PostgreSQL): only a rollback helps */
  gboolean    (*txn_aborted)    (HubDb *db);
  gboolean    (*is_broken)      (HubDb *db);
  void        (*set_lock_timeout) (HubDb *db, int ms);

  void        (*bind_text)      (HubDbStmt *stmt, int index, const char *value);
  void        (*bind_int64)     (HubDbStmt *stmt, int index, gint64 value);
  void        (*bind_blob)      (HubDbStmt *stmt, int index, const void *data, gsize size);
  void        (*bind_null)      (HubDbStmt *stmt, int index);
  /* 1: a row; 0: no more rows; -1: error */
  int         (*step)           (HubDbStmt *stmt, GError **error);
  gint64      (*run)            (HubDbStmt *stmt, GError **error);
  gboolean    (*column_is_null) (HubDbStmt *stmt, int column);
  const char *(*column_text)    (HubDbStmt *stmt, int column);
  gint64      (*column_int64)   (HubDbStmt *stmt, int column);
  const void *(*column_blob)    (HubDbStmt *stmt, int column, gsize *size);
  /* drops results; clears bindings when @clear_bindings */
  void        (*reset)          (HubDbStmt *stmt, gboolean clear_bindings);
  /* optional: binds @value without copying it (hub_db_bind_text_static()) */
  void        (*bind_text_static) (HubDbStmt *stmt, int index, const char *value);
  /* optional (SQLite): hub_db_track_wal() and hub_db_wal_frames() */
  void        (*track_wal)      (HubDb *db);
  gint64      (*wal_frames)     (HubDb *db);
} HubDbClass;

struct _HubDb
{
  const HubDbClass *klass;
  GHashTable       *stmts;   /* caller's SQL text (owned) → HubDbStmt */
};

struct _HubDbStmt
{
  HubDb          *db;
  HubDbStmtState  state;
};

/* The engines' constructors (hub-db-sqlite.c, hub-db-pg.c). */
HubDb    *_hub_db_sqlite_open (const char *data_dir,
                               GError    **error);
HubDb    *_hub_db_pg_open     (const char *url,
                               GError    **error);
/* Called by the engines once their struct is filled in. */
void      _hub_db_init        (HubDb            *db,
                               const HubDbClass *klass);

/* The highest $N in @sql (outside literals, identifiers and comments); 0 for none. */
int       _hub_db_count_params (const char *sql);
/* Rewrites $N to ?N in place (same length), outside literals and comments. */
void      _hub_db_dollar_to_question (char *sql);

/* How long a statement waits for a lock before HUB_DB_ERROR_BUSY (SQLite: busy timeout,
 * default 10 s; PostgreSQL: lock_timeout, default none). For tests. */
void      _hub_db_set_lock_timeout (HubDb *db,
                                    int    ms);
/* TRUE when the connection is lost (PostgreSQL) and should be reopened. */
gboolean  _hub_db_is_broken   (HubDb *db);
/* The number of statements in the cache (tests). */
guint     _hub_db_n_cached    (HubDb *db);

/* The schema runner, with the migration steps passed in (tests add a step). Step i has
 * version i + 1; each step's fragments run in order, NULL-terminated. */
typedef struct
{
  const char * const *fragments;
} HubSchemaStep;

gboolean  _hub_schema_migrate (HubDb               *db,
                               const HubSchemaStep *steps,
                               guint                n_steps,
                               GError             **error);

G_END_DECLS

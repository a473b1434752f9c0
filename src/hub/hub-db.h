/* hub-db.h — one small SQL interface over two engines, SQLite and PostgreSQL
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The hub's storage code (hub-store-*.c) is written once, against this interface, in the
 * SQL both engines share: placeholders are `$1`, `$2`, … (rewritten to `?1`, `?2` for
 * SQLite), times are int64 microseconds since the epoch (UTC), booleans are 0/1 integers,
 * ids are TEXT, and `INSERT … ON CONFLICT … DO NOTHING` / `RETURNING` work in both. Where
 * the two disagree (auto-increment keys, blobs), hub_db_dialect() rewrites these markers:
 *
 *   @SERIAL@  INTEGER PRIMARY KEY AUTOINCREMENT  |  BIGSERIAL PRIMARY KEY
 *   @BLOB@    BLOB                               |  BYTEA
 *   @INT64@   INTEGER                            |  BIGINT
 *   @WITHOUT_ROWID@  " WITHOUT ROWID"           |  "" (after a CREATE TABLE's closing
 *             parenthesis, for a table with a PRIMARY KEY: SQLite keeps its rows in
 *             that key's B-tree, with no separate rowid table)
 *
 * A HubDb is one connection, used by one thread at a time. Prepared statements are cached
 * per connection by their SQL text: hub_db_prepare() returns the cached statement, reset
 * and with its bindings cleared; it belongs to the connection (do not free it). Markers are
 * rewritten there too. The cache is not bounded: keep SQL texts to a fixed set (no values
 * spliced in).
 *
 * Portable SQL, learnt the hard way (test-hub-db.c checks most of it):
 *  - A parameter PostgreSQL cannot type from its first use fails to prepare: write
 *    `(CAST($1 AS TEXT) IS NULL OR t = $1)`, not `($1 IS NULL OR t = $1)`; a parameter
 *    takes one type for all its uses.
 *  - Comparisons and EXISTS are booleans in PostgreSQL: hub_db_column_int64() reads them
 *    as 0/1 on both engines. Store booleans in @INT64@ / INTEGER columns as 0/1.
 *  - Declare TEXT primary keys NOT NULL (SQLite lets NULL into a non-integer key).
 *  - LIKE is case-insensitive (ASCII) in SQLite, case-sensitive in PostgreSQL; text ORDER BY
 *    follows the database's collation in PostgreSQL: order and page by integers.
 *  - Scalar max(a, b) / min(a, b) are SQLite only (GREATEST/LEAST are PostgreSQL only): use
 *    CASE. group_concat / string_agg differ too. COALESCE, ||, substr, length, LIMIT $n
 *    OFFSET $n, NULLS FIRST, RETURNING and ON CONFLICT (…) DO UPDATE SET c = excluded.c are
 *    shared.
 *  - A failed statement aborts a PostgreSQL transaction: to go on after an expected error
 *    (a duplicate), run it inside hub_db_savepoint() and hub_db_rollback_to(), or better
 *    use ON CONFLICT DO NOTHING and look at the change count. hub_db_commit() of such an
 *    aborted transaction fails (and rolls back) on PostgreSQL, while SQLite undoes only the
 *    failed statement: rely on neither.
 *  - Every statement is a round trip to a PostgreSQL server: write many rows per statement
 *    (multi-row VALUES; at most 32766 parameters in SQLite, 65535 in PostgreSQL) where
 *    speed matters.
 *
 * Errors are HUB_DB_ERROR: %HUB_DB_ERROR_UNIQUE when a unique or primary key constraint
 * refused a row (so callers can tell a duplicate from a failure), %HUB_DB_ERROR_BUSY when
 * the database stayed locked past the busy timeout or PostgreSQL reported a serialization
 * failure or deadlock (the caller may retry the whole transaction), otherwise
 * %HUB_DB_ERROR_FAILED with the engine's message.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HUB_DB_ERROR (hub_db_error_quark ())

typedef enum
{
  HUB_DB_ERROR_FAILED,
  HUB_DB_ERROR_UNIQUE,
  HUB_DB_ERROR_BUSY,
  HUB_DB_ERROR_SCHEMA_NEWER,  /* the database was made by a newer hub */
  HUB_DB_ERROR_CONNECT,       /* cannot open or reach the database */
} HubDbError;

typedef enum
{
  HUB_DB_SQLITE,
  HUB_DB_POSTGRESQL,
} HubDbEngine;

typedef struct _HubDb     HubDb;
typedef struct _HubDbStmt HubDbStmt;

GQuark       hub_db_error_quark   (void);

/* @target: a data directory (SQLite: DIR/hub.sqlite, created with the directory, WAL,
 * synchronous=FULL, foreign keys on, busy timeout 10 s) or a `postgresql://` /
 * `postgres://` URL (libpq connection string). */
HubDb       *hub_db_open          (const char   *target,
                                   GError      **error);
void         hub_db_close         (HubDb        *db);
HubDbEngine  hub_db_engine        (HubDb        *db);
gboolean     hub_db_target_is_postgresql (const char *target);

/* Brings the schema to the newest version (hub-schema.c), in one transaction per step;
 * refuses a database from a newer hub. Safe to run from several processes at once. */
gboolean     hub_db_migrate       (HubDb        *db,
                                   GError      **error);
int          hub_db_schema_version (HubDb       *db,
                                   GError      **error);

/* The SQL text with the @MARKERS@ above rewritten for this engine (newly allocated). */
char        *hub_db_dialect       (HubDb        *db,
                                   const char   *sql);

/* Runs SQL without parameters or results; may hold several statements. Markers are
 * rewritten. */
gboolean     hub_db_exec          (HubDb        *db,
                                   const char   *sql,
                                   GError      **error);

gboolean     hub_db_begin         (HubDb        *db,
                                   GError      **error);
/* A read-only transaction: one consistent snapshot for several queries, without taking
 * the write lock (SQLite: BEGIN DEFERRED; PostgreSQL: REPEATABLE READ READ ONLY). End it
 * with hub_db_commit() or hub_db_rollback(). */
gboolean     hub_db_begin_read    (HubDb        *db,
                                   GError      **error);
/* Fails (and rolls back) when a statement of the transaction failed, even on PostgreSQL. */
gboolean     hub_db_commit        (HubDb        *db,
                                   GError      **error);
/* Never fails loudly: used on error paths. */
void         hub_db_rollback      (HubDb        *db);
gboolean     hub_db_in_transaction (HubDb       *db);
/* SQLite: from now on this connection counts the frames in the WAL after each of its
 * commits, and checkpoints no more by itself (its checkpoints become the caller's job).
 * Nothing on PostgreSQL. */
void         hub_db_track_wal     (HubDb        *db);
/* The frames (pages) in the WAL after this connection's last commit since
 * hub_db_track_wal(); -1 on PostgreSQL or before any. */
gint64       hub_db_wal_frames    (HubDb        *db);
/* Savepoints inside a transaction (name: [a-z_]+). */
gboolean     hub_db_savepoint     (HubDb        *db,
                                   const char   *name,
                                   GError      **error);
gboolean     hub_db_release       (HubDb        *db,
                                   const char   *name,
                                   GError      **error);
gboolean     hub_db_rollback_to   (HubDb        *db,
                                   const char   *name,
                                   GError      **error);

HubDbStmt   *hub_db_prepare       (HubDb        *db,
                                   const char   *sql,
                                   GError      **error);
/* Parameters count from 1, like $1. Text and blobs are copied. NULL text binds NULL. */
void         hub_db_bind_text     (HubDbStmt    *stmt,
                                   int           index,
                                   const char   *value);
/* The same, but @value may be read in place (SQLite does not copy it): it must stay as it
 * is until the statement has run and been reset. */
void         hub_db_bind_text_static (HubDbStmt *stmt,
                                      int        index,
                                      const char *value);
void         hub_db_bind_int64    (HubDbStmt    *stmt,
                                   int           index,
                                   gint64        value);
void         hub_db_bind_blob     (HubDbStmt    *stmt,
                                   int           index,
                                   const void   *data,
                                   gsize         size);
void         hub_db_bind_null     (HubDbStmt    *stmt,
                                   int           index);
/* Runs the statement (on the first call) and moves to the next row: TRUE when a row is
 * there to read, FALSE when there are no more rows or on error (then @error is set). */
gboolean     hub_db_step          (HubDbStmt    *stmt,
                                   GError      **error);
/* Runs a statement that returns no rows; the number of rows it changed, or -1 on error. */
gint64       hub_db_run           (HubDbStmt    *stmt,
                                   GError      **error);
/* Columns count from 0. Text is valid until the next step or reset; NULL for SQL NULL. */
gboolean     hub_db_column_is_null (HubDbStmt   *stmt,
                                   int           column);
const char  *hub_db_column_text   (HubDbStmt    *stmt,
                                   int           column);
gint64       hub_db_column_int64  (HubDbStmt    *stmt,
                                   int           column);
const void  *hub_db_column_blob   (HubDbStmt    *stmt,
                                   int           column,
                                   gsize        *size);
/* Ends the current run (results dropped, bindings cleared); prepare does this too. */
void         hub_db_reset         (HubDbStmt    *stmt);
/* Ends the run of every statement of the connection (bindings kept). On SQLite a statement
 * stepped to a row and then left (a one-row lookup) holds its read snapshot until it is
 * reset, stepped to the end or prepared again, so later reads on that connection would not
 * see newer commits; transaction boundaries (begin, commit, rollback) call this, and
 * hub_store_release() calls it after each request. Call hub_db_reset() when you stop reading
 * a statement early. */
void         hub_db_reset_all     (HubDb        *db);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HubDb, hub_db_close)

/* Schema fragments, one per part of the hub, joined into version 1 by hub-schema.c. Each
 * holds CREATE TABLE / CREATE INDEX statements written with the markers above. */
extern const char hub_schema_statements_v1[];  /* hub-store-statements.c */
extern const char hub_schema_statements_v2[];
extern const char hub_schema_documents_v1[];   /* hub-store-documents.c */
extern const char hub_schema_access_v1[];      /* hub-store-access.c */
extern const char hub_schema_catalog_v1[];     /* hub-store-catalog.c */

G_END_DECLS

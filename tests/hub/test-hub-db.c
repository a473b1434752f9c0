/* test-hub-db.c — the SQL layer on both engines, the schema runner and the store
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Run once per engine: SHUYUAN_HUB_TEST_ENGINE=sqlite (a temporary data directory per
 * test) or postgresql (a new database per test in a throwaway cluster, hub-test-pg.c).
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "hub-db-private.h"
#include "hub-store.h"
#include "hub-test-pg.h"

static GPtrArray *temp_dirs;

static gboolean
on_postgresql (void)
{
  return g_strcmp0 (g_getenv ("SHUYUAN_HUB_TEST_ENGINE"), "postgresql") == 0;
}

/* A fresh, empty target on the engine under test. */
static char *
new_target (void)
{
  g_autoptr(GError) error = NULL;
  char *target;

  if (on_postgresql ())
    {
      target = hub_test_pg_new_database (&error);
      g_assert_no_error (error);
      return target;
    }
  target = g_dir_make_tmp ("test-hub-db-XXXXXX", &error);
  g_assert_no_error (error);
  g_ptr_array_add (temp_dirs, g_strdup (target));
  /* a directory that does not exist yet: opening creates it */
  {
    char *data_dir = g_build_filename (target, "data", NULL);

    g_free (target);
    return data_dir;
  }
}

static void
remove_tree (const char *path)
{
  GDir *dir;

  if (!g_file_test (path, G_FILE_TEST_IS_SYMLINK) && g_file_test (path, G_FILE_TEST_IS_DIR)
      && (dir = g_dir_open (path, 0, NULL)) != NULL)
    {
      const char *name;

      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
      g_dir_close (dir);
    }
  g_remove (path);
}

static HubDb *
open_db (const char *target)
{
  g_autoptr(GError) error = NULL;
  HubDb *db = hub_db_open (target, &error);

  g_assert_no_error (error);
  g_assert_nonnull (db);
  return db;
}

static void
exec_ok (HubDb      *db,
         const char *sql)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (hub_db_exec (db, sql, &error));
  g_assert_no_error (error);
}

static gint64
query_int (HubDb      *db,
           const char *sql)
{
  g_autoptr(GError) error = NULL;
  HubDbStmt *stmt = hub_db_prepare (db, sql, &error);
  gint64 value;

  g_assert_no_error (error);
  g_assert_true (hub_db_step (stmt, &error));
  g_assert_no_error (error);
  value = hub_db_column_int64 (stmt, 0);
  hub_db_reset (stmt);
  return value;
}

static void
test_open_migrate (void)
{
  g_autofree char *target = new_target ();
  g_autoptr(GError) error = NULL;
  g_autoptr(HubDb) db = open_db (target);

  g_assert_cmpint (hub_db_engine (db), ==,
                   on_postgresql () ? HUB_DB_POSTGRESQL : HUB_DB_SQLITE);
  g_assert_cmpint (hub_db_target_is_postgresql (target), ==, on_postgresql ());
  g_assert_cmpint (hub_db_schema_version (db, &error), ==, 0);
  g_assert_no_error (error);

  g_assert_true (hub_db_migrate (db, &error));
  g_assert_no_error (error);
  g_assert_cmpint (hub_db_schema_version (db, &error), ==, 2);
  /* version 2's table */
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM statement_links_recent"), ==, 0);
  /* again: nothing to do */
  g_assert_true (hub_db_migrate (db, &error));
  g_assert_no_error (error);
  g_assert_cmpint (hub_db_schema_version (db, &error), ==, 2);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM hub_schema"), ==, 1);
  g_assert_false (hub_db_in_transaction (db));

  if (!on_postgresql ())
    {
      g_autofree char *path = g_build_filename (target, "hub.sqlite", NULL);
      GStatBuf st;

      g_assert_cmpint (g_stat (target, &st), ==, 0);
      g_assert_cmpint (st.st_mode & 0777, ==, 0700);
      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
      g_assert_cmpint (query_int (db, "PRAGMA foreign_keys"), ==, 1);
      g_assert_cmpint (query_int (db, "PRAGMA synchronous"), ==, 2);
      {
        HubDbStmt *stmt = hub_db_prepare (db, "PRAGMA journal_mode", &error);

        g_assert_no_error (error);
        g_assert_true (hub_db_step (stmt, &error));
        g_assert_cmpstr (hub_db_column_text (stmt, 0), ==, "wal");
        hub_db_reset (stmt);
      }
    }
  else
    {
      HubDbStmt *stmt = hub_db_prepare (db, "SHOW statement_timeout", &error);

      g_assert_no_error (error);
      g_assert_true (hub_db_step (stmt, &error));
      g_assert_cmpstr (hub_db_column_text (stmt, 0), ==, "30s");
      hub_db_reset (stmt);
    }
}

static void
test_store_open (void)
{
  g_autofree char *target = new_target ();
  g_autoptr(GError) error = NULL;
  g_autoptr(HubStore) store = NULL;
  HubDb *db;

  store = hub_store_open (target, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hub_store_target (store), ==, target);
  g_assert_cmpint (hub_store_engine (store), ==,
                   on_postgresql () ? HUB_DB_POSTGRESQL : HUB_DB_SQLITE);
  db = hub_store_db (store, &error);
  g_assert_no_error (error);
  g_assert_true (db == hub_store_db (store, NULL));
  g_assert_cmpint (hub_db_schema_version (db, &error), ==, 2);
  g_clear_pointer (&store, hub_store_free);

  /* reopening an up-to-date database */
  store = hub_store_open (target, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);
}

static void
test_schema_newer (void)
{
  g_autofree char *target = new_target ();
  g_autoptr(GError) error = NULL;
  g_autoptr(HubStore) store = NULL;

  {
    g_autoptr(HubDb) db = open_db (target);

    g_assert_true (hub_db_migrate (db, &error));
    g_assert_no_error (error);
    exec_ok (db, "UPDATE hub_schema SET version = 999");
  }

  store = hub_store_open (target, &error);
  g_assert_error (error, HUB_DB_ERROR, HUB_DB_ERROR_SCHEMA_NEWER);
  g_assert_null (store);
  g_assert_nonnull (strstr (error->message, "999"));
  g_assert_nonnull (strstr (error->message, "Upgrade"));
  g_clear_error (&error);

  /* nothing was changed */
  {
    g_autoptr(HubDb) db = open_db (target);

    g_assert_cmpint (hub_db_schema_version (db, &error), ==, 999);
    g_assert_no_error (error);
  }
}

static const char * const test_v1[] = {
  "CREATE TABLE t_one (id @SERIAL@, name TEXT NOT NULL)",
  "",
  "CREATE INDEX t_one_name ON t_one (name);"
  "CREATE TABLE t_two (k TEXT PRIMARY KEY, data @BLOB@, n @INT64@ NOT NULL DEFAULT 0)",
  NULL
};
static const char * const test_v2[] = {
  "CREATE TABLE t_three (k TEXT PRIMARY KEY REFERENCES t_two (k))",
  NULL
};
static const char * const test_v2_broken[] = {
  "CREATE TABLE t_three (k TEXT PRIMARY KEY)",
  "CREATE TABLE this is not SQL",
  NULL
};
static const HubSchemaStep test_steps[] = { { test_v1 }, { test_v2 } };
static const HubSchemaStep test_steps_broken[] = { { test_v1 }, { test_v2_broken } };

static void
test_schema_steps (void)
{
  g_autofree char *target = new_target ();
  g_autoptr(GError) error = NULL;
  g_autoptr(HubDb) db = open_db (target);

  /* version 1, then a failing version 2 that leaves nothing behind */
  g_assert_false (_hub_schema_migrate (db, test_steps_broken, 2, &error));
  g_assert_error (error, HUB_DB_ERROR, HUB_DB_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "version 2"));
  g_clear_error (&error);
  g_assert_false (hub_db_in_transaction (db));
  g_assert_cmpint (hub_db_schema_version (db, &error), ==, 1);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM t_one"), ==, 0);
  {
    HubDbStmt *stmt = hub_db_prepare (db, "SELECT count(*) FROM t_three", &error);

    g_assert_null (stmt);
    g_assert_error (error, HUB_DB_ERROR, HUB_DB_ERROR_FAILED);
    g_clear_error (&error);
  }

  /* the fixed version 2 */
  g_assert_true (_hub_schema_migrate (db, test_steps, 2, &error));
  g_assert_no_error (error);
  g_assert_cmpint (hub_db_schema_version (db, &error), ==, 2);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM t_three"), ==, 0);
  g_assert_true (_hub_schema_migrate (db, test_steps, 2, &error));
  g_assert_no_error (error);

  /* a binary that knows only version 1 */
  g_assert_false (_hub_schema_migrate (db, test_steps, 1, &error));
  g_assert_error (error, HUB_DB_ERROR, HUB_DB_ERROR_SCHEMA_NEWER);
  g_clear_error (&error);
  g_assert_false (hub_db_in_transaction (db));
}

typedef struct
{
  const char *target;
  GError     *error;
  int         version;
} MigrateJob;

static gpointer
migrate_thread (gpointer data)
{
  MigrateJob *job = data;
  HubDb *db = hub_db_open (job->target, &job->error);

  if (db == NULL)
    return NULL;
  if (_hub_schema_migrate (db, test_steps, 2, &job->error))
    job->version = hub_db_schema_version (db, &job->error);
  hub_db_close (db);
  return NULL;
}

/* Several connections (as several hub processes would) migrate one fresh database at the
 * same moment: each step must run exactly once (the CREATE TABLEs would fail twice). */
static void
test_schema_concurrent (void)
{
  g_autofree char *target = new_target ();
  MigrateJob jobs[4] = { 0 };
  GThread *threads[G_N_ELEMENTS (jobs)];

  /* the SQLite directory exists before the threads race to create it */
  hub_db_close (open_db (target));

  for (gsize i = 0; i < G_N_ELEMENTS (jobs); i++)
    {
      jobs[i].target = target;
      threads[i] = g_thread_new ("migrate", migrate_thread, &jobs[i]);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (jobs); i++)
    {
      g_thread_join (threads[i]);
      g_assert_no_error (jobs[i].error);
      g_assert_cmpint (jobs[i].version, ==, 2);
    }
}

static void
test_unique (void)
{
  g_autofree char *target = new_target ();
  g_autoptr(GError) error = NULL;
  g_autoptr(HubDb) db = open_db (target);
  HubDbStmt *stmt;

  exec_ok (db, "CREATE TABLE u (k TEXT NOT NULL PRIMARY KEY, other TEXT UNIQUE, n @INT64@)");
  stmt = hub_db_prepare (db, "INSERT INTO u (k, other) VALUES ($1, $2)", &error);
  g_assert_no_error (error);
  hub_db_bind_text (stmt, 1, "a");
  hub_db_bind_text (stmt, 2, "x");
  g_assert_cmpint (hub_db_run (stmt, &error), ==, 1);
  g_assert_no_error (error);

  /* the same primary key */
  stmt = hub_db_prepare (db, "INSERT INTO u (k, other) VALUES ($1, $2)", &error);
  hub_db_bind_text (stmt, 1, "a");
  hub_db_bind_text (stmt, 2, "y");
  g_assert_cmpint (hub_db_run (stmt, &error), ==, -1);
  g_assert_error (error, HUB_DB_ERROR, HUB_DB_ERROR_UNIQUE);
  g_clear_error (&error);

  /* the same unique column, through step */
  stmt = hub_db_prepare (db, "INSERT INTO u (k, other) VALUES ($1, $2)", &error);
  hub_db_bind_text (stmt, 1, "b");
  hub_db_bind_text (stmt, 2, "x");
  g_assert_false (hub_db_step (stmt, &error));
  g_assert_error (error, HUB_DB_ERROR, HUB_DB_ERROR_UNIQUE);
  g_clear_error (&error);

  /* the portable way to skip duplicates */
  stmt = hub_db_prepare (db, "INSERT INTO u (k, other) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                         &error);
  hub_db_bind_text (stmt, 1, "a");
  hub_db_bind_text (stmt, 2, "z");
  g_assert_cmpint (hub_db_run (stmt, &error), ==, 0);
  g_assert_no_error (error);

  /* and to upsert */
  stmt = hub_db_prepare (db, "INSERT INTO u (k, n) VALUES ($1, $2)"
                         " ON CONFLICT (k) DO UPDATE SET n = excluded.n", &error);
  g_assert_no_error (error);
  hub_db_bind_text (stmt, 1, "a");
  hub_db_bind_int64 (stmt, 2, 42);
  g_assert_cmpint (hub_db_run (stmt, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpint (query_int (db, "SELECT n FROM u WHERE k = 'a'"), ==, 42);

  /* other failures are FAILED */
  stmt = hub_db_prepare (db, "INSERT INTO u (k, other) VALUES (NULL, 'q')", &error);
  g_assert_no_error (error);
  g_assert_cmpint (hub_db_run (stmt, &error), ==, -1);
  g_assert_error (error, HUB_DB_ERROR, HUB_DB_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM u"), ==, 1);
}

static void
test_busy (void)
{
  g_autofree char *target = new_target ();
  g_autoptr(GError) error = NULL;
  g_autoptr(HubDb) a = open_db (target);
  g_autoptr(HubDb) b = open_db (target);
  HubDbStmt *stmt;
  gint64 start;

  exec_ok (a, "CREATE TABLE l (id @INT64@ PRIMARY KEY, v @INT64@)");
  exec_ok (a, "INSERT INTO l VALUES (1, 0)");
  _hub_db_set_lock_timeout (b, 100);

  /* a holds the row (and on SQLite the write lock) */
  g_assert_true (hub_db_begin (a, &error));
  g_assert_no_error (error);
  stmt = hub_db_prepare (a, "UPDATE l SET v = v + 1 WHERE id = $1", &error);
  hub_db_bind_int64 (stmt, 1, 1);
  g_assert_cmpint (hub_db_run (stmt, &error), ==, 1);
  g_assert_no_error (error);

  start = g_get_monotonic_time ();
  if (hub_db_begin (b, &error))
    {
      stmt = hub_db_prepare (b, "UPDATE l SET v = v + 1 WHERE id = $1", &error);
      hub_db_bind_int64 (stmt, 1, 1);
      g_assert_cmpint (hub_db_run (stmt, &error), ==, -1);
    }
  g_assert_error (error, HUB_DB_ERROR, HUB_DB_ERROR_BUSY);
  g_clear_error (&error);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  hub_db_rollback (b);
  g_assert_false (hub_db_in_transaction (b));

  /* readers are not blocked by a writer */
  g_assert_cmpint (query_int (b, "SELECT v FROM l WHERE id = 1"), ==, 0);

  g_assert_true (hub_db_commit (a, &error));
  g_assert_no_error (error);
  g_assert_false (hub_db_in_transaction (a));

  g_assert_true (hub_db_begin (b, &error));
  stmt = hub_db_prepare (b, "UPDATE l SET v = v + 1 WHERE id = $1", &error);
  hub_db_bind_int64 (stmt, 1, 1);
  g_assert_cmpint (hub_db_run (stmt, &error), ==, 1);
  g_assert_true (hub_db_commit (b, &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (a, "SELECT v FROM l WHERE id = 1"), ==, 2);
}

static void
test_round_trip (void)
{
  static const struct
  {
    const char *text;
    gint64      n;
    const char *blob;
    gsize       blob_size;
  } rows[] = {
    { "中文 书院 ☃ 🐉", G_MAXINT64, "a\0b\0\xff\x01", 6 },
    { "", G_MININT64, "", 0 },
    { "it's \"quoted\" \\ $1 ?1 @BLOB@", 0, "\0", 1 },
    { NULL, -1, NULL, 0 },
  };
  g_autofree char *target = new_target ();
  g_autoptr(GError) error = NULL;
  g_autoptr(HubDb) db = open_db (target);
  HubDbStmt *stmt;
  gsize i;

  exec_ok (db, "CREATE TABLE r (i @INT64@ PRIMARY KEY, t TEXT, n @INT64@, b @BLOB@)");
  for (i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      stmt = hub_db_prepare (db, "INSERT INTO r (i, t, n, b) VALUES ($1, $2, $3, $4)", &error);
      g_assert_no_error (error);
      hub_db_bind_int64 (stmt, 1, i);
      hub_db_bind_text (stmt, 2, rows[i].text);
      hub_db_bind_int64 (stmt, 3, rows[i].n);
      if (rows[i].blob != NULL)
        hub_db_bind_blob (stmt, 4, rows[i].blob, rows[i].blob_size);
      else
        hub_db_bind_null (stmt, 4);
      g_assert_cmpint (hub_db_run (stmt, &error), ==, 1);
      g_assert_no_error (error);
    }

  stmt = hub_db_prepare (db, "SELECT i, t, n, b FROM r ORDER BY i", &error);
  g_assert_no_error (error);
  for (i = 0; hub_db_step (stmt, &error); i++)
    {
      const void *blob;
      gsize size;

      g_assert_cmpint (i, <, G_N_ELEMENTS (rows));
      g_assert_cmpint (hub_db_column_int64 (stmt, 0), ==, i);
      g_assert_cmpstr (hub_db_column_text (stmt, 1), ==, rows[i].text);
      g_assert_cmpint (hub_db_column_is_null (stmt, 1), ==, rows[i].text == NULL);
      g_assert_cmpint (hub_db_column_int64 (stmt, 2), ==, rows[i].n);
      blob = hub_db_column_blob (stmt, 3, &size);
      g_assert_cmpint (hub_db_column_is_null (stmt, 3), ==, rows[i].blob == NULL);
      if (rows[i].blob == NULL)
        g_assert_null (blob);
      else
        {
          g_assert_nonnull (blob);
          g_assert_cmpmem (blob, size, rows[i].blob, rows[i].blob_size);
        }
    }
  g_assert_no_error (error);
  g_assert_cmpint (i, ==, G_N_ELEMENTS (rows));
  /* past the end, step keeps saying no (it does not run again) */
  g_assert_false (hub_db_step (stmt, &error));
  g_assert_no_error (error);

  /* a parameter whose type comes from its use, and a boolean expression */
  stmt = hub_db_prepare (db, "SELECT count(*), max(n) > $1 FROM r WHERE t = $2 OR n = $1",
                         &error);
  g_assert_no_error (error);
  hub_db_bind_int64 (stmt, 1, 0);
  hub_db_bind_text (stmt, 2, "中文 书院 ☃ 🐉");
  g_assert_true (hub_db_step (stmt, &error));
  g_assert_cmpint (hub_db_column_int64 (stmt, 0), ==, 2);
  g_assert_cmpint (hub_db_column_int64 (stmt, 1), ==, 1);
  g_assert_false (hub_db_step (stmt, &error));
  g_assert_no_error (error);

  /* RETURNING, through step and through run */
  exec_ok (db, "CREATE TABLE s (id @SERIAL@, name TEXT)");
  stmt = hub_db_prepare (db, "INSERT INTO s (name) VALUES ($1) RETURNING id", &error);
  hub_db_bind_text (stmt, 1, "one");
  g_assert_true (hub_db_step (stmt, &error));
  g_assert_cmpint (hub_db_column_int64 (stmt, 0), ==, 1);
  g_assert_false (hub_db_step (stmt, &error));
  g_assert_no_error (error);
  stmt = hub_db_prepare (db, "INSERT INTO s (name) VALUES ($1) RETURNING id", &error);
  hub_db_bind_text (stmt, 1, "two");
  g_assert_cmpint (hub_db_run (stmt, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpint (query_int (db, "SELECT max(id) FROM s"), ==, 2);
  stmt = hub_db_prepare (db, "UPDATE s SET name = $1", &error);
  hub_db_bind_text (stmt, 1, "all");
  g_assert_cmpint (hub_db_run (stmt, &error), ==, 2);
  g_assert_no_error (error);
}

static void
test_statement_cache (void)
{
  g_autofree char *target = new_target ();
  g_autoptr(GError) error = NULL;
  g_autoptr(HubDb) db = open_db (target);
  const char *select_sql = "SELECT k FROM c WHERE k >= $1 ORDER BY k";
  const char *insert_sql = "INSERT INTO c2 (k) VALUES ($1)";
  HubDbStmt *select_stmt;
  HubDbStmt *insert_stmt;
  guint cached;
  int n;

  exec_ok (db, "CREATE TABLE c (k @INT64@ PRIMARY KEY)");
  exec_ok (db, "CREATE TABLE c2 (k @INT64@)");
  exec_ok (db, "INSERT INTO c VALUES (1); INSERT INTO c VALUES (2); INSERT INTO c VALUES (3)");

  cached = _hub_db_n_cached (db);
  select_stmt = hub_db_prepare (db, select_sql, &error);
  g_assert_no_error (error);
  insert_stmt = hub_db_prepare (db, insert_sql, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (_hub_db_n_cached (db), ==, cached + 2);

  /* reading one while running the other */
  hub_db_bind_int64 (select_stmt, 1, 2);
  for (n = 0; hub_db_step (select_stmt, &error); n++)
    {
      gint64 k = hub_db_column_int64 (select_stmt, 0);

      g_assert_cmpint (k, ==, n + 2);
      insert_stmt = hub_db_prepare (db, insert_sql, &error);
      g_assert_no_error (error);
      hub_db_bind_int64 (insert_stmt, 1, k * 10);
      g_assert_cmpint (hub_db_run (insert_stmt, &error), ==, 1);
      g_assert_no_error (error);
    }
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 2);
  g_assert_cmpint (query_int (db, "SELECT sum(k) FROM c2"), ==, 50);

  /* the same statement again, reset with its bindings cleared */
  g_assert_true (hub_db_prepare (db, select_sql, &error) == select_stmt);
  g_assert_true (hub_db_prepare (db, insert_sql, &error) == insert_stmt);
  g_assert_no_error (error);
  g_assert_cmpuint (_hub_db_n_cached (db), ==, cached + 3);  /* + the sum query */

  /* given up half-way, then prepared again: starts over */
  select_stmt = hub_db_prepare (db, select_sql, &error);
  hub_db_bind_int64 (select_stmt, 1, 1);
  g_assert_true (hub_db_step (select_stmt, &error));
  g_assert_cmpint (hub_db_column_int64 (select_stmt, 0), ==, 1);
  select_stmt = hub_db_prepare (db, select_sql, &error);
  hub_db_bind_int64 (select_stmt, 1, 3);
  g_assert_true (hub_db_step (select_stmt, &error));
  g_assert_cmpint (hub_db_column_int64 (select_stmt, 0), ==, 3);
  g_assert_false (hub_db_step (select_stmt, &error));
  g_assert_no_error (error);

  /* an unbound parameter after a re-prepare is NULL */
  select_stmt = hub_db_prepare (db, select_sql, &error);
  g_assert_false (hub_db_step (select_stmt, &error));
  g_assert_no_error (error);

  /* a failed prepare is not cached */
  g_assert_null (hub_db_prepare (db, "SELECT nothing FROM nowhere", &error));
  g_assert_error (error, HUB_DB_ERROR, HUB_DB_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_cmpuint (_hub_db_n_cached (db), ==, cached + 3);
}

/* SQLite: a tracked connection reports the WAL's frames after each of its commits, and no
 * longer checkpoints by itself; PostgreSQL has no such count. */
static void
test_wal_frames (void)
{
  g_autofree char *target = new_target ();
  g_autoptr(HubDb) db = open_db (target);
  g_autoptr(GError) error = NULL;
  gint64 first, second;

  exec_ok (db, "CREATE TABLE wal_rows (body TEXT)");
  g_assert_cmpint (hub_db_wal_frames (db), ==, -1);
  hub_db_track_wal (db);
  g_assert_cmpint (hub_db_wal_frames (db), ==, -1);
  if (on_postgresql ())
    {
      exec_ok (db, "INSERT INTO wal_rows (body) VALUES (repeat('a', 3000))");
      g_assert_cmpint (hub_db_wal_frames (db), ==, -1);
      return;
    }
  exec_ok (db, "INSERT INTO wal_rows (body) VALUES (printf('%.3000c', 'a'))");
  first = hub_db_wal_frames (db);
  g_assert_cmpint (first, >, 0);
  for (int i = 0; i < 11; i++)
    exec_ok (db, "INSERT INTO wal_rows (body) SELECT body FROM wal_rows");
  second = hub_db_wal_frames (db);
  /* 2,048 rows of 3,000 bytes: at least one page each, and no automatic checkpoint
   * started the WAL over (it would have at 1,000 frames) */
  g_assert_cmpint (second, >=, first + 2048);
  {
    HubDbStmt *stmt = hub_db_prepare (db, "PRAGMA wal_checkpoint(PASSIVE)", &error);

    g_assert_no_error (error);
    g_assert_true (hub_db_step (stmt, &error));
    g_assert_cmpint (hub_db_column_int64 (stmt, 1), ==, second);
    hub_db_reset (stmt);
  }
}

static void
test_transactions (void)
{
  g_autofree char *target = new_target ();
  g_autoptr(GError) error = NULL;
  g_autoptr(HubDb) db = open_db (target);
  g_autoptr(HubDb) other = open_db (target);
  const char *insert_sql = "INSERT INTO x (k) VALUES ($1)";
  HubDbStmt *stmt;

  exec_ok (db, "CREATE TABLE x (k @INT64@ PRIMARY KEY)");

  /* rolled back */
  g_assert_false (hub_db_in_transaction (db));
  g_assert_true (hub_db_begin (db, &error));
  g_assert_true (hub_db_in_transaction (db));
  stmt = hub_db_prepare (db, insert_sql, &error);
  hub_db_bind_int64 (stmt, 1, 1);
  g_assert_cmpint (hub_db_run (stmt, &error), ==, 1);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM x"), ==, 1);
  g_assert_cmpint (query_int (other, "SELECT count(*) FROM x"), ==, 0);
  hub_db_rollback (db);
  g_assert_false (hub_db_in_transaction (db));
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM x"), ==, 0);
  /* harmless outside a transaction */
  hub_db_rollback (db);

  /* savepoints: 1 kept, 2 rolled back, a duplicate recovered from, 3 kept */
  g_assert_true (hub_db_begin (db, &error));
  stmt = hub_db_prepare (db, insert_sql, &error);
  hub_db_bind_int64 (stmt, 1, 1);
  g_assert_cmpint (hub_db_run (stmt, &error), ==, 1);
  g_assert_true (hub_db_savepoint (db, "batch", &error));
  stmt = hub_db_prepare (db, insert_sql, &error);
  hub_db_bind_int64 (stmt, 1, 2);
  g_assert_cmpint (hub_db_run (stmt, &error), ==, 1);
  g_assert_true (hub_db_rollback_to (db, "batch", &error));
  g_assert_true (hub_db_release (db, "batch", &error));
  g_assert_no_error (error);

  g_assert_true (hub_db_savepoint (db, "dup_batch", &error));
  stmt = hub_db_prepare (db, insert_sql, &error);
  hub_db_bind_int64 (stmt, 1, 1);
  g_assert_cmpint (hub_db_run (stmt, &error), ==, -1);
  g_assert_error (error, HUB_DB_ERROR, HUB_DB_ERROR_UNIQUE);
  g_clear_error (&error);
  /* on PostgreSQL the transaction is unusable until rolled back to the savepoint */
  g_assert_true (hub_db_rollback_to (db, "dup_batch", &error));
  g_assert_true (hub_db_release (db, "dup_batch", &error));
  g_assert_no_error (error);
  g_assert_true (hub_db_in_transaction (db));

  stmt = hub_db_prepare (db, insert_sql, &error);
  hub_db_bind_int64 (stmt, 1, 3);
  g_assert_cmpint (hub_db_run (stmt, &error), ==, 1);
  g_assert_true (hub_db_commit (db, &error));
  g_assert_no_error (error);
  g_assert_false (hub_db_in_transaction (db));
  g_assert_cmpint (query_int (other, "SELECT count(*) FROM x"), ==, 2);
  g_assert_cmpint (query_int (other, "SELECT sum(k) FROM x"), ==, 4);

  /* a failed commit-less transaction: rollback after an error */
  g_assert_true (hub_db_begin (db, &error));
  stmt = hub_db_prepare (db, insert_sql, &error);
  hub_db_bind_int64 (stmt, 1, 3);
  g_assert_cmpint (hub_db_run (stmt, &error), ==, -1);
  g_clear_error (&error);
  g_assert_true (hub_db_in_transaction (db));
  hub_db_rollback (db);
  g_assert_false (hub_db_in_transaction (db));
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM x"), ==, 2);

  /* a statement left half-read does not outlive the transaction boundary: after
   * begin/commit this connection sees what another committed */
  exec_ok (db, "INSERT INTO x VALUES (10); INSERT INTO x VALUES (11)");
  stmt = hub_db_prepare (db, "SELECT k FROM x ORDER BY k", &error);
  g_assert_true (hub_db_step (stmt, &error));
  g_assert_true (hub_db_begin (db, &error));
  g_assert_true (hub_db_commit (db, &error));
  exec_ok (other, "INSERT INTO x VALUES (12)");
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM x"), ==, 5);
  g_assert_no_error (error);

  /* the same with hub_db_reset_all (what hub_store_release does after a request) */
  stmt = hub_db_prepare (db, "SELECT k FROM x ORDER BY k", &error);
  g_assert_true (hub_db_step (stmt, &error));
  hub_db_reset_all (db);
  exec_ok (other, "INSERT INTO x VALUES (13)");
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM x"), ==, 6);

  /* a commit after a failed statement fails (PostgreSQL would roll back quietly) */
  g_assert_true (hub_db_begin (db, &error));
  stmt = hub_db_prepare (db, insert_sql, &error);
  hub_db_bind_int64 (stmt, 1, 20);
  g_assert_cmpint (hub_db_run (stmt, &error), ==, 1);
  stmt = hub_db_prepare (db, insert_sql, &error);
  hub_db_bind_int64 (stmt, 1, 20);
  g_assert_cmpint (hub_db_run (stmt, &error), ==, -1);
  g_assert_error (error, HUB_DB_ERROR, HUB_DB_ERROR_UNIQUE);
  g_clear_error (&error);
  if (on_postgresql ())
    {
      g_assert_false (hub_db_commit (db, &error));
      g_assert_error (error, HUB_DB_ERROR, HUB_DB_ERROR_FAILED);
      g_clear_error (&error);
      g_assert_false (hub_db_in_transaction (db));
      g_assert_cmpint (query_int (db, "SELECT count(*) FROM x WHERE k = 20"), ==, 0);
    }
  else
    {
      /* SQLite undoes only the failed statement */
      g_assert_true (hub_db_commit (db, &error));
      g_assert_no_error (error);
      g_assert_cmpint (query_int (db, "SELECT count(*) FROM x WHERE k = 20"), ==, 1);
    }

  /* a read-only transaction: one snapshot, and no write lock taken */
  g_assert_true (hub_db_begin_read (db, &error));
  g_assert_no_error (error);
  g_assert_true (hub_db_in_transaction (db));
  {
    gint64 before = query_int (db, "SELECT count(*) FROM x");

    g_assert_true (hub_db_begin (other, &error));
    exec_ok (other, "INSERT INTO x VALUES (30)");
    g_assert_true (hub_db_commit (other, &error));
    g_assert_no_error (error);
    g_assert_cmpint (query_int (db, "SELECT count(*) FROM x"), ==, before);
    g_assert_true (hub_db_commit (db, &error));
    g_assert_no_error (error);
    g_assert_cmpint (query_int (db, "SELECT count(*) FROM x"), ==, before + 1);
  }
}

static void
test_markers (void)
{
  g_autofree char *target = new_target ();
  g_autoptr(GError) error = NULL;
  g_autoptr(HubDb) db = open_db (target);
  g_autofree char *text = NULL;
  HubDbStmt *stmt;

  text = hub_db_dialect (db, "CREATE TABLE m (id @SERIAL@, b @BLOB@, n @INT64@, e TEXT)"
                         " -- @ alone, @OTHER@ stay");
  if (on_postgresql ())
    g_assert_cmpstr (text, ==, "CREATE TABLE m (id BIGSERIAL PRIMARY KEY, b BYTEA, n BIGINT,"
                     " e TEXT) -- @ alone, @OTHER@ stay");
  else
    g_assert_cmpstr (text, ==, "CREATE TABLE m (id INTEGER PRIMARY KEY AUTOINCREMENT, b BLOB,"
                     " n INTEGER, e TEXT) -- @ alone, @OTHER@ stay");
  exec_ok (db, text);
  g_clear_pointer (&text, g_free);

  /* $N outside literals only, in any order */
  g_assert_cmpint (_hub_db_count_params ("SELECT '$9', \"$8\", $2 /* $7 */, $1 -- $6\n, $3"),
                   ==, 3);
  text = g_strdup ("SELECT '$1', $2, \"a$1\" /* $1 */ -- $1\n, $12");
  _hub_db_dollar_to_question (text);
  g_assert_cmpstr (text, ==, "SELECT '$1', ?2, \"a$1\" /* $1 */ -- $1\n, ?12");

  stmt = hub_db_prepare (db, "SELECT '$1 it''s', CAST($2 AS TEXT), CAST($1 AS TEXT)", &error);
  g_assert_no_error (error);
  hub_db_bind_text (stmt, 1, "first");
  hub_db_bind_text (stmt, 2, "second");
  g_assert_true (hub_db_step (stmt, &error));
  g_assert_cmpstr (hub_db_column_text (stmt, 0), ==, "$1 it's");
  g_assert_cmpstr (hub_db_column_text (stmt, 1), ==, "second");
  g_assert_cmpstr (hub_db_column_text (stmt, 2), ==, "first");

  /* prepared SQL gets its markers rewritten too */
  stmt = hub_db_prepare (db, "SELECT CAST($1 AS @INT64@) + 1", &error);
  g_assert_no_error (error);
  hub_db_bind_int64 (stmt, 1, G_MAXINT64 - 1);
  g_assert_true (hub_db_step (stmt, &error));
  g_assert_cmpint (hub_db_column_int64 (stmt, 0), ==, G_MAXINT64);
}

static void
test_connect_errors (void)
{
  g_autoptr(GError) error = NULL;
  HubDb *db;
  g_autofree char *dir = g_dir_make_tmp ("test-hub-db-XXXXXX", &error);
  g_autofree char *file = g_build_filename (dir, "file", NULL);
  g_autofree char *under_file = g_build_filename (file, "data", NULL);

  g_ptr_array_add (temp_dirs, g_strdup (dir));
  g_assert_true (g_file_set_contents (file, "", 0, &error));

  g_assert_true (hub_db_target_is_postgresql ("postgres://x"));
  g_assert_false (hub_db_target_is_postgresql ("/var/lib/shuyuan-hub"));

  db = hub_db_open (under_file, &error);
  g_assert_null (db);
  g_assert_error (error, HUB_DB_ERROR, HUB_DB_ERROR_CONNECT);
  g_clear_error (&error);

  /* nothing listens on port 1 */
  db = hub_db_open ("postgresql://nobody@127.0.0.1:1/none?connect_timeout=5", &error);
  g_assert_null (db);
  g_assert_error (error, HUB_DB_ERROR, HUB_DB_ERROR_CONNECT);
  g_assert_nonnull (strstr (error->message, "127.0.0.1"));
  g_clear_error (&error);
}

typedef struct
{
  HubStore *store;
  int       base;
  HubDb    *db;
  GError   *error;
} StoreJob;

static gboolean
insert_one (HubDb    *db,
            gpointer  user_data,
            GError  **error)
{
  int *k = user_data;
  HubDbStmt *stmt = hub_db_prepare (db, "INSERT INTO w (k, n) VALUES ($1, $2)", error);

  if (stmt == NULL)
    return FALSE;
  hub_db_bind_int64 (stmt, 1, *k);
  hub_db_bind_int64 (stmt, 2, 1);
  if (hub_db_run (stmt, error) < 0)
    return FALSE;
  /* read-modify-write in the same transaction: a counter that must end exact */
  stmt = hub_db_prepare (db, "UPDATE w_total SET n = n + 1", error);
  return stmt != NULL && hub_db_run (stmt, error) == 1;
}

static gpointer
store_thread (gpointer data)
{
  StoreJob *job = data;

  job->db = hub_store_db (job->store, &job->error);
  for (int i = 0; i < 200 && job->error == NULL; i++)
    {
      int k = job->base + i;

      hub_store_transaction (job->store, insert_one, &k, &job->error);
    }
  return NULL;
}

static gboolean
fail_func (HubDb    *db,
           gpointer  user_data,
           GError  **error)
{
  int k = 999999;

  if (!insert_one (db, &k, error))
    return FALSE;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "refused");
  return FALSE;
}

static int parts_freed;

static void
part_free (gpointer data)
{
  g_assert_cmpstr (data, ==, "part");
  parts_freed++;
}

static void
test_store_threads (void)
{
  g_autofree char *target = new_target ();
  g_autoptr(GError) error = NULL;
  g_autoptr(HubStore) store = hub_store_open (target, &error);
  StoreJob jobs[4] = { 0 };
  GThread *threads[G_N_ELEMENTS (jobs)];
  HubDb *db;

  g_assert_no_error (error);
  db = hub_store_db (store, &error);
  exec_ok (db, "CREATE TABLE w (k @INT64@ PRIMARY KEY, n @INT64@)");
  exec_ok (db, "CREATE TABLE w_total (n @INT64@)");
  exec_ok (db, "INSERT INTO w_total VALUES (0)");

  for (gsize i = 0; i < G_N_ELEMENTS (jobs); i++)
    {
      jobs[i].store = store;
      jobs[i].base = (int) i * 1000;
      threads[i] = g_thread_new ("store", store_thread, &jobs[i]);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (jobs); i++)
    {
      g_thread_join (threads[i]);
      g_assert_no_error (jobs[i].error);
      g_assert_true (jobs[i].db != db);
      for (gsize j = 0; j < i; j++)
        g_assert_true (jobs[i].db != jobs[j].db);
    }
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM w"), ==, 800);
  g_assert_cmpint (query_int (db, "SELECT n FROM w_total"), ==, 800);

  /* a refused transaction leaves nothing behind and keeps its error */
  g_assert_false (hub_store_transaction (store, fail_func, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_false (hub_db_in_transaction (db));
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM w"), ==, 800);

  /* parts */
  parts_freed = 0;
  g_assert_null (hub_store_get_part (store, "writer"));
  hub_store_set_part (store, "writer", (gpointer) "part", part_free);
  g_assert_cmpstr (hub_store_get_part (store, "writer"), ==, "part");
  hub_store_set_part (store, "writer", (gpointer) "part", part_free);
  g_assert_cmpint (parts_freed, ==, 1);
  g_clear_pointer (&store, hub_store_free);
  g_assert_cmpint (parts_freed, ==, 2);
}

typedef struct
{
  int attempts;
  int busy_until;   /* fails with BUSY on attempts before this one */
} RetryJob;

static gboolean
busy_func (HubDb    *db,
           gpointer  user_data,
           GError  **error)
{
  RetryJob *job = user_data;
  HubDbStmt *stmt;

  job->attempts++;
  stmt = hub_db_prepare (db, "INSERT INTO rt (attempt) VALUES ($1)", error);
  if (stmt == NULL)
    return FALSE;
  hub_db_bind_int64 (stmt, 1, job->attempts);
  if (hub_db_run (stmt, error) != 1)
    return FALSE;
  if (job->attempts < job->busy_until)
    {
      g_set_error_literal (error, HUB_DB_ERROR, HUB_DB_ERROR_BUSY, "pretend busy");
      return FALSE;
    }
  return TRUE;
}

static gboolean
nested_func (HubDb    *db,
             gpointer  user_data,
             GError  **error)
{
  RetryJob inner = { 0, 0 };
  RetryJob refused = { 0, 99 };
  HubStore *store = user_data;

  if (!hub_store_transaction (store, busy_func, &inner, error))
    return FALSE;
  /* an inner failure rolls back the inner part only */
  g_assert_false (hub_store_transaction (store, busy_func, &refused, NULL));
  g_assert_true (hub_db_in_transaction (db));
  return TRUE;
}

static void
test_store_retry (void)
{
  g_autofree char *target = new_target ();
  g_autoptr(GError) error = NULL;
  g_autoptr(HubStore) store = hub_store_open (target, &error);
  RetryJob job = { 0, 3 };
  HubDb *db;

  g_assert_no_error (error);
  db = hub_store_db (store, &error);
  exec_ok (db, "CREATE TABLE rt (attempt @INT64@ NOT NULL)");

  /* busy twice, then through: only the last attempt's row stays */
  g_assert_true (hub_store_transaction (store, busy_func, &job, &error));
  g_assert_no_error (error);
  g_assert_cmpint (job.attempts, ==, 3);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM rt"), ==, 1);
  g_assert_cmpint (query_int (db, "SELECT max(attempt) FROM rt"), ==, 3);

  /* always busy: gives up after the first try and five retries */
  job = (RetryJob) { 0, 99 };
  g_assert_false (hub_store_transaction (store, busy_func, &job, &error));
  g_assert_error (error, HUB_DB_ERROR, HUB_DB_ERROR_BUSY);
  g_clear_error (&error);
  g_assert_cmpint (job.attempts, ==, 6);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM rt"), ==, 1);

  /* nested: a savepoint in the outer transaction */
  g_assert_true (hub_store_transaction (store, nested_func, store, &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM rt"), ==, 2);

  /* hub_store_release ends a half-read statement and a forgotten transaction */
  {
    g_autoptr(HubDb) other = open_db (target);
    HubDbStmt *stmt = hub_db_prepare (db, "SELECT attempt FROM rt", &error);

    g_assert_true (hub_db_step (stmt, &error));
    hub_store_release (store);
    exec_ok (other, "INSERT INTO rt VALUES (100)");
    g_assert_cmpint (query_int (db, "SELECT count(*) FROM rt"), ==, 3);

    g_assert_true (hub_db_begin (db, &error));
    exec_ok (db, "INSERT INTO rt VALUES (101)");
    g_test_expect_message ("ShuyuanHub", G_LOG_LEVEL_WARNING, "*transaction was left open*");
    hub_store_release (store);
    g_test_assert_expected_messages ();
    g_assert_false (hub_db_in_transaction (db));
    g_assert_cmpint (query_int (other, "SELECT count(*) FROM rt"), ==, 3);
  }
}

static gpointer
open_in_thread (gpointer data)
{
  HubStore *store = data;

  return hub_store_db (store, NULL);
}

/* A connection opened by a thread is closed when the thread ends; the store's own and a
 * second store's stay distinct. */
static void
test_store_thread_end (void)
{
  g_autofree char *target = new_target ();
  g_autoptr(GError) error = NULL;
  g_autoptr(HubStore) store = hub_store_open (target, &error);
  g_autoptr(HubStore) second = NULL;
  HubDb *db;

  g_assert_no_error (error);
  for (int i = 0; i < 3; i++)
    {
      GThread *thread = g_thread_new ("short", open_in_thread, store);

      g_assert_nonnull (g_thread_join (thread));
    }
  second = hub_store_open (target, &error);
  g_assert_no_error (error);
  db = hub_store_db (store, &error);
  g_assert_true (db != hub_store_db (second, &error));
  g_assert_no_error (error);

  if (on_postgresql ())
    {
      /* the short threads' connections are gone: only ours remain */
      gint64 n = query_int (db, "SELECT count(*) FROM pg_stat_activity"
                                " WHERE datname = current_database()");

      g_assert_cmpint (n, ==, 2);
    }
}

static void
test_time (void)
{
  g_autofree char *zero = hub_format_time (0);
  g_autofree char *known = hub_format_time (G_GINT64_CONSTANT (1795410721123456));
  g_autofree char *before = hub_format_time (-1);
  gint64 now = g_get_real_time ();

  g_assert_cmpstr (zero, ==, "1970-01-01T00:00:00.000000Z");
  g_assert_cmpstr (known, ==, "2026-11-23T05:12:01.123456Z");
  g_assert_cmpstr (before, ==, "1969-12-31T23:59:59.999999Z");
  g_assert_cmpint (ABS (hub_now_us () - now), <, 10 * G_USEC_PER_SEC);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  temp_dirs = g_ptr_array_new_with_free_func (g_free);

  g_test_add_func ("/hub-db/open-migrate", test_open_migrate);
  g_test_add_func ("/hub-db/store-open", test_store_open);
  g_test_add_func ("/hub-db/schema/newer", test_schema_newer);
  g_test_add_func ("/hub-db/schema/steps", test_schema_steps);
  g_test_add_func ("/hub-db/schema/concurrent", test_schema_concurrent);
  g_test_add_func ("/hub-db/unique", test_unique);
  g_test_add_func ("/hub-db/busy", test_busy);
  g_test_add_func ("/hub-db/round-trip", test_round_trip);
  g_test_add_func ("/hub-db/statement-cache", test_statement_cache);
  g_test_add_func ("/hub-db/transactions", test_transactions);
  g_test_add_func ("/hub-db/wal-frames", test_wal_frames);
  g_test_add_func ("/hub-db/markers", test_markers);
  g_test_add_func ("/hub-db/connect-errors", test_connect_errors);
  g_test_add_func ("/hub-db/store/threads", test_store_threads);
  g_test_add_func ("/hub-db/store/thread-end", test_store_thread_end);
  g_test_add_func ("/hub-db/store/retry", test_store_retry);
  g_test_add_func ("/hub-db/time", test_time);

  ret = g_test_run ();

  for (guint i = 0; i < temp_dirs->len; i++)
    remove_tree (g_ptr_array_index (temp_dirs, i));
  g_ptr_array_unref (temp_dirs);
  hub_test_pg_stop ();
  return ret;
}

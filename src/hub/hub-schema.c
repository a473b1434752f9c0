/* hub-schema.c — schema versions and the migration runner
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The database records its version in hub_schema (one row). Each step of `steps` below
 * brings it one version further, in its own transaction; step i makes version i + 1. A new
 * version is one more entry: a NULL-terminated list of SQL fragments in the SQL both
 * engines share (markers of hub-db.h allowed), run in order.
 *
 * Several hub processes may start at once on one PostgreSQL database: each step first takes
 * a transaction-scoped advisory lock, then reads the version again, so each step runs once.
 * On SQLite, BEGIN IMMEDIATE does the same.
 */
#define G_LOG_DOMAIN "ShuyuanHub"

#include "config.h"

#include "hub-db-private.h"

/* Any constant shared by all hub processes; "shuyuan" in ASCII, roughly. */
#define MIGRATE_LOCK_KEY "7536687579756160"

static const char * const version_1[] = {
  hub_schema_statements_v1,
  hub_schema_documents_v1,
  hub_schema_access_v1,
  hub_schema_catalog_v1,
  NULL
};

static const char * const version_2[] = {
  hub_schema_statements_v2,
  NULL
};

static const HubSchemaStep steps[] = {
  { version_1 },
  { version_2 },
};

static gboolean
read_version (HubDb   *db,
              int     *version,
              GError **error)
{
  HubDbStmt *stmt;
  GError *local_error = NULL;

  *version = 0;
  stmt = hub_db_prepare (db, "SELECT max(version) FROM hub_schema", error);
  if (stmt == NULL)
    return FALSE;
  if (hub_db_step (stmt, &local_error))
    {
      if (!hub_db_column_is_null (stmt, 0))
        *version = (int) hub_db_column_int64 (stmt, 0);
      hub_db_reset (stmt);
      return TRUE;
    }
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
table_exists (HubDb   *db,
              gboolean *exists,
              GError **error)
{
  HubDbStmt *stmt;
  GError *local_error = NULL;
  const char *sql;

  if (hub_db_engine (db) == HUB_DB_SQLITE)
    sql = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'hub_schema'";
  else
    sql = "SELECT count(*) FROM information_schema.tables"
          " WHERE table_schema = current_schema() AND table_name = 'hub_schema'";

  *exists = FALSE;
  stmt = hub_db_prepare (db, sql, error);
  if (stmt == NULL)
    return FALSE;
  if (hub_db_step (stmt, &local_error))
    {
      *exists = hub_db_column_int64 (stmt, 0) > 0;
      hub_db_reset (stmt);
      return TRUE;
    }
  if (local_error == NULL)
    g_set_error_literal (&local_error, HUB_DB_ERROR, HUB_DB_ERROR_FAILED,
                         "No answer when looking for the table hub_schema");
  g_propagate_error (error, local_error);
  return FALSE;
}

int
hub_db_schema_version (HubDb   *db,
                       GError **error)
{
  gboolean exists;
  int version;

  g_return_val_if_fail (db != NULL, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  if (!table_exists (db, &exists, error))
    return -1;
  if (!exists)
    return 0;
  if (!read_version (db, &version, error))
    return -1;
  return version;
}

static gboolean
newer_error (int       version,
             guint     n_steps,
             GError  **error)
{
  g_set_error (error, HUB_DB_ERROR, HUB_DB_ERROR_SCHEMA_NEWER,
               "The database has schema version %d but this hub knows only up to version "
               "%u: it was used by a newer shuyuan-hub. Upgrade this hub (never run an "
               "older hub on a newer database).",
               version, n_steps);
  return FALSE;
}

/* One transaction: brings the database from its current version one step on. Sets *done
 * when there was nothing left to do. */
static gboolean
migrate_one (HubDb               *db,
             const HubSchemaStep *steps_,
             guint                n_steps,
             gboolean            *done,
             GError             **error)
{
  HubDbStmt *stmt;
  int version;
  const HubSchemaStep *step;

  *done = FALSE;
  if (!hub_db_begin (db, error))
    return FALSE;

  if (hub_db_engine (db) == HUB_DB_POSTGRESQL)
    {
      /* One migrator at a time; the CREATE TABLE below is racy without it too. */
      stmt = hub_db_prepare (db, "SELECT pg_advisory_xact_lock(" MIGRATE_LOCK_KEY ")", error);
      if (stmt == NULL || hub_db_run (stmt, error) < 0)
        goto fail;
    }

  if (!hub_db_exec (db, "CREATE TABLE IF NOT EXISTS hub_schema (version INTEGER NOT NULL)",
                    error))
    goto fail;
  if (!read_version (db, &version, error))
    goto fail;

  if (version < 0 || (guint) version > n_steps)
    {
      newer_error (version, n_steps, error);
      goto fail;
    }
  if ((guint) version == n_steps)
    {
      *done = TRUE;
      if (!hub_db_commit (db, error))
        goto fail;
      return TRUE;
    }

  step = &steps_[version];
  for (const char * const *fragment = step->fragments; *fragment != NULL; fragment++)
    {
      if (**fragment == '\0')
        continue;
      if (!hub_db_exec (db, *fragment, error))
        {
          g_prefix_error (error, "Cannot migrate the database to schema version %d: ",
                          version + 1);
          goto fail;
        }
    }

  if (!hub_db_exec (db, "DELETE FROM hub_schema", error))
    goto fail;
  stmt = hub_db_prepare (db, "INSERT INTO hub_schema (version) VALUES ($1)", error);
  if (stmt == NULL)
    goto fail;
  hub_db_bind_int64 (stmt, 1, version + 1);
  if (hub_db_run (stmt, error) < 0)
    goto fail;
  if (!hub_db_commit (db, error))
    goto fail;
  g_debug ("Database migrated to schema version %d", version + 1);
  return TRUE;

fail:
  hub_db_rollback (db);
  return FALSE;
}

gboolean
_hub_schema_migrate (HubDb               *db,
                     const HubSchemaStep *steps_,
                     guint                n_steps,
                     GError             **error)
{
  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (!hub_db_in_transaction (db), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Bounded: each round either finishes, fails or raises the version by one. */
  for (guint round = 0; round <= n_steps; round++)
    {
      gboolean done;

      if (!migrate_one (db, steps_, n_steps, &done, error))
        return FALSE;
      if (done)
        return TRUE;
    }
  g_set_error_literal (error, HUB_DB_ERROR, HUB_DB_ERROR_FAILED,
                       "The schema version did not settle while migrating");
  return FALSE;
}

gboolean
hub_db_migrate (HubDb   *db,
                GError **error)
{
  return _hub_schema_migrate (db, steps, G_N_ELEMENTS (steps), error);
}

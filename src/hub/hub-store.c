/* hub-store.c — one connection per thread, transactions with retry, parts, time
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each thread keeps its connections in a thread-local list (one per store it used), and
 * each store keeps the same connections in its own list, so a connection is closed by
 * whichever comes first: the thread's end or hub_store_free(). Both lists change only under
 * one global lock; a thread finds its own connection without taking it. Stores get ids that
 * are never reused, so a connection left by a freed store is never mistaken for a new one.
 */
#define G_LOG_DOMAIN "ShuyuanHub"

#include "config.h"

#include <time.h>

#include "hub-db-private.h"
#include "hub-store.h"

#define TRANSACTION_ATTEMPTS 6  /* the first try and five retries */

typedef struct
{
  guint64   store_id;
  HubStore *store;   /* NULL once the store is freed */
  HubDb    *db;      /* NULL once closed */
} Conn;

typedef struct
{
  gpointer       part;
  GDestroyNotify free_part;
} Part;

struct _HubStore
{
  guint64     id;
  char       *target;
  HubDbEngine engine;
  GPtrArray  *conns;   /* Conn, under conns_lock */
  GMutex      parts_lock;
  GHashTable *parts;   /* name → Part */
};

static GMutex conns_lock;
static guint64 next_store_id = 1;

static void thread_conns_free (gpointer data);
static GPrivate thread_conns = G_PRIVATE_INIT (thread_conns_free);

/* At the end of a thread: closes the connections it opened for stores still alive. */
static void
thread_conns_free (gpointer data)
{
  GPtrArray *list = data;

  g_mutex_lock (&conns_lock);
  for (guint i = 0; i < list->len; i++)
    {
      Conn *conn = g_ptr_array_index (list, i);

      if (conn->store != NULL)
        g_ptr_array_remove_fast (conn->store->conns, conn);
      g_clear_pointer (&conn->db, hub_db_close);
      g_free (conn);
    }
  g_mutex_unlock (&conns_lock);
  g_ptr_array_unref (list);
}

static GPtrArray *
get_thread_list (void)
{
  GPtrArray *list = g_private_get (&thread_conns);

  if (list == NULL)
    {
      list = g_ptr_array_new ();
      g_private_set (&thread_conns, list);
    }
  return list;
}

HubDb *
hub_store_db (HubStore  *store,
              GError   **error)
{
  GPtrArray *list;
  Conn *conn;
  HubDb *db;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  list = get_thread_list ();
  for (guint i = 0; i < list->len; i++)
    {
      conn = g_ptr_array_index (list, i);
      if (conn->store_id != store->id)
        continue;
      /* A lost PostgreSQL connection is replaced, unless a transaction was open on it
       * (the caller must see that fail). */
      if (conn->db != NULL && _hub_db_is_broken (conn->db)
          && !hub_db_in_transaction (conn->db))
        {
          g_mutex_lock (&conns_lock);
          g_clear_pointer (&conn->db, hub_db_close);
          g_mutex_unlock (&conns_lock);
        }
      if (conn->db != NULL)
        return conn->db;
      db = hub_db_open (store->target, error);
      if (db == NULL)
        return NULL;
      g_mutex_lock (&conns_lock);
      conn->db = db;
      g_mutex_unlock (&conns_lock);
      return db;
    }

  db = hub_db_open (store->target, error);
  if (db == NULL)
    return NULL;

  conn = g_new0 (Conn, 1);
  conn->store_id = store->id;
  conn->store = store;
  conn->db = db;

  g_mutex_lock (&conns_lock);
  /* Drops what freed stores left in this thread's list. */
  for (guint i = list->len; i > 0; i--)
    {
      Conn *old = g_ptr_array_index (list, i - 1);

      if (old->store == NULL)
        {
          g_assert (old->db == NULL);
          g_free (old);
          g_ptr_array_remove_index_fast (list, i - 1);
        }
    }
  g_ptr_array_add (list, conn);
  g_ptr_array_add (store->conns, conn);
  g_mutex_unlock (&conns_lock);
  return db;
}

void
hub_store_release (HubStore *store)
{
  GPtrArray *list;

  g_return_if_fail (store != NULL);

  list = g_private_get (&thread_conns);
  if (list == NULL)
    return;
  for (guint i = 0; i < list->len; i++)
    {
      Conn *conn = g_ptr_array_index (list, i);

      if (conn->store_id != store->id || conn->db == NULL)
        continue;
      if (hub_db_in_transaction (conn->db))
        {
          g_warning ("A transaction was left open after a request; rolled back");
          hub_db_rollback (conn->db);
        }
      hub_db_reset_all (conn->db);
      return;
    }
}

static void
part_free (gpointer data)
{
  Part *part = data;

  if (part->free_part != NULL)
    part->free_part (part->part);
  g_free (part);
}

HubStore *
hub_store_open (const char  *target,
                GError     **error)
{
  g_autoptr(HubStore) store = NULL;
  HubDb *db;

  g_return_val_if_fail (target != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  store = g_new0 (HubStore, 1);
  g_mutex_lock (&conns_lock);
  store->id = next_store_id++;
  g_mutex_unlock (&conns_lock);
  store->target = g_strdup (target);
  store->engine = hub_db_target_is_postgresql (target) ? HUB_DB_POSTGRESQL : HUB_DB_SQLITE;
  store->conns = g_ptr_array_new ();
  g_mutex_init (&store->parts_lock);
  store->parts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, part_free);

  db = hub_store_db (store, error);
  if (db == NULL)
    return NULL;
  if (!hub_db_migrate (db, error))
    return NULL;
  return g_steal_pointer (&store);
}

void
hub_store_free (HubStore *store)
{
  if (store == NULL)
    return;

  /* Parts first: they may still use the store (a writer thread finishing its work). */
  g_clear_pointer (&store->parts, g_hash_table_unref);
  g_mutex_clear (&store->parts_lock);

  g_mutex_lock (&conns_lock);
  for (guint i = 0; i < store->conns->len; i++)
    {
      Conn *conn = g_ptr_array_index (store->conns, i);

      g_clear_pointer (&conn->db, hub_db_close);
      conn->store = NULL;
    }
  g_mutex_unlock (&conns_lock);
  g_ptr_array_unref (store->conns);
  g_free (store->target);
  g_free (store);
}

const char *
hub_store_target (HubStore *store)
{
  g_return_val_if_fail (store != NULL, NULL);

  return store->target;
}

HubDbEngine
hub_store_engine (HubStore *store)
{
  g_return_val_if_fail (store != NULL, HUB_DB_SQLITE);

  return store->engine;
}

gpointer
hub_store_get_part (HubStore   *store,
                    const char *name)
{
  Part *part;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  g_mutex_lock (&store->parts_lock);
  part = g_hash_table_lookup (store->parts, name);
  g_mutex_unlock (&store->parts_lock);
  return part != NULL ? part->part : NULL;
}

void
hub_store_set_part (HubStore       *store,
                    const char     *name,
                    gpointer        part_data,
                    GDestroyNotify  free_part)
{
  Part *part;
  Part *old = NULL;
  gpointer old_key = NULL;

  g_return_if_fail (store != NULL);
  g_return_if_fail (name != NULL);

  part = g_new0 (Part, 1);
  part->part = part_data;
  part->free_part = free_part;

  g_mutex_lock (&store->parts_lock);
  /* The old part is freed outside the lock: its free function may call back in. */
  if (g_hash_table_steal_extended (store->parts, name, &old_key, (gpointer *) &old))
    g_free (old_key);
  g_hash_table_insert (store->parts, g_strdup (name), part);
  g_mutex_unlock (&store->parts_lock);

  if (old != NULL)
    part_free (old);
}

static void
backoff (guint attempt)
{
  /* 1–5 ms, then longer: a few milliseconds is what a competing commit takes. */
  gulong max_us = 5000UL << MIN (attempt, 4);

  g_usleep (1000 + g_random_int_range (0, (gint32) max_us));
}

gboolean
hub_store_transaction (HubStore         *store,
                       HubStoreTxnFunc   func,
                       gpointer          user_data,
                       GError          **error)
{
  HubDb *db;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  db = hub_store_db (store, error);
  if (db == NULL)
    return FALSE;

  /* Inside a transaction already: a savepoint, and the outer caller retries. */
  if (hub_db_in_transaction (db))
    {
      if (!hub_db_savepoint (db, "hub_store_txn", error))
        return FALSE;
      if (!func (db, user_data, error))
        {
          hub_db_rollback_to (db, "hub_store_txn", NULL);
          hub_db_release (db, "hub_store_txn", NULL);
          return FALSE;
        }
      return hub_db_release (db, "hub_store_txn", error);
    }

  for (guint attempt = 0; ; attempt++)
    {
      GError *local_error = NULL;

      if (hub_db_begin (db, &local_error)
          && func (db, user_data, &local_error)
          && hub_db_commit (db, &local_error))
        return TRUE;

      /* func may fail without setting an error; that is a plain failure */
      hub_db_rollback (db);
      if (local_error != NULL
          && g_error_matches (local_error, HUB_DB_ERROR, HUB_DB_ERROR_BUSY)
          && attempt + 1 < TRANSACTION_ATTEMPTS)
        {
          g_debug ("Transaction retried after: %s", local_error->message);
          g_clear_error (&local_error);
          backoff (attempt);
          continue;
        }
      if (local_error != NULL)
        g_propagate_error (error, local_error);
      else
        g_set_error_literal (error, HUB_DB_ERROR, HUB_DB_ERROR_FAILED,
                             "A database transaction failed");
      return FALSE;
    }
}

gint64
hub_now_us (void)
{
  return g_get_real_time ();
}

char *
hub_format_time (gint64 time_us)
{
  gint64 secs = time_us / G_USEC_PER_SEC;
  gint64 usecs = time_us % G_USEC_PER_SEC;
  time_t t;
  struct tm tm;

  if (usecs < 0)
    {
      usecs += G_USEC_PER_SEC;
      secs--;
    }
  t = (time_t) secs;
  if (gmtime_r (&t, &tm) == NULL)
    return g_strdup ("1970-01-01T00:00:00.000000Z");
  return g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
                          tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                          tm.tm_hour, tm.tm_min, tm.tm_sec, (int) usecs);
}

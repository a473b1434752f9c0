/* sync-test-util.c — PCs, a hub and a fault proxy for the sync suite's tests
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#include "sync-test-util.h"
#include "sy-util.h"
#include "test-util.h"

Pc *
pc_new (const char *name)
{
  Pc *pc = g_new0 (Pc, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *prefix = g_strconcat ("sync-", name, NULL);

  pc->dir = test_make_temp_dir (prefix);
  pc->store = sy_store_new (pc->dir);
  g_assert_true (sy_store_open (pc->store, NULL, &error));
  g_assert_no_error (error);
  return pc;
}

void
pc_free (Pc *pc)
{
  g_clear_object (&pc->store);
  sy_rm_rf (pc->dir, NULL);
  g_free (pc->dir);
  g_free (pc);
}

char *
enrol_code (HubTestHub *hub,
            const char *org)
{
  g_autofree char *out = NULL;

  g_assert_cmpint (hub_test_hub_command (hub->target, &out, NULL, "enrol-code", "--org", org,
                                         NULL), ==, 0);
  return g_strdup (g_strstrip (out));
}

void
enrol_at (Pc         *pc,
          HubTestHub *hub,
          const char *url,
          const char *org)
{
  g_autofree char *code = enrol_code (hub, org);
  g_autoptr(GError) error = NULL;

  g_assert_true (sy_sync_enrol (pc->store, url ? url : hub->url, code, "test PC", NULL, &error));
  g_assert_no_error (error);
}

void
enrol (Pc         *pc,
       HubTestHub *hub,
       const char *org)
{
  enrol_at (pc, hub, NULL, org);
}

void
publish_samples (HubTestHub *hub)
{
  const char *courses[] = { "village-doctor-hygiene", "coding-for-kids", "retail-bookkeeping", NULL };
  g_autofree char *samples = test_samples_dir ();

  for (guint i = 0; courses[i]; i++)
    {
      g_autofree char *path = g_build_filename (samples, courses[i], NULL);
      g_assert_cmpint (hub_test_hub_command (hub->target, NULL, NULL, "publish", path, NULL), ==, 0);
    }
}

void
install_sample (Pc         *pc,
                const char *folder)
{
  g_autofree char *samples = test_samples_dir ();
  g_autofree char *path = g_build_filename (samples, folder, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(SyCourse) course = NULL;
  g_autoptr(GError) error = NULL;

  course = sy_store_import (pc->store, file, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (course);
}

char *
add_learner (Pc         *pc,
             const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SyLearner) learner = sy_store_add_learner (pc->store, name, SY_ROLE_LEARNER, NULL, &error);

  g_assert_no_error (error);
  return g_strdup (sy_learner_get_uuid (learner));
}

/* Records @verb on an item of the sample course, as the lesson and quiz views do. */
char *
record (Pc         *pc,
        const char *learner,
        const char *item,
        SyVerb      verb,
        double      seconds,
        double      score)
{
  g_autoptr(GError) error = NULL;
  SyEvent event;
  char *id;

  sy_event_init (&event);
  event.learner_uuid = learner;
  event.course_id = VD_COURSE;
  event.item_id = item;
  event.item_type = SY_ITEM_LESSON;
  event.verb = verb;
  event.seconds = seconds;
  event.score = score;
  id = sy_store_record (pc->store, &event, NULL, &error);
  g_assert_no_error (error);
  return id;
}

/* Ids of the course's first @n items, in order. */
GPtrArray *
course_items (Pc *pc)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SyCourse) course = sy_store_get_course (pc->store, VD_COURSE, NULL, NULL, &error);
  GPtrArray *items = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *modules;

  g_assert_no_error (error);
  modules = sy_course_get_modules (course);
  for (guint m = 0; m < modules->len; m++)
    {
      SyModule *module = g_ptr_array_index (modules, m);
      for (guint i = 0; i < module->items->len; i++)
        g_ptr_array_add (items, g_strdup (((SyItem *) g_ptr_array_index (module->items, i))->id));
    }
  return items;
}

sqlite3 *
open_db (Pc *pc)
{
  g_autofree char *path = g_build_filename (pc->dir, "shuyuan.db", NULL);
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  return db;
}

/* One line per projection row (learner, course, item, status, best score, attempts,
 * seconds): what the PC shows, independent of the order statements arrived in. */
char *
dump_projections (Pc *pc)
{
  sqlite3 *db = open_db (pc);
  sqlite3_stmt *stmt;
  GString *out = g_string_new (NULL);

  g_assert_cmpint (sqlite3_prepare_v2 (db,
                     "SELECT learner_uuid, course_id, item_id, status, coalesce (best_score, -1), "
                     " attempts, round (seconds, 3) FROM item_progress "
                     "WHERE status > 0 OR attempts > 0 OR seconds > 0 ORDER BY 1, 2, 3",
                     -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (out, "%s %s %s %d %g %d %g\n", sqlite3_column_text (stmt, 0),
                            sqlite3_column_text (stmt, 1), sqlite3_column_text (stmt, 2),
                            sqlite3_column_int (stmt, 3), sqlite3_column_double (stmt, 4),
                            sqlite3_column_int (stmt, 5), sqlite3_column_double (stmt, 6));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return g_string_free (out, FALSE);
}

int
query_int (Pc         *pc,
           const char *sql)
{
  sqlite3 *db = open_db (pc);
  sqlite3_stmt *stmt;
  int value = -1;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

void
sync_ok (Pc             *pc,
         SySyncFlags     flags,
         SySyncSummary  *summary)
{
  g_autoptr(GError) error = NULL;
  SySyncSummary ignored;

  g_assert_true (sy_sync_run (pc->store, flags, NULL, NULL, summary ? summary : &ignored, NULL, &error));
  g_assert_no_error (error);
}

/* Every statement id the hub holds (admin, all pages). */
GHashTable *
hub_statement_ids (HubTestHub *hub,
                   guint      *n_rows)
{
  GHashTable *ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *path = g_strdup ("/xapi/statements?limit=500");
  guint rows = 0;

  while (path != NULL)
    {
      g_autoptr(HubTestResponse) response = hub_test_request (hub, "GET", path, hub->admin, NULL,
                                                              NULL, 0, NULL, NULL);
      json_object *list, *more = NULL;

      hub_test_assert_status (response, 200);
      list = json_object_object_get (response->json, "statements");
      for (size_t i = 0; i < json_object_array_length (list); i++)
        {
          const char *id = json_object_get_string (json_object_object_get (json_object_array_get_idx (list, i), "id"));
          g_hash_table_add (ids, g_strdup (id));
          rows++;
        }
      g_clear_pointer (&path, g_free);
      if (json_object_object_get_ex (response->json, "more", &more) &&
          json_object_get_string_len (more) > 0)
        path = g_strdup (json_object_get_string (more));
    }
  if (n_rows)
    *n_rows = rows;
  return ids;
}


GHashTable *
pc_statement_ids (Pc *pc)
{
  GHashTable *ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  sqlite3 *db = open_db (pc);
  sqlite3_stmt *stmt;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT id FROM statements", -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_hash_table_add (ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return ids;
}

GPtrArray *
add_statements (Pc         *pc,
                const char *learner,
                guint       n)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) lines = g_string_new (NULL);
  g_autoptr(GInputStream) input = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = course_items (pc);
  guint added = 0, known = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      g_autofree char *timestamp = g_date_time_format_iso8601 (now);
      char *id = g_uuid_string_random ();
      SyEvent event;
      json_object *statement;

      /* what reading a lesson records, every few minutes */
      sy_event_init (&event);
      event.learner_uuid = learner;
      event.course_id = VD_COURSE;
      event.item_id = items->pdata[i % items->len];
      event.item_type = SY_ITEM_LESSON;
      event.verb = SY_VERB_PROGRESSED;
      event.seconds = 60 + i % 240;
      statement = sy_statement_build (&event, id, timestamp, "学员", SY_DEFAULT_HOME_PAGE,
                                      sy_store_get_device_id (pc->store));
      g_string_append (lines, json_object_to_json_string_ext (statement, JSON_C_TO_STRING_PLAIN));
      g_string_append_c (lines, '\n');
      json_object_put (statement);
      g_ptr_array_add (ids, id);
    }
  input = g_memory_input_stream_new_from_data (g_strdup (lines->str), lines->len, g_free);
  g_assert_true (sy_store_import_statements (pc->store, input, &added, &known, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (added, ==, n);
  return ids;
}

static void
edit_course (const char *folder,
             const char *id)
{
  g_autofree char *path = g_build_filename (folder, "course.json", NULL);
  json_object *course = json_object_from_file (path);

  g_assert_nonnull (course);
  json_object_object_add (course, "id", json_object_new_string (id));
  g_assert_cmpint (json_object_to_file_ext (path, course, JSON_C_TO_STRING_PRETTY), ==, 0);
  json_object_put (course);
}

char *
publish_large (HubTestHub *hub,
               const char *id,
               guint       megabytes)
{
  g_autofree char *samples = test_samples_dir ();
  g_autofree char *from = g_build_filename (samples, "coding-for-kids", NULL);
  g_autofree char *tmp = test_make_temp_dir ("large");
  g_autofree char *folder = g_build_filename (tmp, id, NULL);
  g_autoptr(GRand) rand = g_rand_new_with_seed (megabytes);
  g_autofree char *err = NULL;

  test_copy_tree (from, folder);
  edit_course (folder, id);
  /* random bytes (they do not compress), in files of at most 32 MiB (a package's files
   * may not exceed 64 MiB) */
  for (guint part = 0; part * 32 < megabytes; part++)
    {
      guint mb = MIN (32, megabytes - part * 32);
      gsize n = (gsize) mb * 1024 * 1024 / 4;
      g_autofree char *name = g_strdup_printf ("noise-%u.bin", part);
      g_autofree char *noise = g_build_filename (folder, "media", name, NULL);
      guint32 *data = g_new (guint32, n);

      for (gsize i = 0; i < n; i++)
        data[i] = g_rand_int (rand);
      g_assert_true (g_file_set_contents (noise, (const char *) data, n * 4, NULL));
      g_free (data);
    }
  if (hub_test_hub_command (hub->target, NULL, &err, "publish", folder, NULL) != 0)
    g_error ("publishing %s failed: %s", id, err);
  sy_rm_rf (tmp, NULL);
  return g_strdup (id);
}

guint
url_port (const char *url)
{
  const char *colon = strrchr (url, ':');

  g_assert_nonnull (colon);
  return (guint) g_ascii_strtoull (colon + 1, NULL, 10);
}

Proxy *
proxy_start (const char *target_url,
             const char *listen,
             const char *first_arg,
             ...)
{
  const char *binary = g_getenv ("SY_FAULT_PROXY");
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  Proxy *proxy = g_new0 (Proxy, 1);
  const char *host = strstr (target_url, "://");
  va_list ap;

  g_assert_nonnull (binary);
  g_assert_nonnull (host);
  g_ptr_array_add (args, g_strdup (binary));
  g_ptr_array_add (args, g_strdup ("--listen"));
  g_ptr_array_add (args, g_strdup (listen ? listen : "127.0.0.1:0"));
  g_ptr_array_add (args, g_strdup ("--target"));
  g_ptr_array_add (args, g_strdup (host + 3));
  va_start (ap, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, g_strdup (arg));
  va_end (ap);
  g_ptr_array_add (args, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  proxy->log = g_build_filename (g_get_tmp_dir (), "sy-fault-proxy-XXXXXX.log", NULL);
  g_close (g_mkstemp (proxy->log), NULL);
  g_subprocess_launcher_set_stderr_file_path (launcher, proxy->log);
  proxy->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata, &error);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proxy->process));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "listening on "));
  proxy->url = g_strconcat ("http://", line + strlen ("listening on "), NULL);
  return proxy;
}

void
proxy_stop (Proxy *proxy)
{
  g_autoptr(GError) error = NULL;

  if (proxy == NULL)
    return;
  g_subprocess_send_signal (proxy->process, SIGTERM);
  g_subprocess_wait (proxy->process, NULL, &error);
  g_assert_no_error (error);
  g_object_unref (proxy->process);
  g_unlink (proxy->log);
  g_free (proxy->log);
  g_free (proxy->url);
  g_free (proxy);
}

char *
proxy_counters (Proxy *proxy)
{
  g_autofree char *before = NULL;
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  g_file_get_contents (proxy->log, &before, NULL, NULL);
  g_subprocess_send_signal (proxy->process, SIGUSR1);
  while (g_get_monotonic_time () < deadline)
    {
      g_autofree char *text = NULL;
      g_auto(GStrv) lines = NULL;

      g_usleep (10000);
      if (!g_file_get_contents (proxy->log, &text, NULL, NULL) ||
          strlen (text) <= strlen (before ? before : ""))
        continue;
      lines = g_strsplit (g_strstrip (text), "\n", -1);
      for (int i = g_strv_length (lines) - 1; i >= 0; i--)
        if (g_str_has_prefix (lines[i], "connections "))
          return g_strdup (lines[i]);
    }
  g_error ("sy-fault-proxy printed no counters");
}

guint64
proxy_counter (const char *counters,
               const char *name)
{
  g_auto(GStrv) words = g_strsplit (counters, " ", -1);

  for (guint i = 0; words[i] && words[i + 1]; i += 2)
    if (g_str_equal (words[i], name))
      return g_ascii_strtoull (words[i + 1], NULL, 10);
  g_error ("no counter %s in “%s”", name, counters);
}

void
assert_same_ids (GHashTable *want,
                 GHashTable *got)
{
  GHashTableIter iter;
  gpointer id;

  g_assert_cmpuint (g_hash_table_size (got), ==, g_hash_table_size (want));
  g_hash_table_iter_init (&iter, want);
  while (g_hash_table_iter_next (&iter, &id, NULL))
    if (!g_hash_table_contains (got, id))
      g_error ("statement %s is missing", (const char *) id);
}

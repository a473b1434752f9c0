/* bench-sync.c — the sync engine's time and bytes on the wire, beside a bare client
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   bench-sync [--statements 10000] [--package-mb 100] [--slow 1000]
 *
 * A real hub (SQLite, durable) on 127.0.0.1 behind sy-fault-proxy with no faults, whose
 * counters give the bytes that crossed the wire (HTTP headers and bodies, both ways).
 * Figures:
 *   - push: a PC with N statements in its outbox syncs them (gzip, then plain);
 *   - pull: a fresh PC of the same organisation receives them (gzip, then plain);
 *   - the baseline beside each: a bare libcurl client sending the same statements in the
 *     same batches, and paging through them, with no store behind it: what the engine's
 *     bookkeeping (reading the outbox, marking, merging, projections) costs on top;
 *   - resume: a 100 MB course whose download was cut at 50% is finished, checked and
 *     installed, beside a bare download of the whole package;
 *   - slow link: 1,000 statements pushed over 64 kbit/s (the proxy's --rate 8000 and
 *     100 ms of latency each way), beside the time the bytes alone need at that rate.
 * Each PC's statements are those a learner makes reading lessons (~700 bytes of JSON).
 */
#include "config.h"

#include <curl/curl.h>
#include <locale.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "sync-test-util.h"
#include "sy-util.h"
#include "test-util.h"

static guint64 wire_bytes (Proxy *proxy);

/* When each step of a run started, and the bytes on the wire then. */
typedef struct
{
  Proxy   *proxy;
  gint64   start[8];
  guint64  bytes[8];
  int      last;
} Timeline;

static void
on_progress (const SySyncProgress *p,
             gpointer              data)
{
  Timeline *t = data;

  if ((int) p->phase == t->last)
    return;
  t->last = p->phase;
  if (t->start[p->phase] == 0)
    {
      t->start[p->phase] = g_get_monotonic_time ();
      if (t->proxy)
        t->bytes[p->phase] = wire_bytes (t->proxy);
    }
}

static guint64
wire_bytes (Proxy *proxy)
{
  g_autofree char *counters = proxy_counters (proxy);

  return proxy_counter (counters, "bytes_up") + proxy_counter (counters, "bytes_down");
}

typedef struct
{
  double   seconds;
  guint64  bytes;
} Figure;

/* A records-only run of @pc; the figure of step @phase, from its start to the start of
 * @next (or to the end of the run). */
static Figure
timed_sync (Pc          *pc,
            Proxy       *proxy,
            SySyncPhase  phase,
            SySyncPhase  next)
{
  Timeline t = { proxy, { 0 }, { 0 }, -1 };
  g_autoptr(GError) error = NULL;
  gint64 end;
  guint64 end_bytes;
  Figure f;

  if (!sy_sync_run (pc->store, SY_SYNC_RECORDS_ONLY, on_progress, &t, NULL, NULL, &error))
    g_error ("sync failed: %s", error->message);
  end = g_get_monotonic_time ();
  end_bytes = wire_bytes (proxy);
  if (next != SY_SYNC_PHASE_IDLE && t.start[next] != 0)
    {
      end = t.start[next];
      end_bytes = t.bytes[next];
    }
  f.seconds = (end - t.start[phase]) / 1e6;
  f.bytes = end_bytes - t.bytes[phase];
  return f;
}

/* ---- the bare client ---- */

static size_t
collect (char *data, size_t size, size_t n, void *user)
{
  g_byte_array_append (user, (const guint8 *) data, size * n);
  return size * n;
}

static GPtrArray *
outbox_json (Pc *pc)
{
  sqlite3 *db = open_db (pc);
  sqlite3_stmt *stmt;
  GPtrArray *list = g_ptr_array_new_with_free_func (g_free);

  sqlite3_prepare_v2 (db, "SELECT json FROM statements ORDER BY rowid", -1, &stmt, NULL);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (list, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return list;
}

static CURL *
bare_handle (const char         *auth,
             GByteArray         *body,
             struct curl_slist **headers,
             gboolean            gzip)
{
  CURL *curl = curl_easy_init ();

  *headers = curl_slist_append (*headers, "X-Experience-API-Version: 1.0.3");
  *headers = curl_slist_append (*headers, "Content-Type: application/json");
  *headers = curl_slist_append (*headers, "Expect:");
  if (gzip)
    *headers = curl_slist_append (*headers, "Content-Encoding: gzip");
  curl_easy_setopt (curl, CURLOPT_USERPWD, auth);
  curl_easy_setopt (curl, CURLOPT_HTTPHEADER, *headers);
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, body);
  return curl;
}

/* POSTs @statements in batches of 500, as the engine does, with nothing behind. */
static Figure
bare_push (const char *xapi,
           const char *auth,
           GPtrArray  *statements,
           gboolean    gzip,
           Proxy      *proxy)
{
  struct curl_slist *headers = NULL;
  g_autoptr(GByteArray) body = g_byte_array_new ();
  g_autofree char *url = g_strconcat (xapi, "/statements", NULL);
  CURL *curl = bare_handle (auth, body, &headers, gzip);
  guint64 before = wire_bytes (proxy);
  gint64 start = g_get_monotonic_time ();
  long status = 0;
  Figure f;

  curl_easy_setopt (curl, CURLOPT_URL, url);
  for (guint from = 0; from < statements->len; from += 500)
    {
      g_autoptr(GString) text = g_string_new ("[");
      g_autoptr(GBytes) gz = NULL;
      gsize size;

      for (guint i = from; i < MIN (from + 500, statements->len); i++)
        {
          if (i > from)
            g_string_append_c (text, ',');
          g_string_append (text, statements->pdata[i]);
        }
      g_string_append_c (text, ']');
      if (gzip)
        {
          gz = sy_gzip (text->str, text->len, 6);
          curl_easy_setopt (curl, CURLOPT_POSTFIELDS, g_bytes_get_data (gz, &size));
        }
      else
        {
          curl_easy_setopt (curl, CURLOPT_POSTFIELDS, text->str);
          size = text->len;
        }
      curl_easy_setopt (curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) size);
      g_byte_array_set_size (body, 0);
      if (curl_easy_perform (curl) != CURLE_OK)
        g_error ("bare POST failed");
      curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &status);
      if (status != 200)
        g_error ("bare POST: HTTP %ld: %.*s", status, (int) body->len, body->data);
    }
  f.seconds = (g_get_monotonic_time () - start) / 1e6;
  f.bytes = wire_bytes (proxy) - before;
  curl_slist_free_all (headers);
  curl_easy_cleanup (curl);
  return f;
}

/* Pages through what @auth may read, as the engine pulls, keeping nothing. */
static Figure
bare_pull (const char *xapi,
           const char *auth,
           gboolean    gzip,
           Proxy      *proxy,
           guint      *n_read)
{
  struct curl_slist *headers = NULL;
  g_autoptr(GByteArray) body = g_byte_array_new ();
  g_autofree char *next = g_strconcat (xapi, "/statements?limit=500&ascending=true", NULL);
  CURL *curl = bare_handle (auth, body, &headers, FALSE);
  guint64 before = wire_bytes (proxy);
  gint64 start = g_get_monotonic_time ();
  Figure f;

  *n_read = 0;
  curl_easy_setopt (curl, CURLOPT_ACCEPT_ENCODING, gzip ? "" : NULL);
  while (next != NULL)
    {
      json_object *root, *more = NULL, *list = NULL;

      curl_easy_setopt (curl, CURLOPT_URL, next);
      g_byte_array_set_size (body, 0);
      if (curl_easy_perform (curl) != CURLE_OK)
        g_error ("bare GET failed");
      g_byte_array_append (body, (const guint8 *) "", 1);
      root = json_tokener_parse ((const char *) body->data);
      g_clear_pointer (&next, g_free);
      if (root && json_object_object_get_ex (root, "statements", &list))
        *n_read += json_object_array_length (list);
      if (root && json_object_object_get_ex (root, "more", &more) && json_object_get_string_len (more) > 0)
        next = g_uri_resolve_relative (xapi, json_object_get_string (more), G_URI_FLAGS_NONE, NULL);
      json_object_put (root);
    }
  f.seconds = (g_get_monotonic_time () - start) / 1e6;
  f.bytes = wire_bytes (proxy) - before;
  curl_slist_free_all (headers);
  curl_easy_cleanup (curl);
  return f;
}

/* "device:secret" of an enrolled PC */
static char *
pc_auth (Pc *pc)
{
  g_autofree char *path = g_build_filename (pc->dir, "sync-account.ini", NULL);
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autofree char *user = NULL;
  g_autofree char *secret = NULL;

  g_assert_true (g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, NULL));
  user = g_key_file_get_string (file, "account", "user", NULL);
  secret = g_key_file_get_string (file, "account", "secret", NULL);
  return g_strconcat (user, ":", secret, NULL);
}

/* ---- measurements ---- */

static void
print_row (const char *what,
           Figure      engine,
           Figure      bare,
           guint       n)
{
  g_print ("| %s | %.2f s | %.0f/s | %" G_GUINT64_FORMAT " | %.1f | %.2f s | %.1f | %.2f× | %.2f× |\n",
           what, engine.seconds, n / engine.seconds, engine.bytes, (double) engine.bytes / n,
           bare.seconds, (double) bare.bytes / n,
           engine.seconds / bare.seconds, (double) engine.bytes / bare.bytes);
}

static void
records (HubTestHub *hub,
         guint       n,
         gboolean    gzip)
{
  Proxy *proxy = proxy_start (hub->url, NULL, NULL, NULL);
  g_autoptr(Pc) a = pc_new ("bench-a");
  g_autoptr(Pc) b = pc_new ("bench-b");
  g_autoptr(GPtrArray) statements = NULL;
  g_autofree char *learner = NULL;
  g_autofree char *org = g_strdup_printf ("bench-%s", gzip ? "gzip" : "plain");
  Figure push, pull, bare_push_fig, bare_pull_fig;

  g_setenv ("SHUYUAN_SYNC_GZIP", gzip ? "1" : "0", TRUE);
  enrol_at (a, hub, proxy->url, org);
  enrol_at (b, hub, proxy->url, org);
  install_sample (a, "village-doctor-hygiene");
  learner = add_learner (a, "李医生");
  g_ptr_array_unref (add_statements (a, learner, n));
  statements = outbox_json (a);

  push = timed_sync (a, proxy, SY_SYNC_PHASE_PUSH, SY_SYNC_PHASE_PULL);
  /* A's own pull brought its statements back; B has none of them */
  pull = timed_sync (b, proxy, SY_SYNC_PHASE_PULL, SY_SYNC_PHASE_IDLE);
  if ((guint) query_int (b, "SELECT count (*) FROM statements") != n)
    g_error ("B received %d statements of %u", query_int (b, "SELECT count (*) FROM statements"), n);

  /* the bare client with B's credential: first the same pull (the n statements of the
   * organisation), then the same statements with new ids pushed */
  {
    g_autofree char *xapi = g_strconcat (proxy->url, "/xapi", NULL);
    g_autofree char *auth = pc_auth (b);
    g_autoptr(GPtrArray) fresh = g_ptr_array_new_with_free_func (g_free);
    guint n_read;

    bare_pull_fig = bare_pull (xapi, auth, gzip, proxy, &n_read);
    if (n_read != n)
      g_error ("the bare client read %u statements of %u", n_read, n);
    for (guint i = 0; i < statements->len; i++)
      {
        json_object *st = json_tokener_parse (statements->pdata[i]);
        g_autofree char *id = g_uuid_string_random ();
        json_object_object_add (st, "id", json_object_new_string (id));
        g_ptr_array_add (fresh, g_strdup (json_object_to_json_string_ext (st, JSON_C_TO_STRING_PLAIN)));
        json_object_put (st);
      }
    bare_push_fig = bare_push (xapi, auth, fresh, gzip, proxy);
  }
  print_row (gzip ? "push, gzip" : "push, plain", push, bare_push_fig, n);
  print_row (gzip ? "pull, gzip" : "pull, plain", pull, bare_pull_fig, n);
  g_unsetenv ("SHUYUAN_SYNC_GZIP");
  proxy_stop (proxy);
}

/* A 100 MB course whose download stopped at 50%: finished, checked and installed. */
static void
resume (HubTestHub *hub,
        guint       megabytes)
{
  Proxy *proxy = proxy_start (hub->url, NULL, NULL, NULL);
  g_autoptr(Pc) pc = pc_new ("bench-resume");
  g_autoptr(GPtrArray) catalog = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = g_strdup_printf ("large-%u", megabytes);
  g_autofree char *downloads = g_build_filename (pc->dir, "downloads", NULL);
  g_autofree char *auth = NULL;
  g_autofree char *part = NULL;
  SyCatalogEntry *entry = NULL;
  Timeline t = { NULL, { 0 }, { 0 }, -1 };
  double bare, resumed, installed;
  gint64 start;

  g_free (publish_large (hub, id, megabytes));
  enrol_at (pc, hub, proxy->url, "bench-resume");
  auth = pc_auth (pc);
  catalog = sy_sync_get_catalog (pc->store, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < catalog->len; i++)
    if (g_str_equal (((SyCatalogEntry *) catalog->pdata[i])->id, id))
      entry = catalog->pdata[i];
  g_assert_nonnull (entry);

  /* the baseline: the whole package with a bare client, into a file */
  {
    CURL *curl = curl_easy_init ();
    g_autofree char *path = g_build_filename (pc->dir, "bare.zip", NULL);
    FILE *out = fopen (path, "wb");

    curl_easy_setopt (curl, CURLOPT_URL, entry->url);
    curl_easy_setopt (curl, CURLOPT_USERPWD, auth);
    curl_easy_setopt (curl, CURLOPT_WRITEDATA, out);
    start = g_get_monotonic_time ();
    g_assert_cmpint (curl_easy_perform (curl), ==, CURLE_OK);
    fflush (out);
    fdatasync (fileno (out));
    bare = (g_get_monotonic_time () - start) / 1e6;
    fclose (out);
    curl_easy_cleanup (curl);

    /* its first half is what arrived before the cut */
    part = g_strdup_printf ("%s/%s-%d-%.16s.part", downloads, entry->id, entry->version, entry->sha256);
    g_assert_cmpint (g_mkdir_with_parents (downloads, 0700), ==, 0);
    g_assert_cmpint (truncate (path, entry->size / 2), ==, 0);
    g_assert_cmpint (g_rename (path, part), ==, 0);
  }

  start = g_get_monotonic_time ();
  if (!sy_sync_download (pc->store, entry, on_progress, &t, NULL, &error))
    g_error ("the download failed: %s", error->message);
  installed = (g_get_monotonic_time () - start) / 1e6;
  resumed = (t.start[SY_SYNC_PHASE_IMPORT] - start) / 1e6;
  g_print ("| %u MB course, download cut at 50%% | %.2f s to finish the download and check it; "
           "%.2f s with installing | a bare download of all of it: %.2f s | %.2f× |\n",
           megabytes, resumed, installed, bare, resumed / bare);
  proxy_stop (proxy);
}

/* 1,000 statements over 64 kbit/s with 100 ms each way. */
static void
slow_link (HubTestHub *hub,
           guint       n)
{
  Proxy *proxy = proxy_start (hub->url, NULL, "--rate", "8000", "--latency-ms", "100", NULL);
  g_autoptr(Pc) pc = pc_new ("bench-slow");
  g_autofree char *learner = NULL;
  Figure push;

  enrol_at (pc, hub, proxy->url, "bench-slow");
  install_sample (pc, "village-doctor-hygiene");
  learner = add_learner (pc, "赵医生");
  sync_ok (pc, SY_SYNC_RECORDS_ONLY, NULL);
  g_ptr_array_unref (add_statements (pc, learner, n));
  push = timed_sync (pc, proxy, SY_SYNC_PHASE_PUSH, SY_SYNC_PHASE_PULL);
  g_print ("| %u statements over 64 kbit/s, 100 ms latency | %.1f s | "
           "%" G_GUINT64_FORMAT " bytes, %.1f per statement | the bytes alone at 8,000 B/s: %.1f s | %.2f× |\n",
           n, push.seconds, push.bytes, (double) push.bytes / n, push.bytes / 8000.0,
           push.seconds / (push.bytes / 8000.0));
  proxy_stop (proxy);
}

int
main (int   argc,
      char *argv[])
{
  int statements = 10000, package_mb = 100, slow = 1000;
  GOptionEntry entries[] = {
    { "statements", 0, 0, G_OPTION_ARG_INT, &statements, "statements to push and pull", "N" },
    { "package-mb", 0, 0, G_OPTION_ARG_INT, &package_mb, "size of the resumed course (0: skip)", "MB" },
    { "slow", 0, 0, G_OPTION_ARG_INT, &slow, "statements over the slow link (0: skip)", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— the sync engine's figures");
  g_autoptr(GError) error = NULL;
  HubTestHub *hub;

  setlocale (LC_ALL, "");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  g_setenv ("SHUYUAN_HUB", SHUYUAN_HUB_PATH, FALSE);
  g_setenv ("SY_FAULT_PROXY", SY_FAULT_PROXY_PATH, FALSE);
  curl_global_init (CURL_GLOBAL_DEFAULT);
  hub = hub_test_hub_start (NULL, NULL, NULL);

  g_print ("Each PC's statements: what reading lessons records (~700 bytes of JSON each). Bytes "
           "are on the wire (sy-fault-proxy's counters, HTTP headers and bodies, both ways), of "
           "that step alone: the push from its start to the start of the pull; the pull (the "
           "learner registry and the statements, on a PC with nothing to send) to the end of "
           "the run.\n\n");
  g_print ("| %d statements | engine | rate | bytes | bytes/statement | bare client | "
           "bytes/statement | time ÷ bare | bytes ÷ bare |\n", statements);
  g_print ("|---|---|---|---|---|---|---|---|---|\n");
  records (hub, statements, TRUE);
  records (hub, statements, FALSE);
  g_print ("\n");
  if (slow > 0)
    {
      g_print ("| slow link | time | bytes | baseline | ratio |\n|---|---|---|---|---|\n");
      slow_link (hub, slow);
      g_print ("\n");
    }
  if (package_mb > 0)
    {
      g_print ("| resume | engine | baseline | ratio |\n|---|---|---|---|\n");
      resume (hub, package_mb);
    }
  hub_test_hub_stop (hub);
  return 0;
}

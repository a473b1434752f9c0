/* test-sync-lrs.c — the sync engine against a third-party LRS as a peer
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The LRS is Learning Locker's statement service (npm xapi-statements 5.0.1, in-memory
 * store), installed with npm and started on 127.0.0.1 by third-party-lrs.sh
 * (SY_THIRD_PARTY_LRS; SY_THIRD_PARTY_LRS_DIR is where it is installed). Every test starts
 * its own LRS, so each begins with an empty store. PCs are data folders with their own
 * store (sync-test-util.h), connected with sy_sync_connect_lrs().
 *
 * Without node and npm, or without the npm registry for the first install, the tests
 * fail with a message that says so, unless SY_ALLOW_NO_NPM=1, when they are skipped.
 * SY_KEEP_LRS_WORK=1 keeps each LRS's working folder (its log and access log) in $TMPDIR.
 *
 * What is proved: A's statements reach the LRS exactly once and unchanged (push, in
 * batches); B, knowing the learner, pulls them page by page (`more`) and shows the same
 * progress, and keeps its checkpoint at the LRS's Consistent-Through; a learner B does not
 * know stays out of B; syncing again, sending again and connecting again change nothing;
 * an address without an LRS is refused.
 */
#include "config.h"

#include <curl/curl.h>
#include <json-c/json.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "sync-test-util.h"
#include "sy-util.h"
#include "test-util.h"

/* AUTH_REPO=test: the LRS takes any Basic credentials as one client */
#define LRS_KEY    "shuyuan-pc"
#define LRS_SECRET "any-secret"

/* ---- the LRS process ---- */

typedef struct
{
  GSubprocess *process;
  char        *url;    /* its xAPI endpoint, http://127.0.0.1:PORT/xAPI */
  char        *work;   /* its working folder: lrs.log, access logs */
} Lrs;

static char *install_failure;   /* why the LRS could not be installed (tried once) */
static gboolean install_tried;

/* The LRS cannot be had: a failure, or a skip where the runner allows it. @message may
 * span lines (a script's output): they go to the log as comments, and the TAP result line
 * gets the first. */
static void
not_available (const char *message)
{
  g_auto(GStrv) lines = g_strsplit (message, "\n", -1);

  for (guint i = 1; lines[i] != NULL; i++)
    if (*lines[i] != '\0')
      g_test_message ("  %s", lines[i]);
  if (g_strcmp0 (g_getenv ("SY_ALLOW_NO_NPM"), "1") == 0)
    g_test_skip_printf ("no third-party LRS (SY_ALLOW_NO_NPM=1): %s (details above)", lines[0]);
  else
    g_test_fail_printf ("the third-party LRS (npm xapi-statements 5.0.1) is needed for this "
                        "test and could not be had: %s (details above; SY_ALLOW_NO_NPM=1 "
                        "skips this test instead)", lines[0]);
}

static char *
install_dir (void)
{
  const char *env = g_getenv ("SY_THIRD_PARTY_LRS_DIR");

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  return g_build_filename (g_get_user_cache_dir (), "shuyuan-test", "third-party-lrs", NULL);
}

static const char *
script (void)
{
  const char *env = g_getenv ("SY_THIRD_PARTY_LRS");

  return env != NULL && *env != '\0' ? env : NULL;
}

/* `third-party-lrs.sh install DIR`, once per process. */
static gboolean
ensure_installed (void)
{
  g_autofree char *dir = install_dir ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (install_tried)
    return install_failure == NULL;
  install_tried = TRUE;
  if (script () == NULL)
    {
      install_failure = g_strdup ("SY_THIRD_PARTY_LRS (the path of third-party-lrs.sh) is not "
                                  "set; run this test with meson test");
      return FALSE;
    }
  {
    const char *argv[] = { script (), "install", dir, NULL };
    if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                       &status, &error) ||
        !g_spawn_check_wait_status (status, &error))
      {
        install_failure = g_strdup_printf ("`%s install %s` failed (%s)\n%s", script (), dir,
                                           error->message, err ? g_strstrip (err) : "");
        return FALSE;
      }
  }
  g_test_message ("%s", g_strstrip (out));
  return TRUE;
}

typedef struct
{
  GString      *output;
  char         *url;
  char         *problem;
  gboolean      done;
  GCancellable *cancellable;
} Starting;

static void
on_line (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  Starting *s = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source),
                                                                      result, NULL, &error);

  if (line == NULL)
    {
      s->problem = g_strdup (error ? error->message : "it stopped before it was listening");
      s->done = TRUE;
    }
  else if (g_str_has_prefix (line, "listening on "))
    {
      s->url = g_strdup (line + strlen ("listening on "));
      s->done = TRUE;
    }
  else
    {
      g_string_append_printf (s->output, "%s\n", line);
      g_data_input_stream_read_line_async (G_DATA_INPUT_STREAM (source), G_PRIORITY_DEFAULT,
                                           s->cancellable, on_line, s);
    }
}

static gboolean
on_start_timeout (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

/* If the test process dies (a failed assertion aborts it), the LRS goes with it. */
static void
child_setup (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static void
lrs_stop (Lrs *lrs)
{
  if (lrs == NULL)
    return;
  if (lrs->process != NULL)
    {
      gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

      g_subprocess_send_signal (lrs->process, SIGTERM);
      /* GSubprocess reaps the child on GLib's worker thread */
      while (g_subprocess_get_identifier (lrs->process) != NULL &&
             g_get_monotonic_time () < deadline)
        g_usleep (20000);
      if (g_subprocess_get_identifier (lrs->process) != NULL)
        g_subprocess_force_exit (lrs->process);
      g_subprocess_wait (lrs->process, NULL, NULL);
      g_clear_object (&lrs->process);
    }
  if (lrs->work != NULL && g_getenv ("SY_KEEP_LRS_WORK") == NULL)
    sy_rm_rf (lrs->work, NULL);
  g_free (lrs->work);
  g_free (lrs->url);
  g_free (lrs);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Lrs, lrs_stop)

/* A new LRS with an empty store, or NULL when there is none to be had (the test has
 * failed or been skipped then, and returns). */
static Lrs *
lrs_start (void)
{
  g_autoptr(Lrs) lrs = g_new0 (Lrs, 1);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = install_dir ();
  g_autoptr(GSource) timeout = NULL;
  Starting s = { 0 };

  if (!ensure_installed ())
    {
      not_available (install_failure);
      return NULL;
    }

  lrs->work = test_make_temp_dir ("third-party-lrs");
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  lrs->process = g_subprocess_launcher_spawn (launcher, &error, script (), "serve", dir,
                                              lrs->work, NULL);
  if (lrs->process == NULL)
    {
      g_autofree char *message = g_strdup_printf ("could not run %s (%s)", script (), error->message);
      not_available (message);
      return NULL;
    }

  /* its stdout, until it says where it listens (a minute at most) */
  g_main_context_push_thread_default (context);
  s.output = g_string_new (NULL);
  s.cancellable = g_cancellable_new ();
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (lrs->process));
  timeout = g_timeout_source_new_seconds (60);
  g_source_set_callback (timeout, on_start_timeout, s.cancellable, NULL);
  g_source_attach (timeout, context);
  g_data_input_stream_read_line_async (lines, G_PRIORITY_DEFAULT, s.cancellable, on_line, &s);
  while (!s.done)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (timeout);
  g_main_context_pop_thread_default (context);

  if (s.url == NULL)
    {
      g_autofree char *log_path = g_build_filename (lrs->work, "lrs.log", NULL);
      g_autofree char *log = NULL;
      g_autofree char *message = NULL;

      g_file_get_contents (log_path, &log, NULL, NULL);
      message = g_strdup_printf ("`%s serve %s %s` did not start the LRS (%s)\n%s"
                                 "%s%s", script (), dir, lrs->work, s.problem, s.output->str,
                                 log ? "\nlrs.log:\n" : "", log ? log : "");
      not_available (message);
      g_string_free (s.output, TRUE);
      g_free (s.problem);
      g_object_unref (s.cancellable);
      return NULL;
    }
  lrs->url = s.url;
  g_string_free (s.output, TRUE);
  g_free (s.problem);
  g_object_unref (s.cancellable);
  g_test_message ("third-party LRS at %s", lrs->url);
  return g_steal_pointer (&lrs);
}

/* Whether the LRS's access log (one line a request, written by morgan into
 * WORKDIR/access) has a line containing @text; waits a little for the log to be written. */
static gboolean
lrs_logged (Lrs        *lrs,
            const char *text)
{
  g_autofree char *folder = g_build_filename (lrs->work, "access", NULL);
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  do
    {
      g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (folder, name, NULL);
          g_autofree char *log = NULL;

          if (g_file_get_contents (path, &log, NULL, NULL) && strstr (log, text) != NULL)
            return TRUE;
        }
      g_usleep (50000);
    }
  while (g_get_monotonic_time () < deadline);
  return FALSE;
}

/* ---- reading the LRS directly (libcurl) ---- */

static size_t
on_body (char   *buffer,
         size_t  size,
         size_t  n,
         void   *data)
{
  g_string_append_len (data, buffer, size * n);
  return size * n;
}

/* GET @url with the key, as a JSON object; the HTTP status must be 200. */
static json_object *
lrs_get_json (const char *url)
{
  CURL *curl = curl_easy_init ();
  struct curl_slist *headers = curl_slist_append (NULL, "X-Experience-API-Version: 1.0.3");
  g_autoptr(GString) body = g_string_new (NULL);
  long status = 0;
  CURLcode code;
  json_object *root;

  curl_easy_setopt (curl, CURLOPT_URL, url);
  curl_easy_setopt (curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt (curl, CURLOPT_HTTPAUTH, (long) CURLAUTH_BASIC);
  curl_easy_setopt (curl, CURLOPT_USERNAME, LRS_KEY);
  curl_easy_setopt (curl, CURLOPT_PASSWORD, LRS_SECRET);
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, body);
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (curl, CURLOPT_TIMEOUT, 60L);
  code = curl_easy_perform (curl);
  curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all (headers);
  curl_easy_cleanup (curl);
  if (code != CURLE_OK || status != 200)
    g_error ("GET %s: %s, HTTP %ld: %s", url, curl_easy_strerror (code), status, body->str);
  root = json_tokener_parse (body->str);
  if (root == NULL)
    g_error ("GET %s: not JSON: %.300s", url, body->str);
  return root;
}

static void
json_unref (gpointer object)
{
  json_object_put (object);
}

/* Every statement the LRS holds, following `more` (small pages, so that paging shows),
 * keyed by id; @n_rows: how many came (a duplicate would show there). */
static GHashTable *
lrs_statements (Lrs   *lrs,
                guint *n_rows)
{
  GHashTable *all = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, json_unref);
  g_autofree char *url = g_strconcat (lrs->url, "/statements?limit=100", NULL);
  guint rows = 0;

  while (url != NULL)
    {
      json_object *root = lrs_get_json (url);
      json_object *list = NULL, *more = NULL;

      g_assert_true (json_object_object_get_ex (root, "statements", &list));
      g_assert_true (json_object_is_type (list, json_type_array));
      g_assert_cmpuint (json_object_array_length (list), <=, 100);
      for (size_t i = 0; i < json_object_array_length (list); i++)
        {
          json_object *statement = json_object_array_get_idx (list, i);
          const char *id = json_object_get_string (json_object_object_get (statement, "id"));

          g_assert_nonnull (id);
          g_hash_table_replace (all, g_strdup (id), json_object_get (statement));
          rows++;
        }
      g_clear_pointer (&url, g_free);
      if (json_object_object_get_ex (root, "more", &more) &&
          json_object_get_string_len (more) > 0)
        url = g_uri_resolve_relative (lrs->url, json_object_get_string (more), G_URI_FLAGS_NONE,
                                      NULL);
      json_object_put (root);
    }
  if (n_rows)
    *n_rows = rows;
  return all;
}

/* ---- PCs ---- */

static void
connect_pc (Pc  *pc,
            Lrs *lrs)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SySyncAccount) account = NULL;

  g_assert_true (sy_sync_connect_lrs (pc->store, lrs->url, LRS_KEY, LRS_SECRET, NULL, &error));
  g_assert_no_error (error);
  account = sy_sync_get_account (pc->store, &error);
  g_assert_no_error (error);
  g_assert_nonnull (account);
  g_assert_cmpint (account->kind, ==, SY_SYNC_KIND_LRS);
  g_assert_cmpstr (account->url, ==, lrs->url);
  g_assert_cmpstr (account->user, ==, LRS_KEY);
}

/* A learner of another PC, known here with the same UUID. A third-party LRS has no
 * learner registry (a hub's /api/v1/learners), and the public store API makes a new UUID
 * for every learner it adds, so the row is written directly, as the PC would have it
 * after a hub had told it of the learner. */
static void
add_known_learner (Pc         *pc,
                   const char *uuid,
                   const char *name)
{
  sqlite3 *db = open_db (pc);
  sqlite3_stmt *stmt;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "INSERT INTO learners (uuid, name, role, created) "
                                           "VALUES (?, ?, 'learner', strftime ('%Y-%m-%dT%H:%M:%fZ'))",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

/* The statement @id as this PC holds it. */
static json_object *
pc_statement (Pc         *pc,
              const char *id)
{
  sqlite3 *db = open_db (pc);
  sqlite3_stmt *stmt;
  json_object *statement = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT json FROM statements WHERE id = ?", -1, &stmt,
                                       NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    statement = json_tokener_parse ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return statement;
}

static const char *
member_json (json_object *object,
             const char  *key)
{
  json_object *member = NULL;

  if (!json_object_object_get_ex (object, key, &member))
    return "(absent)";
  return json_object_to_json_string_ext (member, JSON_C_TO_STRING_PLAIN);
}

/* Whether two JSON values are the same: the same members in the same order, the same
 * strings, the same numbers. A number is compared as the double it denotes, not as its
 * text: the PC writes 0.8 as json-c does ("0.80000000000000004"), the LRS (JavaScript)
 * writes the same double back as "0.8". */
static gboolean
json_same (json_object *a,
           json_object *b)
{
  json_type ta = json_object_get_type (a), tb = json_object_get_type (b);
  gboolean numbers = (ta == json_type_int || ta == json_type_double) &&
                     (tb == json_type_int || tb == json_type_double);

  if (numbers)
    return json_object_get_double (a) == json_object_get_double (b) &&
           (ta == tb || json_object_get_double (a) == (double) json_object_get_int64 (a));
  if (ta != tb)
    return FALSE;
  switch (ta)
    {
    case json_type_null:
      return TRUE;
    case json_type_boolean:
      return json_object_get_boolean (a) == json_object_get_boolean (b);
    case json_type_string:
      return g_strcmp0 (json_object_get_string (a), json_object_get_string (b)) == 0;
    case json_type_array:
      if (json_object_array_length (a) != json_object_array_length (b))
        return FALSE;
      for (size_t i = 0; i < json_object_array_length (a); i++)
        if (!json_same (json_object_array_get_idx (a, i), json_object_array_get_idx (b, i)))
          return FALSE;
      return TRUE;
    case json_type_object:
      {
        struct json_object_iterator ia = json_object_iter_begin (a), ea = json_object_iter_end (a);
        struct json_object_iterator ib = json_object_iter_begin (b), eb = json_object_iter_end (b);

        for (; !json_object_iter_equal (&ia, &ea); json_object_iter_next (&ia), json_object_iter_next (&ib))
          if (json_object_iter_equal (&ib, &eb) ||
              g_strcmp0 (json_object_iter_peek_name (&ia), json_object_iter_peek_name (&ib)) != 0 ||
              !json_same (json_object_iter_peek_value (&ia), json_object_iter_peek_value (&ib)))
            return FALSE;
        return json_object_iter_equal (&ib, &eb);
      }
    default:
      return FALSE;
    }
}

/* The LRS holds exactly @pc's statements (@expected of them), each once, with the same
 * actor, verb, object and result (member for member; numbers as the doubles they denote,
 * see json_same ()). */
static void
assert_lrs_holds (Lrs        *lrs,
                  Pc         *pc,
                  guint       expected)
{
  g_autoptr(GHashTable) held = NULL;
  g_autoptr(GHashTable) local = pc_statement_ids (pc);
  GHashTableIter iter;
  gpointer key, value;
  guint rows;
  gboolean number_text_noted = FALSE;

  held = lrs_statements (lrs, &rows);
  g_assert_cmpuint (rows, ==, expected);
  g_assert_cmpuint (g_hash_table_size (held), ==, expected);
  g_assert_cmpuint (g_hash_table_size (local), ==, expected);
  g_hash_table_iter_init (&iter, held);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      json_object *mine = pc_statement (pc, key);
      const char *members[] = { "actor", "verb", "object", "result", NULL };

      g_assert_true (g_hash_table_contains (local, key));
      g_assert_nonnull (mine);
      for (guint i = 0; members[i]; i++)
        {
          g_autofree char *here = g_strdup (member_json (mine, members[i]));
          const char *there = member_json (value, members[i]);
          json_object *m = NULL, *t = NULL;
          gboolean in_mine = json_object_object_get_ex (mine, members[i], &m);
          gboolean in_lrs = json_object_object_get_ex (value, members[i], &t);

          g_assert_cmpint (in_mine, ==, in_lrs);
          if (!in_mine)
            continue;
          if (!json_same (m, t))
            {
              g_test_message ("statement %s, %s: on the PC %s, in the LRS %s", (char *) key,
                              members[i], here, there);
              g_assert_cmpstr (here, ==, there);
            }
          if (!g_str_equal (here, there) && !number_text_noted)
            {
              number_text_noted = TRUE;
              g_test_message ("the same values, written otherwise: on the PC %s, in the LRS %s",
                              here, there);
            }
        }
      json_object_put (mine);
    }
}

static char *
checkpoint (Pc *pc)
{
  sqlite3 *db = open_db (pc);
  sqlite3_stmt *stmt;
  char *value = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT value FROM settings WHERE key = 'sync.checkpoint'",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

/* Records a morning's work of @learner on A: lessons read, one completed, a quiz passed
 * with a score. Returns how many statements. */
static guint
study (Pc         *pc,
       const char *learner,
       GPtrArray  *items,
       guint       first)
{
  g_free (record (pc, learner, items->pdata[first], SY_VERB_LAUNCHED, -1, -1));
  g_free (record (pc, learner, items->pdata[first], SY_VERB_PROGRESSED, 300, -1));
  g_free (record (pc, learner, items->pdata[first], SY_VERB_COMPLETED, 120, -1));
  g_free (record (pc, learner, items->pdata[first + 1], SY_VERB_PROGRESSED, 90, -1));
  g_free (record (pc, learner, items->pdata[first + 1], SY_VERB_PASSED, 60, 0.8));
  return 5;
}

/* ---- tests ---- */

/* (a) A pushes: the LRS holds exactly A's statements, unchanged. */
static void
test_push (void)
{
  g_autoptr(Lrs) lrs = lrs_start ();
  g_autoptr(Pc) a = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autofree char *alice = NULL;
  SySyncSummary summary;
  guint made;

  if (lrs == NULL)
    return;
  a = pc_new ("lrs-a");
  install_sample (a, "village-doctor-hygiene");
  items = course_items (a);
  g_assert_cmpuint (items->len, >=, 4);
  alice = add_learner (a, "李医生");
  connect_pc (a, lrs);

  made = study (a, alice, items, 0);
  /* a whole sync (not records only): an LRS has no catalog, which is no error */
  sync_ok (a, SY_SYNC_NONE, &summary);
  g_assert_cmpuint (summary.pushed, ==, made);
  g_assert_cmpuint (summary.quarantined, ==, 0);
  g_assert_cmpuint (summary.learners_registered, ==, 0);
  g_assert_cmpuint (summary.pulled, ==, 0);     /* its own come back, and are not new */
  g_assert_cmpuint (summary.courses_downloaded, ==, 0);
  g_assert_cmpint (query_int (a, "SELECT count (*) FROM statements WHERE synced != 1"), ==, 0);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(SySyncStatus) status = sy_sync_get_status (a->store, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (status->waiting, ==, 0);
    g_assert_nonnull (status->last_synced);
    g_assert_null (status->last_error);
  }
  assert_lrs_holds (lrs, a, made);

  /* more than a batch and a page: 1,234 statements go in three batches and come back in
   * three pages, each once */
  {
    g_autoptr(GPtrArray) ids = add_statements (a, alice, 1234);
    made += ids->len;
  }
  sync_ok (a, SY_SYNC_RECORDS_ONLY, &summary);
  g_assert_cmpuint (summary.pushed, ==, 1234);
  g_assert_cmpuint (summary.quarantined, ==, 0);
  g_assert_cmpuint (summary.pulled, ==, 0);
  assert_lrs_holds (lrs, a, made);
}

/* (b) B, knowing the learner, pulls A's statements and shows the same progress; then
 * both work and end equal. (c) A learner B does not know stays out of B. (d) Syncing
 * again changes nothing. */
static void
test_two_pcs (void)
{
  g_autoptr(Lrs) lrs = lrs_start ();
  g_autoptr(Pc) a = NULL;
  g_autoptr(Pc) b = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autofree char *alice = NULL;
  g_autofree char *bob = NULL;
  g_autofree char *dump_a = NULL;
  g_autofree char *dump_b = NULL;
  g_autofree char *mark = NULL;
  SySyncSummary summary;
  guint alices = 0, bobs = 0;

  if (lrs == NULL)
    return;
  a = pc_new ("lrs-a");
  b = pc_new ("lrs-b");
  install_sample (a, "village-doctor-hygiene");
  install_sample (b, "village-doctor-hygiene");
  items = course_items (a);
  alice = add_learner (a, "李医生");
  bob = add_learner (a, "赵医生");
  connect_pc (a, lrs);
  connect_pc (b, lrs);

  alices += study (a, alice, items, 0);
  bobs += study (a, bob, items, 2);
  {
    g_autoptr(GPtrArray) ids = add_statements (a, alice, 600);   /* more than a page */
    alices += ids->len;
  }
  sync_ok (a, SY_SYNC_RECORDS_ONLY, &summary);
  g_assert_cmpuint (summary.pushed, ==, alices + bobs);

  /* B knows Alice (she signed in there before), not Bob */
  add_known_learner (b, alice, "李医生");
  sync_ok (b, SY_SYNC_RECORDS_ONLY, &summary);
  g_assert_cmpuint (summary.pulled, ==, alices);
  g_assert_cmpuint (summary.pushed, ==, 0);
  g_assert_cmpint (query_int (b, "SELECT count (*) FROM statements"), ==, alices);
  g_assert_cmpint (query_int (b, "SELECT count (*) FROM statements WHERE synced != 1"), ==, 0);
  /* (c) none of Bob's */
  {
    g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM statements WHERE learner_uuid = '%s'", bob);
    g_assert_cmpint (query_int (b, sql), ==, 0);
    g_free (sql);
    sql = g_strdup_printf ("SELECT count (*) FROM item_progress WHERE learner_uuid = '%s'", bob);
    g_assert_cmpint (query_int (b, sql), ==, 0);
    g_free (sql);
    sql = g_strdup_printf ("SELECT count (*) FROM learners WHERE uuid = '%s'", bob);
    g_assert_cmpint (query_int (b, sql), ==, 0);
  }
  /* B's first pull came in two pages (610 statements, 500 a page): it followed `more` */
  g_assert_true (lrs_logged (lrs, "GET /xAPI/statements?limit=500&ascending=true "));
  g_assert_true (lrs_logged (lrs, "GET /xAPI/statements?ascending=true&limit=500&cursor="));
  /* the pull's checkpoint is the LRS's Consistent-Through */
  mark = checkpoint (b);
  g_assert_nonnull (mark);
  g_assert_true (g_str_has_suffix (mark, "Z"));

  /* (b) Alice's progress on B is her progress on A; Bob's rows are A's alone */
  {
    g_autoptr(GString) alice_a = g_string_new (NULL);
    g_autoptr(GString) bob_a = g_string_new (NULL);
    g_auto(GStrv) rows = NULL;

    dump_a = dump_projections (a);
    dump_b = dump_projections (b);
    rows = g_strsplit (dump_a, "\n", -1);
    for (guint i = 0; rows[i]; i++)
      if (g_str_has_prefix (rows[i], alice))
        g_string_append_printf (alice_a, "%s\n", rows[i]);
      else if (g_str_has_prefix (rows[i], bob))
        g_string_append_printf (bob_a, "%s\n", rows[i]);
    g_assert_cmpuint (alice_a->len, >, 0);
    g_assert_cmpuint (bob_a->len, >, 0);
    g_assert_cmpstr (dump_b, ==, alice_a->str);
  }
  {
    g_autoptr(SyCourse) course = sy_store_get_course (b->store, VD_COURSE, alice, NULL, NULL);
    g_assert_nonnull (course);
    g_assert_cmpuint (sy_course_get_n_done (course), >=, 1);
  }
  g_clear_pointer (&dump_a, g_free);
  g_clear_pointer (&dump_b, g_free);

  /* (d) again: nothing moves, on either PC or in the LRS; B asks only for what was
   * stored since its checkpoint */
  sync_ok (b, SY_SYNC_RECORDS_ONLY, &summary);
  g_assert_cmpuint (summary.pulled + summary.pushed + summary.quarantined, ==, 0);
  {
    g_autofree char *escaped = g_uri_escape_string (mark, NULL, FALSE);
    g_autofree char *since = g_strconcat ("&since=", escaped, " ", NULL);
    g_assert_true (lrs_logged (lrs, since));
  }
  sync_ok (a, SY_SYNC_RECORDS_ONLY, &summary);
  g_assert_cmpuint (summary.pulled + summary.pushed + summary.quarantined, ==, 0);
  g_assert_cmpint (query_int (a, "SELECT count (*) FROM statements"), ==, alices + bobs);
  g_assert_cmpint (query_int (b, "SELECT count (*) FROM statements"), ==, alices);
  assert_lrs_holds (lrs, a, alices + bobs);

  /* she goes on on B, Bob on A, offline; then both sync (B, A, B) and agree on her */
  g_free (record (b, alice, items->pdata[1], SY_VERB_COMPLETED, 200, -1));
  g_free (record (b, alice, items->pdata[2], SY_VERB_PROGRESSED, 60, -1));
  g_free (record (a, bob, items->pdata[3], SY_VERB_PROGRESSED, 45, -1));
  g_free (record (a, alice, items->pdata[3], SY_VERB_PROGRESSED, 30, -1));
  alices += 3;
  bobs += 1;
  sync_ok (b, SY_SYNC_RECORDS_ONLY, &summary);
  g_assert_cmpuint (summary.pushed, ==, 2);
  g_assert_cmpuint (summary.pulled, ==, 0);    /* A has not sent hers yet */
  sync_ok (a, SY_SYNC_RECORDS_ONLY, &summary);
  g_assert_cmpuint (summary.pushed, ==, 2);
  g_assert_cmpuint (summary.pulled, ==, 2);    /* B's two */
  sync_ok (b, SY_SYNC_RECORDS_ONLY, &summary);
  g_assert_cmpuint (summary.pushed, ==, 0);
  g_assert_cmpuint (summary.pulled, ==, 1);    /* A's one of hers, not Bob's */
  g_assert_cmpint (query_int (a, "SELECT count (*) FROM statements"), ==, alices + bobs);
  g_assert_cmpint (query_int (b, "SELECT count (*) FROM statements"), ==, alices);
  {
    g_autoptr(GString) alice_a = g_string_new (NULL);
    g_auto(GStrv) rows = NULL;

    dump_a = dump_projections (a);
    dump_b = dump_projections (b);
    rows = g_strsplit (dump_a, "\n", -1);
    for (guint i = 0; rows[i]; i++)
      if (g_str_has_prefix (rows[i], alice))
        g_string_append_printf (alice_a, "%s\n", rows[i]);
    g_assert_cmpstr (dump_b, ==, alice_a->str);
    g_assert_cmpstr (dump_b, !=, "");
  }
  {
    g_autoptr(GHashTable) held = lrs_statements (lrs, NULL);
    g_assert_cmpuint (g_hash_table_size (held), ==, alices + bobs);
  }
}

/* (d) A push whose answer was lost (the PC stopped before marking its statements) is
 * sent again: the LRS takes the same statements as a no-op, and holds each once. */
static void
test_resend (void)
{
  g_autoptr(Lrs) lrs = lrs_start ();
  g_autoptr(Pc) a = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autofree char *alice = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  SySyncSummary summary;
  guint made;

  if (lrs == NULL)
    return;
  a = pc_new ("lrs-resend");
  install_sample (a, "village-doctor-hygiene");
  items = course_items (a);
  alice = add_learner (a, "孙医生");
  connect_pc (a, lrs);
  made = study (a, alice, items, 0);
  sync_ok (a, SY_SYNC_RECORDS_ONLY, &summary);
  g_assert_cmpuint (summary.pushed, ==, made);
  before = dump_projections (a);
  {
    sqlite3 *db = open_db (a);
    g_assert_cmpint (sqlite3_exec (db, "UPDATE statements SET synced = 0", NULL, NULL, NULL),
                     ==, SQLITE_OK);
    sqlite3_close (db);
  }
  sync_ok (a, SY_SYNC_RECORDS_ONLY, &summary);
  g_assert_cmpuint (summary.pushed, ==, made);   /* the LRS acknowledged them again */
  g_assert_cmpuint (summary.quarantined, ==, 0);
  g_assert_cmpuint (summary.pulled, ==, 0);
  g_assert_cmpint (query_int (a, "SELECT count (*) FROM statements WHERE synced != 1"), ==, 0);
  after = dump_projections (a);
  g_assert_cmpstr (before, ==, after);
  assert_lrs_holds (lrs, a, made);

  /* and connecting again (a new account: everything is sent again, pulled from the
   * start) changes nothing either */
  connect_pc (a, lrs);
  sync_ok (a, SY_SYNC_RECORDS_ONLY, &summary);
  g_assert_cmpuint (summary.quarantined, ==, 0);
  g_assert_cmpuint (summary.pulled, ==, 0);
  g_assert_cmpint (query_int (a, "SELECT count (*) FROM statements"), ==, made);
  assert_lrs_holds (lrs, a, made);
}

/* (e) An address where there is no LRS. */
static void
test_not_an_lrs (void)
{
  g_autoptr(Lrs) lrs = lrs_start ();
  g_autoptr(Pc) pc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *root = NULL;
  g_autofree char *wrong = NULL;

  if (lrs == NULL)
    return;
  pc = pc_new ("lrs-none");

  /* nobody listens */
  g_assert_false (sy_sync_connect_lrs (pc->store, "http://127.0.0.1:9/xAPI", LRS_KEY, LRS_SECRET,
                                       NULL, &error));
  g_assert_error (error, SY_SYNC_ERROR, SY_SYNC_ERROR_NETWORK);
  g_clear_error (&error);

  /* a web server, but not an xAPI endpoint: the LRS's root, and a path under it */
  root = g_strndup (lrs->url, strlen (lrs->url) - strlen ("/xAPI"));
  g_assert_true (g_str_has_suffix (lrs->url, "/xAPI"));
  g_assert_false (sy_sync_connect_lrs (pc->store, root, LRS_KEY, LRS_SECRET, NULL, &error));
  g_assert_error (error, SY_SYNC_ERROR, SY_SYNC_ERROR_PROTOCOL);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  wrong = g_strconcat (lrs->url, "/statements", NULL);
  g_assert_false (sy_sync_connect_lrs (pc->store, wrong, LRS_KEY, LRS_SECRET, NULL, &error));
  g_assert_error (error, SY_SYNC_ERROR, SY_SYNC_ERROR_PROTOCOL);
  g_clear_error (&error);

  /* nothing was saved: the PC is not connected */
  g_assert_null (sy_sync_get_account (pc->store, &error));
  g_assert_no_error (error);
  g_assert_false (sy_sync_run (pc->store, SY_SYNC_NO_RETRY, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, SY_SYNC_ERROR, SY_SYNC_ERROR_NOT_ENROLLED);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_setenv ("SHUYUAN_SYNC_BACKOFF_MS", "5", TRUE);
  curl_global_init (CURL_GLOBAL_DEFAULT);

  g_test_add_func ("/sync-lrs/push", test_push);
  g_test_add_func ("/sync-lrs/two-pcs", test_two_pcs);
  g_test_add_func ("/sync-lrs/resend", test_resend);
  g_test_add_func ("/sync-lrs/not-an-lrs", test_not_an_lrs);
  status = g_test_run ();
  g_free (install_failure);
  curl_global_cleanup ();
  return status;
}

/* test-sync-stress.c — nothing lost, nothing doubled: kills, faults, a hub restart
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The proofs, against a real hub (SQLite) behind sy-fault-proxy:
 *   /sync/stress/kill      `shuyuan-cli sync` killed with SIGKILL at random points 50
 *                          times, on a PC that pushes and one that pulls and downloads;
 *                          a slow link (the proxy's --rate) spreads the work so the
 *                          kills land in every step, and the test counts where they did;
 *   /sync/stress/faults    2,000 statements pushed through 30% faults (drops, resets,
 *                          truncations, delays, stalls) arrive exactly once, and a
 *                          download through them completes and verifies;
 *   /sync/stress/hub-restart  the hub killed and started again in the middle of a sync.
 * The decisions are drawn from g_test_rand_*: a failure can be replayed with the seed
 * printed by --verbose (or given with --seed).
 */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#include "sync-test-util.h"
#include "sy-util.h"
#include "test-util.h"

static void
assert_integrity (Pc *pc)
{
  sqlite3 *db = open_db (pc);
  sqlite3_stmt *stmt;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

/* Every course of the catalog installed at its version; no download left over. */
static void
assert_courses_complete (Pc *pc)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) catalog = sy_sync_get_catalog (pc->store, NULL, &error);
  g_autofree char *downloads = g_build_filename (pc->dir, "downloads", NULL);

  g_assert_no_error (error);
  g_assert_cmpuint (catalog->len, >, 0);
  for (guint i = 0; i < catalog->len; i++)
    {
      SyCatalogEntry *entry = catalog->pdata[i];
      g_assert_cmpint (entry->installed_version, ==, entry->version);
    }
  if (g_file_test (downloads, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *left = test_list_dir (downloads);
      g_assert_cmpstr (left, ==, "");
    }
}

typedef enum
{
  STEP_START,
  STEP_PUSH,
  STEP_PULL,
  STEP_DOWNLOAD,
  STEP_OTHER,
  N_STEPS
} Step;

static const char *step_names[N_STEPS] = { "start", "push", "pull", "download", "other" };

/* The step a progress line says a run is in: push, pull or download, else "other" (the
 * learners' registration before the push, the catalog between pull and download, the
 * installation after it). */
static Step
line_step (const char *line)
{
  if (g_str_has_prefix (line, "Sending records"))
    return STEP_PUSH;
  if (g_str_has_prefix (line, "Receiving records"))
    return STEP_PULL;
  if (g_str_has_prefix (line, "Downloading"))
    return STEP_DOWNLOAD;
  return STEP_OTHER;
}

static GStrv
log_lines (const char *log_path)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents (log_path, &text, NULL, NULL) || *g_strstrip (text) == '\0')
    return NULL;
  return g_strsplit (text, "\n", -1);
}

/* Where a killed run was, from the last progress line it printed. */
static Step
last_step (const char *log_path)
{
  g_auto(GStrv) lines = log_lines (log_path);

  return lines != NULL ? line_step (lines[g_strv_length (lines) - 1]) : STEP_START;
}

/* How far a run got among push, pull and download (they come in that order): the latest
 * of them it printed a line for. (The "other" lines say nothing of it: one comes before
 * the push.) */
static Step
reached_step (const char *log_path)
{
  g_auto(GStrv) lines = log_lines (log_path);
  Step reached = STEP_START;

  for (guint i = 0; lines != NULL && lines[i] != NULL; i++)
    {
      Step step = line_step (lines[i]);

      if (step != STEP_OTHER && step > reached)
        reached = step;
    }
  return reached;
}

static void
on_exited (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *(gboolean *) data = TRUE;
}

/* `shuyuan-cli -d DIR sync`, killed @kill_after_ms after it reached step @target (0: left
 * to finish). Returns the step it was in when killed, or -1 when it finished first (its
 * exit status then in @status). */
static int
run_cli_sync_full (Pc       *pc,
                   gboolean  records_only,
                   Step      target,
                   guint     kill_after_ms,
                   int      *status)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_autoptr(GSubprocess) cli = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *log = g_build_filename (pc->dir, "cli.log", NULL);
  gint64 deadline;
  gboolean exited = FALSE;
  Step step;

  g_subprocess_launcher_setenv (launcher, "LANGUAGE", "en", TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_unlink (log);   /* the launcher does not truncate it */
  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  cli = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("SHUYUAN_CLI"), "-d", pc->dir,
                                     "sync", records_only ? "--records-only" : NULL, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_async (cli, NULL, on_exited, &exited);
  /* the kill's random delay counts from the moment the run reaches @target */
  while (kill_after_ms > 0 && !exited && reached_step (log) < target)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (500);
  deadline = g_get_monotonic_time () + (kill_after_ms ? kill_after_ms : 300000) * 1000;
  while (!exited && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  if (exited)
    {
      *status = g_subprocess_get_if_exited (cli) ? g_subprocess_get_exit_status (cli) : -1;
      return -1;
    }
  g_assert_cmpuint (kill_after_ms, >, 0);   /* a run left to finish did within 5 minutes */
  step = last_step (log);
  if (g_getenv ("SY_STRESS_DEBUG"))
    {
      g_autofree char *text = NULL;
      g_file_get_contents (log, &text, NULL, NULL);
      g_test_message ("killed %s after %u ms in step %d:\n%s", pc->dir, kill_after_ms, step, text);
    }
  g_subprocess_force_exit (cli);
  while (!exited)
    g_main_context_iteration (NULL, TRUE);
  return step;
}

static int
run_cli_sync (Pc    *pc,
              Step   target,
              guint  kill_after_ms,
              int   *status)
{
  return run_cli_sync_full (pc, FALSE, target, kill_after_ms, status);
}

static void
test_kill (void)
{
  HubTestHub *hub = hub_test_hub_start (NULL, NULL, NULL);
  Proxy *proxy_a = NULL, *proxy_b = NULL;
  g_autoptr(Pc) a = pc_new ("kill-a");
  g_autoptr(Pc) b = pc_new ("kill-b");
  g_autofree char *learner = NULL;
  g_autofree char *listen_a = NULL;
  g_autofree char *listen_b = NULL;
  g_autoptr(GHashTable) hub_ids = NULL;
  g_autoptr(GHashTable) a_ids = NULL;
  g_autoptr(GHashTable) b_ids = NULL;
  g_autofree char *dump_a = NULL;
  g_autofree char *dump_b = NULL;
  guint hits[N_STEPS] = { 0 };
  guint finished = 0, rows, made = 0;
  int status;

  publish_samples (hub);
  g_free (publish_large (hub, "large-course", 1));
  /* slow links (256 kbit/s, a poor 3G day), so that each step lasts long enough to be hit */
  proxy_a = proxy_start (hub->url, NULL, "--rate", "32000", NULL);
  proxy_b = proxy_start (hub->url, NULL, "--rate", "32000", NULL);
  listen_a = g_strdup_printf ("127.0.0.1:%u", url_port (proxy_a->url));
  listen_b = g_strdup_printf ("127.0.0.1:%u", url_port (proxy_b->url));
  enrol_at (a, hub, proxy_a->url, "青山乡");
  enrol_at (b, hub, proxy_b->url, "青山乡");
  install_sample (a, "village-doctor-hygiene");
  learner = add_learner (a, "李医生");

  for (guint round = 0; round < 25; round++)
    {
      int step;

      /* the learner goes on studying on A between syncs */
      g_ptr_array_unref (add_statements (a, learner, 200));
      made += 200;
      /* A is killed at a random moment after it starts pushing (so in the push or the
       * pull after it), B after it starts pulling or downloading */
      step = run_cli_sync (a, STEP_PUSH, g_test_rand_int_range (0, 800), &status);
      if (step >= 0)
        hits[step]++;
      else
        finished++;
      /* A's next run (not counted: it is not killed) finishes the push the kill cut,
       * so that B has the round's statements to pull */
      g_assert_cmpint (run_cli_sync_full (a, TRUE, STEP_START, 0, &status), ==, -1);
      g_assert_cmpint (status, ==, 0);
      /* a pull of the round's 200 statements lasts a few hundred ms on this link */
      step = round % 2 ? run_cli_sync (b, STEP_PULL, g_test_rand_int_range (0, 100), &status)
                       : run_cli_sync (b, STEP_DOWNLOAD, g_test_rand_int_range (0, 2000), &status);
      if (step >= 0)
        hits[step]++;
      else
        finished++;
    }
  for (guint s = 0; s < N_STEPS; s++)
    g_test_message ("killed in %s: %u", step_names[s], hits[s]);
  g_test_message ("finished before the kill: %u", finished);
  /* the kills did land in the middle of the work */
  g_assert_cmpuint (hits[STEP_PUSH], >=, 3);
  g_assert_cmpuint (hits[STEP_PULL], >=, 3);
  g_assert_cmpuint (hits[STEP_DOWNLOAD], >=, 3);
  g_assert_cmpuint (hits[STEP_START] + hits[STEP_PUSH] + hits[STEP_PULL] + hits[STEP_DOWNLOAD] +
                    hits[STEP_OTHER] + finished, ==, 50);

  /* fast links again, and every PC finishes the job */
  proxy_stop (proxy_a);
  proxy_stop (proxy_b);
  proxy_a = proxy_start (hub->url, listen_a, NULL, NULL);
  proxy_b = proxy_start (hub->url, listen_b, NULL, NULL);
  g_assert_cmpint (run_cli_sync (a, STEP_START, 0, &status), ==, -1);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpint (run_cli_sync (b, STEP_START, 0, &status), ==, -1);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpint (run_cli_sync (a, STEP_START, 0, &status), ==, -1);
  g_assert_cmpint (status, ==, 0);

  /* the hub holds exactly the statements made, each once */
  a_ids = pc_statement_ids (a);
  g_assert_cmpuint (g_hash_table_size (a_ids), ==, made);
  hub_ids = hub_statement_ids (hub, &rows);
  g_assert_cmpuint (rows, ==, made);
  assert_same_ids (a_ids, hub_ids);
  b_ids = pc_statement_ids (b);
  assert_same_ids (a_ids, b_ids);
  g_assert_cmpint (query_int (a, "SELECT count (*) FROM statements WHERE synced != 1"), ==, 0);
  dump_a = dump_projections (a);
  dump_b = dump_projections (b);
  g_assert_cmpstr (dump_a, ==, dump_b);
  /* and every package is intact (installed only after its sha256 matched) */
  assert_courses_complete (a);
  assert_courses_complete (b);
  assert_integrity (a);
  assert_integrity (b);

  proxy_stop (proxy_a);
  proxy_stop (proxy_b);
  hub_test_hub_stop (hub);
}

static void
test_faults (void)
{
  HubTestHub *hub = hub_test_hub_start (NULL, NULL, NULL);
  g_autoptr(Pc) pc = pc_new ("faults");
  g_autofree char *learner = NULL;
  g_autofree char *control = NULL;
  /* a fixed seed: the proxy's choices are the same on every run, so the faults the
   * assertions below count happen every time (with a random one, fewer than 8 of ~40
   * connections failed in about one run in twenty) */
  const char *seed = "20261123";
  g_autoptr(GHashTable) hub_ids = NULL;
  g_autoptr(GHashTable) pc_ids = NULL;
  Proxy *proxy;
  guint runs = 0, failed = 0, rows;

  publish_samples (hub);
  g_free (publish_large (hub, "large-course", 3));
  control = g_build_filename (pc->dir, "faults", NULL);
  g_assert_true (g_file_set_contents (control, "0", -1, NULL));
  proxy = proxy_start (hub->url, NULL, "--control", control, "--seed", seed,
                       "--modes", "drop,reset,truncate,delay,stall",
                       "--delay-ms", "300", "--stall-ms", "4000", NULL);
  enrol_at (pc, hub, proxy->url, "青山乡");
  install_sample (pc, "village-doctor-hygiene");
  learner = add_learner (pc, "王医生");
  g_ptr_array_unref (add_statements (pc, learner, 2000));

  /* 30% of connections fail; a stalled one is given up after a second. The proxy decides
   * per connection, so every request gets its own, and pushes go by 50 (40 requests
   * and their retries rather than 4) */
  g_assert_true (g_file_set_contents (control, "0.3", -1, NULL));
  g_setenv ("SHUYUAN_SYNC_STALL_SECONDS", "1", TRUE);
  g_setenv ("SHUYUAN_SYNC_NO_REUSE", "1", TRUE);
  g_setenv ("SHUYUAN_SYNC_BATCH", "50", TRUE);
  for (;;)
    {
      g_autoptr(SySyncStatus) status = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_cmpuint (runs, <, 60);
      runs++;
      if (!sy_sync_run (pc->store, SY_SYNC_RECORDS_ONLY, NULL, NULL, NULL, NULL, &error))
        {
          g_test_message ("run %u: %s", runs, error->message);
          failed++;
        }
      status = sy_sync_get_status (pc->store, NULL, NULL);
      if (status->waiting == 0 && error == NULL)
        break;
    }
  g_test_message ("records: %u runs (%u ended by faults)", runs, failed);
  {
    g_autofree char *counters = proxy_counters (proxy);
    g_test_message ("proxy: %s", counters);
    /* the faults did happen: several of each kind */
    g_assert_cmpuint (proxy_counter (counters, "faults"), >=, 8);
    g_assert_cmpuint (proxy_counter (counters, "reset") + proxy_counter (counters, "truncate") +
                      proxy_counter (counters, "drop"), >=, 4);
  }

  /* the whole catalog, through the same faults */
  for (runs = 0, failed = 0;;)
    {
      g_autoptr(GError) error = NULL;

      g_assert_cmpuint (runs, <, 60);
      runs++;
      if (sy_sync_run (pc->store, SY_SYNC_NONE, NULL, NULL, NULL, NULL, &error))
        break;
      g_test_message ("run %u: %s", runs, error->message);
      failed++;
    }
  g_test_message ("courses: %u runs (%u ended by faults)", runs, failed);
  {
    g_autofree char *counters = proxy_counters (proxy);
    g_test_message ("proxy: %s", counters);
  }

  g_assert_true (g_file_set_contents (control, "0", -1, NULL));
  g_unsetenv ("SHUYUAN_SYNC_STALL_SECONDS");
  g_unsetenv ("SHUYUAN_SYNC_NO_REUSE");
  g_unsetenv ("SHUYUAN_SYNC_BATCH");
  pc_ids = pc_statement_ids (pc);
  g_assert_cmpuint (g_hash_table_size (pc_ids), ==, 2000);
  hub_ids = hub_statement_ids (hub, &rows);
  g_assert_cmpuint (rows, ==, 2000);
  assert_same_ids (pc_ids, hub_ids);
  assert_courses_complete (pc);

  proxy_stop (proxy);
  hub_test_hub_stop (hub);
}

static void
test_hub_restart (void)
{
  HubTestHub *hub = hub_test_hub_start (NULL, NULL, NULL);
  g_autoptr(Pc) pc = pc_new ("restart");
  g_autofree char *learner = NULL;
  g_autofree char *target = g_strdup (hub->target);
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u", url_port (hub->url));
  g_autofree char *log = g_build_filename (pc->dir, "cli.log", NULL);
  g_autoptr(GHashTable) hub_ids = NULL;
  g_autoptr(GHashTable) pc_ids = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_autoptr(GSubprocess) cli = NULL;
  g_autoptr(GError) error = NULL;
  gboolean exited = FALSE;
  gint64 deadline;
  Proxy *proxy;
  guint rows;

  /* slow enough that the hub dies in the middle */
  proxy = proxy_start (hub->url, NULL, "--rate", "65536", NULL);
  enrol_at (pc, hub, proxy->url, "青山乡");
  install_sample (pc, "village-doctor-hygiene");
  learner = add_learner (pc, "周医生");
  sync_ok (pc, SY_SYNC_RECORDS_ONLY, NULL);
  g_ptr_array_unref (add_statements (pc, learner, 3000));

  /* the CLI backs off from 1 s (three tries while nobody answers), so it outlives the
   * hub's absence */
  g_subprocess_launcher_setenv (launcher, "SHUYUAN_SYNC_BACKOFF_MS", "1000", TRUE);
  g_subprocess_launcher_setenv (launcher, "LANGUAGE", "en", TRUE);
  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  cli = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("SHUYUAN_CLI"), "-d", pc->dir,
                                     "sync", "--records-only", NULL);
  g_assert_no_error (error);
  g_subprocess_wait_async (cli, NULL, on_exited, &exited);

  /* the hub goes at a random moment of the push */
  while (!exited && last_step (log) < STEP_PUSH)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (500);
  deadline = g_get_monotonic_time () + g_test_rand_int_range (50, 400) * 1000;
  while (!exited && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  g_assert_false (exited);
  g_assert_cmpint (last_step (log), ==, STEP_PUSH);
  hub_test_hub_kill (hub);
  g_usleep (G_USEC_PER_SEC / 2);
  hub = hub_test_hub_start (target, "--listen", listen, NULL);
  while (!exited)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (g_subprocess_get_if_exited (cli));
  g_assert_cmpint (g_subprocess_get_exit_status (cli), ==, 0);

  pc_ids = pc_statement_ids (pc);
  g_assert_cmpuint (g_hash_table_size (pc_ids), ==, 3000);
  hub_ids = hub_statement_ids (hub, &rows);
  g_assert_cmpuint (rows, ==, 3000);
  assert_same_ids (pc_ids, hub_ids);
  g_assert_cmpint (query_int (pc, "SELECT count (*) FROM statements WHERE synced != 1"), ==, 0);

  proxy_stop (proxy);
  hub_test_hub_stop (hub);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_setenv ("SHUYUAN_SYNC_BACKOFF_MS", "5", TRUE);

  g_test_add_func ("/sync/stress/kill", test_kill);
  g_test_add_func ("/sync/stress/faults", test_faults);
  g_test_add_func ("/sync/stress/hub-restart", test_hub_restart);
  return g_test_run ();
}

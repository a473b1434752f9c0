/* test-sync.c — the sync engine against a real shuyuan-hub process
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every test starts its own hub (SQLite, or PostgreSQL when SHUYUAN_HUB_TEST_ENGINE says
 * so) on 127.0.0.1 and one or two "PCs": data folders with their own store, driven through
 * the same core API the app and the CLI use.
 */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sync-test-util.h"
#include "sy-store.h"
#include "sy-sync.h"
#include "sy-util.h"
#include "test-util.h"

/* ---- tests ---- */

static void
test_enrol (void)
{
  HubTestHub *hub = hub_test_hub_start (NULL, NULL, NULL);
  g_autoptr(Pc) pc = pc_new ("enrol");
  g_autoptr(GError) error = NULL;
  g_autoptr(SySyncAccount) account = NULL;
  g_autofree char *code = NULL;
  g_autofree char *file = g_build_filename (pc->dir, "sync-account.ini", NULL);
  GStatBuf st;

  /* not enrolled: a sync says what to do */
  g_assert_false (sy_sync_run (pc->store, SY_SYNC_NONE, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, SY_SYNC_ERROR, SY_SYNC_ERROR_NOT_ENROLLED);
  g_clear_error (&error);

  /* no address, a wrong code, a hub that is not there */
  g_assert_false (sy_sync_enrol (pc->store, "ftp://example", "ABCD", NULL, NULL, &error));
  g_assert_error (error, SY_SYNC_ERROR, SY_SYNC_ERROR_ADDRESS);
  g_clear_error (&error);
  g_assert_false (sy_sync_enrol (pc->store, hub->url, "WRONG-CODE-1", NULL, NULL, &error));
  g_assert_error (error, SY_SYNC_ERROR, SY_SYNC_ERROR_CODE);
  g_clear_error (&error);
  g_assert_false (sy_sync_enrol (pc->store, "http://127.0.0.1:9", "ABCD", NULL, NULL, &error));
  g_assert_error (error, SY_SYNC_ERROR, SY_SYNC_ERROR_NETWORK);
  g_clear_error (&error);
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
  g_assert_null (sy_sync_get_account (pc->store, &error));
  g_assert_no_error (error);

  /* the code, typed in lower case with spaces as read over the phone */
  code = enrol_code (hub, "青山乡");
  {
    g_autofree char *typed = g_ascii_strdown (code, -1);
    g_strdelimit (typed, "-", ' ');
    g_assert_true (sy_sync_enrol (pc->store, hub->url, typed, NULL, NULL, &error));
    g_assert_no_error (error);
  }
  g_assert_cmpint (g_stat (file, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  account = sy_sync_get_account (pc->store, &error);
  g_assert_no_error (error);
  g_assert_nonnull (account);
  g_assert_cmpint (account->kind, ==, SY_SYNC_KIND_HUB);
  g_assert_cmpstr (account->url, ==, hub->url);
  g_assert_cmpstr (account->organisation, ==, "青山乡");
  g_assert_true (g_str_has_prefix (account->user, "dev-"));

  /* a code works once */
  {
    g_autoptr(Pc) other = pc_new ("enrol2");
    g_assert_false (sy_sync_enrol (other->store, hub->url, code, NULL, NULL, &error));
    g_assert_error (error, SY_SYNC_ERROR, SY_SYNC_ERROR_CODE);
    g_clear_error (&error);
  }

  /* an empty sync works, and is remembered */
  sync_ok (pc, SY_SYNC_NONE, NULL);
  {
    g_autoptr(SySyncStatus) status = sy_sync_get_status (pc->store, NULL, &error);
    g_assert_no_error (error);
    g_assert_nonnull (status->last_synced);
    g_assert_null (status->last_error);
    g_assert_cmpuint (status->waiting, ==, 0);
  }

  /* a hub that went away: an error in words, remembered, nothing lost */
  hub_test_hub_stop (hub);
  {
    g_autoptr(SySyncStatus) status = NULL;
    g_autofree char *learner = add_learner (pc, "张三");

    install_sample (pc, "village-doctor-hygiene");
    g_free (record (pc, learner, "l1", SY_VERB_LAUNCHED, -1, -1));
    g_assert_false (sy_sync_run (pc->store, SY_SYNC_NO_RETRY, NULL, NULL, NULL, NULL, &error));
    g_assert_error (error, SY_SYNC_ERROR, SY_SYNC_ERROR_NETWORK);
    g_assert_nonnull (strstr (error->message, "safe"));
    g_clear_error (&error);
    status = sy_sync_get_status (pc->store, NULL, &error);
    g_assert_cmpuint (status->waiting, ==, 1);
    g_assert_nonnull (status->last_error);
  }

  /* forgetting the hub keeps the records */
  g_assert_true (sy_sync_forget (pc->store, &error));
  g_assert_no_error (error);
  g_assert_null (sy_sync_get_account (pc->store, NULL));
  g_assert_cmpint (query_int (pc, "SELECT count (*) FROM statements"), ==, 1);
}

/* The first proof: a learner moves between two PCs, then both work offline. */
static void
test_two_pcs (void)
{
  HubTestHub *hub = hub_test_hub_start (NULL, NULL, NULL);
  g_autoptr(Pc) a = pc_new ("a");
  g_autoptr(Pc) b = pc_new ("b");
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GHashTable) ids = NULL;
  g_autofree char *alice = NULL;
  g_autofree char *dump_a = NULL;
  g_autofree char *dump_b = NULL;
  SySyncSummary summary;
  guint rows, made = 0;

  publish_samples (hub);
  enrol (a, hub, "青山乡");
  enrol (b, hub, "青山乡");
  install_sample (a, "village-doctor-hygiene");
  items = course_items (a);
  g_assert_cmpuint (items->len, >=, 4);

  /* on A: two lessons read, one completed */
  alice = add_learner (a, "李医生");
  g_free (record (a, alice, items->pdata[0], SY_VERB_LAUNCHED, -1, -1));
  g_free (record (a, alice, items->pdata[0], SY_VERB_PROGRESSED, 300, -1));
  g_free (record (a, alice, items->pdata[0], SY_VERB_COMPLETED, 120, -1));
  g_free (record (a, alice, items->pdata[1], SY_VERB_PROGRESSED, 90, -1));
  made += 4;
  sync_ok (a, SY_SYNC_RECORDS_ONLY, &summary);
  g_assert_cmpuint (summary.learners_registered, ==, 1);
  g_assert_cmpuint (summary.pushed, ==, 4);
  g_assert_cmpuint (summary.courses_downloaded, ==, 0);
  g_assert_cmpint (query_int (a, "SELECT count (*) FROM statements WHERE synced = 0"), ==, 0);

  /* on B: the learner appears with her progress, and the courses arrive */
  sync_ok (b, SY_SYNC_NONE, &summary);
  g_assert_cmpuint (summary.learners_pulled, ==, 1);
  g_assert_cmpuint (summary.pulled, ==, 4);
  g_assert_cmpuint (summary.courses_downloaded, ==, 3);
  g_assert_cmpuint (summary.pushed, ==, 0);
  {
    g_autoptr(GPtrArray) learners = sy_store_list_learners (b->store, NULL, NULL);
    g_autoptr(SyCourse) course = sy_store_get_course (b->store, VD_COURSE, alice, NULL, NULL);

    g_assert_cmpuint (learners->len, ==, 1);
    g_assert_cmpstr (sy_learner_get_name (learners->pdata[0]), ==, "李医生");
    g_assert_nonnull (course);
    g_assert_cmpuint (sy_course_get_n_done (course), ==, 1);
  }
  dump_a = dump_projections (a);
  dump_b = dump_projections (b);
  g_assert_cmpstr (dump_a, !=, "");
  g_assert_cmpstr (dump_a, ==, dump_b);
  g_clear_pointer (&dump_a, g_free);
  g_clear_pointer (&dump_b, g_free);

  /* a second sync pulls nothing new and pushes nothing (the pulled ones are not echoed) */
  sync_ok (b, SY_SYNC_NONE, &summary);
  g_assert_cmpuint (summary.pulled + summary.pushed + summary.courses_downloaded, ==, 0);

  /* both offline: she goes on on B, a colleague starts on A */
  {
    g_autofree char *bob = add_learner (a, "赵医生");
    g_free (record (b, alice, items->pdata[1], SY_VERB_COMPLETED, 200, -1));
    g_free (record (b, alice, items->pdata[2], SY_VERB_PROGRESSED, 60, -1));
    g_free (record (a, bob, items->pdata[0], SY_VERB_PROGRESSED, 30, -1));
    g_free (record (a, alice, items->pdata[3], SY_VERB_PROGRESSED, 45, -1));
    made += 4;
  }
  sync_ok (a, SY_SYNC_NONE, NULL);
  sync_ok (b, SY_SYNC_NONE, NULL);
  sync_ok (a, SY_SYNC_NONE, NULL);
  dump_a = dump_projections (a);
  dump_b = dump_projections (b);
  g_assert_cmpstr (dump_a, ==, dump_b);
  g_assert_cmpint (query_int (a, "SELECT count (*) FROM statements"), ==, made);
  g_assert_cmpint (query_int (b, "SELECT count (*) FROM statements"), ==, made);
  g_assert_cmpint (query_int (b, "SELECT count (*) FROM learners"), ==, 2);

  /* the hub holds each statement once */
  ids = hub_statement_ids (hub, &rows);
  g_assert_cmpuint (rows, ==, made);
  g_assert_cmpuint (g_hash_table_size (ids), ==, made);
  hub_test_hub_stop (hub);
}

/* A statement the hub already has with other content goes to the quarantine; the rest of
 * its batch goes through. A push whose answer was lost is sent again as a no-op. */
static void
test_quarantine (void)
{
  HubTestHub *hub = hub_test_hub_start (NULL, NULL, NULL);
  g_autoptr(Pc) pc = pc_new ("quarantine");
  g_autoptr(GPtrArray) quarantined = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *learner = NULL;
  g_autofree char *clash = NULL;
  g_autoptr(GHashTable) ids = NULL;
  SySyncSummary summary;
  guint rows;

  enrol (pc, hub, "青山乡");
  install_sample (pc, "village-doctor-hygiene");
  learner = add_learner (pc, "孙医生");
  sync_ok (pc, SY_SYNC_RECORDS_ONLY, NULL);   /* registers the learner */

  for (guint i = 0; i < 7; i++)
    g_free (record (pc, learner, "l1", SY_VERB_PROGRESSED, 10 + i, -1));
  clash = record (pc, learner, "l1", SY_VERB_PROGRESSED, 99, -1);
  for (guint i = 0; i < 5; i++)
    g_free (record (pc, learner, "l2", SY_VERB_PROGRESSED, 10 + i, -1));

  /* another statement with the clashing id reached the hub first */
  {
    g_autofree char *body = g_strdup_printf (
      "{\"id\": \"%s\", \"actor\": {\"mbox\": \"mailto:other@example.org\"},"
      " \"verb\": {\"id\": \"http://adlnet.gov/expapi/verbs/experienced\"},"
      " \"object\": {\"id\": \"http://example.org/other\"}}", clash);
    g_autofree char *path = g_strdup_printf ("/xapi/statements?statementId=%s", clash);
    g_autoptr(HubTestResponse) response = hub_test_request (hub, "PUT", path, hub->admin, NULL,
                                                            body, -1, NULL, NULL);
    hub_test_assert_status (response, 204);
  }

  sync_ok (pc, SY_SYNC_RECORDS_ONLY, &summary);
  g_assert_cmpuint (summary.pushed, ==, 12);
  g_assert_cmpuint (summary.quarantined, ==, 1);
  quarantined = sy_store_list_quarantine (pc->store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (quarantined->len, ==, 1);
  {
    SyQuarantined *q = quarantined->pdata[0];
    g_assert_cmpstr (q->statement_id, ==, clash);
    g_assert_cmpuint (q->status, ==, 409);
    g_assert_cmpstr (q->learner_name, ==, "孙医生");
    g_assert_cmpstr (q->reason, !=, "");
  }
  {
    g_autoptr(SySyncStatus) status = sy_sync_get_status (pc->store, NULL, &error);
    g_assert_cmpuint (status->waiting, ==, 0);
    g_assert_cmpuint (status->quarantined, ==, 1);
  }

  /* the answer to a push was lost (the PC stopped before marking): sent again, no-op */
  {
    sqlite3 *db = open_db (pc);
    g_assert_cmpint (sqlite3_exec (db, "UPDATE statements SET synced = 0 WHERE synced = 1",
                                   NULL, NULL, NULL), ==, SQLITE_OK);
    sqlite3_close (db);
  }
  sync_ok (pc, SY_SYNC_RECORDS_ONLY, &summary);
  g_assert_cmpuint (summary.pushed + summary.pulled, >=, 12);
  g_assert_cmpint (query_int (pc, "SELECT count (*) FROM statements WHERE synced = 0"), ==, 0);
  ids = hub_statement_ids (hub, &rows);
  g_assert_cmpuint (rows, ==, 13);   /* 12 of this PC's and the other one */
  hub_test_hub_stop (hub);
}

static GBytes *
package_bytes (HubTestHub           *hub,
               const SyCatalogEntry *entry)
{
  g_autofree char *path = g_strdup (strstr (entry->url, "/api/"));
  g_autoptr(HubTestResponse) response = hub_test_request (hub, "GET", path, hub->admin, NULL,
                                                          NULL, 0, NULL, NULL);
  hub_test_assert_status (response, 200);
  return g_bytes_ref (response->body);
}

static void
on_progress (const SySyncProgress *progress,
             gpointer              data)
{
  guint64 *last = data;

  g_assert_cmpint (progress->phase, !=, SY_SYNC_PHASE_PUSH);
  if (progress->phase == SY_SYNC_PHASE_DOWNLOAD)
    {
      g_assert_cmpuint (progress->done, >=, *last);
      g_assert_cmpuint (progress->done, <=, progress->total);
      g_assert_nonnull (progress->item);
      *last = progress->done;
    }
}

/* The catalog, a download resumed from a .part file, and a damaged .part. */
static void
test_download (void)
{
  HubTestHub *hub = hub_test_hub_start (NULL, NULL, NULL);
  g_autoptr(Pc) pc = pc_new ("download");
  g_autoptr(GPtrArray) catalog = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *downloads = g_build_filename (pc->dir, "downloads", NULL);
  SyCatalogEntry *vd = NULL, *cfk = NULL;
  guint64 last = 0;

  publish_samples (hub);
  enrol (pc, hub, "青山乡");
  install_sample (pc, "village-doctor-hygiene");
  catalog = sy_sync_get_catalog (pc->store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (catalog->len, ==, 3);
  for (guint i = 0; i < catalog->len; i++)
    {
      SyCatalogEntry *e = catalog->pdata[i];
      g_assert_cmpuint (e->size, >, 1000);
      g_assert_cmpuint (strlen (e->sha256), ==, 64);
      if (g_str_equal (e->id, VD_COURSE))
        vd = e;
      else if (g_str_equal (e->id, "cfk-sequences-loops"))
        cfk = e;
    }
  g_assert_nonnull (vd);
  g_assert_nonnull (cfk);
  g_assert_cmpint (vd->installed_version, ==, vd->version);
  g_assert_cmpint (cfk->installed_version, ==, 0);

  /* half the package arrived before the power went */
  {
    g_autoptr(GBytes) bytes = package_bytes (hub, cfk);
    g_autofree char *name = g_strdup_printf ("%s-%d-%.16s.part", cfk->id, cfk->version, cfk->sha256);
    g_autofree char *part = g_build_filename (downloads, name, NULL);
    gsize size;
    const char *data = g_bytes_get_data (bytes, &size);

    g_assert_cmpuint (size, ==, cfk->size);
    g_assert_cmpint (g_mkdir_with_parents (downloads, 0700), ==, 0);
    g_assert_true (g_file_set_contents (part, data, size / 2, NULL));
    last = size / 2;
    g_assert_true (sy_sync_download (pc->store, cfk, on_progress, &last, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (last, ==, size);
    g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
  }
  {
    g_autoptr(SyCourse) course = sy_store_get_course (pc->store, cfk->id, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpint (sy_course_get_version (course), ==, cfk->version);
  }

  /* a .part with wrong bytes (a proxy that changed them): found by the sha256 and
   * downloaded again */
  {
    SyCatalogEntry *retail = NULL;
    g_autofree char *name = NULL;
    g_autofree char *part = NULL;
    g_autofree char *junk = NULL;

    for (guint i = 0; i < catalog->len; i++)
      if (g_str_has_prefix (((SyCatalogEntry *) catalog->pdata[i])->id, "retail"))
        retail = catalog->pdata[i];
    g_assert_nonnull (retail);
    name = g_strdup_printf ("%s-%d-%.16s.part", retail->id, retail->version, retail->sha256);
    part = g_build_filename (downloads, name, NULL);
    junk = g_strnfill (retail->size / 3, 'x');
    g_assert_true (g_file_set_contents (part, junk, -1, NULL));
    sync_ok (pc, SY_SYNC_NONE, NULL);
    g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
  }
  g_clear_pointer (&catalog, g_ptr_array_unref);
  catalog = sy_sync_get_catalog (pc->store, NULL, &error);
  for (guint i = 0; i < catalog->len; i++)
    {
      SyCatalogEntry *e = catalog->pdata[i];
      g_assert_cmpint (e->installed_version, ==, e->version);
    }
  /* nothing left behind */
  {
    g_autofree char *left = test_list_dir (downloads);
    g_assert_cmpstr (left, ==, "");
  }
  hub_test_hub_stop (hub);
}

/* Records only (a metered connection): no catalog, no download. */
static void
test_records_only (void)
{
  HubTestHub *hub = hub_test_hub_start (NULL, NULL, NULL);
  g_autoptr(Pc) pc = pc_new ("metered");
  g_autoptr(GPtrArray) courses = NULL;
  SySyncSummary summary;

  publish_samples (hub);
  enrol (pc, hub, "青山乡");
  sync_ok (pc, SY_SYNC_RECORDS_ONLY, &summary);
  g_assert_cmpuint (summary.courses_downloaded, ==, 0);
  courses = sy_store_list_courses (pc->store, NULL, NULL, NULL);
  g_assert_cmpuint (courses->len, ==, 0);
  sync_ok (pc, SY_SYNC_NONE, &summary);
  g_assert_cmpuint (summary.courses_downloaded, ==, 3);
  hub_test_hub_stop (hub);
}

/* Two runs at once on one data folder: the second is told, nothing is doubled. */
static void
test_busy (void)
{
  HubTestHub *hub = hub_test_hub_start (NULL, NULL, NULL);
  g_autoptr(Pc) pc = pc_new ("busy");
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (pc->dir, "sync.lock", NULL);
  int fd;

  enrol (pc, hub, "青山乡");
  fd = g_open (path, O_RDWR, 0);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (flock (fd, LOCK_EX | LOCK_NB), ==, 0);
  g_assert_false (sy_sync_run (pc->store, SY_SYNC_NONE, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, SY_SYNC_ERROR, SY_SYNC_ERROR_BUSY);
  close (fd);
  sync_ok (pc, SY_SYNC_NONE, NULL);
  hub_test_hub_stop (hub);
}

/* TLS is verified: a hub whose certificate the PC does not trust is refused; with the
 * certificate trusted (SHUYUAN_CA_FILE, as a hub's own CA would be installed) it works. */
static void
test_tls (void)
{
  g_autofree char *dir = test_make_temp_dir ("sync-tls");
  g_autofree char *cert = g_build_filename (dir, "cert.pem", NULL);
  g_autofree char *key = g_build_filename (dir, "key.pem", NULL);
  g_autoptr(GSubprocess) openssl = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Pc) pc = pc_new ("tls");
  g_autofree char *code = NULL;
  HubTestHub *hub;

  openssl = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                              &error, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                              "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                              "-addext", "subjectAltName=IP:127.0.0.1", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (openssl, NULL, &error));
  g_assert_no_error (error);
  hub = hub_test_hub_start (NULL, "--tls-cert", cert, "--tls-key", key, NULL);
  g_assert_true (g_str_has_prefix (hub->url, "https://"));
  code = enrol_code (hub, "青山乡");

  g_unsetenv ("SHUYUAN_CA_FILE");
  g_assert_false (sy_sync_enrol (pc->store, hub->url, code, NULL, NULL, &error));
  g_assert_error (error, SY_SYNC_ERROR, SY_SYNC_ERROR_TLS);
  g_clear_error (&error);
  g_assert_null (sy_sync_get_account (pc->store, NULL));

  g_setenv ("SHUYUAN_CA_FILE", cert, TRUE);
  g_assert_true (sy_sync_enrol (pc->store, hub->url, code, NULL, NULL, &error));
  g_assert_no_error (error);
  g_free (add_learner (pc, "钱医生"));
  sync_ok (pc, SY_SYNC_NONE, NULL);
  g_unsetenv ("SHUYUAN_CA_FILE");

  hub_test_hub_stop (hub);
  sy_rm_rf (dir, NULL);
}

/* The proxy settings are honoured: a hub at a name nobody can resolve is reached through
 * the HTTP proxy the environment names (sy-fault-proxy passes the proxy-form requests on
 * to the hub, which answers them). */
static void
test_http_proxy (void)
{
  HubTestHub *hub = hub_test_hub_start (NULL, NULL, NULL);
  Proxy *proxy = proxy_start (hub->url, NULL, NULL, NULL);
  g_autoptr(Pc) pc = pc_new ("proxy");
  g_autofree char *address = g_strdup_printf ("http://hub.invalid:%u", url_port (hub->url));
  g_autofree char *code = enrol_code (hub, "青山乡");
  g_autofree char *counters = NULL;
  g_autoptr(GError) error = NULL;

  g_setenv ("http_proxy", proxy->url, TRUE);
  g_setenv ("no_proxy", "", TRUE);
  g_assert_true (sy_sync_enrol (pc->store, address, code, NULL, NULL, &error));
  g_assert_no_error (error);
  g_free (add_learner (pc, "孙医生"));
  sync_ok (pc, SY_SYNC_NONE, NULL);
  counters = proxy_counters (proxy);
  g_assert_cmpuint (proxy_counter (counters, "connections"), >=, 2);
  g_unsetenv ("http_proxy");
  g_unsetenv ("no_proxy");

  /* without it, the name does not resolve: an error in words, nothing lost */
  g_assert_false (sy_sync_run (pc->store, SY_SYNC_NO_RETRY, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, SY_SYNC_ERROR, SY_SYNC_ERROR_NETWORK);

  proxy_stop (proxy);
  hub_test_hub_stop (hub);
}

typedef struct
{
  GCancellable *cancellable;
  guint64       cancelled_at;
} CancelData;

static void
cancel_mid_download (const SySyncProgress *progress,
                     gpointer              data)
{
  CancelData *c = data;

  if (progress->phase == SY_SYNC_PHASE_DOWNLOAD && progress->done > 0 &&
      progress->done < progress->total && c->cancelled_at == 0)
    {
      c->cancelled_at = progress->done;
      g_cancellable_cancel (c->cancellable);
    }
}

/* A sync is cancellable (a user closing the app, a metered network appearing) at any
 * point; the next run resumes the download where it stopped. */
static void
test_cancel (void)
{
  HubTestHub *hub = hub_test_hub_start (NULL, NULL, NULL);
  Proxy *proxy = proxy_start (hub->url, NULL, "--rate", "2000000", NULL);
  g_autoptr(Pc) pc = pc_new ("cancel");
  g_autoptr(GError) error = NULL;
  g_autofree char *downloads = g_build_filename (pc->dir, "downloads", NULL);
  CancelData c = { g_cancellable_new (), 0 };

  g_free (publish_large (hub, "large-course", 4));
  enrol_at (pc, hub, proxy->url, "青山乡");
  g_assert_false (sy_sync_run (pc->store, SY_SYNC_NONE, cancel_mid_download, &c, NULL,
                               c.cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (c.cancelled_at, >, 0);
  {
    /* the part that arrived is kept */
    g_autofree char *left = test_list_dir (downloads);
    g_assert_nonnull (strstr (left, ".part"));
  }
  /* a cancelled run is not an error to show */
  {
    g_autoptr(SySyncStatus) status = sy_sync_get_status (pc->store, NULL, NULL);
    g_assert_null (status->last_error);
  }
  sync_ok (pc, SY_SYNC_NONE, NULL);
  {
    g_autoptr(SyCourse) course = sy_store_get_course (pc->store, "large-course", NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_nonnull (course);
  }
  g_object_unref (c.cancellable);
  proxy_stop (proxy);
  hub_test_hub_stop (hub);
}

/* Progress reports reach the caller on the caller's thread, also when that thread is busy
 * between two iterations of its main context (as the app is while it lays out a window):
 * a worker must never run the caller's callback itself. */
typedef struct
{
  GThread *caller;
  guint    reports;
  guint    off_thread;
  gboolean finished;
} ProgressThread;

static void
progress_thread_cb (const SySyncProgress *progress,
                    gpointer              data)
{
  ProgressThread *p = data;

  p->reports++;
  if (g_thread_self () != p->caller)
    p->off_thread++;
}

static void
progress_thread_done_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (sy_sync_download_finish (SY_STORE (source), result, &error));
  g_assert_no_error (error);
  ((ProgressThread *) data)->finished = TRUE;
}

static void
test_async_progress_thread (void)
{
  HubTestHub *hub = hub_test_hub_start (NULL, NULL, NULL);
  g_autoptr(Pc) pc = pc_new ("progress-thread");
  g_autoptr(GPtrArray) catalog = NULL;
  g_autoptr(GError) error = NULL;
  ProgressThread p = { g_thread_self (), 0, 0, FALSE };
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  g_free (publish_large (hub, "large-course", 2));
  enrol (pc, hub, "青山乡");
  catalog = sy_sync_get_catalog (pc->store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (catalog->len, ==, 1);

  sy_sync_download_async (pc->store, catalog->pdata[0], progress_thread_cb, &p, NULL, NULL,
                          progress_thread_done_cb, &p);
  /* mostly busy elsewhere: the context is free for a worker to take */
  while (!p.finished && g_get_monotonic_time () < deadline)
    {
      g_usleep (2000);
      g_main_context_iteration (NULL, FALSE);
    }
  g_assert_true (p.finished);
  g_assert_cmpuint (p.reports, >, 2);
  g_assert_cmpuint (p.off_thread, ==, 0);
  hub_test_hub_stop (hub);
}

/* The app hands the async calls a widget as progress data; the task's last reference may go
 * on the worker thread, yet the data must be released on the caller's thread. Many runs at
 * once on a busy pool make a worker lose the processor between returning and letting go. */
#define RELEASE_RUNS 64

typedef struct
{
  GThread *released_on;
  gboolean finished;
} Released;

static void
released_free (gpointer data)
{
  ((Released *) data)->released_on = g_thread_self ();
}

static void
release_run_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (sy_sync_run_finish (SY_STORE (source), result, NULL, &error));
  g_assert_error (error, SY_SYNC_ERROR, SY_SYNC_ERROR_NOT_ENROLLED);
  ((Released *) data)->finished = TRUE;
}

static gboolean
all_released (const Released *released)
{
  for (guint i = 0; i < RELEASE_RUNS; i++)
    if (!released[i].finished || released[i].released_on == NULL)
      return FALSE;
  return TRUE;
}

static void
test_async_release (void)
{
  g_autoptr(Pc) pc = pc_new ("release");
  guint on_worker = 0;

  for (guint round = 0; round < 20; round++)
    {
      Released released[RELEASE_RUNS] = { { NULL, FALSE } };
      gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

      for (guint i = 0; i < RELEASE_RUNS; i++)
        sy_sync_run_async (pc->store, SY_SYNC_NONE, NULL, &released[i], released_free, NULL,
                           release_run_cb, &released[i]);
      while (!all_released (released) && g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, FALSE);
      g_assert_true (all_released (released));
      for (guint i = 0; i < RELEASE_RUNS; i++)
        if (released[i].released_on != g_thread_self ())
          on_worker++;
    }
  g_assert_cmpuint (on_worker, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_setenv ("SHUYUAN_SYNC_BACKOFF_MS", "5", TRUE);

  g_test_add_func ("/sync/enrol", test_enrol);
  g_test_add_func ("/sync/two-pcs", test_two_pcs);
  g_test_add_func ("/sync/quarantine", test_quarantine);
  g_test_add_func ("/sync/download", test_download);
  g_test_add_func ("/sync/records-only", test_records_only);
  g_test_add_func ("/sync/busy", test_busy);
  g_test_add_func ("/sync/tls", test_tls);
  g_test_add_func ("/sync/http-proxy", test_http_proxy);
  g_test_add_func ("/sync/cancel", test_cancel);
  g_test_add_func ("/sync/async-release", test_async_release);
  g_test_add_func ("/sync/async-progress-thread", test_async_progress_thread);
  return g_test_run ();
}

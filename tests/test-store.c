/* test-store.c — the store: opening, migrations, device id, learners, async use
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "sy-store-private.h"
#include "sy-util.h"
#include "test-util.h"

static sqlite3 *
open_raw (const char *data_dir)
{
  g_autofree char *path = g_build_filename (data_dir, SY_STORE_DB_NAME, NULL);
  sqlite3 *db = NULL;

  g_assert_cmpint (g_mkdir_with_parents (data_dir, 0700), ==, 0);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  /* the store's worker may still be checkpointing the WAL as it closes */
  sqlite3_busy_timeout (db, 10000);
  return db;
}

static int
query_int (sqlite3    *db,
           const char *sql)
{
  sqlite3_stmt *stmt;
  int ret;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  ret = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return ret;
}

static void
test_open_fresh (void)
{
  g_autofree char *dir = test_make_temp_dir ("store");
  g_autofree char *data_dir = g_build_filename (dir, "deep", "data", NULL);
  g_autofree char *device = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db;

  {
    g_autoptr(SyStore) store = sy_store_new (data_dir);

    g_assert_null (sy_store_get_device_id (store));
    g_assert_true (sy_store_open (store, NULL, &error));
    g_assert_no_error (error);
    g_assert_true (g_uuid_string_is_valid (sy_store_get_device_id (store)));
    device = g_strdup (sy_store_get_device_id (store));
  }

  /* the same device id on every later run */
  {
    g_autoptr(SyStore) store = sy_store_new (data_dir);

    g_assert_true (sy_store_open (store, NULL, &error));
    g_assert_cmpstr (sy_store_get_device_id (store), ==, device);
  }

  db = open_raw (data_dir);
  g_assert_cmpint (query_int (db, "PRAGMA user_version"), ==, SY_STORE_SCHEMA_VERSION);
  {
    sqlite3_stmt *stmt;
    g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA journal_mode", -1, &stmt, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "wal");
    sqlite3_finalize (stmt);
  }
  sqlite3_close (db);
  sy_rm_rf (dir, NULL);
}

/* Puts data into a store at schema version @version, in that version's shape. Add a case
 * for every new version, so its migration is tested on real rows. */
static void
seed_version (sqlite3 *db,
              int      version)
{
  char *msg = NULL;

  switch (version)
    {
    case 0:
      break;
    case 1:
      g_test_expect_message ("ShuyuanCore", G_LOG_LEVEL_WARNING,
                             "A statement cannot be read*");
      sqlite3_exec (db,
                    "INSERT INTO device (id, uuid, created) VALUES "
                    " (1, '7d5c2c56-1b7b-4d0e-9a34-5b5ad1e8f001', '2026-01-01T00:00:00Z');"
                    "INSERT INTO learners (uuid, name, role, created) VALUES "
                    " ('0f1d6a36-7f7c-4a5e-8b5a-2d0f1c9e0a01', '李明', 'learner', '2026-01-02T00:00:00Z');"
                    /* a lesson completed, as version 1 stored statements */
                    "INSERT INTO statements (id, learner_uuid, verb, activity, timestamp, json) VALUES "
                    " ('5b1e7a4c-3c1d-4c3e-9b8a-1f2e3d4c5b6a', '0f1d6a36-7f7c-4a5e-8b5a-2d0f1c9e0a01',"
                    "  'http://adlnet.gov/expapi/verbs/completed',"
                    "  'https://shuyuan.invalid/xapi/course/tiny/item/l1', '2026-01-02T00:00:00Z',"
                    "  '{\"id\": \"5b1e7a4c-3c1d-4c3e-9b8a-1f2e3d4c5b6a\","
                    "    \"actor\": {\"account\": {\"homePage\": \"https://learners.shuyuan.invalid/\","
                    "                              \"name\": \"0f1d6a36-7f7c-4a5e-8b5a-2d0f1c9e0a01\"}},"
                    "    \"verb\": {\"id\": \"http://adlnet.gov/expapi/verbs/completed\"},"
                    "    \"object\": {\"id\": \"https://shuyuan.invalid/xapi/course/tiny/item/l1\"},"
                    "    \"result\": {\"duration\": \"PT5M\"},"
                    "    \"timestamp\": \"2026-01-02T00:00:00Z\"}');"
                    /* and one nobody can read: it must be kept all the same */
                    "INSERT INTO statements (id, learner_uuid, verb, activity, timestamp, json) VALUES "
                    " ('6c2f8b5d-4d2e-4d4f-8c9b-2a3b4c5d6e7f', 'x', 'y', 'z', '2026-01-03T00:00:00Z', '{');",
                    NULL, NULL, &msg);
      break;
    case 2:
      /* version 2's shape: index columns filled, projections kept, settings, lockouts */
      sqlite3_exec (db,
                    "INSERT INTO device (id, uuid, created) VALUES "
                    " (1, '7d5c2c56-1b7b-4d0e-9a34-5b5ad1e8f001', '2026-01-01T00:00:00Z');"
                    "INSERT INTO learners (uuid, name, role, created) VALUES "
                    " ('0f1d6a36-7f7c-4a5e-8b5a-2d0f1c9e0a01', '李明', 'learner', '2026-01-02T00:00:00Z');"
                    "INSERT INTO learners (uuid, name, role, pin_hash, created) VALUES "
                    " ('3a7c9e12-5b4d-4f6e-8a1b-2c3d4e5f6a7b', '王老师', 'teacher',"
                    "  '$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$aGFzaA', '2026-01-02T00:00:00Z');"
                    "INSERT INTO statements (id, learner_uuid, verb, activity, course_id, item_id,"
                    "  timestamp, json, status, seconds, recorded) VALUES "
                    " ('5b1e7a4c-3c1d-4c3e-9b8a-1f2e3d4c5b6a', '0f1d6a36-7f7c-4a5e-8b5a-2d0f1c9e0a01',"
                    "  'http://adlnet.gov/expapi/verbs/completed',"
                    "  'https://shuyuan.invalid/xapi/course/tiny/item/l1', 'tiny', 'l1',"
                    "  '2026-01-02T00:00:00Z',"
                    "  '{\"id\": \"5b1e7a4c-3c1d-4c3e-9b8a-1f2e3d4c5b6a\","
                    "    \"actor\": {\"account\": {\"homePage\": \"https://learners.shuyuan.invalid/\","
                    "                              \"name\": \"0f1d6a36-7f7c-4a5e-8b5a-2d0f1c9e0a01\"}},"
                    "    \"verb\": {\"id\": \"http://adlnet.gov/expapi/verbs/completed\"},"
                    "    \"object\": {\"id\": \"https://shuyuan.invalid/xapi/course/tiny/item/l1\"},"
                    "    \"result\": {\"duration\": \"PT5M\"},"
                    "    \"timestamp\": \"2026-01-02T00:00:00Z\"}', 2, 300, '2026-01-02T00:00:00Z');"
                    "INSERT INTO statements (id, learner_uuid, verb, activity, timestamp, json) VALUES "
                    " ('6c2f8b5d-4d2e-4d4f-8c9b-2a3b4c5d6e7f', 'x', 'y', 'z', '2026-01-03T00:00:00Z', '{');"
                    "INSERT INTO item_progress (learner_uuid, course_id, item_id, status, seconds) VALUES "
                    " ('0f1d6a36-7f7c-4a5e-8b5a-2d0f1c9e0a01', 'tiny', 'l1', 2, 300);"
                    "INSERT INTO settings (key, value) VALUES "
                    " ('home_page', 'https://learners.shuyuan.invalid/');"
                    "INSERT INTO pin_lockouts (learner_uuid, failures, locked_until) VALUES "
                    " ('3a7c9e12-5b4d-4f6e-8a1b-2c3d4e5f6a7b', 2, 0);",
                    NULL, NULL, &msg);
      break;
    case 3:
      /* version 3's shape: version 2's, plus a class of one pupil; nothing synced yet */
      seed_version (db, 2);
      sqlite3_exec (db,
                    "INSERT INTO classes (uuid, name, teacher_uuid, created) VALUES "
                    " ('9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b', '三年级二班',"
                    "  '3a7c9e12-5b4d-4f6e-8a1b-2c3d4e5f6a7b', '2026-02-01T00:00:00Z');"
                    "INSERT INTO class_members (class_uuid, learner_uuid, position) VALUES "
                    " ('9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b', '0f1d6a36-7f7c-4a5e-8b5a-2d0f1c9e0a01', 0);",
                    NULL, NULL, &msg);
      break;
    default:
      g_assert_not_reached ();
    }
  g_assert_null (msg);
}

static void
check_seed (SyStore *store,
            int      version)
{
  g_autoptr(GPtrArray) learners = NULL;
  g_autoptr(GError) error = NULL;

  learners = sy_store_list_learners (store, NULL, &error);
  g_assert_no_error (error);
  if (version >= 1)
    {
      g_autoptr(GPtrArray) progress = NULL;

      g_assert_cmpstr (sy_store_get_device_id (store), ==, "7d5c2c56-1b7b-4d0e-9a34-5b5ad1e8f001");
      g_assert_cmpuint (learners->len, ==, version >= 2 ? 2 : 1);
      g_assert_cmpstr (sy_learner_get_name (g_ptr_array_index (learners, 0)), ==, "李明");
      /* version 3: learners have no avatar until they pick one */
      g_assert_null (sy_learner_get_avatar (g_ptr_array_index (learners, 0)));

      /* the old statement now counts: 5 minutes on the lesson (no course is installed,
       * so the projection is checked in the database) */
      progress = sy_store_list_progress (store, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (progress->len, ==, 0);
    }
  else
    g_assert_cmpuint (learners->len, ==, 0);

  if (version >= 2)
    {
      const char *teacher = "3a7c9e12-5b4d-4f6e-8a1b-2c3d4e5f6a7b";
      const char *names[] = { "张伟", NULL };
      g_autoptr(SyClass) klass = NULL;
      g_autoptr(GPtrArray) pupils = NULL;

      /* the teacher of version 2 can have classes at once */
      g_assert_cmpint (sy_learner_get_role (g_ptr_array_index (learners, 1)), ==, SY_ROLE_TEACHER);
      klass = sy_store_create_class (store, teacher, "三年级一班", NULL, &error);
      g_assert_no_error (error);
      pupils = sy_store_add_pupils (store, klass->uuid, names, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (pupils->len, ==, 1);
      g_assert_true (sy_store_set_avatar (store, sy_learner_get_uuid (g_ptr_array_index (learners, 0)),
                                          "panda", NULL, &error));
      g_assert_no_error (error);
    }
}

static void
test_migrate_from (gconstpointer data)
{
  int from = GPOINTER_TO_INT (data);
  g_autofree char *dir = test_make_temp_dir ("migrate");
  g_autoptr(SyStore) store = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db;

  db = open_raw (dir);
  g_assert_true (_sy_store_migrate (db, from, &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (db, "PRAGMA user_version"), ==, from);
  seed_version (db, from);
  sqlite3_close (db);

  store = sy_store_new (dir);
  g_assert_true (sy_store_open (store, NULL, &error));
  g_assert_no_error (error);
  check_seed (store, from);
  g_clear_object (&store);

  g_test_assert_expected_messages ();

  db = open_raw (dir);
  g_assert_cmpint (query_int (db, "PRAGMA user_version"), ==, SY_STORE_SCHEMA_VERSION);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM pragma_foreign_key_check"), ==, 0);
  if (from >= 1)
    {
      /* every statement kept; the readable one indexed and projected */
      g_assert_cmpint (query_int (db, "SELECT count(*) FROM statements"), ==, 2);
      g_assert_cmpint (query_int (db, "SELECT status FROM item_progress WHERE item_id = 'l1' "
                                      "AND learner_uuid = '0f1d6a36-7f7c-4a5e-8b5a-2d0f1c9e0a01'"),
                       ==, SY_STATUS_COMPLETED);
      g_assert_cmpint (query_int (db, "SELECT seconds FROM item_progress WHERE item_id = 'l1'"),
                       ==, 300);
    }
  /* version 3: the classroom */
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM pragma_table_info ('learners') "
                                  "WHERE name = 'avatar'"), ==, 1);
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM sqlite_master WHERE type = 'table' AND "
                                  "name IN ('classes', 'class_members', 'class_assignments', "
                                  "'class_sessions')"), ==, 4);
  if (from >= 2)
    {
      g_assert_cmpint (query_int (db, "SELECT count (*) FROM class_members"), ==, from >= 3 ? 2 : 1);
      g_assert_cmpint (query_int (db, "SELECT failures FROM pin_lockouts"), ==, 2);
      g_assert_cmpint (query_int (db, "SELECT count (*) FROM learners WHERE avatar = 'panda'"), ==, 1);
    }
  /* version 4: sync. Everything recorded before waits in the outbox, and every learner
   * is still to be registered with a hub */
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM sqlite_master WHERE type = 'table' AND "
                                  "name = 'quarantine'"), ==, 1);
  if (from >= 1)
    {
      g_assert_cmpint (query_int (db, "SELECT count (*) FROM statements WHERE synced = 0"), ==, 2);
      g_assert_cmpint (query_int (db, "SELECT count (*) FROM learners WHERE hub_registered = 0"),
                       ==, from >= 2 ? 3 : 1);
    }
  if (from >= 3)
    g_assert_cmpint (query_int (db, "SELECT count (*) FROM class_members"), ==, 2);
  sqlite3_close (db);
  sy_rm_rf (dir, NULL);
}

static void
test_migrate_newer_refused (void)
{
  g_autofree char *dir = test_make_temp_dir ("newer");
  g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %d", SY_STORE_SCHEMA_VERSION + 1);
  g_autoptr(SyStore) store = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db;

  db = open_raw (dir);
  g_assert_true (_sy_store_migrate (db, SY_STORE_SCHEMA_VERSION, NULL));
  g_assert_cmpint (sqlite3_exec (db, bump, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = sy_store_new (dir);
  g_assert_false (sy_store_open (store, NULL, &error));
  g_assert_error (error, SY_STORE_ERROR, SY_STORE_ERROR_NEWER_SCHEMA);
  g_assert_nonnull (strstr (error->message, "newer"));

  /* nothing was written: the version is untouched */
  g_clear_object (&store);
  db = open_raw (dir);
  g_assert_cmpint (query_int (db, "PRAGMA user_version"), ==, SY_STORE_SCHEMA_VERSION + 1);
  sqlite3_close (db);
  sy_rm_rf (dir, NULL);
}

static void
test_not_open (void)
{
  g_autofree char *dir = test_make_temp_dir ("closed");
  g_autoptr(SyStore) store = sy_store_new (dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) courses = NULL;

  courses = sy_store_list_courses (store, NULL, NULL, &error);
  g_assert_null (courses);
  g_assert_error (error, SY_STORE_ERROR, SY_STORE_ERROR_OPEN);
  sy_rm_rf (dir, NULL);
}

static void
test_learners (void)
{
  g_autofree char *dir = test_make_temp_dir ("learners");
  g_autoptr(SyStore) store = sy_store_new (dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(SyLearner) a = NULL;
  g_autoptr(SyLearner) b = NULL;
  g_autoptr(SyLearner) bad = NULL;
  g_autoptr(GPtrArray) learners = NULL;

  g_assert_true (sy_store_open (store, NULL, &error));

  a = sy_store_add_learner_full (store, "  张丽  ", SY_ROLE_TEACHER, "2580", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sy_learner_get_name (a), ==, "张丽");
  g_assert_cmpint (sy_learner_get_role (a), ==, SY_ROLE_TEACHER);
  g_assert_true (g_uuid_string_is_valid (sy_learner_get_uuid (a)));

  b = sy_store_add_learner (store, "Alice", SY_ROLE_LEARNER, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sy_learner_get_uuid (a), !=, sy_learner_get_uuid (b));

  bad = sy_store_add_learner (store, "   ", SY_ROLE_LEARNER, NULL, &error);
  g_assert_null (bad);
  g_assert_error (error, SY_STORE_ERROR, SY_STORE_ERROR_INVALID);
  g_clear_error (&error);

  learners = sy_store_list_learners (store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (learners->len, ==, 2);
  g_assert_cmpstr (sy_learner_get_name (g_ptr_array_index (learners, 0)), ==, "Alice");
  g_assert_cmpstr (sy_learner_get_name (g_ptr_array_index (learners, 1)), ==, "张丽");
  sy_rm_rf (dir, NULL);
}

typedef struct
{
  GMainLoop *loop;
  GPtrArray *order;
  SyStore   *store;
} AsyncData;

static void
opened_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  AsyncData *d = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (sy_store_open_finish (SY_STORE (object), result, &error));
  g_assert_no_error (error);
  g_ptr_array_add (d->order, (gpointer) "open");
}

static void
added_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  AsyncData *d = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SyLearner) learner = sy_store_add_learner_finish (SY_STORE (object), result, &error);

  g_assert_no_error (error);
  g_assert_nonnull (learner);
  g_ptr_array_add (d->order, (gpointer) "add");
}

static void
listed_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  AsyncData *d = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) learners = sy_store_list_learners_finish (SY_STORE (object), result, &error);

  g_assert_no_error (error);
  /* jobs run in the order they were queued: the add came first */
  g_assert_cmpuint (learners->len, ==, 1);
  g_ptr_array_add (d->order, (gpointer) "list");
  g_main_loop_quit (d->loop);
}

static void
test_async_order (void)
{
  g_autofree char *dir = test_make_temp_dir ("async");
  g_autoptr(SyStore) store = sy_store_new (dir);
  AsyncData d = { g_main_loop_new (NULL, FALSE), g_ptr_array_new (), store };

  /* queue everything at once; callbacks come back on this thread, in order */
  sy_store_open_async (store, NULL, opened_cb, &d);
  sy_store_add_learner_async (store, "Chen", SY_ROLE_LEARNER, NULL, added_cb, &d);
  sy_store_list_learners_async (store, NULL, listed_cb, &d);
  g_main_loop_run (d.loop);

  g_assert_cmpuint (d.order->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (d.order, 0), ==, "open");
  g_assert_cmpstr (g_ptr_array_index (d.order, 1), ==, "add");
  g_assert_cmpstr (g_ptr_array_index (d.order, 2), ==, "list");
  g_main_loop_unref (d.loop);
  g_ptr_array_unref (d.order);
  sy_rm_rf (dir, NULL);
}

static void
cancelled_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GMainLoop *loop = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) courses = sy_store_list_courses_finish (SY_STORE (object), result, &error);

  g_assert_null (courses);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_main_loop_quit (loop);
}

static void
test_async_cancel (void)
{
  g_autofree char *dir = test_make_temp_dir ("cancel");
  g_autoptr(SyStore) store = sy_store_new (dir);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);

  g_assert_true (sy_store_open (store, NULL, NULL));
  g_cancellable_cancel (cancellable);
  sy_store_list_courses_async (store, NULL, cancellable, cancelled_cb, loop);
  g_main_loop_run (loop);
  sy_rm_rf (dir, NULL);
}

/* The store may be released from inside a callback; the worker must not join itself. */
static void
release_in_callback_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  GMainLoop *loop = user_data;

  g_assert_true (sy_store_open_finish (SY_STORE (object), result, NULL));
  g_object_unref (object);
  g_main_loop_quit (loop);
}

static void
test_async_release (void)
{
  g_autofree char *dir = test_make_temp_dir ("release");
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  SyStore *store = sy_store_new (dir);
  GWeakRef weak;

  g_weak_ref_init (&weak, store);
  sy_store_open_async (store, NULL, release_in_callback_cb, loop);
  g_main_loop_run (loop);
  g_assert_null (g_weak_ref_get (&weak));
  g_weak_ref_clear (&weak);
  sy_rm_rf (dir, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/store/open/fresh", test_open_fresh);
  g_test_add_func ("/store/open/not-open", test_not_open);
  for (int v = 0; v < SY_STORE_SCHEMA_VERSION; v++)
    {
      g_autofree char *path = g_strdup_printf ("/store/migrate/from-v%d", v);
      g_test_add_data_func (path, GINT_TO_POINTER (v), test_migrate_from);
    }
  g_test_add_func ("/store/migrate/newer-refused", test_migrate_newer_refused);
  g_test_add_func ("/store/learners", test_learners);
  g_test_add_func ("/store/async/order", test_async_order);
  g_test_add_func ("/store/async/cancel", test_async_cancel);
  g_test_add_func ("/store/async/release-in-callback", test_async_release);

  return g_test_run ();
}

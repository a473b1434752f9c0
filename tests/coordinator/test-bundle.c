/* test-bundle.c — sneakernet bundles: round trips, damaged bundles, three villages and a hub
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * PCs are data folders driven through the core API (tests/sync's harness); the hub is a
 * real shuyuan-hub process and the CLI the real binary.
 */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/wait.h>

#include "sync-test-util.h"
#include "sy-bundle.h"
#include "sy-report.h"
#include "sy-store.h"
#include "sy-util.h"
#include "test-util.h"

/* ---- helpers ---- */

/* What an import may change: counts, the outbox, learners and the projections. */
static char *
pc_state (Pc *pc)
{
  g_autofree char *projections = dump_projections (pc);
  sqlite3 *db = open_db (pc);
  sqlite3_stmt *stmt;
  GString *out = g_string_new (NULL);

  g_assert_cmpint (sqlite3_prepare_v2 (db,
                     "SELECT (SELECT count (*) FROM statements), "
                     " (SELECT count (*) FROM statements WHERE synced = 0), "
                     " (SELECT count (*) FROM learners), "
                     " (SELECT count (*) FROM courses), "
                     " (SELECT count (*) FROM item_progress), "
                     " (SELECT group_concat (uuid || ':' || name, ',') FROM "
                     "   (SELECT uuid, name FROM learners ORDER BY uuid)), "
                     " (SELECT group_concat (id || ':' || version, ',') FROM "
                     "   (SELECT id, version FROM courses ORDER BY id))",
                     -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_string_append_printf (out, "statements %d outbox %d learners %d courses %d progress %d\n"
                               "%s\n%s\n",
                          sqlite3_column_int (stmt, 0), sqlite3_column_int (stmt, 1),
                          sqlite3_column_int (stmt, 2), sqlite3_column_int (stmt, 3),
                          sqlite3_column_int (stmt, 4), sqlite3_column_text (stmt, 5),
                          sqlite3_column_text (stmt, 6));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_string_append (out, projections);
  return g_string_free (out, FALSE);
}

static void
exec_sql (Pc         *pc,
          const char *sql)
{
  sqlite3 *db = open_db (pc);

  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

/* A village PC with the sample course and @n_learners learners, each of whom reads and
 * finishes a few lessons. Returns how many statements were made. */
static guint
village_work (Pc         *pc,
              const char *village,
              guint       n_learners)
{
  g_autoptr(GPtrArray) items = NULL;
  guint made = 0;

  install_sample (pc, "village-doctor-hygiene");
  items = course_items (pc);
  g_assert_cmpuint (items->len, >=, 3);
  for (guint l = 0; l < n_learners; l++)
    {
      g_autofree char *name = g_strdup_printf ("%s 医生 %u", village, l + 1);
      g_autofree char *learner = add_learner (pc, name);

      for (guint i = 0; i < 3; i++)
        {
          g_free (record (pc, learner, items->pdata[i], SY_VERB_LAUNCHED, -1, -1));
          g_free (record (pc, learner, items->pdata[i], SY_VERB_PROGRESSED, 60 * (l + i + 1), -1));
          made += 2;
        }
      g_free (record (pc, learner, items->pdata[l % items->len], SY_VERB_COMPLETED, 30, -1));
      made++;
      /* the village's first doctor completed the course: one completion per village */
      if (l == 0)
        {
          g_autoptr(GError) error = NULL;
          SyEvent event;

          sy_event_init (&event);
          event.learner_uuid = learner;
          event.course_id = VD_COURSE;
          event.verb = SY_VERB_COMPLETED;
          g_free (sy_store_record (pc->store, &event, NULL, &error));
          g_assert_no_error (error);
          made++;
        }
    }
  return made;
}

static char *
export_ok (Pc                    *pc,
           const SyBundleOptions *opts,
           SyBundleSummary       *summary)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = test_make_temp_dir ("bundle");
  char *path = g_build_filename (dir, "records.sybundle", NULL);
  SyBundleSummary ignored;

  g_assert_true (sy_store_export_bundle (pc->store, path, opts, summary ? summary : &ignored,
                                         NULL, &error));
  g_assert_no_error (error);
  return path;
}

static void
import_ok (Pc              *pc,
           const char      *path,
           SyBundleSummary *summary)
{
  g_autoptr(GError) error = NULL;
  SyBundleSummary ignored;

  g_assert_true (sy_store_import_bundle (pc->store, path, summary ? summary : &ignored, NULL,
                                         &error));
  g_assert_no_error (error);
}

static void
remove_bundle (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  sy_rm_rf (dir, NULL);
}

/* ---- zips, for altering bundles ---- */

typedef struct
{
  char   *name;
  GBytes *data;
} Entry;

static void
entry_free (Entry *e)
{
  g_free (e->name);
  g_bytes_unref (e->data);
  g_free (e);
}

static GPtrArray *
read_entries (const char *path)
{
  GPtrArray *entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  struct archive *a = archive_read_new ();
  struct archive_entry *entry;

  archive_read_support_format_zip_seekable (a);
  g_assert_cmpint (archive_read_open_filename (a, path, 65536), ==, ARCHIVE_OK);
  while (archive_read_next_header (a, &entry) == ARCHIVE_OK)
    {
      Entry *e = g_new0 (Entry, 1);
      g_autoptr(GByteArray) bytes = g_byte_array_new ();
      guint8 buffer[8192];
      la_ssize_t n;

      while ((n = archive_read_data (a, buffer, sizeof buffer)) > 0)
        g_byte_array_append (bytes, buffer, n);
      g_assert_cmpint (n, ==, 0);
      e->name = g_strdup (archive_entry_pathname (entry));
      e->data = g_byte_array_free_to_bytes (g_steal_pointer (&bytes));
      g_ptr_array_add (entries, e);
    }
  archive_read_free (a);
  return entries;
}

static void
write_entries (const char *path,
               GPtrArray  *entries)
{
  struct archive *a = archive_write_new ();

  archive_write_set_format_zip (a);
  archive_write_set_bytes_in_last_block (a, 1);
  g_assert_cmpint (archive_write_open_filename (a, path), ==, ARCHIVE_OK);
  for (guint i = 0; i < entries->len; i++)
    {
      Entry *e = g_ptr_array_index (entries, i);
      struct archive_entry *entry = archive_entry_new ();
      gsize len;
      const void *data = g_bytes_get_data (e->data, &len);

      archive_entry_set_pathname (entry, e->name);
      archive_entry_set_filetype (entry, AE_IFREG);
      archive_entry_set_perm (entry, 0644);
      archive_entry_set_size (entry, len);
      g_assert_cmpint (archive_write_header (a, entry), ==, ARCHIVE_OK);
      g_assert_cmpint (archive_write_data (a, data, len), ==, (la_ssize_t) len);
      archive_entry_free (entry);
    }
  g_assert_cmpint (archive_write_close (a), ==, ARCHIVE_OK);
  archive_write_free (a);
}

static Entry *
find_entry (GPtrArray  *entries,
            const char *name)
{
  for (guint i = 0; i < entries->len; i++)
    if (g_str_equal (((Entry *) entries->pdata[i])->name, name))
      return entries->pdata[i];
  return NULL;
}

static void
set_entry (GPtrArray  *entries,
           const char *name,
           const char *data,
           gsize       len)
{
  Entry *e = find_entry (entries, name);

  if (e == NULL)
    {
      e = g_new0 (Entry, 1);
      e->name = g_strdup (name);
      g_ptr_array_add (entries, e);
    }
  g_clear_pointer (&e->data, g_bytes_unref);
  e->data = g_bytes_new (data, len);
}

static json_object *
get_manifest (GPtrArray *entries)
{
  Entry *e = find_entry (entries, "manifest.json");
  g_autofree char *text = NULL;
  gsize len;

  g_assert_nonnull (e);
  text = g_strndup (g_bytes_get_data (e->data, &len), g_bytes_get_size (e->data));
  return json_tokener_parse (text);
}

static void
put_manifest (GPtrArray   *entries,
              json_object *manifest)
{
  const char *text = json_object_to_json_string_ext (manifest, JSON_C_TO_STRING_PRETTY);

  set_entry (entries, "manifest.json", text, strlen (text));
}

/* The manifest's record of @path (size and sha256) made to match its new content. */
static void
relist (GPtrArray   *entries,
        json_object *manifest,
        const char  *path)
{
  json_object *files = json_object_object_get (manifest, "files");
  Entry *e = find_entry (entries, path);
  g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, e->data);

  for (size_t i = 0; i < json_object_array_length (files); i++)
    {
      json_object *file = json_object_array_get_idx (files, i);

      if (g_str_equal (json_object_get_string (json_object_object_get (file, "path")), path))
        {
          json_object_object_add (file, "size", json_object_new_int64 (g_bytes_get_size (e->data)));
          json_object_object_add (file, "sha256", json_object_new_string (sha));
          return;
        }
    }
  {
    json_object *file = json_object_new_object ();
    json_object_object_add (file, "path", json_object_new_string (path));
    json_object_object_add (file, "size", json_object_new_int64 (g_bytes_get_size (e->data)));
    json_object_object_add (file, "sha256", json_object_new_string (sha));
    json_object_array_add (files, file);
  }
}

/* Importing @path into @pc fails with @domain/@code and a message holding @message, and
 * changes nothing. */
static void
assert_refused (Pc         *pc,
                const char *path,
                GQuark      domain,
                int         code,
                const char *message)
{
  g_autofree char *before = pc_state (pc);
  g_autofree char *after = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *listing = NULL;
  SyBundleSummary summary;

  g_assert_false (sy_store_import_bundle (pc->store, path, &summary, NULL, &error));
  g_assert_nonnull (error);
  g_test_message ("refused: %s", error->message);
  g_assert_error (error, domain, code);
  if (message && !strstr (error->message, message))
    g_error ("“%s” does not say “%s”", error->message, message);
  g_assert_cmpuint (summary.statements_added + summary.learners_added +
                    summary.courses_installed, ==, 0);
  after = pc_state (pc);
  g_assert_cmpstr (before, ==, after);
  /* and no work folder is left behind */
  listing = test_list_dir (pc->dir);
  g_assert_null (strstr (listing, ".bundle-"));
}

/* ---- tests ---- */

static void
test_round_trip (void)
{
  g_autoptr(Pc) a = pc_new ("village");
  g_autoptr(Pc) b = pc_new ("coordinator");
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) ids_a = NULL;
  g_autoptr(GHashTable) ids_b = NULL;
  g_autoptr(SyLearner) pinned = NULL;
  g_autofree char *path = NULL;
  g_autofree char *state = NULL;
  g_autofree char *dump_a = NULL;
  g_autofree char *dump_b = NULL;
  const char *with[] = { VD_COURSE, NULL };
  SyBundleOptions opts = { 0 };
  SyBundleSummary summary;
  guint made;

  made = village_work (a, "青山村", 3);
  /* a learner with a PIN and a registration number, and no records */
  pinned = sy_store_add_learner_full (a->store, "王医生", SY_ROLE_TEACHER, "2468", "VD-0042",
                                      NULL, &error);
  g_assert_no_error (error);

  opts.course_ids = with;
  path = export_ok (a, &opts, &summary);
  g_assert_cmpuint (summary.statements, ==, made);
  g_assert_cmpuint (summary.learners, ==, 4);
  g_assert_cmpuint (summary.courses, ==, 1);
  {
    g_autofree char *part = g_strconcat (path, ".part", NULL);
    g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
  }
  /* exporting changes nothing on the village PC: the records still wait for the hub */
  g_assert_cmpint (query_int (a, "SELECT count (*) FROM statements WHERE synced = 0"), ==, made);

  import_ok (b, path, &summary);
  g_assert_cmpuint (summary.statements_added, ==, made);
  g_assert_cmpuint (summary.statements_known, ==, 0);
  g_assert_cmpuint (summary.learners_added, ==, 4);
  g_assert_cmpuint (summary.learners_kept, ==, 0);
  g_assert_cmpuint (summary.courses_installed, ==, 1);

  /* the same records, learners, course and progress; waiting for b's next sync */
  ids_a = pc_statement_ids (a);
  ids_b = pc_statement_ids (b);
  assert_same_ids (ids_a, ids_b);
  g_assert_cmpint (query_int (b, "SELECT count (*) FROM statements WHERE synced = 0"), ==, made);
  dump_a = dump_projections (a);
  dump_b = dump_projections (b);
  g_assert_cmpstr (dump_a, !=, "");
  g_assert_cmpstr (dump_a, ==, dump_b);
  {
    g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM learners WHERE uuid = '%s' "
                                            "AND role = 'teacher' AND external_id = 'VD-0042' "
                                            "AND pin_hash LIKE '$argon2id$%%' "
                                            "AND hub_registered = 0",
                                            sy_learner_get_uuid (pinned));
    g_assert_cmpint (query_int (b, sql), ==, 1);
    g_assert_true (sy_store_check_pin (b->store, sy_learner_get_uuid (pinned), "2468", NULL,
                                       &error));
    g_assert_no_error (error);
  }
  {
    g_autoptr(SyCourse) course_a = sy_store_get_course (a->store, VD_COURSE, NULL, NULL, NULL);
    g_autoptr(SyCourse) course_b = sy_store_get_course (b->store, VD_COURSE, NULL, NULL, NULL);

    g_assert_nonnull (course_b);
    g_assert_cmpstr (sy_course_get_sha256 (course_a), ==, sy_course_get_sha256 (course_b));
  }

  /* twice: nothing changes */
  state = pc_state (b);
  import_ok (b, path, &summary);
  g_assert_cmpuint (summary.statements_added, ==, 0);
  g_assert_cmpuint (summary.statements_known, ==, made);
  g_assert_cmpuint (summary.learners_added, ==, 0);
  g_assert_cmpuint (summary.learners_known, ==, 4);
  g_assert_cmpuint (summary.courses_installed + summary.courses_updated, ==, 0);
  g_assert_cmpuint (summary.courses_unchanged, ==, 1);
  {
    g_autofree char *again = pc_state (b);
    g_assert_cmpstr (state, ==, again);
  }

  /* a learner this PC knows otherwise keeps this PC's details, and it is reported */
  {
    g_autofree char *sql = g_strdup_printf ("UPDATE learners SET name = '王大夫' WHERE uuid = '%s'",
                                            sy_learner_get_uuid (pinned));
    g_autofree char *check = g_strdup_printf ("SELECT count (*) FROM learners WHERE uuid = '%s' "
                                              "AND name = '王大夫'", sy_learner_get_uuid (pinned));
    exec_sql (b, sql);
    import_ok (b, path, &summary);
    g_assert_cmpuint (summary.learners_kept, ==, 1);
    g_assert_cmpuint (summary.learners_known, ==, 3);
    g_assert_cmpint (query_int (b, check), ==, 1);
  }

  /* importing it back where it came from adds nothing either */
  import_ok (a, path, &summary);
  g_assert_cmpuint (summary.statements_added + summary.learners_added, ==, 0);
  g_assert_cmpuint (summary.courses_unchanged, ==, 1);
  remove_bundle (path);
  g_clear_pointer (&path, g_free);

  /* only what the hub lacks, unless --all; --since narrows */
  exec_sql (a, "UPDATE statements SET synced = 1 WHERE rowid % 2 = 0");
  {
    int waiting = query_int (a, "SELECT count (*) FROM statements WHERE synced = 0");
    SyBundleOptions since = { 0 };

    path = export_ok (a, NULL, &summary);
    g_assert_cmpuint (summary.statements, ==, waiting);
    g_assert_cmpuint (summary.courses, ==, 0);
    remove_bundle (path);
    g_clear_pointer (&path, g_free);

    since.all = TRUE;
    path = export_ok (a, &since, &summary);
    g_assert_cmpuint (summary.statements, ==, made);
    remove_bundle (path);
    g_clear_pointer (&path, g_free);

    since.all = FALSE;
    since.since = "2000-01-01";
    path = export_ok (a, &since, &summary);
    g_assert_cmpuint (summary.statements, ==, waiting);
    remove_bundle (path);
    g_clear_pointer (&path, g_free);

    since.since = "2999-01-01T00:00:00+08:00";
    path = export_ok (a, &since, &summary);
    g_assert_cmpuint (summary.statements, ==, 0);
    remove_bundle (path);
    g_clear_pointer (&path, g_free);

    since.since = "last tuesday";
    g_assert_false (sy_store_export_bundle (a->store, "/nonexistent/x.sybundle", &since,
                                            &summary, NULL, &error));
    g_assert_error (error, SY_BUNDLE_ERROR, SY_BUNDLE_ERROR_INVALID);
    g_clear_error (&error);
  }

  /* a course that is not installed */
  {
    const char *missing[] = { "no-such-course", NULL };
    g_autofree char *dir = test_make_temp_dir ("bundle");
    g_autofree char *target = g_build_filename (dir, "x.sybundle", NULL);
    SyBundleOptions bad = { 0 };

    bad.course_ids = missing;
    g_assert_false (sy_store_export_bundle (a->store, target, &bad, &summary, NULL, &error));
    g_assert_error (error, SY_BUNDLE_ERROR, SY_BUNDLE_ERROR_INVALID);
    g_assert_nonnull (strstr (error->message, "no-such-course"));
    g_clear_error (&error);
    g_assert_false (g_file_test (target, G_FILE_TEST_EXISTS));
    {
      g_autofree char *listing = test_list_dir (dir);
      g_assert_cmpstr (listing, ==, "");
    }
    sy_rm_rf (dir, NULL);
  }
}

/* The re-zipped course is the same bytes every time: a bundle's course is the course. */
static void
test_course_deterministic (void)
{
  g_autoptr(Pc) a = pc_new ("det");
  g_autofree char *one = NULL;
  g_autofree char *two = NULL;
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) second = NULL;
  g_autofree char *name = g_strconcat ("courses/", VD_COURSE, "-1.zip", NULL);
  SyBundleOptions opts = { 0 };

  install_sample (a, "village-doctor-hygiene");
  opts.all_courses = TRUE;
  one = export_ok (a, &opts, NULL);
  two = export_ok (a, &opts, NULL);
  first = read_entries (one);
  second = read_entries (two);
  g_assert_nonnull (find_entry (first, name));
  g_assert_true (g_bytes_equal (find_entry (first, name)->data, find_entry (second, name)->data));
  remove_bundle (one);
  remove_bundle (two);
}

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
wait_for (GMainContext  *context,
          GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (context, TRUE);
}

/* What the app calls: the same through _async/_finish; a cancelled import changes nothing. */
static void
test_async (void)
{
  g_autoptr(Pc) a = pc_new ("async-a");
  g_autoptr(Pc) b = pc_new ("async-b");
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = test_make_temp_dir ("bundle");
  g_autofree char *path = g_build_filename (dir, "async.sybundle", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  GAsyncResult *result = NULL;
  SyBundleSummary summary;
  guint made;

  made = village_work (a, "河口村", 1);
  g_main_context_push_thread_default (context);

  sy_store_export_bundle_async (a->store, path, NULL, NULL, got_result, &result);
  wait_for (context, &result);
  g_assert_true (sy_store_export_bundle_finish (a->store, result, &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.statements, ==, made);
  g_clear_object (&result);

  before = pc_state (b);
  g_cancellable_cancel (cancellable);
  sy_store_import_bundle_async (b->store, path, cancellable, got_result, &result);
  wait_for (context, &result);
  g_assert_false (sy_store_import_bundle_finish (b->store, result, &summary, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_clear_object (&result);
  after = pc_state (b);
  g_assert_cmpstr (before, ==, after);

  sy_store_import_bundle_async (b->store, path, NULL, got_result, &result);
  wait_for (context, &result);
  g_assert_true (sy_store_import_bundle_finish (b->store, result, &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.statements_added, ==, made);
  g_assert_cmpuint (summary.learners_added, ==, 1);
  g_clear_object (&result);

  g_main_context_pop_thread_default (context);
  sy_rm_rf (dir, NULL);
}

static void
test_damaged (void)
{
  g_autoptr(Pc) a = pc_new ("village");
  g_autoptr(Pc) b = pc_new ("coordinator");
  g_autofree char *good = NULL;
  g_autofree char *dir = test_make_temp_dir ("damaged");
  g_autofree char *bad = g_build_filename (dir, "bad.sybundle", NULL);
  g_autofree char *contents = NULL;
  SyBundleOptions opts = { 0 };
  SyBundleSummary summary;
  gsize len;
  guint made;

  made = village_work (a, "石门村", 2);
  opts.all_courses = TRUE;
  good = export_ok (a, &opts, NULL);
  g_assert_true (g_file_get_contents (good, &contents, &len, NULL));
  /* b already has a learner and a record of its own */
  village_work (b, "镇上", 1);

  /* truncated anywhere */
  {
    gsize offsets[] = { 0, 1, 30, 100, len / 4, len / 2, len - 1000, len - 100, len - 22,
                        len - 1 };

    for (guint i = 0; i < G_N_ELEMENTS (offsets); i++)
      {
        g_assert_true (g_file_set_contents (bad, contents, offsets[i], NULL));
        assert_refused (b, bad, SY_BUNDLE_ERROR, SY_BUNDLE_ERROR_DAMAGED,
                        "The bundle is damaged");
      }
  }

  /* one byte changed in statements.jsonl's data, in place */
  {
    g_autofree char *copy = g_memdup2 (contents, len);
    const char *header = NULL;

    for (const char *p = copy; p + 30 + 16 < copy + len; p++)
      if (memcmp (p, "PK\x03\x04", 4) == 0 && memcmp (p + 30, "statements.jsonl", 16) == 0)
        {
          header = p;
          break;
        }
    g_assert_nonnull (header);
    {
      guint name_len = (guint8) header[26] | (guint8) header[27] << 8;
      guint extra_len = (guint8) header[28] | (guint8) header[29] << 8;
      gsize data = (header - copy) + 30 + name_len + extra_len;

      copy[data + 40] ^= 0x20;
    }
    g_assert_true (g_file_set_contents (bad, copy, len, NULL));
    assert_refused (b, bad, SY_BUNDLE_ERROR, SY_BUNDLE_ERROR_DAMAGED, "statements.jsonl");
  }

  /* statements.jsonl altered and zipped again: its checksum says so */
  {
    g_autoptr(GPtrArray) entries = read_entries (good);
    Entry *e = find_entry (entries, "statements.jsonl");
    g_autofree char *text = g_strndup (g_bytes_get_data (e->data, NULL), g_bytes_get_size (e->data));
    char *seconds = strstr (text, "PT");

    g_assert_nonnull (seconds);
    seconds[2] = seconds[2] == '9' ? '8' : '9';   /* a longer time on task */
    set_entry (entries, "statements.jsonl", text, strlen (text));
    write_entries (bad, entries);
    assert_refused (b, bad, SY_BUNDLE_ERROR, SY_BUNDLE_ERROR_DAMAGED,
                    "The bundle is damaged: statements.jsonl does not match its checksum. "
                    "Nothing was imported.");
  }

  /* the manifest altered: a count, a checksum */
  {
    g_autoptr(GPtrArray) entries = read_entries (good);
    json_object *manifest = get_manifest (entries);

    json_object_object_add (manifest, "statements", json_object_new_int (made + 1));
    put_manifest (entries, manifest);
    json_object_put (manifest);
    write_entries (bad, entries);
    assert_refused (b, bad, SY_BUNDLE_ERROR, SY_BUNDLE_ERROR_DAMAGED,
                    "statements.jsonl holds");
  }
  {
    g_autoptr(GPtrArray) entries = read_entries (good);
    json_object *manifest = get_manifest (entries);
    json_object *files = json_object_object_get (manifest, "files");

    for (size_t i = 0; i < json_object_array_length (files); i++)
      {
        json_object *file = json_object_array_get_idx (files, i);
        if (g_str_equal (json_object_get_string (json_object_object_get (file, "path")),
                         "learners.json"))
          json_object_object_add (file, "sha256", json_object_new_string (
            "0000000000000000000000000000000000000000000000000000000000000000"));
      }
    put_manifest (entries, manifest);
    json_object_put (manifest);
    write_entries (bad, entries);
    assert_refused (b, bad, SY_BUNDLE_ERROR, SY_BUNDLE_ERROR_DAMAGED,
                    "learners.json does not match its checksum");
  }

  /* an extra file, listed or not; a file missing */
  {
    g_autoptr(GPtrArray) entries = read_entries (good);

    set_entry (entries, "notes.txt", "hello", 5);
    write_entries (bad, entries);
    assert_refused (b, bad, SY_BUNDLE_ERROR, SY_BUNDLE_ERROR_DAMAGED,
                    "notes.txt, which its manifest does not list");
  }
  {
    g_autoptr(GPtrArray) entries = read_entries (good);
    json_object *manifest = get_manifest (entries);

    set_entry (entries, "notes.txt", "hello", 5);
    relist (entries, manifest, "notes.txt");
    put_manifest (entries, manifest);
    json_object_put (manifest);
    write_entries (bad, entries);
    assert_refused (b, bad, SY_BUNDLE_ERROR, SY_BUNDLE_ERROR_DAMAGED, "notes.txt");
  }
  {
    g_autoptr(GPtrArray) entries = read_entries (good);

    g_ptr_array_remove (entries, find_entry (entries, "learners.json"));
    write_entries (bad, entries);
    assert_refused (b, bad, SY_BUNDLE_ERROR, SY_BUNDLE_ERROR_DAMAGED, "learners.json is missing");
  }
  {
    g_autoptr(GPtrArray) entries = read_entries (good);

    g_ptr_array_add (entries, g_new0 (Entry, 1));
    ((Entry *) entries->pdata[entries->len - 1])->name = g_strdup ("learners.json");
    ((Entry *) entries->pdata[entries->len - 1])->data = g_bytes_ref (find_entry (entries, "learners.json")->data);
    write_entries (bad, entries);
    assert_refused (b, bad, SY_BUNDLE_ERROR, SY_BUNDLE_ERROR_DAMAGED, "twice");
  }

  /* a statement replaced by an invalid one, the manifest made to match: still refused */
  {
    g_autoptr(GPtrArray) entries = read_entries (good);
    json_object *manifest = get_manifest (entries);
    Entry *e = find_entry (entries, "statements.jsonl");
    g_autofree char *text = g_strndup (g_bytes_get_data (e->data, NULL), g_bytes_get_size (e->data));
    g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
    json_object *statement = json_tokener_parse (lines[1]);
    g_autofree char *joined = NULL;

    json_object_object_del (statement, "verb");
    g_free (lines[1]);
    lines[1] = g_strdup (json_object_to_json_string_ext (statement, JSON_C_TO_STRING_PLAIN));
    json_object_put (statement);
    joined = g_strjoinv ("\n", lines);
    set_entry (entries, "statements.jsonl", joined, strlen (joined));
    relist (entries, manifest, "statements.jsonl");
    put_manifest (entries, manifest);
    json_object_put (manifest);
    write_entries (bad, entries);
    assert_refused (b, bad, SY_BUNDLE_ERROR, SY_BUNDLE_ERROR_INVALID, "statements.jsonl line 2");
  }
  /* ... and a learner */
  {
    g_autoptr(GPtrArray) entries = read_entries (good);
    json_object *manifest = get_manifest (entries);
    Entry *e = find_entry (entries, "learners.json");
    g_autofree char *text = g_strndup (g_bytes_get_data (e->data, NULL), g_bytes_get_size (e->data));
    json_object *learners = json_tokener_parse (text);
    const char *out;

    json_object_object_add (json_object_array_get_idx (learners, 0), "role",
                            json_object_new_string ("admin"));
    out = json_object_to_json_string (learners);
    set_entry (entries, "learners.json", out, strlen (out));
    json_object_put (learners);
    relist (entries, manifest, "learners.json");
    put_manifest (entries, manifest);
    json_object_put (manifest);
    write_entries (bad, entries);
    assert_refused (b, bad, SY_BUNDLE_ERROR, SY_BUNDLE_ERROR_INVALID, "role");
  }
  /* ... and a course whose package is not the one the manifest names */
  {
    g_autoptr(GPtrArray) entries = read_entries (good);
    json_object *manifest = get_manifest (entries);
    json_object *course = json_object_array_get_idx (json_object_object_get (manifest, "courses"), 0);

    json_object_object_add (course, "sha256", json_object_new_string (
      "1111111111111111111111111111111111111111111111111111111111111111"));
    put_manifest (entries, manifest);
    json_object_put (manifest);
    write_entries (bad, entries);
    assert_refused (b, bad, SY_BUNDLE_ERROR, SY_BUNDLE_ERROR_DAMAGED,
                    "is not the course its manifest describes");
  }

  /* not a bundle; a newer format */
  {
    g_autoptr(GPtrArray) entries = read_entries (good);

    g_ptr_array_remove (entries, find_entry (entries, "manifest.json"));
    write_entries (bad, entries);
    assert_refused (b, bad, SY_BUNDLE_ERROR, SY_BUNDLE_ERROR_FORMAT, "manifest.json");
  }
  {
    g_autoptr(GPtrArray) entries = read_entries (good);
    json_object *manifest = get_manifest (entries);

    json_object_object_add (manifest, "format", json_object_new_int (2));
    put_manifest (entries, manifest);
    json_object_put (manifest);
    write_entries (bad, entries);
    assert_refused (b, bad, SY_BUNDLE_ERROR, SY_BUNDLE_ERROR_FORMAT, "newer version");
  }
  g_assert_true (g_file_set_contents (bad, "{\"not\": \"a zip\"}\n", -1, NULL));
  assert_refused (b, bad, SY_BUNDLE_ERROR, SY_BUNDLE_ERROR_DAMAGED, NULL);

  /* after all that, the real bundle goes in whole */
  import_ok (b, good, &summary);
  g_assert_cmpuint (summary.statements_added, ==, made);
  g_assert_cmpuint (summary.learners_added, ==, 2);

  remove_bundle (good);
  sy_rm_rf (dir, NULL);
}

/* The scenario: three villages work offline; two send bundles with somebody going
 * to the coordinator's PC, one syncs itself. The hub ends with every record once and the
 * coordinator's PC with all of them. */
static void
test_three_villages (void)
{
  HubTestHub *hub = hub_test_hub_start (NULL, NULL, NULL);
  g_autoptr(Pc) north = pc_new ("north");
  g_autoptr(Pc) east = pc_new ("east");
  g_autoptr(Pc) river = pc_new ("river");
  g_autoptr(Pc) coordinator = pc_new ("coordinator");
  g_autoptr(GHashTable) ids = NULL;
  g_autoptr(GHashTable) made_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *north_bundle = NULL;
  g_autofree char *east_bundle = NULL;
  SySyncSummary sync;
  SyBundleSummary summary;
  guint made = 0, made_north, made_east, rows;

  publish_samples (hub);
  /* the two far villages never reached the hub; the river village and the coordinator
   * were enrolled once */
  enrol (river, hub, "青山乡");
  enrol (coordinator, hub, "青山乡");

  made += made_north = village_work (north, "北村", 3);
  made += made_east = village_work (east, "东村", 2);
  made += village_work (river, "河村", 2);
  for (Pc **pc = (Pc *[]) { north, east, river, NULL }; *pc; pc++)
    {
      g_autoptr(GHashTable) some = pc_statement_ids (*pc);
      GHashTableIter iter;
      gpointer key;

      g_hash_table_iter_init (&iter, some);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        g_hash_table_add (made_ids, g_strdup (key));
    }
  g_assert_cmpuint (g_hash_table_size (made_ids), ==, made);

  /* the north and the east send a bundle */
  north_bundle = export_ok (north, NULL, &summary);
  g_assert_cmpuint (summary.statements, ==, made_north);
  east_bundle = export_ok (east, NULL, &summary);
  g_assert_cmpuint (summary.statements, ==, made_east);

  /* the river village syncs by itself */
  sync_ok (river, SY_SYNC_RECORDS_ONLY, &sync);
  g_assert_cmpuint (sync.learners_registered, ==, 2);

  /* at the township: both bundles, one of them twice (two people brought a copy) */
  import_ok (coordinator, north_bundle, &summary);
  g_assert_cmpuint (summary.statements_added, ==, made_north);
  g_assert_cmpuint (summary.learners_added, ==, 3);
  import_ok (coordinator, east_bundle, &summary);
  g_assert_cmpuint (summary.statements_added, ==, made_east);
  import_ok (coordinator, north_bundle, &summary);
  g_assert_cmpuint (summary.statements_added, ==, 0);
  g_assert_cmpuint (summary.statements_known, ==, made_north);

  sync_ok (coordinator, SY_SYNC_RECORDS_ONLY, &sync);
  g_assert_cmpuint (sync.pushed, ==, made_north + made_east);
  g_assert_cmpuint (sync.learners_registered, ==, 5);
  g_assert_cmpint (query_int (coordinator, "SELECT count (*) FROM statements WHERE synced = 0"),
                   ==, 0);
  /* and again, after the river village's records have been pulled: nothing new */
  sync_ok (coordinator, SY_SYNC_RECORDS_ONLY, &sync);
  g_assert_cmpuint (sync.pushed, ==, 0);

  /* the north bundle also reaches the river village, which syncs again: still once */
  import_ok (river, north_bundle, &summary);
  g_assert_cmpuint (summary.statements_added, ==, made_north);
  sync_ok (river, SY_SYNC_RECORDS_ONLY, &sync);

  /* the hub holds every record exactly once */
  ids = hub_statement_ids (hub, &rows);
  g_assert_cmpuint (rows, ==, made);
  g_assert_cmpuint (g_hash_table_size (ids), ==, made);
  assert_same_ids (made_ids, ids);
  g_clear_pointer (&ids, g_hash_table_unref);

  /* the coordinator's PC has them all, with the same progress as each village */
  ids = pc_statement_ids (coordinator);
  assert_same_ids (made_ids, ids);
  g_assert_cmpint (query_int (coordinator, "SELECT count (*) FROM learners"), ==, 7);
  {
    g_autofree char *all = dump_projections (coordinator);

    for (Pc **pc = (Pc *[]) { north, east, river, NULL }; *pc; pc++)
      {
        g_autofree char *village = dump_projections (*pc);
        g_auto(GStrv) lines = g_strsplit (village, "\n", -1);

        for (guint i = 0; lines[i] && lines[i][0]; i++)
          if (!strstr (all, lines[i]))
            g_error ("the coordinator's PC lacks the progress “%s”", lines[i]);
      }
  }

  /* and the coordinator's reports show each village's completion once: on the PC and on
   * the hub, whichever way its records came and however many copies arrived */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(SyCompletionReport) report = NULL;
    SyReportFilter filter;
    g_autoptr(HubTestResponse) response = NULL;

    sy_report_filter_init (&filter);
    report = sy_store_report_completions (coordinator->store, &filter, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (report->n_completions, ==, 3);
    response = hub_test_request (hub, "GET", "/api/v1/reports/completions", hub->admin, NULL,
                                 NULL, 0, NULL, NULL);
    hub_test_assert_status (response, 200);
    g_assert_cmpint (json_object_get_int (json_object_object_get (json_object_object_get (response->json, "totals"),
                                                                  "completions")), ==, 3);
    g_assert_cmpuint (json_object_array_length (json_object_object_get (response->json, "completions")), ==, 3);
  }

  remove_bundle (north_bundle);
  remove_bundle (east_bundle);
  hub_test_hub_stop (hub);
}

/* ---- the CLI ---- */

static int
run_cli (const char  *data_dir,
         char       **out,
         char       **err,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) envp = g_get_environ ();
  g_autoptr(GError) error = NULL;
  const char *arg;
  va_list args;
  int status;

  g_ptr_array_add (argv, (gpointer) g_getenv ("SHUYUAN_CLI"));
  g_ptr_array_add (argv, (gpointer) "--data-dir");
  g_ptr_array_add (argv, (gpointer) data_dir);
  va_start (args, err);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  envp = g_environ_setenv (envp, "LANGUAGE", "en", TRUE);

  g_spawn_sync (NULL, (char **) argv->pdata, envp, G_SPAWN_DEFAULT, NULL, NULL, out, err,
                &status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  return WEXITSTATUS (status);
}

static void
test_cli (void)
{
  g_autoptr(Pc) a = pc_new ("cli-a");
  g_autoptr(Pc) b = pc_new ("cli-b");
  g_autofree char *dir = test_make_temp_dir ("cli-bundle");
  g_autofree char *path = g_build_filename (dir, "青山村.sybundle", NULL);
  g_autofree char *cut = g_build_filename (dir, "cut.sybundle", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *expected = NULL;
  gsize len;
  guint made;

  g_assert_nonnull (g_getenv ("SHUYUAN_CLI"));
  made = village_work (a, "青山村", 2);
  /* the CLI opens the folders itself */
  g_clear_object (&a->store);
  g_clear_object (&b->store);

  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    g_assert_cmpint (run_cli (a->dir, &out, &err, "bundle", "export", "--with-courses",
                              VD_COURSE, path, NULL), ==, 0);
    expected = g_strdup_printf ("Wrote %s: %u records, 2 learners, 1 courses\n", path, made);
    g_assert_cmpstr (out, ==, expected);
    g_assert_cmpstr (err, ==, "");
  }
  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    g_assert_cmpint (run_cli (b->dir, &out, &err, "bundle", "import", path, NULL), ==, 0);
    g_clear_pointer (&expected, g_free);
    expected = g_strdup_printf ("Imported %s: %u new records (0 were already here), 2 new "
                                "learners, courses: 1 installed, 0 updated, 0 unchanged\n",
                                path, made);
    g_assert_cmpstr (out, ==, expected);
  }
  {
    g_autofree char *out = NULL;

    g_assert_cmpint (run_cli (b->dir, &out, NULL, "bundle", "import", path, NULL), ==, 0);
    g_clear_pointer (&expected, g_free);
    expected = g_strdup_printf ("Imported %s: 0 new records (%u were already here), 0 new "
                                "learners, courses: 0 installed, 0 updated, 1 unchanged\n",
                                path, made);
    g_assert_cmpstr (out, ==, expected);
  }

  /* a cut-off copy: exit 1, one line saying so, nothing imported */
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_true (g_file_set_contents (cut, contents, len / 2, NULL));
  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autoptr(Pc) c = pc_new ("cli-c");

    g_clear_object (&c->store);
    g_assert_cmpint (run_cli (c->dir, &out, &err, "bundle", "import", cut, NULL), ==, 1);
    g_assert_cmpstr (out, ==, "");
    g_assert_nonnull (strstr (err, "The bundle is damaged"));
    g_assert_nonnull (strstr (err, "Nothing was imported."));
    /* one line */
    g_assert_true (g_str_has_suffix (err, "\n"));
    g_assert_true (strchr (err, '\n') == err + strlen (err) - 1);
    g_assert_cmpint (query_int (c, "SELECT count (*) FROM statements"), ==, 0);
  }

  /* user errors: 1; usage errors: 2 */
  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autofree char *other = g_build_filename (dir, "x.sybundle", NULL);

    g_assert_cmpint (run_cli (a->dir, &out, &err, "bundle", "export", "--with-courses",
                              "no-such-course", other, NULL), ==, 1);
    g_assert_nonnull (strstr (err, "no-such-course"));
    g_assert_false (g_file_test (other, G_FILE_TEST_EXISTS));
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run_cli (a->dir, NULL, &err, "bundle", "export", "--since", "someday",
                              other, NULL), ==, 1);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run_cli (a->dir, NULL, &err, "bundle", "import", "/nonexistent.sybundle",
                              NULL), ==, 1);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run_cli (a->dir, NULL, &err, "bundle", NULL), ==, 2);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run_cli (a->dir, NULL, &err, "bundle", "send", other, NULL), ==, 2);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run_cli (a->dir, NULL, &err, "bundle", "import", "--all", path, NULL), ==, 2);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run_cli (a->dir, NULL, &err, "bundle", "export", "--all-courses",
                              "--with-courses", VD_COURSE, other, NULL), ==, 2);
  }
  /* listed in the help */
  {
    g_autofree char *out = NULL;

    run_cli (a->dir, &out, NULL, "--help", NULL);
    g_assert_nonnull (strstr (out, "bundle"));
  }
  sy_rm_rf (dir, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_setenv ("SHUYUAN_SYNC_BACKOFF_MS", "5", TRUE);

  g_test_add_func ("/coordinator/bundle/round-trip", test_round_trip);
  g_test_add_func ("/coordinator/bundle/course-deterministic", test_course_deterministic);
  g_test_add_func ("/coordinator/bundle/async", test_async);
  g_test_add_func ("/coordinator/bundle/damaged", test_damaged);
  g_test_add_func ("/coordinator/bundle/three-villages", test_three_villages);
  g_test_add_func ("/coordinator/bundle/cli", test_cli);
  return g_test_run ();
}

/* test-records.c — statements, projections, attempts, PINs
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-c/json.h>
#include <math.h>

#include "sy-store-private.h"
#include "sy-util.h"
#include "test-util.h"

typedef struct
{
  char      *dir;
  SyStore   *store;
  SyLearner *alice;
  SyLearner *bob;
} Fixture;

static SyStore *
open_store (const char *dir)
{
  g_autoptr(GError) error = NULL;
  SyStore *store = sy_store_new (dir);

  g_assert_true (sy_store_open (store, NULL, &error));
  g_assert_no_error (error);
  return store;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *data_dir = NULL;
  g_autoptr(GError) error = NULL;

  f->dir = test_make_temp_dir ("records");
  data_dir = g_build_filename (f->dir, "data", NULL);
  f->store = open_store (data_dir);
  test_install_tiny_course (f->store, f->dir);
  f->alice = sy_store_add_learner (f->store, "Alice", SY_ROLE_LEARNER, NULL, &error);
  g_assert_no_error (error);
  f->bob = sy_store_add_learner (f->store, "王伟", SY_ROLE_LEARNER, NULL, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->alice);
  g_clear_object (&f->bob);
  g_clear_object (&f->store);
  sy_rm_rf (f->dir, NULL);
  g_free (f->dir);
}

static char *
record (SyStore    *store,
        SyLearner  *learner,
        const char *item_id,
        SyVerb      verb,
        double      seconds,
        double      score,
        const char *registration)
{
  return test_record_event (store, sy_learner_get_uuid (learner), "tiny", item_id,
                            g_strcmp0 (item_id, "q1") == 0 ? SY_ITEM_QUIZ : SY_ITEM_LESSON,
                            verb, seconds, score, registration);
}

/* Every projection row, in a fixed order: what two stores must agree on. */
static char *
dump_projections (SyStore *store)
{
  g_autofree char *path = g_build_filename (sy_store_get_data_dir (store), SY_STORE_DB_NAME, NULL);
  GString *out = g_string_new (NULL);
  sqlite3_stmt *stmt;
  sqlite3 *db;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT learner_uuid, course_id, item_id, status, "
                                           " coalesce (best_score, -1), attempts, seconds "
                                           "FROM item_progress ORDER BY 1, 2, 3", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (out, "%s %s %s status=%d best=%.4f attempts=%d seconds=%.2f\n",
                            sqlite3_column_text (stmt, 0), sqlite3_column_text (stmt, 1),
                            sqlite3_column_text (stmt, 2), sqlite3_column_int (stmt, 3),
                            sqlite3_column_double (stmt, 4), sqlite3_column_int (stmt, 5),
                            sqlite3_column_double (stmt, 6));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return g_string_free (out, FALSE);
}

static SyItem *
item_of (SyStore    *store,
         SyLearner  *learner,
         const char *item_id,
         SyCourse  **course_out)
{
  g_autoptr(GError) error = NULL;
  SyCourse *course = sy_store_get_course (store, "tiny", sy_learner_get_uuid (learner), NULL, &error);

  g_assert_no_error (error);
  *course_out = course;
  return sy_course_find_item (course, item_id);
}

static void
test_status_climbs (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(SyCourse) course = NULL;
  g_autofree char *a = record (f->store, f->alice, "l1", SY_VERB_LAUNCHED, -1, -1, NULL);
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;

  g_assert_cmpint (item_of (f->store, f->alice, "l1", &course)->status, ==, SY_STATUS_IN_PROGRESS);
  g_clear_object (&course);

  b = record (f->store, f->alice, "l1", SY_VERB_COMPLETED, 90, -1, NULL);
  g_assert_cmpint (item_of (f->store, f->alice, "l1", &course)->status, ==, SY_STATUS_COMPLETED);
  g_clear_object (&course);

  /* a later launch does not take it back */
  c = record (f->store, f->alice, "l1", SY_VERB_LAUNCHED, -1, -1, NULL);
  g_assert_cmpint (item_of (f->store, f->alice, "l1", &course)->status, ==, SY_STATUS_COMPLETED);
  g_assert_cmpuint (sy_course_get_n_done (course), ==, 1);
  g_clear_object (&course);

  /* Bob sees only his own */
  g_assert_cmpint (item_of (f->store, f->bob, "l1", &course)->status, ==, SY_STATUS_NOT_STARTED);
}

static void
test_void (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *passed = record (f->store, f->alice, "q1", SY_VERB_PASSED, 30, 0.9, NULL);
  g_autofree char *dump_before = NULL;
  g_autofree char *dump_after = NULL;
  g_autofree char *id = NULL;
  g_autoptr(SyCourse) course = NULL;
  g_autoptr(GError) error = NULL;
  SyEvent event;

  g_assert_cmpint (item_of (f->store, f->alice, "q1", &course)->status, ==, SY_STATUS_PASSED);
  g_clear_object (&course);
  dump_before = dump_projections (f->store);

  /* a mistake is voided by another statement, never edited */
  sy_event_init (&event);
  event.learner_uuid = sy_learner_get_uuid (f->alice);
  event.verb = SY_VERB_VOIDED;
  event.voids = passed;
  id = sy_store_record (f->store, &event, NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpint (item_of (f->store, f->alice, "q1", &course)->status, ==, SY_STATUS_NOT_STARTED);
  dump_after = dump_projections (f->store);
  g_assert_cmpstr (dump_after, !=, dump_before);
}

static void
shuffle_lines (GPtrArray *lines,
               GRand     *rand)
{
  for (guint i = lines->len; i > 1; i--)
    {
      guint j = g_rand_int_range (rand, 0, i);
      gpointer tmp = lines->pdata[i - 1];
      lines->pdata[i - 1] = lines->pdata[j];
      lines->pdata[j] = tmp;
    }
}

static char *
export_all (SyStore *store)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  guint n = 0;

  g_assert_true (sy_store_export_statements (store, NULL, out, &n, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, >, 0);
  g_assert_true (g_output_stream_write_all (out, "", 1, NULL, NULL, NULL));
  g_output_stream_close (out, NULL, NULL);
  return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
}

/* The heart of sync: the same set of statements, in any order and with any repetition,
 * gives the same progress. */
static void
test_order_independent (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261123);
  g_autofree char *reg1 = g_uuid_string_random ();
  g_autofree char *reg2 = g_uuid_string_random ();
  g_autofree char *expected = NULL;
  g_autofree char *exported = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *slice = NULL;
  SyEvent event;

  g_free (record (f->store, f->alice, "l1", SY_VERB_LAUNCHED, -1, -1, NULL));
  slice = record (f->store, f->alice, "l1", SY_VERB_PROGRESSED, 60, -1, NULL);
  g_free (record (f->store, f->alice, "l1", SY_VERB_PROGRESSED, 45.5, -1, NULL));
  g_free (record (f->store, f->alice, "l1", SY_VERB_COMPLETED, 10, -1, NULL));
  g_free (record (f->store, f->alice, "q1", SY_VERB_ATTEMPTED, -1, -1, reg1));
  g_free (record (f->store, f->alice, "q1", SY_VERB_FAILED, 40, 0.25, reg1));
  g_free (record (f->store, f->alice, "q1", SY_VERB_ATTEMPTED, -1, -1, reg2));
  g_free (record (f->store, f->alice, "q1", SY_VERB_PASSED, 35, 0.75, reg2));
  g_free (record (f->store, f->bob, "l1", SY_VERB_PROGRESSED, 20, -1, NULL));
  g_free (record (f->store, f->bob, "q1", SY_VERB_FAILED, 50, 0.4, NULL));

  /* one slice of Alice's time was a mistake */
  sy_event_init (&event);
  event.learner_uuid = sy_learner_get_uuid (f->alice);
  event.verb = SY_VERB_VOIDED;
  event.voids = slice;
  g_free (sy_store_record (f->store, &event, NULL, NULL));

  expected = dump_projections (f->store);
  g_assert_nonnull (strstr (expected, "status=3 best=0.7500 attempts=2 seconds=75.00"));
  g_assert_nonnull (strstr (expected, "status=2 best=-1.0000 attempts=0 seconds=55.50"));

  exported = export_all (f->store);
  lines = g_strsplit (g_strstrip (exported), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 11 + 1);   /* and the course is not completed */

  for (guint round = 0; round < 25; round++)
    {
      g_autoptr(GPtrArray) mixed = g_ptr_array_new ();
      g_autofree char *dir = g_strdup_printf ("%s/round-%u", f->dir, round);
      g_autoptr(SyStore) other = open_store (dir);
      g_autofree char *joined = NULL;
      g_autofree char *got = NULL;
      g_autoptr(GInputStream) in = NULL;
      g_autoptr(GError) error = NULL;
      guint added = 0, known = 0;

      for (guint i = 0; lines[i]; i++)
        for (guint k = g_rand_int_range (rand, 1, 4); k > 0; k--)
          g_ptr_array_add (mixed, lines[i]);
      shuffle_lines (mixed, rand);
      g_ptr_array_add (mixed, NULL);
      joined = g_strjoinv ("\n", (char **) mixed->pdata);

      in = g_memory_input_stream_new_from_data (joined, -1, NULL);
      g_assert_true (sy_store_import_statements (other, in, &added, &known, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (added, ==, g_strv_length (lines));
      g_assert_cmpuint (added + known, ==, mixed->len - 1);

      got = dump_projections (other);
      g_assert_cmpstr (got, ==, expected);
    }
}

static void
test_import_idempotent (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *exported = NULL;
  g_autofree char *dir = g_build_filename (f->dir, "other", NULL);
  g_autoptr(SyStore) other = open_store (dir);
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  guint added, known;

  g_free (record (f->store, f->alice, "l1", SY_VERB_COMPLETED, 60, -1, NULL));
  g_free (record (f->store, f->bob, "q1", SY_VERB_PASSED, 60, 1.0, NULL));
  exported = export_all (f->store);

  for (guint pass = 0; pass < 2; pass++)
    {
      g_autoptr(GInputStream) in = g_memory_input_stream_new_from_data (exported, -1, NULL);

      g_assert_true (sy_store_import_statements (other, in, &added, &known, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (added, ==, pass == 0 ? 2 : 0);
      g_assert_cmpuint (known, ==, pass == 0 ? 0 : 2);
      g_autofree char *dump = dump_projections (other);

      if (pass == 0)
        first = g_steal_pointer (&dump);
      else
        g_assert_cmpstr (dump, ==, first);
    }
  {
    g_autofree char *original = dump_projections (f->store);
    g_assert_cmpstr (first, ==, original);
  }
}

/* A damaged line: nothing is taken, and the message says which line. */
static void
test_import_bad_line (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *exported = NULL;
  g_autofree char *damaged = NULL;
  g_autofree char *dir = g_build_filename (f->dir, "other", NULL);
  g_autoptr(SyStore) other = open_store (dir);
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dump = NULL;
  guint added = 99;

  g_free (record (f->store, f->alice, "l1", SY_VERB_COMPLETED, 60, -1, NULL));
  exported = export_all (f->store);
  damaged = g_strdup_printf ("%s{\"id\": \"not-a-uuid\"}\n", exported);

  in = g_memory_input_stream_new_from_data (damaged, -1, NULL);
  g_assert_false (sy_store_import_statements (other, in, &added, NULL, NULL, &error));
  g_assert_error (error, SY_STATEMENT_ERROR, SY_STATEMENT_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "Line 2"));
  g_assert_cmpuint (added, ==, 0);
  dump = dump_projections (other);
  g_assert_cmpstr (dump, ==, "");
}

/* Answers are committed one by one: an attempt cut off by a power failure resumes. */
static void
test_attempt_resume (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *data_dir = g_strdup (sy_store_get_data_dir (f->store));
  g_autoptr(SyAttempt) attempt = NULL;
  g_autoptr(SyAttempt) resumed = NULL;
  g_autoptr(GError) error = NULL;
  const char *questions[] = { "a", "b" };
  const char *responses[] = { "true", "true" };

  g_assert_null (sy_store_get_open_attempt (f->store, sy_learner_get_uuid (f->alice), "tiny", "q1",
                                            NULL, &error));
  g_assert_error (error, SY_STORE_ERROR, SY_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  attempt = sy_store_start_attempt (f->store, sy_learner_get_uuid (f->alice), "tiny", "q1",
                                    NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (attempt->number, ==, 1);
  g_assert_true (g_uuid_string_is_valid (attempt->registration));

  for (guint i = 0; i < 2; i++)
    {
      SyEvent event;

      sy_event_init (&event);
      event.learner_uuid = sy_learner_get_uuid (f->alice);
      event.course_id = "tiny";
      event.item_id = "q1";
      event.question_id = questions[i];
      event.verb = SY_VERB_ANSWERED;
      event.registration = attempt->registration;
      event.response = responses[i];
      event.success = i == 0;
      g_free (sy_store_record (f->store, &event, NULL, &error));
      g_assert_no_error (error);
    }

  /* the PC goes off; it comes back */
  g_clear_object (&f->store);
  f->store = open_store (data_dir);

  resumed = sy_store_get_open_attempt (f->store, sy_learner_get_uuid (f->alice), "tiny", "q1",
                                       NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (resumed->registration, ==, attempt->registration);
  g_assert_cmpint (resumed->seed, ==, attempt->seed);
  g_assert_cmpint (resumed->number, ==, 1);
  g_assert_cmpuint (g_hash_table_size (resumed->answers), ==, 2);
  g_assert_cmpstr (g_hash_table_lookup (resumed->answers, "b"), ==, "true");

  /* finished: nothing to resume, and the attempt can be reviewed */
  g_free (record (f->store, f->alice, "q1", SY_VERB_FAILED, 20, 0.4, attempt->registration));
  g_assert_null (sy_store_get_open_attempt (f->store, sy_learner_get_uuid (f->alice), "tiny",
                                            "q1", NULL, &error));
  g_assert_error (error, SY_STORE_ERROR, SY_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  {
    g_autoptr(GPtrArray) attempts = sy_store_list_attempts (f->store, sy_learner_get_uuid (f->alice),
                                                            "tiny", "q1", NULL, &error);
    SyAttempt *past;

    g_assert_no_error (error);
    g_assert_cmpuint (attempts->len, ==, 1);
    past = g_ptr_array_index (attempts, 0);
    g_assert_cmpstr (past->registration, ==, attempt->registration);
    g_assert_true (past->finished);
    g_assert_false (past->passed);
    g_assert_cmpfloat_with_epsilon (past->score, 0.4, 1e-9);
    g_assert_cmpint (past->seed, ==, attempt->seed);
    g_assert_cmpstr (g_hash_table_lookup (past->answers, "a"), ==, "true");
  }
}

static void
test_attempt_limit (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  for (int i = 1; i <= 3; i++)
    {
      g_autoptr(SyAttempt) attempt = sy_store_start_attempt (f->store, sy_learner_get_uuid (f->bob),
                                                             "tiny", "q1", NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (attempt->number, ==, i);
    }
  g_assert_null (sy_store_start_attempt (f->store, sy_learner_get_uuid (f->bob), "tiny", "q1",
                                         NULL, &error));
  g_assert_error (error, SY_STORE_ERROR, SY_STORE_ERROR_NO_ATTEMPTS_LEFT);
}

static void
test_course_completion (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GPtrArray) progress = NULL;
  g_autoptr(GError) error = NULL;
  SyCourseProgress *p;
  g_autofree char *completion = NULL;

  g_free (record (f->store, f->alice, "l1", SY_VERB_COMPLETED, 600, -1, NULL));
  g_free (record (f->store, f->alice, "q1", SY_VERB_FAILED, 60, 0.2, NULL));

  progress = sy_store_list_progress (f->store, sy_learner_get_uuid (f->alice), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (progress->len, ==, 1);
  p = g_ptr_array_index (progress, 0);
  g_assert_cmpuint (p->n_done, ==, 1);
  g_assert_null (p->completed);
  g_clear_pointer (&progress, g_ptr_array_unref);

  /* passing the quiz completes the course, once */
  g_free (record (f->store, f->alice, "q1", SY_VERB_PASSED, 60, 1.0, NULL));
  progress = sy_store_list_progress (f->store, sy_learner_get_uuid (f->alice), NULL, &error);
  p = g_ptr_array_index (progress, 0);
  g_assert_cmpuint (p->n_done, ==, 2);
  g_assert_nonnull (p->completed);
  g_assert_true (g_uuid_string_is_valid (p->completion_id));
  g_assert_cmpfloat_with_epsilon (p->seconds, 720, 0.01);
  g_assert_cmpfloat (p->class_hours, ==, 2);
  completion = g_strdup (p->completion_id);
  g_clear_pointer (&progress, g_ptr_array_unref);

  g_free (record (f->store, f->alice, "l1", SY_VERB_LAUNCHED, -1, -1, NULL));
  g_free (record (f->store, f->alice, "q1", SY_VERB_PASSED, 60, 1.0, NULL));
  progress = sy_store_list_progress (f->store, sy_learner_get_uuid (f->alice), NULL, &error);
  p = g_ptr_array_index (progress, 0);
  g_assert_cmpstr (p->completion_id, ==, completion);
  {
    g_autofree char *exported = export_all (f->store);
    g_auto(GStrv) lines = g_strsplit (g_strstrip (exported), "\n", -1);
    guint n = 0;

    /* exactly one statement says the course was completed */
    for (guint i = 0; lines[i]; i++)
      {
        json_object *st = json_tokener_parse (lines[i]);
        json_object *object, *verb, *id, *vid;

        g_assert_nonnull (st);
        g_assert_true (json_object_object_get_ex (st, "object", &object));
        g_assert_true (json_object_object_get_ex (st, "verb", &verb));
        if (json_object_object_get_ex (object, "id", &id) &&
            json_object_object_get_ex (verb, "id", &vid) &&
            g_str_equal (json_object_get_string (id), "https://shuyuan.invalid/xapi/course/tiny") &&
            g_str_has_suffix (json_object_get_string (vid), "/completed"))
          n++;
        json_object_put (st);
      }
    g_assert_cmpuint (n, ==, 1);
  }
}

static void
test_pin (Fixture       *f,
          gconstpointer  data)
{
  g_autofree char *data_dir = g_strdup (sy_store_get_data_dir (f->store));
  g_autoptr(SyLearner) doctor = NULL;
  g_autoptr(SyLearner) nopin = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_null (sy_store_add_learner_full (f->store, "Teacher", SY_ROLE_TEACHER, NULL, NULL,
                                            NULL, &error));
  g_assert_error (error, SY_STORE_ERROR, SY_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (sy_store_add_learner_full (f->store, "Doc", SY_ROLE_LEARNER, "12", NULL,
                                            NULL, &error));
  g_assert_error (error, SY_STORE_ERROR, SY_STORE_ERROR_INVALID);
  g_clear_error (&error);

  doctor = sy_store_add_learner_full (f->store, "张医生", SY_ROLE_LEARNER, "4711", "110101198001",
                                      NULL, &error);
  g_assert_no_error (error);
  g_assert_true (sy_learner_get_has_pin (doctor));
  g_assert_cmpstr (sy_learner_get_external_id (doctor), ==, "110101198001");
  g_assert_false (sy_learner_get_has_pin (f->alice));

  /* the hash, never the PIN, in the database and its write-ahead log */
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *path = g_strconcat (data_dir, "/", SY_STORE_DB_NAME, i ? "-wal" : "", NULL);
      g_autofree char *contents = NULL;
      gsize len = 0;

      if (g_file_get_contents (path, &contents, &len, NULL))
        g_assert_null (g_strstr_len (contents, len, "4711"));
    }

  g_assert_true (sy_store_check_pin (f->store, sy_learner_get_uuid (doctor), "4711", NULL, &error));
  g_assert_no_error (error);
  g_assert_true (sy_store_check_pin (f->store, sy_learner_get_uuid (f->alice), "", NULL, &error));

  for (int i = 1; i < SY_PIN_MAX_FAILURES; i++)
    {
      g_assert_false (sy_store_check_pin (f->store, sy_learner_get_uuid (doctor), "0000", NULL, &error));
      g_assert_error (error, SY_STORE_ERROR, SY_STORE_ERROR_WRONG_PIN);
      g_clear_error (&error);
    }
  g_assert_false (sy_store_check_pin (f->store, sy_learner_get_uuid (doctor), "0000", NULL, &error));
  g_assert_error (error, SY_STORE_ERROR, SY_STORE_ERROR_LOCKED);
  g_clear_error (&error);

  /* locked: even the right PIN waits, and restarting does not help */
  g_clear_object (&f->store);
  f->store = open_store (data_dir);
  g_assert_false (sy_store_check_pin (f->store, sy_learner_get_uuid (doctor), "4711", NULL, &error));
  g_assert_error (error, SY_STORE_ERROR, SY_STORE_ERROR_LOCKED);
  g_assert_nonnull (strstr (error->message, "second"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/records/status-climbs", test_status_climbs);
  ADD ("/records/void", test_void);
  ADD ("/records/order-independent", test_order_independent);
  ADD ("/records/import/idempotent", test_import_idempotent);
  ADD ("/records/import/bad-line", test_import_bad_line);
  ADD ("/records/attempt/resume", test_attempt_resume);
  ADD ("/records/attempt/limit", test_attempt_limit);
  ADD ("/records/course-completion", test_course_completion);
  ADD ("/records/pin", test_pin);
#undef ADD

  return g_test_run ();
}

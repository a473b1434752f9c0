/* test-cli.c — shuyuan-cli through the real binary: output, JSON, exit statuses
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-c/json.h>

#include "sy-store.h"
#include "sy-util.h"
#include "test-util.h"

typedef struct
{
  char *data_dir;
  char *out;
  char *err;
  int   status;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->data_dir = test_make_temp_dir ("cli");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  sy_rm_rf (f->data_dir, NULL);
  g_free (f->data_dir);
  g_free (f->out);
  g_free (f->err);
}

/* Runs shuyuan-cli --data-dir DIR ARGS… with @language (NULL: English). */
static int
run (Fixture    *f,
     const char *language,
     ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) envp = g_get_environ ();
  g_autoptr(GError) error = NULL;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (gpointer) g_getenv ("SHUYUAN_CLI"));
  g_ptr_array_add (argv, (gpointer) "--data-dir");
  g_ptr_array_add (argv, f->data_dir);
  va_start (args, language);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  envp = g_environ_setenv (envp, "LC_ALL", "C.UTF-8", TRUE);
  envp = g_environ_setenv (envp, "LANGUAGE", language ? language : "en", TRUE);

  g_clear_pointer (&f->out, g_free);
  g_clear_pointer (&f->err, g_free);
  g_spawn_sync (NULL, (char **) argv->pdata, envp, G_SPAWN_DEFAULT, NULL, NULL,
                &f->out, &f->err, &f->status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (f->status));
  if (WEXITSTATUS (f->status) != 0)
    g_test_message ("exit %d, stderr: %s", WEXITSTATUS (f->status), f->err);
  return WEXITSTATUS (f->status);
}

static char *
sample (const char *name)
{
  g_autofree char *samples = test_samples_dir ();
  return g_build_filename (samples, name, NULL);
}

static guint
count_lines (const char *text)
{
  guint n = 0;

  for (const char *p = text; *p; p++)
    n += *p == '\n';
  return n;
}

static void
test_import_and_list (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *doctor = sample ("village-doctor-hygiene");
  g_autofree char *coding = sample ("coding-for-kids");
  g_autofree char *retail = sample ("retail-bookkeeping");
  json_object *courses, *course, *modules;

  g_assert_cmpint (run (f, NULL, "import", doctor, coding, retail, NULL), ==, 0);
  g_assert_cmpuint (count_lines (f->out), ==, 3);
  g_assert_nonnull (strstr (f->out, "Installed “Village doctor"));
  g_assert_cmpstr (f->err, ==, "");

  g_assert_cmpint (run (f, NULL, "import", retail, NULL), ==, 0);
  g_assert_nonnull (strstr (f->out, "already installed"));

  g_assert_cmpint (run (f, NULL, "courses", "--json", NULL), ==, 0);
  courses = json_tokener_parse (f->out);
  g_assert_nonnull (courses);
  g_assert_cmpuint (json_object_array_length (courses), ==, 3);
  course = json_object_array_get_idx (courses, 0);
  g_assert_cmpstr (json_object_get_string (json_object_object_get (course, "id")), ==,
                   "cfk-sequences-loops");
  {
    /* the version the sample course says it is */
    g_autofree char *path = g_build_filename (coding, "course.json", NULL);
    json_object *manifest = json_object_from_file (path);

    g_assert_nonnull (manifest);
    g_assert_cmpint (json_object_get_int (json_object_object_get (course, "version")), ==,
                     json_object_get_int (json_object_object_get (manifest, "version")));
    json_object_put (manifest);
  }
  g_assert_cmpint (json_object_get_int (json_object_object_get (course, "items")), >, 4);
  json_object_put (courses);

  g_assert_cmpint (run (f, NULL, "courses", NULL), ==, 0);
  g_assert_cmpuint (count_lines (f->out), ==, 3);
  g_assert_nonnull (strstr (f->out, "retail-bookkeeping-pricing"));

  g_assert_cmpint (run (f, NULL, "course", "vd-hand-hygiene-cold-chain", "--json", NULL), ==, 0);
  course = json_tokener_parse (f->out);
  g_assert_nonnull (course);
  modules = json_object_object_get (course, "modules");
  g_assert_cmpuint (json_object_array_length (modules), >=, 2);
  json_object_put (course);

  g_assert_cmpint (run (f, NULL, "course", "vd-hand-hygiene-cold-chain", NULL), ==, 0);
  g_assert_nonnull (strstr (f->out, "Lesson"));
  g_assert_nonnull (strstr (f->out, "Quiz"));
}

static void
test_chinese_output (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *doctor = sample ("village-doctor-hygiene");

  g_assert_cmpint (run (f, "zh_CN", "import", doctor, NULL), ==, 0);
  g_assert_cmpint (run (f, "zh_CN", "courses", NULL), ==, 0);
  g_assert_nonnull (strstr (f->out, "乡村医生：手卫生与疫苗冷链"));
  g_assert_cmpint (run (f, "en", "courses", NULL), ==, 0);
  g_assert_null (strstr (f->out, "乡村医生"));
}

static void
test_learners (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *uuid = NULL;
  json_object *learners, *first;

  g_assert_cmpint (run (f, NULL, "learners", NULL), ==, 0);
  g_assert_nonnull (strstr (f->out, "No learners yet"));

  g_assert_cmpint (run (f, NULL, "learners", "add", "刘医生", "--role", "teacher",
                       "--pin", "1357", NULL), ==, 0);
  uuid = g_strstrip (g_strdup (f->out));
  g_assert_true (g_uuid_string_is_valid (uuid));

  g_assert_cmpint (run (f, NULL, "learners", "add", "Wang Fang", NULL), ==, 0);

  g_assert_cmpint (run (f, NULL, "learners", "--json", NULL), ==, 0);
  learners = json_tokener_parse (f->out);
  g_assert_nonnull (learners);
  g_assert_cmpuint (json_object_array_length (learners), ==, 2);
  first = json_object_array_get_idx (learners, 1);
  g_assert_cmpstr (json_object_get_string (json_object_object_get (first, "name")), ==, "刘医生");
  g_assert_cmpstr (json_object_get_string (json_object_object_get (first, "role")), ==, "teacher");
  g_assert_cmpstr (json_object_get_string (json_object_object_get (first, "uuid")), ==, uuid);
  json_object_put (learners);
}

/* User errors: status 1 and exactly one line on stderr that says what is wrong. */
static void
test_user_errors (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *bad = g_build_filename (f->data_dir, "bad-course", NULL);
  g_autofree char *store = g_build_filename (f->data_dir, "store", NULL);

  test_write_file (bad, "course.json", "{\"format\": 1, \"id\": \"bad\"}");

  g_assert_cmpint (run (f, NULL, "import", bad, NULL), ==, 1);
  g_assert_cmpuint (count_lines (f->err), ==, 1);
  g_assert_nonnull (strstr (f->err, "course.json: version"));
  g_assert_cmpstr (f->out, ==, "");

  g_assert_cmpint (run (f, NULL, "import", "/nonexistent/course", NULL), ==, 1);
  g_assert_cmpuint (count_lines (f->err), ==, 1);

  g_assert_cmpint (run (f, NULL, "course", "no-such-course", NULL), ==, 1);
  g_assert_cmpuint (count_lines (f->err), ==, 1);
  g_assert_nonnull (strstr (f->err, "no-such-course"));

  g_assert_cmpint (run (f, NULL, "learners", "add", "   ", NULL), ==, 1);
  g_assert_cmpuint (count_lines (f->err), ==, 1);

  /* a teacher can see other people's records: a PIN is required */
  g_assert_cmpint (run (f, NULL, "learners", "add", "Li", "--role", "teacher", NULL), ==, 1);
  g_assert_nonnull (strstr (f->err, "PIN"));
  g_assert_cmpint (run (f, NULL, "learners", "add", "Li", "--pin", "12ab", NULL), ==, 1);
}

static void
test_usage_errors (Fixture       *f,
                   gconstpointer  data)
{
  g_assert_cmpint (run (f, NULL, NULL), ==, 2);
  g_assert_cmpint (run (f, NULL, "frobnicate", NULL), ==, 2);
  g_assert_nonnull (strstr (f->err, "frobnicate"));
  g_assert_cmpint (run (f, NULL, "import", NULL), ==, 2);
  g_assert_cmpint (run (f, NULL, "courses", "--bogus", NULL), ==, 2);
  g_assert_cmpint (run (f, NULL, "learners", "add", "A", "--role", "king", NULL), ==, 2);
  g_assert_cmpint (run (f, NULL, "course", NULL), ==, 2);

  g_assert_cmpint (run (f, NULL, "--help", NULL), ==, 0);
  g_assert_nonnull (strstr (f->out, "import"));
  g_assert_cmpint (run (f, NULL, "--version", NULL), ==, 0);
  g_assert_nonnull (strstr (f->out, PACKAGE_VERSION));
}


/* A learner who completed the tiny course, recorded through the core as the app would. */
static char *
complete_tiny_course (Fixture    *f,
                      const char *name)
{
  g_autoptr(SyStore) store = sy_store_new (f->data_dir);
  g_autoptr(SyLearner) learner = NULL;
  g_autoptr(GError) error = NULL;
  const char *items[] = { "l1", "q1" };

  g_assert_true (sy_store_open (store, NULL, &error));
  test_install_tiny_course (store, f->data_dir);
  learner = sy_store_add_learner_full (store, name, SY_ROLE_LEARNER, NULL, "HB-0042", NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    {
      SyEvent event;

      sy_event_init (&event);
      event.learner_uuid = sy_learner_get_uuid (learner);
      event.course_id = "tiny";
      event.item_id = items[i];
      event.item_type = i ? SY_ITEM_QUIZ : SY_ITEM_LESSON;
      event.verb = i ? SY_VERB_PASSED : SY_VERB_COMPLETED;
      event.seconds = 300;
      if (i)
        event.score = 1.0;
      g_free (sy_store_record (store, &event, NULL, &error));
      g_assert_no_error (error);
    }
  return g_strdup (sy_learner_get_uuid (learner));
}

static void
test_progress (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *uuid = complete_tiny_course (f, "周芳");
  json_object *list, *p;

  g_assert_cmpint (run (f, NULL, "progress", "--json", NULL), ==, 0);
  list = json_tokener_parse (f->out);
  g_assert_nonnull (list);
  g_assert_cmpuint (json_object_array_length (list), ==, 1);
  p = json_object_array_get_idx (list, 0);
  g_assert_cmpstr (json_object_get_string (json_object_object_get (p, "learner")), ==, uuid);
  g_assert_cmpint (json_object_get_int (json_object_object_get (p, "done")), ==, 2);
  g_assert_cmpfloat (json_object_get_double (json_object_object_get (p, "seconds")), ==, 600);
  g_assert_cmpfloat (json_object_get_double (json_object_object_get (p, "class_hours")), ==, 2);
  g_assert_nonnull (json_object_get_string (json_object_object_get (p, "completed")));
  json_object_put (list);

  g_assert_cmpint (run (f, NULL, "progress", "--learner", uuid, NULL), ==, 0);
  g_assert_nonnull (strstr (f->out, "周芳"));
  g_assert_nonnull (strstr (f->out, "2/2"));

  g_assert_cmpint (run (f, NULL, "progress", "--learner", "nobody", NULL), ==, 1);
  g_assert_cmpuint (count_lines (f->err), ==, 1);
}

static void
test_statements (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *uuid = complete_tiny_course (f, "Ma Lin");
  g_autofree char *file = g_build_filename (f->data_dir, "records.jsonl", NULL);
  g_autofree char *other = g_build_filename (f->data_dir, "other", NULL);
  g_autofree char *bad = g_build_filename (other, "bad.jsonl", NULL);
  g_autofree char *original = f->data_dir;
  g_autofree char *exported = NULL;
  guint lines;

  g_assert_cmpint (run (f, NULL, "statements", "export", file, NULL), ==, 0);
  g_assert_nonnull (strstr (f->out, "Exported 3 statements"));   /* and the course's completion */
  g_assert_cmpint (run (f, NULL, "statements", "export", "-", NULL), ==, 0);
  lines = count_lines (f->out);
  g_assert_cmpuint (lines, ==, 3);
  g_assert_nonnull (strstr (f->out, uuid));
  exported = g_strdup (f->out);
  g_assert_cmpint (run (f, NULL, "statements", "export", "--since", "2999-01-01", "-", NULL), ==, 0);
  g_assert_cmpstr (f->out, ==, "");

  /* into another PC, twice: the second time changes nothing */
  f->data_dir = other;
  g_assert_cmpint (run (f, NULL, "statements", "import", file, NULL), ==, 0);
  g_assert_nonnull (strstr (f->out, "Imported 3 new statements (0 were"));
  g_assert_cmpint (run (f, NULL, "statements", "import", file, NULL), ==, 0);
  g_assert_nonnull (strstr (f->out, "Imported 0 new statements (3 were"));
  g_assert_cmpint (run (f, NULL, "statements", "export", "-", NULL), ==, 0);
  g_assert_cmpuint (count_lines (f->out), ==, 3);

  test_write_file (f->data_dir, "bad.jsonl", "{\"id\": 1}\n");
  g_assert_cmpint (run (f, NULL, "statements", "import", bad, NULL), ==, 1);
  g_assert_cmpuint (count_lines (f->err), ==, 1);
  g_assert_nonnull (strstr (f->err, "Line 1"));

  g_assert_cmpint (run (f, NULL, "statements", "frobnicate", "-", NULL), ==, 2);
  g_assert_cmpint (run (f, NULL, "statements", "export", "--since", "yesterday", "-", NULL), ==, 2);
  f->data_dir = g_steal_pointer (&original);
}

static void
test_certificate (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *uuid = complete_tiny_course (f, "李秀兰");
  g_autofree char *pdf = g_build_filename (f->data_dir, "certificate.pdf", NULL);
  g_autofree char *text = NULL;
  const char *argv[] = { "pdftotext", pdf, "-", NULL };
  g_autoptr(GError) error = NULL;
  int wait_status;

  g_assert_cmpint (run (f, NULL, "certificate", "tiny", "--learner", uuid, "-o", pdf, NULL), ==, 0);
  g_assert_nonnull (strstr (f->out, "verification code"));
  g_assert_true (g_file_test (pdf, G_FILE_TEST_IS_REGULAR));

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, &text, NULL, &wait_status, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (text, "李秀兰"));
  g_assert_nonnull (strstr (text, "HB-0042"));

  /* not completed: a clear refusal */
  g_assert_cmpint (run (f, NULL, "learners", "add", "New", NULL), ==, 0);
  {
    g_autofree char *other = g_strstrip (g_strdup (f->out));
    g_assert_cmpint (run (f, NULL, "certificate", "tiny", "--learner", other, "-o", pdf, NULL), ==, 1);
    g_assert_nonnull (strstr (f->err, "not completed"));
  }
  g_assert_cmpint (run (f, NULL, "certificate", "tiny", NULL), ==, 2);
}

/* The classroom: classes, pupils, assignments, a session, attendance and the report. */
static char *
out_line (Fixture *f)
{
  return g_strstrip (g_strdup (f->out));
}

static void
test_classroom (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *teacher = NULL;
  g_autofree char *klass = NULL;
  g_autofree char *session = NULL;
  g_autofree char *pupil = NULL;
  g_autofree char *pdf = g_build_filename (f->data_dir, "report.pdf", NULL);
  json_object *list, *first;

  /* a course to assign, as the other tests install it */
  {
    g_autoptr(SyStore) store = sy_store_new (f->data_dir);
    g_autoptr(GError) error = NULL;

    g_assert_true (sy_store_open (store, NULL, &error));
    test_install_tiny_course (store, f->data_dir);
  }

  g_assert_cmpint (run (f, NULL, "classes", NULL), ==, 0);
  g_assert_nonnull (strstr (f->out, "No classes yet"));

  g_assert_cmpint (run (f, NULL, "learners", "add", "王老师", "--role", "teacher", "--pin", "2468",
                        NULL), ==, 0);
  teacher = out_line (f);
  g_assert_cmpint (run (f, NULL, "class", "add", "三年级一班", "--teacher", teacher, NULL), ==, 0);
  klass = out_line (f);
  g_assert_true (g_uuid_string_is_valid (klass));

  g_assert_cmpint (run (f, NULL, "classes", "--teacher", teacher, "--json", NULL), ==, 0);
  list = json_tokener_parse (f->out);
  g_assert_cmpuint (json_object_array_length (list), ==, 1);
  first = json_object_array_get_idx (list, 0);
  g_assert_cmpstr (json_object_get_string (json_object_object_get (first, "uuid")), ==, klass);
  g_assert_cmpstr (json_object_get_string (json_object_object_get (first, "name")), ==, "三年级一班");
  json_object_put (list);

  g_assert_cmpint (run (f, NULL, "class", "pupils", klass, "add", "李明", " 张伟 ", "", NULL), ==, 0);
  g_assert_cmpuint (count_lines (f->out), ==, 2);
  g_assert_cmpint (run (f, NULL, "class", "pupils", klass, "add", "李明", NULL), ==, 1);
  g_assert_cmpuint (count_lines (f->err), ==, 1);
  g_assert_nonnull (strstr (f->err, "李明"));

  g_assert_cmpint (run (f, NULL, "class", "pupils", klass, "--json", NULL), ==, 0);
  list = json_tokener_parse (f->out);
  g_assert_cmpuint (json_object_array_length (list), ==, 2);
  first = json_object_array_get_idx (list, 0);
  g_assert_cmpstr (json_object_get_string (json_object_object_get (first, "name")), ==, "李明");
  g_assert_cmpstr (json_object_get_string (json_object_object_get (first, "role")), ==, "learner");
  pupil = g_strdup (json_object_get_string (json_object_object_get (first, "uuid")));
  json_object_put (list);

  g_assert_cmpint (run (f, NULL, "class", "assign", klass, "tiny", NULL), ==, 0);
  g_assert_cmpint (run (f, NULL, "class", "assign", klass, "tiny", "q1", NULL), ==, 0);
  g_assert_cmpint (run (f, NULL, "class", "assign", klass, "tiny", "nope", NULL), ==, 1);
  g_assert_nonnull (strstr (f->err, "nope"));

  g_assert_cmpint (run (f, NULL, "class", "session", klass, NULL), ==, 0);
  session = out_line (f);
  g_assert_true (g_uuid_string_is_valid (session));

  g_assert_cmpint (run (f, NULL, "attendance", session, pupil, "present", NULL), ==, 0);
  g_assert_cmpint (run (f, NULL, "attendance", session, pupil, "absent", NULL), ==, 0);
  g_assert_cmpint (run (f, NULL, "attendance", session, pupil, "present", NULL), ==, 0);
  g_assert_cmpint (run (f, NULL, "attendance", session, "--json", NULL), ==, 0);
  list = json_tokener_parse (f->out);
  g_assert_cmpuint (json_object_array_length (list), ==, 2);
  g_assert_true (json_object_get_boolean (json_object_object_get (json_object_array_get_idx (list, 0),
                                                                  "present")));
  g_assert_false (json_object_get_boolean (json_object_object_get (json_object_array_get_idx (list, 1),
                                                                   "present")));
  json_object_put (list);
  g_assert_cmpint (run (f, NULL, "attendance", session, teacher, "present", NULL), ==, 1);
  g_assert_cmpint (run (f, NULL, "attendance", session, pupil, "late", NULL), ==, 2);

  /* the records went out like any others: 2 attended, 1 voided */
  g_assert_cmpint (run (f, NULL, "statements", "export", "-", NULL), ==, 0);
  g_assert_cmpuint (count_lines (f->out), ==, 3);

  g_assert_cmpint (run (f, NULL, "class", "report", klass, "-o", pdf, NULL), ==, 0);
  g_assert_true (g_file_test (pdf, G_FILE_TEST_IS_REGULAR));
  {
    const char *argv[] = { "pdftotext", pdf, "-", NULL };
    g_autofree char *text = NULL;
    g_autoptr(GError) error = NULL;
    int wait_status;

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                  NULL, NULL, &text, NULL, &wait_status, &error);
    g_assert_no_error (error);
    g_assert_nonnull (strstr (text, "三年级一班"));
    g_assert_nonnull (strstr (text, "张伟"));
  }

  /* usage and user errors */
  g_assert_cmpint (run (f, NULL, "class", NULL), ==, 2);
  g_assert_cmpint (run (f, NULL, "class", "add", "X", NULL), ==, 2);
  g_assert_cmpint (run (f, NULL, "class", "add", "X", "--teacher", pupil, NULL), ==, 1);
  g_assert_nonnull (strstr (f->err, "not a teacher"));
  g_assert_cmpint (run (f, NULL, "class", "pupils", klass, "add", NULL), ==, 2);
  g_assert_cmpint (run (f, NULL, "class", "report", klass, NULL), ==, 2);
  g_assert_cmpint (run (f, NULL, "class", "session", "no-such-class", NULL), ==, 1);
  g_assert_cmpuint (count_lines (f->err), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_nonnull (g_getenv ("SHUYUAN_CLI"));

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/cli/import-and-list", test_import_and_list);
  ADD ("/cli/chinese-output", test_chinese_output);
  ADD ("/cli/learners", test_learners);
  ADD ("/cli/user-errors", test_user_errors);
  ADD ("/cli/usage-errors", test_usage_errors);
  ADD ("/cli/progress", test_progress);
  ADD ("/cli/statements", test_statements);
  ADD ("/cli/certificate", test_certificate);
  ADD ("/cli/classroom", test_classroom);
#undef ADD

  return g_test_run ();
}

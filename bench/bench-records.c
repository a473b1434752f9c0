/* bench-records.c — projections from a million statements, and a course page for a
 * learner with ten thousand
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   bench-records [--learners 100] [--courses 100] [--statements 1000000]
 *
 * Installs COURSES generated courses of 10 items, imports STATEMENTS statements spread over
 * LEARNERS learners and the courses (JSON lines, through sy_store_import_statements(), as a
 * USB stick or a sync would bring them), then times sy_store_rebuild_projections() —
 * every learner's progress recomputed from the whole log — and sy_store_get_course() for
 * one learner who has 10,000 statements in one course.
 */
#include "config.h"

#include <locale.h>

#include "sy-store.h"
#include "sy-util.h"

static const char * const verbs[] = {
  "http://adlnet.gov/expapi/verbs/launched",
  "http://adlnet.gov/expapi/verbs/progressed",
  "http://adlnet.gov/expapi/verbs/completed",
  "http://adlnet.gov/expapi/verbs/passed",
};

static void
write_course (const char *dir,
              int         index)
{
  GString *json = g_string_new (NULL);
  g_autofree char *course_json = g_build_filename (dir, "course.json", NULL);
  g_autofree char *lesson = g_build_filename (dir, "l.md", NULL);

  g_mkdir_with_parents (dir, 0755);
  g_string_append_printf (json, "{\"format\": 1, \"id\": \"c%03d\", \"version\": 1, "
                                "\"programme\": \"village-doctor\", \"title\": \"Course %d\", "
                                "\"languages\": [\"en\"], \"class_hours\": 2, \"modules\": "
                                "[{\"id\": \"m\", \"title\": \"M\", \"items\": [", index, index);
  for (int i = 0; i < 10; i++)
    g_string_append_printf (json, "%s{\"id\": \"i%d\", \"type\": \"lesson\", \"title\": \"L%d\", "
                                  "\"file\": \"l.md\", \"minutes\": 1}", i ? "," : "", i, i);
  g_string_append (json, "]}]}");
  g_file_set_contents (course_json, json->str, -1, NULL);
  g_file_set_contents (lesson, "# L\n", -1, NULL);
  g_string_free (json, TRUE);
}

static void
append_statement (GString    *out,
                  const char *learner,
                  int         course,
                  int         item,
                  guint       n)
{
  g_autofree char *id = g_uuid_string_random ();
  const char *verb = verbs[n % G_N_ELEMENTS (verbs)];

  g_string_append_printf (out,
    "{\"id\":\"%s\",\"actor\":{\"objectType\":\"Agent\",\"account\":{\"homePage\":"
    "\"https://learners.shuyuan.invalid/\",\"name\":\"%s\"}},\"verb\":{\"id\":\"%s\"},"
    "\"object\":{\"objectType\":\"Activity\",\"id\":\"https://shuyuan.invalid/xapi/course/c%03d/item/i%d\"},"
    "\"result\":{\"duration\":\"PT%uS\",\"score\":{\"scaled\":0.%u}},"
    "\"timestamp\":\"2026-11-%02uT08:%02u:%02uZ\"}\n",
    id, learner, verb, course, item, 10 + n % 50, n % 10, 1 + n % 28, n % 60, (n / 60) % 60);
}

static double
seconds_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1e6;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

int
main (int   argc,
      char *argv[])
{
  int n_learners = 100, n_courses = 100, n_statements = 1000000;
  GOptionEntry entries[] = {
    { "learners", 0, 0, G_OPTION_ARG_INT, &n_learners, "Learners", "N" },
    { "courses", 0, 0, G_OPTION_ARG_INT, &n_courses, "Courses", "N" },
    { "statements", 0, 0, G_OPTION_ARG_INT, &n_statements, "Statements", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— records benchmark");
  g_autoptr(GError) error = NULL;
  g_autoptr(SyStore) store = NULL;
  g_autoptr(GPtrArray) learners = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *work = NULL;
  g_autofree char *data = NULL;
  GString *lines;
  gint64 start;
  double import_s, rebuild_s;
  guint added = 0;
  const int heavy = 10000;

  setlocale (LC_ALL, "");
  sy_core_init ();
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return 2;

  work = g_dir_make_tmp ("shuyuan-bench-records-XXXXXX", &error);
  g_assert_no_error (error);
  data = g_build_filename (work, "data", NULL);
  store = sy_store_new (data);
  if (!sy_store_open (store, NULL, &error))
    g_error ("%s", error->message);

  for (int c = 0; c < n_courses; c++)
    {
      g_autofree char *name = g_strdup_printf ("course-%03d", c);
      g_autofree char *dir = g_build_filename (work, name, NULL);
      g_autoptr(GFile) file = g_file_new_for_path (dir);
      g_autoptr(SyCourse) course = NULL;

      write_course (dir, c);
      if (!(course = sy_store_import (store, file, NULL, NULL, &error)))
        g_error ("%s", error->message);
    }
  for (int l = 0; l < n_learners; l++)
    {
      g_autofree char *name = g_strdup_printf ("Learner %d", l);
      g_autoptr(SyLearner) learner = sy_store_add_learner (store, name, SY_ROLE_LEARNER, NULL, &error);
      g_ptr_array_add (learners, g_strdup (sy_learner_get_uuid (learner)));
    }

  /* learner 0 has 10,000 statements in course 0; the rest are spread evenly */
  lines = g_string_sized_new ((gsize) n_statements * 420);
  for (int n = 0; n < n_statements; n++)
    {
      if (n < heavy)
        append_statement (lines, g_ptr_array_index (learners, 0), 0, n % 10, n);
      else
        append_statement (lines, g_ptr_array_index (learners, n % n_learners),
                          (n / n_learners) % n_courses, n % 10, n);
    }

  start = g_get_monotonic_time ();
  {
    g_autoptr(GInputStream) in = g_memory_input_stream_new_from_data (lines->str, lines->len, NULL);
    if (!sy_store_import_statements (store, in, &added, NULL, NULL, &error))
      g_error ("%s", error->message);
  }
  import_s = seconds_since (start);
  g_string_free (lines, TRUE);

  start = g_get_monotonic_time ();
  if (!sy_store_rebuild_projections (store, NULL, &error))
    g_error ("%s", error->message);
  rebuild_s = seconds_since (start);

  g_print ("import     %u statements (JSON lines, one transaction): %.1f s, %.0f statements/s\n",
           added, import_s, added / import_s);
  g_print ("rebuild    projections of %d learners × %d courses from %u statements: %.2f s, "
           "%.0f statements/s (target ≥ 200000)\n",
           n_learners, n_courses, added, rebuild_s, added / rebuild_s);

  {
    g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));

    for (int i = 0; i < 21; i++)
      {
        g_autoptr(SyCourse) course = NULL;
        double ms;

        start = g_get_monotonic_time ();
        course = sy_store_get_course (store, "c000", g_ptr_array_index (learners, 0), NULL, &error);
        ms = (g_get_monotonic_time () - start) / 1000.0;
        if (course == NULL)
          g_error ("%s", error->message);
        g_array_append_val (times, ms);
      }
    g_array_sort (times, compare_doubles);
    g_print ("course page for a learner with %d statements in it: median %.2f ms, worst %.2f ms "
             "of 21 (target < 50 ms)\n", heavy, g_array_index (times, double, 10),
             g_array_index (times, double, 20));
  }

  g_clear_object (&store);
  sy_rm_rf (work, NULL);
  return 0;
}

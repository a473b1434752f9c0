/* bench-reports.c — coordinators' reports over 100,000 learners × 20 courses
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   bench-reports [--learners 100000] [--courses 20] [--engine sqlite|postgresql|both]
 *
 * A hub database with N learners in 50 villages (organisations) who each completed every
 * one of C published courses (5 programmes), written straight into the tables (an ingest
 * of millions through the API is bench-hub's business, not this one's). Then, in process:
 *   - the baseline: the database alone running the grouping the report needs (one
 *     completion per learner and course, the earliest), counting the rows;
 *   - the report as JSON: its first page of 1,000 rows and the totals over all (passes,
 *     class hours, credits), as GET /api/v1/reports/completions answers it;
 *   - the CSV export of every row, as ?format=csv and `shuyuan-hub report` make it.
 */
#include "config.h"

#include <locale.h>
#include <string.h>

#include "hub-db.h"
#include "hub-store.h"
#include "hub-store-catalog.h"
#include "hub-store-reports.h"
#include "hub-test-pg.h"

static void
edit_course (const char *folder,
             const char *id,
             const char *programme)
{
  g_autofree char *path = g_build_filename (folder, "course.json", NULL);
  json_object *course = json_object_from_file (path);

  g_assert_nonnull (course);
  json_object_object_add (course, "id", json_object_new_string (id));
  json_object_object_add (course, "programme", json_object_new_string (programme));
  g_assert_cmpint (json_object_to_file_ext (path, course, JSON_C_TO_STRING_PRETTY), ==, 0);
  json_object_put (course);
}

static void
copy_tree (const char *from,
           const char *to)
{
  g_autofree char *command = g_strdup_printf ("cp -r '%s' '%s'", from, to);
  g_assert_cmpint (system (command), ==, 0);
}

static gboolean
exec (HubDb      *db,
      const char *sql)
{
  g_autoptr(GError) error = NULL;

  if (!hub_db_exec (db, sql, &error))
    g_error ("%s: %s", sql, error->message);
  return TRUE;
}

/* the learners, and one completion of every course by each */
static void
fill (HubStore *store,
      guint     n_learners,
      guint     n_courses,
      double   *seconds)
{
  g_autoptr(GError) error = NULL;
  HubDb *db = hub_store_db (store, &error);
  HubDbStmt *org, *learner, *statement;
  gint64 start = g_get_monotonic_time ();
  gint64 now = hub_now_us ();
  gint64 orgs[50];

  g_assert_no_error (error);
  exec (db, "BEGIN");
  org = hub_db_prepare (db, "INSERT INTO orgs (name, created_us) VALUES ($1, $2)", &error);
  g_assert_no_error (error);
  for (guint o = 0; o < 50; o++)
    {
      g_autofree char *name = g_strdup_printf ("村 %02u", o);
      HubDbStmt *id;

      hub_db_bind_text (org, 1, name);
      hub_db_bind_int64 (org, 2, now);
      g_assert_cmpint (hub_db_run (org, &error), ==, 1);
      id = hub_db_prepare (db, "SELECT id FROM orgs WHERE name = $1", &error);
      hub_db_bind_text (id, 1, name);
      g_assert_true (hub_db_step (id, &error));
      orgs[o] = hub_db_column_int64 (id, 0);
      while (hub_db_step (id, NULL))
        ;
    }
  learner = hub_db_prepare (db, "INSERT INTO learners (uuid, org_id, name, roles, updated_us) "
                                "VALUES ($1, $2, $3, '[\"learner\"]', $4)", &error);
  g_assert_no_error (error);
  /* a learner's completions in one INSERT of n_courses rows (round trips are what a
   * PostgreSQL load costs) */
  {
    g_autoptr(GString) sql = g_string_new ("INSERT INTO statements (id, stored_us, org_id, verb_id, "
                                           "object_type, object_id, learner, timestamp, json) VALUES ");
    for (guint c = 0; c < n_courses; c++)
      g_string_append_printf (sql, "%s($%u, $%u, $%u, 'http://adlnet.gov/expapi/verbs/completed', "
                                   "'Activity', $%u, $%u, $%u, '{}')", c ? ", " : "",
                              6 * c + 1, 6 * c + 2, 6 * c + 3, 6 * c + 4, 6 * c + 5, 6 * c + 6);
    statement = hub_db_prepare (db, sql->str, &error);
    g_assert_no_error (error);
  }
  for (guint l = 0; l < n_learners; l++)
    {
      g_autofree char *uuid = g_uuid_string_random ();
      g_autofree char *name = g_strdup_printf ("学员 %06u", l);
      gint64 org_id = orgs[l % 50];

      hub_db_bind_text (learner, 1, uuid);
      hub_db_bind_int64 (learner, 2, org_id);
      hub_db_bind_text (learner, 3, name);
      hub_db_bind_int64 (learner, 4, now);
      g_assert_cmpint (hub_db_run (learner, &error), ==, 1);
      for (guint c = 0; c < n_courses; c++)
        {
          g_autofree char *id = g_uuid_string_random ();
          g_autofree char *object = g_strdup_printf ("https://shuyuan.invalid/xapi/course/course-%02u", c);
          g_autofree char *when = g_strdup_printf ("2026-%02u-%02uT08:00:00Z", 1 + c % 12, 1 + l % 28);

          hub_db_bind_text (statement, 6 * c + 1, id);
          hub_db_bind_int64 (statement, 6 * c + 2, now + (gint64) l * n_courses + c);
          hub_db_bind_int64 (statement, 6 * c + 3, org_id);
          hub_db_bind_text (statement, 6 * c + 4, object);
          hub_db_bind_text (statement, 6 * c + 5, uuid);
          hub_db_bind_text (statement, 6 * c + 6, when);
        }
      if (hub_db_run (statement, &error) != n_courses)
        g_error ("insert: %s", error ? error->message : "?");
      /* commit as we go: one transaction of millions of rows is no kinder to either */
      if (l % 5000 == 4999)
        {
          exec (db, "COMMIT");
          exec (db, "BEGIN");
        }
    }
  exec (db, "COMMIT");
  exec (db, hub_db_engine (db) == HUB_DB_SQLITE ? "ANALYZE" : "ANALYZE statements");
  *seconds = (g_get_monotonic_time () - start) / 1e6;
  hub_store_release (store);
}

static void
run (const char *engine,
     guint       n_learners,
     guint       n_courses)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bench-reports-XXXXXX", NULL);
  g_autofree char *target = NULL;
  g_autoptr(HubStore) store = NULL;
  g_autoptr(GBytes) csv = NULL;
  HubReportFilter filter = { 0 };
  json_object *report;
  double fill_s, raw_s, json_s, csv_s;
  gint64 start, groups = 0;

  if (g_str_equal (engine, "sqlite"))
    target = g_build_filename (dir, "data", NULL);
  else if (!(target = hub_test_pg_new_database (&error)))
    {
      g_printerr ("cannot start PostgreSQL: %s\n", error->message);
      return;
    }
  store = hub_store_open (target, &error);
  g_assert_no_error (error);

  for (guint c = 0; c < n_courses; c++)
    {
      g_autofree char *folder = g_strdup_printf ("%s/course-%02u", dir, c);
      g_autofree char *id = g_strdup_printf ("course-%02u", c);
      g_autofree char *programme = g_strdup_printf ("programme-%u", c % 5);

      copy_tree (SAMPLE_COURSES_SRCDIR "/village-doctor-hygiene", folder);
      edit_course (folder, id, programme);
      if (!hub_catalog_publish (store, folder, NULL, &error))
        g_error ("publish: %s", error->message);
    }
  fill (store, n_learners, n_courses, &fill_s);

  /* the baseline: the grouping alone, in the database */
  {
    HubDb *db = hub_store_db (store, &error);
    HubDbStmt *stmt = hub_db_prepare (db,
      "SELECT count (*) FROM (SELECT s.learner, s.object_id, MIN(s.timestamp) FROM statements s "
      "JOIN learners l ON l.uuid = s.learner "
      "WHERE s.verb_id = 'http://adlnet.gov/expapi/verbs/completed' AND s.voided = 0 "
      "GROUP BY s.learner, s.object_id) g", &error);

    start = g_get_monotonic_time ();
    g_assert_true (hub_db_step (stmt, &error));
    groups = hub_db_column_int64 (stmt, 0);
    while (hub_db_step (stmt, NULL))
      ;
    raw_s = (g_get_monotonic_time () - start) / 1e6;
    hub_store_release (store);
  }

  filter.limit = 1000;
  start = g_get_monotonic_time ();
  report = hub_report_completions (store, &filter, &error);
  json_s = (g_get_monotonic_time () - start) / 1e6;
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int64 (json_object_object_get (json_object_object_get (report, "totals"), "completions")),
                   ==, (gint64) n_learners * n_courses);
  g_assert_cmpint (json_object_get_int64 (json_object_object_get (json_object_object_get (report, "totals"), "passes")),
                   ==, (gint64) n_learners * 5);
  json_object_put (report);
  hub_store_release (store);

  filter.limit = 0;
  start = g_get_monotonic_time ();
  csv = hub_report_completions_csv (store, &filter, &error);
  csv_s = (g_get_monotonic_time () - start) / 1e6;
  g_assert_no_error (error);
  hub_store_release (store);

  g_print ("| %s | %u × %u | %.1f s | %" G_GINT64_FORMAT " groups in %.2f s | %.2f s (%.2f×) | %.2f s, %.0f MB (%.2f×) |\n",
           engine, n_learners, n_courses, fill_s, groups, raw_s, json_s, json_s / raw_s, csv_s,
           g_bytes_get_size (csv) / 1e6, csv_s / raw_s);
  g_clear_pointer (&store, hub_store_free);
  if (g_str_equal (engine, "sqlite"))
    {
      g_autofree char *command = g_strdup_printf ("rm -rf '%s'", dir);
      g_assert_cmpint (system (command), ==, 0);
    }
}

int
main (int   argc,
      char *argv[])
{
  int learners = 100000, courses = 20;
  g_autofree char *engine = g_strdup ("both");
  GOptionEntry entries[] = {
    { "learners", 0, 0, G_OPTION_ARG_INT, &learners, "learners", "N" },
    { "courses", 0, 0, G_OPTION_ARG_INT, &courses, "courses, each completed by every learner", "N" },
    { "engine", 0, 0, G_OPTION_ARG_STRING, &engine, "sqlite, postgresql or both", "ENGINE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— coordinators' reports at scale");
  g_autoptr(GError) error = NULL;

  setlocale (LC_ALL, "");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  g_print ("| engine | learners × courses | writing the rows | baseline: the grouping in the "
           "database | report: first page + totals | CSV of every row |\n");
  g_print ("|---|---|---|---|---|---|\n");
  if (g_str_equal (engine, "sqlite") || g_str_equal (engine, "both"))
    run ("sqlite", learners, courses);
  if (g_str_equal (engine, "postgresql") || g_str_equal (engine, "both"))
    run ("postgresql", learners, courses);
  hub_test_pg_stop ();
  return 0;
}

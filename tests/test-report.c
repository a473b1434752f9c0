/* test-report.c — a coordinator's reports: completions counted once, voiding, filters,
 * totals, survey distributions and before/after, CSV and XLSX exports, batch certificates,
 * and the report commands of shuyuan-cli
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <json-c/json.h>

#include "sy-certificate.h"
#include "sy-report.h"
#include "sy-store-private.h"
#include "sy-util.h"
#include "test-util.h"

/* A name a CSV must quote: a comma, a quote and Chinese */
#define AWKWARD_NAME "王, \"小明\""

typedef struct
{
  char      *dir;
  char      *data_dir;
  SyStore   *store;
  SyLearner *alice;        /* completes the tiny course */
  SyLearner *bob;          /* begins it */
  SyLearner *carol;        /* registered, never starts */
  SyLearner *coordinator;
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

static SyLearner *
add_learner (SyStore    *store,
             const char *name,
             SyRole      role,
             const char *external_id)
{
  g_autoptr(GError) error = NULL;
  /* teachers and coordinators need a PIN */
  SyLearner *learner = sy_store_add_learner_full (store, name, role,
                                                  role == SY_ROLE_LEARNER ? NULL : "1357",
                                                  external_id, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (learner);
  return learner;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = test_make_temp_dir ("report");
  f->data_dir = g_build_filename (f->dir, "data", NULL);
  f->store = open_store (f->data_dir);
  test_install_tiny_course (f->store, f->dir);
  f->alice = add_learner (f->store, AWKWARD_NAME, SY_ROLE_LEARNER, "VD-2026-001");
  f->bob = add_learner (f->store, "Bob", SY_ROLE_LEARNER, NULL);
  f->carol = add_learner (f->store, "Carol", SY_ROLE_LEARNER, NULL);
  f->coordinator = add_learner (f->store, "张协调员", SY_ROLE_COORDINATOR, NULL);

  g_free (test_record (f->store, f->alice, "tiny", "l1", SY_ITEM_LESSON, SY_VERB_COMPLETED, 600, -1));
  g_free (test_record (f->store, f->alice, "tiny", "q1", SY_ITEM_QUIZ, SY_VERB_FAILED, 60, 0.2));
  g_free (test_record (f->store, f->alice, "tiny", "q1", SY_ITEM_QUIZ, SY_VERB_PASSED, 60, 1.0));
  /* 3000 s: 1.1 class hours studied */
  g_free (test_record (f->store, f->bob, "tiny", "l1", SY_ITEM_LESSON, SY_VERB_PROGRESSED, 3000, -1));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->alice);
  g_clear_object (&f->bob);
  g_clear_object (&f->carol);
  g_clear_object (&f->coordinator);
  g_clear_object (&f->store);
  sy_rm_rf (f->dir, NULL);
  g_free (f->dir);
  g_free (f->data_dir);
}

static SyCompletionReport *
report (SyStore              *store,
        const SyReportFilter *filter)
{
  g_autoptr(GError) error = NULL;
  SyCompletionReport *r = sy_store_report_completions (store, filter, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (r);
  return r;
}

static SyCompletionRow *
find_row (SyCompletionReport *r,
          const char         *learner_uuid)
{
  for (guint i = 0; i < r->rows->len; i++)
    {
      SyCompletionRow *row = g_ptr_array_index (r->rows, i);
      if (g_str_equal (row->learner_uuid, learner_uuid))
        return row;
    }
  return NULL;
}

static char *
export_all (SyStore *store)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  g_assert_true (sy_store_export_statements (store, NULL, out, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (out, "", 1, NULL, NULL, NULL));
  g_output_stream_close (out, NULL, NULL);
  return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
}

static void
import_text (SyStore    *store,
             const char *text)
{
  g_autoptr(GInputStream) in = g_memory_input_stream_new_from_data (g_strdup (text), -1, g_free);
  g_autoptr(GError) error = NULL;

  g_assert_true (sy_store_import_statements (store, in, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
}

/* The report as JSON without its generation time: what two stores must agree on. */
static char *
fingerprint (SyCompletionReport *r)
{
  g_autofree char *saved = r->generated;
  char *json;

  /* the latest activity depends on what arrived, not on the completions */
  for (guint i = 0; i < r->rows->len; i++)
    g_clear_pointer (&((SyCompletionRow *) g_ptr_array_index (r->rows, i))->last_activity, g_free);
  r->generated = (char *) "-";
  json = sy_report_completions_to_json (r);
  r->generated = g_steal_pointer (&saved);
  return json;
}

static void
test_totals (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(SyCompletionReport) r = report (f->store, NULL);
  SyCompletionRow *a, *b;

  /* Carol has not begun: she is not a row unless not-started rows are asked for */
  g_assert_cmpuint (r->rows->len, ==, 2);
  g_assert_null (find_row (r, sy_learner_get_uuid (f->carol)));

  a = find_row (r, sy_learner_get_uuid (f->alice));
  g_assert_nonnull (a);
  g_assert_cmpstr (a->learner_name, ==, AWKWARD_NAME);
  g_assert_cmpstr (a->external_id, ==, "VD-2026-001");
  g_assert_cmpstr (a->programme, ==, "retail");
  g_assert_cmpint (a->status, ==, SY_STATUS_COMPLETED);
  g_assert_cmpstr (sy_text_get (a->course_title, (const char * const[]) { "zh_CN", NULL }), ==, "小课");
  g_assert_cmpuint (a->n_done, ==, 2);
  g_assert_cmpuint (a->n_items, ==, 2);
  g_assert_cmpfloat (a->class_hours, ==, 2);
  g_assert_cmpfloat (a->credits, ==, 1);
  g_assert_true (g_uuid_string_is_valid (a->completion_id));
  g_assert_nonnull (a->completed);
  /* the PC that recorded it */
  g_assert_cmpstr (a->device_id, ==, sy_store_get_device_id (f->store));
  {
    g_autoptr(GPtrArray) progress = sy_store_list_progress (f->store, sy_learner_get_uuid (f->alice),
                                                            NULL, NULL);
    SyCourseProgress *p = g_ptr_array_index (progress, 0);
    g_autofree char *code = sy_certificate_make_code (p->completion_id, p->learner_uuid, p->course_id);

    /* the same completion, and the code its certificate carries */
    g_assert_cmpstr (a->completion_id, ==, p->completion_id);
    g_assert_cmpstr (a->verification_code, ==, code);
  }

  b = find_row (r, sy_learner_get_uuid (f->bob));
  g_assert_nonnull (b);
  g_assert_cmpint (b->status, ==, SY_STATUS_IN_PROGRESS);
  g_assert_cmpfloat_with_epsilon (b->class_hours, 1.1, 1e-9);
  g_assert_cmpfloat (b->credits, ==, 0);
  g_assert_null (b->completion_id);
  g_assert_null (b->verification_code);
  g_assert_null (b->completed);
  g_assert_nonnull (b->last_activity);

  g_assert_cmpuint (r->n_completions, ==, 1);
  g_assert_cmpuint (r->n_passes, ==, 1);
  g_assert_cmpuint (r->n_learners, ==, 2);
  g_assert_cmpfloat_with_epsilon (r->class_hours, 3.1, 1e-9);
  g_assert_cmpfloat (r->credits, ==, 1);
}

/* Statements that arrive twice, in any order, and a second completion statement of the
 * same course made on another PC: each completion counts once. */
static void
test_counted_once (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autofree char *exported = export_all (f->store);
  g_auto(GStrv) lines = g_strsplit (g_strstrip (exported), "\n", -1);
  g_autofree char *expected = NULL;
  g_autofree char *second = NULL;

  {
    g_autofree char *dir = g_build_filename (f->dir, "first", NULL);
    g_autoptr(SyStore) other = open_store (dir);
    g_autoptr(SyCompletionReport) r = NULL;
    SyCompletionRow *a;

    test_install_tiny_course (other, f->dir);
    import_text (other, exported);
    import_text (other, exported);
    r = report (other, NULL);
    g_assert_cmpuint (r->rows->len, ==, 2);
    g_assert_cmpuint (r->n_completions, ==, 1);
    /* not registered on that PC: the name comes from the records */
    a = find_row (r, sy_learner_get_uuid (f->alice));
    g_assert_cmpstr (a->learner_name, ==, AWKWARD_NAME);
    g_assert_null (a->external_id);
    g_assert_cmpstr (a->device_id, ==, sy_store_get_device_id (f->store));
    g_assert_nonnull (a->course_title);
    {
      /* a pass for a learner this PC knows only from the records */
      g_autofree char *folder = g_build_filename (f->dir, "first-passes", NULL);
      g_autoptr(GPtrArray) written = NULL;
      g_autoptr(GError) error = NULL;

      written = sy_report_write_certificates (other, r->rows, folder, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (written->len, ==, 1);
      g_assert_true (g_file_test (g_ptr_array_index (written, 0), G_FILE_TEST_IS_REGULAR));
    }
    expected = fingerprint (r);
  }

  /* Alice's completion again, as another PC would have recorded it later */
  for (guint i = 0; lines[i]; i++)
    if (strstr (lines[i], "\"http://adlnet.gov/expapi/verbs/completed\"") &&
        strstr (lines[i], "\"https://shuyuan.invalid/xapi/course/tiny\"") &&
        !strstr (lines[i], "/item/"))
      {
        json_object *st = json_tokener_parse (lines[i]);
        g_autofree char *id = g_uuid_string_random ();

        json_object_object_add (st, "id", json_object_new_string (id));
        json_object_object_add (st, "timestamp", json_object_new_string ("2099-01-01T00:00:00Z"));
        second = g_strdup (json_object_to_json_string_ext (st, JSON_C_TO_STRING_PLAIN));
        json_object_put (st);
      }
  g_assert_nonnull (second);

  for (guint round = 0; round < 5; round++)
    {
      g_autofree char *dir = g_strdup_printf ("%s/round-%u", f->dir, round);
      g_autoptr(SyStore) other = open_store (dir);
      g_autoptr(GPtrArray) mixed = g_ptr_array_new ();
      g_autoptr(SyCompletionReport) r = NULL;
      g_autofree char *joined = NULL;
      g_autofree char *got = NULL;

      test_install_tiny_course (other, f->dir);
      for (guint i = 0; lines[i]; i++)
        for (guint k = g_rand_int_range (rand, 1, 4); k > 0; k--)
          g_ptr_array_add (mixed, lines[i]);
      if (round > 0)
        g_ptr_array_add (mixed, second);
      for (guint i = mixed->len; i > 1; i--)
        {
          guint j = g_rand_int_range (rand, 0, i);
          gpointer tmp = mixed->pdata[i - 1];
          mixed->pdata[i - 1] = mixed->pdata[j];
          mixed->pdata[j] = tmp;
        }
      g_ptr_array_add (mixed, NULL);
      joined = g_strjoinv ("\n", (char **) mixed->pdata);
      import_text (other, joined);

      r = report (other, NULL);
      g_assert_cmpuint (r->n_completions, ==, 1);
      g_assert_cmpuint (r->n_passes, ==, 1);
      g_assert_cmpuint (r->rows->len, ==, 2);
      /* the earliest completion counts, whatever arrived first */
      got = fingerprint (r);
      g_assert_cmpstr (got, ==, expected);
    }
}

static void
test_void (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(SyCompletionReport) before = report (f->store, NULL);
  g_autoptr(SyCompletionReport) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *completion = g_strdup (find_row (before, sy_learner_get_uuid (f->alice))->completion_id);
  g_autofree char *voiding = NULL;
  g_autofree char *none = NULL;
  g_autofree char *exported = NULL;
  g_autofree char *random = g_uuid_string_random ();
  SyCompletionRow *a;

  g_assert_cmpuint (before->n_completions, ==, 1);

  /* only a coordinator voids records */
  none = sy_store_void_statement (f->store, completion, sy_learner_get_uuid (f->bob), NULL, &error);
  g_assert_error (error, SY_STORE_ERROR, SY_STORE_ERROR_INVALID);
  g_assert_null (none);
  g_clear_error (&error);
  none = sy_store_void_statement (f->store, random, sy_learner_get_uuid (f->coordinator), NULL,
                                  &error);
  g_assert_error (error, SY_STORE_ERROR, SY_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  voiding = sy_store_void_statement (f->store, completion, sy_learner_get_uuid (f->coordinator),
                                     NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_uuid_string_is_valid (voiding));

  after = report (f->store, NULL);
  g_assert_cmpuint (after->n_completions, ==, 0);
  g_assert_cmpuint (after->n_passes, ==, 0);
  g_assert_cmpfloat (after->credits, ==, 0);
  a = find_row (after, sy_learner_get_uuid (f->alice));
  g_assert_nonnull (a);
  g_assert_cmpint (a->status, ==, SY_STATUS_IN_PROGRESS);
  g_assert_null (a->completion_id);

  /* never twice, and a voiding record is not itself voided */
  none = sy_store_void_statement (f->store, completion, sy_learner_get_uuid (f->coordinator),
                                  NULL, &error);
  g_assert_error (error, SY_STORE_ERROR, SY_STORE_ERROR_INVALID);
  g_clear_error (&error);
  none = sy_store_void_statement (f->store, voiding, sy_learner_get_uuid (f->coordinator), NULL,
                                  &error);
  g_assert_error (error, SY_STORE_ERROR, SY_STORE_ERROR_INVALID);
  g_clear_error (&error);

  /* the voiding record travels: another PC drops the completion too */
  exported = export_all (f->store);
  g_assert_nonnull (strstr (exported, voiding));
  {
    g_autofree char *dir = g_build_filename (f->dir, "other", NULL);
    g_autoptr(SyStore) other = open_store (dir);
    g_autoptr(SyCompletionReport) r = NULL;

    test_install_tiny_course (other, f->dir);
    import_text (other, exported);
    r = report (other, NULL);
    g_assert_cmpuint (r->n_completions, ==, 0);
  }
}

static void
test_filters (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) tomorrow = g_date_time_add_days (now, 1);
  g_autoptr(GDateTime) yesterday = g_date_time_add_days (now, -1);
  g_autofree char *today_s = g_date_time_format (now, "%Y-%m-%d");
  g_autofree char *tomorrow_s = g_date_time_format (tomorrow, "%Y-%m-%d");
  g_autofree char *yesterday_s = g_date_time_format (yesterday, "%Y-%m-%d");
  g_autoptr(GError) error = NULL;
  SyReportFilter filter;

#define COUNT(expected_rows, expected_completions) G_STMT_START {          \
    g_autoptr(SyCompletionReport) r_ = report (f->store, &filter);         \
    g_assert_cmpuint (r_->rows->len, ==, expected_rows);                   \
    g_assert_cmpuint (r_->n_completions, ==, expected_completions);        \
  } G_STMT_END

  sy_report_filter_init (&filter);
  filter.programme = "retail";
  COUNT (2, 1);
  filter.programme = "village-doctor";
  COUNT (0, 0);

  sy_report_filter_init (&filter);
  filter.course_id = "tiny";
  COUNT (2, 1);
  filter.course_id = "nothing-such";
  COUNT (0, 0);

  sy_report_filter_init (&filter);
  filter.status = SY_STATUS_COMPLETED;
  COUNT (1, 1);
  filter.status = SY_STATUS_PASSED;   /* taken as completed */
  COUNT (1, 1);
  filter.status = SY_STATUS_IN_PROGRESS;
  COUNT (1, 0);
  filter.status = SY_STATUS_NOT_STARTED;
  {
    g_autoptr(SyCompletionReport) r = report (f->store, &filter);

    /* Carol, and not the coordinator */
    g_assert_cmpuint (r->rows->len, ==, 1);
    g_assert_cmpstr (((SyCompletionRow *) g_ptr_array_index (r->rows, 0))->learner_uuid, ==,
                     sy_learner_get_uuid (f->carol));
    g_assert_cmpint (((SyCompletionRow *) g_ptr_array_index (r->rows, 0))->status, ==,
                     SY_STATUS_NOT_STARTED);
  }

  sy_report_filter_init (&filter);
  filter.learner_uuid = sy_learner_get_uuid (f->bob);
  COUNT (1, 0);

  sy_report_filter_init (&filter);
  filter.from = today_s;
  filter.to = today_s;
  COUNT (2, 1);
  filter.from = tomorrow_s;
  filter.to = NULL;
  COUNT (0, 0);
  filter.from = NULL;
  filter.to = yesterday_s;
  COUNT (0, 0);
  filter.from = "2000-01-01T00:00:00Z";
  filter.to = "2999-01-01T00:00:00Z";
  filter.status = SY_STATUS_COMPLETED;
  COUNT (1, 1);
#undef COUNT

  sy_report_filter_init (&filter);
  filter.from = "last tuesday";
  g_assert_null (sy_store_report_completions (f->store, &filter, NULL, &error));
  g_assert_error (error, SY_REPORT_ERROR, SY_REPORT_ERROR_INVALID);
}

/* ---- surveys ---- */

#define SURVEY_COURSE "retail-bookkeeping-pricing"
#define SURVEY_ITEM "income-life-survey"

static void
install_sample (SyStore    *store,
                const char *name)
{
  g_autofree char *samples = test_samples_dir ();
  g_autofree char *path = g_build_filename (samples, name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(SyCourse) course = NULL;
  g_autoptr(GError) error = NULL;

  course = sy_store_import (store, file, NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
take_sample_surveys (Fixture *f)
{
  install_sample (f->store, "retail-bookkeeping");
  /* Alice before and after the course; Bob once */
  test_take_survey (f->store, sy_learner_get_uuid (f->alice), SURVEY_COURSE, SURVEY_ITEM,
                    "life-satisfaction", "2", "income-sources", "shop[,]farming",
                    "monthly-income", "1500", "what-would-help", "更多顾客", NULL);
  test_take_survey (f->store, sy_learner_get_uuid (f->alice), SURVEY_COURSE, SURVEY_ITEM,
                    "life-satisfaction", "3", "income-sources", "shop",
                    "monthly-income", "3000", "what-would-help", "小额贷款",
                    "life-satisfaction", "4", NULL);
  test_take_survey (f->store, sy_learner_get_uuid (f->bob), SURVEY_COURSE, SURVEY_ITEM,
                    "life-satisfaction", "4", "income-sources", "migrant",
                    "monthly-income", "2000", "what-would-help", " 更多顾客 ", NULL);
}

static SySurveyQuestion *
find_question (SySurveyReport *s,
               const char     *id)
{
  for (guint i = 0; i < s->questions->len; i++)
    {
      SySurveyQuestion *q = g_ptr_array_index (s->questions, i);
      if (g_str_equal (q->question_id, id))
        return q;
    }
  g_assert_not_reached ();
}

static guint
count (SyAnswerStats *stats,
       const char    *answer)
{
  for (guint i = 0; i < stats->counts->len; i++)
    {
      SyAnswerCount *c = g_ptr_array_index (stats->counts, i);
      if (g_str_equal (c->answer, answer))
        return c->count;
    }
  return 0;
}

static guint
sum_counts (SyAnswerStats *stats)
{
  guint n = 0;

  for (guint i = 0; i < stats->counts->len; i++)
    n += ((SyAnswerCount *) g_ptr_array_index (stats->counts, i))->count;
  return n;
}

static void
test_surveys (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) surveys = NULL;
  g_autoptr(GError) error = NULL;
  SySurveyReport *s;
  SySurveyQuestion *q;

  take_sample_surveys (f);
  surveys = sy_store_report_surveys (f->store, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (surveys->len, ==, 1);
  s = g_ptr_array_index (surveys, 0);
  g_assert_cmpstr (s->course_id, ==, SURVEY_COURSE);
  g_assert_cmpstr (s->item_id, ==, SURVEY_ITEM);
  g_assert_cmpuint (s->n_attempts, ==, 3);
  g_assert_cmpuint (s->n_learners, ==, 2);
  g_assert_cmpuint (s->n_repeated, ==, 1);
  g_assert_cmpuint (s->questions->len, ==, 8);   /* every question of the survey, in order */
  g_assert_cmpstr (((SySurveyQuestion *) g_ptr_array_index (s->questions, 0))->question_id, ==,
                   "life-satisfaction");

  /* Likert: the five steps, the last answer of each attempt ("3" was changed to "4") */
  q = find_question (s, "life-satisfaction");
  g_assert_cmpint (q->type, ==, SY_QUESTION_LIKERT);
  g_assert_cmpuint (q->all->counts->len, ==, 5);
  g_assert_cmpuint (q->all->n_answers, ==, 3);
  g_assert_cmpuint (count (q->all, "2"), ==, 1);
  g_assert_cmpuint (count (q->all, "3"), ==, 0);
  g_assert_cmpuint (count (q->all, "4"), ==, 2);
  g_assert_nonnull (((SyAnswerCount *) g_ptr_array_index (q->all->counts, 0))->label);
  /* before and after: Alice's first and latest attempts */
  g_assert_cmpuint (q->first->n_answers, ==, 1);
  g_assert_cmpuint (count (q->first, "2"), ==, 1);
  g_assert_cmpuint (count (q->latest, "4"), ==, 1);
  g_assert_cmpuint (count (q->latest, "2"), ==, 0);

  /* multiple choice: every option chosen counts */
  q = find_question (s, "income-sources");
  g_assert_cmpint (q->type, ==, SY_QUESTION_CHOICE);
  g_assert_cmpuint (q->all->n_answers, ==, 3);
  g_assert_cmpuint (count (q->all, "shop"), ==, 2);
  g_assert_cmpuint (count (q->all, "farming"), ==, 1);
  g_assert_cmpuint (count (q->all, "migrant"), ==, 1);
  g_assert_cmpuint (count (q->all, "other"), ==, 0);

  /* number: mean, range and a histogram holding every answer */
  q = find_question (s, "monthly-income");
  g_assert_cmpint (q->type, ==, SY_QUESTION_NUMBER);
  g_assert_cmpuint (q->all->n_answers, ==, 3);
  g_assert_cmpfloat_with_epsilon (q->all->mean, 6500.0 / 3, 1e-6);
  g_assert_cmpfloat (q->all->min, ==, 1500);
  g_assert_cmpfloat (q->all->max, ==, 3000);
  g_assert_cmpuint (q->n_buckets, >, 1);
  g_assert_cmpuint (q->all->counts->len, ==, q->n_buckets);
  g_assert_cmpuint (sum_counts (q->all), ==, 3);
  g_assert_cmpuint (((SyAnswerCount *) g_ptr_array_index (q->all->counts, 0))->count, ==, 1);
  g_assert_cmpuint (((SyAnswerCount *) g_ptr_array_index (q->all->counts, q->n_buckets - 1))->count, ==, 1);
  g_assert_cmpfloat (q->first->mean, ==, 1500);
  g_assert_cmpfloat (q->latest->mean, ==, 3000);

  /* free text: the answers, the most frequent first (spaces trimmed) */
  q = find_question (s, "what-would-help");
  g_assert_cmpint (q->type, ==, SY_QUESTION_TEXT);
  g_assert_cmpuint (q->all->counts->len, ==, 2);
  g_assert_cmpstr (((SyAnswerCount *) g_ptr_array_index (q->all->counts, 0))->answer, ==, "更多顾客");
  g_assert_cmpuint (((SyAnswerCount *) g_ptr_array_index (q->all->counts, 0))->count, ==, 2);
  g_assert_cmpuint (count (q->latest, "小额贷款"), ==, 1);

  /* unanswered questions are there, empty */
  q = find_question (s, "hours-per-day");
  g_assert_cmpuint (q->all->n_answers, ==, 0);

  /* one course's surveys; a course without any says so */
  g_clear_pointer (&surveys, g_ptr_array_unref);
  surveys = sy_store_report_surveys (f->store, "tiny", NULL, &error);
  g_assert_error (error, SY_STORE_ERROR, SY_STORE_ERROR_NOT_FOUND);
  g_assert_null (surveys);
}

/* ---- exports ---- */

static void
test_csv (Fixture       *f,
          gconstpointer  data)
{
  g_autoptr(SyCompletionReport) r = report (f->store, NULL);
  g_autoptr(GBytes) csv = sy_report_completions_to_csv (r);
  g_autofree char *path = g_build_filename (f->dir, "completions.csv", NULL);
  g_autofree char *written = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  gsize len, written_len;
  const char *data_ = g_bytes_get_data (csv, &len);
  g_autofree char *text = g_strndup (data_, len);

  /* a BOM, so that Excel and WPS read UTF-8 */
  g_assert_cmpuint (len, >, 3);
  g_assert_cmpmem (data_, 3, "\xEF\xBB\xBF", 3);
  g_assert_true (g_utf8_validate (text + 3, -1, NULL));
  /* CRLF, and no bare line feed */
  for (gsize i = 0; i < len; i++)
    if (data_[i] == '\n')
      g_assert_cmpint (data_[i - 1], ==, '\r');
  g_assert_true (g_str_has_suffix (text, "\r\n"));

  lines = g_strsplit (text + 3, "\r\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 1 + 2 + 1);   /* header, 2 rows, "" */
  g_assert_true (g_str_has_prefix (lines[0], "\"Learner\",\"Registration number\","));
  /* every field quoted, quotes doubled, the comma kept inside, the Chinese intact */
  g_assert_nonnull (strstr (text, "\"王, \"\"小明\"\"\",\"VD-2026-001\","));
  g_assert_nonnull (strstr (text, "\"Bob\",\"\","));
  g_assert_nonnull (strstr (text, ",\"1.1\",\"0\","));

  g_assert_true (sy_report_write_csv (csv, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &written, &written_len, NULL));
  g_assert_cmpmem (written, written_len, data_, len);

  /* survey CSV: one row per answer, Chinese answers intact */
  {
    g_autoptr(GPtrArray) surveys = NULL;
    g_autoptr(GBytes) scsv = NULL;
    g_autofree char *stext = NULL;

    take_sample_surveys (f);
    surveys = sy_store_report_surveys (f->store, NULL, NULL, &error);
    g_assert_no_error (error);
    scsv = sy_report_surveys_to_csv (surveys);
    stext = g_strndup (g_bytes_get_data (scsv, NULL), g_bytes_get_size (scsv));
    g_assert_true (g_str_has_prefix (stext, "\xEF\xBB\xBF\"Course\",\"Survey\",\"Question ID\""));
    /* "更多顾客": 2 of all, none in Alice's first attempt... */
    g_assert_nonnull (strstr (stext, "\"what-would-help\","));
    g_assert_nonnull (strstr (stext, "\"更多顾客\",\"2\",\"1\",\"0\"\r\n"));
    g_assert_nonnull (strstr (stext, "\"Mean\",\"2166.67\",\"1500\",\"3000\"\r\n"));
  }
}

static void
test_xlsx (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(SyCompletionReport) r = report (f->store, NULL);
  g_autoptr(GPtrArray) surveys = NULL;
  g_autofree char *path = g_build_filename (f->dir, "report.xlsx", NULL);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  take_sample_surveys (f);
  surveys = sy_store_report_surveys (f->store, NULL, NULL, &error);
  g_assert_no_error (error);
  ok = sy_report_write_xlsx (r, surveys, path, &error);

#ifdef HAVE_XLSXWRITER
  g_assert_no_error (error);
  g_assert_true (ok);
  {
    struct archive *a = archive_read_new ();
    struct archive_entry *entry;
    gboolean workbook = FALSE;
    guint sheets = 0;

    /* a valid zip with a workbook and a sheet for completions and for the survey */
    archive_read_support_format_zip (a);
    g_assert_cmpint (archive_read_open_filename (a, path, 10240), ==, ARCHIVE_OK);
    while (archive_read_next_header (a, &entry) == ARCHIVE_OK)
      {
        const char *name = archive_entry_pathname (entry);

        workbook = workbook || g_str_equal (name, "xl/workbook.xml");
        if (g_str_has_prefix (name, "xl/worksheets/sheet"))
          sheets++;
        archive_read_data_skip (a);
      }
    archive_read_free (a);
    g_assert_true (workbook);
    g_assert_cmpuint (sheets, ==, 2);
  }
  {
    g_autofree char *part = g_strconcat (path, ".part", NULL);
    g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
  }
#else
  g_assert_false (ok);
  g_assert_error (error, SY_REPORT_ERROR, SY_REPORT_ERROR_NOT_SUPPORTED);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
#endif
}

static void
test_certificates (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(SyCompletionReport) r = NULL;
  g_autoptr(GPtrArray) written = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = g_build_filename (f->dir, "passes", NULL);
  g_autofree char *listing = NULL;
  g_autoptr(SyLearner) other = add_learner (f->store, "Bob", SY_ROLE_LEARNER, NULL);

  /* Bob completes; another Bob too (the same name: the files must not collide) */
  g_free (test_record (f->store, f->bob, "tiny", "q1", SY_ITEM_QUIZ, SY_VERB_PASSED, 60, 1.0));
  g_free (test_record (f->store, f->bob, "tiny", "l1", SY_ITEM_LESSON, SY_VERB_COMPLETED, 60, -1));
  g_free (test_record (f->store, other, "tiny", "l1", SY_ITEM_LESSON, SY_VERB_COMPLETED, 60, -1));
  g_free (test_record (f->store, other, "tiny", "q1", SY_ITEM_QUIZ, SY_VERB_PASSED, 60, 1.0));
  /* and Carol only begins */
  g_free (test_record (f->store, f->carol, "tiny", "l1", SY_ITEM_LESSON, SY_VERB_LAUNCHED, -1, -1));

  r = report (f->store, NULL);
  g_assert_cmpuint (r->rows->len, ==, 4);
  g_assert_cmpuint (r->n_completions, ==, 3);
  written = sy_report_write_certificates (f->store, r->rows, folder, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (written->len, ==, 3);

  listing = test_list_dir (folder);
  g_assert_nonnull (strstr (listing, "王, _小明_ - tiny.pdf\n"));
  g_assert_nonnull (strstr (listing, "Bob - tiny.pdf\n"));
  g_assert_nonnull (strstr (listing, "Bob - tiny - "));
  for (guint i = 0; i < written->len; i++)
    {
      g_autofree char *pdf = NULL;
      gsize len;

      g_assert_true (g_file_get_contents (g_ptr_array_index (written, i), &pdf, &len, NULL));
      g_assert_cmpuint (len, >, 1000);
      g_assert_true (g_str_has_prefix (pdf, "%PDF-"));
    }
  {
    g_auto(GStrv) names = g_strsplit (g_strstrip (listing), "\n", -1);
    g_assert_cmpuint (g_strv_length (names), ==, 3);
  }
}

static void
async_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GAsyncResult **out = user_data;
  *out = g_object_ref (result);
}

static void
test_async (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(SyCompletionReport) r = NULL;
  g_autoptr(GPtrArray) written = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = g_build_filename (f->dir, "async", NULL);
  g_autofree char *voiding = NULL;
  SyReportFilter filter;

  sy_report_filter_init (&filter);
  filter.status = SY_STATUS_COMPLETED;
  sy_store_report_completions_async (f->store, &filter, NULL, async_done, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  r = sy_store_report_completions_finish (f->store, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r->rows->len, ==, 1);
  g_clear_object (&result);

  sy_report_write_certificates_async (f->store, r->rows, folder, NULL, async_done, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  written = sy_report_write_certificates_finish (f->store, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (written->len, ==, 1);
  g_clear_object (&result);

  sy_store_void_statement_async (f->store, ((SyCompletionRow *) g_ptr_array_index (r->rows, 0))->completion_id,
                                 sy_learner_get_uuid (f->coordinator), NULL, async_done, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  voiding = sy_store_void_statement_finish (f->store, result, &error);
  g_assert_no_error (error);
  g_assert_true (g_uuid_string_is_valid (voiding));
}

/* ---- the CLI ---- */

typedef struct
{
  char *out;
  char *err;
  int   status;
} Run;

static void
run_clear (Run *run)
{
  g_free (run->out);
  g_free (run->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

static int
run_cli (Run        *run,
         const char *data_dir,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) envp = g_get_environ ();
  g_autoptr(GError) error = NULL;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (gpointer) g_getenv ("SHUYUAN_CLI"));
  g_ptr_array_add (argv, (gpointer) "--data-dir");
  g_ptr_array_add (argv, (gpointer) data_dir);
  va_start (args, data_dir);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  envp = g_environ_setenv (envp, "LANGUAGE", "en", TRUE);

  run_clear (run);
  g_spawn_sync (NULL, (char **) argv->pdata, envp, G_SPAWN_DEFAULT, NULL, NULL,
                &run->out, &run->err, &run->status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (run->status));
  if (WEXITSTATUS (run->status) != 0)
    g_test_message ("exit %d, stderr: %s", WEXITSTATUS (run->status), run->err);
  return WEXITSTATUS (run->status);
}

static void
test_cli (Fixture       *f,
          gconstpointer  data)
{
  g_auto(Run) run = { 0 };
  g_autofree char *csv_path = g_build_filename (f->dir, "out.csv", NULL);
  g_autofree char *xlsx_path = g_build_filename (f->dir, "out.xlsx", NULL);
  g_autofree char *folder = g_build_filename (f->dir, "certs", NULL);
  g_autofree char *completion = NULL;
  g_autofree char *coordinator = g_strdup (sy_learner_get_uuid (f->coordinator));
  g_autofree char *csv = NULL;
  json_object *obj, *totals, *rows;

  take_sample_surveys (f);
  g_clear_object (&f->store);   /* the CLI opens the data folder itself */

  g_assert_cmpint (run_cli (&run, f->data_dir, "report", "completions", "--format", "json", NULL), ==, 0);
  obj = json_tokener_parse (run.out);
  g_assert_nonnull (obj);
  totals = json_object_object_get (obj, "totals");
  rows = json_object_object_get (obj, "rows");
  g_assert_cmpint (json_object_get_int (json_object_object_get (totals, "completions")), ==, 1);
  g_assert_cmpint (json_object_get_int (json_object_object_get (totals, "learners")), ==, 2);
  g_assert_cmpfloat (json_object_get_double (json_object_object_get (totals, "class_hours")), ==, 3.1);
  g_assert_cmpuint (json_object_array_length (rows), ==, 4);   /* tiny and the survey's course */
  for (guint i = 0; i < json_object_array_length (rows); i++)
    {
      json_object *row = json_object_array_get_idx (rows, i);
      json_object *id = json_object_object_get (row, "completion_id");

      if (id != NULL)
        completion = g_strdup (json_object_get_string (id));
    }
  json_object_put (obj);
  g_assert_nonnull (completion);

  g_assert_cmpint (run_cli (&run, f->data_dir, "report", "completions", "--status", "completed",
                            "--programme", "retail", NULL), ==, 0);
  g_assert_nonnull (strstr (run.out, "王, \"小明\""));
  g_assert_nonnull (strstr (run.out, "1 completions, 1 passes issued, 1 learners"));

  g_assert_cmpint (run_cli (&run, f->data_dir, "report", "completions", "--format", "csv",
                            "-o", csv_path, NULL), ==, 0);
  g_assert_true (g_file_get_contents (csv_path, &csv, NULL, NULL));
  g_assert_true (g_str_has_prefix (csv, "\xEF\xBB\xBF\"Learner\","));
  g_assert_nonnull (strstr (csv, "\r\n"));

  g_assert_cmpint (run_cli (&run, f->data_dir, "report", "surveys", "--format", "json", NULL), ==, 0);
  obj = json_tokener_parse (run.out);
  g_assert_nonnull (obj);
  g_assert_cmpuint (json_object_array_length (obj), ==, 1);
  g_assert_cmpint (json_object_get_int (json_object_object_get (json_object_array_get_idx (obj, 0),
                                                                "repeated")), ==, 1);
  json_object_put (obj);

  g_assert_cmpint (run_cli (&run, f->data_dir, "report", "surveys", NULL), ==, 0);
  g_assert_nonnull (strstr (run.out, "3 attempts by 2 learners"));

#ifdef HAVE_XLSXWRITER
  g_assert_cmpint (run_cli (&run, f->data_dir, "report", "completions", "--format", "xlsx",
                            "-o", xlsx_path, NULL), ==, 0);
  g_assert_true (g_file_test (xlsx_path, G_FILE_TEST_IS_REGULAR));
#else
  g_assert_cmpint (run_cli (&run, f->data_dir, "report", "completions", "--format", "xlsx",
                            "-o", xlsx_path, NULL), ==, 1);
  g_assert_nonnull (strstr (run.err, "XLSX"));
#endif

  g_assert_cmpint (run_cli (&run, f->data_dir, "certificates", "--course", "tiny", "-o", folder,
                            NULL), ==, 0);
  g_assert_nonnull (strstr (run.out, "tiny.pdf"));
  {
    g_autofree char *listing = test_list_dir (folder);
    g_assert_cmpstr (listing, ==, "王, _小明_ - tiny.pdf\n");
  }

  /* usage errors: 2; what the user asked cannot be done: 1 */
  g_assert_cmpint (run_cli (&run, f->data_dir, "report", NULL), ==, 2);
  g_assert_cmpint (run_cli (&run, f->data_dir, "report", "completions", "--format", "pdf", NULL), ==, 2);
  g_assert_cmpint (run_cli (&run, f->data_dir, "report", "completions", "--status", "done", NULL), ==, 2);
  g_assert_cmpint (run_cli (&run, f->data_dir, "report", "completions", "--from", "soon", NULL), ==, 2);
  g_assert_cmpint (run_cli (&run, f->data_dir, "report", "completions", "--format", "xlsx", NULL), ==, 2);
  g_assert_cmpint (run_cli (&run, f->data_dir, "certificates", NULL), ==, 2);
  g_assert_cmpint (run_cli (&run, f->data_dir, "certificates", "--course", "nothing", NULL), ==, 1);
  g_assert_cmpint (run_cli (&run, f->data_dir, "void", completion, NULL), ==, 2);
  g_assert_cmpint (run_cli (&run, f->data_dir, "void", completion, "--by",
                            sy_learner_get_uuid (f->bob), NULL), ==, 1);
  g_assert_nonnull (strstr (run.err, "coordinator"));

  g_assert_cmpint (run_cli (&run, f->data_dir, "void", completion, "--by", coordinator, NULL), ==, 0);
  g_assert_nonnull (strstr (run.out, "Voided"));
  g_assert_cmpint (run_cli (&run, f->data_dir, "report", "completions", "--format", "json", NULL), ==, 0);
  obj = json_tokener_parse (run.out);
  totals = json_object_object_get (obj, "totals");
  g_assert_cmpint (json_object_get_int (json_object_object_get (totals, "completions")), ==, 0);
  json_object_put (obj);
  g_assert_cmpint (run_cli (&run, f->data_dir, "void", completion, "--by", coordinator, NULL), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/report/completions/totals", test_totals);
  ADD ("/report/completions/counted-once", test_counted_once);
  ADD ("/report/completions/void", test_void);
  ADD ("/report/completions/filters", test_filters);
  ADD ("/report/surveys/distributions", test_surveys);
  ADD ("/report/export/csv", test_csv);
  ADD ("/report/export/xlsx", test_xlsx);
  ADD ("/report/certificates", test_certificates);
  ADD ("/report/async", test_async);
  ADD ("/report/cli", test_cli);
#undef ADD

  return g_test_run ();
}

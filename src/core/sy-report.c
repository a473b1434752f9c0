/* sy-report.c — a coordinator's reports over this PC's records
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything here is read from the projections and the statement log in one read
 * transaction, so a report is a function of the set of statements: a completion that
 * arrived twice, over a USB stick and from the hub, or in another order, is one row, and
 * a voided record counts for nothing. Exports are for the tools coordinators have: CSV as
 * Excel and WPS read Chinese text (UTF-8 with a BOM, every field quoted, CRLF), and XLSX
 * through libxlsxwriter when the build has it.
 */
#define G_LOG_DOMAIN "ShuyuanCore"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <json-c/json.h>
#include <math.h>
#include <string.h>
#ifdef HAVE_XLSXWRITER
#include <xlsxwriter.h>
#endif

#include "sy-certificate.h"
#include "sy-i18n.h"
#include "sy-report.h"
#include "sy-statement.h"
#include "sy-store-private.h"
#include "sy-util.h"

G_DEFINE_QUARK (sy-report-error-quark, sy_report_error)

#define VERB_COMPLETED "http://adlnet.gov/expapi/verbs/completed"
#define VERB_ANSWERED  "http://adlnet.gov/expapi/verbs/answered"
#define DEVICE_PATH    "'$.context.extensions.\"" SY_DEVICE_EXTENSION "\"'"
/* How survey choice responses separate option ids (xAPI's "[,]") */
#define RESPONSE_SEPARATOR "[,]"
#define MAX_BUCKETS 10

/* The core links no libm: these are all it needs, for values far below 2^52. */
static double
floor_to_int (double x)
{
  double t = (double) (gint64) x;
  return t > x ? t - 1 : t;
}

static double
round2 (double x)
{
  return floor_to_int (x * 100 + 0.5) / 100;
}

/* ---- the data ---- */

/**
 * sy_report_filter_init:
 *
 * Sets @filter to take every row.
 */
void
sy_report_filter_init (SyReportFilter *filter)
{
  g_return_if_fail (filter != NULL);
  memset (filter, 0, sizeof *filter);
  filter->status = -1;
}

static void
completion_row_free (SyCompletionRow *row)
{
  g_free (row->learner_uuid);
  g_free (row->learner_name);
  g_free (row->external_id);
  g_free (row->device_id);
  g_free (row->course_id);
  g_clear_pointer (&row->course_title, sy_text_unref);
  g_free (row->programme);
  g_free (row->completed);
  g_free (row->last_activity);
  g_free (row->completion_id);
  g_free (row->verification_code);
  g_free (row);
}

void
sy_completion_report_free (SyCompletionReport *report)
{
  if (report == NULL)
    return;
  g_clear_pointer (&report->rows, g_ptr_array_unref);
  g_free (report->generated);
  g_free (report);
}

static void
answer_count_free (SyAnswerCount *count)
{
  g_free (count->answer);
  g_clear_pointer (&count->label, sy_text_unref);
  g_free (count);
}

static void
answer_stats_free (SyAnswerStats *stats)
{
  if (stats == NULL)
    return;
  g_clear_pointer (&stats->counts, g_ptr_array_unref);
  g_free (stats);
}

static void
survey_question_free (SySurveyQuestion *q)
{
  g_free (q->question_id);
  g_clear_pointer (&q->prompt, sy_text_unref);
  g_clear_pointer (&q->unit, sy_text_unref);
  answer_stats_free (q->all);
  answer_stats_free (q->first);
  answer_stats_free (q->latest);
  g_free (q);
}

void
sy_survey_report_free (SySurveyReport *report)
{
  if (report == NULL)
    return;
  g_free (report->course_id);
  g_free (report->item_id);
  g_clear_pointer (&report->course_title, sy_text_unref);
  g_clear_pointer (&report->title, sy_text_unref);
  g_clear_pointer (&report->questions, g_ptr_array_unref);
  g_free (report);
}

/**
 * sy_report_status_display:
 *
 * Returns: a learner's status in a course, as reports show it in the user's language
 */
const char *
sy_report_status_display (SyStatus status)
{
  switch (status)
    {
    case SY_STATUS_NOT_STARTED:
      /* Translators: a learner's status in a course, in a coordinator's report */
      return _("Not started");
    case SY_STATUS_IN_PROGRESS:
      /* Translators: a learner's status in a course, in a coordinator's report */
      return _("In progress");
    case SY_STATUS_COMPLETED:
    case SY_STATUS_PASSED:
    default:
      /* Translators: a learner's status in a course, in a coordinator's report */
      return _("Completed");
    }
}

static const char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  return (const char *) sqlite3_column_text (stmt, column);
}

/* A read transaction: the report sees one state of the store, whatever sync does. */
static gboolean
begin_read (sqlite3  *db,
            GError  **error)
{
  return _sy_store_exec (db, "BEGIN DEFERRED", error);
}

static void
end_read (sqlite3 *db)
{
  _sy_store_exec (db, "COMMIT", NULL);
}

/* ---- completions ---- */

typedef struct
{
  char *programme;
  char *course_id;
  char *learner_uuid;
  char *from;
  char *to;
  int   status;
} FilterCopy;

static FilterCopy *
filter_copy (const SyReportFilter *filter)
{
  FilterCopy *copy = g_new0 (FilterCopy, 1);

  copy->status = -1;
  if (filter == NULL)
    return copy;
  copy->programme = g_strdup (filter->programme);
  copy->course_id = g_strdup (filter->course_id);
  copy->learner_uuid = g_strdup (filter->learner_uuid);
  copy->from = g_strdup (filter->from);
  copy->to = g_strdup (filter->to);
  copy->status = filter->status == SY_STATUS_PASSED ? SY_STATUS_COMPLETED : filter->status;
  return copy;
}

static void
filter_copy_free (FilterCopy *copy)
{
  g_free (copy->programme);
  g_free (copy->course_id);
  g_free (copy->learner_uuid);
  g_free (copy->from);
  g_free (copy->to);
  g_free (copy);
}

/* A bound of the date range: a date is a whole local day (@end: its last instant), a time
 * without a zone is local. */
static GDateTime *
parse_bound (const char  *text,
             gboolean     end,
             GError     **error)
{
  g_autoptr(GTimeZone) local = g_time_zone_new_local ();
  GDateTime *when;
  int y, m, d;
  char extra;

  if ((when = g_date_time_new_from_iso8601 (text, local)))
    return when;
  if (sscanf (text, "%4d-%2d-%2d%c", &y, &m, &d, &extra) == 3 &&
      (when = g_date_time_new_local (y, m, d, 0, 0, 0)))
    {
      if (end)
        {
          GDateTime *last = g_date_time_add (when, G_TIME_SPAN_DAY - 1);
          g_date_time_unref (when);
          return last;
        }
      return when;
    }
  g_set_error (error, SY_REPORT_ERROR, SY_REPORT_ERROR_INVALID,
               _("“%s” is not a date or a time: use a form such as 2026-11-01 or "
                 "2026-11-01T08:00:00Z."), text);
  return NULL;
}

/* Whether the ISO 8601 time @when is in [@from, @to] (either may be %NULL). */
static gboolean
in_range (const char *when,
          GDateTime  *from,
          GDateTime  *to)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) t = NULL;

  if (from == NULL && to == NULL)
    return TRUE;
  if (when == NULL || !(t = g_date_time_new_from_iso8601 (when, utc)))
    return FALSE;
  return (from == NULL || g_date_time_compare (t, from) >= 0) &&
         (to == NULL || g_date_time_compare (t, to) <= 0);
}

static double
studied_class_hours (double seconds,
                     double course_hours,
                     gboolean installed)
{
  /* rounded down to a tenth, as the course page shows it: never more than was studied,
   * nor than the course is worth */
  double hours = floor_to_int (seconds / SY_SECONDS_PER_CLASS_HOUR * 10) / 10;

  return installed ? MIN (hours, course_hours) : hours;
}

/* Everyone who has begun a course, with where they stand. A completion is the earliest
 * completion statement not voided, so the choice does not depend on arrival order. */
#define COMPLETIONS_SQL \
  "WITH pairs AS (" \
  "  SELECT learner_uuid, course_id FROM item_progress " \
  "  WHERE (?1 IS NULL OR course_id = ?1) AND (?2 IS NULL OR learner_uuid = ?2) " \
  "  UNION " \
  "  SELECT learner_uuid, course_id FROM statements " \
  "  WHERE item_id IS NULL AND course_id IS NOT NULL AND voided = 0 " \
  "    AND verb = '" VERB_COMPLETED "' " \
  "    AND (?1 IS NULL OR course_id = ?1) AND (?2 IS NULL OR learner_uuid = ?2)), " \
  "q AS (" \
  "  SELECT p.learner_uuid, p.course_id, " \
  "    (SELECT s.id FROM statements s WHERE s.learner_uuid = p.learner_uuid " \
  "       AND s.course_id = p.course_id AND s.item_id IS NULL AND s.voided = 0 " \
  "       AND s.verb = '" VERB_COMPLETED "' ORDER BY s.timestamp, s.id LIMIT 1) AS completion_id, " \
  "    (SELECT s.id FROM statements s WHERE s.learner_uuid = p.learner_uuid " \
  "       AND s.course_id = p.course_id AND s.voided = 0 " \
  "       ORDER BY s.timestamp DESC, s.id DESC LIMIT 1) AS last_id " \
  "  FROM pairs p) " \
  "SELECT q.learner_uuid, coalesce (l.name, json_extract (ls.json, '$.actor.name'), " \
  "         json_extract (cs.json, '$.actor.name'), q.learner_uuid) AS name, " \
  "  l.external_id, q.course_id, c.title, c.programme, c.class_hours, c.credits, " \
  "  (SELECT count (*) FROM items i WHERE i.course_id = q.course_id), " \
  "  (SELECT count (*) FROM items i JOIN item_progress p ON p.course_id = i.course_id " \
  "     AND p.item_id = i.id AND p.learner_uuid = q.learner_uuid " \
  "   WHERE i.course_id = q.course_id AND p.status >= 2), " \
  "  (SELECT coalesce (sum (p.seconds), 0) FROM item_progress p " \
  "   WHERE p.learner_uuid = q.learner_uuid AND p.course_id = q.course_id), " \
  "  q.completion_id, cs.timestamp, json_extract (cs.json, " DEVICE_PATH "), " \
  "  ls.timestamp, json_extract (ls.json, " DEVICE_PATH "), c.id IS NOT NULL " \
  "FROM q LEFT JOIN learners l ON l.uuid = q.learner_uuid " \
  "  LEFT JOIN courses c ON c.id = q.course_id " \
  "  LEFT JOIN statements cs ON cs.id = q.completion_id " \
  "  LEFT JOIN statements ls ON ls.id = q.last_id " \
  "WHERE (?3 IS NULL OR c.programme = ?3) " \
  "ORDER BY name, q.learner_uuid, c.programme, q.course_id"

/* The learners of this PC who have not begun a course (coordinators are not trained). */
#define NOT_STARTED_SQL \
  "SELECT l.uuid, l.name, l.external_id, c.id, c.title, c.programme, c.class_hours, " \
  "  c.credits, (SELECT count (*) FROM items i WHERE i.course_id = c.id) " \
  "FROM learners l CROSS JOIN courses c " \
  "WHERE l.role != 'coordinator' AND (?1 IS NULL OR c.id = ?1) AND (?2 IS NULL OR l.uuid = ?2) " \
  "  AND (?3 IS NULL OR c.programme = ?3) " \
  "  AND NOT EXISTS (SELECT 1 FROM item_progress p WHERE p.learner_uuid = l.uuid " \
  "    AND p.course_id = c.id) " \
  "  AND NOT EXISTS (SELECT 1 FROM statements s WHERE s.learner_uuid = l.uuid " \
  "    AND s.course_id = c.id AND s.item_id IS NULL AND s.voided = 0 " \
  "    AND s.verb = '" VERB_COMPLETED "') " \
  "ORDER BY l.name, l.uuid, c.programme, c.id"

static void
bind_text_or_null (sqlite3_stmt *stmt,
                   int           index,
                   const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, index);
}

static gboolean
collect_rows (sqlite3      *db,
              FilterCopy   *f,
              GDateTime    *from,
              GDateTime    *to,
              GPtrArray    *rows,
              GError      **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (sqlite3_prepare_v2 (db, COMPLETIONS_SQL, -1, &stmt, NULL) != SQLITE_OK)
    return _sy_store_db_error (db, error);
  bind_text_or_null (stmt, 1, f->course_id);
  bind_text_or_null (stmt, 2, f->learner_uuid);
  bind_text_or_null (stmt, 3, f->programme);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SyCompletionRow *row;
      gboolean installed = sqlite3_column_int (stmt, 16);
      SyStatus status = sqlite3_column_type (stmt, 11) != SQLITE_NULL
                        ? SY_STATUS_COMPLETED : SY_STATUS_IN_PROGRESS;

      if (f->status >= 0 && (int) status != f->status)
        continue;
      if (!in_range (status == SY_STATUS_COMPLETED ? column_text (stmt, 12)
                                                    : column_text (stmt, 14), from, to))
        continue;

      row = g_new0 (SyCompletionRow, 1);
      row->learner_uuid = g_strdup (column_text (stmt, 0));
      row->learner_name = g_strdup (column_text (stmt, 1));
      row->external_id = g_strdup (column_text (stmt, 2));
      row->course_id = g_strdup (column_text (stmt, 3));
      row->course_title = installed ? sy_text_new_from_string (column_text (stmt, 4)) : NULL;
      row->programme = g_strdup (column_text (stmt, 5));
      row->status = status;
      row->n_items = sqlite3_column_int (stmt, 8);
      row->n_done = sqlite3_column_int (stmt, 9);
      row->seconds = sqlite3_column_double (stmt, 10);
      row->last_activity = g_strdup (column_text (stmt, 14));
      if (status == SY_STATUS_COMPLETED)
        {
          row->completion_id = g_strdup (column_text (stmt, 11));
          row->completed = g_strdup (column_text (stmt, 12));
          row->device_id = g_strdup (column_text (stmt, 13));
          row->class_hours = sqlite3_column_double (stmt, 6);
          row->credits = sqlite3_column_double (stmt, 7);
          row->verification_code = sy_certificate_make_code (row->completion_id,
                                                             row->learner_uuid, row->course_id);
        }
      else
        {
          row->device_id = g_strdup (column_text (stmt, 15));
          row->class_hours = studied_class_hours (row->seconds, sqlite3_column_double (stmt, 6),
                                                  installed);
        }
      g_ptr_array_add (rows, row);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return _sy_store_db_error (db, error);
  return TRUE;
}

static gboolean
collect_not_started (sqlite3     *db,
                     FilterCopy  *f,
                     GPtrArray   *rows,
                     GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (sqlite3_prepare_v2 (db, NOT_STARTED_SQL, -1, &stmt, NULL) != SQLITE_OK)
    return _sy_store_db_error (db, error);
  bind_text_or_null (stmt, 1, f->course_id);
  bind_text_or_null (stmt, 2, f->learner_uuid);
  bind_text_or_null (stmt, 3, f->programme);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SyCompletionRow *row = g_new0 (SyCompletionRow, 1);

      row->learner_uuid = g_strdup (column_text (stmt, 0));
      row->learner_name = g_strdup (column_text (stmt, 1));
      row->external_id = g_strdup (column_text (stmt, 2));
      row->course_id = g_strdup (column_text (stmt, 3));
      row->course_title = sy_text_new_from_string (column_text (stmt, 4));
      row->programme = g_strdup (column_text (stmt, 5));
      row->status = SY_STATUS_NOT_STARTED;
      row->n_items = sqlite3_column_int (stmt, 8);
      g_ptr_array_add (rows, row);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return _sy_store_db_error (db, error);
  return TRUE;
}

static gpointer
do_report_completions (SyStore       *self,
                       sqlite3       *db,
                       gpointer       data,
                       GCancellable  *cancellable,
                       GError       **error)
{
  FilterCopy *f = data;
  g_autoptr(SyCompletionReport) report = g_new0 (SyCompletionReport, 1);
  g_autoptr(GDateTime) from = NULL;
  g_autoptr(GDateTime) to = NULL;
  g_autoptr(GHashTable) learners = g_hash_table_new (g_str_hash, g_str_equal);
  gboolean ok;

  REQUIRE_OPEN (db, error);

  if ((f->from && !(from = parse_bound (f->from, FALSE, error))) ||
      (f->to && !(to = parse_bound (f->to, TRUE, error))))
    return NULL;

  report->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) completion_row_free);
  report->generated = _sy_store_now ();

  if (!begin_read (db, error))
    return NULL;
  if (f->status == SY_STATUS_NOT_STARTED)
    ok = collect_not_started (db, f, report->rows, error);
  else
    ok = collect_rows (db, f, from, to, report->rows, error);
  end_read (db);
  if (!ok)
    return NULL;

  for (guint i = 0; i < report->rows->len; i++)
    {
      SyCompletionRow *row = g_ptr_array_index (report->rows, i);

      g_hash_table_add (learners, row->learner_uuid);
      report->class_hours += row->class_hours;
      report->credits += row->credits;
      if (row->status == SY_STATUS_COMPLETED)
        report->n_completions++;
      if (row->completion_id != NULL)
        report->n_passes++;
    }
  report->n_learners = g_hash_table_size (learners);
  return g_steal_pointer (&report);
}

/**
 * sy_store_report_completions:
 * @filter: (nullable): which rows; %NULL for all
 *
 * Makes the completion report of this PC's records: one row per learner and course they
 * have begun (or, filtering on %SY_STATUS_NOT_STARTED, have not), with totals.
 *
 * Returns: (transfer full): the report, or %NULL with @error set (%SY_REPORT_ERROR_INVALID
 *   for a date that cannot be read)
 */
SyCompletionReport *
sy_store_report_completions (SyStore               *store,
                             const SyReportFilter  *filter,
                             GCancellable          *cancellable,
                             GError               **error)
{
  g_return_val_if_fail (SY_IS_STORE (store), NULL);
  return _sy_store_run (store, do_report_completions, filter_copy (filter),
                        (GDestroyNotify) filter_copy_free,
                        (GDestroyNotify) sy_completion_report_free, cancellable, error);
}

void
sy_store_report_completions_async (SyStore              *store,
                                   const SyReportFilter *filter,
                                   GCancellable         *cancellable,
                                   GAsyncReadyCallback   callback,
                                   gpointer              user_data)
{
  g_return_if_fail (SY_IS_STORE (store));
  _sy_store_queue (store, do_report_completions, filter_copy (filter),
                   (GDestroyNotify) filter_copy_free, (GDestroyNotify) sy_completion_report_free,
                   sy_store_report_completions_async, cancellable, callback, user_data);
}

SyCompletionReport *
sy_store_report_completions_finish (SyStore       *store,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  return _sy_store_finish (store, result, sy_store_report_completions_async, error);
}

/* ---- surveys ---- */

typedef struct
{
  char       *learner_uuid;
  GHashTable *answers;   /* question id → the attempt's last response */
} AttemptAnswers;

static void
attempt_answers_free (AttemptAnswers *a)
{
  g_free (a->learner_uuid);
  g_hash_table_unref (a->answers);
  g_free (a);
}

static gboolean
parse_number (const char *text,
              double     *value)
{
  char *end = NULL;

  if (text == NULL || *text == '\0')
    return FALSE;
  errno = 0;
  *value = g_ascii_strtod (text, &end);
  return errno == 0 && end != text && *end == '\0' && isfinite (*value);
}

static SyAnswerStats *
answer_stats_new (void)
{
  SyAnswerStats *stats = g_new0 (SyAnswerStats, 1);

  stats->counts = g_ptr_array_new_with_free_func ((GDestroyNotify) answer_count_free);
  return stats;
}

static SyAnswerCount *
add_count (GPtrArray  *counts,
           const char *answer,
           SyText     *label)
{
  SyAnswerCount *c = g_new0 (SyAnswerCount, 1);

  c->answer = g_strdup (answer);
  c->label = label ? sy_text_ref (label) : NULL;
  g_ptr_array_add (counts, c);
  return c;
}

static SyAnswerCount *
find_count (GPtrArray  *counts,
            const char *answer)
{
  for (guint i = 0; i < counts->len; i++)
    {
      SyAnswerCount *c = g_ptr_array_index (counts, i);
      if (g_str_equal (c->answer, answer))
        return c;
    }
  return NULL;
}

static char *
format_number (double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup (g_ascii_formatd (buf, sizeof buf, "%g", round2 (value)));
}

static char *
bucket_label (const SySurveyQuestion *sq,
              guint                   i)
{
  double lo = sq->bucket_start + i * sq->bucket_width;
  g_autofree char *a = format_number (lo);
  g_autofree char *b = NULL;

  if (sq->bucket_width == 1 && lo == floor_to_int (lo))
    return g_steal_pointer (&a);
  b = format_number (lo + sq->bucket_width);
  return g_strdup_printf ("%s–%s", a, b);
}

/* The buckets of a number question's histogram, from all its answers. */
static void
choose_buckets (SySurveyQuestion *sq,
                GPtrArray        *attempts)
{
  double lo = G_MAXDOUBLE, hi = -G_MAXDOUBLE, x;
  gboolean integral = TRUE;
  guint n = 0;

  for (guint i = 0; i < attempts->len; i++)
    {
      AttemptAnswers *a = g_ptr_array_index (attempts, i);

      if (!parse_number (g_hash_table_lookup (a->answers, sq->question_id), &x))
        continue;
      lo = MIN (lo, x);
      hi = MAX (hi, x);
      integral = integral && x == floor_to_int (x);
      n++;
    }
  if (n == 0)
    return;
  if (integral && hi - lo < 12)
    {
      sq->bucket_start = lo;
      sq->bucket_width = 1;
      sq->n_buckets = (guint) (hi - lo) + 1;
    }
  else
    {
      sq->bucket_start = lo;
      sq->bucket_width = (hi - lo) / MAX_BUCKETS;
      sq->n_buckets = MAX_BUCKETS;
    }
}

static int
compare_counts (gconstpointer pa,
                gconstpointer pb)
{
  const SyAnswerCount *a = *(SyAnswerCount * const *) pa;
  const SyAnswerCount *b = *(SyAnswerCount * const *) pb;

  return a->count == b->count ? 0 : a->count > b->count ? -1 : 1;
}

static SyAnswerStats *
compute_stats (SySurveyQuestion *sq,
               SyQuestion       *q,
               GPtrArray        *attempts)
{
  SyAnswerStats *stats = answer_stats_new ();
  double sum = 0;

  if (q != NULL && (sq->type == SY_QUESTION_LIKERT || sq->type == SY_QUESTION_CHOICE))
    for (guint i = 0; i < q->options->len; i++)
      {
        SyOption *o = g_ptr_array_index (q->options, i);
        add_count (stats->counts, o->id, o->text);
      }
  if (sq->type == SY_QUESTION_NUMBER)
    for (guint i = 0; i < sq->n_buckets; i++)
      {
        g_autofree char *label = bucket_label (sq, i);
        add_count (stats->counts, label, NULL);
      }

  for (guint i = 0; i < attempts->len; i++)
    {
      AttemptAnswers *a = g_ptr_array_index (attempts, i);
      const char *response = g_hash_table_lookup (a->answers, sq->question_id);

      if (response == NULL)
        continue;
      switch (sq->type)
        {
        case SY_QUESTION_LIKERT:
        case SY_QUESTION_CHOICE:
          {
            g_auto(GStrv) ids = g_strsplit (response, RESPONSE_SEPARATOR, -1);

            for (guint j = 0; ids[j]; j++)
              {
                SyAnswerCount *c = find_count (stats->counts, ids[j]);
                if (c == NULL)
                  c = add_count (stats->counts, ids[j], NULL);   /* an option since removed */
                c->count++;
              }
            stats->n_answers++;
          }
          break;

        case SY_QUESTION_NUMBER:
          {
            double x;
            guint bucket;

            if (!parse_number (response, &x))
              continue;
            if (stats->n_answers == 0)
              stats->min = stats->max = x;
            stats->min = MIN (stats->min, x);
            stats->max = MAX (stats->max, x);
            sum += x;
            stats->n_answers++;
            if (sq->n_buckets > 0)
              {
                double k = sq->bucket_width > 0 ? floor_to_int ((x - sq->bucket_start) / sq->bucket_width) : 0;
                bucket = (guint) CLAMP (k, 0, sq->n_buckets - 1);
                ((SyAnswerCount *) g_ptr_array_index (stats->counts, bucket))->count++;
              }
          }
          break;

        default:
          {
            g_autofree char *text = g_strstrip (g_strdup (response));
            SyAnswerCount *c;

            if (text[0] == '\0')
              continue;
            if (!(c = find_count (stats->counts, text)))
              c = add_count (stats->counts, text, NULL);
            c->count++;
            stats->n_answers++;
          }
          break;
        }
    }
  if (sq->type == SY_QUESTION_NUMBER && stats->n_answers > 0)
    stats->mean = sum / stats->n_answers;
  if (sq->type == SY_QUESTION_TEXT)
    g_ptr_array_sort (stats->counts, compare_counts);   /* stable: first answered first */
  return stats;
}

typedef struct
{
  char   *course_id;
  char   *item_id;
  SyText *course_title;
  SyText *title;
  char   *path;
} SurveyItem;

static void
survey_item_free (SurveyItem *s)
{
  g_free (s->course_id);
  g_free (s->item_id);
  g_clear_pointer (&s->course_title, sy_text_unref);
  g_clear_pointer (&s->title, sy_text_unref);
  g_free (s->path);
  g_free (s);
}

/* The attempts at a survey, in the order they began, each with its last answers. */
static GPtrArray *
load_attempts (sqlite3     *db,
               SurveyItem  *item,
               GError     **error)
{
  g_autoptr(GPtrArray) attempts = g_ptr_array_new_with_free_func ((GDestroyNotify) attempt_answers_free);
  g_autoptr(GHashTable) by_registration = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  sqlite3_stmt *stmt;
  int rc;

  if (sqlite3_prepare_v2 (db, "SELECT learner_uuid, registration, question_id, "
                              "  json_extract (json, '$.result.response') "
                              "FROM statements WHERE course_id = ?1 AND item_id = ?2 "
                              "  AND voided = 0 AND verb = '" VERB_ANSWERED "' "
                              "  AND question_id IS NOT NULL AND registration IS NOT NULL "
                              "ORDER BY timestamp, id", -1, &stmt, NULL) != SQLITE_OK)
    return (_sy_store_db_error (db, error), NULL);
  sqlite3_bind_text (stmt, 1, item->course_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, item->item_id, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *registration = column_text (stmt, 1);
      AttemptAnswers *a;

      if (sqlite3_column_type (stmt, 3) == SQLITE_NULL)
        continue;
      if (!(a = g_hash_table_lookup (by_registration, registration)))
        {
          a = g_new0 (AttemptAnswers, 1);
          a->learner_uuid = g_strdup (column_text (stmt, 0));
          a->answers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
          g_hash_table_insert (by_registration, g_strdup (registration), a);
          g_ptr_array_add (attempts, a);
        }
      /* later answers to a question replace earlier ones */
      g_hash_table_insert (a->answers, g_strdup (column_text (stmt, 2)),
                           g_strdup (column_text (stmt, 3)));
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return (_sy_store_db_error (db, error), NULL);
  return g_steal_pointer (&attempts);
}

static void
add_question (SySurveyReport *report,
              SyQuestion     *q,
              const char     *question_id,
              GPtrArray      *attempts,
              GPtrArray      *first,
              GPtrArray      *latest)
{
  SySurveyQuestion *sq = g_new0 (SySurveyQuestion, 1);

  sq->question_id = g_strdup (question_id);
  sq->type = q ? q->type : SY_QUESTION_TEXT;
  if (sq->type != SY_QUESTION_LIKERT && sq->type != SY_QUESTION_CHOICE &&
      sq->type != SY_QUESTION_NUMBER)
    sq->type = SY_QUESTION_TEXT;
  sq->prompt = q && q->prompt ? sy_text_ref (q->prompt) : NULL;
  sq->unit = q && q->unit ? sy_text_ref (q->unit) : NULL;
  if (sq->type == SY_QUESTION_NUMBER)
    choose_buckets (sq, attempts);
  sq->all = compute_stats (sq, q, attempts);
  sq->first = compute_stats (sq, q, first);
  sq->latest = compute_stats (sq, q, latest);
  g_ptr_array_add (report->questions, sq);
}

static SySurveyReport *
make_survey_report (SurveyItem  *item,
                    GPtrArray   *attempts)
{
  g_autoptr(SySurveyReport) report = g_new0 (SySurveyReport, 1);
  g_autoptr(GPtrArray) first = g_ptr_array_new ();
  g_autoptr(GPtrArray) latest = g_ptr_array_new ();
  g_autoptr(GHashTable) by_learner = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) learner_order = g_ptr_array_new ();
  g_autoptr(SyQuiz) quiz = NULL;
  g_autoptr(GError) local = NULL;

  report->course_id = g_strdup (item->course_id);
  report->item_id = g_strdup (item->item_id);
  report->course_title = sy_text_ref (item->course_title);
  report->title = sy_text_ref (item->title);
  report->questions = g_ptr_array_new_with_free_func ((GDestroyNotify) survey_question_free);
  report->n_attempts = attempts->len;

  /* each learner's attempts, oldest first */
  for (guint i = 0; i < attempts->len; i++)
    {
      AttemptAnswers *a = g_ptr_array_index (attempts, i);
      GPtrArray *mine = g_hash_table_lookup (by_learner, a->learner_uuid);

      if (mine == NULL)
        {
          mine = g_ptr_array_new ();
          g_hash_table_insert (by_learner, a->learner_uuid, mine);
          g_ptr_array_add (learner_order, mine);
        }
      g_ptr_array_add (mine, a);
    }
  report->n_learners = learner_order->len;
  for (guint i = 0; i < learner_order->len; i++)
    {
      GPtrArray *mine = g_ptr_array_index (learner_order, i);

      if (mine->len >= 2)
        {
          report->n_repeated++;
          g_ptr_array_add (first, g_ptr_array_index (mine, 0));
          g_ptr_array_add (latest, g_ptr_array_index (mine, mine->len - 1));
        }
      g_ptr_array_unref (mine);
    }

  if (!(quiz = sy_quiz_load (item->path, TRUE, &local)))
    {
      /* the answers still count, as free text under their question ids */
      g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

      g_warning ("The survey %s/%s cannot be read: %s", item->course_id, item->item_id,
                 local->message);
      for (guint i = 0; i < attempts->len; i++)
        {
          AttemptAnswers *a = g_ptr_array_index (attempts, i);
          g_autoptr(GList) keys = g_hash_table_get_keys (a->answers);

          keys = g_list_sort (keys, (GCompareFunc) g_strcmp0);
          for (GList *l = keys; l; l = l->next)
            if (g_hash_table_add (seen, l->data))
              add_question (report, NULL, l->data, attempts, first, latest);
        }
      return g_steal_pointer (&report);
    }

  for (guint i = 0; i < sy_quiz_get_n_questions (quiz); i++)
    {
      SyQuestion *q = sy_quiz_get_question (quiz, i);
      add_question (report, q, q->id, attempts, first, latest);
    }
  return g_steal_pointer (&report);
}

static gpointer
do_report_surveys (SyStore       *self,
                   sqlite3       *db,
                   gpointer       data,
                   GCancellable  *cancellable,
                   GError       **error)
{
  const char *course_id = data;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) survey_item_free);
  g_autoptr(GPtrArray) reports = g_ptr_array_new_with_free_func ((GDestroyNotify) sy_survey_report_free);
  sqlite3_stmt *stmt;
  int rc;

  REQUIRE_OPEN (db, error);
  if (!begin_read (db, error))
    return NULL;

  if (sqlite3_prepare_v2 (db, "SELECT i.course_id, i.id, c.title, i.title, i.file, c.content_dir "
                              "FROM items i JOIN courses c ON c.id = i.course_id "
                              "JOIN modules m ON m.course_id = i.course_id AND m.id = i.module_id "
                              "WHERE i.type = 'survey' AND (?1 IS NULL OR i.course_id = ?1) "
                              "ORDER BY c.programme, c.id, m.position, i.position",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      _sy_store_db_error (db, error);
      end_read (db);
      return NULL;
    }
  bind_text_or_null (stmt, 1, course_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SurveyItem *s = g_new0 (SurveyItem, 1);
      g_autoptr(SyText) file = sy_text_new_from_string (column_text (stmt, 4));
      g_autofree char *dir = _sy_store_content_path (self, column_text (stmt, 5));

      s->course_id = g_strdup (column_text (stmt, 0));
      s->item_id = g_strdup (column_text (stmt, 1));
      s->course_title = sy_text_new_from_string (column_text (stmt, 2));
      s->title = sy_text_new_from_string (column_text (stmt, 3));
      s->path = g_build_filename (dir, sy_text_get (file, NULL), NULL);
      g_ptr_array_add (items, s);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      _sy_store_db_error (db, error);
      end_read (db);
      return NULL;
    }

  for (guint i = 0; i < items->len; i++)
    {
      SurveyItem *s = g_ptr_array_index (items, i);
      g_autoptr(GPtrArray) attempts = load_attempts (db, s, error);

      if (attempts == NULL)
        {
          end_read (db);
          return NULL;
        }
      g_ptr_array_add (reports, make_survey_report (s, attempts));
    }
  end_read (db);

  if (course_id != NULL && items->len == 0)
    {
      g_set_error (error, SY_STORE_ERROR, SY_STORE_ERROR_NOT_FOUND,
                   _("There is no survey in a course “%s” on this PC."), course_id);
      return NULL;
    }
  return g_steal_pointer (&reports);
}

/**
 * sy_store_report_surveys:
 * @course_id: (nullable): only this course's surveys
 *
 * Makes the survey report of this PC's records: per survey and question, the distribution
 * of the last answer of each attempt, and first against latest attempt for the learners
 * who took the survey twice or more.
 *
 * Returns: (transfer full) (element-type SySurveyReport): one per survey installed
 */
GPtrArray *
sy_store_report_surveys (SyStore       *store,
                         const char    *course_id,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_return_val_if_fail (SY_IS_STORE (store), NULL);
  return _sy_store_run (store, do_report_surveys, g_strdup (course_id), g_free,
                        (GDestroyNotify) g_ptr_array_unref, cancellable, error);
}

void
sy_store_report_surveys_async (SyStore             *store,
                               const char          *course_id,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (SY_IS_STORE (store));
  _sy_store_queue (store, do_report_surveys, g_strdup (course_id), g_free,
                   (GDestroyNotify) g_ptr_array_unref, sy_store_report_surveys_async,
                   cancellable, callback, user_data);
}

GPtrArray *
sy_store_report_surveys_finish (SyStore       *store,
                                GAsyncResult  *result,
                                GError       **error)
{
  return _sy_store_finish (store, result, sy_store_report_surveys_async, error);
}

/* ---- voiding ---- */

typedef struct
{
  char *statement_id;
  char *voider_uuid;
} VoidArgs;

static void
void_args_free (VoidArgs *a)
{
  g_free (a->statement_id);
  g_free (a->voider_uuid);
  g_free (a);
}

static VoidArgs *
void_args_new (const char *statement_id,
               const char *voider_uuid)
{
  VoidArgs *a = g_new0 (VoidArgs, 1);

  a->statement_id = g_ascii_strdown (statement_id, -1);
  a->voider_uuid = g_strdup (voider_uuid);
  return a;
}

static gpointer
do_void_statement (SyStore       *self,
                   sqlite3       *db,
                   gpointer       data,
                   GCancellable  *cancellable,
                   GError       **error)
{
  VoidArgs *a = data;
  g_autofree char *verb = NULL;
  g_autofree char *role = NULL;
  g_autofree char *id = NULL;
  gboolean found = FALSE, voided = FALSE;
  sqlite3_stmt *stmt;
  SyEvent event;
  int rc;

  REQUIRE_OPEN (db, error);

  if (!_sy_store_exec (db, "BEGIN IMMEDIATE", error))
    return NULL;

  if (sqlite3_prepare_v2 (db, "SELECT role FROM learners WHERE uuid = ?", -1, &stmt, NULL) != SQLITE_OK)
    goto db_fail;
  sqlite3_bind_text (stmt, 1, a->voider_uuid, -1, SQLITE_STATIC);
  if ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    role = g_strdup (column_text (stmt, 0));
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    goto db_fail;
  if (role == NULL)
    {
      g_set_error (error, SY_STORE_ERROR, SY_STORE_ERROR_NOT_FOUND,
                   _("There is no learner “%s” on this PC."), a->voider_uuid);
      goto fail;
    }
  if (!g_str_equal (role, "coordinator"))
    {
      g_set_error_literal (error, SY_STORE_ERROR, SY_STORE_ERROR_INVALID,
                           _("Only a coordinator can void a record. Give the UUID of a "
                             "coordinator of this PC."));
      goto fail;
    }

  if (sqlite3_prepare_v2 (db, "SELECT verb, voided FROM statements WHERE id = ?", -1, &stmt,
                          NULL) != SQLITE_OK)
    goto db_fail;
  sqlite3_bind_text (stmt, 1, a->statement_id, -1, SQLITE_STATIC);
  if ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      found = TRUE;
      verb = g_strdup (column_text (stmt, 0));
      voided = sqlite3_column_int (stmt, 1);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    goto db_fail;
  if (!found)
    {
      g_set_error (error, SY_STORE_ERROR, SY_STORE_ERROR_NOT_FOUND,
                   _("There is no record “%s” on this PC."), a->statement_id);
      goto fail;
    }
  if (sy_verb_from_iri (verb) == SY_VERB_VOIDED)
    {
      g_set_error (error, SY_STORE_ERROR, SY_STORE_ERROR_INVALID,
                   _("The record “%s” voids another one, and cannot itself be voided."),
                   a->statement_id);
      goto fail;
    }
  if (voided)
    {
      g_set_error (error, SY_STORE_ERROR, SY_STORE_ERROR_INVALID,
                   _("The record “%s” is already voided."), a->statement_id);
      goto fail;
    }

  /* a statement that says so, never an edit: it travels like any other, and every PC
   * and the hub drop the record from their projections when it arrives */
  sy_event_init (&event);
  event.learner_uuid = a->voider_uuid;
  event.verb = SY_VERB_VOIDED;
  event.voids = a->statement_id;
  if (!(id = _sy_store_insert_event (self, db, &event, error)) ||
      !_sy_store_exec (db, "COMMIT", error))
    goto fail;
  return g_steal_pointer (&id);

db_fail:
  _sy_store_db_error (db, error);
fail:
  _sy_store_exec (db, "ROLLBACK", NULL);
  return NULL;
}

/**
 * sy_store_void_statement:
 * @statement_id: the wrong record
 * @voider_uuid: the coordinator who voids it (a learner of this PC with that role)
 *
 * Voids a record with a voiding statement (records are never edited): the learner's
 * progress and the reports no longer count it, here and wherever the voiding statement
 * travels. Voiding a course's completion statement withdraws the completion and its pass.
 *
 * Returns: (transfer full): the voiding statement's id, or %NULL with @error set
 *   (%SY_STORE_ERROR_NOT_FOUND: no such record or coordinator; %SY_STORE_ERROR_INVALID:
 *   not a coordinator, a voiding statement, or already voided)
 */
char *
sy_store_void_statement (SyStore       *store,
                         const char    *statement_id,
                         const char    *voider_uuid,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_return_val_if_fail (SY_IS_STORE (store), NULL);
  g_return_val_if_fail (statement_id != NULL && voider_uuid != NULL, NULL);
  return _sy_store_run (store, do_void_statement, void_args_new (statement_id, voider_uuid),
                        (GDestroyNotify) void_args_free, g_free, cancellable, error);
}

void
sy_store_void_statement_async (SyStore             *store,
                               const char          *statement_id,
                               const char          *voider_uuid,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (SY_IS_STORE (store));
  g_return_if_fail (statement_id != NULL && voider_uuid != NULL);
  _sy_store_queue (store, do_void_statement, void_args_new (statement_id, voider_uuid),
                   (GDestroyNotify) void_args_free, g_free, sy_store_void_statement_async,
                   cancellable, callback, user_data);
}

char *
sy_store_void_statement_finish (SyStore       *store,
                                GAsyncResult  *result,
                                GError       **error)
{
  return _sy_store_finish (store, result, sy_store_void_statement_async, error);
}

/* ---- tables: what the CSV and XLSX exports share ---- */

typedef struct
{
  char     *text;      /* NULL: empty, or a number */
  double    number;
  gboolean  is_number;
} Cell;

typedef struct
{
  GPtrArray *header;   /* char * */
  GPtrArray *rows;     /* GArray of Cell */
  gboolean   has_totals;
} Table;

static void
cells_free (GArray *cells)
{
  for (guint i = 0; i < cells->len; i++)
    g_free (g_array_index (cells, Cell, i).text);
  g_array_unref (cells);
}

static Table *
table_new (void)
{
  Table *t = g_new0 (Table, 1);

  t->header = g_ptr_array_new_with_free_func (g_free);
  t->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) cells_free);
  return t;
}

static void
table_free (Table *t)
{
  g_ptr_array_unref (t->header);
  g_ptr_array_unref (t->rows);
  g_free (t);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Table, table_free)

static GArray *
table_add_row (Table *t)
{
  GArray *row = g_array_new (FALSE, TRUE, sizeof (Cell));

  g_ptr_array_add (t->rows, row);
  return row;
}

static void
cell_text (GArray     *row,
           const char *text)
{
  Cell c = { g_strdup (text), 0, FALSE };
  g_array_append_val (row, c);
}

static void
cell_take (GArray *row,
           char   *text)
{
  Cell c = { text, 0, FALSE };
  g_array_append_val (row, c);
}

static void
cell_number (GArray *row,
             double  number)
{
  Cell c = { NULL, round2 (number), TRUE };
  g_array_append_val (row, c);
}

/* An ISO 8601 time as a local "2026-11-23 16:30", which spreadsheets read as a time. */
static char *
local_time (const char *iso)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) t = iso ? g_date_time_new_from_iso8601 (iso, utc) : NULL;
  g_autoptr(GDateTime) local = NULL;

  if (t == NULL)
    return g_strdup (iso);
  local = g_date_time_to_local (t);
  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}

static const char *
text_or (SyText     *text,
         const char *fallback)
{
  const char *s = text ? sy_text_get (text, NULL) : NULL;
  return s ? s : fallback;
}

static Table *
completions_table (const SyCompletionReport *report,
                   gboolean                  totals)
{
  Table *t = table_new ();
  const char *header[] = {
    /* Translators: column headings of a coordinator's completion report (CSV, XLSX) */
    N_("Learner"), N_("Registration number"), N_("Learner ID"), N_("Programme"),
    N_("Course"), N_("Course ID"), N_("Status"), N_("Items done"), N_("Items"),
    N_("Class hours"), N_("Credits"), N_("Completed"), N_("Last activity"),
    N_("Recorded on PC"), N_("Pass issued"), N_("Verification code"),
  };

  for (guint i = 0; i < G_N_ELEMENTS (header); i++)
    g_ptr_array_add (t->header, g_strdup (_(header[i])));

  for (guint i = 0; i < report->rows->len; i++)
    {
      SyCompletionRow *r = g_ptr_array_index (report->rows, i);
      GArray *row = table_add_row (t);

      cell_text (row, r->learner_name);
      cell_text (row, r->external_id);
      cell_text (row, r->learner_uuid);
      cell_text (row, r->programme ? sy_programme_display_name (r->programme) : NULL);
      cell_text (row, text_or (r->course_title, r->course_id));
      cell_text (row, r->course_id);
      cell_text (row, sy_report_status_display (r->status));
      cell_number (row, r->n_done);
      cell_number (row, r->n_items);
      cell_number (row, r->class_hours);
      cell_number (row, r->credits);
      cell_take (row, local_time (r->completed));
      cell_take (row, local_time (r->last_activity));
      cell_text (row, r->device_id);
      /* Translators: whether a pass (certificate) can be issued, in a report's column */
      cell_text (row, r->completion_id ? _("Yes") : _("No"));
      cell_text (row, r->verification_code);
    }

  if (totals)
    {
      GArray *row = table_add_row (t);

      t->has_totals = TRUE;
      /* Translators: the last row of a report, with the sums */
      cell_text (row, _("Total"));
      cell_text (row, NULL);
      cell_take (row, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u learner", "%u learners",
                                                    report->n_learners), report->n_learners));
      cell_text (row, NULL);
      cell_text (row, NULL);
      cell_text (row, NULL);
      cell_take (row, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u completed", "%u completed",
                                                    report->n_completions),
                                       report->n_completions));
      cell_text (row, NULL);
      cell_text (row, NULL);
      cell_number (row, report->class_hours);
      cell_number (row, report->credits);
      cell_text (row, NULL);
      cell_text (row, NULL);
      cell_text (row, NULL);
      cell_take (row, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u pass", "%u passes",
                                                    report->n_passes), report->n_passes));
      cell_text (row, NULL);
    }
  return t;
}

static guint
count_of (SyAnswerStats *stats,
          const char    *answer)
{
  SyAnswerCount *c = find_count (stats->counts, answer);
  return c ? c->count : 0;
}

/* One row: [course, survey,] question id, question, answer, then all/first/latest. */
static GArray *
survey_row (Table          *t,
            SySurveyReport *s,
            SySurveyQuestion *q,
            gboolean        with_survey,
            const char     *answer)
{
  GArray *row = table_add_row (t);

  if (with_survey)
    {
      cell_text (row, text_or (s->course_title, s->course_id));
      cell_text (row, text_or (s->title, s->item_id));
    }
  cell_text (row, q->question_id);
  cell_text (row, text_or (q->prompt, q->question_id));
  cell_text (row, answer);
  return row;
}

static void
survey_values (GArray        *row,
               gboolean       repeated,
               double         all,
               double         first,
               double         latest)
{
  cell_number (row, all);
  if (repeated)
    {
      cell_number (row, first);
      cell_number (row, latest);
    }
  else
    {
      cell_text (row, NULL);
      cell_text (row, NULL);
    }
}

static void
add_survey_rows (Table          *t,
                 SySurveyReport *s,
                 gboolean        with_survey)
{
  gboolean repeated = s->n_repeated > 0;

  for (guint i = 0; i < s->questions->len; i++)
    {
      SySurveyQuestion *q = g_ptr_array_index (s->questions, i);

      /* Translators: a row of a survey report: how many answered the question */
      survey_values (survey_row (t, s, q, with_survey, _("Answers")), repeated,
                     q->all->n_answers, q->first->n_answers, q->latest->n_answers);
      if (q->type == SY_QUESTION_NUMBER && q->all->n_answers > 0)
        {
          /* Translators: rows of a survey report: the mean, lowest and highest answer */
          survey_values (survey_row (t, s, q, with_survey, _("Mean")), repeated,
                         q->all->mean, q->first->mean, q->latest->mean);
          survey_values (survey_row (t, s, q, with_survey, _("Lowest")), repeated,
                         q->all->min, q->first->min, q->latest->min);
          survey_values (survey_row (t, s, q, with_survey, _("Highest")), repeated,
                         q->all->max, q->first->max, q->latest->max);
        }
      for (guint j = 0; j < q->all->counts->len; j++)
        {
          SyAnswerCount *c = g_ptr_array_index (q->all->counts, j);

          survey_values (survey_row (t, s, q, with_survey, text_or (c->label, c->answer)),
                         repeated, c->count, count_of (q->first, c->answer),
                         count_of (q->latest, c->answer));
        }
    }
}

static void
survey_header (Table    *t,
               gboolean  with_survey)
{
  if (with_survey)
    {
      /* Translators: column headings of a survey report (CSV, XLSX) */
      g_ptr_array_add (t->header, g_strdup (_("Course")));
      g_ptr_array_add (t->header, g_strdup (_("Survey")));
    }
  g_ptr_array_add (t->header, g_strdup (_("Question ID")));
  g_ptr_array_add (t->header, g_strdup (_("Question")));
  g_ptr_array_add (t->header, g_strdup (_("Answer")));
  /* Translators: a column of a survey report: counts over every attempt */
  g_ptr_array_add (t->header, g_strdup (_("All attempts")));
  /* Translators: a column of a survey report: counts over the first attempt of those who
   * took the survey more than once (before) */
  g_ptr_array_add (t->header, g_strdup (_("First attempt")));
  /* Translators: a column of a survey report: their latest attempt (after) */
  g_ptr_array_add (t->header, g_strdup (_("Latest attempt")));
}

/* ---- CSV ---- */

static void
csv_field (GString    *out,
           const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text ? text : ""; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

/* UTF-8 with a byte-order mark (without it, Excel and WPS take Chinese text for the
 * local code page), every field quoted, rows ended by CRLF. */
static GBytes *
table_to_csv (Table *t)
{
  GString *out = g_string_new ("\xEF\xBB\xBF");

  for (guint i = 0; i < t->header->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      csv_field (out, g_ptr_array_index (t->header, i));
    }
  g_string_append (out, "\r\n");
  for (guint r = 0; r < t->rows->len; r++)
    {
      GArray *row = g_ptr_array_index (t->rows, r);

      for (guint i = 0; i < row->len; i++)
        {
          Cell *c = &g_array_index (row, Cell, i);

          if (i > 0)
            g_string_append_c (out, ',');
          if (c->is_number)
            {
              g_autofree char *n = format_number (c->number);
              csv_field (out, n);
            }
          else
            csv_field (out, c->text);
        }
      g_string_append (out, "\r\n");
    }
  return g_string_free_to_bytes (out);
}

/**
 * sy_report_completions_to_csv:
 *
 * Returns: (transfer full): the report as CSV for Excel and WPS: UTF-8 with a BOM, a
 *   header row in the user's language, every field quoted, CRLF line ends; no totals row,
 *   so that the file stays a plain table
 */
GBytes *
sy_report_completions_to_csv (const SyCompletionReport *report)
{
  g_autoptr(Table) t = NULL;

  g_return_val_if_fail (report != NULL, NULL);
  t = completions_table (report, FALSE);
  return table_to_csv (t);
}

/**
 * sy_report_surveys_to_csv:
 * @surveys: (element-type SySurveyReport): from sy_store_report_surveys()
 *
 * Returns: (transfer full): one row per question and answer, with the counts of every
 *   attempt and of the first and latest attempts of those who took the survey twice
 */
GBytes *
sy_report_surveys_to_csv (GPtrArray *surveys)
{
  g_autoptr(Table) t = table_new ();

  g_return_val_if_fail (surveys != NULL, NULL);
  survey_header (t, TRUE);
  for (guint i = 0; i < surveys->len; i++)
    add_survey_rows (t, g_ptr_array_index (surveys, i), TRUE);
  return table_to_csv (t);
}

/**
 * sy_report_write_csv:
 * @csv: from sy_report_completions_to_csv() or sy_report_surveys_to_csv()
 *
 * Writes @csv to @path, replacing it only once it is complete.
 */
gboolean
sy_report_write_csv (GBytes      *csv,
                     const char  *path,
                     GError     **error)
{
  g_autoptr(GError) local = NULL;
  gsize len;
  const char *data;

  g_return_val_if_fail (csv != NULL && path != NULL, FALSE);
  data = g_bytes_get_data (csv, &len);
  if (!g_file_set_contents (path, data, len, &local))
    {
      g_set_error (error, SY_REPORT_ERROR, SY_REPORT_ERROR_WRITE,
                   _("The report could not be written to %s: %s"), path, local->message);
      return FALSE;
    }
  return TRUE;
}

/* ---- XLSX ---- */

#ifdef HAVE_XLSXWRITER
static void
write_sheet (lxw_workbook *wb,
             const char   *name,
             Table        *t,
             lxw_format   *bold)
{
  lxw_worksheet *ws = workbook_add_worksheet (wb, name);

  if (ws == NULL)
    ws = workbook_add_worksheet (wb, NULL);   /* a name Excel would refuse */
  for (guint i = 0; i < t->header->len; i++)
    worksheet_write_string (ws, 0, i, g_ptr_array_index (t->header, i), bold);
  for (guint r = 0; r < t->rows->len; r++)
    {
      GArray *row = g_ptr_array_index (t->rows, r);
      lxw_format *format = t->has_totals && r == t->rows->len - 1 ? bold : NULL;

      for (guint i = 0; i < row->len; i++)
        {
          Cell *c = &g_array_index (row, Cell, i);

          if (c->is_number)
            worksheet_write_number (ws, r + 1, i, c->number, format);
          else if (c->text != NULL)
            worksheet_write_string (ws, r + 1, i, c->text, format);
        }
    }
  worksheet_freeze_panes (ws, 1, 0);
  worksheet_set_column (ws, 0, t->header->len ? t->header->len - 1 : 0, 16, NULL);
}

/* A worksheet name Excel accepts: at most 31 characters, none of []:*?/\, unique. */
static char *
sheet_name (const char *title,
            GHashTable *used)
{
  g_autofree char *clean = g_strdup (title && *title ? title : "Survey");
  GString *name;

  g_strdelimit (clean, "[]:*?/\\", '_');
  for (guint n = 1; ; n++)
    {
      g_autofree char *suffix = n > 1 ? g_strdup_printf (" %u", n) : g_strdup ("");
      glong keep = 31 - g_utf8_strlen (suffix, -1);
      g_autofree char *folded = NULL;

      name = g_string_new (NULL);
      if (g_utf8_strlen (clean, -1) > keep)
        g_string_append_len (name, clean, g_utf8_offset_to_pointer (clean, keep) - clean);
      else
        g_string_append (name, clean);
      g_string_append (name, suffix);
      folded = g_utf8_casefold (name->str, -1);
      if (!g_hash_table_contains (used, folded))
        {
          g_hash_table_add (used, g_steal_pointer (&folded));
          return g_string_free (name, FALSE);
        }
      g_string_free (name, TRUE);
    }
}
#endif

/**
 * sy_report_write_xlsx:
 * @completions: (nullable): a sheet with the completions and a totals row
 * @surveys: (nullable) (element-type SySurveyReport): one sheet per survey
 *
 * Writes an Excel workbook, replacing @path only once it is complete.
 *
 * Returns: %FALSE with %SY_REPORT_ERROR_NOT_SUPPORTED when this build has no XLSX writer
 *   (export CSV instead), or %SY_REPORT_ERROR_WRITE
 */
gboolean
sy_report_write_xlsx (const SyCompletionReport  *completions,
                      GPtrArray                 *surveys,
                      const char                *path,
                      GError                   **error)
{
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (completions != NULL || surveys != NULL, FALSE);

#ifdef HAVE_XLSXWRITER
  {
    g_autofree char *tmp = g_strconcat (path, ".part", NULL);
    g_autoptr(GHashTable) used = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    lxw_workbook *wb = workbook_new (tmp);
    lxw_format *bold;
    lxw_error rc;

    if (wb == NULL)
      {
        g_set_error (error, SY_REPORT_ERROR, SY_REPORT_ERROR_WRITE,
                     _("The report could not be written to %s: %s"), path, g_strerror (errno));
        return FALSE;
      }
    bold = workbook_add_format (wb);
    format_set_bold (bold);

    if (completions != NULL)
      {
        g_autoptr(Table) t = completions_table (completions, TRUE);
        /* Translators: the name of a spreadsheet's sheet (at most 31 characters) */
        g_autofree char *name = sheet_name (_("Completions"), used);

        write_sheet (wb, name, t, bold);
      }
    for (guint i = 0; surveys && i < surveys->len; i++)
      {
        SySurveyReport *s = g_ptr_array_index (surveys, i);
        g_autoptr(Table) t = table_new ();
        g_autofree char *name = sheet_name (text_or (s->title, s->item_id), used);

        survey_header (t, FALSE);
        add_survey_rows (t, s, FALSE);
        write_sheet (wb, name, t, bold);
      }

    if ((rc = workbook_close (wb)) != LXW_NO_ERROR)
      {
        g_unlink (tmp);
        g_set_error (error, SY_REPORT_ERROR, SY_REPORT_ERROR_WRITE,
                     _("The report could not be written to %s: %s"), path, lxw_strerror (rc));
        return FALSE;
      }
    if (g_rename (tmp, path) != 0)
      {
        int saved = errno;
        g_unlink (tmp);
        g_set_error (error, SY_REPORT_ERROR, SY_REPORT_ERROR_WRITE,
                     _("The report could not be written to %s: %s"), path, g_strerror (saved));
        return FALSE;
      }
    return TRUE;
  }
#else
  g_set_error_literal (error, SY_REPORT_ERROR, SY_REPORT_ERROR_NOT_SUPPORTED,
                       _("This Shuyuan was built without XLSX support (libxlsxwriter). "
                         "Export CSV instead: Excel and WPS open it."));
  return FALSE;
#endif
}

/* ---- JSON ---- */

static json_object *
string_or_null (const char *s)
{
  return s ? json_object_new_string (s) : NULL;
}

static json_object *
text_json (SyText *text)
{
  g_autofree char *json = NULL;

  if (text == NULL)
    return NULL;
  json = sy_text_to_json (text);
  return json_tokener_parse (json);
}

/* 3.1, not 3.1000000000000001 */
static json_object *
number_json (double value)
{
  g_autofree char *text = format_number (value);
  return json_object_new_double_s (round2 (value), text);
}

static char *
take_json (json_object *obj)
{
  char *s = g_strdup (json_object_to_json_string_ext (obj, JSON_C_TO_STRING_SPACED |
                                                          JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put (obj);
  return s;
}

/**
 * sy_report_completions_to_json:
 *
 * Returns: (transfer full): the report as JSON, the same whatever the user's language:
 *   `{"generated", "totals": {...}, "rows": [...]}`
 */
char *
sy_report_completions_to_json (const SyCompletionReport *report)
{
  json_object *obj = json_object_new_object ();
  json_object *totals = json_object_new_object ();
  json_object *rows = json_object_new_array ();

  g_return_val_if_fail (report != NULL, NULL);

  json_object_object_add (obj, "generated", json_object_new_string (report->generated));
  json_object_object_add (totals, "completions", json_object_new_int (report->n_completions));
  json_object_object_add (totals, "passes", json_object_new_int (report->n_passes));
  json_object_object_add (totals, "learners", json_object_new_int (report->n_learners));
  json_object_object_add (totals, "class_hours", number_json (report->class_hours));
  json_object_object_add (totals, "credits", number_json (report->credits));
  json_object_object_add (obj, "totals", totals);
  for (guint i = 0; i < report->rows->len; i++)
    {
      SyCompletionRow *r = g_ptr_array_index (report->rows, i);
      json_object *row = json_object_new_object ();

      json_object_object_add (row, "learner", json_object_new_string (r->learner_uuid));
      json_object_object_add (row, "learner_name", string_or_null (r->learner_name));
      json_object_object_add (row, "external_id", string_or_null (r->external_id));
      json_object_object_add (row, "device", string_or_null (r->device_id));
      json_object_object_add (row, "course", json_object_new_string (r->course_id));
      json_object_object_add (row, "course_title", text_json (r->course_title));
      json_object_object_add (row, "programme", string_or_null (r->programme));
      json_object_object_add (row, "status", json_object_new_string (sy_status_to_string (r->status)));
      json_object_object_add (row, "items_done", json_object_new_int (r->n_done));
      json_object_object_add (row, "items", json_object_new_int (r->n_items));
      json_object_object_add (row, "seconds", number_json (r->seconds));
      json_object_object_add (row, "class_hours", number_json (r->class_hours));
      json_object_object_add (row, "credits", number_json (r->credits));
      json_object_object_add (row, "completed", string_or_null (r->completed));
      json_object_object_add (row, "last_activity", string_or_null (r->last_activity));
      json_object_object_add (row, "completion_id", string_or_null (r->completion_id));
      json_object_object_add (row, "verification_code", string_or_null (r->verification_code));
      json_object_array_add (rows, row);
    }
  json_object_object_add (obj, "rows", rows);
  return take_json (obj);
}

static const char *
question_type_name (SyQuestionType type)
{
  switch (type)
    {
    case SY_QUESTION_LIKERT:
      return "likert";
    case SY_QUESTION_CHOICE:
      return "choice";
    case SY_QUESTION_NUMBER:
      return "number";
    case SY_QUESTION_TEXT:
    default:
      return "text";
    }
}

static json_object *
stats_json (SySurveyQuestion *q,
            SyAnswerStats    *stats)
{
  json_object *obj = json_object_new_object ();
  json_object *counts = json_object_new_array ();

  json_object_object_add (obj, "answers", json_object_new_int (stats->n_answers));
  if (q->type == SY_QUESTION_NUMBER)
    {
      json_object_object_add (obj, "mean", stats->n_answers ? number_json (stats->mean) : NULL);
      json_object_object_add (obj, "min", stats->n_answers ? number_json (stats->min) : NULL);
      json_object_object_add (obj, "max", stats->n_answers ? number_json (stats->max) : NULL);
    }
  for (guint i = 0; i < stats->counts->len; i++)
    {
      SyAnswerCount *c = g_ptr_array_index (stats->counts, i);
      json_object *count = json_object_new_object ();

      if (q->type == SY_QUESTION_NUMBER)
        {
          json_object_object_add (count, "from", number_json (q->bucket_start + i * q->bucket_width));
          json_object_object_add (count, "to", number_json (q->bucket_start + (i + 1) * q->bucket_width));
        }
      else
        json_object_object_add (count, "answer", json_object_new_string (c->answer));
      if (c->label)
        json_object_object_add (count, "label", text_json (c->label));
      json_object_object_add (count, "count", json_object_new_int (c->count));
      json_object_array_add (counts, count);
    }
  json_object_object_add (obj, q->type == SY_QUESTION_NUMBER ? "buckets" : "counts", counts);
  return obj;
}

/**
 * sy_report_surveys_to_json:
 *
 * Returns: (transfer full): `[{"course", "survey", "attempts", "learners", "repeated",
 *   "questions": [{"id", "type", "prompt", "all", "first", "latest"}]}]`
 */
char *
sy_report_surveys_to_json (GPtrArray *surveys)
{
  json_object *array = json_object_new_array ();

  g_return_val_if_fail (surveys != NULL, NULL);
  for (guint i = 0; i < surveys->len; i++)
    {
      SySurveyReport *s = g_ptr_array_index (surveys, i);
      json_object *obj = json_object_new_object ();
      json_object *questions = json_object_new_array ();

      json_object_object_add (obj, "course", json_object_new_string (s->course_id));
      json_object_object_add (obj, "course_title", text_json (s->course_title));
      json_object_object_add (obj, "survey", json_object_new_string (s->item_id));
      json_object_object_add (obj, "title", text_json (s->title));
      json_object_object_add (obj, "attempts", json_object_new_int (s->n_attempts));
      json_object_object_add (obj, "learners", json_object_new_int (s->n_learners));
      json_object_object_add (obj, "repeated", json_object_new_int (s->n_repeated));
      for (guint j = 0; j < s->questions->len; j++)
        {
          SySurveyQuestion *q = g_ptr_array_index (s->questions, j);
          json_object *qo = json_object_new_object ();

          json_object_object_add (qo, "id", json_object_new_string (q->question_id));
          json_object_object_add (qo, "type", json_object_new_string (question_type_name (q->type)));
          json_object_object_add (qo, "prompt", text_json (q->prompt));
          json_object_object_add (qo, "all", stats_json (q, q->all));
          json_object_object_add (qo, "first", stats_json (q, q->first));
          json_object_object_add (qo, "latest", stats_json (q, q->latest));
          json_object_array_add (questions, qo);
        }
      json_object_object_add (obj, "questions", questions);
      json_object_array_add (array, obj);
    }
  return take_json (array);
}

/* ---- batch certificates ---- */

/* What a certificate needs of a row, copied for the worker */
typedef struct
{
  char   *learner_uuid;
  char   *learner_name;
  char   *external_id;
  char   *course_id;
  SyText *course_title;
  char   *programme;
  double  class_hours;
  double  credits;
  char   *completed;
  char   *verification_code;
} CertificateRef;

static void
certificate_ref_free (CertificateRef *ref)
{
  g_free (ref->learner_uuid);
  g_free (ref->learner_name);
  g_free (ref->external_id);
  g_free (ref->course_id);
  g_clear_pointer (&ref->course_title, sy_text_unref);
  g_free (ref->programme);
  g_free (ref->completed);
  g_free (ref->verification_code);
  g_free (ref);
}

typedef struct
{
  SyStore   *store;
  GPtrArray *refs;
  char      *folder;
} CertificatesJob;

static void
certificates_job_free (CertificatesJob *job)
{
  g_clear_object (&job->store);
  g_clear_pointer (&job->refs, g_ptr_array_unref);
  g_free (job->folder);
  g_free (job);
}

static CertificatesJob *
certificates_job_new (SyStore    *store,
                      GPtrArray  *rows,
                      const char *folder)
{
  CertificatesJob *job = g_new0 (CertificatesJob, 1);

  job->store = g_object_ref (store);
  job->folder = g_strdup (folder);
  job->refs = g_ptr_array_new_with_free_func ((GDestroyNotify) certificate_ref_free);
  for (guint i = 0; i < rows->len; i++)
    {
      SyCompletionRow *row = g_ptr_array_index (rows, i);
      CertificateRef *ref;

      if (row->completion_id == NULL)
        continue;   /* no pass for a course not completed */
      ref = g_new0 (CertificateRef, 1);
      ref->learner_uuid = g_strdup (row->learner_uuid);
      ref->learner_name = g_strdup (row->learner_name);
      ref->external_id = g_strdup (row->external_id);
      ref->course_id = g_strdup (row->course_id);
      ref->course_title = row->course_title ? sy_text_ref (row->course_title) : NULL;
      ref->programme = g_strdup (row->programme);
      ref->class_hours = row->class_hours;
      ref->credits = row->credits;
      ref->completed = g_strdup (row->completed);
      ref->verification_code = g_strdup (row->verification_code);
      g_ptr_array_add (job->refs, ref);
    }
  return job;
}

/* A file name from a learner's name: no separators or characters Windows refuses (the
 * folder may be a USB stick). */
static char *
safe_name (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text ? text : "", -1);
  GString *out = g_string_new (NULL);

  for (const char *p = valid; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c < 0x20 || (c < 0x80 && strchr ("/\\:*?\"<>|", (int) c) != NULL))
        g_string_append_c (out, '_');
      else
        g_string_append_unichar (out, c);
    }
  g_strstrip (out->str);
  while (out->str[0] == '.')
    g_string_erase (out, 0, 1);
  if (out->len == 0)
    g_string_append_c (out, '_');
  return g_string_free (out, FALSE);
}

static gpointer
do_get_issuer (SyStore       *self,
               sqlite3       *db,
               gpointer       data,
               GCancellable  *cancellable,
               GError       **error)
{
  sqlite3_stmt *stmt;
  char *issuer = NULL;

  REQUIRE_OPEN (db, error);
  if (sqlite3_prepare_v2 (db, "SELECT value FROM settings WHERE key = 'organisation'", -1,
                          &stmt, NULL) != SQLITE_OK)
    return (_sy_store_db_error (db, error), NULL);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    issuer = g_strdup (column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return issuer ? issuer : g_strdup ("");
}

static gboolean
readable_time (const char *iso)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) t = iso ? g_date_time_new_from_iso8601 (iso, utc) : NULL;

  return t != NULL;
}

/* The certificate of a learner who is not registered on this PC (their records came from
 * elsewhere): the same PDF, from what the report knows. */
static gboolean
write_from_row (CertificatesJob  *job,
                CertificateRef   *ref,
                const char       *path,
                GCancellable     *cancellable,
                GError          **error)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) completed = NULL;
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *issuer = NULL;
  SyCertificateInfo info = { 0 };

  if (!(issuer = _sy_store_run (job->store, do_get_issuer, NULL, NULL, g_free, cancellable,
                                error)))
    return FALSE;
  /* the report only gives rows with a completion; its time was read there */
  completed = g_date_time_new_from_iso8601 (ref->completed, utc);
  g_return_val_if_fail (completed != NULL, FALSE);
  local = g_date_time_to_local (completed);
  info.learner_name = ref->learner_name;
  info.external_id = ref->external_id;
  info.course_title = text_or (ref->course_title, ref->course_id);
  info.programme = ref->programme ? sy_programme_display_name (ref->programme) : NULL;
  info.class_hours = ref->class_hours;
  info.credits = ref->credits;
  info.completed = local;
  info.verification_code = ref->verification_code;
  info.issuer = issuer[0] ? issuer : NULL;
  return sy_certificate_write_pdf (&info, path, error);
}

static GPtrArray *
write_certificates (CertificatesJob  *job,
                    GCancellable     *cancellable,
                    GError          **error)
{
  g_autoptr(GPtrArray) written = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (g_mkdir_with_parents (job->folder, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, SY_REPORT_ERROR, SY_REPORT_ERROR_WRITE,
                   _("The folder %s could not be made: %s"), job->folder, g_strerror (saved));
      return NULL;
    }
  for (guint i = 0; i < job->refs->len; i++)
    {
      CertificateRef *ref = g_ptr_array_index (job->refs, i);
      g_autofree char *learner = safe_name (ref->learner_name);
      g_autofree char *course = safe_name (ref->course_id);
      g_autofree char *base = g_strdup_printf ("%s - %s.pdf", learner, course);
      g_autofree char *path = NULL;
      g_autofree char *code = NULL;
      g_autoptr(GError) local = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      /* two learners of the same name: the second gets a piece of their UUID */
      if (g_hash_table_contains (names, base))
        {
          g_free (base);
          base = g_strdup_printf ("%s - %s - %.8s.pdf", learner, course, ref->learner_uuid);
        }
      path = g_build_filename (job->folder, base, NULL);
      if (!(code = sy_store_write_certificate (job->store, ref->learner_uuid, ref->course_id,
                                               path, cancellable, &local)))
        {
          if (!g_error_matches (local, SY_STORE_ERROR, SY_STORE_ERROR_NOT_FOUND) ||
              ref->course_title == NULL || !readable_time (ref->completed))
            {
              g_propagate_error (error, g_steal_pointer (&local));
              return NULL;
            }
          g_clear_error (&local);
          if (!write_from_row (job, ref, path, cancellable, error))
            return NULL;
        }
      g_ptr_array_add (written, g_steal_pointer (&path));
      g_hash_table_add (names, g_steal_pointer (&base));
    }
  return g_steal_pointer (&written);
}

/**
 * sy_report_write_certificates:
 * @rows: (element-type SyCompletionRow): the selection, e.g. a completion report's rows;
 *   rows not completed are skipped
 * @folder: where to write them (made if missing)
 *
 * Writes one PDF certificate per completed learner and course, named
 * "learner - course.pdf", with sy_store_write_certificate().
 *
 * Returns: (transfer full) (element-type utf8): the files written
 */
GPtrArray *
sy_report_write_certificates (SyStore       *store,
                              GPtrArray     *rows,
                              const char    *folder,
                              GCancellable  *cancellable,
                              GError       **error)
{
  CertificatesJob *job;
  GPtrArray *written;

  g_return_val_if_fail (SY_IS_STORE (store), NULL);
  g_return_val_if_fail (rows != NULL && folder != NULL, NULL);

  job = certificates_job_new (store, rows, folder);
  written = write_certificates (job, cancellable, error);
  certificates_job_free (job);
  return written;
}

static void
write_certificates_thread (GTask        *task,
                           gpointer      source,
                           gpointer      data,
                           GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *written = write_certificates (data, cancellable, &error);

  if (written == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, written, (GDestroyNotify) g_ptr_array_unref);
}

void
sy_report_write_certificates_async (SyStore             *store,
                                    GPtrArray           *rows,
                                    const char          *folder,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (SY_IS_STORE (store));
  g_return_if_fail (rows != NULL && folder != NULL);

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, sy_report_write_certificates_async);
  g_task_set_task_data (task, certificates_job_new (store, rows, folder),
                        (GDestroyNotify) certificates_job_free);
  g_task_run_in_thread (task, write_certificates_thread);
}

GPtrArray *
sy_report_write_certificates_finish (SyStore       *store,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

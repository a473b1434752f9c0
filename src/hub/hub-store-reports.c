/* hub-store-reports.c — completions and survey results, for coordinators
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One query each, over the statements index columns (verb, object, learner, timestamp),
 * joined with the learner registry; the catalog gives the courses' programmes, class
 * hours and credits. The grouping that makes a completion count once is SQL's; survey
 * answers need their `result`, so their statements are read and grouped here.
 */
#define G_LOG_DOMAIN "ShuyuanHub"

#include "config.h"

#include <string.h>

#include "hub-store-catalog.h"
#include "hub-store-reports.h"

#define COURSE_PREFIX "https://shuyuan.invalid/xapi/course/"
#define VERB_COMPLETED "http://adlnet.gov/expapi/verbs/completed"
#define VERB_ANSWERED "http://adlnet.gov/expapi/verbs/answered"

static void
json_unref (gpointer obj)
{
  json_object_put (obj);
}

/* The upper bound to compare timestamps with: a date alone means the whole day. */
static char *
upper_bound (const char *to)
{
  if (to == NULL)
    return NULL;
  return strlen (to) == 10 ? g_strconcat (to, "T24", NULL) : g_strdup (to);
}

static gboolean
in_range (const char            *when,
          const HubReportFilter *filter,
          const char            *to)
{
  if (when == NULL)
    return FALSE;
  if (filter->from != NULL && strcmp (when, filter->from) < 0)
    return FALSE;
  if (to != NULL && strcmp (when, to) >= 0)
    return FALSE;
  return TRUE;
}

/* course id → its catalog entry (the newest version) */
static GHashTable *
catalog_by_id (HubStore  *store,
               GError   **error)
{
  json_object *list = hub_catalog_list (store, error);
  GHashTable *map;

  if (list == NULL)
    return NULL;
  map = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, json_unref);
  for (size_t i = 0; i < json_object_array_length (list); i++)
    {
      json_object *entry = json_object_array_get_idx (list, i);
      g_hash_table_insert (map, g_strdup (json_object_get_string (json_object_object_get (entry, "id"))),
                           json_object_get (entry));
    }
  json_object_put (list);
  return map;
}

static double
entry_number (json_object *entry,
              const char  *key)
{
  json_object *value = NULL;

  if (entry == NULL || !json_object_object_get_ex (entry, key, &value) || value == NULL)
    return 0;
  return json_object_get_double (value);
}

static const char *
entry_text (json_object *entry,
            const char  *key)
{
  json_object *value = NULL;

  if (entry == NULL || !json_object_object_get_ex (entry, key, &value) ||
      !json_object_is_type (value, json_type_string))
    return NULL;
  return json_object_get_string (value);
}

static json_object *
text_or_null (const char *text)
{
  return text != NULL ? json_object_new_string (text) : NULL;
}

/* One completion, as the scan reads it (valid during the callback). */
typedef struct
{
  const char  *learner;
  const char  *name;
  const char  *external_id;
  const char  *organisation;
  const char  *device;
  const char  *course;
  json_object *entry;         /* the catalog's, or NULL */
  const char  *programme;
  const char  *completed;
} Completion;

typedef void (*CompletionFunc) (const Completion *row,
                                gpointer          data);

typedef struct
{
  char   *learner;
  char   *name;
  char   *organisation;
  char   *programme;
  guint   courses;
  char   *completed;         /* the latest */
} Pass;

static void
pass_free (Pass *p)
{
  g_free (p->learner);
  g_free (p->name);
  g_free (p->organisation);
  g_free (p->programme);
  g_free (p->completed);
  g_free (p);
}

typedef struct
{
  gint64      completions;
  double      class_hours;
  double      credits;
  GHashTable *learners;       /* uuid set */
  GHashTable *passes;         /* learner \n programme → Pass */
} Totals;

static void
totals_clear (Totals *t)
{
  g_clear_pointer (&t->learners, g_hash_table_unref);
  g_clear_pointer (&t->passes, g_hash_table_unref);
}

/* Reads the completions the filter keeps, in report order, calling @func for each and
 * adding them up in @totals. The rows are not kept: a report of millions streams. */
static gboolean
completions_scan (HubStore               *store,
                  const HubReportFilter  *filter,
                  CompletionFunc          func,
                  gpointer                data,
                  Totals                 *totals,
                  GError                **error)
{
  g_autoptr(GHashTable) catalog = NULL;
  g_autofree char *to = upper_bound (filter->to);
  HubDbStmt *stmt;
  HubDb *db;

  totals->learners = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  totals->passes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) pass_free);
  if (!(catalog = catalog_by_id (store, error)) || !(db = hub_store_db (store, error)))
    return FALSE;
  stmt = hub_db_prepare (db,
    "SELECT s.learner, s.object_id, MIN(s.timestamp), l.name, l.external_id, o.name, d.label "
    "FROM statements s "
    "JOIN learners l ON l.uuid = s.learner "
    "JOIN orgs o ON o.id = l.org_id "
    "LEFT JOIN devices d ON d.id = l.registered_by_device "
    "WHERE s.verb_id = '" VERB_COMPLETED "' AND s.voided = 0 "
    "  AND s.object_id LIKE '" COURSE_PREFIX "%' AND s.object_id NOT LIKE '%/item/%' "
    "  AND ($1 = 0 OR l.org_id = $1) "
    "GROUP BY s.learner, s.object_id, l.name, l.external_id, o.name, d.label "
    "ORDER BY o.name, l.name, s.learner, s.object_id", error);
  if (stmt == NULL)
    return FALSE;
  hub_db_bind_int64 (stmt, 1, filter->org_id);
  while (hub_db_step (stmt, error))
    {
      Completion row = { 0 };

      row.learner = hub_db_column_text (stmt, 0);
      row.course = hub_db_column_text (stmt, 1) + strlen (COURSE_PREFIX);
      row.completed = hub_db_column_text (stmt, 2);
      row.name = hub_db_column_text (stmt, 3);
      row.external_id = hub_db_column_text (stmt, 4);
      row.organisation = hub_db_column_text (stmt, 5);
      row.device = hub_db_column_text (stmt, 6);
      row.entry = g_hash_table_lookup (catalog, row.course);
      row.programme = entry_text (row.entry, "programme");
      if ((filter->course != NULL && g_strcmp0 (row.course, filter->course) != 0) ||
          (filter->programme != NULL && g_strcmp0 (row.programme, filter->programme) != 0) ||
          !in_range (row.completed, filter, to))
        continue;

      func (&row, data);
      totals->completions++;
      totals->class_hours += entry_number (row.entry, "class_hours");
      totals->credits += entry_number (row.entry, "credits");
      if (!g_hash_table_contains (totals->learners, row.learner))
        g_hash_table_add (totals->learners, g_strdup (row.learner));
      if (row.programme != NULL)
        {
          g_autofree char *key = g_strjoin ("\n", row.learner, row.programme, NULL);
          Pass *pass = g_hash_table_lookup (totals->passes, key);

          if (pass == NULL)
            {
              pass = g_new0 (Pass, 1);
              pass->learner = g_strdup (row.learner);
              pass->name = g_strdup (row.name);
              pass->organisation = g_strdup (row.organisation);
              pass->programme = g_strdup (row.programme);
              pass->completed = g_strdup (row.completed);
              g_hash_table_insert (totals->passes, g_steal_pointer (&key), pass);
            }
          pass->courses++;
          if (strcmp (row.completed, pass->completed) > 0)
            {
              g_free (pass->completed);
              pass->completed = g_strdup (row.completed);
            }
        }
    }
  if (error != NULL && *error != NULL)
    return FALSE;

  /* a pass: every course of the programme completed; the others are not passes */
  {
    g_autoptr(GHashTable) programme_size = g_hash_table_new (g_str_hash, g_str_equal);
    GHashTableIter iter;
    gpointer value;

    g_hash_table_iter_init (&iter, catalog);
    while (g_hash_table_iter_next (&iter, NULL, &value))
      {
        const char *programme = entry_text (value, "programme");
        if (programme != NULL)
          g_hash_table_insert (programme_size, (gpointer) programme,
                               GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (programme_size, programme)) + 1));
      }
    g_hash_table_iter_init (&iter, totals->passes);
    while (g_hash_table_iter_next (&iter, NULL, &value))
      {
        Pass *pass = value;
        guint needed = GPOINTER_TO_UINT (g_hash_table_lookup (programme_size, pass->programme));

        if (needed == 0 || pass->courses < needed)
          g_hash_table_iter_remove (&iter);
      }
  }
  return TRUE;
}

static json_object *
totals_json (const Totals *t)
{
  json_object *totals = json_object_new_object ();

  json_object_object_add (totals, "completions", json_object_new_int64 (t->completions));
  json_object_object_add (totals, "learners", json_object_new_int64 (g_hash_table_size (t->learners)));
  json_object_object_add (totals, "class_hours", json_object_new_double (t->class_hours));
  json_object_object_add (totals, "credits", json_object_new_double (t->credits));
  json_object_object_add (totals, "passes", json_object_new_int64 (g_hash_table_size (t->passes)));
  return totals;
}

typedef struct
{
  json_object *rows;
  gint64       index;
  gint64       offset;
  gint64       limit;
} JsonRows;

static void
add_json_row (const Completion *c,
              gpointer          data)
{
  JsonRows *j = data;
  json_object *row, *titles = NULL;

  if (j->index++ < j->offset || (j->limit > 0 && j->index > j->offset + j->limit))
    return;
  row = json_object_new_object ();
  json_object_object_add (row, "learner", json_object_new_string (c->learner));
  json_object_object_add (row, "name", text_or_null (c->name));
  json_object_object_add (row, "external_id", text_or_null (c->external_id));
  json_object_object_add (row, "organisation", text_or_null (c->organisation));
  json_object_object_add (row, "device", text_or_null (c->device));
  json_object_object_add (row, "course", json_object_new_string (c->course));
  if (c->entry != NULL)
    json_object_object_get_ex (c->entry, "titles", &titles);
  json_object_object_add (row, "titles", titles ? json_object_get (titles) : json_object_new_object ());
  json_object_object_add (row, "programme", text_or_null (c->programme));
  json_object_object_add (row, "class_hours", json_object_new_double (entry_number (c->entry, "class_hours")));
  json_object_object_add (row, "credits", json_object_new_double (entry_number (c->entry, "credits")));
  json_object_object_add (row, "completed", json_object_new_string (c->completed));
  json_object_array_add (j->rows, row);
}

static gint
compare_passes (gconstpointer a,
                gconstpointer b)
{
  const Pass *x = *(Pass **) a, *y = *(Pass **) b;
  int c = g_strcmp0 (x->organisation, y->organisation);

  if (c == 0)
    c = g_strcmp0 (x->name, y->name);
  if (c == 0)
    c = g_strcmp0 (x->learner, y->learner);
  return c != 0 ? c : g_strcmp0 (x->programme, y->programme);
}

json_object *
hub_report_completions (HubStore               *store,
                        const HubReportFilter  *filter,
                        GError                **error)
{
  JsonRows j = { json_object_new_array (), 0, filter->offset, filter->limit };
  Totals totals = { 0 };
  json_object *report, *passes;

  if (!completions_scan (store, filter, add_json_row, &j, &totals, error))
    {
      json_object_put (j.rows);
      totals_clear (&totals);
      return NULL;
    }
  passes = json_object_new_array ();
  {
    g_autoptr(GPtrArray) list = g_ptr_array_new ();
    GHashTableIter iter;
    gpointer value;

    g_hash_table_iter_init (&iter, totals.passes);
    while (g_hash_table_iter_next (&iter, NULL, &value))
      g_ptr_array_add (list, value);
    g_ptr_array_sort (list, compare_passes);
    for (guint i = 0; i < list->len; i++)
      {
        Pass *p = list->pdata[i];
        json_object *pass = json_object_new_object ();

        json_object_object_add (pass, "learner", json_object_new_string (p->learner));
        json_object_object_add (pass, "name", text_or_null (p->name));
        json_object_object_add (pass, "organisation", text_or_null (p->organisation));
        json_object_object_add (pass, "programme", json_object_new_string (p->programme));
        json_object_object_add (pass, "completed", json_object_new_string (p->completed));
        json_object_array_add (passes, pass);
      }
  }
  report = json_object_new_object ();
  json_object_object_add (report, "completions", j.rows);
  if (filter->limit > 0 && j.index > filter->offset + filter->limit)
    json_object_object_add (report, "next_offset", json_object_new_int64 (filter->offset + filter->limit));
  json_object_object_add (report, "passes", passes);
  json_object_object_add (report, "totals", totals_json (&totals));
  totals_clear (&totals);
  return report;
}

/* ---- surveys ---- */

typedef struct
{
  char       *learner;
  char       *item;           /* course/item */
  char       *first_seen;
  GHashTable *answers;        /* question → response (the last one) */
} Attempt;

static void
attempt_free (Attempt *a)
{
  g_free (a->learner);
  g_free (a->item);
  g_free (a->first_seen);
  g_hash_table_unref (a->answers);
  g_free (a);
}

static json_object *
get_path (json_object *obj,
          const char  *a,
          const char  *b)
{
  json_object *x = NULL, *y = NULL;

  if (!json_object_object_get_ex (obj, a, &x))
    return NULL;
  if (b == NULL)
    return x;
  return json_object_object_get_ex (x, b, &y) ? y : NULL;
}

/* counts[question][response]++ */
static void
count_answers (json_object *questions,
               const char  *field,
               GHashTable  *answers)
{
  GHashTableIter iter;
  gpointer question, response;

  g_hash_table_iter_init (&iter, answers);
  while (g_hash_table_iter_next (&iter, &question, &response))
    {
      json_object *q = NULL, *counts = NULL, *n = NULL;

      if (!json_object_object_get_ex (questions, question, &q))
        {
          q = json_object_new_object ();
          json_object_object_add (questions, question, q);
        }
      if (!json_object_object_get_ex (q, field, &counts))
        {
          counts = json_object_new_object ();
          json_object_object_add (q, field, counts);
        }
      json_object_object_get_ex (counts, response, &n);
      json_object_object_add (counts, response, json_object_new_int (n ? json_object_get_int (n) + 1 : 1));
    }
}

static gint
compare_attempts (gconstpointer a,
                  gconstpointer b)
{
  return g_strcmp0 ((*(Attempt **) a)->first_seen, (*(Attempt **) b)->first_seen);
}

json_object *
hub_report_surveys (HubStore               *store,
                    const HubReportFilter  *filter,
                    GError                **error)
{
  g_autoptr(GHashTable) catalog = NULL;
  /* registration (or learner + item when none) → Attempt */
  g_autoptr(GHashTable) attempts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                          (GDestroyNotify) attempt_free);
  g_autoptr(GHashTable) items = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                       (GDestroyNotify) g_ptr_array_unref);
  g_autofree char *to = upper_bound (filter->to);
  json_object *surveys, *report;
  HubDbStmt *stmt;
  HubDb *db;

  if (!(catalog = catalog_by_id (store, error)) || !(db = hub_store_db (store, error)))
    return NULL;
  stmt = hub_db_prepare (db,
    "SELECT s.object_id, s.registration, s.learner, s.timestamp, s.json "
    "FROM statements s JOIN learners l ON l.uuid = s.learner "
    "WHERE s.verb_id = '" VERB_ANSWERED "' AND s.voided = 0 "
    "  AND s.object_id LIKE '" COURSE_PREFIX "%/question/%' "
    "  AND ($1 = 0 OR l.org_id = $1) "
    "ORDER BY s.timestamp, s.seq", error);
  if (stmt == NULL)
    return NULL;
  hub_db_bind_int64 (stmt, 1, filter->org_id);
  while (hub_db_step (stmt, error))
    {
      const char *object = hub_db_column_text (stmt, 0) + strlen (COURSE_PREFIX);
      const char *when = hub_db_column_text (stmt, 3);
      g_auto(GStrv) parts = g_strsplit (object, "/", -1);   /* course item ITEM question Q */
      json_object *statement, *response;
      g_autofree char *item_key = NULL;
      g_autofree char *key = NULL;
      const char *programme;
      Attempt *attempt;

      if (g_strv_length (parts) != 5 || !g_str_equal (parts[1], "item") ||
          !g_str_equal (parts[3], "question") || !in_range (when, filter, to) ||
          (filter->course != NULL && !g_str_equal (parts[0], filter->course)))
        continue;
      programme = entry_text (g_hash_table_lookup (catalog, parts[0]), "programme");
      if (filter->programme != NULL && g_strcmp0 (programme, filter->programme) != 0)
        continue;
      statement = json_tokener_parse (hub_db_column_text (stmt, 4));
      response = get_path (statement, "result", "response");
      /* a quiz answer says whether it was right; a survey answer does not */
      if (response == NULL || get_path (statement, "result", "success") != NULL)
        {
          json_object_put (statement);
          continue;
        }
      item_key = g_strjoin ("/", parts[0], parts[2], NULL);
      key = g_strjoin ("\n", hub_db_column_text (stmt, 1) ? hub_db_column_text (stmt, 1) : "",
                       hub_db_column_text (stmt, 2), item_key, NULL);
      attempt = g_hash_table_lookup (attempts, key);
      if (attempt == NULL)
        {
          GPtrArray *list;

          attempt = g_new0 (Attempt, 1);
          attempt->learner = g_strdup (hub_db_column_text (stmt, 2));
          attempt->item = g_strdup (item_key);
          attempt->first_seen = g_strdup (when);
          attempt->answers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
          g_hash_table_insert (attempts, g_strdup (key), attempt);
          if (!(list = g_hash_table_lookup (items, item_key)))
            {
              list = g_ptr_array_new ();
              g_hash_table_insert (items, g_strdup (item_key), list);
            }
          g_ptr_array_add (list, attempt);
        }
      /* rows come in time order: the last answer wins */
      g_hash_table_insert (attempt->answers, g_strdup (parts[4]),
                           g_strdup (json_object_get_string (response)));
      json_object_put (statement);
    }
  if (error != NULL && *error != NULL)
    return NULL;

  surveys = json_object_new_array ();
  {
    g_autoptr(GList) keys = g_list_sort (g_hash_table_get_keys (items), (GCompareFunc) strcmp);

    for (GList *l = keys; l != NULL; l = l->next)
      {
        GPtrArray *list = g_hash_table_lookup (items, l->data);
        g_autoptr(GHashTable) by_learner = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                                  (GDestroyNotify) g_ptr_array_unref);
        json_object *survey = json_object_new_object ();
        json_object *questions = json_object_new_object ();
        json_object *question_list = json_object_new_array ();
        g_auto(GStrv) ids = g_strsplit (l->data, "/", 2);
        GHashTableIter iter;
        gpointer value;

        g_ptr_array_sort (list, compare_attempts);
        for (guint i = 0; i < list->len; i++)
          {
            Attempt *a = list->pdata[i];
            GPtrArray *mine = g_hash_table_lookup (by_learner, a->learner);

            count_answers (questions, "answers", a->answers);
            if (mine == NULL)
              {
                mine = g_ptr_array_new ();
                g_hash_table_insert (by_learner, a->learner, mine);
              }
            g_ptr_array_add (mine, a);
          }
        /* before and after: the first and the latest attempt of whoever took it twice */
        g_hash_table_iter_init (&iter, by_learner);
        while (g_hash_table_iter_next (&iter, NULL, &value))
          {
            GPtrArray *mine = value;

            if (mine->len < 2)
              continue;
            count_answers (questions, "before", ((Attempt *) mine->pdata[0])->answers);
            count_answers (questions, "after", ((Attempt *) mine->pdata[mine->len - 1])->answers);
          }
        {
          g_autoptr(GList) qkeys = NULL;
          struct json_object_iterator it = json_object_iter_begin (questions);
          struct json_object_iterator end = json_object_iter_end (questions);

          for (; !json_object_iter_equal (&it, &end); json_object_iter_next (&it))
            qkeys = g_list_prepend (qkeys, (gpointer) json_object_iter_peek_name (&it));
          qkeys = g_list_sort (qkeys, (GCompareFunc) strcmp);
          for (GList *q = qkeys; q != NULL; q = q->next)
            {
              json_object *entry = json_object_get (json_object_object_get (questions, q->data));
              json_object_object_add (entry, "question", json_object_new_string (q->data));
              json_object_array_add (question_list, entry);
            }
        }
        json_object_put (questions);
        json_object_object_add (survey, "course", json_object_new_string (ids[0]));
        json_object_object_add (survey, "item", json_object_new_string (ids[1]));
        json_object_object_add (survey, "learners", json_object_new_int (g_hash_table_size (by_learner)));
        json_object_object_add (survey, "attempts", json_object_new_int (list->len));
        json_object_object_add (survey, "questions", question_list);
        json_object_array_add (surveys, survey);
      }
  }
  report = json_object_new_object ();
  json_object_object_add (report, "surveys", surveys);
  return report;
}

gboolean
hub_report_org_id (HubStore    *store,
                   const char  *name,
                   gint64      *org_id,
                   GError     **error)
{
  HubDb *db = hub_store_db (store, error);
  HubDbStmt *stmt;

  if (db == NULL || !(stmt = hub_db_prepare (db, "SELECT id FROM orgs WHERE name = $1", error)))
    return FALSE;
  hub_db_bind_text (stmt, 1, name);
  if (!hub_db_step (stmt, error))
    return FALSE;
  *org_id = hub_db_column_int64 (stmt, 0);
  /* read to the end, so the statement is done */
  while (hub_db_step (stmt, NULL))
    ;
  return TRUE;
}

/* ---- CSV ---- */

static void
csv_field (GString    *out,
           const char *text,
           gboolean    last)
{
  g_string_append_c (out, '"');
  for (const char *p = text ? text : ""; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append (out, last ? "\"\r\n" : "\",");
}

static void
csv_number (GString *out,
            double   value)
{
  char text[G_ASCII_DTOSTR_BUF_SIZE];

  csv_field (out, g_ascii_formatd (text, sizeof text, "%.10g", value), FALSE);
}

static GString *
csv_new (void)
{
  GString *out = g_string_new ("\xEF\xBB\xBF");   /* the BOM: Excel then reads UTF-8 */
  return out;
}

static const char *
title_of (json_object *titles)
{
  const char *title = entry_text (titles, "zh_CN");

  if (title == NULL)
    title = entry_text (titles, "en");
  return title;
}

static void
add_csv_row (const Completion *c,
             gpointer          data)
{
  GString *out = data;

  csv_field (out, c->learner, FALSE);
  csv_field (out, c->name, FALSE);
  csv_field (out, c->external_id, FALSE);
  csv_field (out, c->organisation, FALSE);
  csv_field (out, c->device, FALSE);
  csv_field (out, c->course, FALSE);
  csv_field (out, title_of (c->entry ? json_object_object_get (c->entry, "titles") : NULL), FALSE);
  csv_field (out, c->programme, FALSE);
  csv_number (out, entry_number (c->entry, "class_hours"));
  csv_number (out, entry_number (c->entry, "credits"));
  csv_field (out, c->completed, TRUE);
}

GBytes *
hub_report_completions_csv (HubStore               *store,
                            const HubReportFilter  *filter,
                            GError                **error)
{
  g_autoptr(GString) out = csv_new ();
  const char *header[] = { "learner", "name", "external_id", "organisation", "device", "course",
                           "title", "programme", "class_hours", "credits", "completed", NULL };
  Totals totals = { 0 };
  g_autofree char *summary = NULL;

  for (guint i = 0; header[i]; i++)
    csv_field (out, header[i], header[i + 1] == NULL);
  if (!completions_scan (store, filter, add_csv_row, out, &totals, error))
    {
      totals_clear (&totals);
      return NULL;
    }
  /* the totals, as the last line */
  summary = g_strdup_printf ("%" G_GINT64_FORMAT " completions, %u learners, %u passes",
                             totals.completions, g_hash_table_size (totals.learners),
                             g_hash_table_size (totals.passes));
  csv_field (out, "total", FALSE);
  csv_field (out, summary, FALSE);
  for (guint i = 0; i < 6; i++)
    csv_field (out, "", FALSE);
  csv_number (out, totals.class_hours);
  csv_number (out, totals.credits);
  csv_field (out, "", TRUE);
  totals_clear (&totals);
  return g_string_free_to_bytes (g_steal_pointer (&out));
}

static void
csv_counts (GString     *out,
            const char  *course,
            const char  *item,
            json_object *question)
{
  json_object *answers = json_object_object_get (question, "answers");
  json_object *before = json_object_object_get (question, "before");
  json_object *after = json_object_object_get (question, "after");
  struct json_object_iterator it = json_object_iter_begin (answers);
  struct json_object_iterator end = json_object_iter_end (answers);

  for (; !json_object_iter_equal (&it, &end); json_object_iter_next (&it))
    {
      const char *response = json_object_iter_peek_name (&it);
      json_object *b = NULL, *a = NULL;
      char number[32];

      csv_field (out, course, FALSE);
      csv_field (out, item, FALSE);
      csv_field (out, entry_text (question, "question"), FALSE);
      csv_field (out, response, FALSE);
      g_snprintf (number, sizeof number, "%d", json_object_get_int (json_object_iter_peek_value (&it)));
      csv_field (out, number, FALSE);
      json_object_object_get_ex (before, response, &b);
      json_object_object_get_ex (after, response, &a);
      g_snprintf (number, sizeof number, "%d", b ? json_object_get_int (b) : 0);
      csv_field (out, before ? number : "", FALSE);
      g_snprintf (number, sizeof number, "%d", a ? json_object_get_int (a) : 0);
      csv_field (out, after ? number : "", TRUE);
    }
}

GBytes *
hub_report_surveys_csv (HubStore               *store,
                        const HubReportFilter  *filter,
                        GError                **error)
{
  json_object *report = hub_report_surveys (store, filter, error);
  GString *out = csv_new ();
  json_object *surveys = json_object_object_get (report, "surveys");
  const char *header[] = { "course", "item", "question", "response", "count", "before", "after", NULL };

  if (report == NULL)
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  for (guint i = 0; header[i]; i++)
    csv_field (out, header[i], header[i + 1] == NULL);
  for (size_t i = 0; i < json_object_array_length (surveys); i++)
    {
      json_object *survey = json_object_array_get_idx (surveys, i);
      json_object *questions = json_object_object_get (survey, "questions");

      for (size_t q = 0; q < json_object_array_length (questions); q++)
        csv_counts (out, entry_text (survey, "course"), entry_text (survey, "item"),
                    json_object_array_get_idx (questions, q));
    }
  json_object_put (report);
  return g_string_free_to_bytes (out);
}

/* sy-statement.c — building and reading xAPI 1.0.3 statements
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every learning event is one statement with a UUID made where it happened. The store
 * keeps the statement as JSON and indexes a few columns read back from it here, so that a
 * statement made on this PC, pulled from the hub or carried on a USB stick is indexed the
 * same way, and the projections depend only on the set of statements.
 */
#define G_LOG_DOMAIN "ShuyuanCore"

#include "config.h"

#include <math.h>

#include "sy-i18n.h"
#include "sy-statement.h"

G_DEFINE_QUARK (sy-statement-error-quark, sy_statement_error)

static const struct {
  const char *iri;
  const char *display;
} verbs[] = {
  [SY_VERB_LAUNCHED]   = { "http://adlnet.gov/expapi/verbs/launched", "launched" },
  [SY_VERB_PROGRESSED] = { "http://adlnet.gov/expapi/verbs/progressed", "progressed" },
  [SY_VERB_ATTEMPTED]  = { "http://adlnet.gov/expapi/verbs/attempted", "attempted" },
  [SY_VERB_ANSWERED]   = { "http://adlnet.gov/expapi/verbs/answered", "answered" },
  [SY_VERB_COMPLETED]  = { "http://adlnet.gov/expapi/verbs/completed", "completed" },
  [SY_VERB_PASSED]     = { "http://adlnet.gov/expapi/verbs/passed", "passed" },
  [SY_VERB_FAILED]     = { "http://adlnet.gov/expapi/verbs/failed", "failed" },
  [SY_VERB_VOIDED]     = { "http://adlnet.gov/expapi/verbs/voided", "voided" },
  [SY_VERB_ATTENDED]   = { "http://adlnet.gov/expapi/verbs/attended", "attended" },
};

static const char * const activity_types[] = {
  [SY_ITEM_LESSON] = "http://adlnet.gov/expapi/activities/lesson",
  [SY_ITEM_QUIZ]   = "http://adlnet.gov/expapi/activities/assessment",
  [SY_ITEM_SURVEY] = "http://id.tincanapi.com/activitytype/survey",
  [SY_ITEM_PUZZLE] = "http://adlnet.gov/expapi/activities/simulation",
};

void
sy_event_init (SyEvent *event)
{
  memset (event, 0, sizeof *event);
  event->score = -1;
  event->success = -1;
  event->completion = -1;
  event->seconds = -1;
  event->seed = -1;
}

const char *
sy_verb_to_iri (SyVerb verb)
{
  g_return_val_if_fail (verb < SY_VERB_OTHER, NULL);
  return verbs[verb].iri;
}

SyVerb
sy_verb_from_iri (const char *iri)
{
  for (guint i = 0; i < G_N_ELEMENTS (verbs); i++)
    if (g_strcmp0 (verbs[i].iri, iri) == 0)
      return i;
  return SY_VERB_OTHER;
}

/**
 * sy_activity_iri:
 * @item_id: (nullable): the item, or %NULL for the course
 * @question_id: (nullable): a question of the item
 *
 * Returns: (transfer full): the activity id, e.g.
 *   `https://shuyuan.invalid/xapi/course/vd-hygiene/item/quiz-1/question/q3`
 */
char *
sy_activity_iri (const char *course_id,
                 const char *item_id,
                 const char *question_id)
{
  GString *s = g_string_new (SY_ACTIVITY_BASE);

  g_return_val_if_fail (course_id != NULL, NULL);

  g_string_append (s, course_id);
  if (item_id != NULL)
    g_string_append_printf (s, "/item/%s", item_id);
  if (item_id != NULL && question_id != NULL)
    g_string_append_printf (s, "/question/%s", question_id);
  return g_string_free (s, FALSE);
}

/**
 * sy_class_session_iri:
 *
 * Returns: (transfer full): the activity id of a class session, e.g.
 *   `https://shuyuan.invalid/xapi/class/<class uuid>/session/<session uuid>`
 */
char *
sy_class_session_iri (const char *class_uuid,
                      const char *session_uuid)
{
  g_return_val_if_fail (class_uuid != NULL && session_uuid != NULL, NULL);
  return g_strconcat (SY_CLASS_ACTIVITY_BASE, class_uuid, "/session/", session_uuid, NULL);
}

/* Reads an activity id made by sy_activity_iri(); other activities are not ours. */
static gboolean
parse_activity_iri (const char  *iri,
                    char       **course_id,
                    char       **item_id,
                    char       **question_id)
{
  g_auto(GStrv) parts = NULL;
  guint n;

  if (iri == NULL || !g_str_has_prefix (iri, SY_ACTIVITY_BASE))
    return FALSE;

  parts = g_strsplit (iri + strlen (SY_ACTIVITY_BASE), "/", -1);
  n = g_strv_length (parts);
  if (!(n == 1 || (n == 3 && g_str_equal (parts[1], "item")) ||
        (n == 5 && g_str_equal (parts[1], "item") && g_str_equal (parts[3], "question"))))
    return FALSE;

  *course_id = g_strdup (parts[0]);
  *item_id = n >= 3 ? g_strdup (parts[2]) : NULL;
  *question_id = n == 5 ? g_strdup (parts[4]) : NULL;
  return TRUE;
}

/**
 * sy_duration_format:
 *
 * Returns: (transfer full): @seconds as an ISO 8601 duration, e.g. `PT1H2M3.5S`
 */
char *
sy_duration_format (double seconds)
{
  GString *s = g_string_new ("PT");
  guint hours, minutes;
  double rest;

  if (!(seconds > 0))
    seconds = 0;
  hours = (guint) (seconds / 3600);
  minutes = (guint) ((seconds - hours * 3600.0) / 60);
  rest = seconds - hours * 3600.0 - minutes * 60.0;

  if (hours)
    g_string_append_printf (s, "%uH", hours);
  if (minutes)
    g_string_append_printf (s, "%uM", minutes);
  if (rest >= 0.005 || (!hours && !minutes))
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];
      g_string_append (s, g_ascii_formatd (buf, sizeof buf, "%.2f", rest));
      while (s->str[s->len - 1] == '0')
        g_string_truncate (s, s->len - 1);
      if (s->str[s->len - 1] == '.')
        g_string_truncate (s, s->len - 1);
      g_string_append_c (s, 'S');
    }
  return g_string_free (s, FALSE);
}

/**
 * sy_duration_parse:
 *
 * Returns: the seconds of an ISO 8601 duration (`P1DT2H`, `PT0.5S`, `P2W`…; a year counts
 *   365 days and a month 30), or -1 if @duration is not one
 */
double
sy_duration_parse (const char *duration)
{
  const char *p = duration;
  gboolean time = FALSE, any = FALSE;
  double total = 0;

  if (p == NULL || *p++ != 'P')
    return -1;

  while (*p)
    {
      char *end;
      double value;

      if (*p == 'T')
        {
          if (time)
            return -1;
          time = TRUE;
          p++;
          continue;
        }
      if (!g_ascii_isdigit (*p))
        return -1;
      value = g_ascii_strtod (p, &end);
      if (end == p || value < 0)
        return -1;
      p = end;
      switch (*p)
        {
        case 'Y': if (time) return -1; total += value * 365 * 86400; break;
        case 'M': total += time ? value * 60 : value * 30 * 86400; break;
        case 'W': if (time) return -1; total += value * 7 * 86400; break;
        case 'D': if (time) return -1; total += value * 86400; break;
        case 'H': if (!time) return -1; total += value * 3600; break;
        case 'S': if (!time) return -1; total += value; break;
        default: return -1;
        }
      any = TRUE;
      p++;
    }
  return any ? total : -1;
}

static json_object *
language_map (SyText *text)
{
  json_object *map = json_object_new_object ();

  for (guint i = 0; i < sy_text_get_n_languages (text); i++)
    {
      const char *lang = sy_text_get_language (text, i);
      g_autofree char *tag = g_strdelimit (g_strdup (lang[0] ? lang : "und"), "_", '-');

      json_object_object_add (map, tag, json_object_new_string (sy_text_lookup (text, lang)));
    }
  return map;
}

static json_object *
activity (const char *iri,
          SyText     *name,
          const char *type)
{
  json_object *obj = json_object_new_object ();
  json_object *definition = NULL;

  json_object_object_add (obj, "objectType", json_object_new_string ("Activity"));
  json_object_object_add (obj, "id", json_object_new_string (iri));
  if (name != NULL || type != NULL)
    {
      definition = json_object_new_object ();
      if (name != NULL)
        json_object_object_add (definition, "name", language_map (name));
      if (type != NULL)
        json_object_object_add (definition, "type", json_object_new_string (type));
      json_object_object_add (obj, "definition", definition);
    }
  return obj;
}

/* An Agent or an identified Group, known by an account on @home_page. */
static json_object *
agent (const char *object_type,
       const char *name,
       const char *home_page,
       const char *account_name)
{
  json_object *obj = json_object_new_object ();
  json_object *account = json_object_new_object ();

  json_object_object_add (obj, "objectType", json_object_new_string (object_type));
  if (name != NULL)
    json_object_object_add (obj, "name", json_object_new_string (name));
  json_object_object_add (account, "homePage", json_object_new_string (home_page));
  json_object_object_add (account, "name", json_object_new_string (account_name));
  json_object_object_add (obj, "account", account);
  return obj;
}

/**
 * sy_statement_build:
 * @id: the statement's UUID
 * @timestamp: when it happened, ISO 8601
 * @learner_name: (nullable): the learner's display name
 * @home_page: the account home page of learners
 * @device_id: this PC's UUID
 *
 * Returns: (transfer full): the statement
 */
/* A number as a statement carries it: 0.8, not json-c's 0.80000000000000004 (ten
 * significant digits are plenty for a score, and each statement is sent over slow links). */
static json_object *
short_number (double value)
{
  char text[G_ASCII_DTOSTR_BUF_SIZE];

  if (value == (gint64) value && fabs (value) < 1e15)
    return json_object_new_int64 ((gint64) value);
  g_ascii_formatd (text, sizeof text, "%.10g", value);
  return json_object_new_double_s (g_ascii_strtod (text, NULL), text);
}

json_object *
sy_statement_build (const SyEvent *event,
                    const char    *id,
                    const char    *timestamp,
                    const char    *learner_name,
                    const char    *home_page,
                    const char    *device_id)
{
  json_object *st, *actor, *account, *verb, *display, *context, *extensions;
  json_object *result = NULL;
  g_autofree char *object_iri = NULL;

  g_return_val_if_fail (event != NULL && event->verb < SY_VERB_OTHER, NULL);
  g_return_val_if_fail (event->learner_uuid != NULL, NULL);

  st = json_object_new_object ();
  json_object_object_add (st, "id", json_object_new_string (id));

  actor = json_object_new_object ();
  json_object_object_add (actor, "objectType", json_object_new_string ("Agent"));
  if (learner_name != NULL)
    json_object_object_add (actor, "name", json_object_new_string (learner_name));
  account = json_object_new_object ();
  json_object_object_add (account, "homePage", json_object_new_string (home_page));
  json_object_object_add (account, "name", json_object_new_string (event->learner_uuid));
  json_object_object_add (actor, "account", account);
  json_object_object_add (st, "actor", actor);

  verb = json_object_new_object ();
  json_object_object_add (verb, "id", json_object_new_string (verbs[event->verb].iri));
  display = json_object_new_object ();
  json_object_object_add (display, "en-US", json_object_new_string (verbs[event->verb].display));
  json_object_object_add (verb, "display", display);
  json_object_object_add (st, "verb", verb);

  if (event->verb == SY_VERB_VOIDED)
    {
      json_object *ref = json_object_new_object ();

      json_object_object_add (ref, "objectType", json_object_new_string ("StatementRef"));
      json_object_object_add (ref, "id", json_object_new_string (event->voids));
      json_object_object_add (st, "object", ref);
    }
  else
    {
      const char *type = NULL;

      g_return_val_if_fail (event->course_id != NULL || event->object_iri != NULL,
                            (json_object_put (st), NULL));
      if (event->object_iri != NULL)
        object_iri = g_strdup (event->object_iri);
      else
        object_iri = sy_activity_iri (event->course_id, event->item_id, event->question_id);
      if (event->object_iri != NULL)
        type = event->object_type;
      else if (event->question_id != NULL)
        type = "http://adlnet.gov/expapi/activities/cmi.interaction";
      else if (event->item_id != NULL)
        type = activity_types[event->item_type];
      else
        type = "http://adlnet.gov/expapi/activities/course";
      json_object_object_add (st, "object", activity (object_iri,
                                                      event->question_id ? NULL : event->object_name,
                                                      type));
    }

  if (event->score >= 0 || event->success >= 0 || event->completion >= 0 ||
      event->seconds >= 0 || event->response != NULL || event->tries > 0)
    {
      result = json_object_new_object ();
      if (event->score >= 0)
        {
          json_object *score = json_object_new_object ();

          json_object_object_add (score, "scaled", short_number (CLAMP (event->score, 0, 1)));
          if (event->max > 0)
            {
              json_object_object_add (score, "raw", short_number (event->raw));
              json_object_object_add (score, "min", short_number (0));
              json_object_object_add (score, "max", short_number (event->max));
            }
          json_object_object_add (result, "score", score);
        }
      if (event->success >= 0)
        json_object_object_add (result, "success", json_object_new_boolean (event->success));
      if (event->completion >= 0)
        json_object_object_add (result, "completion", json_object_new_boolean (event->completion));
      if (event->response != NULL)
        json_object_object_add (result, "response", json_object_new_string (event->response));
      if (event->seconds >= 0)
        {
          g_autofree char *duration = sy_duration_format (event->seconds);
          json_object_object_add (result, "duration", json_object_new_string (duration));
        }
      if (event->tries > 0)
        {
          json_object *extensions = json_object_new_object ();
          json_object_object_add (extensions, SY_TRIES_EXTENSION, json_object_new_int (event->tries));
          json_object_object_add (result, "extensions", extensions);
        }
      json_object_object_add (st, "result", result);
    }

  context = json_object_new_object ();
  if (event->registration != NULL)
    json_object_object_add (context, "registration", json_object_new_string (event->registration));
  if (event->instructor_uuid != NULL)
    json_object_object_add (context, "instructor",
                            agent ("Agent", event->instructor_name, home_page,
                                   event->instructor_uuid));
  if (event->team_uuid != NULL)
    json_object_object_add (context, "team",
                            agent ("Group", event->team_name, home_page, event->team_uuid));
  if (event->verb != SY_VERB_VOIDED && event->object_iri == NULL && event->item_id != NULL)
    {
      json_object *activities = json_object_new_object ();
      json_object *parent = json_object_new_array ();
      json_object *grouping = json_object_new_array ();
      g_autofree char *course_iri = sy_activity_iri (event->course_id, NULL, NULL);

      if (event->question_id != NULL)
        {
          g_autofree char *item_iri = sy_activity_iri (event->course_id, event->item_id, NULL);
          json_object_array_add (parent, activity (item_iri, NULL, NULL));
          json_object_array_add (grouping, activity (course_iri, NULL, NULL));
        }
      else
        json_object_array_add (parent, activity (course_iri, NULL, NULL));

      json_object_object_add (activities, "parent", parent);
      if (json_object_array_length (grouping) > 0)
        json_object_object_add (activities, "grouping", grouping);
      else
        json_object_put (grouping);
      json_object_object_add (context, "contextActivities", activities);
    }
  extensions = json_object_new_object ();
  json_object_object_add (extensions, SY_DEVICE_EXTENSION, json_object_new_string (device_id));
  if (event->seed >= 0)
    json_object_object_add (extensions, SY_SEED_EXTENSION, json_object_new_int64 (event->seed));
  json_object_object_add (context, "extensions", extensions);
  json_object_object_add (st, "context", context);

  json_object_object_add (st, "timestamp", json_object_new_string (timestamp));
  json_object_object_add (st, "version", json_object_new_string ("1.0.3"));
  return st;
}

static const char *
get_path (json_object *obj,
          ...)
{
  const char *key;
  va_list args;

  va_start (args, obj);
  while (obj != NULL && (key = va_arg (args, const char *)) != NULL)
    if (!json_object_is_type (obj, json_type_object) ||
        !json_object_object_get_ex (obj, key, &obj))
      obj = NULL;
  va_end (args);

  return obj != NULL && json_object_is_type (obj, json_type_string)
         ? json_object_get_string (obj) : NULL;
}

static json_object *
get_object (json_object *obj,
            const char  *key)
{
  json_object *val = NULL;

  if (obj == NULL || !json_object_object_get_ex (obj, key, &val))
    return NULL;
  return val;
}

void
sy_statement_info_free (SyStatementInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->id);
  g_free (info->learner_uuid);
  g_free (info->course_id);
  g_free (info->item_id);
  g_free (info->question_id);
  g_free (info->verb_id);
  g_free (info->registration);
  g_free (info->timestamp);
  g_free (info->stored);
  g_free (info->voids);
  g_free (info->response);
  g_free (info);
}

/**
 * sy_statement_info_new:
 *
 * Reads what the store indexes from a statement, checking the little it relies on: an id
 * that is a UUID, an actor, a verb, an object and a timestamp.
 *
 * Returns: (transfer full): the index columns
 */
SyStatementInfo *
sy_statement_info_new (json_object  *statement,
                       GError      **error)
{
  g_autoptr(SyStatementInfo) info = g_new0 (SyStatementInfo, 1);
  json_object *object, *result, *score, *scaled;
  const char *s;
  g_autoptr(GDateTime) when = NULL;

  g_return_val_if_fail (statement != NULL, NULL);

  info->score = NAN;
  info->seed = -1;

  if (!json_object_is_type (statement, json_type_object))
    {
      g_set_error_literal (error, SY_STATEMENT_ERROR, SY_STATEMENT_ERROR_INVALID,
                           _("A statement must be a JSON object."));
      return NULL;
    }
  if (!(s = get_path (statement, "id", NULL)) || !g_uuid_string_is_valid (s))
    {
      g_set_error_literal (error, SY_STATEMENT_ERROR, SY_STATEMENT_ERROR_INVALID,
                           _("id: a statement needs a UUID."));
      return NULL;
    }
  info->id = g_ascii_strdown (s, -1);

  if (!(s = get_path (statement, "verb", "id", NULL)))
    {
      g_set_error (error, SY_STATEMENT_ERROR, SY_STATEMENT_ERROR_INVALID,
                   _("Statement %s: verb.id is missing."), info->id);
      return NULL;
    }
  info->verb_id = g_strdup (s);
  info->verb = sy_verb_from_iri (s);

  if (get_object (statement, "actor") == NULL || (object = get_object (statement, "object")) == NULL)
    {
      g_set_error (error, SY_STATEMENT_ERROR, SY_STATEMENT_ERROR_INVALID,
                   _("Statement %s: an actor and an object are required."), info->id);
      return NULL;
    }
  if (!(s = get_path (statement, "timestamp", NULL)) || !(when = g_date_time_new_from_iso8601 (s, NULL)))
    {
      g_set_error (error, SY_STATEMENT_ERROR, SY_STATEMENT_ERROR_INVALID,
                   _("Statement %s: timestamp is missing or not an ISO 8601 time."), info->id);
      return NULL;
    }
  info->timestamp = g_strdup (s);
  info->stored = g_strdup (get_path (statement, "stored", NULL));
  info->learner_uuid = g_strdup (get_path (statement, "actor", "account", "name", NULL));
  info->registration = g_strdup (get_path (statement, "context", "registration", NULL));

  if (info->verb == SY_VERB_VOIDED)
    {
      if (g_strcmp0 (get_path (object, "objectType", NULL), "StatementRef") != 0 ||
          !(s = get_path (object, "id", NULL)) || !g_uuid_string_is_valid (s))
        {
          g_set_error (error, SY_STATEMENT_ERROR, SY_STATEMENT_ERROR_INVALID,
                       _("Statement %s: a voiding statement's object is a StatementRef."),
                       info->id);
          return NULL;
        }
      info->voids = g_ascii_strdown (s, -1);
      return g_steal_pointer (&info);
    }

  parse_activity_iri (get_path (object, "id", NULL), &info->course_id, &info->item_id,
                      &info->question_id);

  result = get_object (statement, "result");
  if ((score = get_object (result, "score")) && (scaled = get_object (score, "scaled")) &&
      (json_object_is_type (scaled, json_type_double) || json_object_is_type (scaled, json_type_int)))
    info->score = json_object_get_double (scaled);
  info->response = g_strdup (get_path (result, "response", NULL));
  if ((s = get_path (result, "duration", NULL)))
    info->seconds = MAX (0, sy_duration_parse (s));

  {
    json_object *extensions = get_object (get_object (statement, "context"), "extensions");
    json_object *seed = get_object (extensions, SY_SEED_EXTENSION);

    if (seed != NULL && json_object_is_type (seed, json_type_int))
      info->seed = json_object_get_int64 (seed);
  }

  /* What the statement says of its item: status only climbs, so any order gives the same
   * maximum. Questions' answers count as work on their item; time counts once per
   * statement, and only where it is time on the item (not on a single answer). */
  if (info->item_id != NULL)
    {
      switch (info->verb)
        {
        case SY_VERB_PASSED:
          info->status = SY_STATUS_PASSED;
          break;
        case SY_VERB_COMPLETED:
          info->status = info->question_id ? SY_STATUS_IN_PROGRESS : SY_STATUS_COMPLETED;
          break;
        case SY_VERB_LAUNCHED:
        case SY_VERB_PROGRESSED:
        case SY_VERB_ATTEMPTED:
        case SY_VERB_ANSWERED:
        case SY_VERB_FAILED:
          info->status = SY_STATUS_IN_PROGRESS;
          break;
        case SY_VERB_VOIDED:
        case SY_VERB_OTHER:
        default:
          info->status = SY_STATUS_NOT_STARTED;
          break;
        }
      info->attempt = info->verb == SY_VERB_ATTEMPTED && info->question_id == NULL;
      if (info->question_id != NULL || (info->verb != SY_VERB_PROGRESSED &&
                                        info->verb != SY_VERB_PASSED &&
                                        info->verb != SY_VERB_FAILED &&
                                        info->verb != SY_VERB_COMPLETED))
        info->seconds = 0;
      if (info->question_id != NULL || (info->verb != SY_VERB_PASSED && info->verb != SY_VERB_FAILED))
        info->score = NAN;
    }
  else
    info->seconds = 0;

  return g_steal_pointer (&info);
}

/* sy-quiz.c — quizzes and surveys: reading, shuffling, grading
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Responses use the xAPI 1.0.3 interaction formats, so what the app grades is exactly what
 * it records in a statement: choice ids joined with "[,]", matching pairs "left[.]right",
 * "true"/"false", a decimal number, or the text itself.
 */
#define G_LOG_DOMAIN "ShuyuanCore"

#include "config.h"

#include <math.h>
#include <stdarg.h>

#include "sy-gift-private.h"
#include "sy-i18n.h"
#include "sy-json-private.h"
#include "sy-quiz.h"
#include "sy-util.h"

/* Grading compares doubles parsed from decimal text: 0.4 - 0.3 is 0.10000000000000003, so
 * an answer exactly on the edge of the tolerance needs a little slack to count. */
#define NUMERIC_SLACK 1e-9

#define RESPONSE_SEPARATOR "[,]"
#define PAIR_SEPARATOR     "[.]"

struct _SyQuiz
{
  gatomicrefcount  ref_count;
  gboolean         survey;
  GPtrArray       *questions;
};

/* The public struct plus what only this file needs: short-text answers as the author
 * wrote them, for the correct response recorded in xAPI statements. */
typedef struct
{
  SyQuestion  pub;
  GStrv       accepted_original;
} SyQuestionReal;

G_DEFINE_QUARK (sy-quiz-error-quark, sy_quiz_error)

/* ---- questions ---- */

static void
option_free (SyOption *option)
{
  g_free (option->id);
  g_clear_pointer (&option->text, sy_text_unref);
  g_clear_pointer (&option->right, sy_text_unref);
  g_free (option);
}

SyQuestion *
_sy_question_new (SyQuestionType type)
{
  SyQuestionReal *real = g_new0 (SyQuestionReal, 1);
  SyQuestion *q = &real->pub;

  q->type = type;
  q->options = g_ptr_array_new_with_free_func ((GDestroyNotify) option_free);
  q->min = -G_MAXDOUBLE;
  q->max = G_MAXDOUBLE;
  return q;
}

void
_sy_question_free (SyQuestion *question)
{
  SyQuestionReal *real = (SyQuestionReal *) question;

  if (question == NULL)
    return;
  g_free (question->id);
  g_clear_pointer (&question->prompt, sy_text_unref);
  g_clear_pointer (&question->feedback, sy_text_unref);
  g_clear_pointer (&question->options, g_ptr_array_unref);
  g_clear_pointer (&question->answer_ids, g_strfreev);
  g_clear_pointer (&question->unit, sy_text_unref);
  g_clear_pointer (&question->accepted, g_strfreev);
  g_clear_pointer (&real->accepted_original, g_strfreev);
  g_free (real);
}

/* Adds an option, taking a reference on @text and @right. */
void
_sy_question_add_option (SyQuestion *question,
                         const char *id,
                         SyText     *text,
                         SyText     *right)
{
  SyOption *option = g_new0 (SyOption, 1);

  option->id = g_strdup (id);
  option->text = text ? sy_text_ref (text) : NULL;
  option->right = right ? sy_text_ref (right) : NULL;
  g_ptr_array_add (question->options, option);
}

/* Sets the accepted short-text answers from @originals (as written, every language), keeping
 * each normalized answer once. Answers that normalize to nothing are dropped: they would
 * accept an empty response. Returns FALSE if none is left. */
gboolean
_sy_question_set_accepted (SyQuestion *question,
                           GPtrArray  *originals)
{
  SyQuestionReal *real = (SyQuestionReal *) question;
  g_autoptr(GPtrArray) norm = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) orig = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < originals->len; i++)
    {
      const char *s = g_ptr_array_index (originals, i);
      g_autofree char *n = sy_quiz_normalize_text (s);
      gboolean seen = FALSE;

      if (n[0] == '\0')
        continue;
      for (guint j = 0; j < norm->len && !seen; j++)
        seen = g_str_equal (g_ptr_array_index (norm, j), n);
      if (seen)
        continue;
      g_ptr_array_add (norm, g_steal_pointer (&n));
      g_ptr_array_add (orig, g_strstrip (g_strdup (s)));
    }
  if (norm->len == 0)
    return FALSE;

  g_ptr_array_add (norm, NULL);
  g_ptr_array_add (orig, NULL);
  g_clear_pointer (&question->accepted, g_strfreev);
  g_clear_pointer (&real->accepted_original, g_strfreev);
  question->accepted = (GStrv) g_ptr_array_free (g_steal_pointer (&norm), FALSE);
  real->accepted_original = (GStrv) g_ptr_array_free (g_steal_pointer (&orig), FALSE);
  return TRUE;
}

/* GIFT texts have one language. Going through a JSON string (rather than
 * sy_text_new_from_string()) keeps a text that happens to look like a JSON object, such as
 * an escaped “\{…\}”, exactly as written. */
SyText *
_sy_text_new_plain (const char *text)
{
  json_object *str = json_object_new_string (text);
  SyText *ret = sy_text_new_from_json (str);

  json_object_put (str);
  return ret;
}

static int
find_option (SyQuestion *q,
             const char *id)
{
  for (guint i = 0; i < q->options->len; i++)
    {
      SyOption *option = g_ptr_array_index (q->options, i);

      if (g_str_equal (option->id, id))
        return (int) i;
    }
  return -1;
}

/* ---- numbers ---- */

/* Strict decimal syntax: [+-]digits[.digits][e[+-]digits], where either side of the point
 * may be empty but not both. g_ascii_strtod() alone would also take hexadecimal, "inf" and
 * "nan", none of which a learner means. */
static gboolean
is_decimal (const char *s)
{
  guint digits = 0;

  if (*s == '+' || *s == '-')
    s++;
  for (; g_ascii_isdigit (*s); s++)
    digits++;
  if (*s == '.')
    for (s++; g_ascii_isdigit (*s); s++)
      digits++;
  if (digits == 0)
    return FALSE;
  if (*s == 'e' || *s == 'E')
    {
      s++;
      if (*s == '+' || *s == '-')
        s++;
      if (!g_ascii_isdigit (*s))
        return FALSE;
      while (g_ascii_isdigit (*s))
        s++;
    }
  return *s == '\0';
}

/**
 * _sy_number_parse:
 * @str: a number as a learner or an author typed it
 * @out: (out): the value
 *
 * Accepts full-width digits and signs (NFKC maps them to ASCII) and U+2212 MINUS SIGN,
 * with white space around; only “.” is a decimal point, because “1,5” is one and a half
 * in some languages and fifteen in others.
 */
gboolean
_sy_number_parse (const char *str,
                  double     *out)
{
  g_autofree char *norm = NULL;
  g_autoptr(GString) s = NULL;
  double value;

  if (str == NULL || !g_utf8_validate (str, -1, NULL))
    return FALSE;
  norm = g_utf8_normalize (str, -1, G_NORMALIZE_ALL_COMPOSE);
  if (norm == NULL)
    return FALSE;
  s = g_string_new (norm);
  g_string_replace (s, "\xe2\x88\x92", "-", 0);
  g_strstrip (s->str);

  if (!is_decimal (s->str))
    return FALSE;
  value = g_ascii_strtod (s->str, NULL);
  if (!isfinite (value))
    return FALSE;
  *out = value;
  return TRUE;
}

/* The shortest of "%.15g" and "%.17g" that reads back as @value: 0.1 stays "0.1". */
static char *
format_number (double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_formatd (buf, sizeof buf, "%.15g", value);
  if (g_ascii_strtod (buf, NULL) != value)
    g_ascii_dtostr (buf, sizeof buf, value);
  return g_strdup (buf);
}

/* ---- reading JSON ---- */

typedef SyJsonCtx JsonCtx;

static gboolean
json_text_value (JsonCtx      *c,
                 json_object  *val,
                 const char   *field,
                 SyText      **out)
{
  g_autoptr(SyText) text = sy_text_new_from_json (val);

  if (text == NULL || sy_text_get_n_languages (text) == 0)
    return _sy_json_fail (c, field, _("this should be a text: a string, or an object such as "
                                  "{\"zh_CN\": \"…\", \"en\": \"…\"}."));
  *out = g_steal_pointer (&text);
  return TRUE;
}

static gboolean
json_text (JsonCtx      *c,
           json_object  *obj,
           const char   *prefix,
           const char   *key,
           gboolean      required,
           SyText      **out)
{
  g_autofree char *field = _sy_json_field (prefix, key);
  json_object *val;

  *out = NULL;
  if (!json_object_object_get_ex (obj, key, &val) || val == NULL)
    {
      if (!required)
        return TRUE;
      return _sy_json_fail (c, field, _("this field is required. Check the file against "
                                    "docs/course-format.md."));
    }
  return json_text_value (c, val, field, out);
}

static gboolean
json_id (JsonCtx      *c,
         json_object  *obj,
         const char   *prefix,
         GHashTable   *seen,
         const char  **out)
{
  g_autofree char *field = _sy_json_field (prefix, "id");
  json_object *val;

  if (!_sy_json_get (c, obj, prefix, "id", json_type_string, TRUE, &val))
    return FALSE;
  *out = json_object_get_string (val);
  if (!sy_id_is_valid (*out))
    return _sy_json_fail (c, field,
                      _("“%s” is not a valid id. Use 1–64 characters of a–z, 0–9, “.”, “_” and "
                        "“-”, starting with a letter or digit."), *out);
  if (g_hash_table_contains (seen, *out))
    return _sy_json_fail (c, field, _("the id “%s” is already used. Every id must be unique."), *out);
  g_hash_table_add (seen, (gpointer) *out);
  return TRUE;
}

/* Reads options, ordering items or matching pairs (@key "options", "items" or "pairs"). */
static gboolean
json_options (JsonCtx     *c,
              json_object *obj,
              const char  *prefix,
              const char  *key,
              SyQuestion  *q)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  gboolean matching = g_str_equal (key, "pairs");
  json_object *arr;
  guint n;

  if (!_sy_json_get (c, obj, prefix, key, json_type_array, TRUE, &arr))
    return FALSE;
  n = json_object_array_length (arr);
  if (n < 2)
    {
      g_autofree char *field = _sy_json_field (prefix, key);
      return _sy_json_fail (c, field, _("give at least %u entries."), 2);
    }

  for (guint i = 0; i < n; i++)
    {
      json_object *opt = json_object_array_get_idx (arr, i);
      g_autofree char *p = g_strdup_printf ("%s.%s[%u]", prefix, key, i);
      g_autoptr(SyText) text = NULL;
      g_autoptr(SyText) right = NULL;
      const char *id;

      if (!json_object_is_type (opt, json_type_object))
        return _sy_json_fail (c, p, _("this field has the wrong type. Check the file against "
                                  "docs/course-format.md."));
      if (!json_id (c, opt, p, seen, &id) ||
          !json_text (c, opt, p, matching ? "left" : "text", TRUE, &text) ||
          (matching && !json_text (c, opt, p, "right", TRUE, &right)))
        return FALSE;
      _sy_question_add_option (q, id, text, right);
    }
  return TRUE;
}

static gboolean
json_answer_id (JsonCtx     *c,
                SyQuestion  *q,
                json_object *val,
                const char  *field,
                GPtrArray   *ids)
{
  const char *id;

  if (!json_object_is_type (val, json_type_string))
    return _sy_json_fail (c, field, _("this field has the wrong type. Check the file against "
                                  "docs/course-format.md."));
  id = json_object_get_string (val);
  if (find_option (q, id) < 0)
    return _sy_json_fail (c, field, _("there is no option with id “%s”."), id);
  /* a repeated id would make "exactly these options" unreachable */
  if (!g_ptr_array_find_with_equal_func (ids, id, g_str_equal, NULL))
    g_ptr_array_add (ids, g_strdup (id));
  return TRUE;
}

static gboolean
json_number (JsonCtx     *c,
             json_object *obj,
             const char  *prefix,
             const char  *key,
             gboolean     required,
             double       min,
             double       max,
             double      *out)
{
  json_object *val;

  if (!_sy_json_get (c, obj, prefix, key, json_type_double, required, &val))
    return FALSE;
  if (val == NULL)
    return TRUE;
  *out = json_object_get_double (val);
  if (!(*out >= min && *out <= max))
    {
      g_autofree char *field = _sy_json_field (prefix, key);
      return _sy_json_fail (c, field, _("%g is out of range: use a number from %g to %g."),
                        *out, min, max);
    }
  return TRUE;
}

static gboolean
json_quiz_question (JsonCtx     *c,
                    json_object *obj,
                    const char  *p,
                    const char  *type,
                    SyQuestion  *q)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *answer_field = _sy_json_field (p, "answer");
  json_object *answer;

  if (!json_text (c, obj, p, "feedback", FALSE, &q->feedback))
    return FALSE;

  if (g_str_equal (type, "single") || g_str_equal (type, "multiple"))
    {
      gboolean single = g_str_equal (type, "single");

      q->type = single ? SY_QUESTION_SINGLE : SY_QUESTION_MULTIPLE;
      if (!json_options (c, obj, p, "options", q) ||
          !_sy_json_get (c, obj, p, "answer", single ? json_type_string : json_type_array, TRUE,
                     &answer))
        return FALSE;
      if (single && !json_answer_id (c, q, answer, answer_field, ids))
        return FALSE;
      for (guint i = 0; !single && i < json_object_array_length (answer); i++)
        {
          g_autofree char *f = g_strdup_printf ("%s[%u]", answer_field, i);
          if (!json_answer_id (c, q, json_object_array_get_idx (answer, i), f, ids))
            return FALSE;
        }
      if (ids->len == 0)
        return _sy_json_fail (c, answer_field, _("give at least one correct option."));
      g_ptr_array_add (ids, NULL);
      q->answer_ids = (GStrv) g_ptr_array_free (g_steal_pointer (&ids), FALSE);
      return TRUE;
    }

  if (g_str_equal (type, "true-false"))
    {
      q->type = SY_QUESTION_TRUE_FALSE;
      if (!_sy_json_get (c, obj, p, "answer", json_type_boolean, TRUE, &answer))
        return FALSE;
      q->answer_bool = json_object_get_boolean (answer);
      return TRUE;
    }

  if (g_str_equal (type, "numeric"))
    {
      q->type = SY_QUESTION_NUMERIC;
      return json_number (c, obj, p, "answer", TRUE, -G_MAXDOUBLE, G_MAXDOUBLE,
                          &q->answer_number) &&
             json_number (c, obj, p, "tolerance", FALSE, 0, G_MAXDOUBLE, &q->tolerance) &&
             json_text (c, obj, p, "unit", FALSE, &q->unit);
    }

  if (g_str_equal (type, "short-text"))
    {
      g_autoptr(GPtrArray) originals = g_ptr_array_new ();
      g_autofree char *accept_field = _sy_json_field (p, "accept");
      json_object *accept;

      q->type = SY_QUESTION_SHORT_TEXT;
      if (!_sy_json_get (c, obj, p, "accept", json_type_object, TRUE, &accept))
        return FALSE;
      json_object_object_foreach (accept, lang, list)
        {
          g_autofree char *lf = _sy_json_field (accept_field, lang);

          if (list == NULL || !json_object_is_type (list, json_type_array))
            return _sy_json_fail (c, lf, _("this field has the wrong type. Check the file "
                                       "against docs/course-format.md."));
          for (guint i = 0; i < json_object_array_length (list); i++)
            {
              json_object *s = json_object_array_get_idx (list, i);

              if (!json_object_is_type (s, json_type_string))
                return _sy_json_fail (c, lf, _("this field has the wrong type. Check the file "
                                           "against docs/course-format.md."));
              g_ptr_array_add (originals, (gpointer) json_object_get_string (s));
            }
        }
      if (!_sy_question_set_accepted (q, originals))
        return _sy_json_fail (c, accept_field, _("give at least one accepted answer."));
      return TRUE;
    }

  if (g_str_equal (type, "ordering"))
    {
      q->type = SY_QUESTION_ORDERING;
      return json_options (c, obj, p, "items", q);
    }

  if (g_str_equal (type, "matching"))
    {
      q->type = SY_QUESTION_MATCHING;
      return json_options (c, obj, p, "pairs", q);
    }

  {
    g_autofree char *field = _sy_json_field (p, "type");
    return _sy_json_fail (c, field, _("unknown question type “%s”. Use one of: %s."), type,
                      "single, multiple, true-false, numeric, short-text, ordering, matching");
  }
}

static gboolean
json_survey_question (JsonCtx     *c,
                      json_object *obj,
                      const char  *p,
                      const char  *type,
                      SyQuestion  *q)
{
  json_object *val;

  if (g_str_equal (type, "likert"))
    {
      g_autofree char *field = _sy_json_field (p, "scale");
      guint n;

      q->type = SY_QUESTION_LIKERT;
      if (!_sy_json_get (c, obj, p, "scale", json_type_array, TRUE, &val))
        return FALSE;
      n = json_object_array_length (val);
      if (n < 3)
        return _sy_json_fail (c, field, _("give at least %u entries."), 3);
      for (guint i = 0; i < n; i++)
        {
          g_autofree char *f = g_strdup_printf ("%s[%u]", field, i);
          g_autofree char *id = g_strdup_printf ("%u", i + 1);
          g_autoptr(SyText) text = NULL;

          if (!json_text_value (c, json_object_array_get_idx (val, i), f, &text))
            return FALSE;
          _sy_question_add_option (q, id, text, NULL);
        }
      return TRUE;
    }

  if (g_str_equal (type, "choice"))
    {
      q->type = SY_QUESTION_CHOICE;
      if (!json_options (c, obj, p, "options", q) ||
          !_sy_json_get (c, obj, p, "multiple", json_type_boolean, FALSE, &val))
        return FALSE;
      q->multiple_choice = val != NULL && json_object_get_boolean (val);
      return TRUE;
    }

  if (g_str_equal (type, "number"))
    {
      q->type = SY_QUESTION_NUMBER;
      if (!json_number (c, obj, p, "min", FALSE, -G_MAXDOUBLE, G_MAXDOUBLE, &q->min) ||
          !json_number (c, obj, p, "max", FALSE, -G_MAXDOUBLE, G_MAXDOUBLE, &q->max) ||
          !json_text (c, obj, p, "unit", FALSE, &q->unit))
        return FALSE;
      if (q->max < q->min)
        {
          g_autofree char *field = _sy_json_field (p, "max");
          return _sy_json_fail (c, field, _("%g is out of range: use a number from %g to %g."),
                            q->max, q->min, G_MAXDOUBLE);
        }
      return TRUE;
    }

  if (g_str_equal (type, "text"))
    {
      q->type = SY_QUESTION_TEXT;
      return TRUE;
    }

  {
    g_autofree char *field = _sy_json_field (p, "type");
    return _sy_json_fail (c, field, _("unknown question type “%s”. Use one of: %s."), type,
                      "likert, choice, number, text");
  }
}

/* The package checker has validated the file at import time, but the file on disk may
 * since have been edited or damaged, so everything the grader relies on is checked again. */
static GPtrArray *
load_json (const char  *data,
           gsize        length,
           const char  *file_name,
           gboolean     survey,
           GError     **error)
{
  g_autoptr(GPtrArray) questions =
    g_ptr_array_new_with_free_func ((GDestroyNotify) _sy_question_free);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  JsonCtx ctx = { file_name, SY_QUIZ_ERROR, SY_QUIZ_ERROR_PARSE, error };
  JsonCtx *c = &ctx;
  json_object *root, *list;
  GPtrArray *ret = NULL;

  if (!(root = _sy_json_parse_object (c, data, length)))
    return NULL;
  if (!_sy_json_get (c, root, "", "questions", json_type_array, TRUE, &list))
    goto out;
  if (json_object_array_length (list) == 0)
    {
      _sy_json_fail (c, "questions", _("give at least one question."));
      goto out;
    }

  for (guint i = 0; i < json_object_array_length (list); i++)
    {
      json_object *obj = json_object_array_get_idx (list, i), *type;
      g_autofree char *p = g_strdup_printf ("questions[%u]", i);
      g_autoptr(SyQuestion) q = _sy_question_new (SY_QUESTION_SINGLE);
      const char *id;

      if (!json_object_is_type (obj, json_type_object))
        {
          _sy_json_fail (c, p, _("the file should hold one JSON object {…}."));
          goto out;
        }
      if (!json_id (c, obj, p, seen, &id) ||
          !_sy_json_get (c, obj, p, "type", json_type_string, TRUE, &type) ||
          !json_text (c, obj, p, "prompt", TRUE, &q->prompt))
        goto out;
      q->id = g_strdup (id);

      if (survey ? !json_survey_question (c, obj, p, json_object_get_string (type), q)
                 : !json_quiz_question (c, obj, p, json_object_get_string (type), q))
        goto out;
      g_ptr_array_add (questions, g_steal_pointer (&q));
    }
  ret = g_steal_pointer (&questions);

out:
  json_object_put (root);
  return ret;
}

/* ---- the quiz ---- */

/**
 * sy_quiz_new_from_data:
 * @data: the file's contents
 * @length: its length, or -1 if nul-terminated
 * @file_name: the file's name: a `.gift` suffix selects GIFT, `.json` JSON; error messages
 *   start with it
 * @survey: read a survey (JSON only) rather than a quiz
 *
 * Returns: (transfer full) (nullable): the quiz, or %NULL with %SY_QUIZ_ERROR_PARSE
 */
SyQuiz *
sy_quiz_new_from_data (const char  *data,
                       gssize       length,
                       const char  *file_name,
                       gboolean     survey,
                       GError     **error)
{
  g_autofree char *lower = NULL;
  g_autoptr(GPtrArray) questions = NULL;
  const char *bad;
  SyQuiz *self;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (file_name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (data == NULL)
    data = "";
  if (length < 0)
    length = strlen (data);

  if (!g_utf8_validate (data, length, &bad))
    {
      g_autofree char *msg =
        g_strdup_printf (_("the text is not valid UTF-8 (at byte %u). Save the file as UTF-8."),
                         (guint) (bad - data));
      g_set_error (error, SY_QUIZ_ERROR, SY_QUIZ_ERROR_PARSE, "%s: %s", file_name, msg);
      return NULL;
    }

  lower = g_ascii_strdown (file_name, -1);
  if (g_str_has_suffix (lower, ".gift"))
    {
      if (survey)
        {
          g_set_error (error, SY_QUIZ_ERROR, SY_QUIZ_ERROR_PARSE, "%s: %s", file_name,
                       _("surveys are written in JSON, not GIFT. See docs/course-format.md."));
          return NULL;
        }
      questions = _sy_gift_parse (data, length, file_name, error);
    }
  else if (g_str_has_suffix (lower, ".json"))
    questions = load_json (data, length, file_name, survey, error);
  else
    g_set_error (error, SY_QUIZ_ERROR, SY_QUIZ_ERROR_PARSE, "%s: %s", file_name,
                 _("Shuyuan reads quizzes from .json and .gift files only."));

  if (questions == NULL)
    return NULL;

  self = g_new0 (SyQuiz, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->survey = survey;
  self->questions = g_steal_pointer (&questions);
  return self;
}

/**
 * sy_quiz_load:
 * @path: a quiz (`.json` or `.gift`) or survey (`.json`) file
 * @survey: read a survey rather than a quiz
 *
 * Returns: (transfer full) (nullable): the quiz; %NULL with a #GFileError if the file
 *   cannot be read, or %SY_QUIZ_ERROR_PARSE if it is not a valid quiz
 */
SyQuiz *
sy_quiz_load (const char  *path,
              gboolean     survey,
              GError     **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *display = NULL;
  gsize length;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_file_get_contents (path, &contents, &length, error))
    return NULL;
  display = g_filename_display_name (path);
  return sy_quiz_new_from_data (contents, length, display, survey, error);
}

SyQuiz *
sy_quiz_ref (SyQuiz *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
sy_quiz_unref (SyQuiz *self)
{
  g_return_if_fail (self != NULL);
  if (g_atomic_ref_count_dec (&self->ref_count))
    {
      g_ptr_array_unref (self->questions);
      g_free (self);
    }
}

gboolean
sy_quiz_is_survey (SyQuiz *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->survey;
}

guint
sy_quiz_get_n_questions (SyQuiz *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->questions->len;
}

/**
 * sy_quiz_get_question:
 *
 * Returns: (transfer none): the question, owned by @self
 */
SyQuestion *
sy_quiz_get_question (SyQuiz *self,
                      guint   index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->questions->len, NULL);
  return g_ptr_array_index (self->questions, index);
}

/**
 * sy_quiz_find_question:
 *
 * Returns: (transfer none) (nullable): the question with that id, owned by @self
 */
SyQuestion *
sy_quiz_find_question (SyQuiz     *self,
                       const char *id)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (id != NULL, NULL);

  for (guint i = 0; i < self->questions->len; i++)
    {
      SyQuestion *q = g_ptr_array_index (self->questions, i);

      if (g_str_equal (q->id, id))
        return q;
    }
  return NULL;
}

/* ---- shuffling ---- */

/* FNV-1a, written out rather than g_str_hash() so that the order a stored seed gives can
 * never change under us with a GLib update. */
static guint32
stable_hash (const char *s)
{
  guint32 h = 2166136261u;

  for (const guchar *p = (const guchar *) s; *p; p++)
    {
      h ^= *p;
      h *= 16777619u;
    }
  return h;
}

/* A uniform integer in [0, n) from raw Mersenne Twister output, by rejection.
 * g_rand_int_range() would also do, but its algorithm depends on the G_RANDOM_VERSION
 * environment variable. */
static guint32
rand_below (GRand   *rand,
            guint32  n)
{
  guint32 threshold = (0u - n) % n;

  for (;;)
    {
      guint32 x = g_rand_int (rand);

      if (x >= threshold)
        return x % n;
    }
}

static gboolean
shuffles (SyQuestionType type)
{
  switch (type)
    {
    case SY_QUESTION_SINGLE:
    case SY_QUESTION_MULTIPLE:
    case SY_QUESTION_ORDERING:
    case SY_QUESTION_MATCHING:
    case SY_QUESTION_CHOICE:
      return TRUE;
    case SY_QUESTION_TRUE_FALSE:
    case SY_QUESTION_NUMERIC:
    case SY_QUESTION_SHORT_TEXT:
    case SY_QUESTION_LIKERT:
    case SY_QUESTION_NUMBER:
    case SY_QUESTION_TEXT:
    default:
      return FALSE;
    }
}

/**
 * sy_question_shuffle:
 * @seed: the attempt's seed
 *
 * The order to show @question's options in (for matching, its right sides). The same seed
 * gives the same order on every PC, so an attempt can be shown again exactly as the learner
 * saw it; the question id is mixed in so that questions of one attempt differ. True-false
 * and Likert options keep their order.
 *
 * Returns: (transfer full) (element-type guint): indices into @question->options
 */
GArray *
sy_question_shuffle (SyQuestion *question,
                     guint32     seed)
{
  g_autoptr(GRand) rand = NULL;
  GArray *order;
  guint n;

  g_return_val_if_fail (question != NULL, NULL);

  n = question->options->len;
  order = g_array_sized_new (FALSE, FALSE, sizeof (guint), n);
  for (guint i = 0; i < n; i++)
    g_array_append_val (order, i);
  if (!shuffles (question->type) || n < 2)
    return order;

  rand = g_rand_new_with_seed (seed ^ stable_hash (question->id));
  for (guint i = n - 1; i > 0; i--)
    {
      guint j = rand_below (rand, i + 1);
      guint tmp = g_array_index (order, guint, i);

      g_array_index (order, guint, i) = g_array_index (order, guint, j);
      g_array_index (order, guint, j) = tmp;
    }

  /* An ordering question shown in its solved order gives the answer away, and a learner who
   * submits without touching it would be marked right; 1 in n! attempts would hit this
   * (half of them with two items). Rotating keeps the result deterministic. */
  if (question->type == SY_QUESTION_ORDERING)
    {
      gboolean identity = TRUE;

      for (guint i = 0; i < n && identity; i++)
        identity = g_array_index (order, guint, i) == i;
      if (identity)
        for (guint i = 0; i < n; i++)
          g_array_index (order, guint, i) = (i + 1) % n;
    }
  return order;
}

/* ---- grading ---- */

static gboolean response_fail (GError    **error,
                               SyQuestion *q,
                               const char *format,
                               ...) G_GNUC_PRINTF (3, 4);

/* Not translated: a malformed response is a bug in the caller or a damaged record, never
 * something a learner or a trainer can fix. */
static gboolean
response_fail (GError    **error,
               SyQuestion *q,
               const char *format,
               ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, SY_QUIZ_ERROR, SY_QUIZ_ERROR_RESPONSE, "question “%s”: %s", q->id, msg);
  return FALSE;
}

/* Splits a "[,]"-joined list of option ids, checking that each exists and none repeats. */
static GStrv
split_ids (SyQuestion  *q,
           const char  *response,
           GError     **error)
{
  g_auto(GStrv) ids = g_strsplit (response, RESPONSE_SEPARATOR, -1);

  for (guint i = 0; ids[i]; i++)
    {
      if (find_option (q, ids[i]) < 0)
        return (response_fail (error, q, "there is no option “%s”", ids[i]), NULL);
      for (guint j = 0; j < i; j++)
        if (g_str_equal (ids[i], ids[j]))
          return (response_fail (error, q, "the option “%s” is given twice", ids[i]), NULL);
    }
  return g_steal_pointer (&ids);
}

static gboolean
grade_number (SyQuestion  *q,
              const char  *response,
              gboolean    *correct,
              GError     **error)
{
  double x;

  if (!_sy_number_parse (response, &x))
    return response_fail (error, q, "“%s” is not a decimal number", response);

  if (q->type == SY_QUESTION_NUMBER)
    {
      if (x < q->min || x > q->max)
        return response_fail (error, q, "%g is outside %g…%g", x, q->min, q->max);
      *correct = TRUE;
    }
  else
    *correct = fabs (x - q->answer_number) <= q->tolerance + NUMERIC_SLACK;
  return TRUE;
}

static gboolean
grade_matching (SyQuestion  *q,
                const char  *response,
                gboolean    *correct,
                GError     **error)
{
  g_auto(GStrv) pairs = g_strsplit (response, RESPONSE_SEPARATOR, -1);
  g_autofree gboolean *matched = g_new0 (gboolean, q->options->len);
  gboolean all_right = TRUE;
  guint n = g_strv_length (pairs);

  for (guint i = 0; i < n; i++)
    {
      g_auto(GStrv) lr = g_strsplit (pairs[i], PAIR_SEPARATOR, -1);
      int left, right;

      if (g_strv_length (lr) != 2)
        return response_fail (error, q, "“%s” is not a pair left[.]right", pairs[i]);
      if ((left = find_option (q, lr[0])) < 0)
        return response_fail (error, q, "there is no pair “%s”", lr[0]);
      if ((right = find_option (q, lr[1])) < 0)
        return response_fail (error, q, "there is no pair “%s”", lr[1]);
      if (matched[left])
        return response_fail (error, q, "“%s” is matched twice", lr[0]);
      matched[left] = TRUE;
      /* Two left sides may name the same right side: a learner can do that, and it is
       * simply wrong. */
      all_right = all_right && left == right;
    }
  if (n != q->options->len)
    return response_fail (error, q, "%u of %u left sides are matched", n, q->options->len);
  *correct = all_right;
  return TRUE;
}

/**
 * sy_question_grade:
 * @response: the learner's response in xAPI format (see sy_question_correct_response())
 * @correct: (out): whether it is right; always %TRUE for survey questions, which are
 *   recorded, not graded
 *
 * Returns: %FALSE with %SY_QUIZ_ERROR_RESPONSE if @response is malformed for the question
 *   (an unknown or repeated id, a wrong count, not a number, an ordering that is not a
 *   permutation, a matching that does not match every left side once)
 */
gboolean
sy_question_grade (SyQuestion  *question,
                   const char  *response,
                   gboolean    *correct,
                   GError     **error)
{
  SyQuestion *q = question;
  g_auto(GStrv) ids = NULL;
  gboolean right = FALSE;
  guint n;

  g_return_val_if_fail (question != NULL, FALSE);
  g_return_val_if_fail (response != NULL, FALSE);
  g_return_val_if_fail (correct != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!g_utf8_validate (response, -1, NULL))
    return response_fail (error, q, "the response is not valid UTF-8");

  switch (q->type)
    {
    case SY_QUESTION_SINGLE:
    case SY_QUESTION_LIKERT:
      if (!(ids = split_ids (q, response, error)))
        return FALSE;
      if (g_strv_length (ids) != 1)
        return response_fail (error, q, "choose exactly one option, not %u",
                              g_strv_length (ids));
      right = q->type == SY_QUESTION_LIKERT || g_str_equal (ids[0], q->answer_ids[0]);
      break;

    case SY_QUESTION_MULTIPLE:
      if (!(ids = split_ids (q, response, error)))
        return FALSE;
      n = g_strv_length (ids);
      right = n == g_strv_length (q->answer_ids);
      for (guint i = 0; right && i < n; i++)
        right = g_strv_contains ((const char * const *) q->answer_ids, ids[i]);
      break;

    case SY_QUESTION_CHOICE:
      if (!(ids = split_ids (q, response, error)))
        return FALSE;
      n = g_strv_length (ids);
      if (!q->multiple_choice && n != 1)
        return response_fail (error, q, "choose exactly one option, not %u", n);
      right = TRUE;
      break;

    case SY_QUESTION_TRUE_FALSE:
      if (!g_str_equal (response, "true") && !g_str_equal (response, "false"))
        return response_fail (error, q, "“%s” is neither true nor false", response);
      right = g_str_equal (response, "true") == !!q->answer_bool;
      break;

    case SY_QUESTION_NUMERIC:
    case SY_QUESTION_NUMBER:
      return grade_number (q, response, correct, error);

    case SY_QUESTION_SHORT_TEXT:
      {
        g_autofree char *norm = sy_quiz_normalize_text (response);
        right = g_strv_contains ((const char * const *) q->accepted, norm);
      }
      break;

    case SY_QUESTION_TEXT:
      right = TRUE;
      break;

    case SY_QUESTION_ORDERING:
      if (!(ids = split_ids (q, response, error)))
        return FALSE;
      if (g_strv_length (ids) != q->options->len)
        return response_fail (error, q, "put all %u items in order, not %u",
                              q->options->len, g_strv_length (ids));
      right = TRUE;
      for (guint i = 0; right && ids[i]; i++)
        right = find_option (q, ids[i]) == (int) i;
      break;

    case SY_QUESTION_MATCHING:
      return grade_matching (q, response, correct, error);

    default:
      g_return_val_if_reached (FALSE);
    }

  *correct = right;
  return TRUE;
}

static char *
join_option_ids (SyQuestion *q)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < q->options->len; i++)
    {
      SyOption *option = g_ptr_array_index (q->options, i);

      if (i > 0)
        g_string_append (s, RESPONSE_SEPARATOR);
      g_string_append (s, option->id);
      if (q->type == SY_QUESTION_MATCHING)
        g_string_append_printf (s, PAIR_SEPARATOR "%s", option->id);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/**
 * sy_question_correct_response:
 *
 * The right response in the xAPI format sy_question_grade() reads, for a statement's
 * correctResponsesPattern; sy_question_grade() marks it correct. A numeric answer is given
 * as its single number (which xAPI allows) even when a tolerance is accepted around it; a
 * short-text answer as the first accepted answer, as its author wrote it.
 *
 * Returns: (transfer full) (nullable): the response; %NULL for survey questions
 */
char *
sy_question_correct_response (SyQuestion *question)
{
  SyQuestionReal *real = (SyQuestionReal *) question;

  g_return_val_if_fail (question != NULL, NULL);

  switch (question->type)
    {
    case SY_QUESTION_SINGLE:
    case SY_QUESTION_MULTIPLE:
      return g_strjoinv (RESPONSE_SEPARATOR, question->answer_ids);
    case SY_QUESTION_TRUE_FALSE:
      return g_strdup (question->answer_bool ? "true" : "false");
    case SY_QUESTION_NUMERIC:
      return format_number (question->answer_number);
    case SY_QUESTION_SHORT_TEXT:
      return g_strdup (real->accepted_original[0]);
    case SY_QUESTION_ORDERING:
    case SY_QUESTION_MATCHING:
      return join_option_ids (question);
    case SY_QUESTION_LIKERT:
    case SY_QUESTION_CHOICE:
    case SY_QUESTION_NUMBER:
    case SY_QUESTION_TEXT:
    default:
      return NULL;
    }
}

/**
 * sy_question_interaction_type:
 *
 * Returns: the xAPI interactionType of @question
 */
const char *
sy_question_interaction_type (SyQuestion *question)
{
  static const char * const types[] = {
    [SY_QUESTION_SINGLE] = "choice",
    [SY_QUESTION_MULTIPLE] = "choice",
    [SY_QUESTION_TRUE_FALSE] = "true-false",
    [SY_QUESTION_NUMERIC] = "numeric",
    [SY_QUESTION_SHORT_TEXT] = "fill-in",
    [SY_QUESTION_ORDERING] = "sequencing",
    [SY_QUESTION_MATCHING] = "matching",
    [SY_QUESTION_LIKERT] = "likert",
    [SY_QUESTION_CHOICE] = "choice",
    [SY_QUESTION_NUMBER] = "numeric",
    [SY_QUESTION_TEXT] = "long-fill-in",
  };

  g_return_val_if_fail (question != NULL, NULL);
  g_return_val_if_fail (question->type <= SY_QUESTION_TEXT, NULL);
  return types[question->type];
}

/**
 * sy_quiz_normalize_text:
 * @text: a short-text answer
 *
 * What short-text answers are compared by: Unicode NFKC (full-width ＡＢＣ１２３ and the
 * ideographic space become ASCII), case folded, white space trimmed and every run of it
 * made one space. Invalid UTF-8 is repaired first, so the result is always valid.
 *
 * Returns: (transfer full): the normalized text
 */
char *
sy_quiz_normalize_text (const char *text)
{
  g_autofree char *valid = NULL;
  g_autofree char *nfkc = NULL;
  g_autofree char *folded = NULL;
  g_autofree char *again = NULL;
  g_autoptr(GString) out = NULL;
  gboolean pending_space = FALSE;

  g_return_val_if_fail (text != NULL, NULL);

  if (!g_utf8_validate (text, -1, NULL))
    text = valid = g_utf8_make_valid (text, -1);
  nfkc = g_utf8_normalize (text, -1, G_NORMALIZE_ALL_COMPOSE);
  folded = g_utf8_casefold (nfkc, -1);
  /* case folding can undo NFKC for a few characters, such as U+0345 */
  again = g_utf8_normalize (folded, -1, G_NORMALIZE_ALL_COMPOSE);

  out = g_string_sized_new (strlen (again));
  for (const char *p = again; *p; p = g_utf8_next_char (p))
    {
      gunichar ch = g_utf8_get_char (p);

      if (g_unichar_isspace (ch))
        {
          pending_space = out->len > 0;
          continue;
        }
      if (pending_space)
        g_string_append_c (out, ' ');
      pending_space = FALSE;
      g_string_append_unichar (out, ch);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

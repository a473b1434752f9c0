/* sy-package.c — reading and checking a staged course package
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The rules are those of docs/course-format.md. Each check fails with a message that names
 * the file and the field (as a path such as `modules[0].items[2].title`) and says what to
 * fix, because the person reading it is a trainer with a text editor.
 */
#define G_LOG_DOMAIN "ShuyuanCore"

#include "config.h"

#include <cmark.h>
#include <stdarg.h>

#include "sy-course-private.h"
#include "sy-i18n.h"
#include "sy-package-private.h"
#include "sy-puzzle.h"
#include "sy-quiz.h"
#include "sy-util.h"

typedef struct
{
  const char *root;
  const char *file;                 /* the file being checked, relative to root */
  const char * const *languages;    /* every text must have these */
  GError **error;
} Ctx;

/* Sets the error for the current file and returns FALSE. */
#define FAIL(c, code, field, ...) \
  _sy_package_error ((c)->error, (code), (c)->file, (field), __VA_ARGS__)

static char *
field_path (const char *prefix,
            const char *key)
{
  if (prefix == NULL || prefix[0] == '\0')
    return g_strdup (key);
  if (key == NULL)
    return g_strdup (prefix);
  return g_strdup_printf ("%s.%s", prefix, key);
}

static char *
index_path (const char *prefix,
            const char *key,
            guint       index)
{
  g_autofree char *base = field_path (prefix, key);
  return g_strdup_printf ("%s[%u]", base, index);
}

static gboolean
check_known_fields (Ctx                *c,
                    json_object        *obj,
                    const char         *prefix,
                    const char * const *known)
{
  json_object_object_foreach (obj, key, val)
    {
      (void) val;
      if (g_str_has_prefix (key, "x-") || g_strv_contains (known, key))
        continue;
      {
        g_autofree char *field = field_path (prefix, key);
        return FAIL (c, SY_PACKAGE_ERROR_INVALID_FIELD, field,
                     _("unknown field. Check its spelling against docs/course-format.md "
                       "(extensions start with “x-”)."));
      }
    }
  return TRUE;
}

static const char *
json_type_display (json_type type)
{
  switch (type)
    {
    case json_type_string: return _("a string");
    case json_type_int: return _("a whole number");
    case json_type_double: return _("a number");
    case json_type_boolean: return _("true or false");
    case json_type_array: return _("a list […]");
    case json_type_object: return _("an object {…}");
    case json_type_null:
    default: return _("a value");
    }
}

/* Looks up @key in @obj, checking its type; json_type_double accepts any number.
 * *out is NULL when an optional field is absent. */
static gboolean
get_member (Ctx          *c,
            json_object  *obj,
            const char   *prefix,
            const char   *key,
            json_type     type,
            gboolean      required,
            json_object **out)
{
  json_object *val = NULL;
  gboolean type_ok;

  *out = NULL;
  if (!json_object_object_get_ex (obj, key, &val) || val == NULL)
    {
      if (required)
        {
          g_autofree char *field = field_path (prefix, key);
          return FAIL (c, SY_PACKAGE_ERROR_MISSING_FIELD, field,
                       _("this field is required (%s)."), json_type_display (type));
        }
      return TRUE;
    }

  if (type == json_type_double)
    type_ok = json_object_is_type (val, json_type_double) ||
              json_object_is_type (val, json_type_int);
  else
    type_ok = json_object_is_type (val, type);

  if (!type_ok)
    {
      g_autofree char *field = field_path (prefix, key);
      return FAIL (c, SY_PACKAGE_ERROR_INVALID_FIELD, field, _("this should be %s."),
                   json_type_display (type));
    }

  *out = val;
  return TRUE;
}

static gboolean
get_id (Ctx          *c,
        json_object  *obj,
        const char   *prefix,
        const char   *key,
        GHashTable   *seen,
        const char  **out)
{
  json_object *val;
  g_autofree char *field = NULL;

  if (!get_member (c, obj, prefix, key, json_type_string, TRUE, &val))
    return FALSE;

  *out = json_object_get_string (val);
  field = field_path (prefix, key);
  if (!sy_id_is_valid (*out))
    return FAIL (c, SY_PACKAGE_ERROR_INVALID_FIELD, field,
                 _("“%s” is not a valid id. Use 1–64 characters of a–z, 0–9, “.”, “_” and "
                   "“-”, starting with a letter or digit."), *out);
  if (seen != NULL)
    {
      if (g_hash_table_contains (seen, *out))
        return FAIL (c, SY_PACKAGE_ERROR_DUPLICATE_ID, field,
                     _("the id “%s” is already used. Every id must be unique."), *out);
      g_hash_table_add (seen, g_strdup (*out));
    }
  return TRUE;
}

static gboolean
get_number (Ctx         *c,
            json_object *obj,
            const char  *prefix,
            const char  *key,
            gboolean     required,
            double       min,
            double       max,
            double      *out)
{
  json_object *val;

  if (!get_member (c, obj, prefix, key, json_type_double, required, &val))
    return FALSE;
  if (val == NULL)
    return TRUE;

  *out = json_object_get_double (val);
  if (!(*out >= min && *out <= max))
    {
      g_autofree char *field = field_path (prefix, key);
      return FAIL (c, SY_PACKAGE_ERROR_INVALID_FIELD, field,
                   _("%g is out of range: use a number from %g to %g."), *out, min, max);
    }
  return TRUE;
}

static gboolean
check_text_value (Ctx         *c,
                  json_object *val,
                  const char  *field,
                  SyText     **out)
{
  g_autoptr(SyText) text = sy_text_new_from_json (val);

  if (text == NULL || sy_text_get_n_languages (text) == 0)
    return FAIL (c, SY_PACKAGE_ERROR_INVALID_FIELD, field,
                 _("this should be a text: a string, or an object such as "
                   "{\"zh_CN\": \"…\", \"en\": \"…\"}."));

  for (guint i = 0; c->languages && c->languages[i]; i++)
    {
      const char *s = sy_text_lookup (text, c->languages[i]);

      if (s == NULL)
        return FAIL (c, SY_PACKAGE_ERROR_MISSING_FIELD, field,
                     _("the “%s” text is missing: the course lists it in “languages”."),
                     c->languages[i]);
      {
        g_autofree char *copy = g_strstrip (g_strdup (s));
        if (copy[0] == '\0')
          return FAIL (c, SY_PACKAGE_ERROR_INVALID_FIELD, field,
                       _("the “%s” text is empty."), c->languages[i]);
      }
    }

  if (out)
    *out = g_steal_pointer (&text);
  return TRUE;
}

static gboolean
get_text (Ctx          *c,
          json_object  *obj,
          const char   *prefix,
          const char   *key,
          gboolean      required,
          SyText      **out)
{
  json_object *val = NULL;
  g_autofree char *field = field_path (prefix, key);

  if (out)
    *out = NULL;
  if (!json_object_object_get_ex (obj, key, &val) || val == NULL)
    {
      if (required)
        return FAIL (c, SY_PACKAGE_ERROR_MISSING_FIELD, field, _("this field is required (a text)."));
      return TRUE;
    }
  return check_text_value (c, val, field, out);
}

/* @path is relative to @base (a folder inside the package, "" for the root). */
static char *
resolve_in_package (const char  *base,
                    const char  *path,
                    const char **why)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  g_auto(GStrv) base_parts = g_strsplit (base, "/", -1);
  g_auto(GStrv) path_parts = NULL;

  if (path[0] == '/')
    return (*why = _("absolute paths are not allowed"), NULL);
  if (strchr (path, '\\') != NULL)
    return (*why = _("use “/” rather than “\\” between folders"), NULL);

  path_parts = g_strsplit (path, "/", -1);
  for (guint i = 0; base_parts[i]; i++)
    if (base_parts[i][0] != '\0')
      g_ptr_array_add (parts, base_parts[i]);

  for (guint i = 0; path_parts[i]; i++)
    {
      if (path_parts[i][0] == '\0' || g_str_equal (path_parts[i], "."))
        continue;
      if (g_str_equal (path_parts[i], ".."))
        {
          if (parts->len == 0)
            return (*why = _("“..” would leave the package"), NULL);
          g_ptr_array_remove_index (parts, parts->len - 1);
          continue;
        }
      g_ptr_array_add (parts, path_parts[i]);
    }
  if (parts->len == 0)
    return (*why = _("the path is empty"), NULL);

  g_ptr_array_add (parts, NULL);
  return g_strjoinv ("/", (char **) parts->pdata);
}

static gboolean
has_suffix_of (const char         *path,
               const char * const *suffixes)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);

  for (guint i = 0; suffixes[i]; i++)
    if (g_str_has_suffix (lower, suffixes[i]))
      return TRUE;
  return FALSE;
}

static const char * const media_suffixes[] = {
  ".png", ".jpg", ".jpeg", ".svg", ".webp", ".ogg", ".oga", ".mp3", ".webm", ".mp4", NULL
};
static const char * const image_suffixes[] = { ".png", ".jpg", ".jpeg", ".svg", ".webp", NULL };

/* Checks that @path names a regular file of the package; returns the normalized path. */
static gboolean
check_file (Ctx                *c,
            const char         *field,
            const char         *base,
            const char         *path,
            const char * const *suffixes,
            char              **out)
{
  g_autofree char *norm = NULL;
  g_autofree char *full = NULL;
  const char *why = NULL;

  if (!(norm = resolve_in_package (base, path, &why)))
    return FAIL (c, SY_PACKAGE_ERROR_UNSAFE_PATH, field, _("“%s”: %s."), path, why);

  if (suffixes != NULL && !has_suffix_of (norm, suffixes))
    {
      g_autofree char *list = g_strjoinv (" ", (char **) suffixes);
      return FAIL (c, SY_PACKAGE_ERROR_INVALID_FIELD, field,
                   _("“%s” has a file type Shuyuan cannot use here. Use one of: %s."),
                   path, list);
    }

  full = g_build_filename (c->root, norm, NULL);
  if (!g_file_test (full, G_FILE_TEST_IS_REGULAR))
    return FAIL (c, SY_PACKAGE_ERROR_MISSING_FILE, field,
                 _("the file “%s” is not in the package. Add it or correct the name."), path);

  if (out)
    *out = g_steal_pointer (&norm);
  return TRUE;
}

/* Reads a text file of the package, checking its size and encoding. */
static char *
read_text (Ctx         *c,
           const char  *rel,
           gsize       *len)
{
  g_autofree char *full = g_build_filename (c->root, rel, NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) local = NULL;
  const char *end;

  if (!g_file_get_contents (full, &contents, len, &local))
    {
      _sy_package_error (c->error, SY_PACKAGE_ERROR_MISSING_FILE, rel, NULL, "%s",
                         local->message);
      return NULL;
    }
  if (!g_utf8_validate (contents, *len, &end))
    {
      _sy_package_error (c->error, SY_PACKAGE_ERROR_NOT_UTF8, rel, NULL,
                         _("the text is not valid UTF-8 (at byte %u). Save the file as UTF-8."),
                         (guint) (end - contents));
      return NULL;
    }
  return g_steal_pointer (&contents);
}

static json_object *
read_json (Ctx        *c,
           const char *rel)
{
  g_autofree char *contents = NULL;
  json_tokener *tok;
  json_object *obj;
  gsize len;

  if (!(contents = read_text (c, rel, &len)))
    return NULL;

  tok = json_tokener_new ();
  obj = json_tokener_parse_ex (tok, contents, len);
  if (obj == NULL || json_tokener_get_error (tok) != json_tokener_success ||
      tok->char_offset < (int) len)
    {
      enum json_tokener_error jerr = json_tokener_get_error (tok);
      int offset = MIN ((int) len, tok->char_offset);
      guint line = 1;

      for (int i = 0; i < offset; i++)
        if (contents[i] == '\n')
          line++;

      if (obj != NULL && jerr == json_tokener_success)
        {
          /* skip trailing white space */
          const char *p = contents + offset;
          while (*p && g_ascii_isspace (*p))
            p++;
          if (*p == '\0')
            {
              json_tokener_free (tok);
              goto ok;
            }
        }
      json_object_put (obj);
      _sy_package_error (c->error, SY_PACKAGE_ERROR_INVALID_JSON, rel, NULL,
                         _("line %u: the JSON is malformed (%s). Check commas, quotes and "
                           "brackets there."),
                         line, jerr == json_tokener_success ? _("unexpected text after the end")
                                                            : json_tokener_error_desc (jerr));
      json_tokener_free (tok);
      return NULL;
    }
  json_tokener_free (tok);

ok:
  if (!json_object_is_type (obj, json_type_object))
    {
      json_object_put (obj);
      _sy_package_error (c->error, SY_PACKAGE_ERROR_INVALID_JSON, rel, NULL,
                         _("the file should hold one JSON object {…}."));
      return NULL;
    }
  return obj;
}

/* ---- lessons ---- */

static gboolean
url_has_scheme (const char *url)
{
  const char *p = url;

  if (!g_ascii_isalpha (*p))
    return FALSE;
  while (g_ascii_isalnum (*p) || *p == '+' || *p == '-' || *p == '.')
    p++;
  return *p == ':';
}

static gboolean
check_lesson (Ctx        *c,
              const char *rel)
{
  g_autofree char *contents = NULL;
  g_autofree char *base = g_path_get_dirname (rel);
  cmark_node *doc;
  cmark_iter *iter;
  cmark_event_type ev;
  gboolean ok = TRUE;
  const char *saved_file = c->file;
  gsize len;

  if (g_str_equal (base, "."))
    base[0] = '\0';

  if (!(contents = read_text (c, rel, &len)))
    return FALSE;

  c->file = rel;
  doc = cmark_parse_document (contents, len, CMARK_OPT_DEFAULT);
  iter = cmark_iter_new (doc);
  while (ok && (ev = cmark_iter_next (iter)) != CMARK_EVENT_DONE)
    {
      cmark_node *node = cmark_iter_get_node (iter);
      cmark_node_type type = cmark_node_get_type (node);
      const char *url;
      g_autofree char *decoded = NULL;
      g_autofree char *field = NULL;
      char *cut;

      if (ev != CMARK_EVENT_ENTER || (type != CMARK_NODE_IMAGE && type != CMARK_NODE_LINK))
        continue;
      url = cmark_node_get_url (node);
      if (url == NULL || url[0] == '\0' || url[0] == '#' || url_has_scheme (url) ||
          g_str_has_prefix (url, "//"))
        continue;

      decoded = g_uri_unescape_string (url, NULL);
      if (decoded == NULL)
        decoded = g_strdup (url);
      if ((cut = strpbrk (decoded, "?#")) != NULL)
        *cut = '\0';

      field = g_strdup_printf (type == CMARK_NODE_IMAGE ? _("image “%s”") : _("link “%s”"), url);
      ok = check_file (c, field, base, decoded,
                       type == CMARK_NODE_IMAGE ? media_suffixes : NULL, NULL);
    }
  cmark_iter_free (iter);
  cmark_node_free (doc);
  c->file = saved_file;
  return ok;
}

/* ---- quizzes, surveys, puzzles ---- */

static gboolean
check_options (Ctx          *c,
               json_object  *q,
               const char   *prefix,
               const char   *key,
               guint         min,
               GHashTable  **ids_out)
{
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  json_object *arr;

  if (!get_member (c, q, prefix, key, json_type_array, TRUE, &arr))
    return FALSE;
  if (json_object_array_length (arr) < min)
    {
      g_autofree char *field = field_path (prefix, key);
      return FAIL (c, SY_PACKAGE_ERROR_INVALID_FIELD, field,
                   _("give at least %u entries."), min);
    }

  for (guint i = 0; i < json_object_array_length (arr); i++)
    {
      json_object *opt = json_object_array_get_idx (arr, i);
      g_autofree char *p = index_path (prefix, key, i);
      const char *id;
      gboolean matching = g_str_equal (key, "pairs");
      static const char * const option_fields[] = { "id", "text", NULL };
      static const char * const pair_fields[] = { "id", "left", "right", NULL };

      if (!json_object_is_type (opt, json_type_object))
        return FAIL (c, SY_PACKAGE_ERROR_INVALID_FIELD, p, _("this should be %s."),
                     json_type_display (json_type_object));
      if (!check_known_fields (c, opt, p, matching ? pair_fields : option_fields) ||
          !get_id (c, opt, p, "id", ids, &id))
        return FALSE;
      if (matching)
        {
          if (!get_text (c, opt, p, "left", TRUE, NULL) ||
              !get_text (c, opt, p, "right", TRUE, NULL))
            return FALSE;
        }
      else if (!get_text (c, opt, p, "text", TRUE, NULL))
        return FALSE;
    }

  if (ids_out)
    *ids_out = g_steal_pointer (&ids);
  return TRUE;
}

static gboolean
check_answer_id (Ctx         *c,
                 json_object *val,
                 const char  *field,
                 GHashTable  *ids)
{
  if (!json_object_is_type (val, json_type_string))
    return FAIL (c, SY_PACKAGE_ERROR_INVALID_FIELD, field, _("this should be an option id."));
  if (!g_hash_table_contains (ids, json_object_get_string (val)))
    return FAIL (c, SY_PACKAGE_ERROR_INVALID_FIELD, field,
                 _("there is no option with id “%s”."), json_object_get_string (val));
  return TRUE;
}

/* The fields every quiz and survey question has: known fields only, a type from @types,
 * a prompt. */
static gboolean
check_question_head (Ctx                *c,
                     json_object        *q,
                     const char         *p,
                     const char * const *fields,
                     const char * const *types,
                     const char        **type)
{
  json_object *type_obj;

  if (!check_known_fields (c, q, p, fields) ||
      !get_member (c, q, p, "type", json_type_string, TRUE, &type_obj) ||
      !get_text (c, q, p, "prompt", TRUE, NULL))
    return FALSE;

  *type = json_object_get_string (type_obj);
  if (!g_strv_contains (types, *type))
    {
      g_autofree char *field = field_path (p, "type");
      g_autofree char *list = g_strjoinv (", ", (char **) types);
      return FAIL (c, SY_PACKAGE_ERROR_INVALID_FIELD, field,
                   _("unknown question type “%s”. Use one of: %s."), *type, list);
    }
  return TRUE;
}

static gboolean
check_quiz_question (Ctx         *c,
                     json_object *q,
                     const char  *p)
{
  static const char * const types[] = {
    "single", "multiple", "true-false", "numeric", "short-text", "ordering", "matching", NULL
  };
  static const char * const fields[] = {
    "id", "type", "prompt", "feedback", "options", "answer", "tolerance", "unit", "accept",
    "items", "pairs", NULL
  };
  g_autoptr(GHashTable) ids = NULL;
  json_object *answer;
  const char *type;
  g_autofree char *answer_field = field_path (p, "answer");

  if (!check_question_head (c, q, p, fields, types, &type) ||
      !get_text (c, q, p, "feedback", FALSE, NULL))
    return FALSE;

  if (g_str_equal (type, "single"))
    {
      return check_options (c, q, p, "options", 2, &ids) &&
             get_member (c, q, p, "answer", json_type_string, TRUE, &answer) &&
             check_answer_id (c, answer, answer_field, ids);
    }
  if (g_str_equal (type, "multiple"))
    {
      if (!check_options (c, q, p, "options", 2, &ids) ||
          !get_member (c, q, p, "answer", json_type_array, TRUE, &answer))
        return FALSE;
      if (json_object_array_length (answer) == 0)
        return FAIL (c, SY_PACKAGE_ERROR_INVALID_FIELD, answer_field,
                     _("give at least one correct option."));
      for (guint i = 0; i < json_object_array_length (answer); i++)
        {
          g_autofree char *f = index_path (p, "answer", i);
          if (!check_answer_id (c, json_object_array_get_idx (answer, i), f, ids))
            return FALSE;
        }
      return TRUE;
    }
  if (g_str_equal (type, "true-false"))
    return get_member (c, q, p, "answer", json_type_boolean, TRUE, &answer);
  if (g_str_equal (type, "numeric"))
    {
      double v = 0;
      return get_number (c, q, p, "answer", TRUE, -G_MAXDOUBLE, G_MAXDOUBLE, &v) &&
             get_number (c, q, p, "tolerance", FALSE, 0, G_MAXDOUBLE, &v) &&
             get_text (c, q, p, "unit", FALSE, NULL);
    }
  if (g_str_equal (type, "short-text"))
    {
      json_object *accept;
      g_autofree char *accept_field = field_path (p, "accept");

      if (!get_member (c, q, p, "accept", json_type_object, TRUE, &accept))
        return FALSE;
      for (guint i = 0; c->languages[i]; i++)
        {
          json_object *list;
          g_autofree char *lp = field_path (accept_field, c->languages[i]);

          if (!get_member (c, accept, accept_field, c->languages[i], json_type_array, TRUE, &list))
            return FALSE;
          if (json_object_array_length (list) == 0)
            return FAIL (c, SY_PACKAGE_ERROR_INVALID_FIELD, lp,
                         _("give at least one accepted answer."));
          for (guint j = 0; j < json_object_array_length (list); j++)
            if (!json_object_is_type (json_object_array_get_idx (list, j), json_type_string))
              return FAIL (c, SY_PACKAGE_ERROR_INVALID_FIELD, lp,
                           _("accepted answers are strings."));
        }
      return TRUE;
    }
  if (g_str_equal (type, "ordering"))
    return check_options (c, q, p, "items", 2, NULL);

  /* matching */
  return check_options (c, q, p, "pairs", 2, NULL);
}

static gboolean
check_survey_question (Ctx         *c,
                       json_object *q,
                       const char  *p)
{
  static const char * const types[] = { "likert", "choice", "number", "text", NULL };
  static const char * const fields[] = {
    "id", "type", "prompt", "scale", "options", "multiple", "min", "max", "unit", NULL
  };
  json_object *val;
  const char *type;

  if (!check_question_head (c, q, p, fields, types, &type))
    return FALSE;

  if (g_str_equal (type, "likert"))
    {
      g_autofree char *field = field_path (p, "scale");
      guint n;

      if (!get_member (c, q, p, "scale", json_type_array, TRUE, &val))
        return FALSE;
      n = json_object_array_length (val);
      if (n < 3 || n > 7)
        return FAIL (c, SY_PACKAGE_ERROR_INVALID_FIELD, field,
                     _("a scale has 3 to 7 steps, not %u."), n);
      for (guint i = 0; i < n; i++)
        {
          g_autofree char *f = index_path (p, "scale", i);
          if (!check_text_value (c, json_object_array_get_idx (val, i), f, NULL))
            return FALSE;
        }
      return TRUE;
    }
  if (g_str_equal (type, "choice"))
    return check_options (c, q, p, "options", 2, NULL) &&
           get_member (c, q, p, "multiple", json_type_boolean, FALSE, &val);
  if (g_str_equal (type, "number"))
    {
      double v;
      return get_number (c, q, p, "min", FALSE, -G_MAXDOUBLE, G_MAXDOUBLE, &v) &&
             get_number (c, q, p, "max", FALSE, -G_MAXDOUBLE, G_MAXDOUBLE, &v) &&
             get_text (c, q, p, "unit", FALSE, NULL);
    }
  return TRUE;
}

static gboolean
check_questions_file (Ctx        *c,
                      const char *rel,
                      gboolean    survey)
{
  static const char * const fields[] = { "questions", NULL };
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *saved_file = c->file;
  json_object *obj, *questions;
  gboolean ok = FALSE;

  if (!(obj = read_json (c, rel)))
    return FALSE;

  c->file = rel;
  if (!check_known_fields (c, obj, NULL, fields) ||
      !get_member (c, obj, NULL, "questions", json_type_array, TRUE, &questions))
    goto out;
  if (json_object_array_length (questions) == 0)
    {
      FAIL (c, SY_PACKAGE_ERROR_INVALID_FIELD, "questions", _("give at least one question."));
      goto out;
    }

  for (guint i = 0; i < json_object_array_length (questions); i++)
    {
      json_object *q = json_object_array_get_idx (questions, i);
      g_autofree char *p = index_path (NULL, "questions", i);
      const char *id;

      if (!json_object_is_type (q, json_type_object))
        {
          FAIL (c, SY_PACKAGE_ERROR_INVALID_FIELD, p, _("this should be %s."),
                json_type_display (json_type_object));
          goto out;
        }
      if (!get_id (c, q, p, "id", ids, &id))
        goto out;
      if (survey ? !check_survey_question (c, q, p) : !check_quiz_question (c, q, p))
        goto out;
    }
  ok = TRUE;

out:
  c->file = saved_file;
  json_object_put (obj);
  return ok;
}

static gboolean
check_cell (Ctx         *c,
            json_object *val,
            const char  *field,
            int          width,
            int          height,
            int         *x,
            int         *y)
{
  if (!json_object_is_type (val, json_type_array) || json_object_array_length (val) != 2 ||
      !json_object_is_type (json_object_array_get_idx (val, 0), json_type_int) ||
      !json_object_is_type (json_object_array_get_idx (val, 1), json_type_int))
    return FAIL (c, SY_PACKAGE_ERROR_INVALID_FIELD, field, _("a cell is written [x, y]."));

  *x = json_object_get_int (json_object_array_get_idx (val, 0));
  *y = json_object_get_int (json_object_array_get_idx (val, 1));
  if (*x < 0 || *y < 0 || *x >= width || *y >= height)
    return FAIL (c, SY_PACKAGE_ERROR_INVALID_FIELD, field,
                 _("the cell [%d, %d] is outside the %d × %d grid."), *x, *y, width, height);
  return TRUE;
}

static gboolean
check_puzzle (Ctx        *c,
              const char *rel)
{
  static const char * const fields[] = {
    "width", "height", "start", "goal", "walls", "collect", "blocks", "max_blocks", "hints", NULL
  };
  static const char * const blocks[] = {
    "forward", "left", "right", "repeat", "if-wall-ahead", NULL
  };
  static const char * const dirs[] = { "north", "east", "south", "west", NULL };
  const char *saved_file = c->file;
  json_object *obj, *val, *start, *goal, *dir;
  double width = 0, height = 0, max_blocks = 0, sx = 0, sy = 0, gx = 0, gy = 0;
  gboolean ok = FALSE;

  if (!(obj = read_json (c, rel)))
    return FALSE;
  c->file = rel;

  if (!check_known_fields (c, obj, NULL, fields) ||
      !get_number (c, obj, NULL, "width", TRUE, 2, 16, &width) ||
      !get_number (c, obj, NULL, "height", TRUE, 2, 16, &height) ||
      !get_number (c, obj, NULL, "max_blocks", TRUE, 1, 100, &max_blocks) ||
      !get_member (c, obj, NULL, "start", json_type_object, TRUE, &start) ||
      !get_number (c, start, "start", "x", TRUE, 0, width - 1, &sx) ||
      !get_number (c, start, "start", "y", TRUE, 0, height - 1, &sy) ||
      !get_member (c, start, "start", "dir", json_type_string, TRUE, &dir) ||
      !get_member (c, obj, NULL, "goal", json_type_object, TRUE, &goal) ||
      !get_number (c, goal, "goal", "x", TRUE, 0, width - 1, &gx) ||
      !get_number (c, goal, "goal", "y", TRUE, 0, height - 1, &gy))
    goto out;

  if (!g_strv_contains (dirs, json_object_get_string (dir)))
    {
      FAIL (c, SY_PACKAGE_ERROR_INVALID_FIELD, "start.dir",
            _("use north, east, south or west."));
      goto out;
    }

  for (guint k = 0; k < 2; k++)
    {
      const char *key = k == 0 ? "walls" : "collect";

      if (!get_member (c, obj, NULL, key, json_type_array, FALSE, &val))
        goto out;
      for (guint i = 0; val && i < json_object_array_length (val); i++)
        {
          g_autofree char *f = index_path (NULL, key, i);
          int x = 0, y = 0;

          if (!check_cell (c, json_object_array_get_idx (val, i), f, width, height, &x, &y))
            goto out;
          if (k == 0 && ((x == sx && y == sy) || (x == gx && y == gy)))
            {
              FAIL (c, SY_PACKAGE_ERROR_INVALID_FIELD, f,
                    _("a wall cannot stand on the start or the goal."));
              goto out;
            }
        }
    }

  if (!get_member (c, obj, NULL, "blocks", json_type_array, TRUE, &val))
    goto out;
  if (json_object_array_length (val) == 0)
    {
      FAIL (c, SY_PACKAGE_ERROR_INVALID_FIELD, "blocks", _("allow at least one block."));
      goto out;
    }
  for (guint i = 0; i < json_object_array_length (val); i++)
    {
      json_object *b = json_object_array_get_idx (val, i);
      g_autofree char *f = index_path (NULL, "blocks", i);

      if (!json_object_is_type (b, json_type_string) ||
          !g_strv_contains (blocks, json_object_get_string (b)))
        {
          FAIL (c, SY_PACKAGE_ERROR_INVALID_FIELD, f,
                _("use forward, left, right, repeat or if-wall-ahead."));
          goto out;
        }
    }

  if (!get_member (c, obj, NULL, "hints", json_type_array, FALSE, &val))
    goto out;
  for (guint i = 0; val && i < json_object_array_length (val); i++)
    {
      g_autofree char *f = index_path (NULL, "hints", i);
      if (!check_text_value (c, json_object_array_get_idx (val, i), f, NULL))
        goto out;
    }
  ok = TRUE;

out:
  c->file = saved_file;
  json_object_put (obj);
  return ok;
}

/* ---- course.json ---- */

static gboolean
is_language_code (const char *s)
{
  gsize n = strlen (s);

  if (n < 2 || n > 8 || !g_ascii_islower (s[0]) || !g_ascii_islower (s[1]))
    return FALSE;
  for (gsize i = 2; i < n; i++)
    if (!g_ascii_isalnum (s[i]) && s[i] != '_' && s[i] != '-')
      return FALSE;
  return TRUE;
}

static gboolean
check_item (Ctx         *c,
            json_object *it,
            const char  *p,
            SyCourse    *course,
            SyModule    *module,
            GHashTable  *ids)
{
  static const char * const fields[] = {
    "id", "type", "title", "file", "minutes", "pass_score", "max_attempts", "feedback", NULL
  };
  g_autoptr(SyText) file_text = NULL;
  g_autofree char *file_field = field_path (p, "file");
  json_object *type_obj, *file, *val;
  SyItem *item = _sy_item_new ();
  const char *id;

  g_ptr_array_add (module->items, item);
  item->module_id = g_strdup (module->id);

  if (!check_known_fields (c, it, p, fields) ||
      !get_id (c, it, p, "id", ids, &id) ||
      !get_member (c, it, p, "type", json_type_string, TRUE, &type_obj) ||
      !get_text (c, it, p, "title", TRUE, &item->title))
    return FALSE;
  item->id = g_strdup (id);

  if (!sy_item_type_from_string (json_object_get_string (type_obj), &item->type))
    {
      g_autofree char *field = field_path (p, "type");
      return FAIL (c, SY_PACKAGE_ERROR_INVALID_FIELD, field,
                   _("unknown item type “%s”. Use lesson, quiz, survey or puzzle."),
                   json_object_get_string (type_obj));
    }

  if (!json_object_object_get_ex (it, "file", &file) || file == NULL)
    return FAIL (c, SY_PACKAGE_ERROR_MISSING_FIELD, file_field,
                 _("this field is required (the item's file)."));

  if (item->type == SY_ITEM_LESSON)
    {
      if (!check_text_value (c, file, file_field, &file_text))
        return FALSE;
      for (guint i = 0; i < sy_text_get_n_languages (file_text); i++)
        {
          const char *lang = sy_text_get_language (file_text, i);
          const char *path = sy_text_lookup (file_text, lang);
          g_autofree char *norm = NULL;
          static const char * const md[] = { ".md", NULL };

          if (!check_file (c, file_field, "", path, md, &norm) || !check_lesson (c, norm))
            return FALSE;
        }
      if (!get_number (c, it, p, "minutes", TRUE, 0.1, 600, &item->minutes))
        return FALSE;
    }
  else
    {
      static const char * const quiz_suffixes[] = { ".json", ".gift", NULL };
      static const char * const json_suffix[] = { ".json", NULL };
      g_autofree char *norm = NULL;

      if (!json_object_is_type (file, json_type_string))
        return FAIL (c, SY_PACKAGE_ERROR_INVALID_FIELD, file_field,
                     _("this should be the path of one file."));
      if (!check_file (c, file_field, "", json_object_get_string (file),
                       item->type == SY_ITEM_QUIZ ? quiz_suffixes : json_suffix, &norm))
        return FALSE;
      file_text = sy_text_new_from_json (file);

      if (item->type == SY_ITEM_QUIZ && g_str_has_suffix (norm, ".gift"))
        {
          g_autoptr(SyQuiz) quiz = NULL;
          g_autoptr(GError) local = NULL;
          gsize len;
          g_autofree char *gift = read_text (c, norm, &len);

          if (gift == NULL)
            return FALSE;
          /* the GIFT reader's messages already name the file and the line */
          if (!(quiz = sy_quiz_new_from_data (gift, len, norm, FALSE, &local)))
            return _sy_package_error (c->error, SY_PACKAGE_ERROR_INVALID_FIELD, NULL, NULL,
                                      "%s", local->message);
        }
      else if ((item->type == SY_ITEM_QUIZ || item->type == SY_ITEM_SURVEY) &&
               !check_questions_file (c, norm, item->type == SY_ITEM_SURVEY))
        return FALSE;
      else if (item->type == SY_ITEM_PUZZLE)
        {
          g_autofree char *full = g_build_filename (c->root, norm, NULL);
          g_autoptr(SyPuzzle) puzzle = NULL;
          g_autoptr(GError) local = NULL;

          if (!check_puzzle (c, norm))
            return FALSE;
          /* and whatever else the interpreter needs (whole numbers, items off walls) */
          if (!(puzzle = sy_puzzle_load (full, &local)))
            return _sy_package_error (c->error, SY_PACKAGE_ERROR_INVALID_FIELD, NULL, NULL,
                                      "%s", local->message);
        }

      if (json_object_object_get_ex (it, "minutes", &val))
        {
          g_autofree char *field = field_path (p, "minutes");
          return FAIL (c, SY_PACKAGE_ERROR_INVALID_FIELD, field,
                       _("only lessons have a reading time. Remove this field."));
        }
    }
  item->file = g_steal_pointer (&file_text);

  item->pass_score = course->pass_score;
  if (!get_number (c, it, p, "pass_score", FALSE, 0, 1, &item->pass_score))
    return FALSE;
  {
    double attempts = 0;
    if (!get_number (c, it, p, "max_attempts", FALSE, 1, 1000, &attempts))
      return FALSE;
    item->max_attempts = (int) attempts;
  }
  if (!get_member (c, it, p, "feedback", json_type_string, FALSE, &val))
    return FALSE;
  if (val != NULL)
    {
      const char *fb = json_object_get_string (val);
      if (!g_str_equal (fb, "immediate") && !g_str_equal (fb, "end"))
        {
          g_autofree char *field = field_path (p, "feedback");
          return FAIL (c, SY_PACKAGE_ERROR_INVALID_FIELD, field, _("use immediate or end."));
        }
      item->feedback_at_end = g_str_equal (fb, "end");
    }
  return TRUE;
}

/**
 * sy_package_load:
 * @root: the folder holding course.json (usually from sy_package_stage())
 *
 * Reads course.json and every file it names, and checks them against format version 1.
 *
 * Returns: (transfer full): the course, without content_dir or sha256 set
 */
SyCourse *
sy_package_load (const char  *root,
                 GError     **error)
{
  static const char * const fields[] = {
    "format", "id", "version", "programme", "title", "description", "languages",
    "class_hours", "credits", "pass_score", "cover", "modules", NULL
  };
  g_autoptr(SyCourse) course = _sy_course_new ();
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) langs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) local = NULL;
  json_object *obj = NULL, *val, *modules;
  const char *id;
  Ctx ctx = { root, "course.json", NULL, error };
  Ctx *c = &ctx;
  SyCourse *ret = NULL;

  g_return_val_if_fail (root != NULL, NULL);

  if (!(obj = read_json (c, "course.json")))
    return NULL;

  if (!get_member (c, obj, NULL, "format", json_type_int, TRUE, &val))
    goto out;
  if (json_object_get_int64 (val) != SY_PACKAGE_FORMAT)
    {
      FAIL (c, SY_PACKAGE_ERROR_UNSUPPORTED_FORMAT, "format",
            _("this package is in format %lld, but this version of Shuyuan reads format %d. "
              "Update Shuyuan, or ask for a package in format %d."),
            (long long) json_object_get_int64 (val), SY_PACKAGE_FORMAT, SY_PACKAGE_FORMAT);
      goto out;
    }

  if (!check_known_fields (c, obj, NULL, fields) ||
      !get_id (c, obj, NULL, "id", NULL, &id))
    goto out;
  course->id = g_strdup (id);

  if (!get_member (c, obj, NULL, "version", json_type_int, TRUE, &val))
    goto out;
  course->version = json_object_get_int64 (val);
  if (course->version < 1)
    {
      FAIL (c, SY_PACKAGE_ERROR_INVALID_FIELD, "version",
            _("the version is a whole number from 1 up."));
      goto out;
    }

  if (!get_id (c, obj, NULL, "programme", NULL, &id))
    goto out;
  course->programme = g_strdup (id);

  if (!get_member (c, obj, NULL, "languages", json_type_array, TRUE, &val))
    goto out;
  if (json_object_array_length (val) == 0)
    {
      FAIL (c, SY_PACKAGE_ERROR_INVALID_FIELD, "languages",
            _("list at least one language, such as [\"zh_CN\"]."));
      goto out;
    }
  for (guint i = 0; i < json_object_array_length (val); i++)
    {
      json_object *l = json_object_array_get_idx (val, i);
      g_autofree char *f = index_path (NULL, "languages", i);

      if (!json_object_is_type (l, json_type_string) || !is_language_code (json_object_get_string (l)))
        {
          FAIL (c, SY_PACKAGE_ERROR_INVALID_FIELD, f,
                _("a language is a code such as zh_CN or en."));
          goto out;
        }
      g_ptr_array_add (langs, g_strdup (json_object_get_string (l)));
    }
  g_ptr_array_add (langs, NULL);
  course->languages = (GStrv) g_ptr_array_free (g_steal_pointer (&langs), FALSE);
  c->languages = (const char * const *) course->languages;

  if (!get_text (c, obj, NULL, "title", TRUE, &course->title) ||
      !get_text (c, obj, NULL, "description", FALSE, &course->description) ||
      !get_number (c, obj, NULL, "class_hours", TRUE, 0, 10000, &course->class_hours) ||
      !get_number (c, obj, NULL, "credits", FALSE, 0, 10000, &course->credits) ||
      !get_number (c, obj, NULL, "pass_score", FALSE, 0, 1, &course->pass_score) ||
      !get_member (c, obj, NULL, "cover", json_type_string, FALSE, &val))
    goto out;
  if (val != NULL && !check_file (c, "cover", "", json_object_get_string (val), image_suffixes,
                                  &course->cover))
    goto out;

  if (!get_member (c, obj, NULL, "modules", json_type_array, TRUE, &modules))
    goto out;
  if (json_object_array_length (modules) == 0)
    {
      FAIL (c, SY_PACKAGE_ERROR_INVALID_FIELD, "modules", _("a course needs at least one module."));
      goto out;
    }

  for (guint i = 0; i < json_object_array_length (modules); i++)
    {
      static const char * const module_fields[] = { "id", "title", "items", NULL };
      json_object *m = json_object_array_get_idx (modules, i), *items;
      g_autofree char *p = index_path (NULL, "modules", i);
      g_autoptr(SyText) title = NULL;
      SyModule *module;

      if (!json_object_is_type (m, json_type_object))
        {
          FAIL (c, SY_PACKAGE_ERROR_INVALID_FIELD, p, _("this should be %s."),
                json_type_display (json_type_object));
          goto out;
        }
      if (!check_known_fields (c, m, p, module_fields) ||
          !get_id (c, m, p, "id", ids, &id) ||
          !get_text (c, m, p, "title", TRUE, &title) ||
          !get_member (c, m, p, "items", json_type_array, TRUE, &items))
        goto out;

      module = _sy_module_new (id, title);
      g_ptr_array_add (course->modules, module);

      if (json_object_array_length (items) == 0)
        {
          g_autofree char *f = field_path (p, "items");
          FAIL (c, SY_PACKAGE_ERROR_INVALID_FIELD, f, _("a module needs at least one item."));
          goto out;
        }
      for (guint j = 0; j < json_object_array_length (items); j++)
        {
          json_object *it = json_object_array_get_idx (items, j);
          g_autofree char *ip = index_path (p, "items", j);

          if (!json_object_is_type (it, json_type_object))
            {
              FAIL (c, SY_PACKAGE_ERROR_INVALID_FIELD, ip, _("this should be %s."),
                    json_type_display (json_type_object));
              goto out;
            }
          if (!check_item (c, it, ip, course, module, ids))
            goto out;
          course->n_items++;
        }
    }

  ret = g_steal_pointer (&course);

out:
  json_object_put (obj);
  return ret;
}

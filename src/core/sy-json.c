/* sy-json.c
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ShuyuanCore"

#include "config.h"

#include "sy-i18n.h"
#include "sy-json-private.h"

/* Sets the error as "FILE: FIELD: message" (or "FILE: message") and returns FALSE. */
gboolean
_sy_json_fail (SyJsonCtx  *c,
               const char *field,
               const char *format,
               ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);

  if (field != NULL)
    g_set_error (c->error, c->domain, c->code, "%s: %s: %s", c->file, field, msg);
  else
    g_set_error (c->error, c->domain, c->code, "%s: %s", c->file, msg);
  return FALSE;
}

/* "prefix.key", or "key" at the top level */
char *
_sy_json_field (const char *prefix,
                const char *key)
{
  return prefix != NULL ? g_strdup_printf ("%s.%s", prefix, key) : g_strdup (key);
}

/* Looks @key up in @obj; json_type_double accepts any number. *out is NULL when an
 * optional field is absent or null. */
gboolean
_sy_json_get (SyJsonCtx    *c,
              json_object  *obj,
              const char   *prefix,
              const char   *key,
              json_type     type,
              gboolean      required,
              json_object **out)
{
  json_object *val = NULL;
  gboolean ok;

  *out = NULL;
  if (!json_object_object_get_ex (obj, key, &val) || val == NULL)
    {
      g_autofree char *field = NULL;

      if (!required)
        return TRUE;
      field = _sy_json_field (prefix, key);
      return _sy_json_fail (c, field, _("this field is required. Check the file against "
                                        "docs/course-format.md."));
    }

  if (type == json_type_double)
    ok = json_object_is_type (val, json_type_double) || json_object_is_type (val, json_type_int);
  else
    ok = json_object_is_type (val, type);
  if (!ok)
    {
      g_autofree char *field = _sy_json_field (prefix, key);
      return _sy_json_fail (c, field, _("this field has the wrong type. Check the file against "
                                        "docs/course-format.md."));
    }
  *out = val;
  return TRUE;
}

/**
 * _sy_json_parse_object:
 *
 * Parses a whole file that must hold one JSON object. A syntax error names its line, the
 * way a trainer with a text editor looks for it.
 *
 * Returns: (transfer full) (nullable): the object, or %NULL with the error set
 */
json_object *
_sy_json_parse_object (SyJsonCtx  *c,
                       const char *data,
                       gsize       length)
{
  json_tokener *tok = json_tokener_new ();
  enum json_tokener_error jerr;
  json_object *root;
  gsize end;

  root = json_tokener_parse_ex (tok, data, (int) length);
  jerr = json_tokener_get_error (tok);
  end = json_tokener_get_parse_end (tok);
  json_tokener_free (tok);

  if (root != NULL && jerr == json_tokener_success)
    {
      while (end < length && g_ascii_isspace (data[end]))
        end++;
      if (end < length)
        jerr = json_tokener_error_parse_unexpected;
    }
  if (root == NULL || jerr != json_tokener_success)
    {
      guint line = 1;

      for (gsize i = 0; i < MIN (end, length); i++)
        if (data[i] == '\n')
          line++;
      _sy_json_fail (c, NULL, _("line %u: the JSON is malformed (%s). Check commas, quotes and "
                                "brackets there."),
                     line, root != NULL ? _("unexpected text after the end")
                                        : json_tokener_error_desc (jerr));
      json_object_put (root);
      return NULL;
    }

  if (!json_object_is_type (root, json_type_object))
    {
      _sy_json_fail (c, NULL, _("the file should hold one JSON object {…}."));
      json_object_put (root);
      return NULL;
    }
  return root;
}

const char *
_sy_json_member_string (json_object *obj,
                        const char  *key)
{
  json_object *value = NULL;

  if (obj == NULL || !json_object_object_get_ex (obj, key, &value) ||
      !json_object_is_type (value, json_type_string))
    return NULL;
  return json_object_get_string (value);
}

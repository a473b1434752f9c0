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

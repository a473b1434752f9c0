/* sy-xapi.c — validating xAPI 1.0.3 statements
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The app checks the statements it imports here and the hub, as a conformant Learning
 * Record Store, answers 400 to any statement this rejects. So the checks follow the
 * MUSTs of xAPI 1.0.3 and what the ADL conformance suite rejects, and no more: rejecting a
 * statement the spec allows would make the hub non-conformant just as surely as accepting
 * a bad one.
 *
 * Error messages are not translated: they go back to other xAPI software in HTTP
 * responses and name properties of the (English) spec.
 */
#define G_LOG_DOMAIN "ShuyuanCore"

#include "config.h"

#include <math.h>
#include <string.h>

#include "sy-xapi.h"

G_DEFINE_QUARK (sy-xapi-error-quark, sy_xapi_error)

#define VOIDED_VERB "http://adlnet.gov/expapi/verbs/voided"

typedef struct
{
  GString     *path;     /* of the value being checked, e.g. "context.instructor.mbox" */
  SyXapiFlags  flags;
  GError     **error;
} Validator;

typedef gboolean (*CheckFunc) (Validator   *v,
                               json_object *value);

/* --- Paths and errors ---------------------------------------------------------------- */

static gsize
push_key (Validator  *v,
          const char *key)
{
  gsize mark = v->path->len;

  if (mark > 0)
    g_string_append_c (v->path, '.');
  g_string_append (v->path, key);
  return mark;
}

static gsize
push_index (Validator *v,
            gsize      index)
{
  gsize mark = v->path->len;

  g_string_append_printf (v->path, "[%" G_GSIZE_FORMAT "]", index);
  return mark;
}

static void
pop (Validator *v,
     gsize      mark)
{
  g_string_truncate (v->path, mark);
}

static gboolean fail (Validator  *v,
                      const char *format,
                      ...) G_GNUC_PRINTF (2, 3);

/* Always returns FALSE, so that checks can `return fail (...)`. */
static gboolean
fail (Validator  *v,
      const char *format,
      ...)
{
  g_autofree char *why = NULL;
  va_list args;

  va_start (args, format);
  why = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (v->error, SY_XAPI_ERROR, SY_XAPI_ERROR_INVALID, "%s: %s",
               v->path->len > 0 ? v->path->str : "statement", why);
  return FALSE;
}

/* The offending value, quoted and cut short: it goes into an HTTP response, and may be
 * anything a client sent. */
static char *
quote (const char *value)
{
  if (!g_utf8_validate (value, -1, NULL))
    return g_strdup ("(invalid UTF-8)");
  if (g_utf8_strlen (value, -1) > 80)
    {
      g_autofree char *start = g_utf8_substring (value, 0, 77);
      return g_strdup_printf ("“%s…”", start);
    }
  return g_strdup_printf ("“%s”", value);
}

static gboolean fail_value (Validator  *v,
                            const char *value,
                            const char *format,
                            ...) G_GNUC_PRINTF (3, 4);

static gboolean
fail_value (Validator  *v,
            const char *value,
            const char *format,
            ...)
{
  g_autofree char *why = NULL;
  g_autofree char *quoted = quote (value);
  va_list args;

  va_start (args, format);
  why = g_strdup_vprintf (format, args);
  va_end (args);

  return fail (v, "%s %s", quoted, why);
}

static const char *
type_name (json_object *value)
{
  switch (json_object_get_type (value))
    {
    case json_type_null: return "null";
    case json_type_boolean: return "a boolean";
    case json_type_double:
    case json_type_int: return "a number";
    case json_type_object: return "an object";
    case json_type_array: return "an array";
    case json_type_string: return "a string";
    default: return "unknown";
    }
}

/* Checks the member @key of @obj with @check, with the path pointing at it. */
static gboolean
check_member (Validator   *v,
              json_object *obj,
              const char  *key,
              gboolean     required,
              CheckFunc    check)
{
  json_object *value = NULL;
  gboolean ok;
  gsize mark;

  if (!json_object_object_get_ex (obj, key, &value))
    {
      if (!required)
        return TRUE;
      mark = push_key (v, key);
      ok = fail (v, "is required");
      pop (v, mark);
      return ok;
    }

  mark = push_key (v, key);
  ok = check (v, value);
  pop (v, mark);
  return ok;
}

static gboolean
is_one_of (const char        *key,
           const char * const *keys)
{
  for (guint i = 0; keys[i] != NULL; i++)
    if (strcmp (key, keys[i]) == 0)
      return TRUE;
  return FALSE;
}

/* Properties are case-sensitive and unknown ones are rejected, so that a typo such as
 * "Mbox" is reported rather than silently dropped. */
static gboolean
check_keys (Validator          *v,
            json_object        *obj,
            const char * const *allowed,
            const char         *what)
{
  json_object_object_foreach (obj, key, value)
    {
      (void) value;
      if (!is_one_of (key, allowed))
        {
          gsize mark = push_key (v, key);
          gboolean ok = fail (v, "is not a property of %s (properties are case-sensitive)", what);
          pop (v, mark);
          return ok;
        }
    }
  return TRUE;
}

static gboolean
expect_type (Validator   *v,
             json_object *value,
             json_type    type,
             const char  *what)
{
  if (value != NULL && json_object_is_type (value, type))
    return TRUE;
  return fail (v, "must be %s, not %s", what, type_name (value));
}

static gboolean
expect_number (Validator   *v,
               json_object *value,
               double      *number)
{
  if (value == NULL ||
      !(json_object_is_type (value, json_type_int) || json_object_is_type (value, json_type_double)))
    return fail (v, "must be a number, not %s", type_name (value));
  *number = json_object_get_double (value);
  if (!isfinite (*number))
    return fail (v, "must be a finite number");
  return TRUE;
}

/* --- Scalars ------------------------------------------------------------------------- */

static gboolean
is_scheme_char (char c)
{
  return g_ascii_isalnum (c) || c == '+' || c == '-' || c == '.';
}

/**
 * sy_xapi_is_iri:
 *
 * Whether @iri is an absolute IRI: a scheme, a colon and something after it, with no
 * spaces, control characters or characters RFC 3987 excludes, and `%` only in escapes.
 *
 * Returns: %TRUE if it is
 */
gboolean
sy_xapi_is_iri (const char *iri)
{
  const char *p = iri;

  g_return_val_if_fail (iri != NULL, FALSE);

  if (!g_utf8_validate (iri, -1, NULL) || !g_ascii_isalpha (*p))
    return FALSE;
  while (is_scheme_char (*p))
    p++;
  if (*p++ != ':' || *p == '\0')
    return FALSE;

  for (; *p; p++)
    {
      guchar c = (guchar) *p;

      if (c <= 0x20 || c == 0x7f || strchr ("<>\"{}|\\^`", c) != NULL)
        return FALSE;
      if (c == '%' && !(g_ascii_isxdigit (p[1]) && g_ascii_isxdigit (p[2])))
        return FALSE;
    }
  return TRUE;
}

static gboolean
is_mailto (const char *s)
{
  const char *at;

  if (!g_str_has_prefix (s, "mailto:") || !sy_xapi_is_iri (s))
    return FALSE;
  s += strlen ("mailto:");
  at = strchr (s, '@');
  return at != NULL && at > s && at[1] != '\0' && strchr (at + 1, '@') == NULL;
}

static gboolean
all_chars (const char *s,
           gsize       len,
           gboolean  (*pred) (gchar))
{
  for (gsize i = 0; i < len; i++)
    if (!pred (s[i]))
      return FALSE;
  return TRUE;
}

static gboolean is_alpha (gchar c) { return g_ascii_isalpha (c); }
static gboolean is_digit (gchar c) { return g_ascii_isdigit (c); }
static gboolean is_alnum (gchar c) { return g_ascii_isalnum (c); }
static gboolean is_xdigit (gchar c) { return g_ascii_isxdigit (c); }

/* Tags RFC 5646 lists as grandfathered that the grammar below would not accept. */
static const char * const irregular_tags[] = {
  "en-GB-oed", "i-ami", "i-bnn", "i-default", "i-enochian", "i-hak", "i-klingon", "i-lux",
  "i-mingo", "i-navajo", "i-pwn", "i-tao", "i-tay", "i-tsu", "sgn-BE-FR", "sgn-BE-NL",
  "sgn-CH-DE", NULL
};

/**
 * sy_xapi_is_language_tag:
 *
 * Whether @tag is well-formed by the grammar of RFC 5646 (`zh-Hans-CN`, `en-US`, `und`,
 * `x-private`…; case-insensitive). Subtags are not looked up in the IANA registry.
 *
 * Returns: %TRUE if it is
 */
gboolean
sy_xapi_is_language_tag (const char *tag)
{
  g_auto(GStrv) sub = NULL;
  guint n, i = 0;

  g_return_val_if_fail (tag != NULL, FALSE);

  for (guint k = 0; irregular_tags[k] != NULL; k++)
    if (g_ascii_strcasecmp (tag, irregular_tags[k]) == 0)
      return TRUE;

  sub = g_strsplit (tag, "-", -1);
  n = g_strv_length (sub);
  for (guint k = 0; k < n; k++)
    {
      gsize len = strlen (sub[k]);
      if (len < 1 || len > 8 || !all_chars (sub[k], len, is_alnum))
        return FALSE;
    }
  if (n == 0)
    return FALSE;

  /* A tag that is all private use */
  if (g_ascii_strcasecmp (sub[0], "x") == 0)
    return n >= 2;

  /* language: 2–3 letters and up to three extlangs, or 4–8 letters */
  {
    gsize len = strlen (sub[0]);

    if (len < 2 || !all_chars (sub[0], len, is_alpha))
      return FALSE;
    i = 1;
    if (len <= 3)
      for (guint e = 0; e < 3 && i < n && strlen (sub[i]) == 3 && all_chars (sub[i], 3, is_alpha); e++)
        i++;
  }

  /* script */
  if (i < n && strlen (sub[i]) == 4 && all_chars (sub[i], 4, is_alpha))
    i++;

  /* region */
  if (i < n && ((strlen (sub[i]) == 2 && all_chars (sub[i], 2, is_alpha)) ||
                (strlen (sub[i]) == 3 && all_chars (sub[i], 3, is_digit))))
    i++;

  /* variants */
  while (i < n && (strlen (sub[i]) >= 5 || (strlen (sub[i]) == 4 && g_ascii_isdigit (sub[i][0]))))
    i++;

  /* extensions: a singleton other than x, each used once, then subtags of 2–8 */
  {
    char singletons[37] = "";

    while (i < n && strlen (sub[i]) == 1 && g_ascii_tolower (sub[i][0]) != 'x')
      {
        char singleton = g_ascii_tolower (sub[i][0]);
        guint first = ++i;

        if (strchr (singletons, singleton) != NULL)
          return FALSE;
        singletons[strlen (singletons)] = singleton;
        while (i < n && strlen (sub[i]) >= 2)
          i++;
        if (i == first)
          return FALSE;
      }
  }

  /* private use */
  if (i < n && g_ascii_strcasecmp (sub[i], "x") == 0)
    return n - i >= 2;

  return i == n;
}

/* Reads one component's number, with a decimal fraction if there is one. */
static gboolean
read_number (const char **p,
             gboolean    *fraction)
{
  const char *s = *p;

  if (!g_ascii_isdigit (*s))
    return FALSE;
  while (g_ascii_isdigit (*s))
    s++;
  *fraction = FALSE;
  if (*s == '.' || *s == ',')
    {
      s++;
      if (!g_ascii_isdigit (*s))
        return FALSE;
      while (g_ascii_isdigit (*s))
        s++;
      *fraction = TRUE;
    }
  *p = s;
  return TRUE;
}

/**
 * sy_xapi_is_iso8601_duration:
 *
 * Whether @duration is an ISO 8601 duration in the format with designators: `PnYnMnDTnHnMnS`
 * with components in order and at least one present, or `PnW`; only the last component
 * may have a decimal fraction. (The alternative format, `P0003-06-04T12:30:05`, is not
 * accepted.)
 *
 * Returns: %TRUE if it is
 */
gboolean
sy_xapi_is_iso8601_duration (const char *duration)
{
  const char *p = duration;
  const char *units = "YMD";
  gboolean in_time = FALSE, any = FALSE, any_time = FALSE, fraction = FALSE;

  g_return_val_if_fail (duration != NULL, FALSE);

  if (*p++ != 'P')
    return FALSE;

  while (*p)
    {
      const char *unit;

      if (*p == 'T')
        {
          if (in_time)
            return FALSE;
          in_time = TRUE;
          units = "HMS";
          p++;
          continue;
        }
      if (fraction || !read_number (&p, &fraction))
        return FALSE;
      if (*p == 'W')
        return !any && !in_time && p[1] == '\0';
      if (*p == '\0' || (unit = strchr (units, *p)) == NULL)
        return FALSE;
      units = unit + 1;
      p++;
      any = TRUE;
      any_time |= in_time;
    }
  return any && (!in_time || any_time);
}

static gboolean
read_digits (const char **p,
             guint        count,
             guint       *value)
{
  *value = 0;
  for (guint i = 0; i < count; i++)
    {
      if (!g_ascii_isdigit ((*p)[i]))
        return FALSE;
      *value = *value * 10 + ((*p)[i] - '0');
    }
  *p += count;
  return TRUE;
}

static guint
days_in_month (guint year,
               guint month)
{
  static const guint8 days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  gboolean leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

  return month == 2 && leap ? 29 : days[month - 1];
}

/**
 * sy_xapi_is_timestamp:
 *
 * Whether @timestamp is an ISO 8601 date and time, in the extended
 * (`2026-03-01T08:30:00.5+08:00`) or basic (`20260301T083000Z`) format, with values in
 * range. The time zone may be missing (xAPI only says it SHOULD be there) but may not be
 * `-00`, `-0000` or `-00:00`, which RFC 3339 uses for "offset unknown" and the
 * conformance suite requires an LRS to reject.
 *
 * Returns: %TRUE if it is
 */
gboolean
sy_xapi_is_timestamp (const char *timestamp)
{
  const char *p = timestamp;
  gboolean extended;
  guint year, month, day, hour, minute, second = 0, oh, om = 0;
  char sign;

  g_return_val_if_fail (timestamp != NULL, FALSE);

  if (!read_digits (&p, 4, &year))
    return FALSE;
  extended = *p == '-';
  if (extended)
    p++;
  if (!read_digits (&p, 2, &month) || (extended && *p++ != '-') || !read_digits (&p, 2, &day))
    return FALSE;
  if (month < 1 || month > 12 || day < 1 || day > days_in_month (year, month))
    return FALSE;

  if (*p++ != 'T' || !read_digits (&p, 2, &hour) ||
      (extended && *p++ != ':') || !read_digits (&p, 2, &minute))
    return FALSE;
  if ((extended && *p == ':') || (!extended && g_ascii_isdigit (*p)))
    {
      if (extended)
        p++;
      if (!read_digits (&p, 2, &second))
        return FALSE;
      if (*p == '.' || *p == ',')
        {
          p++;
          if (!g_ascii_isdigit (*p))
            return FALSE;
          while (g_ascii_isdigit (*p))
            p++;
        }
    }
  /* 60: a leap second */
  if (hour > 23 || minute > 59 || second > 60)
    return FALSE;

  if (*p == '\0')
    return TRUE;
  if (*p == 'Z')
    return p[1] == '\0';
  if (*p != '+' && *p != '-')
    return FALSE;
  sign = *p++;
  if (!read_digits (&p, 2, &oh))
    return FALSE;
  if (*p != '\0')
    {
      if (extended && *p++ != ':')
        return FALSE;
      if (!read_digits (&p, 2, &om) || *p != '\0')
        return FALSE;
    }
  if (oh > 23 || om > 59)
    return FALSE;
  return !(sign == '-' && oh == 0 && om == 0);
}

/* --- Checks of values ---------------------------------------------------------------- */

static gboolean
check_string (Validator   *v,
              json_object *value)
{
  return expect_type (v, value, json_type_string, "a string");
}

static gboolean
check_boolean (Validator   *v,
               json_object *value)
{
  return expect_type (v, value, json_type_boolean, "a boolean (true or false)");
}

static gboolean
check_iri (Validator   *v,
           json_object *value)
{
  if (!check_string (v, value))
    return FALSE;
  if (!sy_xapi_is_iri (json_object_get_string (value)))
    return fail_value (v, json_object_get_string (value), "is not an absolute IRI");
  return TRUE;
}

/* An IRL is an IRI that is meant to resolve; whether it does is not checked offline. */
static gboolean
check_irl (Validator   *v,
           json_object *value)
{
  if (!check_string (v, value))
    return FALSE;
  if (!sy_xapi_is_iri (json_object_get_string (value)))
    return fail_value (v, json_object_get_string (value), "is not an absolute IRL");
  return TRUE;
}

static gboolean
check_uuid (Validator   *v,
            json_object *value)
{
  if (!check_string (v, value))
    return FALSE;
  if (!g_uuid_string_is_valid (json_object_get_string (value)))
    return fail_value (v, json_object_get_string (value), "is not a UUID");
  return TRUE;
}

static gboolean
check_timestamp (Validator   *v,
                 json_object *value)
{
  if (!check_string (v, value))
    return FALSE;
  if (!sy_xapi_is_timestamp (json_object_get_string (value)))
    return fail_value (v, json_object_get_string (value), "is not an ISO 8601 date and time");
  return TRUE;
}

static gboolean
check_duration (Validator   *v,
                json_object *value)
{
  if (!check_string (v, value))
    return FALSE;
  if (!sy_xapi_is_iso8601_duration (json_object_get_string (value)))
    return fail_value (v, json_object_get_string (value), "is not an ISO 8601 duration");
  return TRUE;
}

static gboolean
check_version (Validator   *v,
               json_object *value)
{
  const char *s;

  if (!check_string (v, value))
    return FALSE;
  s = json_object_get_string (value);
  if (g_str_equal (s, "1.0"))
    return TRUE;
  if (g_str_has_prefix (s, "1.0.") && s[4] != '\0' &&
      all_chars (s + 4, strlen (s + 4), is_digit))
    return TRUE;
  return fail_value (v, s, "is not a 1.0.x version");
}

static gboolean
check_language_map (Validator   *v,
                    json_object *value)
{
  if (!expect_type (v, value, json_type_object, "a language map (an object)"))
    return FALSE;
  /* The conformance suite requires at least one entry. */
  if (json_object_object_length (value) == 0)
    return fail (v, "a language map needs at least one entry");

  json_object_object_foreach (value, key, text)
    {
      gsize mark = push_key (v, key);
      gboolean ok;

      if (!sy_xapi_is_language_tag (key))
        ok = fail (v, "is not an RFC 5646 language tag");
      else
        ok = check_string (v, text);
      pop (v, mark);
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

/* Values are any JSON, even null: they belong to whoever defined the extension. */
static gboolean
check_extensions (Validator   *v,
                  json_object *value)
{
  if (!expect_type (v, value, json_type_object, "an object"))
    return FALSE;

  json_object_object_foreach (value, key, ext)
    {
      (void) ext;
      if (!sy_xapi_is_iri (key))
        {
          gsize mark = push_key (v, key);
          gboolean ok = fail (v, "an extension's key must be an absolute IRI");
          pop (v, mark);
          return ok;
        }
    }
  return TRUE;
}

static gboolean
check_array (Validator   *v,
             json_object *value,
             CheckFunc    check)
{
  if (!expect_type (v, value, json_type_array, "an array"))
    return FALSE;

  for (gsize i = 0; i < json_object_array_length (value); i++)
    {
      gsize mark = push_index (v, i);
      gboolean ok = check (v, json_object_array_get_idx (value, i));

      pop (v, mark);
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

static gboolean
check_string_array (Validator   *v,
                    json_object *value)
{
  return check_array (v, value, check_string);
}

/* @allowed: the only objectType allowed; @required: whether it must be present */
static gboolean
check_object_type (Validator   *v,
                   json_object *obj,
                   const char  *allowed,
                   gboolean     required)
{
  json_object *type = NULL;
  gsize mark;
  gboolean ok = TRUE;

  if (!json_object_object_get_ex (obj, "objectType", &type))
    {
      if (!required)
        return TRUE;
      mark = push_key (v, "objectType");
      ok = fail (v, "is required and must be “%s”", allowed);
      pop (v, mark);
      return ok;
    }

  mark = push_key (v, "objectType");
  if (!check_string (v, type))
    ok = FALSE;
  else if (strcmp (json_object_get_string (type), allowed) != 0)
    ok = fail_value (v, json_object_get_string (type), "must be “%s”", allowed);
  pop (v, mark);
  return ok;
}

/* The objectType of @obj if it is a string, else %NULL. */
static const char *
get_object_type (json_object *obj)
{
  json_object *type = NULL;

  if (json_object_object_get_ex (obj, "objectType", &type) &&
      json_object_is_type (type, json_type_string))
    return json_object_get_string (type);
  return NULL;
}

/* --- Agents and Groups --------------------------------------------------------------- */

static gboolean
check_mbox (Validator   *v,
            json_object *value)
{
  if (!check_string (v, value))
    return FALSE;
  if (!is_mailto (json_object_get_string (value)))
    return fail_value (v, json_object_get_string (value), "is not a mailto IRI");
  return TRUE;
}

static gboolean
check_sha1sum (Validator   *v,
               json_object *value)
{
  const char *s;

  if (!check_string (v, value))
    return FALSE;
  s = json_object_get_string (value);
  if (strlen (s) != 40 || !all_chars (s, 40, is_xdigit))
    return fail_value (v, s, "is not a SHA-1 sum (40 hexadecimal digits)");
  return TRUE;
}

static gboolean
check_account (Validator   *v,
               json_object *value)
{
  static const char * const keys[] = { "homePage", "name", NULL };

  return expect_type (v, value, json_type_object, "an object") &&
         check_keys (v, value, keys, "an account") &&
         check_member (v, value, "homePage", TRUE, check_irl) &&
         check_member (v, value, "name", TRUE, check_string);
}

/* Checks the inverse functional identifiers present and counts them. */
static gboolean
check_ifis (Validator   *v,
            json_object *obj,
            guint       *count)
{
  static const struct {
    const char *key;
    CheckFunc   check;
  } ifis[] = {
    { "mbox", check_mbox },
    { "mbox_sha1sum", check_sha1sum },
    { "openid", check_iri },
    { "account", check_account },
  };

  *count = 0;
  for (guint i = 0; i < G_N_ELEMENTS (ifis); i++)
    if (json_object_object_get_ex (obj, ifis[i].key, NULL))
      {
        if (!check_member (v, obj, ifis[i].key, TRUE, ifis[i].check))
          return FALSE;
        (*count)++;
      }
  return TRUE;
}

static gboolean
check_agent (Validator   *v,
             json_object *value)
{
  static const char * const keys[] = {
    "objectType", "name", "mbox", "mbox_sha1sum", "openid", "account", NULL
  };
  guint count;

  if (!expect_type (v, value, json_type_object, "an Agent (an object)") ||
      !check_object_type (v, value, "Agent", FALSE) ||
      !check_keys (v, value, keys, "an Agent") ||
      !check_member (v, value, "name", FALSE, check_string) ||
      !check_ifis (v, value, &count))
    return FALSE;
  if (count != 1)
    return fail (v, "an Agent needs exactly one of mbox, mbox_sha1sum, openid and account (it has %u)",
                 count);
  return TRUE;
}

/* Groups cannot nest: members are Agents, and say so if anything. */
static gboolean
check_group_member (Validator   *v,
                    json_object *value)
{
  const char *type = json_object_is_type (value, json_type_object) ? get_object_type (value) : NULL;

  if (g_strcmp0 (type, "Group") == 0)
    return fail (v, "a Group's members must be Agents, not Groups");
  return check_agent (v, value);
}

static gboolean
check_members (Validator   *v,
               json_object *value)
{
  return check_array (v, value, check_group_member);
}

static gboolean
check_group (Validator   *v,
             json_object *value)
{
  static const char * const keys[] = {
    "objectType", "name", "member", "mbox", "mbox_sha1sum", "openid", "account", NULL
  };
  guint count;

  if (!expect_type (v, value, json_type_object, "a Group (an object)") ||
      !check_object_type (v, value, "Group", TRUE) ||
      !check_keys (v, value, keys, "a Group") ||
      !check_member (v, value, "name", FALSE, check_string) ||
      !check_ifis (v, value, &count))
    return FALSE;
  if (count > 1)
    return fail (v, "a Group has at most one of mbox, mbox_sha1sum, openid and account (it has %u)",
                 count);
  /* An anonymous Group is known only by its members */
  return check_member (v, value, "member", count == 0, check_members);
}

/* An Agent unless it says it is a Group. */
static gboolean
check_actor (Validator   *v,
             json_object *value)
{
  const char *type;

  if (!expect_type (v, value, json_type_object, "an Agent or a Group (an object)"))
    return FALSE;
  type = get_object_type (value);
  if (g_strcmp0 (type, "Group") == 0)
    return check_group (v, value);
  if (type != NULL && strcmp (type, "Agent") != 0)
    {
      gsize mark = push_key (v, "objectType");
      gboolean ok = fail_value (v, type, "must be “Agent” or “Group”");
      pop (v, mark);
      return ok;
    }
  return check_agent (v, value);
}

/* An authority is an Agent, or the anonymous Group of the two Agents of a three-legged
 * OAuth (xAPI Data 2.4.9). */
static gboolean
check_authority (Validator   *v,
                 json_object *value)
{
  static const char * const ifis[] = { "mbox", "mbox_sha1sum", "openid", "account" };
  json_object *members = NULL;

  if (!check_actor (v, value))
    return FALSE;
  if (g_strcmp0 (get_object_type (value), "Group") != 0)
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (ifis); i++)
    if (json_object_object_get_ex (value, ifis[i], NULL))
      {
        gsize mark = push_key (v, ifis[i]);
        gboolean ok = fail (v, "a Group as authority must be anonymous");
        pop (v, mark);
        return ok;
      }
  if (!json_object_object_get_ex (value, "member", &members) ||
      json_object_array_length (members) != 2)
    return fail (v, "a Group as authority must have exactly two members");
  return TRUE;
}

/* --- Verbs and Activities ------------------------------------------------------------ */

static gboolean
check_verb (Validator   *v,
            json_object *value)
{
  static const char * const keys[] = { "id", "display", NULL };

  return expect_type (v, value, json_type_object, "a Verb (an object)") &&
         check_keys (v, value, keys, "a Verb") &&
         check_member (v, value, "id", TRUE, check_iri) &&
         check_member (v, value, "display", FALSE, check_language_map);
}

static gboolean
check_component (Validator   *v,
                 json_object *value)
{
  static const char * const keys[] = { "id", "description", NULL };

  return expect_type (v, value, json_type_object, "an interaction component (an object)") &&
         check_keys (v, value, keys, "an interaction component") &&
         check_member (v, value, "id", TRUE, check_string) &&
         check_member (v, value, "description", FALSE, check_language_map);
}

static gboolean
check_components (Validator   *v,
                  json_object *value)
{
  g_autoptr(GHashTable) ids = NULL;

  if (!check_array (v, value, check_component))
    return FALSE;

  /* Responses name components by id, so an id used twice would make them ambiguous. */
  ids = g_hash_table_new (g_str_hash, g_str_equal);
  for (gsize i = 0; i < json_object_array_length (value); i++)
    {
      json_object *id = json_object_object_get (json_object_array_get_idx (value, i), "id");

      if (!g_hash_table_add (ids, (gpointer) json_object_get_string (id)))
        {
          gsize mark = push_index (v, i);
          gsize mark2 = push_key (v, "id");
          gboolean ok = fail_value (v, json_object_get_string (id),
                                    "is the id of another component of the list");
          pop (v, mark2);
          pop (v, mark);
          return ok;
        }
    }
  return TRUE;
}

static const char * const component_keys[] = {
  "choices", "scale", "source", "target", "steps", NULL
};

static const struct {
  const char *type;
  const char *components;  /* the component lists allowed, space-separated */
} interaction_types[] = {
  { "true-false", "" },
  { "choice", "choices" },
  { "fill-in", "" },
  { "long-fill-in", "" },
  { "matching", "source target" },
  { "performance", "steps" },
  { "sequencing", "choices" },
  { "likert", "scale" },
  { "numeric", "" },
  { "other", "" },
};

static gboolean
check_interaction_type (Validator   *v,
                        json_object *value)
{
  if (!check_string (v, value))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (interaction_types); i++)
    if (strcmp (json_object_get_string (value), interaction_types[i].type) == 0)
      return TRUE;
  return fail_value (v, json_object_get_string (value),
                     "is not an interaction type (true-false, choice, fill-in, long-fill-in, "
                     "matching, performance, sequencing, likert, numeric or other)");
}

static gboolean
component_allowed (const char *interaction_type,
                   const char *component)
{
  for (guint i = 0; i < G_N_ELEMENTS (interaction_types); i++)
    if (strcmp (interaction_type, interaction_types[i].type) == 0)
      {
        g_auto(GStrv) allowed = g_strsplit (interaction_types[i].components, " ", -1);
        return g_strv_contains ((const char * const *) allowed, component);
      }
  return FALSE;
}

static gboolean
check_definition (Validator   *v,
                  json_object *value)
{
  static const char * const keys[] = {
    "name", "description", "type", "moreInfo", "extensions", "interactionType",
    "correctResponsesPattern", "choices", "scale", "source", "target", "steps", NULL
  };
  json_object *type = NULL;
  const char *interaction_type = NULL;

  if (!expect_type (v, value, json_type_object, "an Activity Definition (an object)") ||
      !check_keys (v, value, keys, "an Activity Definition") ||
      !check_member (v, value, "name", FALSE, check_language_map) ||
      !check_member (v, value, "description", FALSE, check_language_map) ||
      !check_member (v, value, "type", FALSE, check_iri) ||
      !check_member (v, value, "moreInfo", FALSE, check_irl) ||
      !check_member (v, value, "extensions", FALSE, check_extensions) ||
      !check_member (v, value, "interactionType", FALSE, check_interaction_type) ||
      !check_member (v, value, "correctResponsesPattern", FALSE, check_string_array))
    return FALSE;

  if (json_object_object_get_ex (value, "interactionType", &type))
    interaction_type = json_object_get_string (type);

  for (guint i = 0; component_keys[i] != NULL; i++)
    {
      const char *key = component_keys[i];

      if (!json_object_object_get_ex (value, key, NULL))
        continue;
      if (interaction_type == NULL || !component_allowed (interaction_type, key))
        {
          gsize mark = push_key (v, key);
          gboolean ok;

          if (interaction_type == NULL)
            ok = fail (v, "interaction components need an interactionType");
          else
            ok = fail (v, "is not a component of “%s” interactions", interaction_type);
          pop (v, mark);
          return ok;
        }
      if (!check_member (v, value, key, TRUE, check_components))
        return FALSE;
    }
  return TRUE;
}

static gboolean
check_activity (Validator   *v,
                json_object *value)
{
  static const char * const keys[] = { "objectType", "id", "definition", NULL };

  return expect_type (v, value, json_type_object, "an Activity (an object)") &&
         check_object_type (v, value, "Activity", FALSE) &&
         check_keys (v, value, keys, "an Activity") &&
         check_member (v, value, "id", TRUE, check_iri) &&
         check_member (v, value, "definition", FALSE, check_definition);
}

static gboolean
check_statement_ref (Validator   *v,
                     json_object *value)
{
  static const char * const keys[] = { "objectType", "id", NULL };

  return expect_type (v, value, json_type_object, "a StatementRef (an object)") &&
         check_object_type (v, value, "StatementRef", TRUE) &&
         check_keys (v, value, keys, "a StatementRef") &&
         check_member (v, value, "id", TRUE, check_uuid);
}

/* --- Result, context, attachments ---------------------------------------------------- */

static gboolean
get_score_part (Validator   *v,
                json_object *score,
                const char  *key,
                double      *number,
                gboolean    *present)
{
  json_object *value = NULL;
  gsize mark;
  gboolean ok;

  *present = json_object_object_get_ex (score, key, &value);
  if (!*present)
    return TRUE;
  mark = push_key (v, key);
  ok = expect_number (v, value, number);
  pop (v, mark);
  return ok;
}

static gboolean
check_score (Validator   *v,
             json_object *value)
{
  static const char * const keys[] = { "scaled", "raw", "min", "max", NULL };
  double scaled = 0, raw = 0, min = 0, max = 0;
  gboolean has_scaled, has_raw, has_min, has_max;
  gboolean ok = TRUE;
  gsize mark;

  if (!expect_type (v, value, json_type_object, "a Score (an object)") ||
      !check_keys (v, value, keys, "a Score") ||
      !get_score_part (v, value, "scaled", &scaled, &has_scaled) ||
      !get_score_part (v, value, "raw", &raw, &has_raw) ||
      !get_score_part (v, value, "min", &min, &has_min) ||
      !get_score_part (v, value, "max", &max, &has_max))
    return FALSE;

  if (has_scaled && (scaled < -1 || scaled > 1))
    {
      mark = push_key (v, "scaled");
      ok = fail (v, "%g is not between -1 and 1", scaled);
      pop (v, mark);
    }
  else if (has_min && has_max && !(min < max))
    {
      mark = push_key (v, "max");
      ok = fail (v, "%g is not greater than min (%g)", max, min);
      pop (v, mark);
    }
  else if (has_raw && ((has_min && raw < min) || (has_max && raw > max)))
    {
      mark = push_key (v, "raw");
      ok = fail (v, "%g is not between min and max", raw);
      pop (v, mark);
    }
  return ok;
}

static gboolean
check_result (Validator   *v,
              json_object *value)
{
  static const char * const keys[] = {
    "score", "success", "completion", "response", "duration", "extensions", NULL
  };

  return expect_type (v, value, json_type_object, "a Result (an object)") &&
         check_keys (v, value, keys, "a Result") &&
         check_member (v, value, "score", FALSE, check_score) &&
         check_member (v, value, "success", FALSE, check_boolean) &&
         check_member (v, value, "completion", FALSE, check_boolean) &&
         check_member (v, value, "response", FALSE, check_string) &&
         check_member (v, value, "duration", FALSE, check_duration) &&
         check_member (v, value, "extensions", FALSE, check_extensions);
}

static gboolean
check_activities (Validator   *v,
                  json_object *value)
{
  /* A single Activity is allowed for 0.95 compatibility; LRSs return it as an array. */
  if (json_object_is_type (value, json_type_object))
    return check_activity (v, value);
  if (!json_object_is_type (value, json_type_array))
    return fail (v, "must be an Activity or an array of Activities, not %s", type_name (value));
  return check_array (v, value, check_activity);
}

static gboolean
check_context_activities (Validator   *v,
                          json_object *value)
{
  static const char * const keys[] = { "parent", "grouping", "category", "other", NULL };

  return expect_type (v, value, json_type_object, "an object") &&
         check_keys (v, value, keys, "contextActivities") &&
         check_member (v, value, "parent", FALSE, check_activities) &&
         check_member (v, value, "grouping", FALSE, check_activities) &&
         check_member (v, value, "category", FALSE, check_activities) &&
         check_member (v, value, "other", FALSE, check_activities);
}

static gboolean
check_team (Validator   *v,
            json_object *value)
{
  if (json_object_is_type (value, json_type_object) &&
      g_strcmp0 (get_object_type (value), "Group") != 0)
    return fail (v, "a team must be a Group (objectType “Group”)");
  return check_group (v, value);
}

static gboolean
check_context (Validator   *v,
               json_object *value,
               json_object *object)
{
  static const char * const keys[] = {
    "registration", "instructor", "team", "contextActivities", "revision", "platform",
    "language", "statement", "extensions", NULL
  };
  const char *object_type;

  if (!expect_type (v, value, json_type_object, "a Context (an object)") ||
      !check_keys (v, value, keys, "a Context") ||
      !check_member (v, value, "registration", FALSE, check_uuid) ||
      !check_member (v, value, "instructor", FALSE, check_actor) ||
      !check_member (v, value, "team", FALSE, check_team) ||
      !check_member (v, value, "contextActivities", FALSE, check_context_activities) ||
      !check_member (v, value, "revision", FALSE, check_string) ||
      !check_member (v, value, "platform", FALSE, check_string) ||
      /* RFC 5646 by the spec, but the conformance suite requires an LRS to accept any
       * string here (it posts a 51-character "language"), so only the type is checked. */
      !check_member (v, value, "language", FALSE, check_string) ||
      !check_member (v, value, "statement", FALSE, check_statement_ref) ||
      !check_member (v, value, "extensions", FALSE, check_extensions))
    return FALSE;

  /* revision and platform describe an Activity: they mean nothing about a person. */
  object_type = get_object_type (object);
  if (g_strcmp0 (object_type, "Agent") == 0 || g_strcmp0 (object_type, "Group") == 0)
    for (guint i = 0; i < 2; i++)
      {
        const char *key = i == 0 ? "revision" : "platform";

        if (json_object_object_get_ex (value, key, NULL))
          {
            gsize mark = push_key (v, key);
            gboolean ok = fail (v, "is not allowed when the object is an %s", object_type);
            pop (v, mark);
            return ok;
          }
      }
  return TRUE;
}

static gboolean
check_length (Validator   *v,
              json_object *value)
{
  if (!expect_type (v, value, json_type_int, "an integer"))
    return FALSE;
  if (json_object_get_int64 (value) < 0)
    return fail (v, "must not be negative");
  return TRUE;
}

static gboolean
check_content_type (Validator   *v,
                    json_object *value)
{
  const char *s, *slash;
  g_autofree char *type = NULL;

  if (!check_string (v, value))
    return FALSE;
  s = json_object_get_string (value);
  /* Parameters may follow, as in "text/plain; charset=ascii" */
  type = g_strstrip (g_strndup (s, strcspn (s, ";")));
  slash = strchr (type, '/');
  if (slash == NULL || slash == type || slash[1] == '\0' || strchr (slash + 1, '/') != NULL ||
      strpbrk (type, " \t") != NULL)
    return fail_value (v, s, "is not an Internet media type (type/subtype)");
  return TRUE;
}

static gboolean
check_sha2 (Validator   *v,
            json_object *value)
{
  const char *s;
  gsize len;

  if (!check_string (v, value))
    return FALSE;
  s = json_object_get_string (value);
  len = strlen (s);
  /* SHA-224, SHA-256, SHA-384 or SHA-512, in hexadecimal */
  if (!(len == 56 || len == 64 || len == 96 || len == 128) || !all_chars (s, len, is_xdigit))
    return fail_value (v, s, "is not a SHA-2 hash in hexadecimal");
  return TRUE;
}

static gboolean
check_attachment (Validator   *v,
                  json_object *value)
{
  static const char * const keys[] = {
    "usageType", "display", "description", "contentType", "length", "sha2", "fileUrl", NULL
  };

  return expect_type (v, value, json_type_object, "an Attachment (an object)") &&
         check_keys (v, value, keys, "an Attachment") &&
         check_member (v, value, "usageType", TRUE, check_iri) &&
         check_member (v, value, "display", TRUE, check_language_map) &&
         check_member (v, value, "description", FALSE, check_language_map) &&
         check_member (v, value, "contentType", TRUE, check_content_type) &&
         check_member (v, value, "length", TRUE, check_length) &&
         check_member (v, value, "sha2", TRUE, check_sha2) &&
         check_member (v, value, "fileUrl", FALSE, check_irl);
}

static gboolean
check_attachments (Validator   *v,
                   json_object *value)
{
  return check_array (v, value, check_attachment);
}

/* --- Statements ---------------------------------------------------------------------- */

static gboolean check_statement_body (Validator   *v,
                                      json_object *statement,
                                      gboolean     sub);

static gboolean
check_substatement (Validator   *v,
                    json_object *value)
{
  static const char * const forbidden[] = { "id", "stored", "version", "authority" };

  if (!expect_type (v, value, json_type_object, "a SubStatement (an object)"))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (forbidden); i++)
    if (json_object_object_get_ex (value, forbidden[i], NULL))
      {
        gsize mark = push_key (v, forbidden[i]);
        gboolean ok = fail (v, "a SubStatement cannot have one");
        pop (v, mark);
        return ok;
      }
  return check_statement_body (v, value, TRUE);
}

static gboolean
check_object (Validator   *v,
              json_object *value,
              gboolean     in_substatement)
{
  const char *type;

  if (!expect_type (v, value, json_type_object, "an object"))
    return FALSE;
  if (json_object_object_get_ex (value, "objectType", NULL) &&
      !check_member (v, value, "objectType", TRUE, check_string))
    return FALSE;

  type = get_object_type (value);
  if (type == NULL || strcmp (type, "Activity") == 0)
    return check_activity (v, value);
  if (strcmp (type, "Agent") == 0)
    return check_agent (v, value);
  if (strcmp (type, "Group") == 0)
    return check_group (v, value);
  if (strcmp (type, "StatementRef") == 0)
    return check_statement_ref (v, value);
  if (strcmp (type, "SubStatement") == 0 && !in_substatement)
    return check_substatement (v, value);

  {
    gsize mark = push_key (v, "objectType");
    gboolean ok;

    if (strcmp (type, "SubStatement") == 0)
      ok = fail (v, "a SubStatement cannot contain another SubStatement");
    else
      ok = fail_value (v, type, "must be “Activity”, “Agent”, “Group”, “StatementRef” or “SubStatement”");
    pop (v, mark);
    return ok;
  }
}

static gboolean
check_top_object (Validator   *v,
                  json_object *value)
{
  return check_object (v, value, FALSE);
}

static gboolean
check_sub_object (Validator   *v,
                  json_object *value)
{
  return check_object (v, value, TRUE);
}

static gboolean
check_statement_body (Validator   *v,
                      json_object *statement,
                      gboolean     sub)
{
  static const char * const statement_keys[] = {
    "id", "actor", "verb", "object", "result", "context", "timestamp", "stored", "authority",
    "version", "attachments", NULL
  };
  static const char * const substatement_keys[] = {
    "objectType", "actor", "verb", "object", "result", "context", "timestamp", "attachments",
    NULL
  };
  json_object *object = NULL, *context = NULL;

  if (sub && !check_object_type (v, statement, "SubStatement", TRUE))
    return FALSE;
  if (!check_keys (v, statement, sub ? substatement_keys : statement_keys,
                   sub ? "a SubStatement" : "a Statement"))
    return FALSE;

  if (!sub)
    {
      if (!check_member (v, statement, "id", (v->flags & SY_XAPI_REQUIRE_ID) != 0, check_uuid))
        return FALSE;
      if (!(v->flags & SY_XAPI_ALLOW_LRS_PROPERTIES))
        for (guint i = 0; i < 2; i++)
          {
            const char *key = i == 0 ? "stored" : "authority";

            if (json_object_object_get_ex (statement, key, NULL))
              {
                gsize mark = push_key (v, key);
                gboolean ok = fail (v, "is set by the Learning Record Store, not in this statement");
                pop (v, mark);
                return ok;
              }
          }
      if (!check_member (v, statement, "stored", FALSE, check_timestamp) ||
          !check_member (v, statement, "authority", FALSE, check_authority) ||
          !check_member (v, statement, "version", FALSE, check_version))
        return FALSE;
    }

  if (!check_member (v, statement, "actor", TRUE, check_actor) ||
      !check_member (v, statement, "verb", TRUE, check_verb) ||
      !check_member (v, statement, "object", TRUE, sub ? check_sub_object : check_top_object) ||
      !check_member (v, statement, "result", FALSE, check_result) ||
      !check_member (v, statement, "timestamp", FALSE, check_timestamp) ||
      !check_member (v, statement, "attachments", FALSE, check_attachments))
    return FALSE;

  object = json_object_object_get (statement, "object");
  if (json_object_object_get_ex (statement, "context", &context))
    {
      gsize mark = push_key (v, "context");
      gboolean ok = check_context (v, context, object);

      pop (v, mark);
      if (!ok)
        return FALSE;
    }

  if (!sub)
    {
      json_object *verb_id = json_object_object_get (json_object_object_get (statement, "verb"), "id");

      if (g_strcmp0 (json_object_get_string (verb_id), VOIDED_VERB) == 0 &&
          g_strcmp0 (get_object_type (object), "StatementRef") != 0)
        {
          gsize mark = push_key (v, "object");
          gboolean ok = fail (v, "a voiding statement's object must be a StatementRef");
          pop (v, mark);
          return ok;
        }
    }
  return TRUE;
}

/**
 * sy_xapi_validate_statement:
 * @statement: the statement, as parsed JSON
 * @flags: what may or must be present, by where the statement comes from
 *
 * Checks @statement against the rules of xAPI 1.0.3 (the data model: properties, types,
 * formats, and the rules between them such as voiding or a SubStatement's limits). It
 * stops at the first problem.
 *
 * Returns: %TRUE if @statement is valid; otherwise %FALSE with @error set to a
 *   %SY_XAPI_ERROR_INVALID whose message starts with the JSON path of the offending
 *   property, e.g. `actor.mbox: “bob@example.org” is not a mailto IRI`
 */
gboolean
sy_xapi_validate_statement (json_object  *statement,
                            SyXapiFlags   flags,
                            GError      **error)
{
  g_autoptr(GString) path = g_string_new (NULL);
  Validator v = { path, flags, error };

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (statement == NULL || !json_object_is_type (statement, json_type_object))
    return fail (&v, "must be a JSON object, not %s", type_name (statement));
  return check_statement_body (&v, statement, FALSE);
}

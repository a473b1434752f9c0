/* sy-text.c — localized text
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ShuyuanCore"

#include "config.h"

#include "sy-text.h"

/* A text is a short list of (language, string) pairs in the order the author wrote them; a
 * plain JSON string is stored under the empty language, which matches any request. */
struct _SyText
{
  gatomicrefcount ref_count;
  GPtrArray *languages;
  GPtrArray *values;
};

G_DEFINE_BOXED_TYPE (SyText, sy_text, sy_text_ref, sy_text_unref)

static SyText *
sy_text_alloc (void)
{
  SyText *self = g_new0 (SyText, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->languages = g_ptr_array_new_with_free_func (g_free);
  self->values = g_ptr_array_new_with_free_func (g_free);
  return self;
}

/**
 * sy_text_new_from_json:
 * @obj: a JSON string or an object of language → string
 *
 * Returns: (transfer full) (nullable): the text, or %NULL when @obj has another shape or
 *   holds a value that is not a string
 */
SyText *
sy_text_new_from_json (json_object *obj)
{
  g_autoptr(SyText) self = NULL;

  if (json_object_is_type (obj, json_type_string))
    {
      self = sy_text_alloc ();
      g_ptr_array_add (self->languages, g_strdup (""));
      g_ptr_array_add (self->values, g_strdup (json_object_get_string (obj)));
      return g_steal_pointer (&self);
    }

  if (!json_object_is_type (obj, json_type_object))
    return NULL;

  self = sy_text_alloc ();
  json_object_object_foreach (obj, key, val)
    {
      if (!json_object_is_type (val, json_type_string))
        return NULL;
      g_ptr_array_add (self->languages, g_strdup (key));
      g_ptr_array_add (self->values, g_strdup (json_object_get_string (val)));
    }
  return g_steal_pointer (&self);
}

/**
 * sy_text_new_from_string:
 * @json_or_plain: what sy_text_to_json() wrote, or plain text
 *
 * Returns: (transfer full): the text
 */
SyText *
sy_text_new_from_string (const char *json_or_plain)
{
  json_object *obj;
  SyText *self = NULL;

  g_return_val_if_fail (json_or_plain != NULL, NULL);

  if (json_or_plain[0] == '{' && (obj = json_tokener_parse (json_or_plain)) != NULL)
    {
      self = sy_text_new_from_json (obj);
      json_object_put (obj);
    }
  if (self == NULL)
    {
      self = sy_text_alloc ();
      g_ptr_array_add (self->languages, g_strdup (""));
      g_ptr_array_add (self->values, g_strdup (json_or_plain));
    }
  return self;
}

SyText *
sy_text_ref (SyText *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
sy_text_unref (SyText *self)
{
  g_return_if_fail (self != NULL);
  if (g_atomic_ref_count_dec (&self->ref_count))
    {
      g_ptr_array_unref (self->languages);
      g_ptr_array_unref (self->values);
      g_free (self);
    }
}

/**
 * sy_text_to_json:
 *
 * Returns: (transfer full): the text as a JSON object, for storage
 */
char *
sy_text_to_json (SyText *self)
{
  json_object *obj;
  char *ret;

  g_return_val_if_fail (self != NULL, NULL);

  obj = json_object_new_object ();
  for (guint i = 0; i < self->languages->len; i++)
    json_object_object_add (obj, g_ptr_array_index (self->languages, i),
                            json_object_new_string (g_ptr_array_index (self->values, i)));
  ret = g_strdup (json_object_to_json_string_ext (obj, JSON_C_TO_STRING_PLAIN |
                                                       JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put (obj);
  return ret;
}

/**
 * sy_text_lookup:
 * @language: a language code such as `zh_CN`
 *
 * Returns: (nullable): the string given for exactly @language (or for any language, if the
 *   text is a plain string)
 */
const char *
sy_text_lookup (SyText     *self,
                const char *language)
{
  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; i < self->languages->len; i++)
    {
      const char *lang = g_ptr_array_index (self->languages, i);

      if (lang[0] == '\0' || g_strcmp0 (lang, language) == 0)
        return g_ptr_array_index (self->values, i);
    }
  return NULL;
}

static gboolean
same_base_language (const char *a,
                    const char *b)
{
  gsize la = strcspn (a, "_.@");
  gsize lb = strcspn (b, "_.@");

  return la == lb && la > 0 && strncmp (a, b, la) == 0;
}

/**
 * sy_text_get:
 * @languages: (nullable): preferred languages, most preferred first; %NULL for the
 *   user's (g_get_language_names())
 *
 * Picks the best string: an exact match for the most preferred language, then one of the
 * same base language (`zh` for `zh_CN`), then English, then the first one written.
 *
 * Returns: the string, never %NULL
 */
const char *
sy_text_get (SyText             *self,
             const char * const *languages)
{
  const char *ret;

  g_return_val_if_fail (self != NULL, NULL);

  if (self->values->len == 0)
    return "";
  if (languages == NULL)
    languages = g_get_language_names ();

  for (guint i = 0; languages[i] != NULL; i++)
    {
      if (g_str_equal (languages[i], "C"))
        break;
      if ((ret = sy_text_lookup (self, languages[i])) != NULL)
        return ret;
    }
  for (guint i = 0; languages[i] != NULL; i++)
    {
      if (g_str_equal (languages[i], "C"))
        break;
      for (guint j = 0; j < self->languages->len; j++)
        if (same_base_language (g_ptr_array_index (self->languages, j), languages[i]))
          return g_ptr_array_index (self->values, j);
    }
  if ((ret = sy_text_lookup (self, "en")) != NULL)
    return ret;
  return g_ptr_array_index (self->values, 0);
}

guint
sy_text_get_n_languages (SyText *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->languages->len;
}

const char *
sy_text_get_language (SyText *self,
                      guint   index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->languages->len, NULL);
  return g_ptr_array_index (self->languages, index);
}

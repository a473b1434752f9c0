/* sy-course.c
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ShuyuanCore"

#include "config.h"

#include "sy-course-private.h"
#include "sy-util.h"

G_DEFINE_FINAL_TYPE (SyCourse, sy_course, G_TYPE_OBJECT)

SyItem *
_sy_item_new (void)
{
  SyItem *item = g_new0 (SyItem, 1);

  item->pass_score = -1;
  return item;
}

void
_sy_item_free (SyItem *item)
{
  if (item == NULL)
    return;
  g_free (item->id);
  g_free (item->module_id);
  g_clear_pointer (&item->title, sy_text_unref);
  g_clear_pointer (&item->file, sy_text_unref);
  g_free (item);
}

SyModule *
_sy_module_new (const char *id,
                SyText     *title)
{
  SyModule *module = g_new0 (SyModule, 1);

  module->id = g_strdup (id);
  module->title = title ? sy_text_ref (title) : NULL;
  module->items = g_ptr_array_new_with_free_func ((GDestroyNotify) _sy_item_free);
  return module;
}

void
_sy_module_free (SyModule *module)
{
  if (module == NULL)
    return;
  g_free (module->id);
  g_clear_pointer (&module->title, sy_text_unref);
  g_ptr_array_unref (module->items);
  g_free (module);
}

SyCourse *
_sy_course_new (void)
{
  return g_object_new (SY_TYPE_COURSE, NULL);
}

static void
sy_course_finalize (GObject *object)
{
  SyCourse *self = (SyCourse *) object;

  g_free (self->id);
  g_free (self->programme);
  g_clear_pointer (&self->title, sy_text_unref);
  g_clear_pointer (&self->description, sy_text_unref);
  g_strfreev (self->languages);
  g_free (self->cover);
  g_free (self->content_dir);
  g_free (self->sha256);
  g_ptr_array_unref (self->modules);

  G_OBJECT_CLASS (sy_course_parent_class)->finalize (object);
}

static void
sy_course_class_init (SyCourseClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sy_course_finalize;
}

static void
sy_course_init (SyCourse *self)
{
  self->modules = g_ptr_array_new_with_free_func ((GDestroyNotify) _sy_module_free);
  self->pass_score = 0.6;
}

const char *
sy_course_get_id (SyCourse *self)
{
  g_return_val_if_fail (SY_IS_COURSE (self), NULL);
  return self->id;
}

gint64
sy_course_get_version (SyCourse *self)
{
  g_return_val_if_fail (SY_IS_COURSE (self), 0);
  return self->version;
}

const char *
sy_course_get_programme (SyCourse *self)
{
  g_return_val_if_fail (SY_IS_COURSE (self), NULL);
  return self->programme;
}

SyText *
sy_course_get_title (SyCourse *self)
{
  g_return_val_if_fail (SY_IS_COURSE (self), NULL);
  return self->title;
}

/**
 * sy_course_get_description:
 *
 * Returns: (nullable): the description, if the course has one
 */
SyText *
sy_course_get_description (SyCourse *self)
{
  g_return_val_if_fail (SY_IS_COURSE (self), NULL);
  return self->description;
}

const char * const *
sy_course_get_languages (SyCourse *self)
{
  g_return_val_if_fail (SY_IS_COURSE (self), NULL);
  return (const char * const *) self->languages;
}

double
sy_course_get_class_hours (SyCourse *self)
{
  g_return_val_if_fail (SY_IS_COURSE (self), 0);
  return self->class_hours;
}

double
sy_course_get_credits (SyCourse *self)
{
  g_return_val_if_fail (SY_IS_COURSE (self), 0);
  return self->credits;
}

double
sy_course_get_pass_score (SyCourse *self)
{
  g_return_val_if_fail (SY_IS_COURSE (self), 0);
  return self->pass_score;
}

/**
 * sy_course_get_content_dir:
 *
 * Returns: (nullable): the directory holding the course's files once installed
 */
const char *
sy_course_get_content_dir (SyCourse *self)
{
  g_return_val_if_fail (SY_IS_COURSE (self), NULL);
  return self->content_dir;
}

/**
 * sy_course_get_cover_path:
 *
 * Returns: (transfer full) (nullable): the absolute path of the cover image, if any
 */
char *
sy_course_get_cover_path (SyCourse *self)
{
  g_return_val_if_fail (SY_IS_COURSE (self), NULL);
  if (self->cover == NULL || self->content_dir == NULL)
    return NULL;
  return g_build_filename (self->content_dir, self->cover, NULL);
}

const char *
sy_course_get_sha256 (SyCourse *self)
{
  g_return_val_if_fail (SY_IS_COURSE (self), NULL);
  return self->sha256;
}

/**
 * sy_course_get_modules:
 *
 * Returns: (transfer none) (element-type SyModule): the modules, empty in a library listing
 */
GPtrArray *
sy_course_get_modules (SyCourse *self)
{
  g_return_val_if_fail (SY_IS_COURSE (self), NULL);
  return self->modules;
}

guint
sy_course_get_n_items (SyCourse *self)
{
  g_return_val_if_fail (SY_IS_COURSE (self), 0);
  return self->n_items;
}

/**
 * sy_course_get_n_done:
 *
 * Returns: how many items the current learner has completed (or passed)
 */
guint
sy_course_get_n_done (SyCourse *self)
{
  g_return_val_if_fail (SY_IS_COURSE (self), 0);
  return self->n_done;
}

/**
 * sy_course_get_progress:
 *
 * Returns: the fraction of items done, 0–1
 */
double
sy_course_get_progress (SyCourse *self)
{
  g_return_val_if_fail (SY_IS_COURSE (self), 0);
  return self->n_items ? (double) self->n_done / self->n_items : 0;
}

/**
 * sy_course_find_item:
 *
 * Returns: (nullable) (transfer none): the item with @item_id
 */
SyItem *
sy_course_find_item (SyCourse   *self,
                     const char *item_id)
{
  g_return_val_if_fail (SY_IS_COURSE (self), NULL);

  for (guint i = 0; i < self->modules->len; i++)
    {
      SyModule *module = g_ptr_array_index (self->modules, i);

      for (guint j = 0; j < module->items->len; j++)
        {
          SyItem *item = g_ptr_array_index (module->items, j);

          if (g_strcmp0 (item->id, item_id) == 0)
            return item;
        }
    }
  return NULL;
}

static json_object *
text_to_json (SyText *text)
{
  g_autofree char *str = NULL;

  if (text == NULL)
    return NULL;
  str = sy_text_to_json (text);
  return json_tokener_parse (str);
}

/**
 * sy_course_to_json:
 * @with_items: include modules and items
 *
 * Returns: (transfer full): the course as a JSON object (the CLI's `--json` output)
 */
char *
sy_course_to_json (SyCourse *self,
                   gboolean  with_items)
{
  json_object *obj, *langs;
  char *ret;

  g_return_val_if_fail (SY_IS_COURSE (self), NULL);

  obj = json_object_new_object ();
  json_object_object_add (obj, "id", json_object_new_string (self->id));
  json_object_object_add (obj, "version", json_object_new_int64 (self->version));
  json_object_object_add (obj, "programme", json_object_new_string (self->programme));
  json_object_object_add (obj, "title", text_to_json (self->title));
  if (self->description)
    json_object_object_add (obj, "description", text_to_json (self->description));
  langs = json_object_new_array ();
  for (guint i = 0; self->languages && self->languages[i]; i++)
    json_object_array_add (langs, json_object_new_string (self->languages[i]));
  json_object_object_add (obj, "languages", langs);
  json_object_object_add (obj, "class_hours", json_object_new_double (self->class_hours));
  json_object_object_add (obj, "credits", json_object_new_double (self->credits));
  json_object_object_add (obj, "pass_score", json_object_new_double (self->pass_score));
  json_object_object_add (obj, "items", json_object_new_int (self->n_items));
  json_object_object_add (obj, "done", json_object_new_int (self->n_done));
  if (self->sha256)
    json_object_object_add (obj, "sha256", json_object_new_string (self->sha256));

  if (with_items)
    {
      json_object *modules = json_object_new_array ();

      for (guint i = 0; i < self->modules->len; i++)
        {
          SyModule *module = g_ptr_array_index (self->modules, i);
          json_object *m = json_object_new_object ();
          json_object *items = json_object_new_array ();

          json_object_object_add (m, "id", json_object_new_string (module->id));
          json_object_object_add (m, "title", text_to_json (module->title));
          for (guint j = 0; j < module->items->len; j++)
            {
              SyItem *item = g_ptr_array_index (module->items, j);
              json_object *it = json_object_new_object ();

              json_object_object_add (it, "id", json_object_new_string (item->id));
              json_object_object_add (it, "type",
                                      json_object_new_string (sy_item_type_to_string (item->type)));
              json_object_object_add (it, "title", text_to_json (item->title));
              json_object_object_add (it, "status",
                                      json_object_new_string (sy_status_to_string (item->status)));
              json_object_array_add (items, it);
            }
          json_object_object_add (m, "items", items);
          json_object_array_add (modules, m);
        }
      json_object_object_add (obj, "modules", modules);
    }

  ret = g_strdup (json_object_to_json_string_ext (obj, JSON_C_TO_STRING_PRETTY |
                                                       JSON_C_TO_STRING_SPACED |
                                                       JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put (obj);
  return ret;
}

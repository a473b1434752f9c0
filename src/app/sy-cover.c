/* sy-cover.c
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Covers are mostly SVGs: rendering one takes long enough on an old PC to stall a frame,
 * so they are rasterized in a thread, at the width they are shown at. The library grid
 * recycles its cards while scrolling, so the last few dozen covers are kept (about 20 MiB
 * at most) rather than decoded again.
 */
#define G_LOG_DOMAIN "Shuyuan"

#include "config.h"

#include "sy-cover.h"

#define CACHE_SIZE 48

typedef struct
{
  char *path;
  int   width;
  char *key;
} LoadCover;

/* Most recently used first; touched only on the main thread. */
static GQueue cache_keys = G_QUEUE_INIT;
static GHashTable *cache;   /* key → GdkTexture */

static void
load_cover_free (LoadCover *load)
{
  g_free (load->path);
  g_free (load->key);
  g_free (load);
}

static GdkTexture *
cache_lookup (const char *key)
{
  GdkTexture *texture = cache ? g_hash_table_lookup (cache, key) : NULL;
  GList *link;

  if (texture != NULL && (link = g_queue_find_custom (&cache_keys, key, (GCompareFunc) strcmp)))
    {
      g_queue_unlink (&cache_keys, link);
      g_queue_push_head_link (&cache_keys, link);
    }
  return texture;
}

static void
cache_insert (const char *key,
              GdkTexture *texture)
{
  if (cache == NULL)
    cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  if (g_hash_table_contains (cache, key))
    return;

  g_hash_table_insert (cache, g_strdup (key), g_object_ref (texture));
  g_queue_push_head (&cache_keys, g_strdup (key));
  while (cache_keys.length > CACHE_SIZE)
    {
      g_autofree char *oldest = g_queue_pop_tail (&cache_keys);
      g_hash_table_remove (cache, oldest);
    }
}

static void
load_cover_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  LoadCover *load = task_data;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  GError *error = NULL;

  pixbuf = gdk_pixbuf_new_from_file_at_scale (load->path, load->width, -1, TRUE, &error);
  if (pixbuf == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, gdk_texture_new_for_pixbuf (pixbuf), g_object_unref);
}

/**
 * sy_cover_load_async:
 * @path: an image file (SVG, PNG or JPEG)
 * @width: the width to rasterize at, in device pixels; the aspect ratio is kept
 *
 * Loads @path in a worker thread.
 */
void
sy_cover_load_async (const char          *path,
                     int                  width,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GdkTexture *cached;
  LoadCover *load;

  g_return_if_fail (path != NULL);
  g_return_if_fail (width > 0);

  load = g_new0 (LoadCover, 1);
  load->path = g_strdup (path);
  load->width = width;
  load->key = g_strdup_printf ("%d:%s", width, path);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, sy_cover_load_async);
  g_task_set_task_data (task, load, (GDestroyNotify) load_cover_free);

  if ((cached = cache_lookup (load->key)) != NULL)
    g_task_return_pointer (task, g_object_ref (cached), g_object_unref);
  else
    g_task_run_in_thread (task, load_cover_thread);
}

/**
 * sy_cover_load_finish:
 *
 * Returns: (transfer full) (nullable): the image
 */
GdkTexture *
sy_cover_load_finish (GAsyncResult  *result,
                      GError       **error)
{
  LoadCover *load;
  GdkTexture *texture;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  load = g_task_get_task_data (G_TASK (result));
  texture = g_task_propagate_pointer (G_TASK (result), error);
  if (texture != NULL)
    cache_insert (load->key, texture);
  return texture;
}

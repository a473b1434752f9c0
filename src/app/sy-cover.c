/* sy-cover.c
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Covers are mostly SVGs: rendering one takes long enough on an old PC to stall a frame,
 * so they are rasterized in a thread, at a width that stays sharp on a HiDPI screen.
 */
#define G_LOG_DOMAIN "Shuyuan"

#include "config.h"

#include "sy-cover.h"

typedef struct
{
  char *path;
  int   width;
} LoadCover;

static void
load_cover_free (LoadCover *load)
{
  g_free (load->path);
  g_free (load);
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
  LoadCover *load;

  g_return_if_fail (path != NULL);
  g_return_if_fail (width > 0);

  load = g_new0 (LoadCover, 1);
  load->path = g_strdup (path);
  load->width = width;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, sy_cover_load_async);
  g_task_set_task_data (task, load, (GDestroyNotify) load_cover_free);
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
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

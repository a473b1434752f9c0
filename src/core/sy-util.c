/* sy-util.c
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ShuyuanCore"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <zlib.h>

#include "sy-i18n.h"
#include "sy-util.h"

/**
 * sy_core_init:
 *
 * Binds the message catalogue. Call once from main(), after setlocale().
 * `SHUYUAN_LOCALEDIR` points an uninstalled build (./dev run, the tests) at the catalogues
 * in its build folder.
 */
void
sy_core_init (void)
{
  const char *localedir = g_getenv ("SHUYUAN_LOCALEDIR");

  bindtextdomain (GETTEXT_PACKAGE, localedir && *localedir ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
}

/**
 * sy_id_is_valid:
 * @id: a candidate id
 *
 * Course, module, item and question ids: 1–64 characters of `a-z 0-9 . _ -`, starting
 * with a letter or a digit. They become parts of xAPI activity IRIs and file names, so the
 * set is deliberately small.
 */
gboolean
sy_id_is_valid (const char *id)
{
  gsize len;

  if (id == NULL)
    return FALSE;

  len = strlen (id);
  if (len < 1 || len > 64)
    return FALSE;
  if (!g_ascii_islower (id[0]) && !g_ascii_isdigit (id[0]))
    return FALSE;

  for (const char *p = id; *p; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '.' && *p != '_' && *p != '-')
      return FALSE;

  return TRUE;
}

/**
 * sy_default_data_dir:
 *
 * Returns: (transfer full): `$XDG_DATA_HOME/shuyuan`
 */
char *
sy_default_data_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "shuyuan", NULL);
}

/**
 * sy_rm_rf:
 * @path: a file or a directory
 *
 * Removes @path and everything below it without following symlinks. A missing @path is
 * not an error.
 */
gboolean
sy_rm_rf (const char  *path,
          GError     **error)
{
  GStatBuf st;

  if (g_lstat (path, &st) != 0)
    {
      if (errno == ENOENT)
        return TRUE;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                   "%s: %s", path, g_strerror (errno));
      return FALSE;
    }

  if (S_ISDIR (st.st_mode))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, error);
      const char *name;

      if (dir == NULL)
        return FALSE;
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (!sy_rm_rf (child, error))
            return FALSE;
        }
      if (g_rmdir (path) != 0)
        {
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                       "%s: %s", path, g_strerror (errno));
          return FALSE;
        }
      return TRUE;
    }

  if (g_unlink (path) != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                   "%s: %s", path, g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

static const char * const item_types[] = { "lesson", "quiz", "survey", "puzzle" };

const char *
sy_item_type_to_string (SyItemType type)
{
  g_return_val_if_fail (type <= SY_ITEM_PUZZLE, NULL);
  return item_types[type];
}

gboolean
sy_item_type_from_string (const char *str,
                          SyItemType *type)
{
  for (guint i = 0; i < G_N_ELEMENTS (item_types); i++)
    if (g_strcmp0 (str, item_types[i]) == 0)
      {
        *type = i;
        return TRUE;
      }
  return FALSE;
}

static const char * const roles[] = { "learner", "teacher", "coordinator" };

const char *
sy_role_to_string (SyRole role)
{
  g_return_val_if_fail (role <= SY_ROLE_COORDINATOR, NULL);
  return roles[role];
}

gboolean
sy_role_from_string (const char *str,
                     SyRole     *role)
{
  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    if (g_strcmp0 (str, roles[i]) == 0)
      {
        *role = i;
        return TRUE;
      }
  return FALSE;
}

const char *
sy_status_to_string (SyStatus status)
{
  static const char * const names[] = { "not-started", "in-progress", "completed", "passed" };

  g_return_val_if_fail (status <= SY_STATUS_PASSED, NULL);
  return names[status];
}

/**
 * sy_programme_display_name:
 * @programme: a programme id from course.json
 *
 * Returns: the translated name of a known programme, or @programme itself
 */
const char *
sy_programme_display_name (const char *programme)
{
  if (g_strcmp0 (programme, "village-doctor") == 0)
    return _("Village doctors");
  if (g_strcmp0 (programme, "coding-for-kids") == 0)
    return _("Coding for kids");
  if (g_strcmp0 (programme, "retail") == 0)
    return _("Retail entrepreneurs");
  return programme;
}

/**
 * sy_gzip:
 * @level: zlib's, 1 (fast) to 9 (small)
 *
 * Returns: (transfer full) (nullable): @data compressed in the gzip format (what HTTP's
 *   Content-Encoding: gzip carries), or %NULL if zlib failed
 */
GBytes *
sy_gzip (const void *data,
         gsize       size,
         int         level)
{
  z_stream z = { 0 };
  guint8 *out;
  uLong bound;

  if (deflateInit2 (&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return NULL;
  bound = deflateBound (&z, size) + 32;
  out = g_malloc (bound);
  z.next_in = (Bytef *) data;
  z.avail_in = size;
  z.next_out = out;
  z.avail_out = bound;
  if (deflate (&z, Z_FINISH) != Z_STREAM_END)
    {
      deflateEnd (&z);
      g_free (out);
      return NULL;
    }
  deflateEnd (&z);
  return g_bytes_new_take (out, z.total_out);
}

/**
 * sy_main_context_post:
 * @context: the context of the thread that owns what @func touches
 * @func: called once, on that thread
 * @notify: (nullable): frees @data, on that thread too
 *
 * Runs @func on @context's thread at its next iteration, at the default priority.
 *
 * Unlike g_main_context_invoke(), never runs @func on the calling thread: that one calls
 * @func at once whenever it can acquire @context, which a worker thread can whenever the
 * owning thread is between two iterations — and then GTK or libsoup run on the worker.
 */
void
sy_main_context_post (GMainContext   *context,
                      GSourceFunc     func,
                      gpointer        data,
                      GDestroyNotify  notify)
{
  g_autoptr(GSource) source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, data, notify);
  g_source_set_static_name (source, "[shuyuan] posted from a worker");
  g_source_attach (source, context);
}

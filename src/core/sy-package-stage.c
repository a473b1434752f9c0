/* sy-package-stage.c — copying or extracting a package into a staging folder, safely
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Nothing from a package reaches the store's content folder except through here: every
 * entry is checked (path, type, size, count, compression ratio) before and while it is
 * written, and it is written only below the staging folder, with O_EXCL | O_NOFOLLOW.
 */
#define G_LOG_DOMAIN "ShuyuanCore"

#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "sy-i18n.h"
#include "sy-package-private.h"

G_DEFINE_QUARK (sy-package-error-quark, sy_package_error)

static const SyPackageLimits default_limits = {
  .max_files = 2000,
  .max_file_size = 64 * 1024 * 1024,
  .max_total_size = 512 * 1024 * 1024,
  .max_file_ratio = 200,
  .max_total_ratio = 100,
};

/* Ratios are only judged past this size: small files compress unevenly. */
#define RATIO_MIN_SIZE (1024 * 1024)
/* libarchive reads ahead; allow for one read block when measuring compressed bytes. */
#define READ_BLOCK (64 * 1024)

const SyPackageLimits *
sy_package_default_limits (void)
{
  return &default_limits;
}

gboolean
_sy_package_error (GError    **error,
                   int         code,
                   const char *file,
                   const char *field,
                   const char *format,
                   ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);

  if (file && field)
    g_set_error (error, SY_PACKAGE_ERROR, code, "%s: %s: %s", file, field, msg);
  else if (file)
    g_set_error (error, SY_PACKAGE_ERROR, code, "%s: %s", file, msg);
  else
    g_set_error_literal (error, SY_PACKAGE_ERROR, code, msg);
  return FALSE;
}

/**
 * _sy_package_check_path:
 * @path: a path from a package
 * @why: (out): what is wrong with it
 *
 * Returns: (transfer full) (nullable): @path without a trailing `/`, or %NULL if it is
 *   not a safe relative path
 */
char *
_sy_package_check_path (const char  *path,
                        const char **why)
{
  g_autofree char *copy = NULL;
  g_auto(GStrv) parts = NULL;
  gsize len;

  if (!g_utf8_validate (path, -1, NULL))
    return (*why = _("the name is not valid UTF-8"), NULL);

  copy = g_strdup (path);
  len = strlen (copy);
  while (len > 1 && copy[len - 1] == '/')
    copy[--len] = '\0';

  if (len == 0)
    return (*why = _("the name is empty"), NULL);
  if (len > 255)
    return (*why = _("the path is longer than 255 bytes"), NULL);
  if (copy[0] == '/' || (g_ascii_isalpha (copy[0]) && copy[1] == ':'))
    return (*why = _("absolute paths are not allowed"), NULL);
  if (strchr (copy, '\\') != NULL)
    return (*why = _("use “/” rather than “\\” between folders"), NULL);

  parts = g_strsplit (copy, "/", -1);
  for (guint i = 0; parts[i]; i++)
    {
      if (g_str_equal (parts[i], ".."))
        return (*why = _("“..” would leave the package"), NULL);
      if (parts[i][0] == '\0' || g_str_equal (parts[i], "."))
        return (*why = _("empty or “.” folder names are not allowed"), NULL);
      for (const char *p = parts[i]; *p; p++)
        if ((guchar) *p < 0x20)
          return (*why = _("control characters are not allowed in names"), NULL);
    }

  return g_steal_pointer (&copy);
}

typedef gssize (*ReadFunc) (gpointer   data,
                            void      *buffer,
                            gsize      count,
                            GError   **error);

typedef struct
{
  const SyPackageLimits *limits;
  const char *source_name;
  char *dir;
  int dir_fd;
  GHashTable *entries;     /* relative path → sha256 of a file, or "" for a folder */
  goffset total;
  GCancellable *cancellable;
} Stager;

static void
stager_clear (Stager *s)
{
  g_clear_pointer (&s->entries, g_hash_table_unref);
  g_clear_pointer (&s->dir, g_free);
  if (s->dir_fd >= 0)
    close (s->dir_fd);
  s->dir_fd = -1;
}

static gboolean
stager_count (Stager      *s,
              const char  *path,
              GError     **error)
{
  if (g_hash_table_contains (s->entries, path))
    {
      _sy_package_error (error, SY_PACKAGE_ERROR_DUPLICATE_ENTRY, s->source_name, path,
                         _("the package holds this path twice. Re-create the .zip from the "
                           "course folder."));
      return FALSE;
    }
  if (g_hash_table_size (s->entries) >= s->limits->max_files)
    {
      _sy_package_error (error, SY_PACKAGE_ERROR_TOO_MANY_FILES, s->source_name, NULL,
                         _("the package has more than %u files and folders. Remove files "
                           "the course does not use."), s->limits->max_files);
      return FALSE;
    }
  return TRUE;
}

static gboolean
stager_add_dir (Stager      *s,
                const char  *raw_path,
                GError     **error)
{
  g_autofree char *path = NULL;
  g_autofree char *full = NULL;
  const char *why = NULL;

  if (!(path = _sy_package_check_path (raw_path, &why)))
    {
      _sy_package_error (error, SY_PACKAGE_ERROR_UNSAFE_PATH, s->source_name, raw_path,
                         "%s", why);
      return FALSE;
    }
  if (g_hash_table_contains (s->entries, path))
    return TRUE;   /* folders appear implicitly and explicitly in zips */
  if (!stager_count (s, path, error))
    return FALSE;

  full = g_build_filename (s->dir, path, NULL);
  if (g_mkdir_with_parents (full, 0755) != 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Could not create %s: %s"), full, g_strerror (errsv));
      return FALSE;
    }
  g_hash_table_insert (s->entries, g_steal_pointer (&path), g_strdup (""));
  return TRUE;
}

/* Writes one file from @read; @compressed (nullable) reports how many compressed bytes the
 * source has consumed so far, for the ratio bound. */
static gboolean
stager_add_file (Stager      *s,
                 const char  *raw_path,
                 ReadFunc     read_func,
                 gpointer     read_data,
                 gint64     (*compressed) (gpointer data),
                 GError     **error)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *path = NULL;
  g_autofree char *parent = NULL;
  g_autofree guint8 *buffer = NULL;
  const char *why = NULL;
  goffset written = 0;
  gint64 compressed_start = compressed ? compressed (read_data) : 0;
  int fd;

  if (!(path = _sy_package_check_path (raw_path, &why)))
    {
      _sy_package_error (error, SY_PACKAGE_ERROR_UNSAFE_PATH, s->source_name, raw_path,
                         "%s", why);
      return FALSE;
    }
  if (!stager_count (s, path, error))
    return FALSE;

  parent = g_path_get_dirname (path);
  if (!g_str_equal (parent, ".") && !stager_add_dir (s, parent, error))
    return FALSE;

  fd = openat (s->dir_fd, path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Could not write %s: %s"), path, g_strerror (errsv));
      return FALSE;
    }

  buffer = g_malloc (READ_BLOCK);
  for (;;)
    {
      gssize n = read_func (read_data, buffer, READ_BLOCK, error);

      if (n < 0)
        goto fail;
      if (n == 0)
        break;
      if (g_cancellable_set_error_if_cancelled (s->cancellable, error))
        goto fail;

      written += n;
      s->total += n;
      if (written > s->limits->max_file_size)
        {
          _sy_package_error (error, SY_PACKAGE_ERROR_FILE_TOO_LARGE, s->source_name, path,
                             _("the file is larger than %d MiB. Make it smaller or leave it "
                               "out."), (int) (s->limits->max_file_size / (1024 * 1024)));
          goto fail;
        }
      if (s->total > s->limits->max_total_size)
        {
          _sy_package_error (error, SY_PACKAGE_ERROR_TOO_LARGE, s->source_name, NULL,
                             _("the package is larger than %d MiB when unpacked. Split it into "
                               "several courses."),
                             (int) (s->limits->max_total_size / (1024 * 1024)));
          goto fail;
        }
      if (compressed && written > RATIO_MIN_SIZE)
        {
          gint64 used = compressed (read_data) - compressed_start + READ_BLOCK;

          if ((double) written / used > s->limits->max_file_ratio)
            {
              _sy_package_error (error, SY_PACKAGE_ERROR_COMPRESSION_RATIO, s->source_name,
                                 path,
                                 _("the file expands more than %.0f times its compressed size, "
                                   "which is how zip bombs look. Shuyuan does not unpack it."),
                                 s->limits->max_file_ratio);
              goto fail;
            }
        }

      g_checksum_update (checksum, buffer, n);
      for (gssize off = 0; off < n;)
        {
          gssize w = write (fd, buffer + off, n - off);

          if (w < 0 && errno == EINTR)
            continue;
          if (w < 0)
            {
              int errsv = errno;
              g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                           _("Could not write %s: %s"), path, g_strerror (errsv));
              goto fail;
            }
          off += w;
        }
    }

  if (close (fd) != 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Could not write %s: %s"), path, g_strerror (errsv));
      return FALSE;
    }
  g_hash_table_insert (s->entries, g_steal_pointer (&path),
                       g_strdup (g_checksum_get_string (checksum)));
  return TRUE;

fail:
  close (fd);
  return FALSE;
}

/* ---- folders ---- */

static gssize
read_input_stream (gpointer   data,
                   void      *buffer,
                   gsize      count,
                   GError   **error)
{
  return g_input_stream_read (data, buffer, count, NULL, error);
}

static gboolean
stage_folder (Stager      *s,
              GFile       *root,
              GFile       *dir,
              GError     **error)
{
  g_autoptr(GFileEnumerator) enumerator = NULL;

  enumerator = g_file_enumerate_children (dir,
                                          G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                          G_FILE_ATTRIBUTE_STANDARD_TYPE ","
                                          G_FILE_ATTRIBUTE_STANDARD_IS_SYMLINK,
                                          G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS,
                                          s->cancellable, error);
  if (enumerator == NULL)
    return FALSE;

  for (;;)
    {
      GFileInfo *info;
      GFile *child;
      g_autofree char *rel = NULL;

      if (!g_file_enumerator_iterate (enumerator, &info, &child, s->cancellable, error))
        return FALSE;
      if (info == NULL)
        break;

      rel = g_file_get_relative_path (root, child);
      if (!g_utf8_validate (rel, -1, NULL))
        {
          g_autofree char *shown = g_utf8_make_valid (rel, -1);
          _sy_package_error (error, SY_PACKAGE_ERROR_NOT_UTF8, s->source_name, shown,
                             _("the file name is not valid UTF-8. Rename it."));
          return FALSE;
        }

      switch (g_file_info_get_file_type (info))
        {
        case G_FILE_TYPE_DIRECTORY:
          if (!stager_add_dir (s, rel, error) || !stage_folder (s, root, child, error))
            return FALSE;
          break;

        case G_FILE_TYPE_REGULAR:
          {
            g_autoptr(GFileInputStream) in = g_file_read (child, s->cancellable, error);

            if (in == NULL ||
                !stager_add_file (s, rel, read_input_stream, in, NULL, error))
              return FALSE;
            break;
          }

        case G_FILE_TYPE_SYMBOLIC_LINK:
          _sy_package_error (error, SY_PACKAGE_ERROR_UNSAFE_ENTRY, s->source_name, rel,
                             _("symbolic links are not allowed. Put the file itself in the "
                               "package."));
          return FALSE;

        default:
          _sy_package_error (error, SY_PACKAGE_ERROR_UNSAFE_ENTRY, s->source_name, rel,
                             _("only regular files and folders are allowed (this is a "
                               "device, FIFO or socket). Remove it."));
          return FALSE;
        }
    }
  return TRUE;
}

/* ---- zips ---- */

typedef struct
{
  struct archive *a;
  const char *source_name;
  const char *path;
} ZipReader;

static gssize
read_zip (gpointer   data,
          void      *buffer,
          gsize      count,
          GError   **error)
{
  ZipReader *z = data;
  la_ssize_t n = archive_read_data (z->a, buffer, count);

  if (n < 0)
    {
      _sy_package_error (error, SY_PACKAGE_ERROR_CORRUPT, z->source_name, z->path,
                         _("the .zip is damaged (%s). Copy it again."),
                         archive_error_string (z->a));
      return -1;
    }
  return n;
}

static gint64
zip_compressed_bytes (gpointer data)
{
  ZipReader *z = data;

  return archive_filter_bytes (z->a, -1);
}

/* Zips made on Chinese Windows often store names in GB18030 without saying so. */
static char *
zip_entry_name (struct archive_entry *entry)
{
  const char *raw = archive_entry_pathname (entry);

  if (raw == NULL)
    return NULL;
  if (g_utf8_validate (raw, -1, NULL))
    return g_strdup (raw);
  return g_convert (raw, -1, "UTF-8", "GB18030", NULL, NULL, NULL);
}

static gboolean
stage_zip (Stager      *s,
           const char  *zip_path,
           GError     **error)
{
  struct archive *a = archive_read_new ();
  struct archive_entry *entry;
  gboolean ok = FALSE;
  GStatBuf st;
  int r;

  /* The central directory is what zip tools show and trust; reading local headers alone
   * can be fooled by entries that disagree with it. */
  archive_read_support_format_zip_seekable (a);
  archive_read_support_filter_none (a);

  if (archive_read_open_filename (a, zip_path, READ_BLOCK) != ARCHIVE_OK)
    {
      _sy_package_error (error, SY_PACKAGE_ERROR_CORRUPT, s->source_name, NULL,
                         _("the file is damaged or is not a .zip (%s). If it was copied, "
                           "copy it again."),
                         archive_error_string (a));
      goto out;
    }

  while ((r = archive_read_next_header (a, &entry)) == ARCHIVE_OK)
    {
      g_autofree char *name = zip_entry_name (entry);
      mode_t type = archive_entry_filetype (entry);

      if (name == NULL)
        {
          _sy_package_error (error, SY_PACKAGE_ERROR_NOT_UTF8, s->source_name, NULL,
                             _("a file name in the .zip is neither UTF-8 nor GB18030. Rename "
                               "it and re-create the .zip."));
          goto out;
        }
      if (archive_entry_hardlink (entry) != NULL || type == AE_IFLNK)
        {
          _sy_package_error (error, SY_PACKAGE_ERROR_UNSAFE_ENTRY, s->source_name, name,
                             _("links are not allowed. Put the file itself in the package."));
          goto out;
        }

      if (type == AE_IFDIR)
        {
          if (!stager_add_dir (s, name, error))
            goto out;
        }
      else if (type == AE_IFREG)
        {
          ZipReader z = { a, s->source_name, name };

          if (!stager_add_file (s, name, read_zip, &z, zip_compressed_bytes, error))
            goto out;
        }
      else
        {
          _sy_package_error (error, SY_PACKAGE_ERROR_UNSAFE_ENTRY, s->source_name, name,
                             _("only regular files and folders are allowed (this is a "
                               "device, FIFO or socket). Remove it."));
          goto out;
        }
    }

  if (r != ARCHIVE_EOF)
    {
      _sy_package_error (error, SY_PACKAGE_ERROR_CORRUPT, s->source_name, NULL,
                         _("the .zip is damaged (%s). Copy it again."),
                         archive_error_string (a));
      goto out;
    }

  if (g_stat (zip_path, &st) == 0 && s->total > RATIO_MIN_SIZE &&
      (double) s->total / MAX (st.st_size, 1) > s->limits->max_total_ratio)
    {
      _sy_package_error (error, SY_PACKAGE_ERROR_COMPRESSION_RATIO, s->source_name, NULL,
                         _("the package expands more than %.0f times its size, which is how "
                           "zip bombs look. Shuyuan does not unpack it."),
                         s->limits->max_total_ratio);
      goto out;
    }

  ok = TRUE;

out:
  archive_read_free (a);
  return ok;
}

/**
 * sy_package_stage:
 * @source: a course folder or a .zip
 * @staging_dir: an empty folder to copy into (created if missing)
 * @limits: (nullable): bounds, or %NULL for sy_package_default_limits()
 * @sha256: (out) (optional): a digest of the package's paths and contents, the same for
 *   a folder and its .zip
 *
 * Copies or extracts @source below @staging_dir, checking every entry. On error the
 * caller removes @staging_dir.
 *
 * Returns: (transfer full): the package root inside @staging_dir (the folder with
 *   course.json: @staging_dir itself, or the single folder a .zip wraps it in)
 */
char *
sy_package_stage (GFile                 *source,
                  const char            *staging_dir,
                  const SyPackageLimits *limits,
                  char                 **sha256,
                  GCancellable          *cancellable,
                  GError               **error)
{
  g_autofree char *source_name = NULL;
  g_autofree char *source_path = NULL;
  g_autofree char *root = NULL;
  g_autofree char *course_json = NULL;
  g_autoptr(GChecksum) checksum = NULL;
  g_autoptr(GList) paths = NULL;
  GFileType type;
  Stager s = { 0 };
  gboolean ok;
  gsize prefix_len = 0;

  g_return_val_if_fail (G_IS_FILE (source), NULL);
  g_return_val_if_fail (staging_dir != NULL, NULL);

  source_name = g_file_get_basename (source);
  source_path = g_file_get_path (source);
  type = g_file_query_file_type (source, G_FILE_QUERY_INFO_NONE, cancellable);

  if (source_path == NULL || (type != G_FILE_TYPE_DIRECTORY && type != G_FILE_TYPE_REGULAR))
    {
      _sy_package_error (error, SY_PACKAGE_ERROR_NOT_FOUND, source_name, NULL,
                         _("there is no course folder or .zip file here."));
      return NULL;
    }

  if (g_mkdir_with_parents (staging_dir, 0755) != 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Could not create %s: %s"), staging_dir, g_strerror (errsv));
      return NULL;
    }

  s.limits = limits ? limits : &default_limits;
  s.source_name = source_name;
  s.dir = g_strdup (staging_dir);
  s.dir_fd = open (staging_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  s.entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  s.cancellable = cancellable;

  if (type == G_FILE_TYPE_DIRECTORY)
    ok = stage_folder (&s, source, source, error);
  else
    ok = stage_zip (&s, source_path, error);

  if (!ok)
    {
      stager_clear (&s);
      return NULL;
    }

  /* course.json at the root, or inside the one folder a zip tool wrapped it in */
  root = g_strdup (staging_dir);
  course_json = g_build_filename (root, "course.json", NULL);
  if (!g_file_test (course_json, G_FILE_TEST_IS_REGULAR) && g_hash_table_size (s.entries) > 0)
    {
      g_autoptr(GDir) dir = g_dir_open (staging_dir, 0, NULL);
      const char *first = dir ? g_dir_read_name (dir) : NULL;

      if (first != NULL && g_dir_read_name (dir) == NULL)
        {
          g_autofree char *inner = g_build_filename (staging_dir, first, NULL);
          g_autofree char *inner_json = g_build_filename (inner, "course.json", NULL);

          if (g_file_test (inner_json, G_FILE_TEST_IS_REGULAR))
            {
              g_free (root);
              root = g_steal_pointer (&inner);
              prefix_len = strlen (first) + 1;
            }
        }
    }

  g_clear_pointer (&course_json, g_free);
  course_json = g_build_filename (root, "course.json", NULL);
  if (!g_file_test (course_json, G_FILE_TEST_IS_REGULAR))
    {
      _sy_package_error (error, SY_PACKAGE_ERROR_NOT_A_PACKAGE, source_name, NULL,
                         _("there is no course.json at the top of the package. A course "
                           "package is a folder (or .zip) with course.json in it."));
      stager_clear (&s);
      return NULL;
    }

  if (sha256 != NULL)
    {
      checksum = g_checksum_new (G_CHECKSUM_SHA256);
      paths = g_list_sort (g_hash_table_get_keys (s.entries), (GCompareFunc) strcmp);
      for (const GList *l = paths; l; l = l->next)
        {
          const char *path = l->data;
          const char *digest = g_hash_table_lookup (s.entries, path);

          if (digest[0] == '\0' || strlen (path) <= prefix_len)
            continue;
          g_checksum_update (checksum, (const guchar *) path + prefix_len, -1);
          g_checksum_update (checksum, (const guchar *) "\t", 1);
          g_checksum_update (checksum, (const guchar *) digest, -1);
          g_checksum_update (checksum, (const guchar *) "\n", 1);
        }
      *sha256 = g_strdup (g_checksum_get_string (checksum));
    }

  stager_clear (&s);
  return g_steal_pointer (&root);
}

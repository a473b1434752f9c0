/* sy-bundle.c — records and courses carried between PCs on a USB stick
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A bundle (FILE.sybundle) is a zip:
 *
 *   statements.jsonl          the statements, one JSON object a line, in recorded order
 *   learners.json             [{uuid, name, role, pin_hash, external_id, avatar, created}]
 *   courses/ID-VERSION.zip    course packages, if asked for
 *   manifest.json             {format: 1, created, device, statements: N, learners: N,
 *                              courses: [{id, version, sha256}],
 *                              files: [{path, size, sha256}]}  (every entry but itself)
 *
 * Export reads the store in one read transaction (a snapshot) into a work folder, then
 * writes the zip to FILE.part, fsyncs it and renames it: a bundle on a stick is whole or
 * absent. Import first checks everything — the zip, the manifest, each file's size and
 * sha256, no file missing, unlisted or twice, the counts, every statement, learner and
 * course — and only then merges: courses through sy_store_import(), then learners and
 * statements in one transaction. Merging is a set union keyed by statement id, so a
 * bundle imported twice (or on a PC that has synced meanwhile) adds nothing the second
 * time. Imported statements wait in this PC's outbox (synced = 0): its next sync sends them.
 *
 * Learners: one new to this PC is added (and registered with the hub on the next sync). One
 * this PC already has is never changed by a bundle: if the bundle's details differ (name,
 * role, PIN, external id, avatar), this PC's are kept and the summary counts the learner
 * as kept, so the difference is reported, not silently resolved. The hub's registry is
 * what settles it on the next sync.
 */
#define G_LOG_DOMAIN "ShuyuanCore"

#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sy-bundle.h"
#include "sy-i18n.h"
#include "sy-learner.h"
#include "sy-package.h"
#include "sy-statement.h"
#include "sy-store-private.h"
#include "sy-util.h"
#include "sy-xapi.h"
#include "sy-json-private.h"

G_DEFINE_QUARK (sy-bundle-error-quark, sy_bundle_error)

#define MANIFEST_NAME   "manifest.json"
#define STATEMENTS_NAME "statements.jsonl"
#define LEARNERS_NAME   "learners.json"
#define COURSES_DIR     "courses"

/* Bounds on what an import reads, whatever a manifest claims */
#define MAX_MANIFEST_SIZE   ((goffset) 16 * 1024 * 1024)
#define MAX_LEARNERS_SIZE   ((goffset) 256 * 1024 * 1024)
#define MAX_STATEMENTS_SIZE ((goffset) 8 * 1024 * 1024 * 1024)
#define MAX_STATEMENT_LINE  (1024 * 1024)
#define MAX_NAME_LENGTH     1024

/* Entries of re-zipped courses get this time, so the same content makes the same zip. */
#define COURSE_MTIME ((time_t) 1577836800)   /* 2020-01-01 */

#define BLOCK (64 * 1024)

/* Only what has not been refused by the hub for good: a quarantined statement stays on
 * its PC until somebody decides (see sy_store_list_quarantine()). ?1: all, ?2: since */
#define EXPORT_FILTER \
  "synced != 2 AND (?1 OR synced = 0) " \
  "AND (?2 IS NULL OR julianday (recorded) > julianday (?2))"

typedef struct
{
  char   *id;
  gint64  version;
  char   *sha256;
  char   *file;      /* its path in the bundle */
  char   *path;      /* its path in the work folder */
} BundleCourse;

static void
bundle_course_free (BundleCourse *course)
{
  g_free (course->id);
  g_free (course->sha256);
  g_free (course->file);
  g_free (course->path);
  g_free (course);
}

static char *
course_file_name (const char *id,
                  gint64      version)
{
  return g_strdup_printf (COURSES_DIR "/%s-%lld.zip", id, (long long) version);
}

static gboolean
io_error (GError     **error,
          const char  *path,
          int          errsv)
{
  g_set_error (error, SY_BUNDLE_ERROR, SY_BUNDLE_ERROR_IO,
               _("Could not write %s: %s"), path, g_strerror (errsv));
  return FALSE;
}

static gboolean
damaged (GError     **error,
         const char  *format,
         ...) G_GNUC_PRINTF (2, 3);

/* @format: one sentence saying what is wrong */
static gboolean
damaged (GError     **error,
         const char  *format,
         ...)
{
  g_autofree char *detail = NULL;
  va_list args;

  va_start (args, format);
  detail = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, SY_BUNDLE_ERROR, SY_BUNDLE_ERROR_DAMAGED,
               _("The bundle is damaged: %s Nothing was imported."), detail);
  return FALSE;
}

static gboolean
invalid (GError     **error,
         const char  *format,
         ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid (GError     **error,
         const char  *format,
         ...)
{
  g_autofree char *detail = NULL;
  va_list args;

  va_start (args, format);
  detail = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, SY_BUNDLE_ERROR, SY_BUNDLE_ERROR_INVALID,
               _("The bundle cannot be imported: %s Nothing was imported."), detail);
  return FALSE;
}

/* A private folder in the data folder (not /tmp, which may be small): course packages
 * can be hundreds of MiB. */
/* Work folders a killed export or import left behind; a day old, so not another's. */
static void
remove_stale_work_dirs (SyStore *self)
{
  g_autoptr(GDir) dir = g_dir_open (sy_store_get_data_dir (self), 0, NULL);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      GStatBuf st;

      if (!g_str_has_prefix (name, ".bundle-"))
        continue;
      path = g_build_filename (sy_store_get_data_dir (self), name, NULL);
      if (g_lstat (path, &st) == 0 && S_ISDIR (st.st_mode) && now - st.st_mtime > 24 * 3600)
        {
          g_debug ("Removing the stale bundle work folder %s", path);
          sy_rm_rf (path, NULL);
        }
    }
}

static char *
make_work_dir (SyStore  *self,
               GError  **error)
{
  char *work = g_build_filename (sy_store_get_data_dir (self), ".bundle-XXXXXX", NULL);

  remove_stale_work_dirs (self);

  if (g_mkdtemp (work) == NULL)
    {
      int errsv = errno;
      g_set_error (error, SY_BUNDLE_ERROR, SY_BUNDLE_ERROR_IO,
                   _("Could not create %s: %s"), work, g_strerror (errsv));
      g_free (work);
      return NULL;
    }
  return work;
}

static gboolean
is_sha256 (const char *text)
{
  if (text == NULL || strlen (text) != 64)
    return FALSE;
  for (const char *p = text; *p; p++)
    if (!g_ascii_isxdigit (*p) || g_ascii_isupper (*p))
      return FALSE;
  return TRUE;
}

/* TRUE if @key is absent, null or a string (then in @out) */
static gboolean
member_optional_string (json_object  *obj,
                        const char   *key,
                        const char  **out)
{
  json_object *value = NULL;

  *out = NULL;
  if (!json_object_object_get_ex (obj, key, &value) || value == NULL)
    return TRUE;
  if (!json_object_is_type (value, json_type_string))
    return FALSE;
  *out = json_object_get_string (value);
  return TRUE;
}

static gboolean
member_int (json_object *obj,
            const char  *key,
            gint64       min,
            gint64      *out)
{
  json_object *value = NULL;

  if (!json_object_object_get_ex (obj, key, &value) || !json_object_is_type (value, json_type_int))
    return FALSE;
  *out = json_object_get_int64 (value);
  return *out >= min;
}

/* ---- writing zips ---- */

static struct archive *
zip_writer_new (void)
{
  struct archive *a = archive_write_new ();

  archive_write_set_format_zip (a);
  /* no padding after the central directory: the file ends where the zip does */
  archive_write_set_bytes_in_last_block (a, 1);
  return a;
}

/* Adds the file at @path as @name; @checksum (nullable) gets its bytes. */
static gboolean
zip_add_file (struct archive  *a,
              const char      *name,
              const char      *path,
              time_t           mtime,
              gboolean         compress,
              GChecksum       *checksum,
              goffset         *size,
              GCancellable    *cancellable,
              GError         **error)
{
  struct archive_entry *entry = NULL;
  g_autofree guint8 *buffer = NULL;
  GStatBuf st;
  goffset total = 0;
  gboolean ok = FALSE;
  int fd;

  fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0 || fstat (fd, &st) != 0)
    {
      int errsv = errno;
      g_set_error (error, SY_BUNDLE_ERROR, SY_BUNDLE_ERROR_IO,
                   _("Could not read %s: %s"), path, g_strerror (errsv));
      if (fd >= 0)
        close (fd);
      return FALSE;
    }

  entry = archive_entry_new ();
  archive_entry_set_pathname_utf8 (entry, name);
  archive_entry_set_filetype (entry, AE_IFREG);
  archive_entry_set_perm (entry, 0644);
  archive_entry_set_size (entry, st.st_size);
  archive_entry_set_mtime (entry, mtime, 0);
  if (compress)
    archive_write_zip_set_compression_deflate (a);
  else
    archive_write_zip_set_compression_store (a);
  if (archive_write_header (a, entry) != ARCHIVE_OK)
    goto archive_failed;

  buffer = g_malloc (BLOCK);
  for (;;)
    {
      gssize n = read (fd, buffer, BLOCK);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int errsv = errno;
          g_set_error (error, SY_BUNDLE_ERROR, SY_BUNDLE_ERROR_IO,
                       _("Could not read %s: %s"), path, g_strerror (errsv));
          goto out;
        }
      if (n == 0)
        break;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;
      if (checksum)
        g_checksum_update (checksum, buffer, n);
      if (archive_write_data (a, buffer, n) != n)
        goto archive_failed;
      total += n;
    }
  if (total != st.st_size)
    {
      g_set_error (error, SY_BUNDLE_ERROR, SY_BUNDLE_ERROR_IO,
                   _("%s changed while it was being written into the bundle. Try again."),
                   path);
      goto out;
    }
  if (archive_write_finish_entry (a) != ARCHIVE_OK)
    goto archive_failed;
  if (size)
    *size = total;
  ok = TRUE;
  goto out;

archive_failed:
  g_set_error (error, SY_BUNDLE_ERROR, SY_BUNDLE_ERROR_IO,
               _("Could not write %s into the bundle: %s"), name, archive_error_string (a));
out:
  archive_entry_free (entry);
  close (fd);
  return ok;
}

static gboolean
zip_add_bytes (struct archive  *a,
               const char      *name,
               const char      *data,
               gsize            len,
               time_t           mtime,
               GError         **error)
{
  struct archive_entry *entry = archive_entry_new ();
  gboolean ok;

  archive_entry_set_pathname_utf8 (entry, name);
  archive_entry_set_filetype (entry, AE_IFREG);
  archive_entry_set_perm (entry, 0644);
  archive_entry_set_size (entry, len);
  archive_entry_set_mtime (entry, mtime, 0);
  archive_write_zip_set_compression_deflate (a);
  ok = archive_write_header (a, entry) == ARCHIVE_OK &&
       archive_write_data (a, data, len) == (la_ssize_t) len &&
       archive_write_finish_entry (a) == ARCHIVE_OK;
  if (!ok)
    g_set_error (error, SY_BUNDLE_ERROR, SY_BUNDLE_ERROR_IO,
                 _("Could not write %s into the bundle: %s"), name, archive_error_string (a));
  archive_entry_free (entry);
  return ok;
}

/* The regular files below @root, as relative paths. An installed course holds nothing
 * else (the stager let nothing else in). */
static gboolean
collect_files (const char  *root,
               const char  *rel,
               GPtrArray   *files,
               GError     **error)
{
  g_autofree char *dir_path = rel ? g_build_filename (root, rel, NULL) : g_strdup (root);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) local = NULL;
  const char *name;

  if (!(dir = g_dir_open (dir_path, 0, &local)))
    {
      g_set_error (error, SY_BUNDLE_ERROR, SY_BUNDLE_ERROR_IO,
                   _("Could not read %s: %s"), dir_path, local->message);
      return FALSE;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child_rel = rel ? g_strconcat (rel, "/", name, NULL) : g_strdup (name);
      g_autofree char *child = g_build_filename (root, child_rel, NULL);
      GStatBuf st;

      if (g_lstat (child, &st) != 0)
        {
          int errsv = errno;
          g_set_error (error, SY_BUNDLE_ERROR, SY_BUNDLE_ERROR_IO,
                       _("Could not read %s: %s"), child, g_strerror (errsv));
          return FALSE;
        }
      if (S_ISDIR (st.st_mode))
        {
          if (!collect_files (root, child_rel, files, error))
            return FALSE;
        }
      else if (S_ISREG (st.st_mode))
        g_ptr_array_add (files, g_steal_pointer (&child_rel));
      else
        g_warning ("%s is not a regular file; it is left out of the bundle", child);
    }
  return TRUE;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Re-zips an installed course's folder: files sorted by path, fixed times, so the same
 * content makes the same bytes. @sha256: the package digest sy_package_stage() computes
 * (sorted "path\tsha256\n" lines), which the importing PC checks. */
static gboolean
zip_course (const char    *content_dir,
            const char    *zip_path,
            char         **sha256,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GChecksum) digest = g_checksum_new (G_CHECKSUM_SHA256);
  struct archive *a;
  gboolean ok = TRUE;

  if (!collect_files (content_dir, NULL, files, error))
    return FALSE;
  g_ptr_array_sort (files, compare_strings);

  a = zip_writer_new ();
  if (archive_write_open_filename (a, zip_path) != ARCHIVE_OK)
    {
      g_set_error (error, SY_BUNDLE_ERROR, SY_BUNDLE_ERROR_IO,
                   _("Could not write %s: %s"), zip_path, archive_error_string (a));
      archive_write_free (a);
      return FALSE;
    }
  for (guint i = 0; ok && i < files->len; i++)
    {
      const char *rel = g_ptr_array_index (files, i);
      g_autofree char *path = g_build_filename (content_dir, rel, NULL);
      g_autoptr(GChecksum) one = g_checksum_new (G_CHECKSUM_SHA256);

      ok = zip_add_file (a, rel, path, COURSE_MTIME, TRUE, one, NULL, cancellable, error);
      if (ok)
        {
          g_checksum_update (digest, (const guchar *) rel, -1);
          g_checksum_update (digest, (const guchar *) "\t", 1);
          g_checksum_update (digest, (const guchar *) g_checksum_get_string (one), -1);
          g_checksum_update (digest, (const guchar *) "\n", 1);
        }
    }
  if (archive_write_close (a) != ARCHIVE_OK && ok)
    {
      g_set_error (error, SY_BUNDLE_ERROR, SY_BUNDLE_ERROR_IO,
                   _("Could not write %s: %s"), zip_path, archive_error_string (a));
      ok = FALSE;
    }
  archive_write_free (a);
  if (ok)
    *sha256 = g_strdup (g_checksum_get_string (digest));
  return ok;
}

/* ---- export ---- */

typedef struct
{
  char        *work;
  char        *since;         /* UTC ISO 8601, or NULL */
  gboolean     all;
  char       **course_ids;    /* or NULL */
  gboolean     all_courses;
  guint        n_statements;
  guint        n_learners;
  GPtrArray   *courses;       /* BundleCourse */
} Snapshot;

static void
snapshot_free (Snapshot *snap)
{
  if (snap->work)
    sy_rm_rf (snap->work, NULL);
  g_free (snap->work);
  g_free (snap->since);
  g_strfreev (snap->course_ids);
  g_ptr_array_unref (snap->courses);
  g_free (snap);
}

static void
bind_filter (sqlite3_stmt *stmt,
             Snapshot     *snap)
{
  sqlite3_bind_int (stmt, 1, snap->all);
  if (snap->since)
    sqlite3_bind_text (stmt, 2, snap->since, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, 2);
}

static gboolean
snapshot_statements (SyStore       *self,
                     sqlite3       *db,
                     Snapshot      *snap,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autofree char *path = g_build_filename (snap->work, STATEMENTS_NAME, NULL);
  sqlite3_stmt *stmt;
  FILE *out;
  int rc;

  if (sqlite3_prepare_v2 (db, "SELECT json FROM statements WHERE " EXPORT_FILTER
                              " ORDER BY rowid", -1, &stmt, NULL) != SQLITE_OK)
    return _sy_store_db_error (db, error);
  bind_filter (stmt, snap);
  if (!(out = g_fopen (path, "we")))
    {
      sqlite3_finalize (stmt);
      return io_error (error, path, errno);
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *json = (const char *) sqlite3_column_text (stmt, 0);

      fputs (json, out);
      fputc ('\n', out);
      snap->n_statements++;
      if (snap->n_statements % 1000 == 0 && g_cancellable_is_cancelled (cancellable))
        break;
    }
  sqlite3_finalize (stmt);
  if (ferror (out))
    {
      int errsv = errno;
      fclose (out);
      return io_error (error, path, errsv);
    }
  if (fclose (out) != 0)
    return io_error (error, path, errno);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (rc != SQLITE_DONE)
    return _sy_store_db_error (db, error);
  return TRUE;
}

static void
add_nullable (json_object  *obj,
              const char   *key,
              sqlite3_stmt *stmt,
              int           column)
{
  json_object_object_add (obj, key, sqlite3_column_type (stmt, column) == SQLITE_NULL ? NULL :
                          json_object_new_string ((const char *) sqlite3_column_text (stmt, column)));
}

static gboolean
snapshot_learners (sqlite3   *db,
                   Snapshot  *snap,
                   GError   **error)
{
  g_autofree char *path = g_build_filename (snap->work, LEARNERS_NAME, NULL);
  json_object *list = json_object_new_array ();
  sqlite3_stmt *stmt;
  gboolean ok;
  int rc;

  if (sqlite3_prepare_v2 (db, "SELECT uuid, name, role, pin_hash, external_id, avatar, created "
                              "FROM learners WHERE hub_registered = 0 OR uuid IN "
                              " (SELECT learner_uuid FROM statements WHERE " EXPORT_FILTER ") "
                              "ORDER BY created, uuid", -1, &stmt, NULL) != SQLITE_OK)
    {
      json_object_put (list);
      return _sy_store_db_error (db, error);
    }
  bind_filter (stmt, snap);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      json_object *learner = json_object_new_object ();

      add_nullable (learner, "uuid", stmt, 0);
      add_nullable (learner, "name", stmt, 1);
      add_nullable (learner, "role", stmt, 2);
      add_nullable (learner, "pin_hash", stmt, 3);
      add_nullable (learner, "external_id", stmt, 4);
      add_nullable (learner, "avatar", stmt, 5);
      add_nullable (learner, "created", stmt, 6);
      json_object_array_add (list, learner);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      json_object_put (list);
      return _sy_store_db_error (db, error);
    }
  snap->n_learners = json_object_array_length (list);
  ok = json_object_to_file_ext (path, list, JSON_C_TO_STRING_PRETTY |
                                            JSON_C_TO_STRING_NOSLASHESCAPE) == 0;
  json_object_put (list);
  if (!ok)
    {
      g_set_error (error, SY_BUNDLE_ERROR, SY_BUNDLE_ERROR_IO,
                   _("Could not write %s: %s"), path, json_util_get_last_err ());
      return FALSE;
    }
  return TRUE;
}

static gboolean
snapshot_course (SyStore       *self,
                 Snapshot      *snap,
                 sqlite3_stmt  *row,
                 GCancellable  *cancellable,
                 GError       **error)
{
  BundleCourse *course = g_new0 (BundleCourse, 1);
  g_autofree char *content = NULL;
  const char *stored_sha = (const char *) sqlite3_column_text (row, 2);

  course->id = g_strdup ((const char *) sqlite3_column_text (row, 0));
  course->version = sqlite3_column_int64 (row, 1);
  course->file = course_file_name (course->id, course->version);
  course->path = g_build_filename (snap->work, course->file, NULL);
  g_ptr_array_add (snap->courses, course);

  content = _sy_store_content_path (self, (const char *) sqlite3_column_text (row, 3));
  if (!zip_course (content, course->path, &course->sha256, cancellable, error))
    return FALSE;
  if (g_strcmp0 (course->sha256, stored_sha) != 0)
    g_warning ("The files of course %s changed since it was installed; the bundle carries "
               "them as they are now", course->id);
  return TRUE;
}

static gboolean
snapshot_courses (SyStore       *self,
                  sqlite3       *db,
                  Snapshot      *snap,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autofree char *dir = g_build_filename (snap->work, COURSES_DIR, NULL);
  sqlite3_stmt *stmt;
  gboolean ok = TRUE;
  int rc;

  if (!snap->all_courses && (snap->course_ids == NULL || snap->course_ids[0] == NULL))
    return TRUE;
  if (g_mkdir (dir, 0700) != 0)
    return io_error (error, dir, errno);

  if (sqlite3_prepare_v2 (db, "SELECT id, version, sha256, content_dir FROM courses "
                              "WHERE ?1 OR id = ?2 ORDER BY id", -1, &stmt, NULL) != SQLITE_OK)
    return _sy_store_db_error (db, error);

  if (snap->all_courses)
    {
      sqlite3_bind_int (stmt, 1, 1);
      while (ok && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
        ok = snapshot_course (self, snap, stmt, cancellable, error);
      if (ok && rc != SQLITE_DONE)
        ok = _sy_store_db_error (db, error);
    }
  else
    for (guint i = 0; ok && snap->course_ids[i]; i++)
      {
        sqlite3_reset (stmt);
        sqlite3_bind_int (stmt, 1, 0);
        sqlite3_bind_text (stmt, 2, snap->course_ids[i], -1, SQLITE_STATIC);
        rc = sqlite3_step (stmt);
        if (rc == SQLITE_ROW)
          ok = snapshot_course (self, snap, stmt, cancellable, error);
        else if (rc == SQLITE_DONE)
          {
            g_set_error (error, SY_BUNDLE_ERROR, SY_BUNDLE_ERROR_INVALID,
                         _("There is no course “%s” on this PC to put in the bundle."),
                         snap->course_ids[i]);
            ok = FALSE;
          }
        else
          ok = _sy_store_db_error (db, error);
      }
  sqlite3_finalize (stmt);
  return ok;
}

/* On the store's thread: everything the bundle holds, read in one transaction. */
static gpointer
do_snapshot (SyStore       *self,
             sqlite3       *db,
             gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  Snapshot *snap = data;

  REQUIRE_OPEN (db, error);
  if (!_sy_store_exec (db, "BEGIN", error))
    return NULL;
  if (!snapshot_statements (self, db, snap, cancellable, error) ||
      !snapshot_learners (db, snap, error) ||
      !snapshot_courses (self, db, snap, cancellable, error))
    {
      _sy_store_exec (db, "ROLLBACK", NULL);
      return NULL;
    }
  if (!_sy_store_exec (db, "COMMIT", error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

static gboolean
add_listed_file (struct archive  *a,
                 json_object     *files,
                 const char      *name,
                 const char      *path,
                 time_t           mtime,
                 gboolean         compress,
                 GCancellable    *cancellable,
                 GError         **error)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  json_object *file;
  goffset size = 0;

  if (!zip_add_file (a, name, path, mtime, compress, checksum, &size, cancellable, error))
    return FALSE;
  file = json_object_new_object ();
  json_object_object_add (file, "path", json_object_new_string (name));
  json_object_object_add (file, "size", json_object_new_int64 (size));
  json_object_object_add (file, "sha256", json_object_new_string (g_checksum_get_string (checksum)));
  json_object_array_add (files, file);
  return TRUE;
}

static gboolean
sync_parent_dir (const char *path)
{
  g_autofree char *parent = g_path_get_dirname (path);
  int fd = open (parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    return FALSE;
  fsync (fd);
  close (fd);
  return TRUE;
}

/* Writes the bundle from the snapshot: PATH.part, fsync, rename. */
static gboolean
write_bundle (const char    *path,
              Snapshot      *snap,
              const char    *device_id,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autofree char *part = g_strconcat (path, ".part", NULL);
  g_autofree char *statements = g_build_filename (snap->work, STATEMENTS_NAME, NULL);
  g_autofree char *learners = g_build_filename (snap->work, LEARNERS_NAME, NULL);
  g_autofree char *now = _sy_store_now ();
  json_object *manifest = json_object_new_object ();
  json_object *files = json_object_new_array ();
  json_object *courses = json_object_new_array ();
  time_t mtime = time (NULL);
  struct archive *a = NULL;
  gboolean ok = FALSE;
  int fd;

  fd = open (part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      io_error (error, part, errno);
      goto out;
    }
  a = zip_writer_new ();
  if (archive_write_open_fd (a, fd) != ARCHIVE_OK)
    {
      g_set_error (error, SY_BUNDLE_ERROR, SY_BUNDLE_ERROR_IO,
                   _("Could not write %s: %s"), part, archive_error_string (a));
      goto out;
    }

  if (!add_listed_file (a, files, STATEMENTS_NAME, statements, mtime, TRUE, cancellable, error) ||
      !add_listed_file (a, files, LEARNERS_NAME, learners, mtime, TRUE, cancellable, error))
    goto out;
  for (guint i = 0; i < snap->courses->len; i++)
    {
      BundleCourse *course = g_ptr_array_index (snap->courses, i);
      json_object *entry = json_object_new_object ();

      /* already compressed */
      if (!add_listed_file (a, files, course->file, course->path, mtime, FALSE, cancellable,
                            error))
        {
          json_object_put (entry);
          goto out;
        }
      json_object_object_add (entry, "id", json_object_new_string (course->id));
      json_object_object_add (entry, "version", json_object_new_int64 (course->version));
      json_object_object_add (entry, "sha256", json_object_new_string (course->sha256));
      json_object_array_add (courses, entry);
    }

  json_object_object_add (manifest, "format", json_object_new_int (SY_BUNDLE_FORMAT));
  json_object_object_add (manifest, "created", json_object_new_string (now));
  json_object_object_add (manifest, "device", json_object_new_string (device_id));
  json_object_object_add (manifest, "statements", json_object_new_int64 (snap->n_statements));
  json_object_object_add (manifest, "learners", json_object_new_int64 (snap->n_learners));
  json_object_object_add (manifest, "courses", json_object_get (courses));
  json_object_object_add (manifest, "files", json_object_get (files));
  {
    const char *text = json_object_to_json_string_ext (manifest, JSON_C_TO_STRING_PRETTY |
                                                                  JSON_C_TO_STRING_NOSLASHESCAPE);
    if (!zip_add_bytes (a, MANIFEST_NAME, text, strlen (text), mtime, error))
      goto out;
  }

  if (archive_write_close (a) != ARCHIVE_OK)
    {
      g_set_error (error, SY_BUNDLE_ERROR, SY_BUNDLE_ERROR_IO,
                   _("Could not write %s: %s"), part, archive_error_string (a));
      goto out;
    }
  /* whole on the stick before it has its name */
  if (fsync (fd) != 0)
    {
      io_error (error, part, errno);
      goto out;
    }
  if (close (fd) != 0)
    {
      fd = -1;
      io_error (error, part, errno);
      goto out;
    }
  fd = -1;
  if (g_rename (part, path) != 0)
    {
      io_error (error, path, errno);
      goto out;
    }
  sync_parent_dir (path);
  ok = TRUE;

out:
  if (a != NULL)
    archive_write_free (a);
  if (fd >= 0)
    close (fd);
  if (!ok)
    g_unlink (part);
  json_object_put (manifest);
  json_object_put (files);
  json_object_put (courses);
  return ok;
}

/* A time a user typed, as UTC ISO 8601; a date alone is its local midnight. */
static char *
normalize_since (const char  *since,
                 GError     **error)
{
  g_autoptr(GTimeZone) local = g_time_zone_new_local ();
  g_autoptr(GDateTime) when = g_date_time_new_from_iso8601 (since, local);
  g_autoptr(GDateTime) utc = NULL;

  if (when == NULL)
    {
      g_autofree char *midnight = g_strconcat (since, "T00:00:00", NULL);
      when = g_date_time_new_from_iso8601 (midnight, local);
    }
  if (when == NULL)
    {
      g_set_error (error, SY_BUNDLE_ERROR, SY_BUNDLE_ERROR_INVALID,
                   _("“%s” is not a date or time. Give one such as 2026-11-01 or "
                     "2026-11-01T08:00:00+08:00."), since);
      return NULL;
    }
  utc = g_date_time_to_utc (when);
  return g_date_time_format_iso8601 (utc);
}

/**
 * sy_store_export_bundle:
 * @path: the bundle to write (FILE.sybundle); replaced if it exists
 * @opts: (nullable): what to write; %NULL: the statements not yet on the hub
 * @out: (out caller-allocates) (optional): what was written
 *
 * Writes the statements not yet on the hub (and the learners they belong to, and those
 * not yet registered with it), optionally with course packages, into one file. The file
 * is written whole or not at all.
 */
gboolean
sy_store_export_bundle (SyStore                *self,
                        const char             *path,
                        const SyBundleOptions  *opts,
                        SyBundleSummary        *out,
                        GCancellable           *cancellable,
                        GError                **error)
{
  static const SyBundleOptions none = { 0 };
  Snapshot *snap;
  const char *device_id;
  gboolean ok = FALSE;

  g_return_val_if_fail (SY_IS_STORE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (out)
    memset (out, 0, sizeof *out);
  if (opts == NULL)
    opts = &none;
  if (!(device_id = sy_store_get_device_id (self)))
    {
      g_set_error_literal (error, SY_STORE_ERROR, SY_STORE_ERROR_OPEN,
                           _("The store is not open."));
      return FALSE;
    }

  snap = g_new0 (Snapshot, 1);
  snap->courses = g_ptr_array_new_with_free_func ((GDestroyNotify) bundle_course_free);
  snap->all = opts->all;
  snap->all_courses = opts->all_courses;
  if (opts->since != NULL && !(snap->since = normalize_since (opts->since, error)))
    goto out;
  if (opts->course_ids != NULL)
    {
      g_autoptr(GStrvBuilder) ids = g_strv_builder_new ();
      g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

      for (guint i = 0; opts->course_ids[i]; i++)
        {
          if (!sy_id_is_valid (opts->course_ids[i]))
            {
              g_set_error (error, SY_BUNDLE_ERROR, SY_BUNDLE_ERROR_INVALID,
                           _("There is no course “%s” on this PC to put in the bundle."),
                           opts->course_ids[i]);
              goto out;
            }
          if (g_hash_table_add (seen, (gpointer) opts->course_ids[i]))
            g_strv_builder_add (ids, opts->course_ids[i]);
        }
      snap->course_ids = g_strv_builder_end (ids);
    }
  if (!(snap->work = make_work_dir (self, error)))
    goto out;

  /* the job owns snap until it is done; the counts are read after */
  if (_sy_store_run (self, do_snapshot, snap, NULL, NULL, cancellable, error) == NULL ||
      !write_bundle (path, snap, device_id, cancellable, error))
    goto out;

  if (out)
    {
      out->statements = snap->n_statements;
      out->learners = snap->n_learners;
      out->courses = snap->courses->len;
    }
  g_debug ("Wrote bundle %s: %u statements, %u learners, %u courses", path,
           snap->n_statements, snap->n_learners, snap->courses->len);
  ok = TRUE;

out:
  snapshot_free (snap);
  return ok;
}

/* ---- import: checking ---- */

typedef struct
{
  char    *path;
  gint64   size;
  char    *sha256;
} ListedFile;

static void
listed_file_free (ListedFile *file)
{
  g_free (file->path);
  g_free (file->sha256);
  g_free (file);
}

typedef struct
{
  char        *work;
  gint64       n_statements;
  gint64       n_learners;
  GHashTable  *files;          /* path → ListedFile */
  GPtrArray   *courses;        /* BundleCourse */
  json_object *learners;       /* learners.json, checked */
  char        *statements;     /* statements.jsonl in the work folder */
} Bundle;

static void
bundle_free (Bundle *bundle)
{
  if (bundle->work)
    sy_rm_rf (bundle->work, NULL);
  g_free (bundle->work);
  g_clear_pointer (&bundle->files, g_hash_table_unref);
  g_clear_pointer (&bundle->courses, g_ptr_array_unref);
  json_object_put (bundle->learners);
  g_free (bundle->statements);
  g_free (bundle);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Bundle, bundle_free)

static struct archive *
open_zip (const char  *path,
          GError     **error)
{
  struct archive *a = archive_read_new ();

  /* the central directory, which a cut-off copy has lost */
  archive_read_support_format_zip_seekable (a);
  if (archive_read_open_filename (a, path, BLOCK) != ARCHIVE_OK)
    {
      damaged (error, _("the file is cut short or is not a zip file (%s). Copy it again."),
               archive_error_string (a));
      archive_read_free (a);
      return NULL;
    }
  return a;
}

/* A zip ends with its end-of-central-directory record (22 bytes and a comment): a copy cut
 * short has lost it, and then libarchive may still find an earlier record and read a part
 * of the zip as if it were all of it. */
static gboolean
check_zip_end (const char  *path,
               GError     **error)
{
  g_autofree guint8 *tail = NULL;
  GStatBuf st;
  gsize n;
  int fd;

  if ((fd = open (path, O_RDONLY | O_CLOEXEC)) < 0 || fstat (fd, &st) != 0)
    {
      int errsv = errno;
      if (fd >= 0)
        close (fd);
      g_set_error (error, SY_BUNDLE_ERROR, SY_BUNDLE_ERROR_IO,
                   _("Could not read %s: %s"), path, g_strerror (errsv));
      return FALSE;
    }
  n = MIN ((goffset) st.st_size, 22 + 65535);
  tail = g_malloc (MAX (n, 1));
  if (n < 22 || pread (fd, tail, n, st.st_size - n) != (gssize) n)
    {
      close (fd);
      return damaged (error, _("the file is cut short or is not a zip file. Copy it again."));
    }
  close (fd);
  for (gssize i = n - 22; i >= 0; i--)
    if (memcmp (tail + i, "PK\x05\x06", 4) == 0 &&
        (gsize) i + 22 + (tail[i + 20] | tail[i + 21] << 8) == n)
      return TRUE;
  return damaged (error, _("the file is cut short or is not a zip file. Copy it again."));
}

static const char *
entry_name (struct archive_entry *entry)
{
  const char *name = archive_entry_pathname_utf8 (entry);

  if (name == NULL)
    name = archive_entry_pathname (entry);
  return name != NULL && g_utf8_validate (name, -1, NULL) ? name : NULL;
}

/* Pass 1: the names (each once, regular files) and the manifest's bytes. */
static GBytes *
read_directory (const char  *path,
                GPtrArray   *names,
                GError     **error)
{
  struct archive *a;
  struct archive_entry *entry;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GByteArray) manifest = NULL;
  int r;

  if (!check_zip_end (path, error) || !(a = open_zip (path, error)))
    return NULL;
  while ((r = archive_read_next_header (a, &entry)) == ARCHIVE_OK)
    {
      const char *name = entry_name (entry);

      if (name == NULL)
        {
          damaged (error, _("a file name in it cannot be read."));
          goto fail;
        }
      if (!g_hash_table_add (seen, g_strdup (name)))
        {
          damaged (error, _("it holds %s twice."), name);
          goto fail;
        }
      if (archive_entry_filetype (entry) != AE_IFREG)
        {
          damaged (error, _("%s is not a file."), name);
          goto fail;
        }
      g_ptr_array_add (names, g_strdup (name));

      if (g_str_equal (name, MANIFEST_NAME))
        {
          guint8 buffer[8192];
          la_ssize_t n;

          manifest = g_byte_array_new ();
          while ((n = archive_read_data (a, buffer, sizeof buffer)) > 0)
            {
              g_byte_array_append (manifest, buffer, n);
              if (manifest->len > MAX_MANIFEST_SIZE)
                {
                  damaged (error, _("manifest.json is too large."));
                  goto fail;
                }
            }
          if (n < 0)
            {
              damaged (error, _("%s cannot be read (%s)."), name, archive_error_string (a));
              goto fail;
            }
        }
    }
  if (r != ARCHIVE_EOF)
    {
      damaged (error, _("the file is cut short or is not a zip file (%s). Copy it again."),
               archive_error_string (a));
      goto fail;
    }
  archive_read_free (a);
  if (manifest == NULL)
    {
      g_set_error_literal (error, SY_BUNDLE_ERROR, SY_BUNDLE_ERROR_FORMAT,
                           _("This is not a Shuyuan bundle: it has no manifest.json. "
                             "Nothing was imported."));
      return NULL;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&manifest));

fail:
  archive_read_free (a);
  return NULL;
}

static gboolean
manifest_field_error (GError     **error,
                      const char  *field)
{
  return damaged (error, _("in manifest.json, “%s” is missing or wrong."), field);
}

static gboolean
parse_manifest (Bundle   *bundle,
                GBytes   *bytes,
                GError  **error)
{
  gsize len;
  const char *text = g_bytes_get_data (bytes, &len);
  json_tokener *tok = json_tokener_new ();
  json_object *manifest, *files = NULL, *courses = NULL;
  gint64 format;
  gboolean ok = FALSE;
  gboolean parsed;

  manifest = len > 0 && g_utf8_validate (text, len, NULL) ? json_tokener_parse_ex (tok, text, len) : NULL;
  parsed = manifest != NULL && json_tokener_get_error (tok) == json_tokener_success;
  for (gsize i = parsed ? json_tokener_get_parse_end (tok) : len; i < len; i++)
    parsed &= g_ascii_isspace (text[i]);
  json_tokener_free (tok);
  if (!parsed || !json_object_is_type (manifest, json_type_object))
    {
      json_object_put (manifest);
      return damaged (error, _("manifest.json is not a JSON object."));
    }

  if (!member_int (manifest, "format", 1, &format))
    {
      manifest_field_error (error, "format");
      goto out;
    }
  if (format > SY_BUNDLE_FORMAT)
    {
      g_set_error (error, SY_BUNDLE_ERROR, SY_BUNDLE_ERROR_FORMAT,
                   _("The bundle was written by a newer version of Shuyuan (bundle format "
                     "%lld; this one reads format %d). Install the newer Shuyuan and import "
                     "it again. Nothing was imported."), (long long) format, SY_BUNDLE_FORMAT);
      goto out;
    }
  if (_sy_json_member_string (manifest, "created") == NULL)
    {
      manifest_field_error (error, "created");
      goto out;
    }
  if (_sy_json_member_string (manifest, "device") == NULL)
    {
      manifest_field_error (error, "device");
      goto out;
    }
  if (!member_int (manifest, "statements", 0, &bundle->n_statements))
    {
      manifest_field_error (error, "statements");
      goto out;
    }
  if (!member_int (manifest, "learners", 0, &bundle->n_learners))
    {
      manifest_field_error (error, "learners");
      goto out;
    }

  if (!json_object_object_get_ex (manifest, "files", &files) ||
      !json_object_is_type (files, json_type_array))
    {
      manifest_field_error (error, "files");
      goto out;
    }
  for (size_t i = 0; i < json_object_array_length (files); i++)
    {
      json_object *file = json_object_array_get_idx (files, i);
      const char *path = _sy_json_member_string (file, "path");
      const char *sha256 = _sy_json_member_string (file, "sha256");
      gint64 size;
      ListedFile *listed;

      if (path == NULL || !is_sha256 (sha256) || !member_int (file, "size", 0, &size))
        {
          manifest_field_error (error, "files");
          goto out;
        }
      if (g_hash_table_contains (bundle->files, path))
        {
          damaged (error, _("manifest.json lists %s twice."), path);
          goto out;
        }
      listed = g_new0 (ListedFile, 1);
      listed->path = g_strdup (path);
      listed->size = size;
      listed->sha256 = g_strdup (sha256);
      g_hash_table_insert (bundle->files, listed->path, listed);
    }

  if (!json_object_object_get_ex (manifest, "courses", &courses) ||
      !json_object_is_type (courses, json_type_array))
    {
      manifest_field_error (error, "courses");
      goto out;
    }
  for (size_t i = 0; i < json_object_array_length (courses); i++)
    {
      json_object *entry = json_object_array_get_idx (courses, i);
      const char *id = _sy_json_member_string (entry, "id");
      const char *sha256 = _sy_json_member_string (entry, "sha256");
      BundleCourse *course;
      gint64 version;

      if (!sy_id_is_valid (id) || !is_sha256 (sha256) || !member_int (entry, "version", 1, &version))
        {
          manifest_field_error (error, "courses");
          goto out;
        }
      for (guint j = 0; j < bundle->courses->len; j++)
        if (g_str_equal (((BundleCourse *) bundle->courses->pdata[j])->id, id))
          {
            damaged (error, _("manifest.json lists the course %s twice."), id);
            goto out;
          }
      course = g_new0 (BundleCourse, 1);
      course->id = g_strdup (id);
      course->version = version;
      course->sha256 = g_strdup (sha256);
      course->file = course_file_name (id, version);
      course->path = g_build_filename (bundle->work, course->file, NULL);
      g_ptr_array_add (bundle->courses, course);
      if (!g_hash_table_contains (bundle->files, course->file))
        {
          damaged (error, _("%s is missing."), course->file);
          goto out;
        }
    }

  /* what each listed file may be, and its bounds */
  {
    GHashTableIter iter;
    ListedFile *listed;

    g_hash_table_iter_init (&iter, bundle->files);
    while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &listed))
      {
        goffset max;

        if (g_str_equal (listed->path, STATEMENTS_NAME))
          max = MAX_STATEMENTS_SIZE;
        else if (g_str_equal (listed->path, LEARNERS_NAME))
          max = MAX_LEARNERS_SIZE;
        else
          {
            gboolean course_file = FALSE;

            for (guint i = 0; i < bundle->courses->len; i++)
              course_file |= g_str_equal (((BundleCourse *) bundle->courses->pdata[i])->file,
                                          listed->path);
            if (!course_file)
              {
                damaged (error, _("manifest.json lists %s, which is no part of a bundle."),
                         listed->path);
                goto out;
              }
            max = sy_package_default_limits ()->max_total_size;
          }
        if (listed->size > max)
          {
            damaged (error, _("%s is larger than a bundle may hold."), listed->path);
            goto out;
          }
      }
  }
  if (!g_hash_table_contains (bundle->files, STATEMENTS_NAME))
    {
      damaged (error, _("%s is missing."), STATEMENTS_NAME);
      goto out;
    }
  if (!g_hash_table_contains (bundle->files, LEARNERS_NAME))
    {
      damaged (error, _("%s is missing."), LEARNERS_NAME);
      goto out;
    }
  ok = TRUE;

out:
  json_object_put (manifest);
  return ok;
}

/* Pass 2: every listed file into the work folder, its size and sha256 checked. */
static gboolean
extract_files (Bundle        *bundle,
               const char    *path,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autofree char *courses_dir = g_build_filename (bundle->work, COURSES_DIR, NULL);
  g_autofree guint8 *buffer = g_malloc (BLOCK);
  struct archive *a;
  struct archive_entry *entry;
  gboolean ok = FALSE;
  int r;

  if (bundle->courses->len > 0 && g_mkdir (courses_dir, 0700) != 0)
    return io_error (error, courses_dir, errno);
  if (!(a = open_zip (path, error)))
    return FALSE;

  while ((r = archive_read_next_header (a, &entry)) == ARCHIVE_OK)
    {
      const char *name = entry_name (entry);
      ListedFile *listed;
      g_autoptr(GChecksum) checksum = NULL;
      g_autofree char *target = NULL;
      gint64 written = 0;
      la_ssize_t n;
      int fd;

      if (name == NULL)
        {
          damaged (error, _("a file name in it cannot be read."));
          goto out;
        }
      if (g_str_equal (name, MANIFEST_NAME))
        continue;
      if (!(listed = g_hash_table_lookup (bundle->files, name)))
        {
          damaged (error, _("it holds %s, which its manifest does not list."), name);
          goto out;
        }

      checksum = g_checksum_new (G_CHECKSUM_SHA256);
      target = g_build_filename (bundle->work, listed->path, NULL);
      fd = open (target, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (fd < 0)
        {
          io_error (error, target, errno);
          goto out;
        }
      while ((n = archive_read_data (a, buffer, BLOCK)) > 0)
        {
          written += n;
          if (written > listed->size)
            break;
          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            {
              close (fd);
              goto out;
            }
          g_checksum_update (checksum, buffer, n);
          for (la_ssize_t off = 0; off < n;)
            {
              gssize w = write (fd, buffer + off, n - off);

              if (w < 0 && errno == EINTR)
                continue;
              if (w < 0)
                {
                  int errsv = errno;
                  close (fd);
                  io_error (error, target, errsv);
                  goto out;
                }
              off += w;
            }
        }
      if (close (fd) != 0)
        {
          io_error (error, target, errno);
          goto out;
        }
      if (n < 0)
        {
          damaged (error, _("%s cannot be read (%s)."), name, archive_error_string (a));
          goto out;
        }
      if (written != listed->size)
        {
          damaged (error, _("%s does not have the size its manifest says."), name);
          goto out;
        }
      if (!g_str_equal (g_checksum_get_string (checksum), listed->sha256))
        {
          damaged (error, _("%s does not match its checksum."), name);
          goto out;
        }
    }
  if (r != ARCHIVE_EOF)
    {
      damaged (error, _("the file is cut short or is not a zip file (%s). Copy it again."),
               archive_error_string (a));
      goto out;
    }
  ok = TRUE;

out:
  archive_read_free (a);
  return ok;
}

/* Reads one line of at most MAX_STATEMENT_LINE bytes; NULL at the end or on error. */
static char *
read_line (FILE      *in,
           gboolean  *too_long)
{
  g_autoptr(GString) line = g_string_new (NULL);
  int c;

  *too_long = FALSE;
  while ((c = getc (in)) != EOF && c != '\n')
    {
      if (line->len >= MAX_STATEMENT_LINE)
        {
          *too_long = TRUE;
          return NULL;
        }
      g_string_append_c (line, c);
    }
  if (c == EOF && line->len == 0)
    return NULL;
  return g_string_free (g_steal_pointer (&line), FALSE);
}

/* Parses and checks one statement line. */
static json_object *
parse_statement (const char  *line,
                 guint        line_no,
                 GError     **error)
{
  g_autoptr(SyStatementInfo) info = NULL;
  g_autoptr(GError) local = NULL;
  json_object *statement;

  if (!g_utf8_validate (line, -1, NULL) || !(statement = json_tokener_parse (line)) ||
      !json_object_is_type (statement, json_type_object))
    {
      invalid (error, _("statements.jsonl line %u is not a JSON statement."), line_no);
      return NULL;
    }
  if (!(info = sy_statement_info_new (statement, &local)) ||
      !sy_xapi_validate_statement (statement, SY_XAPI_REQUIRE_ID | SY_XAPI_ALLOW_LRS_PROPERTIES,
                                   &local))
    {
      invalid (error, _("statements.jsonl line %u: %s"), line_no, local->message);
      json_object_put (statement);
      return NULL;
    }
  return statement;
}

/* Calls @func on each statement of @path (blank lines skipped); stops at the first error. */
static gboolean
each_statement (const char    *path,
                gboolean     (*func) (json_object *statement, gpointer data, GError **error),
                gpointer       data,
                guint         *n_statements,
                GCancellable  *cancellable,
                GError       **error)
{
  FILE *in = g_fopen (path, "re");
  guint line_no = 0, n = 0;
  gboolean ok = TRUE;

  if (in == NULL)
    {
      int errsv = errno;
      g_set_error (error, SY_BUNDLE_ERROR, SY_BUNDLE_ERROR_IO,
                   _("Could not read %s: %s"), path, g_strerror (errsv));
      return FALSE;
    }
  for (;;)
    {
      g_autofree char *line = NULL;
      gboolean too_long;
      json_object *statement;

      line = read_line (in, &too_long);
      if (too_long)
        {
          ok = invalid (error, _("statements.jsonl line %u is too long for a statement."),
                        line_no + 1);
          break;
        }
      if (line == NULL)
        break;
      line_no++;
      g_strstrip (line);
      if (line[0] == '\0')
        continue;
      if (line_no % 1000 == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          ok = FALSE;
          break;
        }
      if (!(statement = parse_statement (line, line_no, error)))
        {
          ok = FALSE;
          break;
        }
      n++;
      ok = func == NULL || func (statement, data, error);
      json_object_put (statement);
      if (!ok)
        break;
    }
  if (ok && ferror (in))
    {
      g_set_error (error, SY_BUNDLE_ERROR, SY_BUNDLE_ERROR_IO,
                   _("Could not read %s: %s"), path, g_strerror (EIO));
      ok = FALSE;
    }
  fclose (in);
  if (n_statements)
    *n_statements = n;
  return ok;
}

static gboolean
check_learners (Bundle   *bundle,
                GError  **error)
{
  g_autofree char *path = g_build_filename (bundle->work, LEARNERS_NAME, NULL);
  g_autofree char *text = NULL;
  g_autoptr(GHashTable) seen = NULL;
  gsize len;
  size_t n;

  if (!g_file_get_contents (path, &text, &len, NULL) || !g_utf8_validate (text, len, NULL) ||
      !(bundle->learners = json_tokener_parse (text)) ||
      !json_object_is_type (bundle->learners, json_type_array))
    return invalid (error, _("learners.json is not a JSON list of learners."));

  n = json_object_array_length (bundle->learners);
  if ((gint64) n != bundle->n_learners)
    return damaged (error, _("learners.json holds %u learners but its manifest says %u."),
                    (guint) n, (guint) bundle->n_learners);
  seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (size_t i = 0; i < n; i++)
    {
      json_object *learner = json_object_array_get_idx (bundle->learners, i);
      const char *uuid = _sy_json_member_string (learner, "uuid");
      const char *name = _sy_json_member_string (learner, "name");
      const char *role = _sy_json_member_string (learner, "role");
      const char *pin_hash, *external_id, *avatar, *created;
      SyRole parsed;
      const char *field = NULL;

      if (!json_object_is_type (learner, json_type_object) || uuid == NULL ||
          !g_uuid_string_is_valid (uuid))
        field = "uuid";
      else if (name == NULL || name[0] == '\0' || strlen (name) > MAX_NAME_LENGTH)
        field = "name";
      else if (role == NULL || !sy_role_from_string (role, &parsed))
        field = "role";
      else if (!member_optional_string (learner, "pin_hash", &pin_hash) ||
               (pin_hash && strlen (pin_hash) > MAX_NAME_LENGTH))
        field = "pin_hash";
      else if (!member_optional_string (learner, "external_id", &external_id) ||
               (external_id && strlen (external_id) > MAX_NAME_LENGTH))
        field = "external_id";
      else if (!member_optional_string (learner, "avatar", &avatar) ||
               (avatar && !sy_avatar_is_valid (avatar)))
        field = "avatar";
      else if (!member_optional_string (learner, "created", &created))
        field = "created";
      if (field != NULL)
        return invalid (error, _("learners.json: learner %u: “%s” is missing or wrong."),
                        (guint) i + 1, field);
      if (!g_hash_table_add (seen, (gpointer) uuid))
        return invalid (error, _("learners.json holds the learner %s twice."), uuid);
    }
  return TRUE;
}

static gboolean
check_course (SyStore       *self,
              Bundle        *bundle,
              BundleCourse  *course,
              guint          index,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autofree char *name = g_strdup_printf ("stage-%u", index);
  g_autofree char *staging = g_build_filename (bundle->work, name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (course->path);
  g_autoptr(GError) local = NULL;
  g_autoptr(SyCourse) loaded = NULL;
  g_autofree char *sha256 = NULL;
  g_autofree char *root = NULL;
  gboolean ok = FALSE;

  if (!(root = sy_package_stage (file, staging, _sy_store_get_package_limits (self), &sha256,
                                 cancellable, &local)) ||
      !(loaded = sy_package_load (root, &local)))
    {
      if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local));
      else if (local->domain == SY_PACKAGE_ERROR)
        invalid (error, _("the course %s: %s"), course->file, local->message);
      else
        g_set_error (error, SY_BUNDLE_ERROR, SY_BUNDLE_ERROR_IO, "%s", local->message);
      goto out;
    }
  if (!g_str_equal (sha256, course->sha256) ||
      !g_str_equal (sy_course_get_id (loaded), course->id) ||
      sy_course_get_version (loaded) != course->version)
    {
      damaged (error, _("%s is not the course its manifest describes."), course->file);
      goto out;
    }
  ok = TRUE;

out:
  sy_rm_rf (staging, NULL);
  return ok;
}

/* Everything, before anything is merged. */
static Bundle *
check_bundle (SyStore       *self,
              const char    *path,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(Bundle) bundle = g_new0 (Bundle, 1);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GBytes) manifest = NULL;
  guint n_statements = 0;
  GStatBuf st;

  errno = 0;
  if (g_stat (path, &st) != 0 || !S_ISREG (st.st_mode))
    {
      int errsv = errno ? errno : EISDIR;
      g_set_error (error, SY_BUNDLE_ERROR, SY_BUNDLE_ERROR_IO,
                   _("Could not read %s: %s"), path, g_strerror (errsv));
      return NULL;
    }

  bundle->files = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                         (GDestroyNotify) listed_file_free);
  bundle->courses = g_ptr_array_new_with_free_func ((GDestroyNotify) bundle_course_free);
  if (!(bundle->work = make_work_dir (self, error)))
    return NULL;

  if (!(manifest = read_directory (path, names, error)) ||
      !parse_manifest (bundle, manifest, error))
    return NULL;

  /* the zip and its manifest agree on the names */
  {
    g_autoptr(GHashTable) present = g_hash_table_new (g_str_hash, g_str_equal);
    GHashTableIter iter;
    const char *listed;

    for (guint i = 0; i < names->len; i++)
      {
        const char *name = g_ptr_array_index (names, i);

        if (!g_str_equal (name, MANIFEST_NAME) && !g_hash_table_contains (bundle->files, name))
          return (damaged (error, _("it holds %s, which its manifest does not list."), name),
                  NULL);
        g_hash_table_add (present, (gpointer) name);
      }
    g_hash_table_iter_init (&iter, bundle->files);
    while (g_hash_table_iter_next (&iter, (gpointer *) &listed, NULL))
      if (!g_hash_table_contains (present, listed))
        return (damaged (error, _("%s is missing."), listed), NULL);
  }

  if (!extract_files (bundle, path, cancellable, error))
    return NULL;

  bundle->statements = g_build_filename (bundle->work, STATEMENTS_NAME, NULL);
  if (!each_statement (bundle->statements, NULL, NULL, &n_statements, cancellable, error))
    return NULL;
  if (n_statements != bundle->n_statements)
    return (damaged (error, _("statements.jsonl holds %u statements but its manifest says %u."),
                     n_statements, (guint) bundle->n_statements), NULL);
  if (!check_learners (bundle, error))
    return NULL;
  for (guint i = 0; i < bundle->courses->len; i++)
    if (!check_course (self, bundle, bundle->courses->pdata[i], i, cancellable, error))
      return NULL;

  return g_steal_pointer (&bundle);
}

/* ---- import: merging ---- */

typedef struct
{
  Bundle          *bundle;
  SyBundleSummary *summary;
  sqlite3         *db;
  GHashTable      *touched;
  char            *now;
} Merge;

static gboolean
merge_statement (json_object  *statement,
                 gpointer      data,
                 GError      **error)
{
  Merge *m = data;
  gboolean inserted = FALSE;

  /* synced = 0 (the column's default): this PC's next sync sends it to the hub */
  if (!_sy_store_insert_statement_deferred (m->db, statement, m->now, &inserted, m->touched,
                                            error))
    return FALSE;
  if (inserted)
    m->summary->statements_added++;
  else
    m->summary->statements_known++;
  return TRUE;
}

static void
bind_nullable (sqlite3_stmt *stmt,
               int           index,
               const char   *text)
{
  if (text)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, index);
}

static gboolean
merge_learners (Merge   *m,
                GError **error)
{
  sqlite3_stmt *find = NULL, *insert = NULL;
  gboolean ok = TRUE;

  if (sqlite3_prepare_v2 (m->db, "SELECT name, role, pin_hash, external_id, avatar "
                                 "FROM learners WHERE uuid = ?", -1, &find, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2 (m->db, "INSERT INTO learners (uuid, name, role, pin_hash, "
                                 " external_id, avatar, created, hub_registered) "
                                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0)",
                          -1, &insert, NULL) != SQLITE_OK)
    ok = _sy_store_db_error (m->db, error);

  for (size_t i = 0; ok && i < json_object_array_length (m->bundle->learners); i++)
    {
      json_object *learner = json_object_array_get_idx (m->bundle->learners, i);
      const char *uuid = _sy_json_member_string (learner, "uuid");
      const char *name = _sy_json_member_string (learner, "name");
      const char *role = _sy_json_member_string (learner, "role");
      const char *pin_hash, *external_id, *avatar, *created;
      int rc;

      member_optional_string (learner, "pin_hash", &pin_hash);
      member_optional_string (learner, "external_id", &external_id);
      member_optional_string (learner, "avatar", &avatar);
      member_optional_string (learner, "created", &created);

      sqlite3_reset (find);
      sqlite3_bind_text (find, 1, uuid, -1, SQLITE_STATIC);
      rc = sqlite3_step (find);
      if (rc == SQLITE_ROW)
        {
          /* never changed by a bundle: see the top of this file */
          if (g_strcmp0 ((const char *) sqlite3_column_text (find, 0), name) == 0 &&
              g_strcmp0 ((const char *) sqlite3_column_text (find, 1), role) == 0 &&
              g_strcmp0 ((const char *) sqlite3_column_text (find, 2), pin_hash) == 0 &&
              g_strcmp0 ((const char *) sqlite3_column_text (find, 3), external_id) == 0 &&
              g_strcmp0 ((const char *) sqlite3_column_text (find, 4), avatar) == 0)
            m->summary->learners_known++;
          else
            {
              g_debug ("Learner %s differs in the bundle; this PC's details are kept", uuid);
              m->summary->learners_kept++;
            }
          continue;
        }
      if (rc != SQLITE_DONE)
        {
          ok = _sy_store_db_error (m->db, error);
          break;
        }

      sqlite3_reset (insert);
      sqlite3_bind_text (insert, 1, uuid, -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 2, name, -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 3, role, -1, SQLITE_STATIC);
      bind_nullable (insert, 4, pin_hash);
      bind_nullable (insert, 5, external_id);
      bind_nullable (insert, 6, avatar);
      /* only for ordering lists: a PC's own clock or format may be off */
      bind_nullable (insert, 7, created && sy_xapi_is_timestamp (created) ? created : m->now);
      if (sqlite3_step (insert) != SQLITE_DONE)
        ok = _sy_store_db_error (m->db, error);
      else
        m->summary->learners_added++;
    }
  sqlite3_finalize (find);
  sqlite3_finalize (insert);
  return ok;
}

/* On the store's thread: learners and statements, one transaction. */
static gpointer
do_merge (SyStore       *self,
          sqlite3       *db,
          gpointer       data,
          GCancellable  *cancellable,
          GError       **error)
{
  Merge *m = data;
  g_autoptr(GHashTable) touched = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *now = _sy_store_now ();

  REQUIRE_OPEN (db, error);
  m->db = db;
  m->touched = touched;
  m->now = now;
  if (!_sy_store_exec (db, "BEGIN IMMEDIATE", error))
    return NULL;
  if (!merge_learners (m, error) ||
      !each_statement (m->bundle->statements, merge_statement, m, NULL, cancellable, error) ||
      !_sy_store_refresh_keys (db, touched, error) ||
      !_sy_store_exec (db, "COMMIT", error))
    {
      _sy_store_exec (db, "ROLLBACK", NULL);
      m->summary->learners_added = m->summary->learners_known = m->summary->learners_kept = 0;
      m->summary->statements_added = m->summary->statements_known = 0;
      return NULL;
    }
  return GINT_TO_POINTER (TRUE);
}

static gboolean
merge_courses (SyStore          *self,
               Bundle           *bundle,
               SyBundleSummary  *summary,
               GCancellable     *cancellable,
               GError          **error)
{
  for (guint i = 0; i < bundle->courses->len; i++)
    {
      BundleCourse *course = g_ptr_array_index (bundle->courses, i);
      g_autoptr(SyCourse) installed = NULL;
      g_autoptr(SyCourse) imported = NULL;
      g_autoptr(GError) local = NULL;
      g_autoptr(GFile) file = NULL;
      SyImportOutcome outcome;

      installed = sy_store_get_course (self, course->id, NULL, cancellable, &local);
      if (installed == NULL && !g_error_matches (local, SY_STORE_ERROR, SY_STORE_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      g_clear_error (&local);
      /* a PC never goes back to an older version of a course */
      if (installed != NULL && sy_course_get_version (installed) >= course->version)
        {
          summary->courses_unchanged++;
          continue;
        }

      file = g_file_new_for_path (course->path);
      if (!(imported = sy_store_import (self, file, &outcome, cancellable, &local)))
        {
          g_set_error (error, SY_BUNDLE_ERROR, SY_BUNDLE_ERROR_IO,
                       _("Installing the course %s from the bundle failed: %s The records "
                         "were not imported; import the bundle again."),
                       course->id, local->message);
          return FALSE;
        }
      switch (outcome)
        {
        case SY_IMPORT_INSTALLED:
          summary->courses_installed++;
          break;
        case SY_IMPORT_UPDATED:
          summary->courses_updated++;
          break;
        case SY_IMPORT_UNCHANGED:
        default:
          summary->courses_unchanged++;
          break;
        }
    }
  return TRUE;
}

/**
 * sy_store_import_bundle:
 * @path: a bundle written by sy_store_export_bundle()
 * @out: (out caller-allocates) (optional): what was merged
 *
 * Checks the whole bundle, then merges it: new courses (and newer versions) installed,
 * new learners added, new statements added to this PC's outbox, progress updated.
 * Importing a bundle again adds nothing. A damaged bundle changes nothing.
 */
gboolean
sy_store_import_bundle (SyStore          *self,
                        const char       *path,
                        SyBundleSummary  *out,
                        GCancellable     *cancellable,
                        GError          **error)
{
  g_autoptr(Bundle) bundle = NULL;
  SyBundleSummary summary = { 0 };
  Merge *m;
  gboolean ok;

  g_return_val_if_fail (SY_IS_STORE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (out)
    memset (out, 0, sizeof *out);
  if (sy_store_get_device_id (self) == NULL)
    {
      g_set_error_literal (error, SY_STORE_ERROR, SY_STORE_ERROR_OPEN,
                           _("The store is not open."));
      return FALSE;
    }
  if (!(bundle = check_bundle (self, path, cancellable, error)))
    return FALSE;
  if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
      !merge_courses (self, bundle, &summary, cancellable, error) ||
      g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  m = g_new0 (Merge, 1);
  m->bundle = bundle;
  m->summary = &summary;
  /* the job owns m until it is done */
  ok = _sy_store_run (self, do_merge, m, NULL, NULL, cancellable, error) != NULL;
  g_free (m);
  if (!ok)
    return FALSE;

  g_debug ("Imported bundle %s: %u new statements (%u known), %u new learners", path,
           summary.statements_added, summary.statements_known, summary.learners_added);
  if (out)
    *out = summary;
  return TRUE;
}

/* ---- async ---- */

typedef struct
{
  char            *path;
  char            *since;
  gboolean         all;
  char           **course_ids;
  gboolean         all_courses;
  SyBundleSummary  summary;
} BundleTask;

static void
bundle_task_free (BundleTask *t)
{
  g_free (t->path);
  g_free (t->since);
  g_strfreev (t->course_ids);
  g_free (t);
}

/* A task on @self for the bundle at @path, tagged @tag, its BundleTask in *@t. */
static GTask *
bundle_task_new (SyStore              *self,
                 const char           *path,
                 gpointer              tag,
                 GCancellable         *cancellable,
                 GAsyncReadyCallback   callback,
                 gpointer              user_data,
                 BundleTask          **t)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, tag);
  *t = g_new0 (BundleTask, 1);
  (*t)->path = g_strdup (path);
  g_task_set_task_data (task, *t, (GDestroyNotify) bundle_task_free);
  return task;
}

/* The end of an export or an import: its summary in *@out (zeros if it failed). */
static gboolean
bundle_task_finish (GAsyncResult     *result,
                    SyBundleSummary  *out,
                    GError          **error)
{
  gboolean ok = g_task_propagate_boolean (G_TASK (result), error);

  if (out)
    {
      if (ok)
        *out = ((BundleTask *) g_task_get_task_data (G_TASK (result)))->summary;
      else
        memset (out, 0, sizeof *out);
    }
  return ok;
}

static void
export_thread (GTask        *task,
               gpointer      source,
               gpointer      data,
               GCancellable *cancellable)
{
  BundleTask *t = data;
  SyBundleOptions opts = { t->since, t->all, (const char * const *) t->course_ids,
                           t->all_courses };
  GError *error = NULL;

  if (sy_store_export_bundle (source, t->path, &opts, &t->summary, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * sy_store_export_bundle_async:
 *
 * Like sy_store_export_bundle(), on a thread; @opts is copied.
 */
void
sy_store_export_bundle_async (SyStore                *self,
                              const char             *path,
                              const SyBundleOptions  *opts,
                              GCancellable           *cancellable,
                              GAsyncReadyCallback     callback,
                              gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  BundleTask *t;

  g_return_if_fail (SY_IS_STORE (self));
  g_return_if_fail (path != NULL);

  task = bundle_task_new (self, path, sy_store_export_bundle_async, cancellable, callback,
                          user_data, &t);
  if (opts != NULL)
    {
      t->since = g_strdup (opts->since);
      t->all = opts->all;
      t->course_ids = g_strdupv ((char **) opts->course_ids);
      t->all_courses = opts->all_courses;
    }
  g_task_run_in_thread (task, export_thread);
}

gboolean
sy_store_export_bundle_finish (SyStore          *self,
                               GAsyncResult     *result,
                               SyBundleSummary  *out,
                               GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == sy_store_export_bundle_async,
                        FALSE);
  return bundle_task_finish (result, out, error);
}

static void
import_thread (GTask        *task,
               gpointer      source,
               gpointer      data,
               GCancellable *cancellable)
{
  BundleTask *t = data;
  GError *error = NULL;

  if (sy_store_import_bundle (source, t->path, &t->summary, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
sy_store_import_bundle_async (SyStore             *self,
                              const char          *path,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  BundleTask *t;

  g_return_if_fail (SY_IS_STORE (self));
  g_return_if_fail (path != NULL);

  task = bundle_task_new (self, path, sy_store_import_bundle_async, cancellable, callback,
                          user_data, &t);
  g_task_run_in_thread (task, import_thread);
}

gboolean
sy_store_import_bundle_finish (SyStore          *self,
                               GAsyncResult     *result,
                               SyBundleSummary  *out,
                               GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == sy_store_import_bundle_async,
                        FALSE);
  return bundle_task_finish (result, out, error);
}

/* sy-store-courses.c — installing courses and reading them back
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each installed version of a course lives in its own folder below courses/, named in
 * the courses table. An import stages and checks the package in a hidden folder, renames
 * it to a fresh name, and then one transaction points the course at it: until that
 * commit nothing refers to the new folder, after it nothing refers to the old one. Folders
 * nothing refers to (an import cut off by a power failure) are removed when the store
 * opens. So a failed or interrupted import leaves the store as it was.
 */
#define G_LOG_DOMAIN "ShuyuanCore"
#define _GNU_SOURCE   /* syncfs */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "sy-course-private.h"
#include "sy-i18n.h"
#include "sy-package.h"
#include "sy-store-private.h"
#include "sy-util.h"

void
_sy_import_result_free (SyImportResult *result)
{
  if (result == NULL)
    return;
  g_clear_object (&result->course);
  g_free (result);
}

gboolean
_sy_store_collect_garbage (SyStore  *self,
                           sqlite3  *db,
                           GError  **error)
{
  g_autofree char *content = g_build_filename (sy_store_get_data_dir (self),
                                               SY_STORE_CONTENT_DIR, NULL);
  g_autoptr(GHashTable) used = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GDir) dir = NULL;
  sqlite3_stmt *stmt;
  const char *name;

  if (sqlite3_prepare_v2 (db, "SELECT content_dir FROM courses", -1, &stmt, NULL) != SQLITE_OK)
    return _sy_store_db_error (db, error);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_hash_table_add (used, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);

  if (!(dir = g_dir_open (content, 0, NULL)))
    return TRUE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autoptr(GError) local = NULL;

      if (g_hash_table_contains (used, name))
        continue;
      path = g_build_filename (content, name, NULL);
      g_debug ("Removing unused content %s", path);
      if (!sy_rm_rf (path, &local))
        g_warning ("Could not remove unused course content: %s", local->message);
    }
  return TRUE;
}

/* Makes the staged files durable before the database refers to them. */
static void
sync_filesystem (const char *path)
{
  int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    return;
#ifdef __linux__
  syncfs (fd);
#else
  sync ();
#endif
  close (fd);
}

static SyCourse *
read_course_row (SyStore      *self,
                 sqlite3_stmt *stmt)
{
  SyCourse *course = _sy_course_new ();
  const char *cover = (const char *) sqlite3_column_text (stmt, 9);
  const char *description = (const char *) sqlite3_column_text (stmt, 4);

  course->id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  course->version = sqlite3_column_int64 (stmt, 1);
  course->programme = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  course->title = sy_text_new_from_string ((const char *) sqlite3_column_text (stmt, 3));
  course->description = description ? sy_text_new_from_string (description) : NULL;
  course->languages = g_strsplit ((const char *) sqlite3_column_text (stmt, 5), ",", -1);
  course->class_hours = sqlite3_column_double (stmt, 6);
  course->credits = sqlite3_column_double (stmt, 7);
  course->pass_score = sqlite3_column_double (stmt, 8);
  course->cover = g_strdup (cover);
  course->content_dir = _sy_store_content_path (self, (const char *) sqlite3_column_text (stmt, 10));
  course->sha256 = g_strdup ((const char *) sqlite3_column_text (stmt, 11));
  return course;
}

#define COURSE_COLUMNS \
  "c.id, c.version, c.programme, c.title, c.description, c.languages, c.class_hours, " \
  "c.credits, c.pass_score, c.cover, c.content_dir, c.sha256"

/* Items done: completed or passed, for items of the installed version only. */
#define COURSE_COUNTS \
  "(SELECT count(*) FROM items i WHERE i.course_id = c.id), " \
  "(SELECT count(*) FROM items i JOIN item_progress p ON p.course_id = i.course_id " \
  "   AND p.item_id = i.id AND p.learner_uuid = ?1 " \
  " WHERE i.course_id = c.id AND p.status >= 2)"

static SyCourse *
load_course (SyStore     *self,
             sqlite3     *db,
             const char  *course_id,
             const char  *learner_uuid,
             GError     **error)
{
  g_autoptr(SyCourse) course = NULL;
  g_autoptr(GHashTable) modules = g_hash_table_new (g_str_hash, g_str_equal);
  sqlite3_stmt *stmt;
  int rc;

  if (sqlite3_prepare_v2 (db, "SELECT " COURSE_COLUMNS ", " COURSE_COUNTS
                              " FROM courses c WHERE c.id = ?2", -1, &stmt, NULL) != SQLITE_OK)
    return (_sy_store_db_error (db, error), NULL);
  sqlite3_bind_text (stmt, 1, learner_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, course_id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      course = read_course_row (self, stmt);
      course->n_items = sqlite3_column_int (stmt, 12);
      course->n_done = sqlite3_column_int (stmt, 13);
    }
  sqlite3_finalize (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, SY_STORE_ERROR, SY_STORE_ERROR_NOT_FOUND,
                   _("There is no course “%s” on this PC."), course_id);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    return (_sy_store_db_error (db, error), NULL);

  if (sqlite3_prepare_v2 (db, "SELECT id, title FROM modules WHERE course_id = ? "
                              "ORDER BY position", -1, &stmt, NULL) != SQLITE_OK)
    return (_sy_store_db_error (db, error), NULL);
  sqlite3_bind_text (stmt, 1, course_id, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autoptr(SyText) title = sy_text_new_from_string ((const char *) sqlite3_column_text (stmt, 1));
      SyModule *module = _sy_module_new ((const char *) sqlite3_column_text (stmt, 0), title);

      g_ptr_array_add (course->modules, module);
      g_hash_table_insert (modules, module->id, module);
    }
  sqlite3_finalize (stmt);

  if (sqlite3_prepare_v2 (db, "SELECT i.id, i.module_id, i.type, i.title, i.file, i.minutes, "
                              " i.pass_score, i.max_attempts, i.feedback_at_end, "
                              " coalesce (p.status, 0) "
                              "FROM items i LEFT JOIN item_progress p ON p.course_id = i.course_id"
                              " AND p.item_id = i.id AND p.learner_uuid = ?2 "
                              "WHERE i.course_id = ?1 ORDER BY i.position",
                          -1, &stmt, NULL) != SQLITE_OK)
    return (_sy_store_db_error (db, error), NULL);
  sqlite3_bind_text (stmt, 1, course_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, learner_uuid, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      SyItem *item = _sy_item_new ();
      SyModule *module;

      item->id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      item->module_id = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      sy_item_type_from_string ((const char *) sqlite3_column_text (stmt, 2), &item->type);
      item->title = sy_text_new_from_string ((const char *) sqlite3_column_text (stmt, 3));
      item->file = sy_text_new_from_string ((const char *) sqlite3_column_text (stmt, 4));
      item->minutes = sqlite3_column_double (stmt, 5);
      item->pass_score = sqlite3_column_double (stmt, 6);
      item->max_attempts = sqlite3_column_int (stmt, 7);
      item->feedback_at_end = sqlite3_column_int (stmt, 8);
      item->status = CLAMP (sqlite3_column_int (stmt, 9), SY_STATUS_NOT_STARTED, SY_STATUS_PASSED);

      module = g_hash_table_lookup (modules, item->module_id);
      g_assert (module != NULL);   /* a foreign key */
      g_ptr_array_add (module->items, item);
    }
  sqlite3_finalize (stmt);

  return g_steal_pointer (&course);
}

gpointer
_sy_store_do_get_course (SyStore       *self,
                         sqlite3       *db,
                         gpointer       data,
                         GCancellable  *cancellable,
                         GError       **error)
{
  GetCourse *get = data;

  REQUIRE_OPEN (db, error);
  return load_course (self, db, get->course_id, get->learner_uuid, error);
}

gpointer
_sy_store_do_list_courses (SyStore       *self,
                           sqlite3       *db,
                           gpointer       data,
                           GCancellable  *cancellable,
                           GError       **error)
{
  const char *learner_uuid = data;
  g_autoptr(GPtrArray) courses = g_ptr_array_new_with_free_func (g_object_unref);
  sqlite3_stmt *stmt;
  int rc;

  REQUIRE_OPEN (db, error);

  if (sqlite3_prepare_v2 (db, "SELECT " COURSE_COLUMNS ", " COURSE_COUNTS
                              " FROM courses c ORDER BY c.programme, c.id",
                          -1, &stmt, NULL) != SQLITE_OK)
    return (_sy_store_db_error (db, error), NULL);
  sqlite3_bind_text (stmt, 1, learner_uuid, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SyCourse *course = read_course_row (self, stmt);

      course->n_items = sqlite3_column_int (stmt, 12);
      course->n_done = sqlite3_column_int (stmt, 13);
      g_ptr_array_add (courses, course);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return (_sy_store_db_error (db, error), NULL);
  return g_steal_pointer (&courses);
}

static gboolean
write_course (sqlite3     *db,
              SyCourse    *course,
              const char  *content_name,
              GError     **error)
{
  g_autofree char *title = sy_text_to_json (course->title);
  g_autofree char *description = course->description ? sy_text_to_json (course->description) : NULL;
  g_autofree char *languages = g_strjoinv (",", course->languages);
  g_autofree char *now = _sy_store_now ();
  sqlite3_stmt *stmt = NULL;
  gboolean ok = FALSE;

  /* The old version's modules and items go (progress stays: it is keyed by item id). */
  if (sqlite3_prepare_v2 (db, "DELETE FROM modules WHERE course_id = ?", -1, &stmt, NULL) != SQLITE_OK)
    return _sy_store_db_error (db, error);
  sqlite3_bind_text (stmt, 1, course->id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    goto db_error;
  sqlite3_finalize (stmt);

  if (sqlite3_prepare_v2 (db,
        "INSERT INTO courses (id, version, programme, title, description, languages, "
        " class_hours, credits, pass_score, cover, content_dir, sha256, imported) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) "
        "ON CONFLICT (id) DO UPDATE SET version = ?2, programme = ?3, title = ?4, "
        " description = ?5, languages = ?6, class_hours = ?7, credits = ?8, pass_score = ?9, "
        " cover = ?10, content_dir = ?11, sha256 = ?12, imported = ?13",
        -1, &stmt, NULL) != SQLITE_OK)
    return _sy_store_db_error (db, error);
  sqlite3_bind_text (stmt, 1, course->id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, course->version);
  sqlite3_bind_text (stmt, 3, course->programme, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, title, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, description, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, languages, -1, SQLITE_STATIC);
  sqlite3_bind_double (stmt, 7, course->class_hours);
  sqlite3_bind_double (stmt, 8, course->credits);
  sqlite3_bind_double (stmt, 9, course->pass_score);
  sqlite3_bind_text (stmt, 10, course->cover, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 11, content_name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 12, course->sha256, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 13, now, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    goto db_error;
  sqlite3_finalize (stmt);

  if (sqlite3_prepare_v2 (db, "INSERT INTO modules (course_id, id, position, title) "
                              "VALUES (?, ?, ?, ?)", -1, &stmt, NULL) != SQLITE_OK)
    return _sy_store_db_error (db, error);
  for (guint i = 0; i < course->modules->len; i++)
    {
      SyModule *module = g_ptr_array_index (course->modules, i);
      g_autofree char *mtitle = sy_text_to_json (module->title);

      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, course->id, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, module->id, -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 3, i);
      sqlite3_bind_text (stmt, 4, mtitle, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        goto db_error;
    }
  sqlite3_finalize (stmt);

  if (sqlite3_prepare_v2 (db, "INSERT INTO items (course_id, id, module_id, position, type, "
                              " title, file, minutes, pass_score, max_attempts, feedback_at_end) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                          -1, &stmt, NULL) != SQLITE_OK)
    return _sy_store_db_error (db, error);
  for (guint i = 0, position = 0; i < course->modules->len; i++)
    {
      SyModule *module = g_ptr_array_index (course->modules, i);

      for (guint j = 0; j < module->items->len; j++, position++)
        {
          SyItem *item = g_ptr_array_index (module->items, j);
          g_autofree char *ititle = sy_text_to_json (item->title);
          g_autofree char *ifile = sy_text_to_json (item->file);

          sqlite3_reset (stmt);
          sqlite3_bind_text (stmt, 1, course->id, -1, SQLITE_STATIC);
          sqlite3_bind_text (stmt, 2, item->id, -1, SQLITE_STATIC);
          sqlite3_bind_text (stmt, 3, module->id, -1, SQLITE_STATIC);
          sqlite3_bind_int (stmt, 4, position);
          sqlite3_bind_text (stmt, 5, sy_item_type_to_string (item->type), -1, SQLITE_STATIC);
          sqlite3_bind_text (stmt, 6, ititle, -1, SQLITE_TRANSIENT);
          sqlite3_bind_text (stmt, 7, ifile, -1, SQLITE_TRANSIENT);
          sqlite3_bind_double (stmt, 8, item->minutes);
          sqlite3_bind_double (stmt, 9, item->pass_score);
          sqlite3_bind_int (stmt, 10, item->max_attempts);
          sqlite3_bind_int (stmt, 11, item->feedback_at_end);
          if (sqlite3_step (stmt) != SQLITE_DONE)
            goto db_error;
        }
    }
  ok = TRUE;

db_error:
  if (!ok)
    _sy_store_db_error (db, error);
  sqlite3_finalize (stmt);
  return ok;
}

/* Returns the installed version and content folder of @id, or 0 if none. */
static gint64
installed_version (sqlite3     *db,
                   const char  *id,
                   char       **content_name,
                   GError     **error)
{
  sqlite3_stmt *stmt;
  gint64 version = 0;
  int rc;

  if (sqlite3_prepare_v2 (db, "SELECT version, content_dir FROM courses WHERE id = ?",
                          -1, &stmt, NULL) != SQLITE_OK)
    return (_sy_store_db_error (db, error), -1);
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      version = sqlite3_column_int64 (stmt, 0);
      *content_name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
    }
  else if (rc != SQLITE_DONE)
    version = (_sy_store_db_error (db, error), -1);
  sqlite3_finalize (stmt);
  return version;
}

gpointer
_sy_store_do_import (SyStore       *self,
                     sqlite3       *db,
                     gpointer       data,
                     GCancellable  *cancellable,
                     GError       **error)
{
  GFile *source = data;
  g_autofree char *content = NULL;
  g_autofree char *staging = NULL;
  g_autofree char *root = NULL;
  g_autofree char *sha256 = NULL;
  g_autofree char *old_name = NULL;
  g_autofree char *new_name = NULL;
  g_autofree char *new_path = NULL;
  g_autoptr(SyCourse) course = NULL;
  g_autoptr(GError) local = NULL;
  SyImportResult *result = NULL;
  gint64 installed;

  REQUIRE_OPEN (db, error);

  content = g_build_filename (sy_store_get_data_dir (self), SY_STORE_CONTENT_DIR, NULL);
  staging = g_build_filename (content, ".staging-XXXXXX", NULL);
  if (g_mkdtemp (staging) == NULL)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Could not create %s: %s"), staging, g_strerror (errsv));
      return NULL;
    }

  if (!(root = sy_package_stage (source, staging, _sy_store_get_package_limits (self),
                                 &sha256, cancellable, error)) ||
      !(course = sy_package_load (root, error)))
    goto out;
  course->sha256 = g_strdup (sha256);

  if ((installed = installed_version (db, course->id, &old_name, error)) < 0)
    goto out;

  if (installed == course->version)
    {
      result = g_new0 (SyImportResult, 1);
      result->outcome = SY_IMPORT_UNCHANGED;
      result->course = load_course (self, db, course->id, NULL, error);
      if (result->course == NULL)
        g_clear_pointer (&result, _sy_import_result_free);
      goto out;
    }
  if (installed > course->version)
    {
      g_set_error (error, SY_PACKAGE_ERROR, SY_PACKAGE_ERROR_OLDER_VERSION,
                   _("course.json: version: version %lld of “%s” is already installed and "
                     "this package is the older version %lld. Nothing was changed."),
                   (long long) installed, sy_text_get (course->title, NULL),
                   (long long) course->version);
      goto out;
    }

  /* Swap in: a fresh folder nothing refers to, then one transaction. */
  {
    g_autofree char *suffix = g_uuid_string_random ();
    suffix[8] = '\0';
    new_name = g_strdup_printf ("%s-%lld-%s", course->id, (long long) course->version, suffix);
  }
  new_path = g_build_filename (content, new_name, NULL);
  if (g_rename (root, new_path) != 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Could not move the course into %s: %s"), new_path, g_strerror (errsv));
      goto out;
    }
  sync_filesystem (new_path);

  if (!_sy_store_exec (db, "BEGIN IMMEDIATE", error))
    goto undo;
  if (!write_course (db, course, new_name, error) || !_sy_store_exec (db, "COMMIT", error))
    {
      _sy_store_exec (db, "ROLLBACK", NULL);
      goto undo;
    }

  if (old_name != NULL)
    {
      g_autofree char *old_path = g_build_filename (content, old_name, NULL);

      if (!sy_rm_rf (old_path, &local))
        g_warning ("Could not remove the previous version's files: %s", local->message);
    }

  result = g_new0 (SyImportResult, 1);
  result->outcome = installed ? SY_IMPORT_UPDATED : SY_IMPORT_INSTALLED;
  result->course = load_course (self, db, course->id, NULL, error);
  if (result->course == NULL)
    g_clear_pointer (&result, _sy_import_result_free);
  goto out;

undo:
  sy_rm_rf (new_path, NULL);

out:
  sy_rm_rf (staging, NULL);
  return result;
}

/* test-util.c
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <glib/gstdio.h>
#include <stdarg.h>

#include "test-util.h"

/* For g_ptr_array_sort(), which passes pointers to the elements. */
int
test_compare_strings (gconstpointer a,
                      gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

char *
test_make_temp_dir (const char *prefix)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmpl = g_strdup_printf ("%s-XXXXXX", prefix);
  char *dir = g_dir_make_tmp (tmpl, &error);

  g_assert_no_error (error);
  return dir;
}

char *
test_samples_dir (void)
{
  const char *env = g_getenv ("SHUYUAN_SAMPLES");

  return g_strdup (env ? env : SAMPLE_COURSES_SRCDIR);
}

void
test_write_file (const char *dir,
                 const char *path,
                 const char *contents)
{
  g_autofree char *full = g_build_filename (dir, path, NULL);
  g_autofree char *parent = g_path_get_dirname (full);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_file_set_contents (full, contents, -1, &error);
  g_assert_no_error (error);
}

/* Rewrites the Unix mode kept in the central directory entry of @name. */
static void
patch_central_mode (const char *zip_path,
                    const char *name,
                    guint32     mode)
{
  g_autofree char *data = NULL;
  gsize len, name_len = strlen (name);
  gboolean patched = FALSE;

  g_assert_true (g_file_get_contents (zip_path, &data, &len, NULL));
  for (gsize i = 0; i + 46 + name_len <= len; i++)
    {
      guint8 *p = (guint8 *) data + i;

      if (memcmp (p, "PK\1\2", 4) == 0 && (gsize) (p[28] | p[29] << 8) == name_len &&
          memcmp (p + 46, name, name_len) == 0)
        {
          guint32 attr = mode << 16;

          p[5] = 3;   /* made by: Unix */
          p[38] = attr & 0xff;
          p[39] = (attr >> 8) & 0xff;
          p[40] = (attr >> 16) & 0xff;
          p[41] = (attr >> 24) & 0xff;
          patched = TRUE;
        }
    }
  g_assert_true (patched);
  g_assert_true (g_file_set_contents (zip_path, data, len, NULL));
}

void
test_write_zip (const char      *zip_path,
                const TestEntry *entries,
                guint            n_entries)
{
  struct archive *a = archive_write_new ();

  g_assert_cmpint (archive_write_set_format_zip (a), ==, ARCHIVE_OK);
  g_assert_cmpint (archive_write_open_filename (a, zip_path), ==, ARCHIVE_OK);

  for (guint i = 0; i < n_entries; i++)
    {
      const TestEntry *e = &entries[i];
      struct archive_entry *entry = archive_entry_new ();
      gsize size = e->size ? e->size : (e->contents ? strlen (e->contents) : 0);

      archive_entry_set_pathname (entry, e->path);
      archive_entry_set_mtime (entry, 1700000000, 0);
      switch (e->type)
        {
        case TEST_ENTRY_FILE:
          archive_entry_set_filetype (entry, AE_IFREG);
          archive_entry_set_perm (entry, 0644);
          archive_entry_set_size (entry, size);
          break;
        case TEST_ENTRY_DIR:
          archive_entry_set_filetype (entry, AE_IFDIR);
          archive_entry_set_perm (entry, 0755);
          break;
        case TEST_ENTRY_SYMLINK:
          archive_entry_set_filetype (entry, AE_IFLNK);
          archive_entry_set_perm (entry, 0777);
          archive_entry_set_symlink (entry, e->contents);
          break;
        case TEST_ENTRY_HARDLINK:
          archive_entry_set_filetype (entry, AE_IFREG);
          archive_entry_set_perm (entry, 0644);
          archive_entry_set_hardlink (entry, e->contents);
          break;
        case TEST_ENTRY_CHARDEV:
          /* libarchive will not write one; a regular entry is patched below */
          archive_entry_set_filetype (entry, AE_IFREG);
          archive_entry_set_perm (entry, 0644);
          archive_entry_set_size (entry, 0);
          break;
        default:
          g_assert_not_reached ();
        }
      g_assert_cmpint (archive_write_header (a, entry), ==, ARCHIVE_OK);
      if (e->type == TEST_ENTRY_FILE)
        {
          if (e->contents != NULL && e->size == 0)
            g_assert_cmpint (archive_write_data (a, e->contents, size), ==, (la_ssize_t) size);
          else
            {
              g_autofree char *zeros = g_malloc0 (1024 * 1024);

              for (gsize done = 0; done < size;)
                {
                  gsize n = MIN (size - done, 1024 * 1024);
                  g_assert_cmpint (archive_write_data (a, zeros, n), ==, (la_ssize_t) n);
                  done += n;
                }
            }
        }
      archive_entry_free (entry);
    }

  g_assert_cmpint (archive_write_close (a), ==, ARCHIVE_OK);
  archive_write_free (a);

  for (guint i = 0; i < n_entries; i++)
    if (entries[i].type == TEST_ENTRY_CHARDEV)
      patch_central_mode (zip_path, entries[i].path, 0020644);
}

static void
zip_folder_rec (struct archive *a,
                const char     *root,
                const char     *rel,
                const char     *prefix)
{
  g_autofree char *path = g_build_filename (root, rel, NULL);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)))
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, test_compare_strings);

  for (guint i = 0; i < names->len; i++)
    {
      const char *n = g_ptr_array_index (names, i);
      g_autofree char *child_rel = rel[0] ? g_build_filename (rel, n, NULL) : g_strdup (n);
      g_autofree char *child = g_build_filename (root, child_rel, NULL);
      g_autofree char *entry_name = prefix ? g_build_filename (prefix, child_rel, NULL)
                                           : g_strdup (child_rel);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        zip_folder_rec (a, root, child_rel, prefix);
      else
        {
          g_autofree char *contents = NULL;
          gsize len;
          struct archive_entry *entry = archive_entry_new ();

          g_assert_true (g_file_get_contents (child, &contents, &len, NULL));
          archive_entry_set_pathname (entry, entry_name);
          archive_entry_set_filetype (entry, AE_IFREG);
          archive_entry_set_perm (entry, 0644);
          archive_entry_set_size (entry, len);
          g_assert_cmpint (archive_write_header (a, entry), ==, ARCHIVE_OK);
          g_assert_cmpint (archive_write_data (a, contents, len), ==, (la_ssize_t) len);
          archive_entry_free (entry);
        }
    }
}

/* Zips @folder's contents, inside a folder @prefix if not NULL (as zip tools often do). */
void
test_zip_folder (const char *folder,
                 const char *prefix,
                 const char *zip_path)
{
  struct archive *a = archive_write_new ();

  g_assert_cmpint (archive_write_set_format_zip (a), ==, ARCHIVE_OK);
  g_assert_cmpint (archive_write_open_filename (a, zip_path), ==, ARCHIVE_OK);
  zip_folder_rec (a, folder, "", prefix);
  g_assert_cmpint (archive_write_close (a), ==, ARCHIVE_OK);
  archive_write_free (a);
}

void
test_copy_tree (const char *from,
                const char *to)
{
  g_autoptr(GDir) dir = g_dir_open (from, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  g_assert_cmpint (g_mkdir_with_parents (to, 0755), ==, 0);
  while ((name = g_dir_read_name (dir)))
    {
      g_autofree char *src = g_build_filename (from, name, NULL);
      g_autofree char *dst = g_build_filename (to, name, NULL);

      if (g_file_test (src, G_FILE_TEST_IS_DIR))
        test_copy_tree (src, dst);
      else
        {
          g_autofree char *contents = NULL;
          gsize len;

          g_assert_true (g_file_get_contents (src, &contents, &len, NULL));
          g_assert_true (g_file_set_contents (dst, contents, len, NULL));
        }
    }
}

/* Sorted names under @path, recursively, one per line: a fingerprint of a folder. */
char *
test_list_dir (const char *path)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  GString *out = g_string_new (NULL);
  const char *name;

  if (dir == NULL)
    return g_string_free (out, FALSE);
  while ((name = g_dir_read_name (dir)))
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, test_compare_strings);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *child = g_build_filename (path, g_ptr_array_index (names, i), NULL);
      g_string_append_printf (out, "%s\n", (char *) g_ptr_array_index (names, i));
      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        {
          g_autofree char *sub = test_list_dir (child);
          g_auto(GStrv) lines = g_strsplit (sub, "\n", -1);
          for (guint j = 0; lines[j] && lines[j][0]; j++)
            g_string_append_printf (out, "%s/%s\n", (char *) g_ptr_array_index (names, i), lines[j]);
        }
    }
  return g_string_free (out, FALSE);
}

#define TINY_COURSE_JSON \
  "{\"format\": 1, \"id\": \"tiny\", \"version\": 1, \"programme\": \"retail\", " \
  " \"title\": {\"zh_CN\": \"小课\", \"en\": \"Tiny\"}, \"languages\": [\"zh_CN\", \"en\"], " \
  " \"class_hours\": 2, \"credits\": 1, \"modules\": [{\"id\": \"m1\", \"title\": \"M\", \"items\": [" \
  "  {\"id\": \"l1\", \"type\": \"lesson\", \"title\": \"Lesson\", " \
  "   \"file\": {\"zh_CN\": \"l.md\", \"en\": \"l.md\"}, \"minutes\": 1}," \
  "  {\"id\": \"q1\", \"type\": \"quiz\", \"title\": \"Quiz\", \"file\": \"q.json\", " \
  "   \"max_attempts\": 3, \"pass_score\": 0.5}]}]}"

#define TINY_QUIZ_JSON \
  "{\"questions\": [{\"id\": \"a\", \"type\": \"true-false\", \"prompt\": \"?\", \"answer\": true}," \
  "                {\"id\": \"b\", \"type\": \"true-false\", \"prompt\": \"?\", \"answer\": false}]}"

/* A course with one lesson (l1) and one quiz (q1, 3 attempts, pass at 50%), id "tiny". */
void
test_install_tiny_course (SyStore    *store,
                          const char *work_dir)
{
  g_autofree char *pkg = g_build_filename (work_dir, "tiny-pkg", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (pkg);
  g_autoptr(SyCourse) course = NULL;
  g_autoptr(GError) error = NULL;

  test_write_file (pkg, "course.json", TINY_COURSE_JSON);
  test_write_file (pkg, "l.md", "# Lesson\n");
  test_write_file (pkg, "q.json", TINY_QUIZ_JSON);
  course = sy_store_import (store, file, NULL, NULL, &error);
  g_assert_no_error (error);
}

char *
test_record_event (SyStore    *store,
                   const char *learner_uuid,
                   const char *course_id,
                   const char *item_id,
                   SyItemType  type,
                   SyVerb      verb,
                   double      seconds,
                   double      score,
                   const char *registration)
{
  g_autoptr(GError) error = NULL;
  SyEvent event;
  char *id;

  sy_event_init (&event);
  event.learner_uuid = learner_uuid;
  event.course_id = course_id;
  event.item_id = item_id;
  event.item_type = type;
  event.verb = verb;
  event.seconds = seconds;
  event.score = score;
  event.registration = registration;
  if (score >= 0)
    event.success = score >= 0.5;
  id = sy_store_record (store, &event, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_uuid_string_is_valid (id));
  return id;
}

char *
test_record (SyStore    *store,
             SyLearner  *learner,
             const char *course_id,
             const char *item_id,
             SyItemType  type,
             SyVerb      verb,
             double      seconds,
             double      score)
{
  return test_record_event (store, sy_learner_get_uuid (learner), course_id, item_id, type, verb,
                            seconds, score, NULL);
}

void
test_take_survey (SyStore    *store,
                  const char *learner_uuid,
                  const char *course_id,
                  const char *item_id,
                  ...)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SyAttempt) attempt = sy_store_start_attempt (store, learner_uuid, course_id, item_id,
                                                         NULL, &error);
  const char *question;
  SyEvent event;
  va_list args;

  g_assert_no_error (error);
  va_start (args, item_id);
  while ((question = va_arg (args, const char *)) != NULL)
    {
      g_autofree char *id = NULL;

      sy_event_init (&event);
      event.verb = SY_VERB_ANSWERED;
      event.learner_uuid = learner_uuid;
      event.course_id = course_id;
      event.item_id = item_id;
      event.item_type = SY_ITEM_SURVEY;
      event.question_id = question;
      event.registration = attempt->registration;
      event.response = va_arg (args, const char *);
      id = sy_store_record (store, &event, NULL, &error);
      g_assert_no_error (error);
    }
  va_end (args);

  sy_event_init (&event);
  event.verb = SY_VERB_COMPLETED;
  event.completion = TRUE;
  event.learner_uuid = learner_uuid;
  event.course_id = course_id;
  event.item_id = item_id;
  event.item_type = SY_ITEM_SURVEY;
  event.registration = attempt->registration;
  event.seconds = 120;
  g_free (sy_store_record (store, &event, NULL, &error));
  g_assert_no_error (error);
}

static gboolean
tick_cb (gpointer user_data)
{
  return G_SOURCE_REMOVE;
}

/* Iterates @context (pushed as the thread's default by the caller) until *@done, at most
 * @timeout_s; a tick every 100 ms keeps the deadline checked when nothing happens. */
static gboolean
iterate_until (GMainContext   *context,
               const gboolean *done,
               int             timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;

  while (!*done && g_get_monotonic_time () < deadline)
    {
      g_autoptr(GSource) tick = g_timeout_source_new (100);

      g_source_set_callback (tick, tick_cb, NULL, NULL);
      g_source_attach (tick, context);
      g_main_context_iteration (context, TRUE);
      g_source_destroy (tick);
    }
  return *done;
}

typedef struct
{
  char     *line;
  GError   *error;
  gboolean  done;
} LineRead;

static void
line_read_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  LineRead *read = user_data;

  read->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result,
                                                          NULL, &read->error);
  read->done = TRUE;
}

char *
test_read_first_line (GInputStream  *pipe,
                      int            timeout_s,
                      GError       **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  LineRead read = { NULL, NULL, FALSE };

  g_main_context_push_thread_default (context);
  lines = g_data_input_stream_new (pipe);
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (lines), FALSE);
  g_data_input_stream_read_line_async (lines, G_PRIORITY_DEFAULT, cancellable, line_read_cb, &read);
  if (!iterate_until (context, &read.done, timeout_s))
    {
      /* let the read end before its stream and context go */
      g_cancellable_cancel (cancellable);
      while (!read.done)
        g_main_context_iteration (context, TRUE);
      g_free (read.line);
      g_clear_error (&read.error);
      g_main_context_pop_thread_default (context);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "no line within %d s", timeout_s);
      return NULL;
    }
  g_main_context_pop_thread_default (context);
  if (read.error != NULL)
    g_propagate_error (error, read.error);
  return read.line;
}

static void
wait_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *(gboolean *) user_data = TRUE;
}

gboolean
test_wait_exit (GSubprocess *process,
                int          timeout_s)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  gboolean done = FALSE, exited;

  g_main_context_push_thread_default (context);
  g_subprocess_wait_async (process, cancellable, wait_cb, &done);
  exited = iterate_until (context, &done, timeout_s);
  if (!exited)
    {
      g_cancellable_cancel (cancellable);
      while (!done)
        g_main_context_iteration (context, TRUE);
    }
  g_main_context_pop_thread_default (context);
  return exited;
}

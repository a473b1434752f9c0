/* test-package.c — importing course packages: samples, updates, and a corpus of
 * malformed and hostile packages that must each be refused with a specific error and
 * leave the store exactly as it was
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-c/json.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sy-store-private.h"
#include "sy-util.h"
#include "test-util.h"

/* ---- a tiny valid course, the base every malformed case bends ---- */

#define TINY_JSON \
  "{\n" \
  "  \"format\": 1,\n" \
  "  \"id\": \"tiny\",\n" \
  "  \"version\": 2,\n" \
  "  \"programme\": \"retail\",\n" \
  "  \"title\": {\"zh_CN\": \"小课\", \"en\": \"Tiny\"},\n" \
  "  \"languages\": [\"zh_CN\", \"en\"],\n" \
  "  \"class_hours\": 1,\n" \
  "  \"modules\": [{\"id\": \"m1\", \"title\": {\"zh_CN\": \"单元一\", \"en\": \"Unit one\"},\n" \
  "    \"items\": [\n" \
  "      {\"id\": \"l1\", \"type\": \"lesson\", \"title\": {\"zh_CN\": \"第一课\", \"en\": \"Lesson one\"},\n" \
  "       \"file\": {\"zh_CN\": \"lessons/l1.zh_CN.md\", \"en\": \"lessons/l1.en.md\"}, \"minutes\": 5},\n" \
  "      {\"id\": \"q1\", \"type\": \"quiz\", \"title\": {\"zh_CN\": \"测验\", \"en\": \"Quiz\"},\n" \
  "       \"file\": \"quizzes/q1.json\"}\n" \
  "    ]}]\n" \
  "}\n"

#define TINY_QUIZ \
  "{\"questions\": [{\"id\": \"a\", \"type\": \"single\",\n" \
  "  \"prompt\": {\"zh_CN\": \"选哪个？\", \"en\": \"Which one?\"},\n" \
  "  \"options\": [{\"id\": \"x\", \"text\": {\"zh_CN\": \"甲\", \"en\": \"X\"}},\n" \
  "              {\"id\": \"y\", \"text\": {\"zh_CN\": \"乙\", \"en\": \"Y\"}}],\n" \
  "  \"answer\": \"x\"}]}\n"

#define TINY_SVG "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 4 4\"/>\n"

static const TestEntry tiny_files[] = {
  { "course.json", TEST_ENTRY_FILE, TINY_JSON },
  { "lessons/l1.zh_CN.md", TEST_ENTRY_FILE, "# 第一课\n\n![图](../media/pic.svg)\n" },
  { "lessons/l1.en.md", TEST_ENTRY_FILE, "# Lesson one\n\n![Picture](../media/pic.svg)\n" },
  { "quizzes/q1.json", TEST_ENTRY_FILE, TINY_QUIZ },
  { "media/pic.svg", TEST_ENTRY_FILE, TINY_SVG },
};

static char *
replace (const char *text,
         const char *from,
         const char *to)
{
  g_autoptr(GString) s = g_string_new (text);

  if (from != NULL)
    g_assert_cmpuint (g_string_replace (s, from, to, 1), ==, 1);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* Writes the tiny course into @dir with course.json edited (from → to) and its version. */
static void
write_tiny (const char *dir,
            int         version,
            const char *from,
            const char *to)
{
  g_autofree char *json = replace (TINY_JSON, from, to);
  g_autofree char *versioned = NULL;
  g_autofree char *v = g_strdup_printf ("\"version\": %d,", version);

  versioned = replace (json, "\"version\": 2,", v);
  for (guint i = 0; i < G_N_ELEMENTS (tiny_files); i++)
    test_write_file (dir, tiny_files[i].path,
                     i == 0 ? versioned : tiny_files[i].contents);
}

static SyStore *
open_store (const char *dir)
{
  g_autoptr(GError) error = NULL;
  SyStore *store = sy_store_new (dir);

  g_assert_true (sy_store_open (store, NULL, &error));
  g_assert_no_error (error);
  return store;
}

static SyCourse *
import_path (SyStore         *store,
             const char      *path,
             SyImportOutcome *outcome,
             GError         **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  return sy_store_import (store, file, outcome, NULL, error);
}

/* What a user could observe of the store: courses, their versions, digests and folders. */
static char *
snapshot (SyStore *store)
{
  g_autoptr(GPtrArray) courses = sy_store_list_courses (store, NULL, NULL, NULL);
  g_autofree char *content = g_build_filename (sy_store_get_data_dir (store),
                                               SY_STORE_CONTENT_DIR, NULL);
  g_autofree char *listing = test_list_dir (content);
  GString *s = g_string_new (NULL);

  g_assert_nonnull (courses);
  for (guint i = 0; i < courses->len; i++)
    {
      SyCourse *c = g_ptr_array_index (courses, i);
      g_string_append_printf (s, "%s %lld %s %s %u\n", sy_course_get_id (c),
                              (long long) sy_course_get_version (c), sy_course_get_sha256 (c),
                              sy_course_get_content_dir (c), sy_course_get_n_items (c));
    }
  g_string_append (s, listing);
  return g_string_free (s, FALSE);
}

/* ---- samples ---- */

static GPtrArray *
sample_dirs (void)
{
  g_autofree char *samples = test_samples_dir ();
  g_autoptr(GDir) dir = g_dir_open (samples, 0, NULL);
  GPtrArray *dirs = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)))
    g_ptr_array_add (dirs, g_build_filename (samples, name, NULL));
  g_ptr_array_sort (dirs, test_compare_strings);
  g_assert_cmpuint (dirs->len, ==, 3);
  return dirs;
}

static void
collect_question_types (const char *path,
                        GHashTable *types)
{
  json_object *obj = json_object_from_file (path), *questions;

  g_assert_nonnull (obj);
  g_assert_true (json_object_object_get_ex (obj, "questions", &questions));
  for (guint i = 0; i < json_object_array_length (questions); i++)
    {
      json_object *type;
      g_assert_true (json_object_object_get_ex (json_object_array_get_idx (questions, i),
                                                "type", &type));
      g_hash_table_add (types, g_strdup (json_object_get_string (type)));
    }
  json_object_put (obj);
}

static void
test_samples_import (void)
{
  static const char * const all_quiz_types[] = {
    "single", "multiple", "true-false", "numeric", "short-text", "ordering", "matching"
  };
  g_autofree char *dir = test_make_temp_dir ("samples");
  g_autoptr(SyStore) store = open_store (dir);
  g_autoptr(GPtrArray) dirs = sample_dirs ();
  g_autoptr(GPtrArray) courses = NULL;
  gboolean seen_survey = FALSE;

  for (guint i = 0; i < dirs->len; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SyCourse) course = NULL;
      g_autofree char *cover = NULL;
      g_autofree char *course_json = NULL;
      SyImportOutcome outcome;
      GPtrArray *modules;
      guint lessons = 0;
      gboolean full_quiz = FALSE;

      course = import_path (store, g_ptr_array_index (dirs, i), &outcome, &error);
      g_assert_no_error (error);
      g_assert_cmpint (outcome, ==, SY_IMPORT_INSTALLED);
      g_assert_true (g_strv_contains (sy_course_get_languages (course), "zh_CN"));
      g_assert_true (g_strv_contains (sy_course_get_languages (course), "en"));
      g_assert_cmpuint (strlen (sy_course_get_sha256 (course)), ==, 64);

      cover = sy_course_get_cover_path (course);
      g_assert_true (g_file_test (cover, G_FILE_TEST_IS_REGULAR));
      course_json = g_build_filename (sy_course_get_content_dir (course), "course.json", NULL);
      g_assert_true (g_file_test (course_json, G_FILE_TEST_IS_REGULAR));

      modules = sy_course_get_modules (course);
      g_assert_cmpuint (modules->len, >=, 2);
      for (guint m = 0; m < modules->len; m++)
        {
          SyModule *module = g_ptr_array_index (modules, m);

          for (guint j = 0; j < module->items->len; j++)
            {
              SyItem *item = g_ptr_array_index (module->items, j);
              g_autofree char *file = g_build_filename (sy_course_get_content_dir (course),
                                                        sy_text_get (item->file, NULL), NULL);

              g_assert_true (g_file_test (file, G_FILE_TEST_IS_REGULAR));
              if (item->type == SY_ITEM_LESSON)
                {
                  g_autofree char *md = NULL;

                  lessons++;
                  for (guint l = 0; l < 2; l++)
                    {
                      const char *lang = l ? "en" : "zh_CN";
                      g_autofree char *lf = g_build_filename (sy_course_get_content_dir (course),
                                                              sy_text_lookup (item->file, lang),
                                                              NULL);
                      g_clear_pointer (&md, g_free);
                      g_assert_true (g_file_get_contents (lf, &md, NULL, NULL));
                      g_assert_nonnull (strstr (md, "!["));   /* every lesson has an image */
                    }
                }
              else if (item->type == SY_ITEM_QUIZ)
                {
                  g_autoptr(GHashTable) types = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                                       g_free, NULL);
                  gboolean all = TRUE;

                  collect_question_types (file, types);
                  for (guint t = 0; t < G_N_ELEMENTS (all_quiz_types); t++)
                    all &= g_hash_table_contains (types, all_quiz_types[t]);
                  full_quiz |= all;
                }
              else if (item->type == SY_ITEM_SURVEY)
                seen_survey |= g_str_equal (sy_course_get_programme (course), "retail");
            }
        }
      g_assert_cmpuint (lessons, >=, 4);
      g_assert_true (full_quiz);
    }
  g_assert_true (seen_survey);

  courses = sy_store_list_courses (store, NULL, NULL, NULL);
  g_assert_cmpuint (courses->len, ==, 3);
  sy_rm_rf (dir, NULL);
}

/* A folder and its .zip (wrapped in a folder, as zip tools do) are the same package. */
static void
test_samples_zip (void)
{
  g_autofree char *dir = test_make_temp_dir ("zips");
  g_autoptr(GPtrArray) dirs = sample_dirs ();

  for (guint i = 0; i < dirs->len; i++)
    {
      g_autofree char *a = g_build_filename (dir, "a", NULL);
      g_autofree char *b = g_build_filename (dir, "b", NULL);
      g_autofree char *zip = g_build_filename (dir, "course.zip", NULL);
      g_autofree char *base = g_path_get_basename (g_ptr_array_index (dirs, i));
      g_autoptr(SyStore) sa = open_store (a);
      g_autoptr(SyStore) sb = open_store (b);
      g_autoptr(SyCourse) ca = NULL;
      g_autoptr(SyCourse) cb = NULL;
      g_autoptr(GError) error = NULL;
      SyImportOutcome outcome;

      test_zip_folder (g_ptr_array_index (dirs, i), base, zip);
      ca = import_path (sa, g_ptr_array_index (dirs, i), NULL, &error);
      g_assert_no_error (error);
      cb = import_path (sb, zip, &outcome, &error);
      g_assert_no_error (error);
      g_assert_cmpint (outcome, ==, SY_IMPORT_INSTALLED);
      g_assert_cmpstr (sy_course_get_id (ca), ==, sy_course_get_id (cb));
      g_assert_cmpstr (sy_course_get_sha256 (ca), ==, sy_course_get_sha256 (cb));

      g_clear_object (&sa);
      g_clear_object (&sb);
      sy_rm_rf (a, NULL);
      sy_rm_rf (b, NULL);
    }
  sy_rm_rf (dir, NULL);
}

static void
test_reimport_noop (void)
{
  g_autofree char *dir = test_make_temp_dir ("noop");
  g_autofree char *pkg = g_build_filename (dir, "pkg", NULL);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autoptr(SyStore) store = open_store (data);
  g_autoptr(SyCourse) first = NULL;
  g_autoptr(SyCourse) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  SyImportOutcome outcome;

  write_tiny (pkg, 1, NULL, NULL);
  first = import_path (store, pkg, &outcome, &error);
  g_assert_no_error (error);
  g_assert_cmpint (outcome, ==, SY_IMPORT_INSTALLED);
  before = snapshot (store);

  again = import_path (store, pkg, &outcome, &error);
  g_assert_no_error (error);
  g_assert_cmpint (outcome, ==, SY_IMPORT_UNCHANGED);
  g_assert_cmpstr (sy_course_get_content_dir (again), ==, sy_course_get_content_dir (first));
  after = snapshot (store);
  g_assert_cmpstr (before, ==, after);
  sy_rm_rf (dir, NULL);
}

static void
set_progress (const char *data_dir,
              const char *learner,
              const char *item,
              SyStatus    status)
{
  g_autofree char *path = g_build_filename (data_dir, SY_STORE_DB_NAME, NULL);
  g_autofree char *sql = g_strdup_printf ("INSERT INTO item_progress (learner_uuid, course_id, "
                                          "item_id, status) VALUES ('%s', 'tiny', '%s', %d)",
                                          learner, item, status);
  sqlite3 *db;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

static void
test_update_keeps_progress (void)
{
  const char *learner = "0f1d6a36-7f7c-4a5e-8b5a-2d0f1c9e0a01";
  g_autofree char *dir = test_make_temp_dir ("update");
  g_autofree char *v1 = g_build_filename (dir, "v1", NULL);
  g_autofree char *v2 = g_build_filename (dir, "v2", NULL);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autofree char *content = g_build_filename (data, SY_STORE_CONTENT_DIR, NULL);
  g_autofree char *listing = NULL;
  g_autoptr(SyStore) store = open_store (data);
  g_autoptr(SyCourse) course = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *old_dir = NULL;
  SyImportOutcome outcome;

  write_tiny (v1, 1, NULL, NULL);
  /* version 2 renames the quiz item and adds a lesson: l1 stays */
  write_tiny (v2, 2, "\"id\": \"q1\"", "\"id\": \"q2\"");
  {
    g_autofree char *json = NULL;
    g_autofree char *path = g_build_filename (v2, "course.json", NULL);
    g_autofree char *more = NULL;

    g_assert_true (g_file_get_contents (path, &json, NULL, NULL));
    more = replace (json, "\"minutes\": 5},",
                    "\"minutes\": 5},\n      {\"id\": \"l2\", \"type\": \"lesson\", "
                    "\"title\": \"Two\", \"file\": \"lessons/l1.en.md\", \"minutes\": 1},");
    g_assert_true (g_file_set_contents (path, more, -1, NULL));
  }

  course = import_path (store, v1, &outcome, &error);
  g_assert_no_error (error);
  old_dir = g_strdup (sy_course_get_content_dir (course));
  g_clear_object (&course);
  set_progress (data, learner, "l1", SY_STATUS_COMPLETED);
  set_progress (data, learner, "q1", SY_STATUS_PASSED);

  course = sy_store_get_course (store, "tiny", learner, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sy_course_get_n_done (course), ==, 2);
  g_clear_object (&course);

  course = import_path (store, v2, &outcome, &error);
  g_assert_no_error (error);
  g_assert_cmpint (outcome, ==, SY_IMPORT_UPDATED);
  g_assert_cmpint (sy_course_get_version (course), ==, 2);
  g_assert_false (g_file_test (old_dir, G_FILE_TEST_EXISTS));
  g_clear_object (&course);

  course = sy_store_get_course (store, "tiny", learner, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sy_course_get_n_items (course), ==, 3);
  g_assert_cmpuint (sy_course_get_n_done (course), ==, 1);   /* l1; q1 is gone */
  g_assert_cmpint (sy_course_find_item (course, "l1")->status, ==, SY_STATUS_COMPLETED);
  g_assert_cmpint (sy_course_find_item (course, "q2")->status, ==, SY_STATUS_NOT_STARTED);
  g_assert_null (sy_course_find_item (course, "q1"));

  /* exactly one content folder remains */
  listing = test_list_dir (content);
  g_assert_cmpuint (g_strv_length ((GStrv) (const char *[]) { NULL }), ==, 0);
  {
    g_auto(GStrv) lines = g_strsplit (listing, "\n", -1);
    guint top = 0;
    for (guint i = 0; lines[i]; i++)
      top += lines[i][0] && !strchr (lines[i], '/');
    g_assert_cmpuint (top, ==, 1);
  }
  sy_rm_rf (dir, NULL);
}

static void
test_older_refused (void)
{
  g_autofree char *dir = test_make_temp_dir ("older");
  g_autofree char *v1 = g_build_filename (dir, "v1", NULL);
  g_autofree char *v3 = g_build_filename (dir, "v3", NULL);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autoptr(SyStore) store = open_store (data);
  g_autoptr(SyCourse) course = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  write_tiny (v1, 1, NULL, NULL);
  write_tiny (v3, 3, NULL, NULL);
  course = import_path (store, v3, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&course);
  before = snapshot (store);

  course = import_path (store, v1, NULL, &error);
  g_assert_null (course);
  g_assert_error (error, SY_PACKAGE_ERROR, SY_PACKAGE_ERROR_OLDER_VERSION);
  g_assert_nonnull (strstr (error->message, "version"));
  after = snapshot (store);
  g_assert_cmpstr (before, ==, after);
  sy_rm_rf (dir, NULL);
}

/* A power cut during an import leaves a staging folder or an unreferenced content folder;
 * the next open removes them and keeps what the database refers to. */
static void
test_interrupted_import_collected (void)
{
  g_autofree char *dir = test_make_temp_dir ("interrupted");
  g_autofree char *pkg = g_build_filename (dir, "pkg", NULL);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autofree char *staging = g_build_filename (data, SY_STORE_CONTENT_DIR, ".staging-abc123", NULL);
  g_autofree char *orphan = g_build_filename (data, SY_STORE_CONTENT_DIR, "tiny-9-deadbeef", NULL);
  g_autofree char *kept = NULL;
  g_autoptr(SyCourse) course = NULL;
  SyStore *store = open_store (data);

  write_tiny (pkg, 1, NULL, NULL);
  course = import_path (store, pkg, NULL, NULL);
  g_assert_nonnull (course);
  kept = g_strdup (sy_course_get_content_dir (course));
  g_object_unref (store);

  test_write_file (staging, "course.json", "{}");
  test_write_file (orphan, "course.json", "{}");

  store = open_store (data);
  g_assert_false (g_file_test (staging, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (orphan, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (kept, G_FILE_TEST_IS_DIR));
  g_object_unref (store);
  sy_rm_rf (dir, NULL);
}

/* Zips made on Chinese Windows store names in GB18030 without saying so. (The bytes of a
 * few names, such as 图片, are also valid UTF-8 and cannot be told apart; most are not.) */
static void
test_gb18030_zip_names (void)
{
  g_autofree char *dir = test_make_temp_dir ("gbk");
  g_autofree char *zip = g_build_filename (dir, "gbk.zip", NULL);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autofree char *gbk_name = g_convert ("media/课程.svg", -1, "GB18030", "UTF-8", NULL, NULL, NULL);
  g_autofree char *json = replace (TINY_JSON, "\"class_hours\": 1,",
                                   "\"class_hours\": 1, \"cover\": \"media/课程.svg\",");
  g_autoptr(SyStore) store = open_store (data);
  g_autoptr(SyCourse) course = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cover = NULL;
  TestEntry entries[G_N_ELEMENTS (tiny_files) + 1];

  g_assert_nonnull (gbk_name);
  memcpy (entries, tiny_files, sizeof tiny_files);
  entries[0].contents = json;
  entries[G_N_ELEMENTS (tiny_files)] = (TestEntry) { gbk_name, TEST_ENTRY_FILE, TINY_SVG };
  test_write_zip (zip, entries, G_N_ELEMENTS (entries));

  course = import_path (store, zip, NULL, &error);
  g_assert_no_error (error);
  cover = sy_course_get_cover_path (course);
  g_assert_true (g_str_has_suffix (cover, "media/课程.svg"));
  g_assert_true (g_file_test (cover, G_FILE_TEST_IS_REGULAR));
  sy_rm_rf (dir, NULL);
}

/* Quizzes may be written in Moodle's GIFT format. */
static void
test_gift_quiz (void)
{
  g_autofree char *dir = test_make_temp_dir ("gift");
  g_autofree char *pkg = g_build_filename (dir, "pkg", NULL);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autoptr(SyStore) store = open_store (data);
  g_autoptr(SyCourse) course = NULL;
  g_autoptr(GError) error = NULL;

  write_tiny (pkg, 1, "\"file\": \"quizzes/q1.json\"", "\"file\": \"quizzes/q1.gift\"");
  test_write_file (pkg, "quizzes/q1.gift",
                   "// hand hygiene\n"
                   "::soap:: What do you need besides water? {=soap =肥皂}\n\n"
                   "::rub:: Rub for at least how many seconds? {#20}\n\n"
                   "::before:: Clean your hands before touching a patient. {T}\n");
  course = import_path (store, pkg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sy_course_find_item (course, "q1")->type, ==, SY_ITEM_QUIZ);
  sy_rm_rf (dir, NULL);
}

/* ---- the malformed corpus ---- */

typedef enum
{
  BUILD_FOLDER,
  BUILD_ZIP,
} BuildKind;

typedef struct
{
  const char      *name;
  BuildKind        kind;
  const char      *json_from;     /* an edit to course.json */
  const char      *json_to;
  const char      *file_path;     /* a file to add or overwrite */
  const char      *file_contents;
  void           (*custom) (const char *pkg);   /* more mischief on the folder */
  TestEntry        zip_extra;     /* one more zip entry */
  gsize            limits_files;  /* nonzero: tighter limits */
  goffset          limits_file_size;
  goffset          limits_total;
  int              code;
  const char      *where[3];      /* substrings the message must contain */
} MalformedCase;

static void
remove_course_json (const char *pkg)
{
  g_autofree char *path = g_build_filename (pkg, "course.json", NULL);
  g_assert_cmpint (g_unlink (path), ==, 0);
}

static void
add_symlink (const char *pkg)
{
  g_autofree char *path = g_build_filename (pkg, "media", "secret.svg", NULL);
  g_assert_cmpint (symlink ("/etc/passwd", path), ==, 0);
}

static void
add_fifo (const char *pkg)
{
  g_autofree char *path = g_build_filename (pkg, "media", "pipe.svg", NULL);
  g_assert_cmpint (mkfifo (path, 0644), ==, 0);
}

static void
add_many_files (const char *pkg)
{
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *name = g_strdup_printf ("media/extra-%02u.txt", i);
      test_write_file (pkg, name, "x");
    }
}

static void
add_five_kib_files (const char *pkg)
{
  g_autofree char *kib = g_strnfill (1000, 'k');

  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *name = g_strdup_printf ("media/kib-%u.txt", i);
      test_write_file (pkg, name, kib);
    }
}

static void
add_big_file (const char *pkg)
{
  g_autofree char *big = g_strnfill (2000, 'b');
  test_write_file (pkg, "media/big.txt", big);
}

static const MalformedCase malformed[] = {
  { "json/trailing-comma", BUILD_FOLDER, "\"class_hours\": 1,", "\"class_hours\": 1,,",
    .code = SY_PACKAGE_ERROR_INVALID_JSON, .where = { "course.json", "line 8" } },
  { "json/not-an-object", BUILD_FOLDER, .file_path = "course.json", .file_contents = "[1, 2]",
    .code = SY_PACKAGE_ERROR_INVALID_JSON, .where = { "course.json", "object" } },
  { "field/missing-title", BUILD_FOLDER, "\"title\": {\"zh_CN\": \"小课\", \"en\": \"Tiny\"},", "",
    .code = SY_PACKAGE_ERROR_MISSING_FIELD, .where = { "course.json", "title", "required" } },
  { "field/wrong-type", BUILD_FOLDER, "\"class_hours\": 1,", "\"class_hours\": \"one\",",
    .code = SY_PACKAGE_ERROR_INVALID_FIELD, .where = { "course.json", "class_hours", "number" } },
  { "field/unknown", BUILD_FOLDER, "\"class_hours\": 1,", "\"class_hours\": 1, \"titel\": \"x\",",
    .code = SY_PACKAGE_ERROR_INVALID_FIELD, .where = { "course.json", "titel", "unknown" } },
  { "field/bad-id", BUILD_FOLDER, "\"id\": \"q1\"", "\"id\": \"Quiz 1\"",
    .code = SY_PACKAGE_ERROR_INVALID_FIELD, .where = { "course.json", "modules[0].items[1].id", "Quiz 1" } },
  { "field/duplicate-id", BUILD_FOLDER, "\"id\": \"q1\"", "\"id\": \"l1\"",
    .code = SY_PACKAGE_ERROR_DUPLICATE_ID, .where = { "course.json", "modules[0].items[1].id", "l1" } },
  { "field/missing-language", BUILD_FOLDER, "{\"zh_CN\": \"测验\", \"en\": \"Quiz\"}", "{\"en\": \"Quiz\"}",
    .code = SY_PACKAGE_ERROR_MISSING_FIELD, .where = { "course.json", "modules[0].items[1].title", "zh_CN" } },
  { "field/bad-item-type", BUILD_FOLDER, "\"type\": \"quiz\"", "\"type\": \"exam\"",
    .code = SY_PACKAGE_ERROR_INVALID_FIELD, .where = { "course.json", "modules[0].items[1].type", "exam" } },
  { "field/pass-score-range", BUILD_FOLDER, "\"class_hours\": 1,", "\"class_hours\": 1, \"pass_score\": 80,",
    .code = SY_PACKAGE_ERROR_INVALID_FIELD, .where = { "course.json", "pass_score", "80" } },
  { "format/future", BUILD_FOLDER, "\"format\": 1", "\"format\": 2",
    .code = SY_PACKAGE_ERROR_UNSUPPORTED_FORMAT, .where = { "course.json", "format", "2" } },
  { "file/missing-lesson", BUILD_FOLDER, "lessons/l1.en.md\"", "lessons/l9.en.md\"",
    .code = SY_PACKAGE_ERROR_MISSING_FILE, .where = { "course.json", "modules[0].items[0].file", "l9.en.md" } },
  { "file/missing-image", BUILD_FOLDER, .file_path = "lessons/l1.en.md",
    .file_contents = "# One\n\n![Gone](../media/none.png)\n",
    .code = SY_PACKAGE_ERROR_MISSING_FILE, .where = { "lessons/l1.en.md", "none.png" } },
  { "file/wrong-media-type", BUILD_FOLDER, .file_path = "lessons/l1.en.md",
    .file_contents = "# One\n\n![Script](../quizzes/q1.json)\n",
    .code = SY_PACKAGE_ERROR_INVALID_FIELD, .where = { "lessons/l1.en.md", "q1.json" } },
  { "path/image-escapes", BUILD_FOLDER, .file_path = "lessons/l1.en.md",
    .file_contents = "# One\n\n![Out](../../../etc/passwd.png)\n",
    .code = SY_PACKAGE_ERROR_UNSAFE_PATH, .where = { "lessons/l1.en.md", "passwd.png", ".." } },
  { "path/absolute-reference", BUILD_FOLDER, "\"file\": \"quizzes/q1.json\"", "\"file\": \"/etc/q1.json\"",
    .code = SY_PACKAGE_ERROR_UNSAFE_PATH, .where = { "course.json", "modules[0].items[1].file", "absolute" } },
  { "text/not-utf8", BUILD_FOLDER, .file_path = "lessons/l1.zh_CN.md",
    .file_contents = "# \xb5\xda\xd2\xbb\xbf\xce\n",
    .code = SY_PACKAGE_ERROR_NOT_UTF8, .where = { "lessons/l1.zh_CN.md", "UTF-8" } },
  { "quiz/bad-gift", BUILD_FOLDER, "\"file\": \"quizzes/q1.json\"", "\"file\": \"quizzes/q1.gift\"",
    .file_path = "quizzes/q1.gift", .file_contents = "// a quiz\n::q1:: Soap or water? {=soap ~water\n",
    .code = SY_PACKAGE_ERROR_INVALID_FIELD, .where = { "quizzes/q1.gift", "line" } },
  { "puzzle/item-on-wall", BUILD_FOLDER, "\"file\": \"quizzes/q1.json\"}",
    "\"file\": \"quizzes/q1.json\"},\n      {\"id\": \"p1\", \"type\": \"puzzle\", "
    "\"title\": {\"zh_CN\": \"谜题\", \"en\": \"Puzzle\"}, \"file\": \"puzzles/p1.json\"}",
    .file_path = "puzzles/p1.json",
    .file_contents = "{\"width\": 4, \"height\": 3, \"start\": {\"x\": 0, \"y\": 2, \"dir\": \"east\"},"
                     " \"goal\": {\"x\": 3, \"y\": 0}, \"walls\": [[1, 1]], \"collect\": [[1, 1]],"
                     " \"blocks\": [\"forward\", \"left\"], \"max_blocks\": 6}",
    .code = SY_PACKAGE_ERROR_INVALID_FIELD, .where = { "puzzles/p1.json", "wall" } },
  { "quiz/bad-answer", BUILD_FOLDER, .file_path = "quizzes/q1.json",
    .file_contents = "{\"questions\": [{\"id\": \"a\", \"type\": \"single\", \"prompt\": \"?\","
                     " \"options\": [{\"id\": \"x\", \"text\": \"X\"}, {\"id\": \"y\", \"text\": \"Y\"}],"
                     " \"answer\": \"z\"}]}",
    .code = SY_PACKAGE_ERROR_INVALID_FIELD, .where = { "quizzes/q1.json", "questions[0].answer", "z" } },
  { "package/no-course-json", BUILD_FOLDER, .custom = remove_course_json,
    .code = SY_PACKAGE_ERROR_NOT_A_PACKAGE, .where = { "course.json" } },
  { "folder/symlink", BUILD_FOLDER, .custom = add_symlink,
    .code = SY_PACKAGE_ERROR_UNSAFE_ENTRY, .where = { "media/secret.svg", "link" } },
  { "folder/fifo", BUILD_FOLDER, .custom = add_fifo,
    .code = SY_PACKAGE_ERROR_UNSAFE_ENTRY, .where = { "media/pipe.svg", "FIFO" } },
  { "limits/too-many-files", BUILD_FOLDER, .custom = add_many_files, .limits_files = 10,
    .code = SY_PACKAGE_ERROR_TOO_MANY_FILES, .where = { "10 files" } },
  { "limits/file-too-large", BUILD_FOLDER, .custom = add_big_file, .limits_file_size = 1500,
    .code = SY_PACKAGE_ERROR_FILE_TOO_LARGE, .where = { "media/big.txt" } },
  { "limits/total-too-large", BUILD_FOLDER, .custom = add_five_kib_files, .limits_total = 4500,
    .code = SY_PACKAGE_ERROR_TOO_LARGE, .where = { "larger" } },
  { "zip/dot-dot", BUILD_ZIP, .zip_extra = { "../evil.txt", TEST_ENTRY_FILE, "pwned" },
    .code = SY_PACKAGE_ERROR_UNSAFE_PATH, .where = { "../evil.txt", ".." } },
  { "zip/dot-dot-inside", BUILD_ZIP, .zip_extra = { "media/../../evil.txt", TEST_ENTRY_FILE, "pwned" },
    .code = SY_PACKAGE_ERROR_UNSAFE_PATH, .where = { "media/../../evil.txt" } },
  { "zip/absolute", BUILD_ZIP, .zip_extra = { "/tmp/evil.txt", TEST_ENTRY_FILE, "pwned" },
    .code = SY_PACKAGE_ERROR_UNSAFE_PATH, .where = { "/tmp/evil.txt", "absolute" } },
  { "zip/backslash", BUILD_ZIP, .zip_extra = { "media\\..\\..\\evil.txt", TEST_ENTRY_FILE, "pwned" },
    .code = SY_PACKAGE_ERROR_UNSAFE_PATH, .where = { "evil.txt" } },
  { "zip/symlink", BUILD_ZIP, .zip_extra = { "media/link.svg", TEST_ENTRY_SYMLINK, "/etc/passwd" },
    .code = SY_PACKAGE_ERROR_UNSAFE_ENTRY, .where = { "media/link.svg", "link" } },
  { "zip/device", BUILD_ZIP, .zip_extra = { "media/tty", TEST_ENTRY_CHARDEV },
    .code = SY_PACKAGE_ERROR_UNSAFE_ENTRY, .where = { "media/tty", "device" } },
  { "zip/duplicate-entry", BUILD_ZIP, .zip_extra = { "media/pic.svg", TEST_ENTRY_FILE, "<svg/>" },
    .code = SY_PACKAGE_ERROR_DUPLICATE_ENTRY, .where = { "media/pic.svg", "twice" } },
  { "zip/bomb", BUILD_ZIP, .zip_extra = { "media/bomb.bin", TEST_ENTRY_FILE, NULL, 40 * 1024 * 1024 },
    .code = SY_PACKAGE_ERROR_COMPRESSION_RATIO, .where = { "media/bomb.bin", "zip bomb" } },
  { "zip/truncated", BUILD_ZIP, .zip_extra = { "media/more.svg", TEST_ENTRY_FILE, TINY_SVG },
    .custom = NULL, .code = SY_PACKAGE_ERROR_CORRUPT, .where = { "pkg.zip", "damaged" } },
};

static void
test_malformed (gconstpointer data)
{
  const MalformedCase *mc = data;
  g_autofree char *dir = test_make_temp_dir ("malformed");
  g_autofree char *good = g_build_filename (dir, "good", NULL);
  g_autofree char *pkg = g_build_filename (dir, "pkg", NULL);
  g_autofree char *zip = g_build_filename (dir, "pkg.zip", NULL);
  g_autofree char *data_dir = g_build_filename (dir, "data", NULL);
  g_autoptr(SyStore) store = open_store (data_dir);
  g_autoptr(SyCourse) course = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  const char *target;

  /* version 1 installed; the broken package is version 2 of the same course, so any
   * partial update would show */
  write_tiny (good, 1, NULL, NULL);
  course = import_path (store, good, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&course);
  before = snapshot (store);

  if (mc->kind == BUILD_FOLDER)
    {
      write_tiny (pkg, 2, mc->json_from, mc->json_to);
      if (mc->file_path)
        test_write_file (pkg, mc->file_path, mc->file_contents);
      if (mc->custom)
        mc->custom (pkg);
      target = pkg;
    }
  else
    {
      TestEntry entries[G_N_ELEMENTS (tiny_files) + 1];
      g_autofree char *json = replace (TINY_JSON, NULL, NULL);

      memcpy (entries, tiny_files, sizeof tiny_files);
      entries[G_N_ELEMENTS (tiny_files)] = mc->zip_extra;
      test_write_zip (zip, entries, G_N_ELEMENTS (entries));
      if (mc->code == SY_PACKAGE_ERROR_CORRUPT)
        {
          struct stat st;
          g_assert_cmpint (stat (zip, &st), ==, 0);
          g_assert_cmpint (truncate (zip, st.st_size / 2), ==, 0);
        }
      target = zip;
    }

  if (mc->limits_files || mc->limits_file_size || mc->limits_total)
    {
      SyPackageLimits limits = *sy_package_default_limits ();

      if (mc->limits_files)
        limits.max_files = mc->limits_files;
      if (mc->limits_file_size)
        limits.max_file_size = mc->limits_file_size;
      if (mc->limits_total)
        limits.max_total_size = mc->limits_total;
      _sy_store_set_package_limits (store, &limits);
    }

  course = import_path (store, target, NULL, &error);
  g_assert_null (course);
  g_assert_error (error, SY_PACKAGE_ERROR, mc->code);
  for (guint i = 0; i < G_N_ELEMENTS (mc->where) && mc->where[i]; i++)
    if (strstr (error->message, mc->where[i]) == NULL)
      g_error ("“%s” is not in the message: %s", mc->where[i], error->message);
  g_test_message ("%s", error->message);

  after = snapshot (store);
  g_assert_cmpstr (before, ==, after);
  sy_rm_rf (dir, NULL);
}

/* The base package itself is fine, as a folder and as a zip: the corpus fails for its
 * own reasons. */
static void
test_tiny_is_valid (void)
{
  g_autofree char *dir = test_make_temp_dir ("tiny");
  g_autofree char *pkg = g_build_filename (dir, "pkg", NULL);
  g_autofree char *zip = g_build_filename (dir, "pkg.zip", NULL);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autoptr(SyStore) store = open_store (data);
  g_autoptr(SyCourse) a = NULL;
  g_autoptr(SyCourse) b = NULL;
  g_autoptr(GError) error = NULL;
  SyImportOutcome outcome;

  write_tiny (pkg, 2, NULL, NULL);
  test_write_zip (zip, tiny_files, G_N_ELEMENTS (tiny_files));
  a = import_path (store, pkg, &outcome, &error);
  g_assert_no_error (error);
  g_assert_cmpint (outcome, ==, SY_IMPORT_INSTALLED);
  b = import_path (store, zip, &outcome, &error);
  g_assert_no_error (error);
  g_assert_cmpint (outcome, ==, SY_IMPORT_UNCHANGED);
  g_assert_cmpstr (sy_course_get_sha256 (a), ==, sy_course_get_sha256 (b));
  sy_rm_rf (dir, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/package/samples/import", test_samples_import);
  g_test_add_func ("/package/samples/zip-equals-folder", test_samples_zip);
  g_test_add_func ("/package/reimport-is-noop", test_reimport_noop);
  g_test_add_func ("/package/update-keeps-progress", test_update_keeps_progress);
  g_test_add_func ("/package/older-refused", test_older_refused);
  g_test_add_func ("/package/interrupted-import-collected", test_interrupted_import_collected);
  g_test_add_func ("/package/zip-gb18030-names", test_gb18030_zip_names);
  g_test_add_func ("/package/gift-quiz", test_gift_quiz);
  g_test_add_func ("/package/malformed/base-is-valid", test_tiny_is_valid);
  for (guint i = 0; i < G_N_ELEMENTS (malformed); i++)
    {
      g_autofree char *path = g_strdup_printf ("/package/malformed/%s", malformed[i].name);
      g_test_add_data_func (path, &malformed[i], test_malformed);
    }

  return g_test_run ();
}

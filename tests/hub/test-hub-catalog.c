/* test-hub-catalog.c — publishing courses, the catalog and package downloads
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything goes through a real hub: packages are published with `shuyuan-hub publish`
 * on the hub's storage target (while it serves, as an operator would), and read back over
 * HTTP. The requests here use their own SoupSession without a content decoder, so the
 * test sees the bytes on the wire (gzip, ranges) exactly.
 */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#include "hub-store.h"
#include "hub-test-util.h"

#define CHUNK (256 * 1024)

/* a name of our own, so a shared header declaring json_object's cleanup cannot clash */
typedef json_object CatJson;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CatJson, json_object_put)

static const char * const sample_names[] = {
  "coding-for-kids", "retail-bookkeeping", "village-doctor-hygiene", NULL
};

/* State shared by the tests, which run in order on one hub. */
static struct
{
  char        *target;
  char        *tmp;           /* scratch folder */
  HubTestHub  *hub;
  SoupSession *session;
  GHashTable  *sha256;        /* course id → sha256 published (version 1) */
  GHashTable  *ids;           /* sample folder name → course id */
  GHashTable  *versions;      /* course id → version published from the samples */
  char        *coordinator;   /* "carol:SECRET" */
} t;

/* The hub's pid, for the signal handler below. */
static volatile pid_t hub_pid;

/* A failed assertion aborts the test without stopping the hub, which would then keep the
 * test's standard error open and leave meson waiting for the timeout: kill it first.
 * (Only async-signal-safe calls here.) */
static void
kill_hub_on_abort (int sig)
{
  if (hub_pid > 0)
    kill (hub_pid, SIGKILL);
  signal (sig, SIG_DFL);
  raise (sig);
}

/* ---- helpers ---- */

typedef struct
{
  guint               status;
  SoupMessageHeaders *headers;
  GBytes             *body;
} Resp;

static void
resp_free (Resp *r)
{
  g_clear_pointer (&r->headers, soup_message_headers_unref);
  g_clear_pointer (&r->body, g_bytes_unref);
  g_free (r);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Resp, resp_free)

static const char *
header (Resp       *r,
        const char *name)
{
  return soup_message_headers_get_one (r->headers, name);
}

/* A request as it goes on the wire: @auth "name:secret" or NULL; extra headers as
 * NULL-terminated name, value pairs. */
static Resp *
request (const char *method,
         const char *path,
         const char *auth,
         ...)
{
  g_autofree char *url = g_strconcat (t.hub->url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *h;
  Resp *r = g_new0 (Resp, 1);
  const char *name;
  va_list args;

  g_assert_nonnull (msg);
  h = soup_message_get_request_headers (msg);
  if (auth != NULL)
    {
      g_autofree char *b64 = g_base64_encode ((const guchar *) auth, strlen (auth));
      g_autofree char *value = g_strconcat ("Basic ", b64, NULL);
      soup_message_headers_replace (h, "Authorization", value);
    }
  va_start (args, auth);
  while ((name = va_arg (args, const char *)) != NULL)
    soup_message_headers_replace (h, name, va_arg (args, const char *));
  va_end (args);

  r->body = soup_session_send_and_read (t.session, msg, NULL, &error);
  g_assert_no_error (error);
  r->status = soup_message_get_status (msg);
  r->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
  return r;
}

static void
assert_status (Resp  *r,
               guint  expected)
{
  if (r->status != expected)
    g_error ("expected HTTP %u, got %u: %.*s", expected, r->status,
             (int) MIN (g_bytes_get_size (r->body), 500),
             (const char *) g_bytes_get_data (r->body, NULL));
}

static json_object *
parse_body (GBytes *body)
{
  g_autofree char *text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  json_object *obj = json_tokener_parse (text);

  g_assert_nonnull (obj);
  return obj;
}

static char *
sha256_of (GBytes *bytes)
{
  return g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
}

static GBytes *
gunzip (GBytes *bytes)
{
  g_autoptr(GZlibDecompressor) decompressor = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  g_autoptr(GInputStream) raw = g_memory_input_stream_new_from_bytes (bytes);
  g_autoptr(GInputStream) in = g_converter_input_stream_new (raw, G_CONVERTER (decompressor));
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  g_output_stream_splice (out, in, G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE |
                                   G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error);
  g_assert_no_error (error);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

static void
copy_tree (const char *from,
           const char *to)
{
  g_autoptr(GDir) dir = g_dir_open (from, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  g_assert_cmpint (g_mkdir_with_parents (to, 0755), ==, 0);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *src = g_build_filename (from, name, NULL);
      g_autofree char *dst = g_build_filename (to, name, NULL);

      if (g_file_test (src, G_FILE_TEST_IS_DIR))
        copy_tree (src, dst);
      else
        {
          g_autofree char *contents = NULL;
          gsize len;
          g_assert_true (g_file_get_contents (src, &contents, &len, NULL));
          g_assert_true (g_file_set_contents (dst, contents, len, NULL));
        }
    }
}

/* Adds the files below @dir to @a as PREFIX/REL (the layout zip tools make). */
static void
zip_add_tree (struct archive *a,
              const char     *root,
              const char     *rel,
              const char     *prefix)
{
  g_autofree char *dir_path = rel ? g_build_filename (root, rel, NULL) : g_strdup (root);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = rel ? g_strconcat (rel, "/", name, NULL) : g_strdup (name);
      g_autofree char *full = g_build_filename (root, child, NULL);
      g_autofree char *contents = NULL;
      g_autofree char *entry_name = NULL;
      struct archive_entry *entry;
      gsize len;

      if (g_file_test (full, G_FILE_TEST_IS_DIR))
        {
          zip_add_tree (a, root, child, prefix);
          continue;
        }
      g_assert_true (g_file_get_contents (full, &contents, &len, NULL));
      entry_name = g_strconcat (prefix, "/", child, NULL);
      entry = archive_entry_new ();
      archive_entry_set_pathname (entry, entry_name);
      archive_entry_set_filetype (entry, AE_IFREG);
      archive_entry_set_perm (entry, 0600);
      archive_entry_set_size (entry, len);
      archive_entry_set_mtime (entry, 1700000000, 0);
      g_assert_cmpint (archive_write_header (a, entry), ==, ARCHIVE_OK);
      g_assert_cmpint (archive_write_data (a, contents, len), ==, (la_ssize_t) len);
      archive_entry_free (entry);
    }
}

/* A .zip of @folder made differently from the hub's: files stored uncompressed, inside
 * one wrapping folder, other times and modes. */
static void
zip_folder_differently (const char *folder,
                        const char *zip_path)
{
  struct archive *a = archive_write_new ();

  g_assert_cmpint (archive_write_set_format_zip (a), ==, ARCHIVE_OK);
  g_assert_cmpint (archive_write_zip_set_compression_store (a), ==, ARCHIVE_OK);
  g_assert_cmpint (archive_write_open_filename (a, zip_path), ==, ARCHIVE_OK);
  zip_add_tree (a, folder, NULL, "wrapped");
  g_assert_cmpint (archive_write_close (a), ==, ARCHIVE_OK);
  archive_write_free (a);
}

static char *
sample_path (const char *name)
{
  const char *samples = g_getenv ("SHUYUAN_SAMPLES");

  g_assert_nonnull (samples);
  return g_build_filename (samples, name, NULL);
}

/* A copy of sample @name in the scratch folder as @copy, with course.json changed by
 * @edit (may be NULL). */
static char *
sample_copy (const char *name,
             const char *copy,
             void      (*edit) (json_object *course, gpointer data),
             gpointer    data)
{
  g_autofree char *from = sample_path (name);
  char *to = g_build_filename (t.tmp, copy, NULL);
  g_autofree char *course_json = g_build_filename (to, "course.json", NULL);
  json_object *course;

  copy_tree (from, to);
  if (edit != NULL)
    {
      course = json_object_from_file (course_json);
      g_assert_nonnull (course);
      edit (course, data);
      g_assert_cmpint (json_object_to_file_ext (course_json, course,
                                                JSON_C_TO_STRING_PRETTY), ==, 0);
      json_object_put (course);
    }
  return to;
}

static void
edit_id (json_object *course,
         gpointer     data)
{
  json_object_object_add (course, "id", json_object_new_string (data));
}

static void
edit_version (json_object *course,
              gpointer     data)
{
  json_object_object_add (course, "version", json_object_new_int (GPOINTER_TO_INT (data)));
}

static void
edit_broken (json_object *course,
             gpointer     data)
{
  json_object_object_add (course, "id", json_object_new_string (data));
  json_object_object_del (course, "title");
}

/* Runs `publish PATH`; returns the exit status; the entry printed on success. */
static int
publish (const char   *path,
         json_object **entry,
         char        **err_out)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = hub_test_hub_command (t.target, &out, &err, "publish", path, NULL);

  if (entry)
    *entry = status == 0 ? json_tokener_parse (out) : NULL;
  if (status == 0 && entry)
    g_assert_nonnull (*entry);
  if (err_out)
    *err_out = g_steal_pointer (&err);
  return status;
}

static const char *
entry_str (json_object *obj,
           const char  *key)
{
  json_object *val = NULL;

  g_assert_true (json_object_object_get_ex (obj, key, &val));
  return json_object_get_string (val);
}

static json_object *
catalog_course (json_object *catalog,
                const char  *id)
{
  json_object *courses = NULL;

  g_assert_true (json_object_object_get_ex (catalog, "courses", &courses));
  for (size_t i = 0; i < json_object_array_length (courses); i++)
    {
      json_object *c = json_object_array_get_idx (courses, i);
      if (g_str_equal (entry_str (c, "id"), id))
        return c;
    }
  return NULL;
}

static json_object *
get_catalog (void)
{
  g_autoptr(Resp) r = request ("GET", "/api/v1/catalog", t.hub->admin, NULL);

  assert_status (r, 200);
  return parse_body (r->body);
}

static char *
package_path (const char *id,
              int         version)
{
  return g_strdup_printf ("/api/v1/packages/%s/%d", id, version);
}

/* Rows in a table of the hub's database, looked at directly (with an optional WHERE). */
static gint64
count_rows (const char *table,
            const char *where)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HubStore) store = hub_store_open (t.target, &error);
  g_autofree char *sql = g_strdup_printf ("SELECT COUNT(*) FROM %s%s%s", table,
                                          where ? " WHERE " : "", where ? where : "");
  HubDbStmt *stmt;
  HubDb *db;
  gint64 n;

  g_assert_no_error (error);
  db = hub_store_db (store, &error);
  g_assert_no_error (error);
  stmt = hub_db_prepare (db, sql, &error);
  g_assert_no_error (error);
  g_assert_true (hub_db_step (stmt, &error));
  n = hub_db_column_int64 (stmt, 0);
  hub_db_reset (stmt);
  return n;
}

static int
version_of (const char *id)
{
  return GPOINTER_TO_INT (g_hash_table_lookup (t.versions, id));
}

/* The course.json of a sample, as it is in the source tree. */
static json_object *
sample_course_json (const char *name)
{
  g_autofree char *folder = sample_path (name);
  g_autofree char *path = g_build_filename (folder, "course.json", NULL);
  json_object *course = json_object_from_file (path);

  g_assert_nonnull (course);
  return course;
}

static char *
range_header (gint64 from,
              gint64 to)
{
  if (to < 0)
    return g_strdup_printf ("bytes=%" G_GINT64_FORMAT "-", from);
  return g_strdup_printf ("bytes=%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT, from, to);
}

/* Downloads a package by ranges split at @cuts (sorted offsets) and checks each part. */
static GBytes *
download_by_ranges (const char   *path,
                    gint64        size,
                    const gint64 *cuts,
                    guint         n_cuts)
{
  g_autoptr(GByteArray) whole = g_byte_array_new ();
  gint64 from = 0;

  for (guint i = 0; i <= n_cuts; i++)
    {
      gint64 to = i < n_cuts ? cuts[i] - 1 : -1;
      g_autofree char *range = range_header (from, to);
      g_autofree char *expected = g_strdup_printf ("bytes %" G_GINT64_FORMAT "-%"
                                                   G_GINT64_FORMAT "/%" G_GINT64_FORMAT,
                                                   from, to < 0 ? size - 1 : to, size);
      g_autoptr(Resp) r = request ("GET", path, t.hub->admin, "Range", range, NULL);

      assert_status (r, 206);
      g_assert_cmpstr (header (r, "Content-Range"), ==, expected);
      g_assert_cmpuint (g_bytes_get_size (r->body), ==, (to < 0 ? size : to + 1) - from);
      g_byte_array_append (whole, g_bytes_get_data (r->body, NULL), g_bytes_get_size (r->body));
      from = to + 1;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&whole));
}

/* ---- tests ---- */

static void
test_publish_samples (void)
{
  for (guint i = 0; sample_names[i]; i++)
    {
      g_autofree char *path = sample_path (sample_names[i]);
      g_autofree char *err = NULL;
      json_object *entry = NULL;
      const char *sha;

      if (publish (path, &entry, &err) != 0)
        g_error ("publishing %s failed: %s", path, err);
      sha = entry_str (entry, "sha256");
      g_assert_cmpuint (strlen (sha), ==, 64);
      {
        g_autoptr(CatJson) course = sample_course_json (sample_names[i]);
        g_assert_cmpint (json_object_get_int (json_object_object_get (entry, "version")), ==,
                         json_object_get_int (json_object_object_get (course, "version")));
        g_assert_cmpstr (entry_str (entry, "id"), ==, entry_str (course, "id"));
      }
      g_hash_table_insert (t.versions, g_strdup (entry_str (entry, "id")),
                           GINT_TO_POINTER (json_object_get_int (json_object_object_get (entry, "version"))));
      g_assert_cmpint (json_object_get_int64 (json_object_object_get (entry, "size")), >, 1000);
      g_hash_table_insert (t.sha256, g_strdup (entry_str (entry, "id")), g_strdup (sha));
      g_hash_table_insert (t.ids, g_strdup (sample_names[i]), g_strdup (entry_str (entry, "id")));
      json_object_put (entry);
    }
}

static void
test_publish_again_is_noop (void)
{
  gint64 packages = count_rows ("packages", NULL);
  gint64 chunks = count_rows ("package_chunks", NULL);

  /* the same folder again, and an identical copy elsewhere: deterministic zip, same bytes */
  for (guint k = 0; k < 2; k++)
    {
      g_autofree char *path = k == 0 ? sample_path ("retail-bookkeeping")
                                     : sample_copy ("retail-bookkeeping", "retail-copy", NULL, NULL);
      g_autofree char *err = NULL;
      json_object *entry = NULL;
      const char *id;

      if (publish (path, &entry, &err) != 0)
        g_error ("publishing %s again failed: %s", path, err);
      id = entry_str (entry, "id");
      g_assert_cmpstr (entry_str (entry, "sha256"), ==, g_hash_table_lookup (t.sha256, id));
      json_object_put (entry);
    }
  g_assert_cmpint (count_rows ("packages", NULL), ==, packages);
  g_assert_cmpint (count_rows ("package_chunks", NULL), ==, chunks);
}

static void
test_publish_invalid (void)
{
  g_autofree char *broken = sample_copy ("village-doctor-hygiene", "broken",
                                         edit_broken, (gpointer) "broken-course");
  g_autofree char *err = NULL;
  g_autofree char *missing = g_build_filename (t.tmp, "no-such-course", NULL);
  g_autoptr(CatJson) catalog = NULL;
  gint64 packages = count_rows ("packages", NULL);
  gint64 chunks = count_rows ("package_chunks", NULL);

  g_assert_cmpint (publish (broken, NULL, &err), !=, 0);
  /* the checker's message: file, field and what to fix */
  g_assert_nonnull (strstr (err, "course.json: title: this field is required"));

  g_clear_pointer (&err, g_free);
  g_assert_cmpint (publish (missing, NULL, &err), !=, 0);
  g_assert_nonnull (strstr (err, "no-such-course"));

  catalog = get_catalog ();
  g_assert_null (catalog_course (catalog, "broken-course"));
  g_assert_cmpint (count_rows ("packages", NULL), ==, packages);
  g_assert_cmpint (count_rows ("package_chunks", NULL), ==, chunks);
}

static void
test_publish_changed_version_refused (void)
{
  g_autofree char *copy = sample_copy ("coding-for-kids", "cfk-changed", NULL, NULL);
  g_autofree char *lesson = NULL;
  g_autofree char *err = NULL;
  g_autofree char *lessons = g_build_filename (copy, "lessons", NULL);
  g_autoptr(GDir) dir = g_dir_open (lessons, 0, NULL);
  const char *id = g_hash_table_lookup (t.ids, "coding-for-kids");
  g_autoptr(CatJson) catalog = NULL;
  json_object *course;
  FILE *f;

  /* the same id and version, one lesson a little longer */
  g_assert_nonnull (dir);
  lesson = g_build_filename (lessons, g_dir_read_name (dir), NULL);
  f = g_fopen (lesson, "a");
  g_assert_nonnull (f);
  fputs ("\nOne more sentence.\n", f);
  fclose (f);

  gint64 packages = count_rows ("packages", NULL);
  gint64 chunks = count_rows ("package_chunks", NULL);

  g_assert_cmpint (publish (copy, NULL, &err), !=, 0);
  g_assert_nonnull (strstr (err, "already published with different content"));
  g_assert_cmpint (count_rows ("packages", NULL), ==, packages);
  g_assert_cmpint (count_rows ("package_chunks", NULL), ==, chunks);
  g_assert_nonnull (strstr (err, "version"));

  catalog = get_catalog ();
  course = catalog_course (catalog, id);
  g_assert_nonnull (course);
  g_assert_cmpstr (entry_str (course, "sha256"), ==, g_hash_table_lookup (t.sha256, id));
}

static void
test_catalog (void)
{
  g_autoptr(Resp) r = request ("GET", "/api/v1/catalog", t.hub->admin, NULL);
  g_autoptr(CatJson) catalog = NULL;
  json_object *courses, *generated;
  const char *etag;

  assert_status (r, 200);
  g_assert_cmpstr (header (r, "Content-Type"), ==, "application/json");
  g_assert_null (header (r, "Content-Encoding"));
  g_assert_nonnull (strstr (header (r, "Vary"), "Accept-Encoding"));
  etag = header (r, "ETag");
  g_assert_nonnull (etag);
  g_assert_true (etag[0] == '"');

  catalog = parse_body (r->body);
  g_assert_true (json_object_object_get_ex (catalog, "courses", &courses));
  g_assert_cmpuint (json_object_array_length (courses), ==, 3);
  g_assert_true (json_object_object_get_ex (catalog, "generated", &generated));
  g_assert_true (json_object_is_type (generated, json_type_string));

  for (guint i = 0; sample_names[i]; i++)
    {
      const char *id = g_hash_table_lookup (t.ids, sample_names[i]);
      json_object *c = catalog_course (catalog, id), *titles, *val;
      g_autofree char *path = package_path (id, version_of (id));
      g_autofree char *url = g_strconcat (t.hub->url, path, NULL);
      g_autoptr(GDateTime) published = NULL;

      g_assert_nonnull (c);
      g_assert_cmpint (json_object_get_int (json_object_object_get (c, "version")), ==,
                       version_of (id));
      g_assert_true (json_object_object_get_ex (c, "titles", &titles));
      g_assert_nonnull (json_object_object_get (titles, "zh_CN"));
      g_assert_nonnull (json_object_object_get (titles, "en"));
      g_assert_cmpuint (strlen (entry_str (c, "programme")), >, 0);
      g_assert_cmpstr (entry_str (c, "sha256"), ==, g_hash_table_lookup (t.sha256, id));
      g_assert_cmpuint (strlen (entry_str (c, "content_sha256")), ==, 64);
      g_assert_cmpstr (entry_str (c, "content_sha256"), !=, entry_str (c, "sha256"));
      g_assert_cmpstr (entry_str (c, "url"), ==, url);
      g_assert_true (json_object_object_get_ex (c, "size", &val));
      g_assert_cmpint (json_object_get_int64 (val), >, 1000);
      g_assert_true (json_object_object_get_ex (c, "class_hours", &val));
      g_assert_true (json_object_is_type (val, json_type_int) ||
                     json_object_is_type (val, json_type_double));
      g_assert_cmpfloat (json_object_get_double (val), >, 0);
      g_assert_true (json_object_object_get_ex (c, "credits", &val));
      published = g_date_time_new_from_iso8601 (entry_str (c, "published"), NULL);
      g_assert_nonnull (published);
      g_assert_null (json_object_object_get (c, "path"));
    }
  /* class hours, credits and titles as in each course.json */
  for (guint i = 0; sample_names[i]; i++)
    {
      g_autoptr(CatJson) course = sample_course_json (sample_names[i]);
      json_object *c = catalog_course (catalog, g_hash_table_lookup (t.ids, sample_names[i]));
      json_object *credits = NULL, *title = json_object_object_get (course, "title");

      g_assert_cmpfloat (json_object_get_double (json_object_object_get (c, "class_hours")), ==,
                         json_object_get_double (json_object_object_get (course, "class_hours")));
      if (json_object_object_get_ex (course, "credits", &credits))
        g_assert_cmpfloat (json_object_get_double (json_object_object_get (c, "credits")), ==,
                           json_object_get_double (credits));
      else
        g_assert_null (json_object_object_get (c, "credits"));
      g_assert_cmpstr (entry_str (c, "programme"), ==, entry_str (course, "programme"));
      json_object_object_foreach (title, lang, text)
        g_assert_cmpstr (json_object_get_string (json_object_object_get (
                           json_object_object_get (c, "titles"), lang)),
                         ==, json_object_get_string (text));
    }

  /* If-None-Match: 304 with the tag, 200 with another */
  {
    g_autoptr(Resp) again = request ("GET", "/api/v1/catalog", t.hub->admin, NULL);
    g_autoptr(Resp) same = request ("GET", "/api/v1/catalog", t.hub->admin,
                                    "If-None-Match", etag, NULL);
    g_autoptr(Resp) other = request ("GET", "/api/v1/catalog", t.hub->admin,
                                     "If-None-Match", "\"something-else\", W/\"x\"", NULL);
    g_autoptr(Resp) listed = NULL;
    g_autofree char *list = g_strdup_printf ("\"a\", W/%s", etag);

    assert_status (again, 200);
    g_assert_cmpstr (header (again, "ETag"), ==, etag);
    g_assert_true (g_bytes_equal (again->body, r->body));
    assert_status (same, 304);
    g_assert_cmpstr (header (same, "ETag"), ==, etag);
    g_assert_cmpuint (g_bytes_get_size (same->body), ==, 0);
    assert_status (other, 200);
    listed = request ("GET", "/api/v1/catalog", t.hub->admin, "If-None-Match", list, NULL);
    assert_status (listed, 304);
  }

  /* gzip: same JSON, its own tag, and 304 for it too */
  {
    g_autoptr(Resp) gz = request ("GET", "/api/v1/catalog", t.hub->admin,
                                  "Accept-Encoding", "deflate, gzip;q=0.8", NULL);
    g_autoptr(Resp) refused = request ("GET", "/api/v1/catalog", t.hub->admin,
                                       "Accept-Encoding", "gzip;q=0, identity", NULL);
    g_autoptr(Resp) star = request ("GET", "/api/v1/catalog", t.hub->admin,
                                    "Accept-Encoding", "*", NULL);
    g_autoptr(Resp) cached = NULL;
    g_autoptr(GBytes) plain = NULL;

    assert_status (gz, 200);
    g_assert_cmpstr (header (gz, "Content-Encoding"), ==, "gzip");
    g_assert_nonnull (strstr (header (gz, "Vary"), "Accept-Encoding"));
    g_assert_nonnull (header (gz, "ETag"));
    g_assert_cmpstr (header (gz, "ETag"), !=, etag);
    g_assert_cmpuint (g_bytes_get_size (gz->body), <, g_bytes_get_size (r->body));
    plain = gunzip (gz->body);
    g_assert_true (g_bytes_equal (plain, r->body));

    cached = request ("GET", "/api/v1/catalog", t.hub->admin, "Accept-Encoding", "gzip",
                      "If-None-Match", header (gz, "ETag"), NULL);
    assert_status (cached, 304);
    g_assert_cmpstr (header (cached, "ETag"), ==, header (gz, "ETag"));

    assert_status (refused, 200);
    g_assert_null (header (refused, "Content-Encoding"));
    g_assert_true (g_bytes_equal (refused->body, r->body));
    assert_status (star, 200);
    g_assert_cmpstr (header (star, "Content-Encoding"), ==, "gzip");
  }
}

static void
check_package_headers (Resp       *r,
                       const char *sha)
{
  g_autofree char *etag = g_strdup_printf ("\"%s\"", sha);
  g_autofree guchar *raw = g_malloc (32);
  g_autofree char *b64 = NULL;
  g_autofree char *digest = NULL;

  for (guint i = 0; i < 32; i++)
    raw[i] = (g_ascii_xdigit_value (sha[2 * i]) << 4) | g_ascii_xdigit_value (sha[2 * i + 1]);
  b64 = g_base64_encode (raw, 32);
  digest = g_strconcat ("sha-256=", b64, NULL);

  g_assert_cmpstr (header (r, "ETag"), ==, etag);
  g_assert_cmpstr (header (r, "X-Content-SHA256"), ==, sha);
  g_assert_cmpstr (header (r, "Digest"), ==, digest);
  g_assert_cmpstr (header (r, "Accept-Ranges"), ==, "bytes");
}

static void
test_download (void)
{
  for (guint i = 0; sample_names[i]; i++)
    {
      const char *id = g_hash_table_lookup (t.ids, sample_names[i]);
      const char *sha = g_hash_table_lookup (t.sha256, id);
      g_autofree char *path = package_path (id, version_of (id));
      g_autofree char *etag = g_strdup_printf ("\"%s\"", sha);
      g_autofree char *body_sha = NULL;
      g_autofree char *length = NULL;
      g_autoptr(Resp) r = request ("GET", path, t.hub->admin, NULL);
      g_autoptr(GBytes) joined = NULL;
      gint64 size, half;

      assert_status (r, 200);
      g_assert_cmpstr (header (r, "Content-Type"), ==, "application/zip");
      size = g_bytes_get_size (r->body);
      length = g_strdup_printf ("%" G_GINT64_FORMAT, size);
      g_assert_cmpstr (header (r, "Content-Length"), ==, length);
      body_sha = sha256_of (r->body);
      g_assert_cmpstr (body_sha, ==, sha);
      check_package_headers (r, sha);
      g_assert_cmpmem (g_bytes_get_data (r->body, NULL), 2, "PK", 2);

      /* first half + the rest */
      half = size / 2;
      joined = download_by_ranges (path, size, &half, 1);
      g_assert_true (g_bytes_equal (joined, r->body));

      /* the last 100 bytes; a suffix longer than the package is all of it */
      {
        g_autoptr(Resp) tail = request ("GET", path, t.hub->admin, "Range", "bytes=-100", NULL);
        g_autoptr(Resp) all = request ("GET", path, t.hub->admin, "Range", "bytes=-99999999", NULL);
        g_autoptr(Resp) end = NULL;
        g_autofree char *past_end = g_strdup_printf ("bytes=10-%" G_GINT64_FORMAT, size + 1000);

        assert_status (tail, 206);
        g_assert_cmpuint (g_bytes_get_size (tail->body), ==, 100);
        g_assert_cmpmem (g_bytes_get_data (tail->body, NULL), 100,
                         (const guint8 *) g_bytes_get_data (r->body, NULL) + size - 100, 100);
        check_package_headers (tail, sha);
        assert_status (all, 206);
        g_assert_true (g_bytes_equal (all->body, r->body));
        end = request ("GET", path, t.hub->admin, "Range", past_end, NULL);
        assert_status (end, 206);
        g_assert_cmpuint (g_bytes_get_size (end->body), ==, size - 10);
      }

      /* unsatisfiable */
      {
        g_autofree char *beyond = g_strdup_printf ("bytes=%" G_GINT64_FORMAT "-", size);
        g_autofree char *expected = g_strdup_printf ("bytes */%" G_GINT64_FORMAT, size);
        g_autoptr(Resp) bad = request ("GET", path, t.hub->admin, "Range", beyond, NULL);
        g_autoptr(Resp) zero = request ("GET", path, t.hub->admin, "Range", "bytes=-0", NULL);

        assert_status (bad, 416);
        g_assert_cmpstr (header (bad, "Content-Range"), ==, expected);
        assert_status (zero, 416);
        g_assert_cmpstr (header (zero, "Content-Range"), ==, expected);
      }

      /* If-Range that holds: the right tag, or the Last-Modified date, gives the range
       * (when it does not hold: test_download_if_range_changed) */
      {
        g_autoptr(Resp) hit = request ("GET", path, t.hub->admin, "Range", "bytes=0-9",
                                       "If-Range", etag, NULL);
        g_autoptr(Resp) by_date = NULL;

        assert_status (hit, 206);
        g_assert_cmpuint (g_bytes_get_size (hit->body), ==, 10);
        g_assert_nonnull (header (r, "Last-Modified"));
        by_date = request ("GET", path, t.hub->admin, "Range", "bytes=0-9",
                           "If-Range", header (r, "Last-Modified"), NULL);
        assert_status (by_date, 206);
      }

      /* If-None-Match */
      {
        g_autoptr(Resp) same = request ("GET", path, t.hub->admin, "If-None-Match", etag, NULL);
        g_autoptr(Resp) other = request ("GET", path, t.hub->admin,
                                         "If-None-Match", "\"other\"", NULL);
        assert_status (same, 304);
        g_assert_cmpuint (g_bytes_get_size (same->body), ==, 0);
        g_assert_cmpstr (header (same, "ETag"), ==, etag);
        assert_status (other, 200);
      }

      /* HEAD: the headers of GET, no body */
      {
        g_autoptr(Resp) head = request ("HEAD", path, t.hub->admin, NULL);
        assert_status (head, 200);
        g_assert_cmpstr (header (head, "Content-Length"), ==, length);
        g_assert_cmpuint (g_bytes_get_size (head->body), ==, 0);
        check_package_headers (head, sha);
      }
    }
}

/* If-Range naming another version (another tag, a weak tag, another date) → the whole
 * package with 200, as RFC 9110 §13.1.5 says; so does a request for several ranges. */
static void
test_download_if_range_changed (void)
{
  const char *id = g_hash_table_lookup (t.ids, "retail-bookkeeping");
  g_autofree char *path = package_path (id, version_of (id));
  g_autofree char *weak_tag = g_strdup_printf ("W/\"%s\"",
                                               (char *) g_hash_table_lookup (t.sha256, id));
  const char *if_ranges[] = { "\"0000\"", weak_tag, "Sun, 06 Nov 1994 08:49:37 GMT" };
  g_autoptr(Resp) whole = request ("GET", path, t.hub->admin, NULL);

  assert_status (whole, 200);
  for (guint i = 0; i < G_N_ELEMENTS (if_ranges); i++)
    {
      g_autoptr(Resp) r = request ("GET", path, t.hub->admin, "Range", "bytes=0-9",
                                   "If-Range", if_ranges[i], NULL);
      assert_status (r, 200);
      g_assert_true (g_bytes_equal (r->body, whole->body));
      g_assert_null (header (r, "Content-Range"));
    }
  {
    g_autoptr(Resp) r = request ("GET", path, t.hub->admin, "Range", "bytes=0-9, 20-29", NULL);
    assert_status (r, 200);
    g_assert_true (g_bytes_equal (r->body, whole->body));
  }
}

static void
test_download_not_found (void)
{
  const char *id = g_hash_table_lookup (t.ids, "coding-for-kids");
  g_autofree char *v9 = package_path (id, version_of (id) + 9);
  g_autofree char *vx = g_strdup_printf ("/api/v1/packages/%s/latest", id);
  g_autofree char *extra = g_strdup_printf ("/api/v1/packages/%s/1/more", id);
  const char *paths[] = {
    "/api/v1/packages/no-such-course/1", v9, vx, extra,
    "/api/v1/packages/", "/api/v1/packages/x", "/api/v1/packages",
  };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(Resp) r = request ("GET", paths[i], t.hub->admin, NULL);
      g_autoptr(CatJson) body = NULL;
      json_object *error = NULL;

      assert_status (r, 404);
      body = parse_body (r->body);
      g_assert_true (json_object_object_get_ex (body, "error", &error));
      g_assert_cmpuint (strlen (entry_str (error, "message")), >, 10);
    }
  {
    g_autoptr(Resp) r = request ("GET", "/api/v1/packages/no-such-course/1", t.hub->admin, NULL);
    g_assert_nonnull (g_strstr_len (g_bytes_get_data (r->body, NULL),
                                    g_bytes_get_size (r->body), "no-such-course"));
  }
}

static void
test_new_version (void)
{
  const char *id = g_hash_table_lookup (t.ids, "village-doctor-hygiene");
  int old_version = version_of (id);
  g_autofree char *v2 = sample_copy ("village-doctor-hygiene", "vdh-v2", edit_version,
                                     GINT_TO_POINTER (old_version + 1));
  g_autofree char *err = NULL;
  g_autofree char *old_path = package_path (id, old_version);
  g_autofree char *new_path = package_path (id, old_version + 1);
  g_autoptr(CatJson) catalog = NULL;
  g_autoptr(Resp) old_pkg = NULL;
  g_autoptr(Resp) new_pkg = NULL;
  g_autofree char *old_sha = NULL;
  json_object *entry = NULL, *course, *courses;
  char *new_sha;

  if (publish (v2, &entry, &err) != 0)
    g_error ("publishing the next version failed: %s", err);
  g_assert_cmpint (json_object_get_int (json_object_object_get (entry, "version")), ==,
                   old_version + 1);
  new_sha = g_strdup (entry_str (entry, "sha256"));
  json_object_put (entry);

  catalog = get_catalog ();
  g_assert_true (json_object_object_get_ex (catalog, "courses", &courses));
  g_assert_cmpuint (json_object_array_length (courses), ==, 3);
  course = catalog_course (catalog, id);
  g_assert_cmpint (json_object_get_int (json_object_object_get (course, "version")), ==,
                   old_version + 1);
  g_assert_cmpstr (entry_str (course, "sha256"), ==, new_sha);

  /* the old version stays downloadable */
  old_pkg = request ("GET", old_path, t.hub->admin, NULL);
  assert_status (old_pkg, 200);
  old_sha = sha256_of (old_pkg->body);
  g_assert_cmpstr (old_sha, ==, g_hash_table_lookup (t.sha256, id));
  new_pkg = request ("GET", new_path, t.hub->admin, NULL);
  assert_status (new_pkg, 200);
  check_package_headers (new_pkg, new_sha);
  g_free (new_sha);
}

static void
test_publish_zip (void)
{
  const char *id = g_hash_table_lookup (t.ids, "retail-bookkeeping");
  g_autofree char *path = package_path (id, version_of (id));
  g_autofree char *zip = g_build_filename (t.tmp, "retail.zip", NULL);
  g_autofree char *zip2 = g_build_filename (t.tmp, "retail-renamed.zip", NULL);
  g_autofree char *err = NULL;
  g_autofree char *bad_zip = g_build_filename (t.tmp, "bad.zip", NULL);
  g_autoptr(Resp) r = request ("GET", path, t.hub->admin, NULL);
  json_object *entry = NULL;

  assert_status (r, 200);
  g_assert_true (g_file_set_contents (zip, g_bytes_get_data (r->body, NULL),
                                      g_bytes_get_size (r->body), NULL));

  /* the package the hub made, published as a .zip: same id, version and bytes → no-op */
  if (publish (zip, &entry, &err) != 0)
    g_error ("publishing the downloaded .zip failed: %s", err);
  g_assert_cmpstr (entry_str (entry, "sha256"), ==, g_hash_table_lookup (t.sha256, id));
  json_object_put (entry);

  /* a .zip that is not one */
  g_assert_true (g_file_set_contents (bad_zip, "this is not a zip", -1, NULL));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (publish (bad_zip, NULL, &err), !=, 0);
  g_assert_nonnull (strstr (err, "bad.zip"));

  /* the same files zipped another way: the same version, so a no-op keeping the bytes
   * first published */
  {
    g_autofree char *folder = sample_path ("retail-bookkeeping");
    g_autoptr(GMappedFile) mapped = NULL;
    g_autoptr(GBytes) other = NULL;
    g_autofree char *other_sha = NULL;

    zip_folder_differently (folder, zip2);
    mapped = g_mapped_file_new (zip2, FALSE, NULL);
    g_assert_nonnull (mapped);
    other = g_mapped_file_get_bytes (mapped);
    other_sha = sha256_of (other);
    g_assert_cmpstr (other_sha, !=, g_hash_table_lookup (t.sha256, id));

    g_clear_pointer (&err, g_free);
    if (publish (zip2, &entry, &err) != 0)
      g_error ("publishing a .zip made another way failed: %s", err);
    g_assert_cmpstr (entry_str (entry, "sha256"), ==, g_hash_table_lookup (t.sha256, id));
    json_object_put (entry);
  }

  /* a .zip of a new course is stored as it is, byte for byte */
  {
    g_autofree char *folder = sample_copy ("retail-bookkeeping", "zipped-course", edit_id,
                                           (gpointer) "zipped-course");
    g_autofree char *zip3 = g_build_filename (t.tmp, "zipped-course.zip", NULL);
    g_autofree char *zip_sha = NULL;
    g_autofree char *got_sha = NULL;
    g_autofree char *zip3_path = package_path ("zipped-course", version_of (id));
    g_autoptr(GMappedFile) mapped = NULL;
    g_autoptr(GBytes) bytes = NULL;
    g_autoptr(Resp) got = NULL;

    zip_folder_differently (folder, zip3);
    mapped = g_mapped_file_new (zip3, FALSE, NULL);
    bytes = g_mapped_file_get_bytes (mapped);
    zip_sha = sha256_of (bytes);

    g_clear_pointer (&err, g_free);
    if (publish (zip3, &entry, &err) != 0)
      g_error ("publishing a new .zip failed: %s", err);
    g_assert_cmpstr (entry_str (entry, "sha256"), ==, zip_sha);
    json_object_put (entry);

    got = request ("GET", zip3_path, t.hub->admin, NULL);
    assert_status (got, 200);
    g_assert_true (g_bytes_equal (got->body, bytes));
    got_sha = sha256_of (got->body);
    g_assert_cmpstr (got_sha, ==, zip_sha);
  }
}

/* Several publishers of one new version at once (several hub processes on one database):
 * one stores it, the others find it there, and all succeed. */
static void
test_publish_concurrent (void)
{
  g_autofree char *folder = sample_copy ("village-doctor-hygiene", "concurrent", edit_id,
                                         (gpointer) "concurrent-course");
  const char *binary = g_getenv ("SHUYUAN_HUB");
  const char *option = g_str_has_prefix (t.target, "postgres") ? "--db" : "--data-dir";
  GSubprocess *procs[4];
  g_autofree char *first_sha = NULL;

  g_assert_nonnull (binary);
  for (guint i = 0; i < G_N_ELEMENTS (procs); i++)
    {
      g_autoptr(GError) error = NULL;

      procs[i] = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                   &error, binary, "publish", folder, option, t.target, NULL);
      g_assert_no_error (error);
    }
  for (guint i = 0; i < G_N_ELEMENTS (procs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_autoptr(CatJson) entry = NULL;

      g_assert_true (g_subprocess_communicate_utf8 (procs[i], NULL, NULL, &out, &err, &error));
      g_assert_no_error (error);
      if (!g_subprocess_get_if_exited (procs[i]) || g_subprocess_get_exit_status (procs[i]) != 0)
        g_error ("concurrent publish %u failed: %s", i, err);
      entry = json_tokener_parse (out);
      g_assert_nonnull (entry);
      if (first_sha == NULL)
        first_sha = g_strdup (entry_str (entry, "sha256"));
      g_assert_cmpstr (entry_str (entry, "sha256"), ==, first_sha);
      g_object_unref (procs[i]);
    }

  {
    g_autoptr(CatJson) catalog = get_catalog ();
    json_object *course = catalog_course (catalog, "concurrent-course");

    g_assert_nonnull (course);
    g_assert_cmpstr (entry_str (course, "sha256"), ==, first_sha);
  }
  g_assert_cmpint (count_rows ("packages", "id = 'concurrent-course'"), ==, 1);
}

static void
test_large_package (void)
{
  g_autofree char *folder = sample_copy ("coding-for-kids", "large", edit_id,
                                         (gpointer) "large-course");
  g_autofree char *noise = g_build_filename (folder, "media", "noise.bin", NULL);
  g_autofree char *noise2 = g_build_filename (folder, "media", "noise-2.bin", NULL);
  g_autofree char *path = package_path ("large-course",
                                        version_of (g_hash_table_lookup (t.ids, "coding-for-kids")));
  g_autofree char *err = NULL;
  g_autofree char *sha = NULL;
  g_autofree char *got_sha = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261123);
  g_autoptr(Resp) r = NULL;
  g_autoptr(GBytes) joined = NULL;
  guint32 *data;
  gsize n = 5 * 1024 * 1024 / 4 + 12345;
  json_object *entry = NULL;
  gint64 size;

  data = g_new (guint32, n);
  for (gsize i = 0; i < n; i++)
    data[i] = g_rand_int (rand);
  g_assert_true (g_file_set_contents (noise, (const char *) data, n * 4, NULL));
  g_assert_true (g_file_set_contents (noise2, (const char *) data, 1000 * 1000, NULL));
  g_free (data);

  if (publish (folder, &entry, &err) != 0)
    g_error ("publishing the large course failed: %s", err);
  sha = g_strdup (entry_str (entry, "sha256"));
  size = json_object_get_int64 (json_object_object_get (entry, "size"));
  g_assert_cmpint (size, >, 6 * 1024 * 1024);
  json_object_put (entry);
  /* stored in chunks of 256 KiB */
  g_assert_cmpint (count_rows ("package_chunks",
                               "package_pk = (SELECT pk FROM packages WHERE id = 'large-course')"),
                   ==, (size + CHUNK - 1) / CHUNK);

  /* again: the zip is deterministic, so this is a no-op */
  g_clear_pointer (&err, g_free);
  if (publish (folder, &entry, &err) != 0)
    g_error ("publishing the large course again failed: %s", err);
  g_assert_cmpstr (entry_str (entry, "sha256"), ==, sha);
  json_object_put (entry);

  r = request ("GET", path, t.hub->admin, NULL);
  assert_status (r, 200);
  g_assert_cmpuint (g_bytes_get_size (r->body), ==, size);
  got_sha = sha256_of (r->body);
  g_assert_cmpstr (got_sha, ==, sha);
  check_package_headers (r, sha);

  /* ranges cut on, next to and far from chunk boundaries */
  {
    const gint64 cuts[] = { 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 7, size / 2,
                            size - CHUNK, size - 1 };
    joined = download_by_ranges (path, size, cuts, G_N_ELEMENTS (cuts));
    g_assert_true (g_bytes_equal (joined, r->body));
  }
  /* one range that spans several chunks, inside the package */
  {
    g_autofree char *range = range_header (CHUNK - 10, 4 * CHUNK + 10);
    g_autoptr(Resp) mid = request ("GET", path, t.hub->admin, "Range", range, NULL);

    assert_status (mid, 206);
    g_assert_cmpuint (g_bytes_get_size (mid->body), ==, 3 * CHUNK + 21);
    g_assert_cmpmem (g_bytes_get_data (mid->body, NULL), 3 * CHUNK + 21,
                     (const guint8 *) g_bytes_get_data (r->body, NULL) + CHUNK - 10,
                     3 * CHUNK + 21);
  }

  /* the catalog lists it */
  {
    g_autoptr(CatJson) catalog = get_catalog ();
    json_object *course = catalog_course (catalog, "large-course");

    g_assert_nonnull (course);
    g_assert_cmpstr (entry_str (course, "sha256"), ==, sha);
  }
}

/* ---- streamed downloads ---- */

#define HUGE_NOISE (40 * 1024 * 1024)

static char *huge_path;   /* the package path of "huge-course" */
static char *huge_sha;
static gint64 huge_size;

/* The hub's peak resident memory (VmHWM) in KiB. */
static gint64
hub_hwm_kib (pid_t pid)
{
  g_autofree char *file = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *text = NULL;
  const char *line;

  g_assert_true (g_file_get_contents (file, &text, NULL, NULL));
  line = strstr (text, "VmHWM:");
  g_assert_nonnull (line);
  return g_ascii_strtoll (line + strlen ("VmHWM:"), NULL, 10);
}

/* Lets VmHWM start again from the current resident size (Linux's clear_refs "5"); where
 * that is not allowed the peak so far stays, which only makes the check below looser. */
static void
hub_reset_hwm (pid_t pid)
{
  g_autofree char *file = g_strdup_printf ("/proc/%d/clear_refs", (int) pid);

  g_file_set_contents_full (file, "5", 1, G_FILE_SET_CONTENTS_NONE, 0644, NULL);
}

/* A GET on a connection of its own, written by hand, so that the test can stop reading
 * and close it mid-body. Returns the connection after the response headers; *status and
 * *length (Content-Length) from them; @body receives the body bytes read so far. */
static GIOStream *
raw_get (const char *url,
         const char *path,
         const char *range,
         guint      *status,
         gint64     *length,
         GByteArray *body)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) req = g_string_new (NULL);
  g_autoptr(GByteArray) head = g_byte_array_new ();
  g_autofree char *b64 = g_base64_encode ((const guchar *) t.hub->admin, strlen (t.hub->admin));
  g_autofree char *head_text = NULL;
  GSocketConnection *conn;
  const char *p;
  guint8 buffer[16384];
  guint8 *end = NULL;

  g_socket_client_set_timeout (client, 20);
  conn = g_socket_client_connect_to_uri (client, url, 80, NULL, &error);
  g_assert_no_error (error);
  g_string_append_printf (req, "GET %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Basic %s\r\n",
                          path, url + strlen ("http://"), b64);
  if (range != NULL)
    g_string_append_printf (req, "Range: %s\r\n", range);
  g_string_append (req, "\r\n");
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)), req->str,
                             req->len, NULL, NULL, &error);
  g_assert_no_error (error);

  /* the headers (bounded: they fit in 64 KiB) */
  while (end == NULL && head->len < 65536)
    {
      gssize n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (conn)),
                                      buffer, sizeof buffer, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (n, >, 0);
      g_byte_array_append (head, buffer, n);
      end = (guint8 *) g_strstr_len ((const char *) head->data, head->len, "\r\n\r\n");
    }
  g_assert_nonnull (end);
  head_text = g_strndup ((const char *) head->data, end - head->data);
  g_byte_array_append (body, end + 4, head->len - (end + 4 - head->data));

  g_assert_true (g_str_has_prefix (head_text, "HTTP/1.1 "));
  *status = (guint) g_ascii_strtoull (head_text + strlen ("HTTP/1.1 "), NULL, 10);
  *length = -1;
  p = strstr (head_text, "Content-Length: ");
  if (p != NULL)
    *length = g_ascii_strtoll (p + strlen ("Content-Length: "), NULL, 10);
  return G_IO_STREAM (conn);
}

/* Reads body bytes until @body holds at least @until bytes or the connection ends. */
static void
raw_read (GIOStream  *conn,
          GByteArray *body,
          gint64      until)
{
  guint8 *buffer = g_malloc (65536);

  while ((gint64) body->len < until)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_input_stream_read (g_io_stream_get_input_stream (conn), buffer, 65536,
                                      NULL, &error);
      g_assert_no_error (error);
      if (n == 0)
        break;
      g_byte_array_append (body, buffer, n);
    }
  g_free (buffer);
}

static void
test_download_streamed (void)
{
  g_autofree char *folder = sample_copy ("coding-for-kids", "huge", edit_id,
                                         (gpointer) "huge-course");
  g_autofree char *noise = g_build_filename (folder, "media", "noise.bin", NULL);
  g_autofree char *err = NULL;
  g_autofree char *got_sha = NULL;
  g_autofree char *length = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (4242);
  g_autoptr(Resp) head = NULL;
  g_autoptr(Resp) r = NULL;
  json_object *entry = NULL;
  guint32 *data;
  gsize n = HUGE_NOISE / 4;
  gint64 before, after;
  pid_t pid = hub_pid;

  data = g_new (guint32, n);
  for (gsize i = 0; i < n; i++)
    data[i] = g_rand_int (rand);
  g_assert_true (g_file_set_contents (noise, (const char *) data, n * 4, NULL));
  g_free (data);
  if (publish (folder, &entry, &err) != 0)
    g_error ("publishing the huge course failed: %s", err);
  huge_sha = g_strdup (entry_str (entry, "sha256"));
  huge_size = json_object_get_int64 (json_object_object_get (entry, "size"));
  huge_path = package_path ("huge-course", json_object_get_int (json_object_object_get (entry, "version")));
  json_object_put (entry);
  g_assert_cmpint (huge_size, >, HUGE_NOISE);
  length = g_strdup_printf ("%" G_GINT64_FORMAT, huge_size);

  /* HEAD reads nothing and says how long */
  head = request ("HEAD", huge_path, t.hub->admin, NULL);
  assert_status (head, 200);
  g_assert_cmpstr (header (head, "Content-Length"), ==, length);
  g_assert_cmpuint (g_bytes_get_size (head->body), ==, 0);

  /* the whole package, while the hub's memory stays about flat */
  hub_reset_hwm (pid);
  before = hub_hwm_kib (pid);
  r = request ("GET", huge_path, t.hub->admin, NULL);
  after = hub_hwm_kib (pid);
  assert_status (r, 200);
  g_assert_cmpstr (header (r, "Content-Length"), ==, length);
  g_assert_cmpint (g_bytes_get_size (r->body), ==, huge_size);
  got_sha = sha256_of (r->body);
  g_assert_cmpstr (got_sha, ==, huge_sha);
  check_package_headers (r, huge_sha);
  g_test_message ("hub VmHWM %" G_GINT64_FORMAT " KiB before and %" G_GINT64_FORMAT
                  " KiB after downloading %" G_GINT64_FORMAT " bytes",
                  before, after, huge_size);
  g_assert_cmpint (after - before, <, 16 * 1024);
}

/* A client that goes away after about 1 MiB, then resumes from where it stopped; and
 * clients that go away at once. The hub carries on serving. */
static void
test_download_cut_and_resume (void)
{
  g_autoptr(GByteArray) prefix = g_byte_array_new ();
  g_autoptr(GBytes) whole = NULL;
  g_autofree char *range = NULL;
  g_autofree char *got_sha = NULL;
  g_autofree char *etag = g_strdup_printf ("\"%s\"", huge_sha);
  g_autoptr(Resp) rest = NULL;
  g_autoptr(Resp) health = NULL;
  GIOStream *conn;
  guint status = 0;
  gint64 length = 0;
  gsize have;

  g_assert_nonnull (huge_path);
  conn = raw_get (t.hub->url, huge_path, NULL, &status, &length, prefix);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpint (length, ==, huge_size);
  raw_read (conn, prefix, 1024 * 1024);
  g_assert_cmpuint (prefix->len, >=, 1024 * 1024);
  g_assert_cmpuint (prefix->len, <, huge_size);
  g_io_stream_close (conn, NULL, NULL);
  g_object_unref (conn);

  /* several more that leave early: right after the headers, and mid-piece */
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(GByteArray) some = g_byte_array_new ();

      conn = raw_get (t.hub->url, huge_path, i % 2 ? "bytes=1000-" : NULL, &status, &length, some);
      g_assert_cmpuint (status, ==, i % 2 ? 206 : 200);
      if (i >= 2)
        raw_read (conn, some, 300 * 1024 + i * 7777);
      g_io_stream_close (conn, NULL, NULL);
      g_object_unref (conn);
    }

  /* resume */
  have = prefix->len;
  range = g_strdup_printf ("bytes=%" G_GSIZE_FORMAT "-", have);
  rest = request ("GET", huge_path, t.hub->admin, "Range", range, "If-Range", etag, NULL);
  assert_status (rest, 206);
  g_assert_cmpint (g_bytes_get_size (rest->body), ==, huge_size - (gint64) have);
  g_byte_array_append (prefix, g_bytes_get_data (rest->body, NULL), g_bytes_get_size (rest->body));
  whole = g_byte_array_free_to_bytes (g_steal_pointer (&prefix));
  got_sha = sha256_of (whole);
  g_assert_cmpstr (got_sha, ==, huge_sha);

  /* still serving */
  health = request ("GET", "/health", NULL, NULL);
  assert_status (health, 200);
  {
    const char *id = g_hash_table_lookup (t.ids, "coding-for-kids");
    g_autofree char *path = package_path (id, version_of (id));
    g_autoptr(Resp) small = request ("GET", path, t.hub->admin, NULL);
    g_autofree char *sha = NULL;

    assert_status (small, 200);
    sha = sha256_of (small->body);
    g_assert_cmpstr (sha, ==, g_hash_table_lookup (t.sha256, id));
  }
}

/* A read error in the middle of a body (the hub's test hook makes the reader fail at a
 * given offset): the status is gone already, so the hub closes the connection and the
 * client sees a short body whose bytes are right. At offset 0 it is still a 500. */
static void
test_download_read_error (void)
{
  g_autoptr(GByteArray) body = g_byte_array_new ();
  g_autofree char *path = NULL;
  g_autofree char *range = NULL;
  g_autofree char *got_sha = NULL;
  g_autofree char *want_sha = NULL;
  g_autoptr(Resp) first = NULL;
  g_autoptr(Resp) same = NULL;
  g_autoptr(Resp) health = NULL;
  guint8 *buffer = g_malloc (65536);
  GIOStream *conn;
  guint status = 0;
  gint64 length = 0;

  g_assert_nonnull (huge_path);
  path = g_strconcat (huge_path, "?test_fail_at=", G_STRINGIFY (2097152), NULL);
  conn = raw_get (t.hub->url, path, NULL, &status, &length, body);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpint (length, ==, huge_size);
  /* to the end of the connection (bounded: the body is shorter than the package) */
  while ((gint64) body->len < huge_size)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_input_stream_read (g_io_stream_get_input_stream (conn), buffer, 65536,
                                      NULL, &error);
      if (n <= 0)
        break;  /* the end, or the hub's reset */
      g_byte_array_append (body, buffer, n);
    }
  g_free (buffer);
  g_io_stream_close (conn, NULL, NULL);
  g_object_unref (conn);
  g_assert_cmpint (body->len, <=, 2097152);
  g_assert_cmpint (body->len, >, 0);

  /* what came is the start of the package */
  range = g_strdup_printf ("bytes=0-%u", body->len - 1);
  same = request ("GET", huge_path, t.hub->admin, "Range", range, NULL);
  assert_status (same, 206);
  want_sha = sha256_of (same->body);
  {
    g_autoptr(GBytes) got = g_bytes_new (body->data, body->len);
    got_sha = sha256_of (got);
  }
  g_assert_cmpstr (got_sha, ==, want_sha);

  /* failing on the first piece: nothing is sent yet, so a 500 */
  g_free (path);
  path = g_strconcat (huge_path, "?test_fail_at=0", NULL);
  first = request ("GET", path, t.hub->admin, NULL);
  assert_status (first, 500);

  health = request ("GET", "/health", NULL, NULL);
  assert_status (health, 200);
}

/* SIGTERM while a download is under way: the hub stops accepting, finishes the download,
 * then exits cleanly. (A second hub on the same storage, so the shared one stays up.) */
static void
test_download_during_shutdown (void)
{
  g_autoptr(GByteArray) body = g_byte_array_new ();
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *got_sha = NULL;
  HubTestHub *hub2;
  GIOStream *conn;
  guint status = 0;
  gint64 length = 0;

  g_assert_nonnull (huge_path);
  hub2 = hub_test_hub_start (t.target, NULL, NULL);
  hub_pid = (pid_t) g_ascii_strtoll (g_subprocess_get_identifier (hub2->process), NULL, 10);

  conn = raw_get (hub2->url, huge_path, NULL, &status, &length, body);
  g_assert_cmpuint (status, ==, 200);
  raw_read (conn, body, 1024 * 1024);
  g_subprocess_send_signal (hub2->process, SIGTERM);
  raw_read (conn, body, huge_size);
  g_io_stream_close (conn, NULL, NULL);
  g_object_unref (conn);
  g_assert_cmpint (body->len, ==, huge_size);
  bytes = g_byte_array_free_to_bytes (g_steal_pointer (&body));
  got_sha = sha256_of (bytes);
  g_assert_cmpstr (got_sha, ==, huge_sha);

  hub_test_hub_stop (hub2);  /* asserts a clean exit */
  hub_pid = (pid_t) g_ascii_strtoll (g_subprocess_get_identifier (t.hub->process), NULL, 10);
}

static void
test_auth (void)
{
  const char *id = g_hash_table_lookup (t.ids, "coding-for-kids");
  g_autofree char *path = package_path (id, version_of (id));
  const char *paths[] = { "/api/v1/catalog", path };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(Resp) anonymous = request ("GET", paths[i], NULL, NULL);
      g_autoptr(Resp) wrong = request ("GET", paths[i], "admin:not-the-secret", NULL);
      g_autoptr(Resp) coordinator = request ("GET", paths[i], t.coordinator, NULL);

      assert_status (anonymous, 401);
      assert_status (wrong, 401);
      assert_status (coordinator, 200);
    }
}

static void
setup (void)
{
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  t.target = hub_test_new_target ();
  t.tmp = g_dir_make_tmp ("test-hub-catalog-XXXXXX", &error);
  g_assert_no_error (error);
  t.sha256 = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  t.ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  t.versions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  status = hub_test_hub_command (t.target, &out, NULL, "user", "add", "carol",
                                 "--role", "coordinator", "--org", "Township", NULL);
  g_assert_cmpint (status, ==, 0);
  t.coordinator = g_strconcat ("carol:", g_strstrip (out), NULL);

  t.hub = hub_test_hub_start (t.target, NULL, NULL);
  hub_pid = (pid_t) g_ascii_strtoll (g_subprocess_get_identifier (t.hub->process), NULL, 10);
  signal (SIGABRT, kill_hub_on_abort);
  signal (SIGTRAP, kill_hub_on_abort);
  t.session = soup_session_new ();
  soup_session_remove_feature_by_type (t.session, SOUP_TYPE_CONTENT_DECODER);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
teardown (void)
{
  g_clear_object (&t.session);
  hub_pid = 0;
  if (t.hub != NULL)
    hub_test_hub_stop (t.hub);
  remove_tree (t.tmp);
  g_free (t.tmp);
  g_free (t.target);
  g_free (t.coordinator);
  g_free (huge_path);
  g_free (huge_sha);
  g_hash_table_unref (t.sha256);
  g_hash_table_unref (t.ids);
  g_hash_table_unref (t.versions);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  /* in order (all at one level: GLib runs a suite's own cases before its sub-suites),
   * each building on the catalog the previous ones left */
  g_test_add_func ("/hub/catalog/publish-samples", test_publish_samples);
  g_test_add_func ("/hub/catalog/publish-again-is-noop", test_publish_again_is_noop);
  g_test_add_func ("/hub/catalog/publish-invalid", test_publish_invalid);
  g_test_add_func ("/hub/catalog/publish-same-version-other-bytes",
                   test_publish_changed_version_refused);
  g_test_add_func ("/hub/catalog/list", test_catalog);
  g_test_add_func ("/hub/catalog/download-whole-and-ranges", test_download);
  g_test_add_func ("/hub/catalog/download-not-found", test_download_not_found);
  g_test_add_func ("/hub/catalog/publish-new-version", test_new_version);
  g_test_add_func ("/hub/catalog/publish-zip", test_publish_zip);
  g_test_add_func ("/hub/catalog/publish-concurrent", test_publish_concurrent);
  g_test_add_func ("/hub/catalog/download-large", test_large_package);
  g_test_add_func ("/hub/catalog/download-streamed", test_download_streamed);
  g_test_add_func ("/hub/catalog/download-cut-and-resume", test_download_cut_and_resume);
  g_test_add_func ("/hub/catalog/download-read-error", test_download_read_error);
  g_test_add_func ("/hub/catalog/download-during-shutdown", test_download_during_shutdown);
  g_test_add_func ("/hub/catalog/auth", test_auth);
  /* last: it needs the server not to re-apply Range to a full answer (see hub-server.c) */
  g_test_add_func ("/hub/catalog/download-if-range-changed", test_download_if_range_changed);

  setup ();
  ret = g_test_run ();
  teardown ();
  return ret;
}

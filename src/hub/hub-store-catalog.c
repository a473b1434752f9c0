/* hub-store-catalog.c — the course catalog: published packages and their bytes
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Publishing checks a package with core's checker (the same one the app imports with),
 * then stores it whole in the database, in chunks, so that any hub process on the same
 * database can serve it and a range request reads only the chunks it needs. A course folder
 * is zipped from the checked staging copy, deterministically (entries sorted by path, fixed
 * times and modes), so publishing the same folder twice gives the same bytes and the second
 * publication is a no-op; a .zip is copied, checked and stored as it is.
 */
#define G_LOG_DOMAIN "ShuyuanHub"

#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "sy-course.h"
#include "sy-package.h"
#include "sy-text.h"
#include "sy-util.h"

#include "hub-store-catalog.h"

G_DEFINE_QUARK (hub-catalog-error-quark, hub_catalog_error)

/* Class hours and credits are decimal numbers (e.g. 1.5), but the SQL layer binds only
 * text, integers and blobs; they are kept as their shortest decimal text, NULL when the
 * course does not give them. */
const char hub_schema_catalog_v1[] =
  "CREATE TABLE packages (\n"
  "  pk @SERIAL@,\n"
  "  id TEXT NOT NULL,\n"
  "  version @INT64@ NOT NULL,\n"
  "  titles TEXT NOT NULL,\n"
  "  programme TEXT NOT NULL,\n"
  "  class_hours TEXT,\n"
  "  credits TEXT,\n"
  "  size @INT64@ NOT NULL,\n"
  "  sha256 TEXT NOT NULL,\n"
  "  content_sha256 TEXT NOT NULL,\n"
  "  published_us @INT64@ NOT NULL,\n"
  "  UNIQUE (id, version)\n"
  ");\n"
  "CREATE TABLE package_chunks (\n"
  "  package_pk @INT64@ NOT NULL REFERENCES packages (pk) ON DELETE CASCADE,\n"
  "  seq @INT64@ NOT NULL,\n"
  "  data @BLOB@ NOT NULL,\n"
  "  PRIMARY KEY (package_pk, seq)\n"
  ");\n";

/* Zip entries get this time (1980-01-01, the earliest a zip can record) and fixed modes,
 * so that the archive depends only on the paths and contents. */
#define ZIP_FIXED_TIME 315532800
#define COPY_BUFFER (64 * 1024)

#define SELECT_COLUMNS \
  "id, version, titles, programme, class_hours, credits, size, sha256, published_us, " \
  "content_sha256"

void
hub_catalog_package_free (HubCatalogPackage *package)
{
  if (package == NULL)
    return;
  g_free (package->sha256);
  g_free (package);
}

static json_object *
number_or_null (const char *text)
{
  if (text == NULL)
    return NULL;
  return json_object_new_double_s (g_ascii_strtod (text, NULL), text);
}

/* The catalog entry of the row @stmt is on (columns as in SELECT_COLUMNS). */
static json_object *
entry_from_row (HubDbStmt *stmt)
{
  json_object *entry = json_object_new_object ();
  const char *id = hub_db_column_text (stmt, 0);
  gint64 version = hub_db_column_int64 (stmt, 1);
  json_object *titles = json_tokener_parse (hub_db_column_text (stmt, 2));
  g_autofree char *published = hub_format_time (hub_db_column_int64 (stmt, 8));
  g_autofree char *escaped = g_uri_escape_string (id, NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("/api/v1/packages/%s/%" G_GINT64_FORMAT,
                                           escaped, version);

  json_object_object_add (entry, "id", json_object_new_string (id));
  json_object_object_add (entry, "version", json_object_new_int64 (version));
  json_object_object_add (entry, "titles", titles ? titles : json_object_new_object ());
  json_object_object_add (entry, "programme",
                          json_object_new_string (hub_db_column_text (stmt, 3)));
  json_object_object_add (entry, "class_hours", number_or_null (hub_db_column_text (stmt, 4)));
  json_object_object_add (entry, "credits", number_or_null (hub_db_column_text (stmt, 5)));
  json_object_object_add (entry, "size", json_object_new_int64 (hub_db_column_int64 (stmt, 6)));
  json_object_object_add (entry, "sha256", json_object_new_string (hub_db_column_text (stmt, 7)));
  json_object_object_add (entry, "content_sha256",
                          json_object_new_string (hub_db_column_text (stmt, 9)));
  json_object_object_add (entry, "published", json_object_new_string (published));
  json_object_object_add (entry, "path", json_object_new_string (path));
  return entry;
}

/* ---- publishing ---- */

typedef struct
{
  char    *id;
  gint64   version;
  char    *titles;       /* JSON object, language → title */
  char    *programme;
  char    *class_hours;  /* decimal text or NULL */
  char    *credits;
  char    *file;         /* the bytes to store */
  gint64   size;
  char    *sha256;
  char    *content_sha256;  /* core's digest of the paths and contents */
  gint64   published_us;
  json_object *entry;    /* out */
} Publish;

static void
publish_clear (Publish *p)
{
  g_free (p->id);
  g_free (p->titles);
  g_free (p->programme);
  g_free (p->class_hours);
  g_free (p->credits);
  g_free (p->file);
  g_free (p->sha256);
  g_free (p->content_sha256);
  g_clear_pointer (&p->entry, json_object_put);
}

static char *
decimal_text (double value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  if (value == (double) (gint64) value)
    return g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) value);
  return g_strdup (g_ascii_dtostr (buffer, sizeof buffer, value));
}

/* Every language of the course gets its title; a plain-string title serves them all. */
static char *
titles_json (SyCourse *course)
{
  SyText *title = sy_course_get_title (course);
  const char * const *languages = sy_course_get_languages (course);
  json_object *obj = json_object_new_object ();
  char *ret;

  for (guint i = 0; i < sy_text_get_n_languages (title); i++)
    {
      const char *lang = sy_text_get_language (title, i);
      const char *value = sy_text_lookup (title, lang);

      if (lang[0] != '\0')
        json_object_object_add (obj, lang, json_object_new_string (value));
    }
  for (guint i = 0; languages && languages[i]; i++)
    if (!json_object_object_get_ex (obj, languages[i], NULL))
      {
        const char *value = sy_text_get (title, (const char * const[]) { languages[i], NULL });
        if (value != NULL)
          json_object_object_add (obj, languages[i], json_object_new_string (value));
      }

  ret = g_strdup (json_object_to_json_string_ext (obj, JSON_C_TO_STRING_PLAIN |
                                                       JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put (obj);
  return ret;
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The regular files below @dir, as paths relative to the root (@prefix: dir's own). */
static gboolean
list_files (const char *root,
            const char *prefix,
            GPtrArray  *out,
            GError    **error)
{
  g_autofree char *dir_path = prefix ? g_build_filename (root, prefix, NULL) : g_strdup (root);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, error);
  const char *name;

  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *rel = prefix ? g_strconcat (prefix, "/", name, NULL) : g_strdup (name);
      g_autofree char *full = g_build_filename (root, rel, NULL);
      GStatBuf st;

      if (g_lstat (full, &st) != 0)
        {
          int errsv = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                       "Could not read %s: %s", full, g_strerror (errsv));
          return FALSE;
        }
      if (S_ISDIR (st.st_mode))
        {
          if (!list_files (root, rel, out, error))
            return FALSE;
        }
      else if (S_ISREG (st.st_mode))
        g_ptr_array_add (out, g_steal_pointer (&rel));
      /* the stager lets nothing else through */
    }
  return TRUE;
}

/* Media that is compressed already gains nothing from deflate but time: store it. The
 * choice depends only on the name, so the zip stays deterministic. */
static gboolean
is_compressed_media (const char *path)
{
  static const char * const suffixes[] = {
    ".png", ".jpg", ".jpeg", ".gif", ".webp", ".mp3", ".mp4", ".m4a", ".m4v", ".ogg",
    ".oga", ".ogv", ".opus", ".webm", ".zip", ".gz", ".woff", ".woff2", ".pdf", NULL
  };
  g_autofree char *lower = g_ascii_strdown (path, -1);

  for (guint i = 0; suffixes[i]; i++)
    if (g_str_has_suffix (lower, suffixes[i]))
      return TRUE;
  return FALSE;
}

static gboolean
archive_failed (struct archive *a,
                const char     *what,
                GError        **error)
{
  g_set_error (error, HUB_CATALOG_ERROR, HUB_CATALOG_ERROR_FAILED,
               "Could not zip the course (%s): %s", what,
               archive_error_string (a) ? archive_error_string (a) : "unknown error");
  return FALSE;
}

/* Zips the checked folder @root into @zip_path: entries sorted by path, no folders, fixed
 * times, modes and owners, deflated (compressed media stored). */
static gboolean
zip_folder (const char *root,
            const char *zip_path,
            GError    **error)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *buffer = NULL;
  struct archive *a;
  gboolean ok = FALSE;

  if (!list_files (root, NULL, files, error))
    return FALSE;
  g_ptr_array_sort (files, compare_paths);

  a = archive_write_new ();
  if (archive_write_set_format_zip (a) != ARCHIVE_OK ||
      archive_write_open_filename (a, zip_path) != ARCHIVE_OK)
    {
      archive_failed (a, zip_path, error);
      archive_write_free (a);
      return FALSE;
    }

  buffer = g_malloc (COPY_BUFFER);
  for (guint i = 0; i < files->len; i++)
    {
      const char *rel = g_ptr_array_index (files, i);
      g_autofree char *full = g_build_filename (root, rel, NULL);
      struct archive_entry *entry;
      GStatBuf st;
      FILE *in;
      size_t n;

      if (g_stat (full, &st) != 0 || (in = g_fopen (full, "rb")) == NULL)
        {
          int errsv = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                       "Could not read %s: %s", full, g_strerror (errsv));
          goto out;
        }

      if ((is_compressed_media (rel) ? archive_write_zip_set_compression_store (a)
                                     : archive_write_zip_set_compression_deflate (a)) != ARCHIVE_OK)
        {
          fclose (in);
          archive_failed (a, rel, error);
          goto out;
        }

      entry = archive_entry_new ();
      archive_entry_set_pathname_utf8 (entry, rel);
      archive_entry_set_filetype (entry, AE_IFREG);
      archive_entry_set_perm (entry, 0644);
      archive_entry_set_size (entry, st.st_size);
      archive_entry_set_mtime (entry, ZIP_FIXED_TIME, 0);
      archive_entry_set_uid (entry, 0);
      archive_entry_set_gid (entry, 0);
      if (archive_write_header (a, entry) != ARCHIVE_OK)
        {
          archive_entry_free (entry);
          fclose (in);
          archive_failed (a, rel, error);
          goto out;
        }
      archive_entry_free (entry);

      while ((n = fread (buffer, 1, COPY_BUFFER, in)) > 0)
        if (archive_write_data (a, buffer, n) != (la_ssize_t) n)
          {
            fclose (in);
            archive_failed (a, rel, error);
            goto out;
          }
      if (ferror (in))
        {
          fclose (in);
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Could not read %s", full);
          goto out;
        }
      fclose (in);
    }

  if (archive_write_close (a) != ARCHIVE_OK)
    {
      archive_failed (a, zip_path, error);
      goto out;
    }
  ok = TRUE;

out:
  archive_write_free (a);
  return ok;
}

/* The size and SHA-256 (hex) of a file, reading it once. */
static gboolean
hash_file (const char *path,
           gint64     *size,
           char      **sha256,
           GError    **error)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *buffer = g_malloc (COPY_BUFFER);
  FILE *in = g_fopen (path, "rb");
  gint64 total = 0;
  size_t n;

  if (in == NULL)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Could not read %s: %s", path, g_strerror (errsv));
      return FALSE;
    }
  while ((n = fread (buffer, 1, COPY_BUFFER, in)) > 0)
    {
      g_checksum_update (checksum, (const guchar *) buffer, n);
      total += n;
    }
  if (ferror (in))
    {
      fclose (in);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Could not read %s", path);
      return FALSE;
    }
  fclose (in);
  *size = total;
  *sha256 = g_strdup (g_checksum_get_string (checksum));
  return TRUE;
}

static gboolean
store_chunks (HubDb      *db,
              gint64      pk,
              Publish    *p,
              GError    **error)
{
  g_autofree char *buffer = g_malloc (HUB_CATALOG_CHUNK_SIZE);
  FILE *in = g_fopen (p->file, "rb");
  gint64 seq = 0, total = 0;
  gboolean ok = FALSE;

  if (in == NULL)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Could not read %s: %s", p->file, g_strerror (errsv));
      return FALSE;
    }

  for (;;)
    {
      size_t n = fread (buffer, 1, HUB_CATALOG_CHUNK_SIZE, in);
      HubDbStmt *stmt;

      if (n == 0)
        break;
      if (!(stmt = hub_db_prepare (db,
                                   "INSERT INTO package_chunks (package_pk, seq, data) "
                                   "VALUES ($1, $2, $3)", error)))
        goto out;
      hub_db_bind_int64 (stmt, 1, pk);
      hub_db_bind_int64 (stmt, 2, seq++);
      hub_db_bind_blob (stmt, 3, buffer, n);
      if (hub_db_run (stmt, error) < 0)
        goto out;
      total += n;
      if (n < HUB_CATALOG_CHUNK_SIZE)
        break;
    }
  if (ferror (in) || total != p->size)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "Could not read %s: it changed while being stored", p->file);
      goto out;
    }
  ok = TRUE;

out:
  fclose (in);
  return ok;
}

static gboolean
publish_txn (HubDb    *db,
             gpointer  data,
             GError  **error)
{
  Publish *p = data;
  HubDbStmt *stmt;
  gint64 pk = 0;
  gboolean inserted;

  g_clear_pointer (&p->entry, json_object_put);

  /* On PostgreSQL a concurrent publication of the same version waits here for the other
   * transaction, then finds its row below. */
  if (!(stmt = hub_db_prepare (db,
                               "INSERT INTO packages (id, version, titles, programme, "
                               "class_hours, credits, size, sha256, content_sha256, "
                               "published_us) "
                               "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
                               "ON CONFLICT (id, version) DO NOTHING RETURNING pk", error)))
    return FALSE;
  hub_db_bind_text (stmt, 1, p->id);
  hub_db_bind_int64 (stmt, 2, p->version);
  hub_db_bind_text (stmt, 3, p->titles);
  hub_db_bind_text (stmt, 4, p->programme);
  hub_db_bind_text (stmt, 5, p->class_hours);
  hub_db_bind_text (stmt, 6, p->credits);
  hub_db_bind_int64 (stmt, 7, p->size);
  hub_db_bind_text (stmt, 8, p->sha256);
  hub_db_bind_text (stmt, 9, p->content_sha256);
  hub_db_bind_int64 (stmt, 10, p->published_us);
  inserted = hub_db_step (stmt, error);
  if (inserted)
    pk = hub_db_column_int64 (stmt, 0);
  else if (error && *error)
    return FALSE;
  hub_db_reset (stmt);

  if (inserted && !store_chunks (db, pk, p, error))
    return FALSE;

  if (!(stmt = hub_db_prepare (db,
                               "SELECT " SELECT_COLUMNS " FROM packages "
                               "WHERE id = $1 AND version = $2", error)))
    return FALSE;
  hub_db_bind_text (stmt, 1, p->id);
  hub_db_bind_int64 (stmt, 2, p->version);
  if (!hub_db_step (stmt, error))
    {
      if (error && *error == NULL)
        g_set_error (error, HUB_CATALOG_ERROR, HUB_CATALOG_ERROR_FAILED,
                     "The package row of “%s” version %" G_GINT64_FORMAT " vanished",
                     p->id, p->version);
      return FALSE;
    }
  /* Already there: the same files (even zipped differently) are the same version. */
  if (!inserted && g_strcmp0 (hub_db_column_text (stmt, 9), p->content_sha256) != 0)
    {
      g_set_error (error, HUB_CATALOG_ERROR, HUB_CATALOG_ERROR_IMMUTABLE,
                   "course.json: version: version %" G_GINT64_FORMAT " of “%s” is already "
                   "published with different content. A published version never changes: "
                   "raise “version” in course.json and publish again.",
                   p->version, p->id);
      hub_db_reset (stmt);
      return FALSE;
    }
  p->entry = entry_from_row (stmt);
  hub_db_reset (stmt);
  return TRUE;
}

/* Reads what the catalog shows of a course from its checked course.json. */
static gboolean
describe_course (const char *root,
                 Publish    *p,
                 GError    **error)
{
  g_autoptr(SyCourse) course = NULL;
  g_autofree char *course_json = g_build_filename (root, "course.json", NULL);
  json_object *raw, *val;

  if (!(course = sy_package_load (root, error)))
    return FALSE;

  p->id = g_strdup (sy_course_get_id (course));
  p->version = sy_course_get_version (course);
  p->titles = titles_json (course);
  p->programme = g_strdup (sy_course_get_programme (course));

  /* sy_course_get_credits() is 0 both when absent and when 0; the catalog tells them apart */
  raw = json_object_from_file (course_json);
  if (raw != NULL && json_object_object_get_ex (raw, "class_hours", &val) && val != NULL)
    p->class_hours = decimal_text (sy_course_get_class_hours (course));
  if (raw != NULL && json_object_object_get_ex (raw, "credits", &val) && val != NULL)
    p->credits = decimal_text (sy_course_get_credits (course));
  json_object_put (raw);
  return TRUE;
}

/**
 * hub_catalog_publish:
 * @store: the hub's storage
 * @package_path: a course folder or a .zip
 * @entry_out: (out) (optional): the catalog entry of the course
 *
 * Checks and stores a package. Errors from the checker are %SY_PACKAGE_ERROR with its
 * message (file, field, what to fix); %HUB_CATALOG_ERROR_IMMUTABLE when the version exists
 * with other bytes. Nothing is stored on error.
 */
gboolean
hub_catalog_publish (HubStore     *store,
                     const char   *package_path,
                     json_object **entry_out,
                     GError      **error)
{
  g_autoptr(GFile) source = NULL;
  g_autoptr(GFile) copy = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *staging = NULL;
  g_autofree char *root = NULL;
  g_autofree char *zip_path = NULL;
  Publish p = { 0 };
  GFileType type;
  gboolean ok = FALSE;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (package_path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (entry_out)
    *entry_out = NULL;

  if (!(tmp = g_dir_make_tmp ("shuyuan-hub-publish-XXXXXX", error)))
    return FALSE;
  staging = g_build_filename (tmp, "stage", NULL);
  zip_path = g_build_filename (tmp, "package.zip", NULL);
  source = g_file_new_for_commandline_arg (package_path);
  type = g_file_query_file_type (source, G_FILE_QUERY_INFO_NONE, NULL);

  /* A .zip is copied first so that the bytes checked are the bytes stored (under its own
   * name, which the checker's messages use). */
  if (type == G_FILE_TYPE_REGULAR)
    {
      g_autofree char *name = g_file_get_basename (source);
      g_autofree char *dir = g_build_filename (tmp, "source", NULL);

      g_free (zip_path);
      zip_path = g_build_filename (dir, name, NULL);
      copy = g_file_new_for_path (zip_path);
      if (g_mkdir (dir, 0700) != 0 ||
          !g_file_copy (source, copy, G_FILE_COPY_NONE, NULL, NULL, NULL, error))
        {
          if (error && *error == NULL)
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Could not create %s", dir);
          goto out;
        }
    }

  if (!(root = sy_package_stage (copy ? copy : source, staging, NULL, &p.content_sha256,
                                 NULL, error)) ||
      !describe_course (root, &p, error))
    goto out;

  if (copy == NULL && !zip_folder (root, zip_path, error))
    goto out;

  p.file = g_strdup (zip_path);
  if (!hash_file (p.file, &p.size, &p.sha256, error))
    goto out;
  p.published_us = hub_now_us ();

  if (!hub_store_transaction (store, publish_txn, &p, error))
    goto out;

  if (entry_out)
    *entry_out = g_steal_pointer (&p.entry);
  ok = TRUE;

out:
  publish_clear (&p);
  sy_rm_rf (tmp, NULL);
  return ok;
}

/* ---- reading ---- */

/**
 * hub_catalog_list:
 *
 * Returns: (transfer full): a JSON array of catalog entries, the newest version of each
 *   course, sorted by id; %NULL on error
 */
json_object *
hub_catalog_list (HubStore  *store,
                  GError   **error)
{
  g_autoptr(GError) local = NULL;
  json_object *courses;
  HubDbStmt *stmt;
  HubDb *db;

  g_return_val_if_fail (store != NULL, NULL);

  if (!(db = hub_store_db (store, error)) ||
      !(stmt = hub_db_prepare (db,
                               "SELECT " SELECT_COLUMNS " FROM packages p "
                               "WHERE p.version = (SELECT MAX(q.version) FROM packages q "
                               "                   WHERE q.id = p.id) "
                               "ORDER BY p.id", error)))
    return NULL;

  courses = json_object_new_array ();
  while (hub_db_step (stmt, &local))
    json_object_array_add (courses, entry_from_row (stmt));
  hub_db_reset (stmt);
  if (local != NULL)
    {
      json_object_put (courses);
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  return courses;
}

/**
 * hub_catalog_find:
 *
 * Returns: (transfer full): the package, or %NULL (%HUB_CATALOG_ERROR_NOT_FOUND when
 *   there is none)
 */
HubCatalogPackage *
hub_catalog_find (HubStore    *store,
                  const char  *id,
                  const char  *version,
                  GError     **error)
{
  g_autoptr(GError) local = NULL;
  HubCatalogPackage *package;
  HubDbStmt *stmt;
  HubDb *db;
  gint64 v;
  char *end = NULL;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (id != NULL && version != NULL, NULL);

  errno = 0;
  v = g_ascii_strtoll (version, &end, 10);
  if (version[0] < '0' || version[0] > '9' || *end != '\0' || errno != 0 || v < 1)
    {
      g_set_error (error, HUB_CATALOG_ERROR, HUB_CATALOG_ERROR_NOT_FOUND,
                   "“%s” is not a package version: versions are whole numbers from 1 up.",
                   version);
      return NULL;
    }

  if (!(db = hub_store_db (store, error)) ||
      !(stmt = hub_db_prepare (db,
                               "SELECT pk, size, sha256, published_us FROM packages "
                               "WHERE id = $1 AND version = $2", error)))
    return NULL;
  hub_db_bind_text (stmt, 1, id);
  hub_db_bind_int64 (stmt, 2, v);
  if (!hub_db_step (stmt, &local))
    {
      if (local)
        g_propagate_error (error, g_steal_pointer (&local));
      else
        g_set_error (error, HUB_CATALOG_ERROR, HUB_CATALOG_ERROR_NOT_FOUND,
                     "There is no package “%s” version %" G_GINT64_FORMAT " in the catalog.",
                     id, v);
      return NULL;
    }
  package = g_new0 (HubCatalogPackage, 1);
  package->pk = hub_db_column_int64 (stmt, 0);
  package->size = hub_db_column_int64 (stmt, 1);
  package->sha256 = g_strdup (hub_db_column_text (stmt, 2));
  package->published_us = hub_db_column_int64 (stmt, 3);
  hub_db_reset (stmt);
  return package;
}

/**
 * hub_catalog_read:
 *
 * Returns: (transfer full): exactly @length bytes from @offset, or %NULL on error
 */
GBytes *
hub_catalog_read (HubStore                *store,
                  const HubCatalogPackage *package,
                  gint64                   offset,
                  gint64                   length,
                  GError                 **error)
{
  g_autoptr(GError) local = NULL;
  g_autofree guint8 *out = NULL;
  gint64 first, last, filled = 0;
  HubDbStmt *stmt;
  HubDb *db;

  g_return_val_if_fail (store != NULL && package != NULL, NULL);
  g_return_val_if_fail (offset >= 0 && length >= 0 && offset + length <= package->size, NULL);

  if (length == 0)
    return g_bytes_new (NULL, 0);

  first = offset / HUB_CATALOG_CHUNK_SIZE;
  last = (offset + length - 1) / HUB_CATALOG_CHUNK_SIZE;

  if (!(db = hub_store_db (store, error)) ||
      !(stmt = hub_db_prepare (db,
                               "SELECT seq, data FROM package_chunks "
                               "WHERE package_pk = $1 AND seq >= $2 AND seq <= $3 "
                               "ORDER BY seq", error)))
    return NULL;
  hub_db_bind_int64 (stmt, 1, package->pk);
  hub_db_bind_int64 (stmt, 2, first);
  hub_db_bind_int64 (stmt, 3, last);

  out = g_malloc (length);
  for (gint64 expect = first; hub_db_step (stmt, &local); expect++)
    {
      gint64 seq = hub_db_column_int64 (stmt, 0);
      gsize size = 0;
      const guint8 *data = hub_db_column_blob (stmt, 1, &size);
      gint64 chunk_start = seq * HUB_CATALOG_CHUNK_SIZE;
      gint64 from = MAX (offset, chunk_start);
      gint64 to = MIN (offset + length, chunk_start + (gint64) size);

      if (seq != expect || (seq < last && size != HUB_CATALOG_CHUNK_SIZE) || to <= from)
        break;
      memcpy (out + (from - offset), data + (from - chunk_start), to - from);
      filled += to - from;
    }
  hub_db_reset (stmt);

  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  if (filled != length)
    {
      g_set_error (error, HUB_CATALOG_ERROR, HUB_CATALOG_ERROR_FAILED,
                   "The stored chunks of package %" G_GINT64_FORMAT " are damaged: bytes "
                   "%" G_GINT64_FORMAT "–%" G_GINT64_FORMAT " are missing.",
                   package->pk, offset, offset + length - 1);
      return NULL;
    }
  return g_bytes_new_take (g_steal_pointer (&out), length);
}

/* hub-api-catalog.c — GET /api/v1/catalog and GET /api/v1/packages/{id}/{version}
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Both need a valid credential of any role (an enrolled device, a coordinator or an
 * admin): courses are not secret within a hub, but the hub is not a public download site
 * either, and a device must be enrolled before it syncs anything.
 *
 * The catalog lists the newest version of each course. Its body depends only on the
 * catalog and the address the client used (package URLs are absolute), so it carries a
 * strong ETag over its bytes; "generated" is when the catalog last changed (the newest
 * publication it lists, null while empty) rather than the time of the request, so the
 * bytes — and the ETag — stay the same until something is published. The gzip-coded
 * representation has its own ETag (suffix "-gz"); If-None-Match accepts either.
 *
 * A package is served from its chunks, streamed (hub_respond_stream()) a chunk at a time as
 * the client takes it, so a download costs the hub a couple of chunks of memory however
 * large the package; a Range request reads only the chunks the range falls in. Its ETag
 * is its SHA-256; versions never change, so it is also the package's
 * identity for If-Range.
 */
#define G_LOG_DOMAIN "ShuyuanHub"

#include "config.h"

#include <string.h>
#include <zlib.h>

#include "hub-server.h"
#include "hub-store-catalog.h"
#include "sy-util.h"

#define PACKAGES_PREFIX "/api/v1/packages/"

/* ---- conditional requests ---- */

static const char *
skip_weak (const char *tag)
{
  return g_str_has_prefix (tag, "W/") ? tag + 2 : tag;
}

/* If-None-Match: "*" or a list of entity tags, compared weakly with any of @etags. */
static gboolean
none_match_hits (const char         *header,
                 const char * const *etags)
{
  g_auto(GStrv) tags = NULL;

  if (header == NULL)
    return FALSE;
  tags = g_strsplit (header, ",", -1);
  for (guint i = 0; tags[i]; i++)
    {
      const char *tag = g_strstrip (tags[i]);

      if (g_str_equal (tag, "*"))
        return TRUE;
      for (guint j = 0; etags[j]; j++)
        if (g_str_equal (skip_weak (tag), etags[j]))
          return TRUE;
    }
  return FALSE;
}

/* ---- the catalog ---- */

static void
handle_catalog (HubRequest *req)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *etag = NULL;
  g_autofree char *etag_gz = NULL;
  json_object *courses, *root;
  const char *text;
  size_t length = 0;
  gint64 newest = 0;
  gboolean gzip;

  if (!(courses = hub_catalog_list (req->store, &error)))
    {
      hub_respond_error (req, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                         "Could not read the catalog: %s", error->message);
      return;
    }

  for (size_t i = 0; i < json_object_array_length (courses); i++)
    {
      json_object *entry = json_object_array_get_idx (courses, i);
      json_object *val = NULL;
      g_autofree char *url = NULL;
      g_autoptr(GDateTime) published = NULL;

      json_object_object_get_ex (entry, "path", &val);
      url = g_strconcat (req->base_url ? req->base_url : "", json_object_get_string (val), NULL);
      json_object_object_del (entry, "path");
      json_object_object_add (entry, "url", json_object_new_string (url));

      if (json_object_object_get_ex (entry, "published", &val) &&
          (published = g_date_time_new_from_iso8601 (json_object_get_string (val), NULL)))
        {
          gint64 us = g_date_time_to_unix (published) * G_USEC_PER_SEC +
                      g_date_time_get_microsecond (published);
          if (us > newest)
            newest = us;
        }
    }

  root = json_object_new_object ();
  json_object_object_add (root, "courses", courses);
  if (newest > 0)
    {
      g_autofree char *generated = hub_format_time (newest);
      json_object_object_add (root, "generated", json_object_new_string (generated));
    }
  else
    json_object_object_add (root, "generated", NULL);

  text = json_object_to_json_string_length (root, JSON_C_TO_STRING_PLAIN |
                                                  JSON_C_TO_STRING_NOSLASHESCAPE, &length);
  body = g_bytes_new (text, length);
  json_object_put (root);

  hash = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, body);
  hash[32] = '\0';
  etag = g_strdup_printf ("\"%s\"", hash);
  etag_gz = g_strdup_printf ("\"%s-gz\"", hash);
  gzip = hub_accepts_gzip (hub_request_header (req, "Accept-Encoding"));

  soup_message_headers_replace (req->response_headers, "ETag", gzip ? etag_gz : etag);
  soup_message_headers_replace (req->response_headers, "Vary", "Accept-Encoding");
  soup_message_headers_replace (req->response_headers, "Cache-Control", "private, no-cache");

  if (none_match_hits (hub_request_header (req, "If-None-Match"),
                       (const char * const[]) { etag, etag_gz, NULL }))
    {
      hub_respond_empty (req, SOUP_STATUS_NOT_MODIFIED);
      return;
    }

  if (gzip)
    {
      /* the most compression: the catalog is made once and fetched over slow links */
      g_autoptr(GBytes) compressed = sy_gzip (g_bytes_get_data (body, NULL),
                                              g_bytes_get_size (body), Z_BEST_COMPRESSION);
      if (compressed != NULL)
        {
          soup_message_headers_replace (req->response_headers, "Content-Encoding", "gzip");
          hub_respond_bytes (req, SOUP_STATUS_OK, "application/json", compressed);
          return;
        }
      /* could not compress: send it as it is, under its own tag */
      soup_message_headers_replace (req->response_headers, "ETag", etag);
    }
  hub_respond_bytes (req, SOUP_STATUS_OK, "application/json", body);
}

/* ---- packages ---- */

typedef enum
{
  RANGE_NONE,           /* no Range, or one we ignore: send the whole package */
  RANGE_SATISFIABLE,
  RANGE_UNSATISFIABLE,
} RangeResult;

static gboolean
parse_offset (const char *text,
              gsize       len,
              gint64     *out)
{
  g_autofree char *copy = g_strndup (text, len);
  guint64 value;

  g_strstrip (copy);
  if (copy[0] == '\0' ||
      !g_ascii_string_to_unsigned (copy, 10, 0, G_MAXINT64, &value, NULL))
    return FALSE;
  *out = (gint64) value;
  return TRUE;
}

/* One byte range ("bytes=a-b", "bytes=a-", "bytes=-n"). Several ranges are answered with
 * the whole package (allowed by RFC 9110 §14.2), as is a malformed header. */
static RangeResult
parse_range (const char *header,
             gint64      size,
             gint64     *start,
             gint64     *end)
{
  const char *spec, *dash;
  gint64 a, b;

  if (header == NULL)
    return RANGE_NONE;
  while (*header == ' ' || *header == '\t')
    header++;
  if (g_ascii_strncasecmp (header, "bytes", 5) != 0)
    return RANGE_NONE;
  spec = header + 5;
  while (*spec == ' ' || *spec == '\t')
    spec++;
  if (*spec != '=')
    return RANGE_NONE;
  spec++;
  if (strchr (spec, ',') != NULL || (dash = strchr (spec, '-')) == NULL)
    return RANGE_NONE;

  if (strspn (spec, " \t") == (gsize) (dash - spec))
    {
      /* the last n bytes */
      if (!parse_offset (dash + 1, strlen (dash + 1), &b))
        return RANGE_NONE;
      if (b == 0 || size == 0)
        return RANGE_UNSATISFIABLE;
      *start = b >= size ? 0 : size - b;
      *end = size - 1;
      return RANGE_SATISFIABLE;
    }

  if (!parse_offset (spec, dash - spec, &a))
    return RANGE_NONE;
  if (strspn (dash + 1, " \t") == strlen (dash + 1))
    b = G_MAXINT64;
  else if (!parse_offset (dash + 1, strlen (dash + 1), &b) || b < a)
    return RANGE_NONE;

  if (a >= size)
    return RANGE_UNSATISFIABLE;
  *start = a;
  *end = MIN (b, size - 1);
  return RANGE_SATISFIABLE;
}

static char *
http_date (gint64 time_us)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (time_us / G_USEC_PER_SEC);
  return soup_date_time_to_string (dt, SOUP_DATE_HTTP);
}

/* If-Range: an entity tag must match strongly; a date must equal Last-Modified (which is
 * a strong validator here: a published version never changes). */
static gboolean
if_range_holds (const char *header,
                const char *etag,
                gint64      published_us)
{
  g_autoptr(GDateTime) date = NULL;
  g_autofree char *value = NULL;

  if (header == NULL)
    return TRUE;
  value = g_strstrip (g_strdup (header));
  if (value[0] == '"' || g_str_has_prefix (value, "W/"))
    return g_str_equal (value, etag);
  if ((date = soup_date_time_new_from_http_string (value)) == NULL)
    return FALSE;
  return g_date_time_to_unix (date) == published_us / G_USEC_PER_SEC;
}

/* A package body being streamed: bytes [start, start + length) of the package. */
typedef struct
{
  HubCatalogPackage *package;
  gint64             start;
  gint64             fail_at;  /* test hook: reads from here on fail; -1 for never */
} PackageStream;

static void
package_stream_free (gpointer data)
{
  PackageStream *stream = data;

  hub_catalog_package_free (stream->package);
  g_free (stream);
}

/* One piece, never across a chunk boundary, so that each read touches one stored chunk. */
static GBytes *
package_stream_read (HubStore  *store,
                     gpointer   data,
                     goffset    offset,
                     gsize      max,
                     GError   **error)
{
  PackageStream *stream = data;
  gint64 at = stream->start + offset;
  gint64 to_boundary = HUB_CATALOG_CHUNK_SIZE - at % HUB_CATALOG_CHUNK_SIZE;

  if (stream->fail_at >= 0 && offset >= stream->fail_at)
    {
      g_set_error (error, HUB_CATALOG_ERROR, HUB_CATALOG_ERROR_FAILED,
                   "failing at byte %" G_GOFFSET_FORMAT " on purpose (test hook)", offset);
      return NULL;
    }
  return hub_catalog_read (store, stream->package, at, MIN ((gint64) max, to_boundary), error);
}

static void
handle_package (HubRequest *req)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HubCatalogPackage) package = NULL;
  g_auto(GStrv) parts = NULL;
  g_autofree char *etag = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *modified = NULL;
  const char *rest;
  guint8 raw[32];
  gint64 start = 0, end = 0;
  RangeResult range;

  /* the route also covers "/api/v1/packages" itself */
  rest = g_str_has_prefix (req->path, PACKAGES_PREFIX) ? req->path + strlen (PACKAGES_PREFIX) : "";
  parts = g_strsplit (rest, "/", -1);
  if (g_strv_length (parts) != 2 ||
      parts[0][0] == '\0' || parts[1][0] == '\0')
    {
      hub_respond_error (req, SOUP_STATUS_NOT_FOUND,
                         "There is no such package: package addresses are "
                         PACKAGES_PREFIX "ID/VERSION, as listed in /api/v1/catalog.");
      return;
    }

  if (!(package = hub_catalog_find (req->store, parts[0], parts[1], &error)))
    {
      if (g_error_matches (error, HUB_CATALOG_ERROR, HUB_CATALOG_ERROR_NOT_FOUND))
        hub_respond_error (req, SOUP_STATUS_NOT_FOUND, "%s", error->message);
      else
        hub_respond_error (req, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                           "Could not read the catalog: %s", error->message);
      return;
    }

  for (guint i = 0; i < 32; i++)
    raw[i] = (g_ascii_xdigit_value (package->sha256[2 * i]) << 4) |
             g_ascii_xdigit_value (package->sha256[2 * i + 1]);
  {
    g_autofree char *b64 = g_base64_encode (raw, sizeof raw);
    digest = g_strconcat ("sha-256=", b64, NULL);
  }
  etag = g_strdup_printf ("\"%s\"", package->sha256);
  modified = http_date (package->published_us);

  soup_message_headers_replace (req->response_headers, "ETag", etag);
  soup_message_headers_replace (req->response_headers, "Last-Modified", modified);
  soup_message_headers_replace (req->response_headers, "Accept-Ranges", "bytes");
  soup_message_headers_replace (req->response_headers, "Digest", digest);
  soup_message_headers_replace (req->response_headers, "X-Content-SHA256", package->sha256);
  soup_message_headers_replace (req->response_headers, "Cache-Control", "private");

  if (none_match_hits (hub_request_header (req, "If-None-Match"),
                       (const char * const[]) { etag, NULL }))
    {
      hub_respond_empty (req, SOUP_STATUS_NOT_MODIFIED);
      return;
    }

  range = parse_range (hub_request_header (req, "Range"), package->size, &start, &end);
  if (range != RANGE_NONE &&
      !if_range_holds (hub_request_header (req, "If-Range"), etag, package->published_us))
    range = RANGE_NONE;

  if (range == RANGE_UNSATISFIABLE)
    {
      g_autofree char *content_range = g_strdup_printf ("bytes */%" G_GINT64_FORMAT,
                                                        package->size);
      soup_message_headers_replace (req->response_headers, "Content-Range", content_range);
      hub_respond_error (req, SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE,
                         "The range “%s” lies outside the package, which has %" G_GINT64_FORMAT
                         " bytes.", hub_request_header (req, "Range"), package->size);
      return;
    }
  if (range == RANGE_NONE)
    {
      start = 0;
      end = package->size - 1;
    }
  else
    {
      g_autofree char *content_range = NULL;
      content_range = g_strdup_printf ("bytes %" G_GINT64_FORMAT "-%" G_GINT64_FORMAT
                                       "/%" G_GINT64_FORMAT, start, end, package->size);
      soup_message_headers_replace (req->response_headers, "Content-Range", content_range);
    }

  /* streamed from the stored chunks as the client takes them (HEAD reads nothing) */
  {
    PackageStream *stream = g_new0 (PackageStream, 1);

    const char *fail_at = hub_request_param (req, "test_fail_at");

    stream->package = g_steal_pointer (&package);
    stream->start = start;
    stream->fail_at = -1;
    /* a read error in the middle of a body, on demand, for the tests only */
    if (fail_at != NULL && g_getenv ("SHUYUAN_HUB_TEST_HOOKS") != NULL)
      stream->fail_at = g_ascii_strtoll (fail_at, NULL, 10);
    hub_respond_stream (req, range == RANGE_NONE ? SOUP_STATUS_OK : SOUP_STATUS_PARTIAL_CONTENT,
                        "application/zip", end - start + 1, package_stream_read, stream,
                        package_stream_free);
  }
}

const HubRoute hub_routes_catalog[] = {
  { "GET", "/api/v1/catalog", HUB_ROUTE_AUTH, handle_catalog },
  { "GET", PACKAGES_PREFIX "*", HUB_ROUTE_AUTH, handle_package },
  { NULL }
};
